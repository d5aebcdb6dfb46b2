// Which table block holds an address anywhere inside it. The chunk table is keyed by a block's
// start, so an interceptor handed `buf + offset` (read(fd, buf + used, n)) could not find the
// block and let an overflow through. Table blocks are registered here per granule, on one of
// two levels by their footprint: over 64 KiB (the blocks past the slabs' sizes, --guard's own
// mappings) in 64 KiB granules, over 256 bytes (over-aligned blocks, which never go to the
// slabs) in 256-byte granules. Because every footprint on a level is longer than its granule,
// at most one block of that level starts in a granule and at most one reaches into it from
// before, so two words per granule answer "which block" exactly, without a lock.
// Entries are hints: a reader confirms the block in the chunk table.
#pragma once

#include "sys.h"

namespace ringside::heap::rt {

inline constexpr u64 coarse_granule_shift = 16;
inline constexpr u64 fine_granule_shift = 8;

// Whether a footprint [lo, hi) is long enough to be registered.
inline bool block_index_wants(uptr lo, uptr hi) { return hi - lo > (u64(1) << fine_granule_shift); }

// Registers the block `user` whose memory is [lo, hi); false when the index could not get
// memory or the footprint is too short (the block is then found from its start only).
bool block_index_add(uptr lo, uptr hi, uptr user);
// Unregisters it, before its memory goes back.
void block_index_remove(uptr lo, uptr hi);

// The blocks whose registered memory may hold an address (0 = none): on each level, the one
// starting in its granule and the one reaching into it from before.
struct BlockCandidates {
    uptr coarse_starting = 0;
    uptr coarse_covering = 0;
    uptr fine_starting = 0;
    uptr fine_covering = 0;
};
BlockCandidates block_index_candidates(uptr address);

}  // namespace ringside::heap::rt
