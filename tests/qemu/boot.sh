#!/usr/bin/env bash
# Boots a kernel with an initramfs under QEMU and decides pass or fail from the console.
#   boot.sh VMLINUZ INITRD CONSOLE_LOG [TIMEOUT_SECONDS] [EXTRA KERNEL ARGUMENTS]
# QEMU exits 0 whether the guest passed, failed or panicked (panic=-1 with -no-reboot), so
# the verdict is the guest's "RESULT: PASS" line; a hard timeout kills a hung boot.
# TCG unless /proc/cpuinfo shows vmx or svm: /dev/kvm may open on hosts where KVM then hangs.
set -uo pipefail
kernel=$1 initrd=$2 log=$3 limit=${4:-240} extra=${5:-}
accel=tcg
if [[ -w /dev/kvm ]] && grep -qE '\b(vmx|svm)\b' /proc/cpuinfo; then accel=kvm; fi
cpu=max
[[ $accel == kvm ]] && cpu=host
start=$(date +%s)
timeout --foreground -k 10 "$limit" qemu-system-x86_64 -machine q35 -accel "$accel" -cpu "$cpu" -m 768 -smp 1 \
  -kernel "$kernel" -initrd "$initrd" -append "console=ttyS0 rdinit=/init panic=-1 quiet $extra" \
  -nographic -no-reboot </dev/null >"$log" 2>&1
rc=$?
seconds=$(( $(date +%s) - start ))
grep -a -E '^(PASS|FAIL|INFO|RESULT|===|---|    )' "$log" | tr -d '\r'
passed=$(grep -ac '^PASS:' "$log")
failed=$(grep -ac '^FAIL:' "$log")
echo "boot: accel=$accel, ${seconds}s, qemu exit $rc, $passed checks passed, $failed failed"
if [[ $rc == 124 ]]; then echo "boot: TIMEOUT after ${limit}s"; exit 1; fi
grep -aq '^RESULT: PASS' "$log"
