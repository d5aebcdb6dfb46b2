// The kernel's settings that decide the borderline instructions, read without privilege.
// Each field keeps where it came from, so the output can say why a probe went one way.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace ringside::ring {

enum class TscMode { Enabled, Faulting, Unknown };      // prctl PR_GET_TSC
enum class RdpmcSetting { Never, MmapOnly, Always, Absent };  // /sys/.../cpu/rdpmc 0/1/2

struct HypervisorInfo {
    bool present = false;        // CPUID.1:ECX bit 31
    std::string signature;       // leaf 0x40000000 EBX ECX EDX, NULs dropped
    std::string name;            // "KVM", or the signature when unknown
};

struct KernelSettings {
    bool umip = false;                    // "umip" in /proc/cpuinfo flags: CR4.UMIP is set
    TscMode tsc = TscMode::Unknown;
    RdpmcSetting rdpmc = RdpmcSetting::Absent;
    bool cpuid_faulting_supported = false;  // "cpuid_fault" in the flags
    std::optional<bool> cpuid_enabled;      // arch_prctl ARCH_GET_CPUID
    unsigned iopl = 0;                       // EFLAGS bits 12-13
    std::optional<bool> cap_sys_rawio;      // CapEff bit 17: ioperm()/iopl() permitted
    std::string lockdown;                   // "none", "integrity", ...; "" when unknown
    HypervisorInfo hypervisor;
};

KernelSettings read_kernel_settings();

// Parsers over the text of /proc and /sys files, kept apart for the unit tests.
std::set<std::string, std::less<>> cpu_flags_from_cpuinfo(std::string_view cpuinfo);
RdpmcSetting rdpmc_from_sysfs(std::string_view text);
std::optional<std::uint64_t> effective_capabilities(std::string_view proc_status);
std::string lockdown_from_securityfs(std::string_view text);  // the bracketed word
std::string hypervisor_name(std::string_view signature);

const char* tsc_mode_name(TscMode mode);
const char* rdpmc_setting_name(RdpmcSetting setting);

inline constexpr unsigned cap_sys_rawio_bit = 17;

}  // namespace ringside::ring
