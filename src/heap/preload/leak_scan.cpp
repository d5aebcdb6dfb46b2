#include "leak_scan.h"

#include <fcntl.h>

#include "allocator.h"
#include "guard_pool.h"
#include "maps_reader.h"
#include "options.h"
#include "report.h"
#include "runtime_init.h"
#include "slab.h"
#include "stack_depot.h"

namespace ringside::heap::rt {

namespace {

enum : u8 { Unvisited = 0, Reachable = 1, Definite = 2, Indirect = 3 };

struct Block {
    uptr lo;
    uptr hi;
    u32 stack;
    u8 mark;
};

struct Scan {
    Block* blocks = nullptr;
    u64 count = 0;
    Block** stack = nullptr;
    u64 depth = 0;
    MetadataRegion regions[1024];
    unsigned region_count = 0;
};

uptr g_interrupted_sp = 0;

// Large scratch kept out of the (alternate, small) signal stack; guarded by the shard locks.
Scan g_scan;
uptr g_thread_tops[16384];

template <typename T, typename Less>
void heap_sort(T* a, u64 n, Less less)
{
    auto sift = [&](u64 root, u64 end) {
        while (2 * root + 1 < end) {
            u64 child = 2 * root + 1;
            if (child + 1 < end && less(a[child], a[child + 1]))
                ++child;
            if (!less(a[root], a[child]))
                return;
            T t = a[root];
            a[root] = a[child];
            a[child] = t;
            root = child;
        }
    };
    for (u64 i = n / 2; i-- > 0;)
        sift(i, n);
    for (u64 end = n; end-- > 1;) {
        T t = a[0];
        a[0] = a[end];
        a[end] = t;
        sift(0, end);
    }
}

Block* block_containing(Scan& scan, uptr w)
{
    u64 lo = 0, hi = scan.count;
    while (lo < hi) {
        u64 mid = (lo + hi) / 2;
        if (scan.blocks[mid].hi <= w)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < scan.count && scan.blocks[lo].lo <= w && w < scan.blocks[lo].hi)
        return &scan.blocks[lo];
    // A pointer one past the end still refers to the block (end iterators, zero-size blocks).
    if (lo > 0 && scan.blocks[lo - 1].hi == w)
        return &scan.blocks[lo - 1];
    return nullptr;
}

void scan_words(Scan& scan, uptr lo, uptr hi, u8 from, u8 to)
{
    lo = round_up(lo, sizeof(uptr));
    if (!scan.count || hi < lo + sizeof(uptr))
        return;
    uptr min = scan.blocks[0].lo;
    uptr max = scan.blocks[scan.count - 1].hi;
    for (uptr a = lo; a + sizeof(uptr) <= hi; a += sizeof(uptr)) {
        uptr w = *reinterpret_cast<const uptr*>(a);
        if (w < min || w > max)
            continue;
        Block* b = block_containing(scan, w);
        if (!b || b->mark != from)
            continue;
        b->mark = to;
        scan.stack[scan.depth++] = b;
    }
}

void flood(Scan& scan, u8 from, u8 to)
{
    while (scan.depth) {
        Block* b = scan.stack[--scan.depth];
        scan_words(scan, b->lo, b->hi, from, to);
    }
}

// Scans [lo, hi) as a root except the parts that are live blocks themselves (those are
// reached, or not, through pointers to them).
void scan_outside_blocks(Scan& scan, uptr lo, uptr hi)
{
    u64 first = 0, last = scan.count;
    while (first < last) {
        u64 mid = (first + last) / 2;
        if (scan.blocks[mid].hi <= lo)
            first = mid + 1;
        else
            last = mid;
    }
    uptr at = lo;
    for (u64 i = first; i < scan.count && scan.blocks[i].lo < hi && at < hi; ++i) {
        if (scan.blocks[i].lo > at)
            scan_words(scan, at, scan.blocks[i].lo, Unvisited, Reachable);
        if (scan.blocks[i].hi > at)
            at = scan.blocks[i].hi;
    }
    if (at < hi)
        scan_words(scan, at, hi, Unvisited, Reachable);
    flood(scan, Unvisited, Reachable);
}

// Pages of private anonymous memory that were never touched read as zeros and hold no
// pointers. The kernel's page map says which pages were ever touched (present, or swapped
// out), so a dead thread's cached 8 MiB stack costs a few reads instead of 2,048 page faults
// on the zero page. `pagemap` < 0: scan everything (file-backed memory, or no page map).
void scan_touched(Scan& scan, uptr lo, uptr hi, int pagemap)
{
    if (pagemap < 0) {
        scan_outside_blocks(scan, lo, hi);
        return;
    }
    constexpr u64 batch = 256;
    u64 entries[batch];
    uptr run = 0;  // start of the current run of touched pages, 0 = none
    uptr end = round_up(hi, page_size);
    for (uptr page = lo & ~(page_size - 1); page < end; page += batch * page_size) {
        u64 n = (end - page) / page_size < batch ? (end - page) / page_size : batch;
        if (sys_pread(pagemap, entries, n * sizeof(u64), (page / page_size) * sizeof(u64)) != long(n * sizeof(u64))) {
            scan_outside_blocks(scan, run ? (run > lo ? run : lo) : (page > lo ? page : lo), hi);
            return;
        }
        for (u64 i = 0; i < n; ++i) {
            bool touched = (entries[i] >> 62) != 0;  // bit 63 present, bit 62 swapped
            uptr at = page + i * page_size;
            if (touched && !run) {
                run = at;
            } else if (!touched && run) {
                scan_outside_blocks(scan, run > lo ? run : lo, at < hi ? at : hi);
                run = 0;
            }
        }
    }
    if (run)
        scan_outside_blocks(scan, run > lo ? run : lo, hi);
}

// A root range minus our own metadata mappings (the slab region alone reserves 64 GiB).
void scan_root(Scan& scan, uptr lo, uptr hi, int pagemap = -1)
{
    for (unsigned i = 0; i < scan.region_count; ++i) {
        const MetadataRegion& r = scan.regions[i];
        if (r.end <= lo || r.start >= hi)
            continue;
        if (r.start > lo)
            scan_root(scan, lo, r.start, pagemap);
        if (r.end < hi)
            scan_root(scan, r.end, hi, pagemap);
        return;
    }
    scan_touched(scan, lo, hi, pagemap);
}

[[gnu::noinline]] void scan_roots(Scan& scan)
{
    // Spill callee-saved registers onto this frame so the stack scan sees them.
    __builtin_unwind_init();
    uptr sp = reinterpret_cast<uptr>(__builtin_frame_address(0));
    // In a signal handler on the alternate stack, the interrupted stack matters, from its sp.
    if (g_interrupted_sp)
        sp = g_interrupted_sp;
    uptr* tops = g_thread_tops;
    u32 threads = registered_stack_tops(tops, 16384);
    uptr own_lo = 0;
    char own_path[512] = {};
    uptr self = reinterpret_cast<uptr>(&scan_roots);
    for_each_mapping([&](const MapLine& m) {
        if (self >= m.start && self < m.end) {
            size_t n = string_length(m.path);
            if (n >= sizeof own_path)
                n = sizeof own_path - 1;
            copy_bytes(own_path, m.path, n);
            own_lo = m.start;
            return false;
        }
        return true;
    });
    (void)own_lo;
    bool previous_is_own = false;
    uptr previous_end = 0;
    int pagemap = static_cast<int>(sys_open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC, 0));
    for_each_mapping([&](const MapLine& m) {
        bool file = m.path[0] == '/';
        bool own = file && strings_equal(m.path, own_path);
        bool is_stack = sp >= m.start && sp < m.end;
        bool thread_stack = false;
        for (u32 i = 0; i < threads && !thread_stack; ++i)
            thread_stack = tops[i] >= m.start && tops[i] < m.end;
        // Untouched pages are zeros only where no file stands behind them.
        int zeros_known = file ? -1 : pagemap;
        if (m.readable && m.writable) {
            if (is_stack)
                scan_root(scan, sp, m.end, zeros_known);
            else if (thread_stack || strings_equal(m.path, "[stack]"))
                scan_root(scan, m.start, m.end, zeros_known);
            else if (file && !own)
                scan_root(scan, m.start, m.end);
            else if (!file && !(previous_is_own && m.start == previous_end))
                // Anonymous memory: .bss, mmap'ed arenas of the program's own allocators (GCC's
                // garbage-collected heap), glibc's arenas around our blocks, the cached stacks
                // of exited threads. Like memcheck, all of it is a root, minus the blocks
                // themselves and our own metadata.
                scan_root(scan, m.start, m.end, zeros_known);
        }
        previous_is_own = file ? own : (previous_is_own && m.start == previous_end);
        previous_end = m.end;
        return true;
    });
    if (pagemap >= 0)
        sys_close(pagemap);
    // The calling thread's static TLS sits just below its thread pointer.
    uptr tp;
    asm volatile("mov %%fs:0, %0" : "=r"(tp));
    for_each_mapping([&](const MapLine& m) {
        if (tp >= m.start && tp < m.end && m.readable) {
            uptr lo = tp > m.start + 16384 ? tp - 16384 : m.start;
            uptr hi = tp + 2048 < m.end ? tp + 2048 : m.end;
            scan_root(scan, lo, hi);
            return false;
        }
        return true;
    });
}

void report_lost(Scan& scan, ReportBatch& batch)
{
    // Group lost blocks by (kind, allocation stack): sort, then one record per run.
    u64 n = 0;
    for (u64 i = 0; i < scan.count; ++i)
        if (scan.blocks[i].mark == Definite || scan.blocks[i].mark == Indirect
            || (g_options.show_reachable && scan.blocks[i].mark == Reachable))
            scan.stack[n++] = &scan.blocks[i];
    heap_sort(scan.stack, n, [](const Block* a, const Block* b) {
        if (a->mark != b->mark)
            return a->mark < b->mark;
        return a->stack < b->stack;
    });
    for (u64 i = 0; i < n;) {
        u64 j = i;
        u64 bytes = 0;
        const Block* first = scan.stack[i];
        while (j < n && scan.stack[j]->mark == first->mark && scan.stack[j]->stack == first->stack) {
            bytes += scan.stack[j]->hi - scan.stack[j]->lo;
            ++j;
        }
        const char* kind = first->mark == Definite ? "definite" : first->mark == Indirect ? "indirect" : "reachable";
        batch.leak(kind, first->stack, j - i, bytes);
        i = j;
    }
}

}  // namespace

void set_interrupted_stack(unsigned long sp) { g_interrupted_sp = sp; }

bool leak_check(ScanContext context, const char* reason)
{
    ReentryGuard reentry;
    if (context == ScanContext::Signal) {
        if (!try_lock_all_shards())
            return false;
    } else {
        lock_all_shards();
    }
    Scan& scan = g_scan;
    scan = {};
    u64 allocs = 0, frees = 0, allocated = 0;
    for (Shard& shard : g_shards) {
        allocs += shard.total_allocs;
        frees += shard.total_frees;
        allocated += shard.total_bytes;
        for (u64 i = 0; i < shard.capacity; ++i)
            if (shard.slots[i].state == ChunkState::Live && shard.slots[i].kind != AllocKind::Internal)
                ++scan.count;
    }
    HeapTotals totals;
    add_thread_totals(totals);
    allocs += totals.allocs;
    frees += totals.frees;
    allocated += totals.bytes;
    // Slab blocks are counted and copied without a lock (other threads keep allocating): the
    // copy is bounded by the count taken first.
    for_each_slot([&](uptr, u64, const SlotMeta& m) {
        if (m.state.load(std::memory_order_relaxed) == SlotLive && m.kind != AllocKind::Internal)
            ++scan.count;
    });
    u64 capacity = scan.count ? scan.count : 1;
    scan.blocks = static_cast<Block*>(map_pages(capacity * sizeof(Block)));
    scan.stack = static_cast<Block**>(map_pages(capacity * sizeof(Block*)));
    if (!scan.blocks || !scan.stack) {
        unmap_pages(scan.blocks, capacity * sizeof(Block));
        unmap_pages(scan.stack, capacity * sizeof(Block*));
        unlock_all_shards();
        return false;
    }
    u64 k = 0;
    for (Shard& shard : g_shards) {
        for (u64 i = 0; i < shard.capacity && k < capacity; ++i) {
            Chunk& c = shard.slots[i];
            if (c.state != ChunkState::Live || c.kind == AllocKind::Internal)
                continue;
            scan.blocks[k++] = { c.user, c.user + c.size, c.alloc_stack, Unvisited };
        }
    }
    for_each_slot([&](uptr user, u64, const SlotMeta& m) {
        if (k < capacity && m.state.load(std::memory_order_acquire) == SlotLive && m.kind != AllocKind::Internal)
            scan.blocks[k++] = { user, user + m.size, m.alloc_stack, Unvisited };
    });
    scan.count = k;
    u64 live = k, live_bytes = 0;
    for (u64 i = 0; i < k; ++i)
        live_bytes += scan.blocks[i].hi - scan.blocks[i].lo;
    heap_sort(scan.blocks, scan.count, [](const Block& a, const Block& b) { return a.lo < b.lo; });
    scan.region_count = metadata_regions(scan.regions, 1023);
    // The guard pool holds only blocks (scanned as blocks when reached), never roots; and a
    // slot freed just before the scan took the locks may lose its page under the scan.
    if (uptr span = g_guard_span.load(std::memory_order_acquire))
        scan.regions[scan.region_count++] = { g_guard_base, g_guard_base + span };
    scan_roots(scan);

    u64 reachable = 0, reachable_bytes = 0;
    for (u64 i = 0; i < scan.count; ++i) {
        if (scan.blocks[i].mark == Reachable) {
            ++reachable;
            reachable_bytes += scan.blocks[i].hi - scan.blocks[i].lo;
        }
    }
    // Each lost block not yet reached from another lost one is a definite leak; what it
    // reaches is indirect. A cycle of lost blocks keeps the first one met as definite.
    for (u64 i = 0; i < scan.count; ++i) {
        Block* b = &scan.blocks[i];
        if (b->mark != Unvisited)
            continue;
        b->mark = Definite;
        scan_words(scan, b->lo, b->hi, Unvisited, Indirect);
        flood(scan, Unvisited, Indirect);
        scan_words(scan, b->lo, b->hi, Definite, Indirect);
        if (b->mark == Indirect)
            b->mark = Definite;
        flood(scan, Unvisited, Indirect);
    }
    {
        ReportBatch batch(context == ScanContext::Signal);
        if (g_options.leak_check)
            report_lost(scan, batch);
        batch.summary(live, live_bytes, reachable, reachable_bytes, allocs, frees, allocated);
        batch.marker(reason, 0);
    }
    unmap_pages(scan.blocks, capacity * sizeof(Block));
    unmap_pages(scan.stack, capacity * sizeof(Block*));
    unlock_all_shards();
    return true;
}

void growth_snapshot(unsigned long long time_ms)
{
    ReentryGuard reentry;
    lock_all_shards();
    u64 n = 0;
    for (Shard& shard : g_shards)
        n += shard.live_blocks;
    for_each_slot([&](uptr, u64, const SlotMeta& m) {
        if (m.state.load(std::memory_order_relaxed) == SlotLive && m.kind != AllocKind::Internal)
            ++n;
    });
    u64 capacity = n ? n : 1;
    struct Site {
        u32 stack;
        u64 bytes;
    };
    auto* sites = static_cast<Site*>(map_pages(capacity * sizeof(Site)));
    u64 k = 0;
    if (sites) {
        for (Shard& shard : g_shards)
            for (u64 i = 0; i < shard.capacity && k < capacity; ++i)
                if (shard.slots[i].state == ChunkState::Live && shard.slots[i].kind != AllocKind::Internal)
                    sites[k++] = { shard.slots[i].alloc_stack, shard.slots[i].size };
        for_each_slot([&](uptr, u64, const SlotMeta& m) {
            if (k < capacity && m.state.load(std::memory_order_acquire) == SlotLive && m.kind != AllocKind::Internal)
                sites[k++] = { m.alloc_stack, m.size };
        });
    }
    unlock_all_shards();
    if (!sites)
        return;
    heap_sort(sites, k, [](const Site& a, const Site& b) { return a.stack < b.stack; });
    // Collapse to one entry per site, then keep the 40 largest.
    u64 m = 0;
    u64 counts_storage = 0;
    (void)counts_storage;
    for (u64 i = 0; i < k;) {
        u64 j = i;
        u64 bytes = 0;
        while (j < k && sites[j].stack == sites[i].stack)
            bytes += sites[j++].bytes;
        sites[m++] = { sites[i].stack, bytes };
        i = j;
    }
    heap_sort(sites, m, [](const Site& a, const Site& b) { return a.bytes > b.bytes; });
    {
        ReportBatch batch(false);
        for (u64 i = 0; i < m && i < 40; ++i)
            batch.growth(time_ms, sites[i].stack, 0, sites[i].bytes);
    }
    unmap_pages(sites, capacity * sizeof(Site));
}

}  // namespace ringside::heap::rt
