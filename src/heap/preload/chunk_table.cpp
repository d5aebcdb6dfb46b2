#include "chunk_table.h"

#include "guard_pool.h"

namespace ringside::heap::rt {

Shard g_shards[shard_count];

namespace {

// Every address any table block ever covered lies in [g_lo, g_hi) (the range only grows): most
// lookups (stack buffers, slab blocks' neighbours) are answered without a lock.
std::atomic<uptr> g_lo { ~uptr(0) };
std::atomic<uptr> g_hi { 0 };

void widen_bounds(const Chunk& c)
{
    // The guard pool is one range of its own, checked separately: letting its blocks widen the
    // bounds would pull every library's globals and thread stack into the locked path.
    if (guard_pool_owns(c.base))
        return;
    uptr lo = c.base < c.user ? c.base : c.user;
    uptr hi = c.user + c.size + 2 * page_size;
    for (uptr cur = g_lo.load(std::memory_order_relaxed); lo < cur && !g_lo.compare_exchange_weak(cur, lo);) {
    }
    for (uptr cur = g_hi.load(std::memory_order_relaxed); hi > cur && !g_hi.compare_exchange_weak(cur, hi);) {
    }
}

bool outside_bounds(uptr address)
{
    if (address >= g_lo.load(std::memory_order_relaxed) && address < g_hi.load(std::memory_order_relaxed))
        return false;
    return !guard_pool_owns(address);
}

inline u64 hash_address(uptr user)
{
    u64 h = (user >> 4) * 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 31);
}

bool grow_locked(Shard& shard)
{
    u64 live = 0;
    for (u64 i = 0; i < shard.capacity; ++i)
        if (shard.slots[i].state == ChunkState::Live || shard.slots[i].state == ChunkState::Freed)
            ++live;
    // Small to start: a program whose blocks all live in slabs may put only a few sampled
    // guard-pool blocks here, and 64 shards of untouched capacity would still cost pages.
    u64 capacity = shard.capacity ? shard.capacity : 64;
    while (live * 2 >= capacity)
        capacity *= 2;
    auto* slots = static_cast<Chunk*>(map_pages(capacity * sizeof(Chunk)));
    if (!slots)
        return false;
    u64 mask = capacity - 1;
    for (u64 i = 0; i < shard.capacity; ++i) {
        const Chunk& c = shard.slots[i];
        if (c.state != ChunkState::Live && c.state != ChunkState::Freed)
            continue;
        u64 j = hash_address(c.user) & mask;
        while (slots[j].state != ChunkState::Empty)
            j = (j + 1) & mask;
        slots[j] = c;
    }
    unmap_pages(shard.slots, shard.capacity * sizeof(Chunk));
    shard.slots = slots;
    shard.capacity = capacity;
    shard.used = live;
    return true;
}

}  // namespace

Shard& shard_for(uptr user)
{
    return g_shards[hash_address(user) >> 58];
}

Chunk* find_locked(Shard& shard, uptr user)
{
    if (!shard.capacity)
        return nullptr;
    u64 mask = shard.capacity - 1;
    for (u64 j = hash_address(user) & mask;; j = (j + 1) & mask) {
        Chunk& c = shard.slots[j];
        if (c.state == ChunkState::Empty)
            return nullptr;
        if (c.user == user && c.state != ChunkState::Tombstone)
            return &c;
    }
}

Chunk* insert_locked(Shard& shard, const Chunk& chunk)
{
    if ((shard.used + 1) * 10 >= shard.capacity * 7 && !grow_locked(shard))
        return nullptr;
    u64 mask = shard.capacity - 1;
    u64 j = hash_address(chunk.user) & mask;
    while (shard.slots[j].state == ChunkState::Live || shard.slots[j].state == ChunkState::Freed)
        j = (j + 1) & mask;
    if (shard.slots[j].state == ChunkState::Empty)
        ++shard.used;
    widen_bounds(chunk);
    shard.slots[j] = chunk;
    return &shard.slots[j];
}

void erase_locked(Shard& shard, Chunk* chunk)
{
    u64 mask = shard.capacity - 1;
    u64 j = static_cast<u64>(chunk - shard.slots);
    // If the next slot is empty no probe sequence runs through this one: free it for good.
    if (shard.slots[(j + 1) & mask].state == ChunkState::Empty) {
        chunk->state = ChunkState::Empty;
        --shard.used;
    } else {
        chunk->state = ChunkState::Tombstone;
    }
    chunk->user = 0;
}

bool fifo_push_locked(Shard& shard, uptr user)
{
    if (shard.fifo_count == shard.fifo_capacity) {
        u64 capacity = shard.fifo_capacity ? shard.fifo_capacity * 2 : 512;
        auto* fifo = static_cast<uptr*>(map_pages(capacity * sizeof(uptr)));
        if (!fifo)
            return false;
        for (u64 i = 0; i < shard.fifo_count; ++i)
            fifo[i] = shard.fifo[(shard.fifo_head + i) % shard.fifo_capacity];
        unmap_pages(shard.fifo, shard.fifo_capacity * sizeof(uptr));
        shard.fifo = fifo;
        shard.fifo_capacity = capacity;
        shard.fifo_head = 0;
    }
    shard.fifo[(shard.fifo_head + shard.fifo_count) % shard.fifo_capacity] = user;
    ++shard.fifo_count;
    return true;
}

uptr fifo_pop_locked(Shard& shard)
{
    if (!shard.fifo_count)
        return 0;
    uptr user = shard.fifo[shard.fifo_head];
    shard.fifo_head = (shard.fifo_head + 1) % shard.fifo_capacity;
    --shard.fifo_count;
    return user;
}

bool table_lookup(uptr user, Chunk& out)
{
    if (outside_bounds(user))
        return false;
    Shard& shard = shard_for(user);
    LockGuard guard(shard.lock);
    Chunk* c = find_locked(shard, user);
    if (!c)
        return false;
    out = *c;
    return true;
}

void table_mark_overflow(uptr user)
{
    if (outside_bounds(user))
        return;
    Shard& shard = shard_for(user);
    LockGuard guard(shard.lock);
    if (Chunk* c = find_locked(shard, user))
        c->overflow_reported = 1;
}

bool table_find_containing(uptr address, Chunk& out)
{
    if (outside_bounds(address))
        return false;
    bool found = false;
    u64 best_distance = ~0ull;
    for (Shard& shard : g_shards) {
        for (u64 i = 0; i < shard.capacity; ++i) {
            const Chunk& c = shard.slots[i];
            if (c.state != ChunkState::Live && c.state != ChunkState::Freed)
                continue;
            uptr lo = c.user - c.left;
            // A guarded block owns its guard page: a fault anywhere in it is this block's overflow.
            uptr hi = c.guarded ? lo + round_up(c.left + c.size, page_size) + page_size : c.user + c.size + 16;
            if (address < lo || address >= hi)
                continue;
            // Prefer the block the address is inside over a neighbour whose redzone overlaps.
            u64 distance = address >= c.user && address < c.user + c.size ? 0 : 1;
            if (c.state == ChunkState::Live)
                distance = distance * 2;
            else
                distance = distance * 2 + 1;
            if (distance < best_distance) {
                best_distance = distance;
                out = c;
                found = true;
            }
        }
    }
    return found;
}

void table_forget_freed(uptr user, uptr base)
{
    Shard& shard = shard_for(user);
    LockGuard guard(shard.lock);
    Chunk* c = find_locked(shard, user);
    if (c && c->state == ChunkState::Freed && c->base == base)
        erase_locked(shard, c);
}

void lock_all_shards()
{
    for (Shard& shard : g_shards)
        shard.lock.lock();
}

void unlock_all_shards()
{
    for (Shard& shard : g_shards)
        shard.lock.unlock();
}

bool try_lock_all_shards()
{
    for (unsigned i = 0; i < shard_count; ++i) {
        if (!g_shards[i].lock.try_lock_for(200)) {
            while (i--)
                g_shards[i].lock.unlock();
            return false;
        }
    }
    return true;
}

void reset_all_shard_locks()
{
    for (Shard& shard : g_shards)
        shard.lock.reset();
}

}  // namespace ringside::heap::rt
