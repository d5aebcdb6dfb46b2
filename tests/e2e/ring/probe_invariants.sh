#!/usr/bin/env bash
# `ringside ring --json` on this machine: checks what holds on every x86-64 Linux (the
# privileged instructions fault with #GP, the program runs at CPL 3) and that each
# borderline result agrees with the setting the report gives for it, without assuming
# which way the borderline ones go. Cross-checks cpuid and the hypervisor against the
# system's own view (/proc/cpuinfo, lscpu).
set -euo pipefail
[[ $(uname -m) == x86_64 ]] || exit 77
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$RINGSIDE" ring --json >"$out/ring.json"
"$RINGSIDE" ring >"$out/ring.txt"
grep -q '^Current privilege level: 3 ' "$out/ring.txt"

python3 - "$out/ring.json" <<'PY'
import json, subprocess, sys

report = json.load(open(sys.argv[1]))
probes = {p["name"]: p for p in report["probes"]}
kernel = report["kernel"]
failures = []

def check(condition, message):
    if not condition:
        failures.append(message)

check(list(report)[:2] == ["schema_version", "tool"], "schema_version and tool come first")
check(report["tool"] == "ring", "tool is ring")
check(report["current_privilege_level"] == 3, "CPL is 3")
check(report["code_segment"]["privilege"] == 3 and report["code_segment"]["selector"] & 3 == 3, "CS RPL is 3")

privileged = ["hlt", "rdmsr", "wrmsr", "mov_from_cr0", "mov_to_cr0", "mov_from_cr3", "mov_to_cr3",
              "lgdt", "invlpg", "wbinvd"]
for name in privileged:
    p = probes[name]
    check(p["class"] == "privileged", f"{name} is classed privileged")
    check(p["outcome"] == "fault" and p["signal"] == "SIGSEGV" and p["si_code_name"] == "SI_KERNEL"
          and p["exception"] == "#GP", f"{name} faults with #GP: {p}")

# cli/sti need CPL <= IOPL; in/out without ioperm need IOPL 3 or an inherited bitmap bit,
# which nothing gives a test process.
if kernel["iopl"] == 0:
    for name in ["cli", "sti", "in", "out"]:
        check(probes[name]["outcome"] == "fault" and probes[name]["exception"] == "#GP", f"{name} faults at IOPL 0")

# Borderline ones: consistent with the reported setting, whichever way it goes.
if kernel["tsc"] == "PR_TSC_ENABLE":
    check(probes["rdtsc"]["outcome"] == "allowed", "rdtsc allowed when PR_GET_TSC says enabled")
elif kernel["tsc"] == "PR_TSC_SIGSEGV":
    check(probes["rdtsc"]["outcome"] == "fault", "rdtsc faults when PR_GET_TSC says SIGSEGV")
check(probes["rdtsc_tsd"]["outcome"] == "fault", "rdtsc faults after PR_SET_TSC(PR_TSC_SIGSEGV)")

if kernel["cpuid_enabled"] is True:
    check(probes["cpuid"]["outcome"] == "allowed", "cpuid allowed when ARCH_GET_CPUID says so")
    vendor = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("vendor_id"))
    check(probes["cpuid"]["value"] == vendor, f"cpuid vendor {probes['cpuid']['value']} == /proc/cpuinfo {vendor}")
check(probes["cpuid_faulting"]["outcome"] in ("fault", "not_run"), "cpuid faults once CPUID faulting is on")
if probes["cpuid_faulting"]["outcome"] == "not_run":
    check(not kernel["cpuid_faulting_supported"], "ARCH_SET_CPUID refused only where the CPU lacks cpuid_fault")

for name in ["in_ioperm", "out_ioperm"]:
    p = probes[name]
    check(p["outcome"] in ("allowed", "not_run"), f"{name}: a granted port is usable")
    if kernel["cap_sys_rawio"] is False:
        check(p["outcome"] == "not_run", f"{name}: ioperm refused without CAP_SYS_RAWIO")

for name in ["sgdt", "sidt", "sldt", "smsw", "str"]:
    p = probes[name]
    check(p["outcome"] in ("allowed", "fault"), f"{name} allowed or faulted")
    if not kernel["umip"]:
        check(p["outcome"] == "allowed", f"{name} is allowed without UMIP")

if kernel["rdpmc"] is None or kernel["rdpmc"] == "0":
    check(probes["rdpmc"]["outcome"] == "fault", "rdpmc faults with CR4.PCE clear")

for p in report["probes"]:
    check(p["reason"], f"{p['name']} has a reason")
    check(p["outcome"] != "died", f"{p['name']} answered: {p['reason']}")

# The hypervisor as the system sees it.
try:
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
except (OSError, subprocess.CalledProcessError):
    lscpu = ""
flags = next((line for line in open("/proc/cpuinfo") if line.startswith("flags")), "").split()
check(report["hypervisor"]["present"] == ("hypervisor" in flags), "hypervisor bit agrees with /proc/cpuinfo")
for line in lscpu.splitlines():
    if line.startswith("Hypervisor vendor:"):
        lscpu_vendor = line.split(":", 1)[1].strip()
        check(report["hypervisor"]["present"], "lscpu sees a hypervisor, so do we")
        check(lscpu_vendor.lower() in (report["hypervisor"]["name"] or "").lower()
              or lscpu_vendor.lower() in (report["hypervisor"]["signature"] or "").lower(),
              f"hypervisor {report['hypervisor']} matches lscpu's {lscpu_vendor}")

if failures:
    print("\n".join(failures))
    sys.exit(1)
PY

