// The instructions `ringside ring` tries from ring 3. Each probe runs in a forked child (see
// child.h), optionally after a setup step that changes what the kernel allows the child.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace ringside::ring {

// Why a probe is interesting, which is also what a test may assume about it.
enum class ProbeClass {
    Privileged,    // CPL 0 only: faults in ring 3 on every x86-64 Linux
    IoPort,        // needs IOPL 3 or the port's bit in the I/O bitmap (ioperm)
    Configurable,  // allowed or not depending on a kernel or CPU setting (UMIP, TSD, PCE, ...)
};

enum class ProbeSetup {
    None,
    IopermPort,      // ioperm(0x80, 1, 1): needs CAP_SYS_RAWIO
    TscFaulting,     // prctl(PR_SET_TSC, PR_TSC_SIGSEGV): sets CR4.TSD for this process
    CpuidFaulting,   // arch_prctl(ARCH_SET_CPUID, 0): needs CPUID faulting in the CPU
};

// What an instruction left in registers or memory when it was allowed.
struct ProbeValues {
    std::uint64_t word[3] = { 0, 0, 0 };
};

enum class ValueKind { None, Hex, Descriptor, Selector, Vendor, Decimal };

struct ProbeSpec {
    std::string_view name;          // "mov_to_cr0": what --only matches
    std::string_view instruction;   // "mov %rax, %cr0"
    std::string_view action;        // what the instruction would do
    ProbeClass probe_class;
    ProbeSetup setup;
    ValueKind value_kind;
    void (*run)(ProbeValues& values);  // executes the instruction; nullptr off x86-64
};

std::span<const ProbeSpec> probe_specs();
const ProbeSpec* find_probe(std::string_view name);

const char* probe_class_name(ProbeClass probe_class);
const char* probe_setup_text(ProbeSetup setup);

// "base 0xfffffe0000001000, limit 0x7f" and the like; "" for ValueKind::None.
std::string format_probe_value(ValueKind kind, const ProbeValues& values);

inline constexpr std::uint16_t probe_port = 0x80;  // the POST-code port Linux itself writes for delays

}  // namespace ringside::ring
