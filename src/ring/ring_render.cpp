#include "ring/ring_render.h"

#include <fmt/format.h>

#include "base/table.h"

namespace ringside::ring {

namespace {

std::string yes_no(std::optional<bool> value)
{
    if (!value)
        return "unknown";
    return *value ? "yes" : "no";
}

std::string signal_cell(const ProbeResult& result)
{
    if (!result.fault)
        return {};
    if (result.fault->exception.empty())
        return result.fault->signal_name;
    return result.fault->signal_name + " " + result.fault->exception;
}

std::string settings_text(const KernelSettings& settings)
{
    Table table({ { "" }, { "" } });
    table.add_row({ "UMIP (sgdt sidt sldt smsw str):",
        settings.umip ? "on: CR4.UMIP makes them CPL 0 only; Linux emulates them with fixed values"
                      : "off: they run at any CPL" });
    table.add_row({ "rdtsc (CR4.TSD):",
        settings.tsc == TscMode::Faulting ? "faults for this process (PR_GET_TSC: PR_TSC_SIGSEGV)"
        : settings.tsc == TscMode::Enabled ? "allowed (PR_GET_TSC: PR_TSC_ENABLE)"
                                           : "unknown (PR_GET_TSC failed)" });
    std::string rdpmc;
    switch (settings.rdpmc) {
    case RdpmcSetting::Never: rdpmc = "rdpmc=0: CR4.PCE always clear"; break;
    case RdpmcSetting::MmapOnly: rdpmc = "rdpmc=1: CR4.PCE set only while a perf event is mmapped"; break;
    case RdpmcSetting::Always: rdpmc = "rdpmc=2: CR4.PCE always set"; break;
    case RdpmcSetting::Absent: rdpmc = "no perf PMU driver: CR4.PCE clear"; break;
    }
    table.add_row({ "rdpmc (CR4.PCE):", rdpmc });
    table.add_row({ "CPUID faulting:",
        fmt::format("{} by the CPU; cpuid enabled for this process: {}",
            settings.cpuid_faulting_supported ? "supported" : "not offered", yes_no(settings.cpuid_enabled)) });
    std::string io = fmt::format("IOPL {}; CAP_SYS_RAWIO (may call ioperm/iopl): {}", settings.iopl,
        yes_no(settings.cap_sys_rawio));
    if (!settings.lockdown.empty())
        io += "; lockdown: " + settings.lockdown;
    table.add_row({ "I/O permission:", io });
    std::string out;
    std::string rendered = table.render(1, false);
    for (std::size_t start = 0; start < rendered.size();) {
        std::size_t end = rendered.find('\n', start);
        out += "  " + rendered.substr(start, end + 1 - start);
        start = end + 1;
    }
    return out;
}

Json nullable(const std::string& text)
{
    return text.empty() ? Json(nullptr) : Json(text);
}

Json nullable(std::optional<bool> value)
{
    return value ? Json(*value) : Json(nullptr);
}

const char* outcome_key(ProbeOutcome outcome)
{
    switch (outcome) {
    case ProbeOutcome::Allowed: return "allowed";
    case ProbeOutcome::Faulted: return "fault";
    case ProbeOutcome::NotRun: return "not_run";
    case ProbeOutcome::Died: return "died";
    }
    return "unknown";
}

}  // namespace

std::string ring_text(const RingReport& report)
{
    const SegmentSelector& cs = report.code_segment;
    std::string out = fmt::format("Current privilege level: {}  (CS = {:#06x}: {} entry {}, privilege bits {})\n\n",
        cs.privilege, cs.raw, cs.local_table ? "LDT" : "GDT", cs.index, cs.privilege);
    out += "Kernel settings that decide the borderline cases:\n";
    out += settings_text(report.settings);
    const HypervisorInfo& hypervisor = report.settings.hypervisor;
    if (hypervisor.present)
        out += fmt::format("\nHypervisor: {} (signature \"{}\"). Privileged instructions still fault inside the\n"
                           "guest, but cpuid, rdtsc, rdpmc and port I/O answer as {} chose.\n",
            hypervisor.name, hypervisor.signature, hypervisor.name);
    else
        out += "\nHypervisor: none detected (CPUID hypervisor bit clear).\n";

    Table table({ { "PROBE" }, { "INSTRUCTION" }, { "RESULT" }, { "SIGNAL" }, { "VALUE" }, { "REASON" } });
    for (const ProbeResult& result : report.probes)
        table.add_row({ std::string(result.spec->name), std::string(result.spec->instruction),
            probe_outcome_name(result.outcome), signal_cell(result), result.value, result.reason });
    out += "\n" + table.render();
    return out;
}

Json ring_json(const RingReport& report)
{
    Json document = json_document("ring");
    document["architecture"] = report.architecture;
    document["current_privilege_level"] = report.code_segment.privilege;
    document["code_segment"] = {
        { "selector", report.code_segment.raw },
        { "index", report.code_segment.index },
        { "table", report.code_segment.local_table ? "LDT" : "GDT" },
        { "privilege", report.code_segment.privilege },
    };
    const KernelSettings& settings = report.settings;
    document["kernel"] = {
        { "umip", settings.umip },
        { "tsc", settings.tsc == TscMode::Unknown ? Json(nullptr) : Json(tsc_mode_name(settings.tsc)) },
        { "rdpmc", settings.rdpmc == RdpmcSetting::Absent ? Json(nullptr) : Json(rdpmc_setting_name(settings.rdpmc)) },
        { "cpuid_faulting_supported", settings.cpuid_faulting_supported },
        { "cpuid_enabled", nullable(settings.cpuid_enabled) },
        { "iopl", settings.iopl },
        { "cap_sys_rawio", nullable(settings.cap_sys_rawio) },
        { "lockdown", nullable(settings.lockdown) },
    };
    document["hypervisor"] = {
        { "present", settings.hypervisor.present },
        { "signature", nullable(settings.hypervisor.signature) },
        { "name", nullable(settings.hypervisor.name) },
    };
    Json probes = Json::array();
    for (const ProbeResult& result : report.probes) {
        Json probe = {
            { "name", result.spec->name },
            { "instruction", result.spec->instruction },
            { "action", result.spec->action },
            { "class", probe_class_name(result.spec->probe_class) },
            { "setup", nullable(std::string(probe_setup_text(result.spec->setup))) },
            { "outcome", outcome_key(result.outcome) },
            { "value", nullable(result.value) },
        };
        if (result.fault) {
            probe["signal"] = result.fault->signal_name;
            probe["signal_number"] = result.signal_number;
            probe["si_code"] = result.si_code;
            probe["si_code_name"] = result.fault->code_name;
            probe["exception"] = nullable(result.fault->exception);
            probe["meaning"] = result.fault->meaning;
        } else {
            for (const char* key : { "signal", "signal_number", "si_code", "si_code_name", "exception", "meaning" })
                probe[key] = nullptr;
        }
        probe["reason"] = result.reason;
        probes.push_back(std::move(probe));
    }
    document["probes"] = std::move(probes);
    return document;
}

std::string probe_list_text()
{
    Table table({ { "PROBE" }, { "CLASS" }, { "INSTRUCTION" }, { "WHAT IT WOULD DO" } });
    for (const ProbeSpec& spec : probe_specs())
        table.add_row({ std::string(spec.name), probe_class_name(spec.probe_class), std::string(spec.instruction),
            std::string(spec.action) });
    return table.render();
}

std::string ring_help_text()
{
    return R"(Usage: ringside ring [--json] [--only PROBE[,PROBE...]] [--list]

Shows the privilege level this process runs at (read from the CS selector), the kernel
settings that decide the borderline instructions, and tries each instruction from ring 3.
Every probe runs in a forked child, so a fault ends only that child; the child's signal
handler reports the signal and its si_code. A general protection fault (#GP) arrives as
SIGSEGV with si_code SI_KERNEL, an invalid opcode (#UD) as SIGILL.

Options:
  -j, --json         print one JSON document (see docs/json.md) instead of tables
  -o, --only LIST    run only these probes (comma-separated names from --list)
  -l, --list         list the probes and what each instruction would do
  -h, --help         show this help

Exit status: 0 when the probes ran (a fault is a result, not an error); 1 on a bad option
or on a machine that is not x86-64.

Why Linux leaves rings 1 and 2 unused:
  x86 paging knows only two privilege levels: a page is either "supervisor" (CPL 0-2) or
  "user" (CPL 3). Code in ring 1 or 2 would see all kernel memory, so those rings add no
  protection without segmentation, and long mode (x86-64) turned segment bases and limits
  off. syscall/sysret and sysenter/sysexit only switch between rings 0 and 3, and Linux runs
  on many architectures that have exactly two modes. So the kernel is ring 0 and every
  program is ring 3. (32-bit paravirtualised Xen once put guest kernels in ring 1; VT-x and
  AMD-V made that unnecessary by adding a separate guest mode instead of using more rings.)

The borderline cases, and the settings that decide them:
  sgdt sidt sldt smsw str  CR4.UMIP (the "umip" CPU flag) makes them CPL 0 only; Linux
                           then emulates sgdt, sidt and smsw (and sldt, str) with dummy
                           values so old programs keep working without seeing kernel addresses.
  rdtsc                    CR4.TSD, per process: prctl(PR_SET_TSC, PR_TSC_SIGSEGV).
  rdpmc                    CR4.PCE: /sys/bus/event_source/devices/cpu/rdpmc (0 never,
                           1 while a perf event is mmapped, 2 always).
  cpuid                    CPUID faulting, per process: arch_prctl(ARCH_SET_CPUID, 0),
                           where the CPU (or hypervisor) offers it.
  in out cli sti           IOPL and the TSS I/O bitmap: ioperm() sets a port's bit and
                           needs CAP_SYS_RAWIO; since Linux 5.5 iopl(3) is emulated with the
                           bitmap and IOPL stays 0, so cli and sti always fault.

Under a hypervisor (reported when the CPUID hypervisor bit is set):
  The guest's programs still run at CPL 3, and the CPU checks the privilege level before
  it considers a VM exit, so privileged instructions fault inside the guest exactly as on
  bare metal. What differs: every cpuid exits to the hypervisor, which chooses the answer
  (and whether CPUID faulting exists); rdtsc may be offset or scaled; rdpmc needs a virtual
  PMU the hypervisor may not offer; a permitted in/out exits to the hypervisor's device
  model (unemulated ports read 0xff); UMIP may be emulated by the hypervisor.
)";
}

}  // namespace ringside::ring
