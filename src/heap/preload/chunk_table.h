// Where every large, over-aligned or guarded block lives and what happened to it (small blocks
// live in slabs, slab.h): an open-addressing hash table keyed by the address handed to the program, split into shards with one spinlock each so threads that
// allocate at the same time rarely meet. Tables live in their own mmap'ed pages.
#pragma once

#include "sys.h"

namespace ringside::heap::rt {

// How a block was obtained, which decides the matching way to release it.
enum class AllocKind : u8 { Malloc, New, NewArray, Internal };

enum class ChunkState : u8 { Empty = 0, Live, Freed, Tombstone };

struct Chunk {
    uptr user = 0;   // the program's pointer
    uptr base = 0;   // what our backing allocator returned (or the guard mapping)
    u64 size = 0;    // bytes the program asked for
    u32 alloc_stack = 0;
    u32 free_stack = 0;
    u32 left = 0;    // user - base: the left redzone (>= alignment)
    u32 alloc_tid = 0;
    ChunkState state = ChunkState::Empty;
    AllocKind kind = AllocKind::Malloc;
    u8 guarded = 0;  // lives in its own mapping with a PROT_NONE page after it
    u8 mark = 0;     // leak scan scratch
    u8 overflow_reported = 0;  // an interceptor already named this block's overflow
    u8 parked = 0;   // freed, its whole inner pages PROT_NONE until it leaves the quarantine
};

struct alignas(64) Shard {
    SpinLock lock;
    Chunk* slots = nullptr;
    u64 capacity = 0;
    u64 used = 0;        // live + freed + tombstones
    u64 live_bytes = 0;
    u64 live_blocks = 0;
    u64 total_allocs = 0;
    u64 total_frees = 0;
    u64 total_bytes = 0;
    // Quarantine: FIFO of freed blocks' user addresses, bounded in bytes.
    uptr* fifo = nullptr;
    u64 fifo_capacity = 0;
    u64 fifo_head = 0;
    u64 fifo_count = 0;
    u64 fifo_bytes = 0;
};

inline constexpr unsigned shard_count = 64;
extern Shard g_shards[shard_count];

Shard& shard_for(uptr user);
Chunk* find_locked(Shard& shard, uptr user);
// Returns the stored copy, or nullptr when metadata memory ran out.
Chunk* insert_locked(Shard& shard, const Chunk& chunk);
void erase_locked(Shard& shard, Chunk* chunk);

// Quarantine FIFO operations.
bool fifo_push_locked(Shard& shard, uptr user);
uptr fifo_pop_locked(Shard& shard);

// Table-only lookups (large, aligned and guarded blocks); allocator.h has the versions that
// also look in the slabs.
bool table_lookup(uptr user, Chunk& out);
void table_mark_overflow(uptr user);
bool table_find_containing(uptr address, Chunk& out);
// Drops the freed block at `user` whose memory at `base` is being reused (guard_pool.h).
void table_forget_freed(uptr user, uptr base);

void lock_all_shards();
void unlock_all_shards();
bool try_lock_all_shards();
void reset_all_shard_locks();

}  // namespace ringside::heap::rt
