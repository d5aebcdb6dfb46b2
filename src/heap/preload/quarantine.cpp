#include "quarantine.h"

#include "allocator.h"
#include "options.h"
#include "slab.h"

namespace ringside::heap::rt {

namespace {

constexpr u32 batch_entries = 126;
constexpr u64 batch_bytes = 64 * 1024;
constexpr u64 budget_floor = 128 * 1024;
constexpr long live_flush = 64 * 1024;

struct Batch {
    Batch* next;
    u32 count;
    u64 bytes;
    uptr users[batch_entries];
};

SpinLock g_lock;
Batch* g_head = nullptr;  // oldest
Batch* g_tail = nullptr;
u64 g_bytes = 0;
Batch* g_spare = nullptr;  // recycled batch structures
std::atomic<long> g_live { 0 };

[[gnu::tls_model("initial-exec")]] thread_local long t_live_delta = 0;

Batch* new_batch_locked()
{
    if (!g_spare) {
        constexpr u64 per_chunk = 64;
        auto* chunk = static_cast<Batch*>(map_pages(per_chunk * sizeof(Batch)));
        if (!chunk)
            return nullptr;
        for (u64 i = 0; i < per_chunk; ++i) {
            chunk[i].next = g_spare;
            g_spare = &chunk[i];
        }
    }
    Batch* b = g_spare;
    g_spare = b->next;
    b->next = nullptr;
    b->count = 0;
    b->bytes = 0;
    return b;
}

u64 budget()
{
    u64 cap = g_options.quarantine_mb << 20;
    long live = g_live.load(std::memory_order_relaxed);
    u64 share = live > 0 ? static_cast<u64>(live) / 8 : 0;
    u64 b = share > budget_floor ? share : budget_floor;
    return b < cap ? b : cap;
}

// Publishes `full`, then verifies and releases the oldest batches past the budget.
void publish(Batch* full)
{
    Batch* evicted = nullptr;
    {
        LockGuard guard(g_lock);
        if (g_tail)
            g_tail->next = full;
        else
            g_head = full;
        g_tail = full;
        g_bytes += full->bytes;
        u64 limit = budget();
        for (int n = 0; n < 4 && g_bytes > limit && g_head; ++n) {
            Batch* b = g_head;
            g_head = b->next;
            if (!g_head)
                g_tail = nullptr;
            g_bytes -= b->bytes;
            b->next = evicted;
            evicted = b;
        }
    }
    Batch* done = evicted;
    for (Batch* b = evicted; b; b = b->next)
        for (u32 i = 0; i < b->count; ++i)
            slab_block_leaves_quarantine(b->users[i]);
    if (!done)
        return;
    LockGuard guard(g_lock);
    while (done) {
        Batch* next = done->next;
        done->next = g_spare;
        g_spare = done;
        done = next;
    }
}

}  // namespace

void quarantine_push(uptr user, u64 size)
{
    void*& slot = thread_quarantine_batch();
    auto* b = static_cast<Batch*>(slot);
    if (!b) {
        LockGuard guard(g_lock);
        b = new_batch_locked();
        if (!b) {
            // No metadata memory: skip the quarantine rather than fail the free.
            slab_block_leaves_quarantine(user);
            return;
        }
        slot = b;
    }
    b->users[b->count++] = user;
    b->bytes += size;
    if (b->count == batch_entries || b->bytes >= batch_bytes) {
        slot = nullptr;
        publish(b);
    }
}

void quarantine_note_live(long delta)
{
    t_live_delta += delta;
    if (t_live_delta >= live_flush || t_live_delta <= -live_flush) {
        g_live.fetch_add(t_live_delta, std::memory_order_relaxed);
        t_live_delta = 0;
    }
}

u64 quarantine_live_bytes()
{
    long live = g_live.load(std::memory_order_relaxed);
    return live > 0 ? static_cast<u64>(live) : 0;
}

void quarantine_prepare_fork() { g_lock.lock(); }
void quarantine_after_fork_parent() { g_lock.unlock(); }
void quarantine_after_fork_child() { g_lock.reset(); }

}  // namespace ringside::heap::rt
