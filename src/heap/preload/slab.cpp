#include "slab.h"



namespace ringside::heap::rt {

uptr g_slab_base = 0;
std::atomic<u64> g_slab_count { 0 };
SlabInfo* g_slabs = nullptr;
u64 g_max_slabs = 0;

namespace {

// Slot sizes: 16-byte steps from 32 to 128, then four steps per power of two up to 64 KiB.
constexpr u32 min_slot_bytes = 32;
constexpr unsigned max_classes = 48;
u32 g_class_size[max_classes];
unsigned g_class_count = 0;
u8 g_class_of[max_slot_bytes / 16 + 1];  // (needed + 15) / 16 -> class

u8* g_meta_base = nullptr;  // per-slab metadata arrays at a fixed stride
u64 g_meta_stride = 0;
std::atomic<int> g_init_state { 0 };  // 0 none, 1 in progress, 2 ready, 3 failed

struct Central {
    SpinLock lock;
    uptr* stack = nullptr;  // free slots (user addresses)
    u64 count = 0;
    u64 capacity = 0;
    u64 slab = ~0ull;  // slab being carved
};
Central g_central[max_classes];
SpinLock g_new_slab_lock;

constexpr u32 cache_capacity = 256;
constexpr u32 cache_bytes = 64 * 1024;
// With many threads the caches shrink, so that all of them together hold at most about
// cache_bytes_shared per class (never less than 16 KiB each): 64 threads at 64 KiB over 20
// classes would otherwise keep 80 MiB of free slots.
constexpr u32 cache_bytes_shared = 256 * 1024;
constexpr u32 cache_bytes_min = 16 * 1024;
std::atomic<u32> g_cache_bytes { cache_bytes };

// Slots never handed out come to a thread in spans of its own (span_slots), carved from the
// class's slab a few at a time as its cache needs them. Carved in cache-sized runs instead,
// the larger classes interleaved two threads' slots one by one (a run was 1 slot of 8 KiB, 8
// of 1 KiB), so neighbours' metadata and slot edges shared lines across cores.
struct ClassCache {
    u32 count;
    u32 span_left;   // slots of this thread's span not yet in the cache
    uptr span_next;  // the first of them (user address)
    uptr slots[cache_capacity];
};

// Page-aligned, so that one thread's counters and stacks never share a page (and the cache's
// prefetches of it) with another's: see quarantine.cpp's Batch.
struct alignas(page_size) ThreadCache {
    std::atomic<long> owner;  // tid; -1 = abandoned (fork child), never adopted
    ThreadCache* next;
    HeapTotals totals;
    ThreadQuarantine quarantine;
    ClassCache classes[max_classes];
};

SpinLock g_caches_lock;
ThreadCache* g_caches = nullptr;
ThreadCache* g_adopt_cursor = nullptr;
ChunkPool<ThreadCache, 32> g_pool;
u32 g_cache_count = 0;

[[gnu::tls_model("initial-exec")]] thread_local ThreadCache* t_cache = nullptr;

// A class's cache holds at most g_cache_bytes of slots (up to 256 of the smallest, 2 of the
// largest).
// Cached slots are memory the program paid for and is not using, but a small cache sends its
// overflow to the class's central stack often, where another thread picks it up: over a run,
// the two threads' slots ended up interleaved line by line. On this project's VM that costs
// little in some periods and doubles the two-thread benchmark's time in others (12 interleaved
// runs in such a period, bench/RESULTS.md: 16 KiB caches 8 slow, up to 0.83 s, 32 KiB 4 at
// 0.56-0.59 s, 64 KiB none, 0.36-0.51 s), while two processes, or two threads that use
// disjoint size classes, never slow down. 64 KiB costs the benchmark about 0.35 MB more peak
// RSS than 16 KiB (plain: 3.0 MB in all).
u32 cache_limit(u32 slot_size)
{
    u32 by_bytes = g_cache_bytes.load(std::memory_order_relaxed) / slot_size;
    return by_bytes > cache_capacity ? cache_capacity : by_bytes < 2 ? 2 : by_bytes;
}

// cache_limit per class, recomputed when g_cache_bytes changes, so that the release of each
// slot leaving the quarantine needs no division.
std::atomic<u32> g_class_limit[max_classes];

void set_cache_bytes(u32 bytes)
{
    g_cache_bytes.store(bytes, std::memory_order_relaxed);
    for (unsigned k = 0; k < g_class_count; ++k)
        g_class_limit[k].store(cache_limit(g_class_size[k]), std::memory_order_relaxed);
}

u32 class_limit(unsigned k) { return g_class_limit[k].load(std::memory_order_relaxed); }

bool thread_alive(long tid)
{
    long r = raw_syscall6(SYS_tgkill, sys_getpid(), tid, 0, 0, 0, 0);
    return r != -3;  // ESRCH
}

// A thread that exited left its cache behind; a new thread takes it over, free slots included.
ThreadCache* adopt_or_create(long tid)
{
    LockGuard guard(g_caches_lock);
    // Look at a few candidates per new thread so thread creation stays O(1).
    for (int tries = 0; tries < 8 && g_caches; ++tries) {
        ThreadCache* c = g_adopt_cursor ? g_adopt_cursor : g_caches;
        g_adopt_cursor = c->next;
        long owner = c->owner.load(std::memory_order_relaxed);
        if (owner > 0 && owner != tid && !thread_alive(owner)) {
            c->owner.store(tid, std::memory_order_relaxed);
            return c;
        }
    }
    ThreadCache* c = g_pool.take();
    if (!c)
        return nullptr;
    c->owner.store(tid, std::memory_order_relaxed);
    c->next = g_caches;
    g_caches = c;
    u32 share = cache_bytes_shared / ++g_cache_count;
    set_cache_bytes(share > cache_bytes ? cache_bytes : share < cache_bytes_min ? cache_bytes_min : share);
    return c;
}

ThreadCache* thread_cache()
{
    if (ThreadCache* c = t_cache)
        return c;
    t_cache = adopt_or_create(sys_gettid());
    return t_cache;
}

// The metadata of a slot handed out by the caches (`user` known to be a slot's block).
SlotMeta* slot_meta(uptr user)
{
    u64 offset = user - g_slab_base;
    const SlabInfo& info = g_slabs[offset / slab_bytes];
    return &info.meta[((offset % slab_bytes - info.first) * info.reciprocal) >> 40];
}

// A slot holds the left redzone and the block rounded up to 16 bytes; the right redzone is
// the rounding slack and the next slot's first word (see slab.h).
unsigned class_for(u64 size)
{
    return g_class_of[(slab_left_redzone + round_up(size, 16)) / 16];
}

// Slots per slab: the last one is followed by at least a left redzone's worth of spare bytes,
// which serves as its right redzone's tail as a next slot's first word would.
u32 slots_per_slab(const SlabInfo& info)
{
    return static_cast<u32>((slab_bytes - info.first - slab_left_redzone) / info.slot_size);
}

// Cache colouring. Slabs are 1 MiB-aligned and a class's busy slots are the first ones carved,
// so without an offset the first lines of every class (and of every metadata array) would fall
// in the same few sets of the L2 (here 512 KiB, 8-way: its sets repeat every 64 KiB). On a
// one-thread loop over a thousand blocks of mixed sizes (cachegrind, that L2 as its last
// level) that was 7.7 M misses per million malloc/free pairs; coloured, 5.5 M (glibc: 0.3 M).
// Consecutive slabs start 37 lines apart, wrapping within 128 KiB; the gap before the first
// slot is never touched, so it costs address space, not memory.
constexpr u64 colour_step = 37 * 64;
constexpr u64 colour_span = 128 * 1024;
u32 slab_colour(u64 index) { return static_cast<u32>(index * colour_step % colour_span); }

// A new slab for class `k`; g_new_slab_lock held by no one else.
u64 new_slab(unsigned k)
{
    LockGuard guard(g_new_slab_lock);
    u64 index = g_slab_count.load(std::memory_order_relaxed);
    if (index >= g_max_slabs)
        return ~0ull;
    SlabInfo& info = g_slabs[index];
    info.meta = reinterpret_cast<SlotMeta*>(g_meta_base + index * g_meta_stride);
    info.slot_size = g_class_size[k];
    info.first = slab_colour(index);
    // Exact: the error term offset / 2^40 < 2^-20 stays below 1 / slot_size (slots <= 64 KiB).
    info.reciprocal = (1ull << 40) / info.slot_size + 1;
    __atomic_store_n(&info.carved, 0, __ATOMIC_RELEASE);
    g_slab_count.store(index + 1, std::memory_order_release);
    return index;
}

bool central_push_locked(Central& c, uptr user)
{
    if (c.count == c.capacity) {
        u64 capacity = c.capacity ? c.capacity * 2 : 1024;
        auto* stack = static_cast<uptr*>(map_pages(capacity * sizeof(uptr)));
        if (!stack)
            return false;
        for (u64 i = 0; i < c.count; ++i)
            stack[i] = c.stack[i];
        unmap_pages(c.stack, c.capacity * sizeof(uptr));
        c.stack = stack;
        c.capacity = capacity;
    }
    c.stack[c.count++] = user;
    return true;
}

// A span holds at least 16 KiB of slots and 64 slots' metadata (1 KiB), in fours, capped at
// 256 KiB of slots. Four slots' metadata fill a cache line, so with every span but a slab's
// last a multiple of four no two threads' slots share one; the rest keeps the threads apart
// at the scale the caches prefetch at: two threads writing alternate lines of a buffer ran
// 1.5x slower here than on separate halves, alternate kilobytes 1.15x, alternate pages 1x.
constexpr u64 span_min_bytes = 16 * 1024;
constexpr u64 span_max_bytes = 256 * 1024;
constexpr u32 span_min_slots = 64;
u32 span_slots(u32 slot_size)
{
    u64 n = (span_min_bytes + slot_size - 1) / slot_size;
    if (n < span_min_slots)
        n = span_min_slots;
    if (n * slot_size > span_max_bytes)
        n = span_max_bytes / slot_size;
    return static_cast<u32>((n + 3) & ~u64(3));
}

// A new span for `cache` from the class's slab (a new slab when it is used up); false when the
// region is full. Central lock held.
bool take_span_locked(unsigned k, Central& c, ClassCache& cache)
{
    if (c.slab == ~0ull || g_slabs[c.slab].carved == slots_per_slab(g_slabs[c.slab])) {
        c.slab = new_slab(k);
        if (c.slab == ~0ull)
            return false;
    }
    SlabInfo& info = g_slabs[c.slab];
    u32 first = info.carved;
    u32 n = slots_per_slab(info) - first;
    if (n > span_slots(info.slot_size))
        n = span_slots(info.slot_size);
    cache.span_next = g_slab_base + c.slab * slab_bytes + info.first + u64(first) * info.slot_size + slab_left_redzone;
    cache.span_left = n;
    __atomic_store_n(&info.carved, first + n, __ATOMIC_RELEASE);
    return true;
}

// Moves slots from the thread's span into its cache, pushed in reverse so that the cache
// hands them out in address order.
void take_from_span(ClassCache& cache, u32 slot_size, u32 want)
{
    u32 n = want - cache.count;
    if (n > cache.span_left)
        n = cache.span_left;
    for (u32 i = n; i-- > 0;)
        cache.slots[cache.count++] = cache.span_next + u64(i) * slot_size;
    cache.span_next += u64(n) * slot_size;
    cache.span_left -= n;
}

// Moves up to `want` free slots of class `k` into `cache`: recycled ones first (the central
// stack), then never used ones from the thread's span.
void refill(unsigned k, ClassCache& cache, u32 want)
{
    Central& c = g_central[k];
    u32 slot_size = g_class_size[k];
    // Read without the lock: only a hint, the worst case is one round trip through it.
    if (cache.span_left && __atomic_load_n(&c.count, __ATOMIC_RELAXED) == 0) {
        take_from_span(cache, slot_size, want);
        return;
    }
    LockGuard guard(c.lock);
    while (cache.count < want && c.count)
        cache.slots[cache.count++] = c.stack[--c.count];
    while (cache.count < want) {
        if (!cache.span_left && !take_span_locked(k, c, cache))
            return;
        take_from_span(cache, slot_size, want);
    }
}

void flush(unsigned k, ClassCache& cache, u32 keep)
{
    Central& c = g_central[k];
    LockGuard guard(c.lock);
    while (cache.count > keep) {
        if (!central_push_locked(c, cache.slots[cache.count - 1]))
            return;  // out of metadata memory: the slot stays cached
        --cache.count;
    }
}

void build_classes()
{
    unsigned n = 0;
    for (u32 s = min_slot_bytes; s <= 128; s += 16)
        g_class_size[n++] = s;
    for (u32 base = 128; base < max_slot_bytes; base *= 2)
        for (u32 step = 1; step <= 4; ++step)
            g_class_size[n++] = base + step * (base / 4);
    g_class_count = n;
    set_cache_bytes(g_cache_bytes.load(std::memory_order_relaxed));
    unsigned k = 0;
    for (u64 i = 0; i <= max_slot_bytes / 16; ++i) {
        while (g_class_size[k] < i * 16)
            ++k;
        g_class_of[i] = static_cast<u8>(k);
    }
}

}  // namespace

bool slabs_init()
{
    int expected = 0;
    if (!g_init_state.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) {
        while (g_init_state.load(std::memory_order_acquire) == 1)
            sys_sched_yield();
        return g_init_state.load(std::memory_order_acquire) == 2;
    }
    build_classes();
    // Reserved, not committed (MAP_NORESERVE, touched as used); smaller if the kernel says no.
    // Not a multiple of the L2's 64 KiB set span either: the arrays' busy starts are coloured
    // by the stride's remainder (see slab_colour).
    g_meta_stride = round_up((slab_bytes / min_slot_bytes) * sizeof(SlotMeta), page_size) + colour_step;
    for (u64 gib = 64; gib >= 1; gib /= 4) {
        u64 region = gib << 30;
        u64 slabs = region / slab_bytes;
        void* base = map_pages(region);
        if (!base)
            continue;
        void* meta = map_pages(slabs * g_meta_stride);
        void* table = map_pages(slabs * sizeof(SlabInfo));
        if (!meta || !table) {
            unmap_pages(base, region);
            unmap_pages(meta, slabs * g_meta_stride);
            unmap_pages(table, slabs * sizeof(SlabInfo));
            continue;
        }
        g_slab_base = reinterpret_cast<uptr>(base);
        g_meta_base = static_cast<u8*>(meta);
        g_slabs = static_cast<SlabInfo*>(table);
        g_max_slabs = slabs;
        g_init_state.store(2, std::memory_order_release);
        return true;
    }
    g_init_state.store(3, std::memory_order_release);
    return false;
}

bool slabs_ready() { return g_init_state.load(std::memory_order_acquire) == 2; }


uptr slab_obtain(u64 size, SlotMeta*& meta, u64& slot_size)
{
    ThreadCache* tc = thread_cache();
    if (!tc)
        return 0;
    unsigned k = class_for(size);
    ClassCache& cache = tc->classes[k];
    if (!cache.count) {
        refill(k, cache, class_limit(k) / 2);
        if (!cache.count)
            return 0;
    }
    uptr user = cache.slots[--cache.count];
    slot_size = g_class_size[k];
    meta = slot_meta(user);
    // The next block of this class is most likely the slot now on top: start loading its
    // metadata and first line, long out of cache (quarantined), so that allocation finds them.
    if (cache.count) {
        uptr next = cache.slots[cache.count - 1];
        __builtin_prefetch(slot_meta(next), 1);
        __builtin_prefetch(reinterpret_cast<const void*>(next - slab_left_redzone), 1);
    }
    ++tc->totals.allocs;
    tc->totals.bytes += size;
    return user;
}

namespace {

void release_one(ThreadCache* tc, uptr user)
{
    // `user` is a block this library handed out: its slab gives the class, no validation needed.
    u32 slot_size = g_slabs[(user - g_slab_base) / slab_bytes].slot_size;
    unsigned k = g_class_of[slot_size / 16];
    if (!tc) {
        Central& c = g_central[k];
        LockGuard guard(c.lock);
        central_push_locked(c, user);
        return;
    }
    ClassCache& cache = tc->classes[k];
    u32 limit = class_limit(k);
    if (cache.count >= limit)
        flush(k, cache, limit / 2);
    if (cache.count < cache_capacity)
        cache.slots[cache.count++] = user;
}

}  // namespace

void slab_release(uptr user) { release_one(thread_cache(), user); }

void slab_release_all(const uptr* users, u32 n)
{
    ThreadCache* tc = thread_cache();
    for (u32 i = 0; i < n; ++i)
        release_one(tc, users[i]);
}

void slab_count_free()
{
    if (ThreadCache* tc = t_cache)
        ++tc->totals.frees;
}

ThreadQuarantine& thread_quarantine()
{
    [[gnu::tls_model("initial-exec")]] static thread_local ThreadQuarantine without_cache {};
    ThreadCache* tc = thread_cache();
    return tc ? tc->quarantine : without_cache;
}

Chunk slot_chunk(const SlabView& v)
{
    Chunk c;
    c.user = slot_user(v);
    c.base = v.slot_start;
    c.size = v.meta->size;
    c.left = static_cast<u32>(slab_left_redzone);
    c.alloc_stack = v.meta->alloc_stack;
    c.free_stack = v.meta->free_stack;
    u8 state = v.meta->state.load(std::memory_order_acquire);
    c.state = state == SlotLive || state == SlotAllocating ? ChunkState::Live : ChunkState::Freed;
    c.kind = v.meta->kind;
    c.overflow_reported = v.meta->overflow_reported;
    return c;
}

void add_thread_totals(HeapTotals& out)
{
    LockGuard guard(g_caches_lock);
    for (ThreadCache* c = g_caches; c; c = c->next) {
        out.allocs += c->totals.allocs;
        out.frees += c->totals.frees;
        out.bytes += c->totals.bytes;
    }
}

// Lock order: central (refill takes the new-slab lock inside it), new-slab, caches.
void slabs_prepare_fork()
{
    for (unsigned k = 0; k < g_class_count; ++k)
        g_central[k].lock.lock();
    g_new_slab_lock.lock();
    g_caches_lock.lock();
}

void slabs_after_fork_parent()
{
    g_caches_lock.unlock();
    g_new_slab_lock.unlock();
    for (unsigned k = g_class_count; k-- > 0;)
        g_central[k].lock.unlock();
}

void slabs_after_fork_child()
{
    for (unsigned k = 0; k < g_class_count; ++k)
        g_central[k].lock.reset();
    g_new_slab_lock.reset();
    g_caches_lock.reset();
    // Other threads' caches may have been mid-update when fork() copied them: never reuse them.
    long self = sys_gettid();
    for (ThreadCache* c = g_caches; c; c = c->next)
        c->owner.store(c == t_cache ? self : -1, std::memory_order_relaxed);
}

}  // namespace ringside::heap::rt
