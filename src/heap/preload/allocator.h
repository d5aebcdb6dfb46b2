// The checking allocator behind every interposed entry point: redzones around each block,
// a fill pattern for never-written bytes, a quarantine of poisoned freed blocks, and the checks
// a free can make (double, invalid, mismatched, corrupted redzone, written after free).
// Small blocks live in our own size-class slabs (slab.h); large and over-aligned blocks come
// from glibc's allocator (__libc_memalign/__libc_free), or from mappings of their own with a
// guard page after them (blocks of 32 MiB or more, sampled and --guard blocks), and are
// tracked in the chunk table. Our metadata never lives in the program's heap.
#pragma once

#include "chunk_table.h"

namespace ringside::heap::rt {

inline constexpr u8 uninit_byte = 0xbe;
inline constexpr u8 redzone_byte = 0xfa;
inline constexpr u8 freed_byte = 0xfd;
inline constexpr u64 redzone_size = 16;
// Filling huge blocks would commit memory the program may never touch (sort's buffers).
inline constexpr u64 max_fill = 64 * 1024;
// Freed blocks are poisoned (and verified when they leave the quarantine) this far: enough for
// the stale-pointer writes that happen in practice, cheap for big blocks.
inline constexpr u64 max_poison = 512;

// Where a guarded block's data pages end and its PROT_NONE page begins.
inline uptr guarded_data_end(const Chunk& c) { return c.base + round_up(c.left + c.size, page_size); }

bool runtime_ready();
void runtime_init();

// Re-entry: allocations made while our own code runs (dlsym's buffers) are tracked as Internal.
struct ReentryGuard {
    ReentryGuard();
    ~ReentryGuard();
    static bool active();
};

void* allocate(u64 size, u64 alignment, AllocKind kind, bool zero);
// `expected` is the family of the releasing call (free, delete, delete[]).
void deallocate(void* p, AllocKind expected, const char* how);
void* reallocate(void* p, u64 size, const char* how);
u64 usable_size(void* p);

// Copies the block whose user address is exactly `user` (live or freed).
bool lookup_block(uptr user, Chunk& out);
void mark_overflow_reported(uptr user);
// The block (live or freed) whose slot or [user - left, user + size + 16) range contains
// `address`. Reads without locks: for the fatal-signal path and reports, where an approximate
// answer beats a deadlock.
bool find_containing_unlocked(uptr address, Chunk& out);
// The block an access starting at `p` belongs to: p inside [user, user + size), or p == user.
bool block_for_access(uptr p, Chunk& out);
// block_for_access for an address known to be outside every slab slot: the chunk table only.
// (The slab side's fast answer, from the block's in-band header, is range_fast.h slab_answer.)
bool table_block_for_access(uptr p, Chunk& out);

// Called by the quarantine for each slab block it lets go: the slot goes back to a cache, still
// Freed and poisoned (the poison is verified when the slot is handed out again).
void slab_block_leaves_quarantine(uptr user);
void slab_blocks_leave_quarantine(const uptr* users, u32 n);

// At exit and on demand: every live block's redzones, every quarantined block's poison.
void check_all_blocks(bool in_signal);

// Prepares the child after fork and resets locks.
void allocator_prepare_fork();
void allocator_after_fork_parent();
void allocator_after_fork_child();

}  // namespace ringside::heap::rt
