#include "released_blocks.h"

namespace ringside::heap::rt {

namespace {

constexpr u32 records = 256;

// Written under a per-record sequence number (odd while being written), so a reader in a
// signal handler never takes a lock and never trusts a torn record.
struct Record {
    std::atomic<u64> seq;
    uptr user;
    u64 size;
    u32 alloc_stack;
    u32 free_stack;
    AllocKind kind;
};

Record g_records[records];
std::atomic<u64> g_next { 0 };

}  // namespace

void released_note(const Chunk& c)
{
    if (c.state != ChunkState::Freed || c.kind == AllocKind::Internal || !c.size)
        return;
    Record& r = g_records[g_next.fetch_add(1, std::memory_order_relaxed) % records];
    u64 seq = r.seq.load(std::memory_order_relaxed);
    if (seq & 1)
        return;  // another thread is writing this record (the ring wrapped): drop this one
    if (!r.seq.compare_exchange_strong(seq, seq + 1, std::memory_order_acquire))
        return;
    r.user = c.user;
    r.size = c.size;
    r.alloc_stack = c.alloc_stack;
    r.free_stack = c.free_stack;
    r.kind = c.kind;
    r.seq.store(seq + 2, std::memory_order_release);
}

bool released_find(uptr address, Chunk& out)
{
    u64 newest = g_next.load(std::memory_order_acquire);
    u64 count = newest < records ? newest : records;
    for (u64 i = 1; i <= count; ++i) {
        const Record& r = g_records[(newest - i) % records];
        u64 seq = r.seq.load(std::memory_order_acquire);
        if (seq & 1 || !seq)
            continue;
        Chunk c;
        c.user = r.user;
        c.size = r.size;
        c.alloc_stack = r.alloc_stack;
        c.free_stack = r.free_stack;
        c.kind = r.kind;
        std::atomic_thread_fence(std::memory_order_acquire);
        if (r.seq.load(std::memory_order_relaxed) != seq)
            continue;
        if (address >= c.user && address < c.user + c.size) {
            c.base = c.user;
            c.state = ChunkState::Freed;
            out = c;
            return true;
        }
    }
    return false;
}

}  // namespace ringside::heap::rt
