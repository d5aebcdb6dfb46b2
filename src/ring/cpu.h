// Unprivileged questions to the CPU itself: cpuid and the flags register.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "ring/settings.h"

namespace ringside::ring {

struct CpuidRegisters {
    std::uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0;
};

// Zeros where the build is not x86-64.
CpuidRegisters cpuid(std::uint32_t leaf, std::uint32_t subleaf = 0);

// The 12-byte vendor string of leaf 0 ("GenuineIntel", "AuthenticAMD") or of leaf
// 0x40000000 (the hypervisor's), from its three registers; NULs dropped.
std::string vendor_string(std::uint32_t first, std::uint32_t second, std::uint32_t third);

// IOPL field of EFLAGS (bits 12-13). Since Linux 5.5 iopl(3) is emulated with the I/O
// bitmap and leaves this field 0, so it is 3 only on older kernels after iopl(3).
unsigned current_iopl();

HypervisorInfo detect_hypervisor();

}  // namespace ringside::ring
