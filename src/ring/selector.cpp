#include "ring/selector.h"

namespace ringside::ring {

SegmentSelector decode_selector(std::uint16_t raw)
{
    SegmentSelector selector;
    selector.raw = raw;
    selector.privilege = raw & 0x3u;
    selector.local_table = (raw & 0x4u) != 0;
    selector.index = raw >> 3;
    return selector;
}

std::optional<std::uint16_t> read_code_segment()
{
#if defined(__x86_64__)
    std::uint16_t cs = 0;
    asm volatile("mov %%cs, %0" : "=r"(cs));
    return cs;
#else
    return std::nullopt;
#endif
}

}  // namespace ringside::ring
