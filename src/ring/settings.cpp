#include "ring/settings.h"

#include <cerrno>
#include <charconv>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/mapped_file.h"
#include "ring/cpu.h"

#if defined(__x86_64__)
#include <asm/prctl.h>
#endif

namespace ringside::ring {

namespace {

std::string_view trim(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n'))
        text.remove_suffix(1);
    return text;
}

std::string read_text(const char* path)
{
    auto text = read_small_file(path);
    return text ? *text : std::string();
}

TscMode read_tsc_mode()
{
    int mode = 0;
    if (prctl(PR_GET_TSC, &mode, 0, 0, 0) != 0)
        return TscMode::Unknown;
    return mode == PR_TSC_SIGSEGV ? TscMode::Faulting : TscMode::Enabled;
}

std::optional<bool> read_cpuid_enabled()
{
#if defined(__x86_64__) && defined(ARCH_GET_CPUID)
    long state = syscall(SYS_arch_prctl, ARCH_GET_CPUID, 0);
    if (state < 0)
        return std::nullopt;
    return state != 0;
#else
    return std::nullopt;
#endif
}

}  // namespace

std::set<std::string, std::less<>> cpu_flags_from_cpuinfo(std::string_view cpuinfo)
{
    std::set<std::string, std::less<>> flags;
    while (!cpuinfo.empty()) {
        auto end = cpuinfo.find('\n');
        std::string_view line = cpuinfo.substr(0, end);
        cpuinfo = end == std::string_view::npos ? std::string_view() : cpuinfo.substr(end + 1);
        auto colon = line.find(':');
        if (colon == std::string_view::npos || trim(line.substr(0, colon)) != "flags")
            continue;
        std::string_view rest = line.substr(colon + 1);
        while (!rest.empty()) {
            auto space = rest.find(' ');
            std::string_view word = trim(rest.substr(0, space));
            if (!word.empty())
                flags.emplace(word);
            rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
        }
        break;  // every CPU lists the same flags; the first line is enough
    }
    return flags;
}

RdpmcSetting rdpmc_from_sysfs(std::string_view text)
{
    text = trim(text);
    if (text == "0")
        return RdpmcSetting::Never;
    if (text == "1")
        return RdpmcSetting::MmapOnly;
    if (text == "2")
        return RdpmcSetting::Always;
    return RdpmcSetting::Absent;
}

std::optional<std::uint64_t> effective_capabilities(std::string_view proc_status)
{
    constexpr std::string_view key = "CapEff:";
    auto at = proc_status.find(key);
    if (at == std::string_view::npos || (at != 0 && proc_status[at - 1] != '\n'))
        return std::nullopt;
    std::string_view rest = proc_status.substr(at + key.size());
    rest = trim(rest.substr(0, rest.find('\n')));
    std::uint64_t value = 0;
    auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), value, 16);
    if (error != std::errc() || end != rest.data() + rest.size() || rest.empty())
        return std::nullopt;
    return value;
}

std::string lockdown_from_securityfs(std::string_view text)
{
    auto open = text.find('[');
    auto close = text.find(']', open == std::string_view::npos ? 0 : open);
    if (open == std::string_view::npos || close == std::string_view::npos)
        return {};
    return std::string(text.substr(open + 1, close - open - 1));
}

std::string hypervisor_name(std::string_view signature)
{
    struct Known {
        std::string_view signature;
        std::string_view name;
    };
    // Leaf 0x40000000 signatures as the hypervisors publish them.
    constexpr Known known[] = {
        { "KVMKVMKVM", "KVM" },
        { "Microsoft Hv", "Microsoft Hyper-V" },
        { "VMwareVMware", "VMware" },
        { "XenVMMXenVMM", "Xen" },
        { "TCGTCGTCGTCG", "QEMU (TCG, no hardware virtualisation)" },
        { "VBoxVBoxVBox", "VirtualBox" },
        { " lrpepyh  vr", "Parallels" },
        { "ACRNACRNACRN", "ACRN" },
        { "bhyve bhyve ", "bhyve" },
        { "QNXQVMBSQG", "QNX Hypervisor" },
        { "SRESRESRESRE", "Intel SGX/TDX shim" },
    };
    for (const Known& entry : known)
        if (entry.signature == signature)
            return std::string(entry.name);
    return std::string(signature);
}

const char* tsc_mode_name(TscMode mode)
{
    switch (mode) {
    case TscMode::Enabled: return "PR_TSC_ENABLE";
    case TscMode::Faulting: return "PR_TSC_SIGSEGV";
    case TscMode::Unknown: break;
    }
    return "unknown";
}

const char* rdpmc_setting_name(RdpmcSetting setting)
{
    switch (setting) {
    case RdpmcSetting::Never: return "0";
    case RdpmcSetting::MmapOnly: return "1";
    case RdpmcSetting::Always: return "2";
    case RdpmcSetting::Absent: break;
    }
    return "absent";
}

KernelSettings read_kernel_settings()
{
    KernelSettings settings;
    auto flags = cpu_flags_from_cpuinfo(read_text("/proc/cpuinfo"));
    settings.umip = flags.contains("umip");
    settings.cpuid_faulting_supported = flags.contains("cpuid_fault");
    settings.tsc = read_tsc_mode();
    settings.rdpmc = rdpmc_from_sysfs(read_text("/sys/bus/event_source/devices/cpu/rdpmc"));
    settings.cpuid_enabled = read_cpuid_enabled();
    settings.iopl = current_iopl();
    if (auto caps = effective_capabilities(read_text("/proc/self/status")))
        settings.cap_sys_rawio = ((*caps >> cap_sys_rawio_bit) & 1u) != 0;
    settings.lockdown = lockdown_from_securityfs(read_text("/sys/kernel/security/lockdown"));
    settings.hypervisor = detect_hypervisor();
    return settings;
}

}  // namespace ringside::ring
