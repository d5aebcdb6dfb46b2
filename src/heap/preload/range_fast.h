// The interceptors' common case, answered inline: a range inside one live slab block (strings,
// container nodes) is settled from the slab table and the block's in-band header word with a
// few loads and compares, and its bytes are scanned for the fill pattern a word at a time. A
// range that might be worth a report, or an address the slabs cannot settle (freed block,
// damaged header, a large block in the chunk table), goes to the out-of-line checks in
// range_check.cpp, which decide and word the report exactly as before; this file only ever
// answers "nothing to report".
#pragma once

#include "allocator.h"
#include "options.h"
#include "slab.h"

namespace ringside::heap::rt {

enum class SlabAnswer {
    Block,    // p is in the live program block [user, user + size)
    NoBlock,  // p is in a slab slot but in no block an access is checked against (redzone, internal)
    Ask,      // a slab address the header cannot settle (freed, damaged): the metadata decides
    NotSlab,  // outside every slab: a table block, the stack, globals
};

// slab_slot_of and read_slab_header (slab.h) in one inline step: the slab table entry, the slot
// by the reciprocal, then the header word at user - 8, which carries size, freed and family.
[[gnu::always_inline]] inline SlabAnswer slab_answer(uptr p, uptr& user, u64& size)
{
    // The acquire on the count publishes the base and the table (set before the first slab).
    u64 slabs = g_slab_count.load(std::memory_order_acquire);
    uptr offset = p - g_slab_base;
    if (offset >= slabs * slab_bytes)
        return SlabAnswer::NotSlab;
    const SlabInfo& info = g_slabs[offset / slab_bytes];
    u64 in_slab = offset % slab_bytes;
    u64 i;
    if (!info.slot_size || !slot_index(info, in_slab, i) || i >= __atomic_load_n(&info.carved, __ATOMIC_ACQUIRE))
        return SlabAnswer::NotSlab;
    user = p - in_slab + info.first + i * info.slot_size + slab_left_redzone;
    HeaderView h;
    if (!read_slab_header(user, h) || h.freed)
        return SlabAnswer::Ask;
    if (h.kind == AllocKind::Internal || !(p == user || (p > user && p < user + h.size)))
        return SlabAnswer::NoBlock;
    size = h.size;
    return SlabAnswer::Block;
}

// Whether [p, end) holds a fill byte (0xbe), in whole aligned words with the bytes outside the
// range masked off: a 10-30 byte string costs two to four loads. The loads may take in bytes
// just before p or after end; those stay inside the slot (header word, redzones), which is
// mapped. A fill byte only means "look closer": check_initialised applies the exact rule.
[[gnu::always_inline]] inline bool may_hold_fill(uptr p, uptr end)
{
    using AliasedWord [[gnu::may_alias]] = u64;
    constexpr u64 ones = 0x0101010101010101ull, low7 = 0x7f7f7f7f7f7f7f7full;
    uptr a = p & ~uptr(7);
    u64 keep = ~0ull << (8 * (p & 7));
    for (; a < end; a += 8, keep = ~0ull) {
        u64 x = *reinterpret_cast<const AliasedWord*>(a) ^ (ones * uninit_byte);
        // The high bit of each byte of x that is zero, exactly (no borrow from a lower byte).
        u64 zero = ~(((x & low7) + low7) | x | low7);
        if (end - a < 8)
            keep &= ~(~0ull << (8 * (end - a)));
        if (zero & keep)
            return true;
    }
    return false;
}

inline bool uninit_checks_on() { return g_options.check_uninit && g_options.fill_uninit; }

// Whether reading [p, p + range) and using [p, p + used) as data (used <= range) can produce no
// report from check_range and check_initialised, as far as the slabs can tell. false = ask them.
[[gnu::always_inline]] inline bool slab_read_is_clean(uptr p, u64 range, u64 used, SlabAnswer& answer)
{
    uptr user;
    u64 size;
    answer = slab_answer(p, user, size);
    if (answer == SlabAnswer::NoBlock)
        return true;
    if (answer != SlabAnswer::Block || p + range > user + size)
        return false;
    return !used || !uninit_checks_on() || !may_hold_fill(p, p + used);
}

}  // namespace ringside::heap::rt
