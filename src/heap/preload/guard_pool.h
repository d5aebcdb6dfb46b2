// Guard pages that scale: one reserved region of fixed-size slots, each a data page followed by
// an inaccessible guard page, in the spirit of GWP-ASan. A block placed in a slot ends at the
// guard page, so the first byte read or written past it faults; when the block is freed its page
// becomes inaccessible too, so a use after free faults at once. Electric Fence and DUMA give
// every block a mapping of its own and die at vm.max_map_count; here the pool's size bounds the
// mappings, and blocks beyond it fall back to redzones.
//
// By default one allocation in `guard_sample` (on average) goes to the pool, which catches
// reads past blocks and reads after free that redzones cannot see, at a cost of two system
// calls per sampled block; at most `guard_max_rate` samples per second per thread bound that
// cost in threads that allocate millions of blocks a second. --guard sends every block of a
// page or less to a much larger pool.
// Pool blocks are tracked in the chunk table like large blocks; this file only owns the slots.
#pragma once

#include "options.h"
#include "sys.h"

namespace ringside::heap::rt {

// Reserves the pool (sized by the options); false when sampling is off or the kernel refuses.
bool guard_pool_init();

// The largest block a pool slot holds.
inline constexpr u64 guard_slot_data = page_size;

// Set once by guard_pool_init; read inline on every allocation and table lookup.
extern std::atomic<bool> g_guard_ready;
extern std::atomic<uptr> g_guard_span;  // bytes of the pool region, 0 until it is ready
extern uptr g_guard_base;
[[gnu::tls_model("initial-exec")]] inline thread_local u32 t_guard_countdown = 0;

bool guard_wanted_slow(u64 size, u64 alignment);

// The rate cap (guard_max_rate as a gap in ns): whether a sample due at `now` may be taken, given
// the time of the thread's last one (0: none yet), which it then updates. A thread's first
// sample is never held back, so a short program still gets one within its first 2N allocations.
inline bool sample_gap_passed(u64 now, u64& last, u64 gap)
{
    if (last && now - last < gap)
        return false;
    last = now;
    return true;
}

// Whether this allocation should get a guard page: every block under --guard, otherwise a
// random one in `guard_sample`. Counts down a thread-local counter; no lock, no system call,
// and inline: it runs on every malloc.
[[gnu::always_inline]] inline bool guard_wanted(u64 size, u64 alignment)
{
    if (!g_guard_ready.load(std::memory_order_relaxed))
        return false;
    if (t_guard_countdown > 1 && size <= guard_slot_data && alignment <= guard_slot_data && !g_options.guard) {
        --t_guard_countdown;
        return false;
    }
    return guard_wanted_slow(size, alignment);
}

// A slot for `size` bytes aligned to `alignment`: `user` ends at the guard page (right-aligned,
// rounded down to the alignment), `base` is the slot's data page, now readable and writable and
// zero-filled. False when no slot is free and none can be reclaimed.
bool guard_pool_take(u64 size, u64 alignment, uptr& user, uptr& base);

inline bool guard_pool_owns(uptr address)
{
    u64 span = g_guard_span.load(std::memory_order_acquire);  // publishes g_guard_base
    return address - g_guard_base < span;
}

// The block's page becomes inaccessible and its memory is given back to the kernel; the slot
// waits, oldest first, to be reused (the longer it waits, the longer a use after free faults).
void guard_pool_retire(uptr base);
// Straight back to the free slots (a block our own code freed: nothing to catch).
void guard_pool_give_back(uptr base);

// The user address last placed in the slot holding `address`, for interceptors and reports.
bool guard_pool_user_at(uptr address, uptr& user);

void guard_pool_prepare_fork();
void guard_pool_after_fork_parent();
void guard_pool_after_fork_child();

}  // namespace ringside::heap::rt
