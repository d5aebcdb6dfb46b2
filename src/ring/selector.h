// The code-segment selector and what it says about the privilege level. The low two bits of
// CS are the current privilege level (CPL): the CPU keeps them equal to the ring the code
// runs in, so reading CS is the one direct way for a program to see its ring.
#pragma once

#include <cstdint>
#include <optional>

namespace ringside::ring {

struct SegmentSelector {
    std::uint16_t raw = 0;
    unsigned index = 0;          // entry in the descriptor table
    bool local_table = false;    // TI bit: LDT when set, GDT otherwise
    unsigned privilege = 0;      // RPL; for CS this is the CPL
};

SegmentSelector decode_selector(std::uint16_t raw);

// CS of the running thread; nullopt where the build is not x86-64.
std::optional<std::uint16_t> read_code_segment();

}  // namespace ringside::ring
