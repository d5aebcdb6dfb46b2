#include "quarantine.h"

#include "allocator.h"
#include "options.h"
#include "slab.h"

namespace ringside::heap::rt {

namespace {

// A batch fills a page of its own: each thread writes its batch's entries in order, and the
// cache prefetches ahead of such a stream within a page, so neighbouring 1 KiB batches of two
// threads could take lines from each other's core. Two threads writing alternate lines of one
// buffer ran 1.5x slower on this project's VM than on separate halves; alternate pages, 1x.
constexpr u32 batch_entries = (page_size - 32) / sizeof(uptr);
constexpr u64 batch_bytes = 64 * 1024;
constexpr u64 budget_floor = 128 * 1024;
constexpr long live_flush = 64 * 1024;

struct Home;

struct alignas(page_size) Batch {
    Batch* next;
    Home* owner;  // the thread (cache) whose frees these are; null: whoever evicts it
    u32 count;
    u64 bytes;
    uptr users[batch_entries];
};
static_assert(sizeof(Batch) == page_size);

// Evicted slots go back to the thread that freed them, not to the thread whose free pushed the
// quarantine past its bound: otherwise, with two threads each freeing what it allocated, 27 %
// of the slots a thread reused had last been written by the other one, on the other core
// (2.5 % with this, the rest through the central stacks). Other threads deposit a batch in
// its owner's box; the owner takes the batches out at its next publish. A box holds a few
// batches, so an owner that stopped freeing strands at most those (when the box is full, the
// evicting thread keeps the batch).
constexpr u32 box_slots = 4;
struct alignas(64) Home {
    std::atomic<Batch*> box[box_slots];
    Home* next;  // every home, for fork
};

SpinLock g_lock;
Batch* g_head = nullptr;  // oldest
Batch* g_tail = nullptr;
u64 g_bytes = 0;
Batch* g_spare = nullptr;  // recycled batch structures
ChunkPool<Batch, 64> g_fresh;  // never used ones
Home* g_homes = nullptr;
ChunkPool<Home, 64> g_home_pool;
std::atomic<long> g_live { 0 };

[[gnu::tls_model("initial-exec")]] thread_local long t_live_delta = 0;

Batch* new_batch_locked()
{
    Batch* b = g_spare;
    if (b)
        g_spare = b->next;
    else if (!(b = g_fresh.take()))
        return nullptr;
    b->next = nullptr;
    b->owner = nullptr;
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

Home* new_home_locked()
{
    Home* h = g_home_pool.take();
    if (!h)
        return nullptr;
    h->next = g_homes;
    g_homes = h;
    return h;
}

void recycle(Batch* done)
{
    LockGuard guard(g_lock);
    while (done) {
        Batch* next = done->next;
        done->next = g_spare;
        g_spare = done;
        done = next;
    }
}

// Hands the slots of `list` (linked by next) back to this thread's caches, then recycles the
// batch structures.
void release_batches(Batch* list)
{
    if (!list)
        return;
    for (Batch* b = list; b; b = b->next)
        slab_blocks_leave_quarantine(b->users, b->count);
    recycle(list);
}

// True when the batch went into its owner's box.
bool deliver(Batch* b)
{
    for (u32 i = 0; i < box_slots; ++i) {
        Batch* expected = nullptr;
        if (b->owner->box[i].compare_exchange_strong(expected, b, std::memory_order_release, std::memory_order_relaxed))
            return true;
    }
    return false;
}

// The batches other threads returned to `h`, linked by next.
Batch* collect_box(Home* h)
{
    Batch* list = nullptr;
    for (u32 i = 0; i < box_slots; ++i) {
        if (!h->box[i].load(std::memory_order_relaxed))
            continue;
        if (Batch* b = h->box[i].exchange(nullptr, std::memory_order_acquire)) {
            b->next = list;
            list = b;
        }
    }
    return list;
}

// Publishes `full`, takes the oldest batches past the budget out of the FIFO, and releases
// those of this thread (and what other threads returned to it) into its caches.
void publish(Batch* full, Home* home)
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
    Batch* mine = home ? collect_box(home) : nullptr;
    while (evicted) {
        Batch* b = evicted;
        evicted = b->next;
        if (b->owner && b->owner != home && deliver(b))
            continue;
        b->next = mine;
        mine = b;
    }
    release_batches(mine);
}

}  // namespace

void quarantine_push(uptr user, u64 size)
{
    ThreadQuarantine& tq = thread_quarantine();
    auto* b = static_cast<Batch*>(tq.filling);
    if (!b) {
        LockGuard guard(g_lock);
        b = new_batch_locked();
        if (!b) {
            // No metadata memory: skip the quarantine rather than fail the free.
            slab_block_leaves_quarantine(user);
            return;
        }
        if (!tq.home)
            tq.home = new_home_locked();
        b->owner = static_cast<Home*>(tq.home);
        tq.filling = b;
    }
    b->users[b->count++] = user;
    b->bytes += size;
    if (b->count == batch_entries || b->bytes >= batch_bytes) {
        tq.filling = nullptr;
        publish(b, static_cast<Home*>(tq.home));
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
// Only this thread lives on in the child: the batches of the others, queued or waiting in
// their boxes, are now anyone's, and the boxed ones go first.
void quarantine_after_fork_child()
{
    g_lock.reset();
    for (Batch* b = g_head; b; b = b->next)
        b->owner = nullptr;
    Home* mine = static_cast<Home*>(thread_quarantine().home);
    for (Home* h = g_homes; h; h = h->next) {
        if (h == mine)
            continue;
        for (u32 i = 0; i < box_slots; ++i) {
            Batch* b = h->box[i].exchange(nullptr, std::memory_order_relaxed);
            if (!b)
                continue;
            b->owner = nullptr;
            b->next = g_head;
            g_head = b;
            if (!g_tail)
                g_tail = b;
            g_bytes += b->bytes;
        }
    }
}

}  // namespace ringside::heap::rt
