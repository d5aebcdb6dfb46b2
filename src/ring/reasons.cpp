// One line per probe saying why it went the way it did, from the outcome and the settings
// that decide it.
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fmt/format.h>

#include "ring/ring_report.h"

namespace ringside::ring {

namespace {

bool is_general_protection(const ProbeResult& result)
{
    return result.fault && result.fault->exception == "#GP";
}

std::string privileged_subject(std::string_view name)
{
    if (name == "hlt")
        return "halting the CPU";
    if (name == "rdmsr" || name == "wrmsr")
        return "MSR access (user space goes through /dev/cpu/N/msr)";
    if (name.starts_with("mov_"))
        return "control-register access";
    if (name == "lgdt")
        return "loading descriptor tables";
    if (name == "invlpg")
        return "TLB control";
    if (name == "wbinvd")
        return "cache control";
    return std::string(name);
}

bool is_umip_instruction(std::string_view name)
{
    return name == "sgdt" || name == "sidt" || name == "sldt" || name == "smsw" || name == "str";
}

std::string rdpmc_setting_text(RdpmcSetting setting)
{
    switch (setting) {
    case RdpmcSetting::Never: return "/sys/bus/event_source/devices/cpu/rdpmc is 0 (never)";
    case RdpmcSetting::MmapOnly:
        return "/sys/bus/event_source/devices/cpu/rdpmc is 1 (only while the process has a perf event mmapped)";
    case RdpmcSetting::Always: return "/sys/bus/event_source/devices/cpu/rdpmc is 2 (always)";
    case RdpmcSetting::Absent: break;
    }
    return "no perf PMU driver (no /sys/bus/event_source/devices/cpu/rdpmc)";
}

std::string hypervisor_suffix(const KernelSettings& settings, std::string_view what)
{
    if (!settings.hypervisor.present)
        return {};
    return fmt::format("; under {}, {}", settings.hypervisor.name, what);
}

std::string allowed_reason(const ProbeSpec& spec, const KernelSettings& settings)
{
    std::string_view name = spec.name;
    if (spec.probe_class == ProbeClass::Privileged)
        return fmt::format("{} ran at CPL 3, which the CPU should refuse", spec.instruction);
    if (name == "cli" || name == "sti")
        return fmt::format("IOPL is {}, so CPL 3 may change the interrupt flag", settings.iopl);
    if (spec.setup == ProbeSetup::IopermPort)
        return "ioperm set port 0x80's bit in the TSS I/O bitmap"
            + hypervisor_suffix(settings, "the port access exits to the hypervisor, which answers it");
    if (name == "in" || name == "out")
        return fmt::format("port 0x80 is in the I/O bitmap this process inherited, or IOPL is 3 (it is {})", settings.iopl);
    if (is_umip_instruction(name)) {
        if (settings.umip)
            return "UMIP trapped it and Linux emulated it with a fixed value, not the real register";
        return "no UMIP on this CPU: these stores work at any CPL and show the real kernel values";
    }
    if (name == "rdtsc")
        return std::string("CR4.TSD is clear (PR_GET_TSC: ") + tsc_mode_name(settings.tsc) + ")"
            + hypervisor_suffix(settings, "the value may be offset and scaled by the hypervisor");
    if (name == "rdtsc_tsd")
        return "PR_SET_TSC was accepted, yet rdtsc still ran";
    if (name == "rdpmc")
        return "CR4.PCE is set: " + rdpmc_setting_text(settings.rdpmc);
    if (name == "cpuid")
        return "cpuid works at any CPL while CPUID faulting is off"
            + hypervisor_suffix(settings, "every cpuid exits to the hypervisor, which chose the answer");
    if (name == "cpuid_faulting")
        return "ARCH_SET_CPUID 0 was accepted, yet cpuid still ran";
    return "allowed";
}

std::string fault_reason(const ProbeSpec& spec, const ProbeResult& result, const KernelSettings& settings)
{
    std::string_view name = spec.name;
    if (!is_general_protection(result))
        return result.fault ? result.fault->meaning : std::string("fault");
    if (spec.probe_class == ProbeClass::Privileged)
        return privileged_subject(name) + " is CPL 0 only; this process runs at CPL 3";
    if (name == "cli" || name == "sti")
        return fmt::format("needs CPL <= IOPL and IOPL is {} (Linux 5.5+ never raises IOPL; iopl(3) only grants ports)",
            settings.iopl);
    if (name == "in" || name == "out")
        return fmt::format("port 0x80 is not in this process's I/O bitmap and IOPL {} < CPL 3", settings.iopl);
    if (spec.setup == ProbeSetup::IopermPort)
        return "ioperm was accepted but the port access still faulted";
    if (is_umip_instruction(name)) {
        if (settings.umip)
            return "UMIP is on (CR4.UMIP): the instruction is CPL 0 only and Linux did not emulate it here";
        return "faulted although /proc/cpuinfo lists no umip flag";
    }
    if (name == "rdtsc")
        return std::string("CR4.TSD is set for this process (PR_GET_TSC: ") + tsc_mode_name(settings.tsc) + ")";
    if (name == "rdtsc_tsd")
        return "PR_SET_TSC set CR4.TSD for this process, which makes rdtsc CPL 0 only";
    if (name == "rdpmc")
        return "CR4.PCE is clear: " + rdpmc_setting_text(settings.rdpmc);
    if (name == "cpuid")
        return "CPUID faulting is on for this process (ARCH_GET_CPUID: 0)";
    if (name == "cpuid_faulting")
        return "ARCH_SET_CPUID 0 turned CPUID faulting on, so cpuid raises #GP";
    return "general protection fault";
}

std::string not_run_reason(const ProbeSpec& spec, int error, const KernelSettings& settings)
{
    std::string call = probe_setup_text(spec.setup);
    if (spec.setup == ProbeSetup::IopermPort && error == EPERM) {
        std::string why = settings.lockdown.empty() || settings.lockdown == "none"
            ? "it needs CAP_SYS_RAWIO"
            : "it needs CAP_SYS_RAWIO and kernel lockdown (" + settings.lockdown + ") forbids it";
        return call + " refused (EPERM): " + why;
    }
    if (spec.setup == ProbeSetup::IopermPort && error == ENOSYS)
        return call + " refused (ENOSYS): this kernel was built without ioperm/iopl (CONFIG_X86_IOPL_IOPERM)";
    if (spec.setup == ProbeSetup::CpuidFaulting && error == ENODEV)
        return call + " refused (ENODEV): the CPU, or the hypervisor, offers no CPUID faulting";
    return call + " failed: " + std::strerror(error);
}

}  // namespace

std::string explain_outcome(const ProbeSpec& spec, const ProbeResult& result, const KernelSettings& settings)
{
    switch (result.outcome) {
    case ProbeOutcome::Allowed:
        return allowed_reason(spec, settings);
    case ProbeOutcome::Faulted:
        return fault_reason(spec, result, settings);
    case ProbeOutcome::NotRun:
    case ProbeOutcome::Died:
        break;
    }
    return result.reason;
}

ProbeResult interpret_child(const ProbeSpec& spec, const ChildReport& report, const KernelSettings& settings)
{
    ProbeResult result;
    result.spec = &spec;
    switch (report.outcome) {
    case ChildOutcome::Allowed:
        result.outcome = ProbeOutcome::Allowed;
        result.value = format_probe_value(spec.value_kind, report.values);
        break;
    case ChildOutcome::Faulted:
        result.outcome = ProbeOutcome::Faulted;
        result.signal_number = report.signal_number;
        result.si_code = report.si_code;
        result.fault = explain_fault(report.signal_number, report.si_code);
        break;
    case ChildOutcome::NotRun:
        result.outcome = ProbeOutcome::NotRun;
        result.reason = not_run_reason(spec, report.setup_errno, settings);
        return result;
    case ChildOutcome::Died:
        result.outcome = ProbeOutcome::Died;
        if (!report.launch_error.empty()) {
            result.reason = "could not start the probe: " + report.launch_error;
        } else if (report.died_signal == SIGALRM) {
            result.reason = "no answer in time: the child was stopped";
        } else if (report.died_signal != 0) {
            result.signal_number = report.died_signal;
            result.fault = explain_fault(report.died_signal, 0);
            result.reason = "the child ended by " + signal_name(report.died_signal) + " before it could report";
        } else {
            result.reason = fmt::format("the child exited with status {} without a report", report.died_exit_code);
        }
        return result;
    }
    result.reason = explain_outcome(spec, result, settings);
    return result;
}

const char* probe_outcome_name(ProbeOutcome outcome)
{
    switch (outcome) {
    case ProbeOutcome::Allowed: return "allowed";
    case ProbeOutcome::Faulted: return "fault";
    case ProbeOutcome::NotRun: return "not run";
    case ProbeOutcome::Died: return "died";
    }
    return "unknown";
}

}  // namespace ringside::ring
