#include "ring/cpu.h"

#include <cstring>

namespace ringside::ring {

CpuidRegisters cpuid(std::uint32_t leaf, std::uint32_t subleaf)
{
    CpuidRegisters registers;
#if defined(__x86_64__)
    asm volatile("cpuid"
                 : "=a"(registers.eax), "=b"(registers.ebx), "=c"(registers.ecx), "=d"(registers.edx)
                 : "a"(leaf), "c"(subleaf));
#else
    (void)leaf;
    (void)subleaf;
#endif
    return registers;
}

std::string vendor_string(std::uint32_t first, std::uint32_t second, std::uint32_t third)
{
    char bytes[12];
    std::memcpy(bytes, &first, 4);
    std::memcpy(bytes + 4, &second, 4);
    std::memcpy(bytes + 8, &third, 4);
    std::string text;
    for (char byte : bytes)
        if (byte != '\0')
            text.push_back(byte);
    return text;
}

unsigned current_iopl()
{
#if defined(__x86_64__)
    std::uint64_t flags = 0;
    asm volatile("pushfq\n\tpopq %0" : "=r"(flags));
    return static_cast<unsigned>((flags >> 12) & 3u);
#else
    return 0;
#endif
}

HypervisorInfo detect_hypervisor()
{
    HypervisorInfo info;
#if defined(__x86_64__)
    constexpr std::uint32_t hypervisor_bit = 1u << 31;
    info.present = (cpuid(1).ecx & hypervisor_bit) != 0;
    if (info.present) {
        CpuidRegisters leaf = cpuid(0x40000000);
        // Leaf 0x40000000 orders the signature EBX, ECX, EDX (unlike leaf 0: EBX, EDX, ECX).
        info.signature = vendor_string(leaf.ebx, leaf.ecx, leaf.edx);
        info.name = hypervisor_name(info.signature);
    }
#endif
    return info;
}

}  // namespace ringside::ring
