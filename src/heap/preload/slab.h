// Size-class slabs for small blocks, in one reserved region of our own (never glibc's heap):
// a block's metadata is found from its address by arithmetic (region offset -> slab -> slot),
// so the allocation and free paths need no table probe, and "which block contains X" (fault
// classification, interceptor ranges, reports) is O(1). Each slab holds slots of one size; a
// slot is [16-byte left redzone][the program's bytes][slack up to the slot's end].
// Free slots move between a per-thread cache and a per-class central stack in batches, so the
// fast path takes no shared lock. Metadata (one SlotMeta per slot) lives in separate pages.
// A slot's left redzone is [8 bytes 0xfa][header word]; its first word is also the right
// redzone's tail of the slot before it, so a slot needs only the left redzone and the block
// rounded up to 16 bytes (allocator.cpp, slab_redzone_end). Each slab keeps 16 spare bytes
// after its last slot to serve as that tail.
#pragma once

#include "chunk_table.h"

namespace ringside::heap::rt {

inline constexpr u64 slab_bytes = 1ull << 20;
inline constexpr u64 slab_left_redzone = 16;
// Blocks whose slot (size + both redzones) would exceed this go to the large path.
inline constexpr u64 max_slot_bytes = 64 * 1024;
inline constexpr u64 max_small_size = max_slot_bytes - 2 * slab_left_redzone;

// Slot states. A freed block stays Freed (poisoned) through the quarantine and while its slot
// waits in a free stack, until the slot is handed out again and its poison verified. Released =
// freed without poison (internal blocks, frees from our own code). Both are reported as freed
// (double free, use after free) until the slot is reused.
enum SlotState : u8 { SlotEmpty = 0, SlotLive, SlotFreeing, SlotFreed, SlotReleased, SlotAllocating };

struct SlotMeta {
    u32 size;
    u32 alloc_stack;
    u32 free_stack;
    std::atomic<u8> state;
    AllocKind kind;
    u8 overflow_reported;
    u8 spare;
};
static_assert(sizeof(SlotMeta) == 16);

struct SlabView {
    uptr slot_start;
    u64 slot_size;
    SlotMeta* meta;
};

// Reserves the region; false when the kernel refuses (then every block takes the large path).
bool slabs_init();
bool slabs_ready();

// The slot holding `address` (anywhere in the slot, redzones included), or false when
// `address` is outside the slab region or in a slot never handed out. Inline: every free and
// every checked range asks it.
inline bool slab_slot_of(uptr address, SlabView& out);
inline uptr slot_user(const SlabView& v) { return v.slot_start + slab_left_redzone; }

// A block for `size` bytes (<= max_small_size): the user address, with `meta` set to its
// metadata, state left as it was (the caller publishes Live). 0 when out of memory.
uptr slab_obtain(u64 size, SlotMeta*& meta, u64& slot_size);
// Gives a slot back to this thread's cache (from the quarantine, or an internal block);
// `user` must be a block slab_obtain handed out.
void slab_release(uptr user);
// slab_release for each of `n` blocks (a quarantine batch).
void slab_release_all(const uptr* users, u32 n);

// Visits every slot ever handed out: visit(user, slot_size, meta).
template <typename Visit>
void for_each_slot(Visit&& visit);

// This thread's quarantine state, kept with its cache so that a thread that exits hands it to
// the next thread that adopts the cache: its partly filled batch, and the box through which
// its freed slots come back to it (quarantine.cpp).
struct ThreadQuarantine {
    void* filling;
    void* home;
};
ThreadQuarantine& thread_quarantine();

// The word right before a slab block (the left redzone's second half): its size, whether it is
// freed and its family, with a 24-bit check of those and the address. Range checks read it
// instead of the out-of-band metadata, which would cost a cache miss per check; a word that
// does not check out (an underflow wrote over it) sends them to the metadata, and frees and the
// exit check compare it with what the metadata says it must be (an underflow is then reported).
inline u64 slab_header(uptr user, u64 size, bool freed, AllocKind kind)
{
    u64 flags = u64(freed) | (u64(kind) << 1);
    u64 check = ((user ^ (size << 8) ^ flags) * 0x9E3779B97F4A7C15ull) >> 40;
    return (size & 0xffffffffull) | (flags << 32) | (check << 40);
}
struct HeaderView {
    u64 size;
    bool freed;
    AllocKind kind;
};
inline bool read_slab_header(uptr user, HeaderView& out)
{
    using AliasedWord [[gnu::may_alias]] = u64;
    u64 h = *reinterpret_cast<const AliasedWord*>(user - 8);
    out.size = h & 0xffffffffull;
    out.freed = (h >> 32) & 1;
    out.kind = static_cast<AllocKind>((h >> 33) & 3);
    return h == slab_header(user, out.size, out.freed, out.kind);
}

// Chunk view of a slot, for reports.
Chunk slot_chunk(const SlabView& v);

// Per-thread statistics, summed across threads for the summary line.
struct HeapTotals {
    u64 allocs = 0;
    u64 frees = 0;
    u64 bytes = 0;
};
void add_thread_totals(HeapTotals& out);
void slab_count_free();

// Fork: central locks held across fork(), reset in the child.
void slabs_prepare_fork();
void slabs_after_fork_parent();
void slabs_after_fork_child();

// --- internals shared with for_each_slot ---
struct SlabInfo {
    u32 slot_size;
    u32 carved;  // slots handed out at least once (prefix of the slab)
    SlotMeta* meta;
    u64 reciprocal;  // offset / slot_size == (offset * reciprocal) >> 40 for offsets < 1 MiB
    // Where the first slot starts in the slab (its colour, slab.cpp): slabs are 1 MiB-aligned,
    // and without it every class's busy first slots would share the same cache sets.
    u32 first;
    u32 unused;
};

// The slot index of offset `in_slab` of a slab, or false for the colour gap before slot 0.
inline bool slot_index(const SlabInfo& info, u64 in_slab, u64& index)
{
    if (in_slab < info.first)
        return false;
    index = ((in_slab - info.first) * info.reciprocal) >> 40;
    return true;
}
extern uptr g_slab_base;
extern std::atomic<u64> g_slab_count;
extern SlabInfo* g_slabs;
extern u64 g_max_slabs;

inline bool slab_slot_of(uptr address, SlabView& out)
{
    uptr offset = address - g_slab_base;
    if (!g_slabs || address < g_slab_base || offset >= g_max_slabs * slab_bytes)
        return false;
    u64 s = offset / slab_bytes;
    if (s >= g_slab_count.load(std::memory_order_acquire))
        return false;
    const SlabInfo& info = g_slabs[s];
    if (!info.slot_size)
        return false;
    u64 i;
    if (!slot_index(info, offset % slab_bytes, i) || i >= __atomic_load_n(&info.carved, __ATOMIC_ACQUIRE))
        return false;
    out.slot_start = g_slab_base + s * slab_bytes + info.first + i * info.slot_size;
    out.slot_size = info.slot_size;
    out.meta = &info.meta[i];
    return true;
}

template <typename Visit>
void for_each_slot(Visit&& visit)
{
    u64 n = g_slab_count.load(std::memory_order_acquire);
    for (u64 s = 0; s < n; ++s) {
        const SlabInfo& info = g_slabs[s];
        u32 carved = __atomic_load_n(&info.carved, __ATOMIC_ACQUIRE);
        if (!info.slot_size || !info.meta)
            continue;
        uptr start = g_slab_base + s * slab_bytes + info.first;
        for (u32 i = 0; i < carved; ++i)
            visit(start + u64(i) * info.slot_size + slab_left_redzone, u64(info.slot_size), info.meta[i]);
    }
}

}  // namespace ringside::heap::rt
