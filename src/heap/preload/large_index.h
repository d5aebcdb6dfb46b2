// Which large block holds an address anywhere inside it. The chunk table is keyed by a block's
// start, so an interceptor handed `buf + offset` for a large block (read(fd, buf + used, n))
// could not find the block and let an overflow through. Large blocks (footprint above one
// 64 KiB granule: the table's blocks past the slabs' sizes, and --guard's own mappings) are
// registered here per granule. Because every registered footprint is longer than a granule,
// at most one registered block starts in a granule and at most one reaches into it from
// before, so two words per granule answer "which block" exactly, without a lock.
// Entries are hints: a reader confirms the block in the chunk table.
#pragma once

#include "sys.h"

namespace ringside::heap::rt {

inline constexpr u64 large_granule_shift = 16;

// Whether a footprint [lo, hi) is long enough to be registered.
inline bool large_index_wants(uptr lo, uptr hi) { return hi - lo > (u64(1) << large_granule_shift); }

// Registers the block `user` whose memory is [lo, hi); false when the index could not get
// memory (the block is then found from its start only, as before).
bool large_index_add(uptr lo, uptr hi, uptr user);
// Unregisters it, before its memory goes back.
void large_index_remove(uptr lo, uptr hi);
// Up to two candidate blocks whose registered memory may hold `address` (0 = none): the one
// starting in its granule and the one reaching into it from before.
void large_index_candidates(uptr address, uptr& starting, uptr& covering);

}  // namespace ringside::heap::rt
