// Stacks captured on every allocation and free, interned into 32-bit ids so a chunk stores
// two integers, not two traces (compiler-rt's StackDepot idea). Lock-free: lookups only read,
// inserts claim arena space with one atomic add and publish with a compare-and-swap.
#pragma once

#include "sys.h"

namespace ringside::heap::rt {

inline constexpr int max_stack_frames = 64;

struct StackTrace {
    uptr frames[max_stack_frames];
    u32 depth = 0;
};

bool stack_depot_init();
// 0 when the depot is full or not ready.
u32 stack_depot_put(const uptr* frames, u32 depth);
// Copies the frames of `id` into `out`; returns the depth (0 for an unknown id).
u32 stack_depot_get(u32 id, uptr* out, u32 capacity);

// Walks frame pointers from the caller up, skipping frames in the preload library itself.
u32 capture_stack(uptr* out, u32 capacity);
// The same, starting from a signal context's registers, with the stack bounds given.
u32 capture_stack_from(uptr pc, uptr fp, uptr low, uptr top, uptr* out, u32 capacity);
// The end of the mapping holding `sp` (0 when none).
uptr find_stack_top(uptr sp);
u32 capture_and_store();

// Per-thread: the top of this thread's stack mapping, found once from /proc/self/maps.
uptr current_stack_top();
void register_thread_stack();
// The registered stacks, for the leak scan: fills up to `capacity` stack tops.
u32 registered_stack_tops(uptr* out, u32 capacity);

void set_own_text_range(uptr lo, uptr hi);
extern uptr g_own_lo, g_own_hi;
inline bool own_text(uptr pc) { return pc >= g_own_lo && pc < g_own_hi; }

}  // namespace ringside::heap::rt
