// The instruction bodies. Every operand is chosen so that the instruction would change
// nothing even if it were allowed (a privileged one never is in ring 3: the CPU checks the
// privilege level before it looks at the operand).
#include "ring/probes.h"

#include <cstring>
#include <fmt/format.h>

#include "ring/cpu.h"

namespace ringside::ring {

namespace {

#if defined(__x86_64__)

struct [[gnu::packed]] TablePointer {
    std::uint16_t limit;
    std::uint64_t base;
};

void run_cli(ProbeValues&) { asm volatile("cli"); }
void run_sti(ProbeValues&) { asm volatile("sti"); }
void run_hlt(ProbeValues&) { asm volatile("hlt"); }

void run_in(ProbeValues& values)
{
    std::uint8_t byte = 0;
    asm volatile("inb %w1, %b0" : "=a"(byte) : "Nd"(probe_port));
    values.word[0] = byte;
}

void run_out(ProbeValues&)
{
    asm volatile("outb %b0, %w1" : : "a"(std::uint8_t { 0 }), "Nd"(probe_port));
}

void run_rdmsr(ProbeValues& values)
{
    std::uint32_t low = 0, high = 0;
    asm volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(0x10u));  // IA32_TIME_STAMP_COUNTER
    values.word[0] = (std::uint64_t { high } << 32) | low;
}

void run_wrmsr(ProbeValues& values)
{
    // IA32_TSC_AUX holds (node << 12) | cpu on Linux; values.word[0] carries that value for
    // the CPU the child is pinned to (set by the runner), so the write would be a no-op.
    auto value = values.word[0];
    asm volatile("wrmsr"
                 :
                 : "c"(0xc0000103u), "a"(static_cast<std::uint32_t>(value)),
                 "d"(static_cast<std::uint32_t>(value >> 32)));
}

void run_mov_from_cr0(ProbeValues& values)
{
    std::uint64_t cr0 = 0;
    asm volatile("mov %%cr0, %0" : "=r"(cr0));
    values.word[0] = cr0;
}

void run_mov_to_cr0(ProbeValues&)
{
    // PE MP ET NE WP AM PG: what Linux runs with; never reached in ring 3.
    asm volatile("mov %0, %%cr0" : : "r"(std::uint64_t { 0x80050033 }));
}

void run_mov_from_cr3(ProbeValues& values)
{
    std::uint64_t cr3 = 0;
    asm volatile("mov %%cr3, %0" : "=r"(cr3));
    values.word[0] = cr3;
}

void run_mov_to_cr3(ProbeValues& values)
{
    asm volatile("mov %0, %%cr3" : : "r"(values.word[0]) : "memory");
}

void run_lgdt(ProbeValues&)
{
    TablePointer pointer {};
    asm volatile("lgdt %0" : : "m"(pointer));
}

void run_invlpg(ProbeValues&)
{
    static char page_byte;
    asm volatile("invlpg %0" : : "m"(page_byte) : "memory");
}

void run_wbinvd(ProbeValues&) { asm volatile("wbinvd" : : : "memory"); }

void run_sgdt(ProbeValues& values)
{
    TablePointer pointer {};
    asm volatile("sgdt %0" : "=m"(pointer));
    values.word[0] = pointer.base;
    values.word[1] = pointer.limit;
}

void run_sidt(ProbeValues& values)
{
    TablePointer pointer {};
    asm volatile("sidt %0" : "=m"(pointer));
    values.word[0] = pointer.base;
    values.word[1] = pointer.limit;
}

void run_sldt(ProbeValues& values)
{
    std::uint16_t selector = 0xffff;
    asm volatile("sldt %0" : "=m"(selector));
    values.word[0] = selector;
}

void run_smsw(ProbeValues& values)
{
    std::uint32_t machine_status = 0;
    asm volatile("smsw %k0" : "=r"(machine_status));
    values.word[0] = machine_status;
}

void run_str(ProbeValues& values)
{
    std::uint16_t selector = 0xffff;
    asm volatile("str %0" : "=m"(selector));
    values.word[0] = selector;
}

void run_rdtsc(ProbeValues& values)
{
    std::uint32_t low = 0, high = 0;
    asm volatile("rdtsc" : "=a"(low), "=d"(high));
    values.word[0] = (std::uint64_t { high } << 32) | low;
}

void run_rdpmc(ProbeValues& values)
{
    std::uint32_t low = 0, high = 0;
    asm volatile("rdpmc" : "=a"(low), "=d"(high) : "c"(0u));
    values.word[0] = (std::uint64_t { high } << 32) | low;
}

void run_cpuid(ProbeValues& values)
{
    CpuidRegisters leaf = cpuid(0);
    values.word[0] = leaf.ebx;
    values.word[1] = leaf.edx;  // leaf 0 spells the vendor EBX, EDX, ECX
    values.word[2] = leaf.ecx;
}

#define RINGSIDE_PROBE(fn) fn
#else
#define RINGSIDE_PROBE(fn) nullptr
#endif

using enum ProbeClass;
using enum ProbeSetup;

constexpr ProbeSpec spec_table[] = {
    { "cli", "cli", "mask maskable interrupts", IoPort, None, ValueKind::None, RINGSIDE_PROBE(run_cli) },
    { "sti", "sti", "unmask interrupts", IoPort, None, ValueKind::None, RINGSIDE_PROBE(run_sti) },
    { "hlt", "hlt", "stop the CPU until the next interrupt", Privileged, None, ValueKind::None, RINGSIDE_PROBE(run_hlt) },
    { "in", "inb $0x80, %al", "read I/O port 0x80", IoPort, None, ValueKind::Hex, RINGSIDE_PROBE(run_in) },
    { "out", "outb %al, $0x80", "write I/O port 0x80 (the POST-code port)", IoPort, None, ValueKind::None, RINGSIDE_PROBE(run_out) },
    { "in_ioperm", "inb $0x80, %al", "read port 0x80 after ioperm(0x80, 1, 1)", IoPort, IopermPort, ValueKind::Hex, RINGSIDE_PROBE(run_in) },
    { "out_ioperm", "outb %al, $0x80", "write port 0x80 after ioperm(0x80, 1, 1)", IoPort, IopermPort, ValueKind::None, RINGSIDE_PROBE(run_out) },
    { "rdmsr", "rdmsr", "read model-specific register 0x10 (the TSC)", Privileged, None, ValueKind::Hex, RINGSIDE_PROBE(run_rdmsr) },
    { "wrmsr", "wrmsr", "write MSR 0xc0000103 (TSC_AUX) with the value it holds", Privileged, None, ValueKind::None, RINGSIDE_PROBE(run_wrmsr) },
    { "mov_from_cr0", "mov %cr0, %rax", "read control register 0 (paging, protection)", Privileged, None, ValueKind::Hex, RINGSIDE_PROBE(run_mov_from_cr0) },
    { "mov_to_cr0", "mov %rax, %cr0", "write control register 0", Privileged, None, ValueKind::None, RINGSIDE_PROBE(run_mov_to_cr0) },
    { "mov_from_cr3", "mov %cr3, %rax", "read CR3, the page-table root", Privileged, None, ValueKind::Hex, RINGSIDE_PROBE(run_mov_from_cr3) },
    { "mov_to_cr3", "mov %rax, %cr3", "switch page tables (write CR3)", Privileged, None, ValueKind::None, RINGSIDE_PROBE(run_mov_to_cr3) },
    { "lgdt", "lgdt (mem)", "load the global descriptor table register", Privileged, None, ValueKind::None, RINGSIDE_PROBE(run_lgdt) },
    { "invlpg", "invlpg (mem)", "drop one page from the TLB", Privileged, None, ValueKind::None, RINGSIDE_PROBE(run_invlpg) },
    { "wbinvd", "wbinvd", "write back and invalidate all caches", Privileged, None, ValueKind::None, RINGSIDE_PROBE(run_wbinvd) },
    { "sgdt", "sgdt (mem)", "store the GDT register (a kernel address)", Configurable, None, ValueKind::Descriptor, RINGSIDE_PROBE(run_sgdt) },
    { "sidt", "sidt (mem)", "store the IDT register (a kernel address)", Configurable, None, ValueKind::Descriptor, RINGSIDE_PROBE(run_sidt) },
    { "sldt", "sldt (mem)", "store the LDT selector", Configurable, None, ValueKind::Selector, RINGSIDE_PROBE(run_sldt) },
    { "smsw", "smsw %eax", "store the machine status word (CR0's low bits)", Configurable, None, ValueKind::Hex, RINGSIDE_PROBE(run_smsw) },
    { "str", "str (mem)", "store the task register selector", Configurable, None, ValueKind::Selector, RINGSIDE_PROBE(run_str) },
    { "rdtsc", "rdtsc", "read the time-stamp counter", Configurable, None, ValueKind::Decimal, RINGSIDE_PROBE(run_rdtsc) },
    { "rdtsc_tsd", "rdtsc", "read the TSC after prctl(PR_SET_TSC, PR_TSC_SIGSEGV)", Configurable, TscFaulting, ValueKind::Decimal, RINGSIDE_PROBE(run_rdtsc) },
    { "rdpmc", "rdpmc", "read performance counter 0", Configurable, None, ValueKind::Decimal, RINGSIDE_PROBE(run_rdpmc) },
    { "cpuid", "cpuid", "ask the CPU for its vendor (leaf 0)", Configurable, None, ValueKind::Vendor, RINGSIDE_PROBE(run_cpuid) },
    { "cpuid_faulting", "cpuid", "cpuid after arch_prctl(ARCH_SET_CPUID, 0)", Configurable, CpuidFaulting, ValueKind::Vendor, RINGSIDE_PROBE(run_cpuid) },
};

#undef RINGSIDE_PROBE

}  // namespace

std::span<const ProbeSpec> probe_specs()
{
    return spec_table;
}

const ProbeSpec* find_probe(std::string_view name)
{
    for (const ProbeSpec& spec : spec_table)
        if (spec.name == name)
            return &spec;
    return nullptr;
}

const char* probe_class_name(ProbeClass probe_class)
{
    switch (probe_class) {
    case ProbeClass::Privileged: return "privileged";
    case ProbeClass::IoPort: return "io";
    case ProbeClass::Configurable: return "configurable";
    }
    return "unknown";
}

const char* probe_setup_text(ProbeSetup setup)
{
    switch (setup) {
    case ProbeSetup::None: return "";
    case ProbeSetup::IopermPort: return "ioperm(0x80, 1, 1)";
    case ProbeSetup::TscFaulting: return "prctl(PR_SET_TSC, PR_TSC_SIGSEGV)";
    case ProbeSetup::CpuidFaulting: return "arch_prctl(ARCH_SET_CPUID, 0)";
    }
    return "";
}

std::string format_probe_value(ValueKind kind, const ProbeValues& values)
{
    switch (kind) {
    case ValueKind::None: return {};
    case ValueKind::Hex: return fmt::format("{:#x}", values.word[0]);
    case ValueKind::Decimal: return fmt::format("{}", values.word[0]);
    case ValueKind::Descriptor: return fmt::format("base {:#x}, limit {:#x}", values.word[0], values.word[1]);
    case ValueKind::Selector: return fmt::format("selector {:#06x}", values.word[0]);
    case ValueKind::Vendor:
        return vendor_string(static_cast<std::uint32_t>(values.word[0]), static_cast<std::uint32_t>(values.word[1]),
            static_cast<std::uint32_t>(values.word[2]));
    }
    return {};
}

}  // namespace ringside::ring
