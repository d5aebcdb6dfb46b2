#include "allocator.h"

#include <cerrno>
#include <dlfcn.h>
#include <emmintrin.h>
#include <sys/mman.h>

#include "block_index.h"
#include "guard_pool.h"
#include "libc_entry.h"
#include "options.h"
#include "quarantine.h"
#include "released_blocks.h"
#include "report.h"
#include "runtime_init.h"
#include "slab.h"
#include "stack_depot.h"

extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_memalign(size_t, size_t);
void __libc_free(void*);
}

namespace ringside::heap::rt {

namespace {

[[gnu::tls_model("initial-exec")]] thread_local int t_reentry = 0;

bool compatible(AllocKind allocated, AllocKind releasing)
{
    return allocated == releasing || allocated == AllocKind::Internal || releasing == AllocKind::Internal;
}

// A shard's share of --quarantine-mb.
u64 quarantine_cap() { return (g_options.quarantine_mb << 20) / shard_count; }

u64 quarantine_budget(const Shard& shard)
{
    u64 cap = quarantine_cap();
    u64 live = shard.live_bytes / 2;
    u64 floor = 64 * 1024;
    u64 budget = live > floor ? live : floor;
    return budget < cap ? budget : cap;
}

// Largest power of two dividing `size`, at most 16: what an object of that size can need.
u64 natural_alignment(u64 size)
{
    if (size == 0)
        return 16;
    u64 a = size & (~size + 1);
    return a < 16 ? a : 16;
}

struct Backing {
    uptr base = 0;
    uptr user = 0;
    u32 left = 0;
    bool guarded = false;
};

// Blocks too big for a guard-pool slot get a mapping of their own under --guard, and blocks of
// own_mapping_bytes or more always do: a PROT_NONE page after each faults at the first byte
// past it, and once freed its pages are dropped and made inaccessible, so while it waits in
// the quarantine any use faults and is named, at the cost of a mapping rather than its memory.
// 32 MiB is where glibc maps every block on its own (its mmap threshold's upper bound), so the
// program pays the fresh pages' faults either way; below it, glibc reuses memory, and a mapping
// per block would cost a fault per page on every allocation (20x on a loop over 1 MiB blocks).
// At most this many at once, live or quarantined (each is two mappings; the pool uses about
// 33,000 of vm.max_map_count's 65,530); past that, blocks come from glibc with redzones.
constexpr long max_guard_mappings = 8192;
constexpr u64 own_mapping_bytes = 32ull << 20;
std::atomic<long> g_guard_mappings { 0 };

// Sampled blocks keep the alignment malloc promises for their size (the smallest power of two
// holding it, at most 16), as GWP-ASan does: a default-on mode must not break code that relies
// on it. The bytes of slack before the guard page are redzone, checked at free. --guard, asked
// for explicitly, ends every block exactly at its guard page.
u64 sampled_alignment(u64 size)
{
    u64 a = 1;
    while (a < size && a < 16)
        a *= 2;
    return a;
}

// --guard ends a block as close to its guard page as the program can bear: at its natural
// alignment, but at least 8 bytes for blocks of 8 or more. Variable-length records (a header
// of pointers, then an odd number of bytes: CPython's objects) need their header aligned even
// though their size is odd; exactly right-aligned, Python cannot even start.
u64 guard_alignment(u64 size)
{
    u64 natural = natural_alignment(size);
    return size >= 8 && natural < 8 ? 8 : natural;
}

bool obtain_guarded(u64 size, u64 alignment, Backing& out)
{
    u64 align = alignment > 16 ? alignment : g_options.guard ? guard_alignment(size) : sampled_alignment(size);
    if (guard_pool_take(size, align, out.user, out.base)) {
        out.left = static_cast<u32>(out.user - out.base);
        out.guarded = true;
        return true;
    }
    // Blocks a slot could hold wait for one (meanwhile they get redzones); bigger ones map their own.
    bool fits_slot = size <= guard_slot_data && align <= guard_slot_data;
    if (fits_slot || !(g_options.guard || size >= own_mapping_bytes))
        return false;
    if (g_guard_mappings.fetch_add(1, std::memory_order_relaxed) >= max_guard_mappings) {
        g_guard_mappings.fetch_sub(1, std::memory_order_relaxed);
        return false;
    }
    u64 data = round_up(size + redzone_size + align, page_size);
    // Not map_pages: this is the program's memory, which the leak scan must not skip as ours.
    long mapped = raw_syscall6(SYS_mmap, 0, static_cast<long>(data + page_size), PROT_READ | PROT_WRITE,
        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mapped < 0 && mapped > -4096) {
        g_guard_mappings.fetch_sub(1, std::memory_order_relaxed);
        return false;
    }
    auto* base = reinterpret_cast<char*>(mapped);
    sys_mprotect(base + data, page_size, PROT_NONE);
    uptr user = (reinterpret_cast<uptr>(base) + data - size) & ~(align - 1);
    out.base = reinterpret_cast<uptr>(base);
    out.user = user;
    out.left = static_cast<u32>(user - out.base);
    out.guarded = true;
    return true;
}

u64 guarded_data_bytes(const Chunk& c) { return guarded_data_end(c) - c.base; }

// Freed table blocks (the large ones, and over-aligned ones) are parked while quarantined: the
// whole pages inside them, past the first max_poison bytes, become PROT_NONE, so any read or
// write through a stale pointer faults at once and is named with the block's stacks, instead
// of a write being found (if it fell in the poisoned first bytes) when the block leaves. The
// pages stay resident, and the bytes around them are poisoned whole. Each parked block splits
// its mapping (up to two more), so parking shares max_guard_mappings.
void parked_range(const Chunk& c, uptr& lo, uptr& hi)
{
    lo = round_up(c.user + max_poison, page_size);
    hi = (c.user + c.size) & ~(page_size - 1);
}

// Parking is not cheap: the two mprotect calls, a TLB flush and a walk of the block's page
// table entries each way, then a page fault per page written after the block is unparked,
// measured about 20 us plus 1.2 us a page on this project's VM, so a loop that fills and
// frees a 100 KB buffer ran 11x slower than plain with every block parked. A
// thread parks while that cost stays within park_share of the time it has run; past it, freed
// blocks are poisoned only, until time has paid for the next. Sporadic large frees (a vector
// growing) are all parked; a loop churning large buffers has one parked now and then.
constexpr u64 park_share = 20;                 // 1/20: 5 %
constexpr u64 park_block_ns = 20000;           // estimated cost: per block...
constexpr u64 park_page_ns = 1200;             // ...and per page
constexpr u64 park_credit_cap_ns = 4000000;    // saved up: 4 ms, enough for any block up to 32 MiB
[[gnu::tls_model("initial-exec")]] thread_local u64 t_park_credit_ns = 0;
[[gnu::tls_model("initial-exec")]] thread_local u64 t_park_clock_ns = 0;

bool park_affordable(u64 pages)
{
    u64 now = fast_monotonic_ns();
    if (!t_park_clock_ns)
        t_park_credit_ns = park_credit_cap_ns;  // a thread's first large free is parked
    else
        t_park_credit_ns += (now - t_park_clock_ns) / park_share;
    if (t_park_credit_ns > park_credit_cap_ns)
        t_park_credit_ns = park_credit_cap_ns;
    t_park_clock_ns = now;
    u64 cost = park_block_ns + pages * park_page_ns;
    if (t_park_credit_ns < cost)
        return false;
    t_park_credit_ns -= cost;
    return true;
}

bool park(Chunk& c)
{
    uptr lo, hi;
    parked_range(c, lo, hi);
    // A block over the shard's cap leaves the quarantine within this free: not worth parking.
    if (c.guarded || c.kind == AllocKind::Internal || hi <= lo || c.size > quarantine_cap()
        || !park_affordable((hi - lo) / page_size))
        return false;
    if (g_guard_mappings.fetch_add(1, std::memory_order_relaxed) >= max_guard_mappings) {
        g_guard_mappings.fetch_sub(1, std::memory_order_relaxed);
        return false;
    }
    fast_fill(reinterpret_cast<void*>(c.user), freed_byte, lo - c.user);
    fast_fill(reinterpret_cast<void*>(hi), freed_byte, c.user + c.size - hi);
    if (sys_mprotect(reinterpret_cast<void*>(lo), hi - lo, PROT_NONE) != 0) {
        g_guard_mappings.fetch_sub(1, std::memory_order_relaxed);
        return false;
    }
    c.parked = 1;
    return true;
}

// Before a parked block goes back to glibc, which writes its own headers into freed chunks.
// false: its pages stay inaccessible, and the block must never be handed back.
bool unpark(const Chunk& c)
{
    uptr lo, hi;
    parked_range(c, lo, hi);
    if (sys_mprotect(reinterpret_cast<void*>(lo), hi - lo, PROT_READ | PROT_WRITE) != 0)
        return false;
    g_guard_mappings.fetch_sub(1, std::memory_order_relaxed);
    return true;
}

// What a freed table block costs while quarantined: its bytes, or for a block whose pages were
// dropped, only its mapping (counted as a page, so such blocks still take turns in the FIFO).
u64 quarantine_weight(const Chunk& c)
{
    return c.guarded && !guard_pool_owns(c.base) ? page_size : c.size;
}

// A table block's right redzone: 16 bytes, or more for a small one, so that every table block
// spans more than a fine granule of the block index (block_index.h) and an interceptor handed a
// pointer anywhere into it finds it. Small table blocks are over-aligned ones (the rest go to
// the slabs): aligned_alloc(64, 64) takes 272 bytes instead of 144, and an overflow of up to
// 144 bytes is seen at free even where no interceptor saw it.
u64 right_redzone(u64 left, u64 size)
{
    constexpr u64 min_footprint = (u64(1) << fine_granule_shift) + 16;
    u64 used = left + round_up(size, 16);
    return used + redzone_size >= min_footprint ? redzone_size : min_footprint - used;
}

bool obtain(u64 size, u64 alignment, bool zero, Backing& out)
{
    u64 left = alignment > redzone_size ? alignment : redzone_size;
    u64 total = left + round_up(size, 16) + right_redzone(left, size);
    void* base;
    if (alignment > 16)
        base = __libc_memalign(alignment, total);
    else if (zero)
        base = __libc_calloc(1, total);
    else
        base = __libc_malloc(total);
    if (!base)
        return false;
    out.base = reinterpret_cast<uptr>(base);
    out.user = out.base + left;
    out.left = static_cast<u32>(left);
    return true;
}

uptr block_end(const Chunk& c)
{
    if (c.guarded)
        return guarded_data_end(c);
    return c.user + round_up(c.size, 16) + right_redzone(c.left, c.size);
}

// The memory a table block occupies, redzones and (own mapping) guard page included; 0 for a
// guard-pool block, which its slot already finds.
uptr footprint_end(const Chunk& c)
{
    if (c.guarded && guard_pool_owns(c.base))
        return 0;
    return c.guarded ? guarded_data_end(c) + page_size : block_end(c);
}

void release(const Chunk& c)
{
    released_note(c);
    if (uptr end = footprint_end(c))
        block_index_remove(c.base, end);
    if (c.parked && !unpark(c))
        return;  // leaked rather than given to glibc unwritable
    if (c.guarded && guard_pool_owns(c.base)) {
        guard_pool_give_back(c.base);
    } else if (c.guarded) {
        sys_munmap(reinterpret_cast<void*>(c.base), guarded_data_bytes(c) + page_size);
        g_guard_mappings.fetch_sub(1, std::memory_order_relaxed);
    } else
        __libc_free(reinterpret_cast<void*>(c.base));
}

using AliasedWord [[gnu::may_alias]] = u64;

inline u64 repeated(u8 byte) { return 0x0101010101010101ull * byte; }

// The first byte in [lo, hi) that is not `byte`, or 0; eight bytes at a time.
uptr first_mismatch(uptr lo, uptr hi, u8 byte)
{
    uptr a = lo;
    for (; a < hi && (a & 7); ++a)
        if (*reinterpret_cast<const u8*>(a) != byte)
            return a;
    u64 word = repeated(byte);
    for (; a + 8 <= hi; a += 8)
        if (*reinterpret_cast<const AliasedWord*>(a) != word)
            break;
    for (; a < hi; ++a)
        if (*reinterpret_cast<const u8*>(a) != byte)
            return a;
    return 0;
}

// The last byte in [lo, hi) that is not `byte` (the one nearest the block for a left redzone).
uptr last_mismatch(uptr lo, uptr hi, u8 byte)
{
    uptr a = hi;
    for (; a > lo && (a & 7); --a)
        if (*reinterpret_cast<const u8*>(a - 1) != byte)
            return a - 1;
    u64 word = repeated(byte);
    for (; a >= lo + 8; a -= 8)
        if (*reinterpret_cast<const AliasedWord*>(a - 8) != word)
            break;
    for (; a > lo; --a)
        if (*reinterpret_cast<const u8*>(a - 1) != byte)
            return a - 1;
    return 0;
}

// The first corrupted redzone byte, or 0.
uptr corrupted_redzone(const Chunk& c)
{
    // The bytes right before the block matter most; huge alignment gaps are checked only near it.
    uptr left_start = c.left > 4096 ? c.user - 4096 : c.base;
    if (uptr a = last_mismatch(left_start, c.user, redzone_byte))
        return a;
    return first_mismatch(c.user + c.size, block_end(c), redzone_byte);
}

uptr corrupted_poison(const Chunk& c)
{
    if (c.guarded || c.kind == AllocKind::Internal)
        return 0;
    if (c.parked) {
        uptr lo, hi;
        parked_range(c, lo, hi);
        if (uptr a = first_mismatch(c.user, lo, freed_byte))
            return a;
        return first_mismatch(hi, c.user + c.size, freed_byte);
    }
    u64 n = c.size < max_poison ? c.size : max_poison;
    return first_mismatch(c.user, c.user + n, freed_byte);
}

// Slab slots: the right redzone runs from the block's end to the end of its last 16 bytes and
// 16 more, where "more" is the slot's slack and, when the slack is shorter, the next slot's
// first word: a slot's left redzone is [8 bytes 0xfa][header], and that first word serves as
// the right redzone of the slot before it (as ASan's chunk headers do), so a block whose size
// is a multiple of 16 needs no slack of its own. The slack beyond 16 bytes is not filled or
// checked: touching it costs a cache miss per free.
uptr slab_redzone_end(uptr slot_start, u64 slot_size, uptr user_end)
{
    uptr end = slot_start + slot_size + slab_left_redzone / 2;
    uptr cap = round_up(user_end, 16) + redzone_size;
    return end < cap ? end : cap;
}

// Glibc's own memset, found at start-up: fast_fill goes through __memset_chk, which the fortify
// interceptors now check like any program call (some 50 instructions per fill of our own).
void slab_fill(uptr at, u8 byte, u64 n)
{
    if (auto* real = g_libc.memset)
        real(reinterpret_cast<void*>(at), byte, n);
    else
        fast_fill(reinterpret_cast<void*>(at), byte, n);
}

// Whether every byte of [lo, hi) is `byte`. Sixteen bytes per compare (SSE2, which every
// x86-64 has), the last compare overlapping the one before so that no byte-wise tail is left;
// every load stays inside [lo, hi). The exact byte (first_mismatch) is looked for only once
// something differs.
bool all_bytes_are(uptr lo, uptr hi, u8 byte)
{
    u64 n = hi - lo;
    if (n < 16) {
        u64 word = repeated(byte);
        if (n < 8)
            return !first_mismatch(lo, hi, byte);
        using Unaligned [[gnu::may_alias, gnu::aligned(1)]] = u64;
        return *reinterpret_cast<const Unaligned*>(lo) == word && *reinterpret_cast<const Unaligned*>(hi - 8) == word;
    }
    const __m128i pattern = _mm_set1_epi8(static_cast<char>(byte));
    __m128i diff = _mm_setzero_si128();
    u64 i = 0;
    for (; i + 64 <= n; i += 64) {
        const auto* q = reinterpret_cast<const __m128i*>(lo + i);
        diff = _mm_or_si128(diff, _mm_or_si128(_mm_or_si128(_mm_xor_si128(_mm_loadu_si128(q), pattern),
                                                 _mm_xor_si128(_mm_loadu_si128(q + 1), pattern)),
                                      _mm_or_si128(_mm_xor_si128(_mm_loadu_si128(q + 2), pattern),
                                          _mm_xor_si128(_mm_loadu_si128(q + 3), pattern))));
    }
    for (; i + 16 <= n; i += 16)
        diff = _mm_or_si128(diff, _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(lo + i)), pattern));
    if (i < n)
        diff = _mm_or_si128(diff, _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(hi - 16)), pattern));
    return _mm_movemask_epi8(_mm_cmpeq_epi8(diff, _mm_setzero_si128())) == 0xffff;
}

// [end, stop) with the redzone byte. The range is 8 to 31 bytes (slab_redzone_end), so two
// overlapping stores cover it without touching the block's own bytes before `end`.
void fill_right_redzone(uptr end, uptr stop)
{
    u64 n = stop - end;
    if (n >= 16 && n <= 32) {
        const __m128i pattern = _mm_set1_epi8(static_cast<char>(redzone_byte));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(end), pattern);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(stop - 16), pattern);
    } else if (n >= 8 && n < 16) {
        using Unaligned [[gnu::may_alias, gnu::aligned(1)]] = u64;
        *reinterpret_cast<Unaligned*>(end) = repeated(redzone_byte);
        *reinterpret_cast<Unaligned*>(stop - 8) = repeated(redzone_byte);
    } else {
        for (uptr a = end; a < stop; ++a)
            *reinterpret_cast<u8*>(a) = redzone_byte;
    }
}

// The first byte of [end, stop) that is not the redzone byte, or 0. Checked as it was filled
// (fill_right_redzone): two overlapping loads, not the general loop, on every free.
uptr first_bad_right_redzone(uptr end, uptr stop)
{
    u64 n = stop - end;
    bool clean;
    if (n >= 16 && n <= 32) {
        const __m128i pattern = _mm_set1_epi8(static_cast<char>(redzone_byte));
        __m128i diff = _mm_or_si128(_mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(end)), pattern),
            _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(stop - 16)), pattern));
        clean = _mm_movemask_epi8(_mm_cmpeq_epi8(diff, _mm_setzero_si128())) == 0xffff;
    } else {
        clean = all_bytes_are(end, stop, redzone_byte);
    }
    return clean ? 0 : first_mismatch(end, stop, redzone_byte);
}

// Whether the block before this slot (same slab) has its right redzone's tail in this slot's
// first word: then damage there is that block's overflow, reported with it.
bool previous_block_reaches(uptr slot_start, u64 slot_size)
{
    SlabView prev;
    if (!slab_slot_of(slot_start - 1, prev) || prev.slot_start + slot_size != slot_start)
        return false;
    u8 state = prev.meta->state.load(std::memory_order_acquire);
    if (state == SlotEmpty)
        return false;
    uptr prev_end = slot_user(prev) + prev.meta->size;
    return slab_redzone_end(prev.slot_start, slot_size, prev_end) > slot_start;
}

// This block's own left check is its header word, which an underflow hits first, and the word
// before it unless that is the previous block's right redzone (then it is checked with that
// block, as its overflow).
uptr slab_corrupted_redzone(uptr slot_start, u64 slot_size, u64 size, AllocKind kind)
{
    uptr user = slot_start + slab_left_redzone;
    const auto* left = reinterpret_cast<const AliasedWord*>(slot_start);
    u64 expected = slab_header(user, size, false, kind);
    if (left[1] != expected)
        for (uptr a = user; a-- > user - 8;)
            if (*reinterpret_cast<const u8*>(a) != static_cast<u8>(expected >> (8 * (a - (user - 8)))))
                return a;
    if (left[0] != repeated(redzone_byte) && !previous_block_reaches(slot_start, slot_size))
        if (uptr a = last_mismatch(slot_start, user - 8, redzone_byte))
            return a;
    return first_bad_right_redzone(user + size, slab_redzone_end(slot_start, slot_size, user + size));
}

void overflow_report(const Chunk& c, uptr bad, const char* function, const char* when)
{
    ErrorReport r;
    r.kind = "heap-overflow";
    r.detail = bad < c.user ? "underflow" : "overflow";
    r.function = function;
    r.address = bad;
    r.has_block = true;
    r.block = c;
    r.dealloc = when;
    report_error(r);
}

void use_after_free_report(const Chunk& c, uptr bad)
{
    ErrorReport r;
    r.kind = "use-after-free";
    r.detail = "write-after-free";
    r.address = bad;
    r.has_block = true;
    r.block = c;
    report_error(r);
}

void invalid_free_report(void* p, const char* how)
{
    ErrorReport r;
    r.kind = "invalid-free";
    r.dealloc = how;
    r.address = reinterpret_cast<uptr>(p);
    uptr here = reinterpret_cast<uptr>(&r);
    Dl_info info {};
    lock_all_shards();
    bool in_block = find_containing_unlocked(r.address, r.block);
    unlock_all_shards();
    if (in_block) {
        r.has_block = true;
        r.detail = r.address >= r.block.user && r.address < r.block.user + r.block.size ? "interior" : "near-block";
    } else if (r.address > here && r.address < current_stack_top()) {
        r.detail = "stack";
    } else if (dladdr(p, &info) && info.dli_fname) {
        r.detail = "global";
        r.symbol = info.dli_sname ? info.dli_sname : "";
    } else {
        r.detail = "unknown";
    }
    report_error(r);
}

// What a freed slab block's first max_poison bytes hold, for glibc's memcmp to compare with.
struct PoisonImage {
    u8 bytes[max_poison];
    constexpr PoisonImage() : bytes()
    {
        for (u8& b : bytes)
            b = freed_byte;
    }
};
constexpr PoisonImage g_poison_image;

// Whether [user, user + n) (n <= max_poison) still holds the freed byte. Through glibc's own
// memcmp, found at start-up like slab_fill's memset: on the allocation benchmark the run took
// 5-11 % less time than with all_bytes_are's SSE2 loop over the same bytes, and 3 % fewer
// instructions (bench/RESULTS.md).
bool poison_intact(uptr user, u64 n)
{
    if (auto* real = g_libc.memcmp)
        return real(reinterpret_cast<const void*>(user), g_poison_image.bytes, n) == 0;
    return all_bytes_are(user, user + n, freed_byte);
}

// A slot leaves the quarantine untouched (still Freed, poisoned) and its poison is verified
// here, when it is handed out again: the fill that follows touches the same lines, so the check
// costs no cache misses of its own, where verifying at quarantine exit cost one per line. The
// window for catching a write after free runs until the slot is reused (or the exit check).
void check_poison_before_reuse(const SlabView& v)
{
    const SlotMeta& m = *v.meta;
    if (m.kind == AllocKind::Internal)
        return;
    uptr user = slot_user(v);
    u64 n = m.size < max_poison ? m.size : max_poison;
    if (poison_intact(user, n))
        return;
    if (uptr bad = first_mismatch(user, user + n, freed_byte))
        use_after_free_report(slot_chunk(v), bad);
}

void* allocate_small(u64 size, AllocKind kind, bool zero)
{
    SlotMeta* m;
    u64 slot_size;
    uptr user = slab_obtain(size, m, slot_size);
    if (!user)
        return nullptr;
    bool internal = kind == AllocKind::Internal;
    uptr slot = user - slab_left_redzone;
    u8 state = m->state.load(std::memory_order_acquire);
    if (state == SlotFreed && !t_reentry)
        check_poison_before_reuse(SlabView { slot, slot_size, m });
    auto* left = reinterpret_cast<AliasedWord*>(slot);
    // The first word is the previous slot's right redzone, written when that slot was handed
    // out: written here only if no one has yet, so an overflow of the previous block stays
    // visible to that block's checks. On a slot never handed out, often the first touch of its
    // page, the test is an exchange, a write: a plain read would map the zero page first and
    // the write then fault again to replace it.
    if (state == SlotEmpty) {
        u64 unwritten = 0;
        __atomic_compare_exchange_n(&left[0], &unwritten, repeated(redzone_byte), false, __ATOMIC_RELAXED,
            __ATOMIC_RELAXED);
    } else if (left[0] == 0) {
        left[0] = repeated(redzone_byte);
    }
    left[1] = slab_header(user, size, false, kind);
    uptr end = user + size;
    fill_right_redzone(end, slab_redzone_end(slot, slot_size, end));
    if (zero)
        slab_fill(user, 0, size);
    else if (g_options.fill_uninit && !internal)
        slab_fill(user, uninit_byte, size);
    m->size = static_cast<u32>(size);
    m->kind = kind;
    m->overflow_reported = 0;
    m->free_stack = 0;
    if (internal) {
        m->alloc_stack = 0;
    } else {
        ReentryGuard guard;
        m->alloc_stack = capture_and_store();
        quarantine_note_live(static_cast<long>(slot_size));
    }
    m->state.store(SlotLive, std::memory_order_release);
    poll_requests();
    return reinterpret_cast<void*>(user);
}

void double_free_report(const Chunk& c, const char* how, const char* detail)
{
    ErrorReport r;
    r.kind = "double-free";
    r.detail = detail;
    r.dealloc = how;
    r.address = c.user;
    r.has_block = true;
    r.block = c;
    report_error(r);
}

// `block` as it was before this free: still live, never freed.
void mismatched_free_report(Chunk block, const char* how)
{
    block.state = ChunkState::Live;
    block.free_stack = 0;
    ErrorReport r;
    r.kind = "mismatched-free";
    r.dealloc = how;
    r.address = block.user;
    r.has_block = true;
    r.block = block;
    report_error(r);
}

void deallocate_small(void* p, const SlabView& v, AllocKind expected, const char* how)
{
    uptr user = reinterpret_cast<uptr>(p);
    // A block freed long after it was allocated has its metadata and first line out of cache:
    // both are requested here and the free stack is captured while they arrive, rather than
    // waiting on the state (and the locked exchange after it) first. A free that turns out to
    // be wrong captured it for nothing; its report takes its own.
    __builtin_prefetch(reinterpret_cast<const void*>(v.slot_start), 1);
    __builtin_prefetch(v.meta, 1);
    SlotMeta& m = *v.meta;
    if (user != slot_user(v)) {
        if (!t_reentry)
            invalid_free_report(p, how);
        return;
    }
    u32 free_stack = 0;
    if (!t_reentry) {
        ReentryGuard guard;
        free_stack = capture_and_store();
    }
    u8 state = m.state.load(std::memory_order_acquire);
    if (state != SlotLive || !m.state.compare_exchange_strong(state, SlotFreeing, std::memory_order_acq_rel)) {
        if (t_reentry)
            return;
        if (state == SlotFreeing || state == SlotFreed || state == SlotReleased)
            double_free_report(slot_chunk(v), how, "");
        else
            invalid_free_report(p, how);
        return;
    }
    __builtin_prefetch(reinterpret_cast<const void*>(user + m.size), 1);
    slab_count_free();
    if (m.kind == AllocKind::Internal || t_reentry) {
        if (m.kind != AllocKind::Internal)
            quarantine_note_live(-static_cast<long>(v.slot_size));
        m.state.store(SlotReleased, std::memory_order_release);
        slab_release(user);
        return;
    }
    u64 size = m.size;
    AllocKind kind = m.kind;
    uptr bad_redzone = m.overflow_reported ? 0 : slab_corrupted_redzone(v.slot_start, v.slot_size, size, kind);
    slab_fill(user, freed_byte, size < max_poison ? size : max_poison);
    *reinterpret_cast<AliasedWord*>(user - 8) = slab_header(user, size, true, kind);
    m.free_stack = free_stack;
    m.state.store(SlotFreed, std::memory_order_release);
    quarantine_note_live(-static_cast<long>(v.slot_size));
    bool mismatched = !compatible(kind, expected);
    if (!bad_redzone && !mismatched) {
        quarantine_push(user, v.slot_size);
        return;
    }
    // Reports name the block as it was before this free.
    Chunk before = slot_chunk(v);
    before.state = ChunkState::Live;
    before.free_stack = 0;
    if (bad_redzone)
        overflow_report(before, bad_redzone, "", how);
    if (mismatched)
        mismatched_free_report(before, how);
    quarantine_push(user, v.slot_size);
}

// Pops blocks past the budget into `evicted` (released after the caller unlocks the shard).
constexpr int max_evicted = 8;

// A table block taken out of its shard (erased, the lock released): a changed poison byte is a
// write after free; then its memory goes back.
void leave_quarantine(const Chunk& c)
{
    if (c.state == ChunkState::Freed)
        if (uptr bad = corrupted_poison(c))
            use_after_free_report(c, bad);
    release(c);
}

// The most recent freed table block that its shard's budget alone would have let go at once
// stays quarantined until the next such block, process-wide: in a small heap a large buffer
// would otherwise go back to glibc within its own free, and the classic use right after free
// (a pointer into a vector's storage across push_back) would land in glibc's memory unseen.
// One block, so memory stays as bounded as the budget says, plus that block.
SpinLock g_exempt_lock;
uptr g_exempt_user = 0;

// Makes `user` the exempt block; returns the one it replaces (0 if none).
uptr make_exempt(uptr user)
{
    LockGuard guard(g_exempt_lock);
    uptr previous = g_exempt_user;
    g_exempt_user = user;
    return previous == user ? 0 : previous;
}

// The formerly exempt block leaves the quarantine (if it has not already, and its address has
// not meanwhile become another live block); its entry in its shard's FIFO is skipped later.
void release_exempt(uptr user)
{
    if (!user)
        return;
    Shard& shard = shard_for(user);
    Chunk copy;
    {
        LockGuard guard(shard.lock);
        Chunk* c = find_locked(shard, user);
        if (!c || c->state != ChunkState::Freed || (c->guarded && guard_pool_owns(c->base)))
            return;
        copy = *c;
        shard.fifo_bytes -= quarantine_weight(*c);
        erase_locked(shard, c);
    }
    leave_quarantine(copy);
}

}  // namespace

ReentryGuard::ReentryGuard() { ++t_reentry; }
ReentryGuard::~ReentryGuard() { --t_reentry; }
bool ReentryGuard::active() { return t_reentry > 0; }

void* allocate(u64 size, u64 alignment, AllocKind kind, bool zero)
{
    if (!runtime_ready())
        runtime_init();
    if (t_reentry)
        kind = AllocKind::Internal;
    if (size > (1ull << 46)) {
        errno = ENOMEM;
        return nullptr;
    }
    if (alignment < 16)
        alignment = 16;
    bool internal = kind == AllocKind::Internal;
    Backing b;
    // Guarded blocks come first (all under --guard, a sample otherwise); when the pool and the
    // mapping budget are used up, blocks fall back to redzones rather than fail.
    bool guarded = !internal && (size >= own_mapping_bytes || guard_wanted(size, alignment))
        && obtain_guarded(size, alignment, b);
    if (!guarded && alignment == 16 && size <= max_small_size && (slabs_ready() || slabs_init()))
        if (void* p = allocate_small(size, kind, zero))
            return p;
    if (!guarded && !obtain(size, alignment, zero, b)) {
        errno = ENOMEM;
        return nullptr;
    }
    // Redzones on both sides; the program's bytes zeroed or filled with the "never written" byte.
    fast_fill(reinterpret_cast<void*>(b.base), redzone_byte, b.left);
    Chunk c;
    c.user = b.user;
    c.base = b.base;
    c.size = size;
    c.left = b.left;
    c.guarded = b.guarded;
    c.kind = kind;
    c.state = ChunkState::Live;
    uptr end = block_end(c);
    fast_fill(reinterpret_cast<void*>(b.user + size), redzone_byte, end - (b.user + size));
    if (zero) {
        if (alignment > 16 || b.guarded)
            fast_fill(reinterpret_cast<void*>(b.user), 0, size);
    } else if (g_options.fill_uninit && !internal) {
        fast_fill(reinterpret_cast<void*>(b.user), uninit_byte, size < max_fill ? size : max_fill);
    }
    if (!internal) {
        ReentryGuard guard;
        c.alloc_stack = capture_and_store();
    }
    if (uptr footprint = footprint_end(c))
        block_index_add(c.base, footprint, c.user);
    Shard& shard = shard_for(b.user);
    {
        LockGuard lock(shard.lock);
        insert_locked(shard, c);
        shard.live_bytes += size;
        ++shard.live_blocks;
        ++shard.total_allocs;
        shard.total_bytes += size;
    }
    poll_requests();
    return reinterpret_cast<void*>(b.user);
}

void deallocate(void* p, AllocKind expected, const char* how)
{
    if (!p)
        return;
    if (!runtime_ready())
        runtime_init();
    uptr user = reinterpret_cast<uptr>(p);
    SlabView view;
    if (slab_slot_of(user, view)) {
        deallocate_small(p, view, expected, how);
        return;
    }
    Shard& shard = shard_for(user);
    // Raw storage: Chunk's member initialisers would clear all eight on every free.
    alignas(Chunk) unsigned char evicted_storage[sizeof(Chunk) * max_evicted];
    Chunk* evicted = reinterpret_cast<Chunk*>(evicted_storage);
    int evicted_count = 0;
    Chunk reported;
    bool mismatched = false;
    uptr bad_redzone = 0;
    uptr retired_slot = 0;
    u64 keep_newest = 0;  // see the budget loop below
    // Captured before taking the shard lock: libunwind may take the loader lock, and a thread
    // holding that one may be waiting for this shard.
    u32 free_stack = 0;
    if (!t_reentry) {
        ReentryGuard guard;
        free_stack = capture_and_store();
    }
    {
        shard.lock.lock();
        Chunk* c = find_locked(shard, user);
        if (!c) {
            shard.lock.unlock();
            if (!t_reentry)
                invalid_free_report(p, how);
            return;
        }
        if (c->kind == AllocKind::Internal || t_reentry) {
            Chunk copy = *c;
            shard.live_bytes -= c->size;
            --shard.live_blocks;
            erase_locked(shard, c);
            shard.lock.unlock();
            release(copy);
            return;
        }
        if (c->state == ChunkState::Freed) {
            reported = *c;
            shard.lock.unlock();
            double_free_report(reported, how, "");
            return;
        }
        if (!compatible(c->kind, expected)) {
            mismatched = true;
            reported = *c;
        }
        bad_redzone = c->overflow_reported ? 0 : corrupted_redzone(*c);
        Chunk before = *c;
        c->free_stack = free_stack;
        c->state = ChunkState::Freed;
        if (c->guarded) {
            if (!guard_pool_owns(c->base))  // guard_pool_retire does it for pool slots
                drop_pages(c->base, guarded_data_bytes(*c));
        } else if (!park(*c)) {
            fast_fill(p, freed_byte, c->size < max_poison ? c->size : max_poison);
        }
        shard.live_bytes -= c->size;
        --shard.live_blocks;
        ++shard.total_frees;
        if (c->guarded && guard_pool_owns(c->base)) {
            // The pool keeps its own oldest-first ring of freed slots (guard_pool_retire below).
            retired_slot = c->base;
        } else if (fifo_push_locked(shard, user)) {
            shard.fifo_bytes += quarantine_weight(*c);
            keep_newest = c->size <= quarantine_cap() ? 1 : 0;
        } else {
            evicted[evicted_count++] = *c;
            erase_locked(shard, c);
        }
        u64 budget = quarantine_budget(shard);
        while (shard.fifo_bytes > budget && evicted_count < max_evicted && shard.fifo_count > keep_newest) {
            uptr old = fifo_pop_locked(shard);
            Chunk* o = find_locked(shard, old);
            if (!o || o->state != ChunkState::Freed)  // taken out early (release_exempt)
                continue;
            shard.fifo_bytes -= quarantine_weight(*o);
            evicted[evicted_count++] = *o;
            erase_locked(shard, o);
        }
        // Still over the budget with only this block left (kept: it is within the shard's
        // cap): it becomes the exempt one (see make_exempt).
        bool exempt = keep_newest && shard.fifo_bytes > budget && shard.fifo_count == 1;
        shard.lock.unlock();
        if (exempt)
            release_exempt(make_exempt(user));
        if (retired_slot)
            guard_pool_retire(retired_slot);
        if (bad_redzone)
            overflow_report(before, bad_redzone, "", how);
    }
    if (mismatched)
        mismatched_free_report(reported, how);
    // Still ours until released: verified outside the shard lock.
    for (int i = 0; i < evicted_count; ++i)
        leave_quarantine(evicted[i]);
}

void* reallocate(void* p, u64 size, const char* how)
{
    if (!p)
        return allocate(size, 16, AllocKind::Malloc, false);
    if (size == 0) {
        deallocate(p, AllocKind::Malloc, how);
        return nullptr;
    }
    if (!runtime_ready())
        runtime_init();
    uptr user = reinterpret_cast<uptr>(p);
    Chunk c;
    if (!lookup_block(user, c)) {
        invalid_free_report(p, how);
        return nullptr;
    }
    if (c.state == ChunkState::Freed) {
        double_free_report(c, how, "realloc");
        return nullptr;
    }
    void* fresh = allocate(size, 16, c.kind == AllocKind::Internal ? AllocKind::Internal : AllocKind::Malloc, false);
    if (!fresh)
        return nullptr;
    fast_copy(fresh, p, c.size < size ? c.size : size);
    deallocate(p, c.kind == AllocKind::Internal ? AllocKind::Internal : AllocKind::Malloc, how);
    return fresh;
}

u64 usable_size(void* p)
{
    Chunk c;
    if (!p || !lookup_block(reinterpret_cast<uptr>(p), c) || c.state != ChunkState::Live)
        return 0;
    return c.size;
}

// The slot stays Freed (still a freed block for double frees, reports and the exit check)
// until allocate_small hands it out and verifies its poison; neither the block nor its
// metadata is touched here.
void slab_block_leaves_quarantine(uptr user) { slab_release(user); }

void slab_blocks_leave_quarantine(const uptr* users, u32 n) { slab_release_all(users, n); }

bool lookup_block(uptr user, Chunk& out)
{
    SlabView v;
    if (slab_slot_of(user, v)) {
        u8 state = v.meta->state.load(std::memory_order_acquire);
        if (user != slot_user(v) || state == SlotEmpty)
            return false;
        out = slot_chunk(v);
        return true;
    }
    return table_lookup(user, out);
}

void mark_overflow_reported(uptr user)
{
    SlabView v;
    if (slab_slot_of(user, v))
        v.meta->overflow_reported = 1;
    else
        table_mark_overflow(user);
}

bool find_containing_unlocked(uptr address, Chunk& out)
{
    SlabView v;
    if (slab_slot_of(address, v)) {
        if (v.meta->state.load(std::memory_order_acquire) == SlotEmpty)
            return false;
        out = slot_chunk(v);
        return true;
    }
    return table_find_containing(address, out);
}

bool block_for_access(uptr p, Chunk& out)
{
    SlabView v;
    if (slab_slot_of(p, v)) {
        if (v.meta->state.load(std::memory_order_acquire) == SlotEmpty)
            return false;
        out = slot_chunk(v);
        return p == out.user || (p > out.user && p < out.user + out.size);
    }
    return table_block_for_access(p, out);
}

bool table_block_for_access(uptr p, Chunk& out)
{
    // Table blocks: the start, or (for pointers into their first bytes) the 16-byte-aligned start below.
    if (table_lookup(p, out))
        return true;
    // A guard-pool block: its slot says which block it holds, wherever in it p points.
    uptr pooled;
    if (guard_pool_user_at(p, pooled))
        return table_lookup(pooled, out) && p >= out.user && p < out.user + out.size;
    uptr aligned = p & ~uptr(15);
    if (aligned != p && table_lookup(aligned, out) && p < out.user + out.size)
        return true;
    // Anywhere inside a registered block or its right redzone (an access that starts right at
    // the end is that block's overflow, as it is for a slab block).
    BlockCandidates c = block_index_candidates(p);
    for (uptr user : { c.coarse_starting, c.coarse_covering, c.fine_starting, c.fine_covering })
        if (user && user != p && table_lookup(user, out) && p >= out.user && p < block_end(out))
            return true;
    return false;
}

void check_all_blocks(bool in_signal)
{
    ReentryGuard reentry;
    constexpr int max_reports = 32;
    Chunk bad[max_reports];
    uptr where[max_reports];
    bool freed[max_reports];
    int n = 0;
    if (in_signal) {
        if (!try_lock_all_shards())
            return;
    } else {
        lock_all_shards();
    }
    for (Shard& shard : g_shards) {
        for (u64 i = 0; i < shard.capacity && n < max_reports; ++i) {
            const Chunk& c = shard.slots[i];
            if (c.kind == AllocKind::Internal)
                continue;
            if (c.state == ChunkState::Live && !c.overflow_reported) {
                if (uptr a = corrupted_redzone(c)) {
                    bad[n] = c;
                    where[n] = a;
                    freed[n++] = false;
                }
            } else if (c.state == ChunkState::Freed) {
                if (uptr a = corrupted_poison(c)) {
                    bad[n] = c;
                    where[n] = a;
                    freed[n++] = true;
                }
            }
        }
    }
    unlock_all_shards();
    for_each_slot([&](uptr user, u64 slot_size, const SlotMeta& m) {
        if (n >= max_reports || m.kind == AllocKind::Internal)
            return;
        u8 state = m.state.load(std::memory_order_acquire);
        uptr a = 0;
        if (state == SlotLive && !m.overflow_reported)
            a = slab_corrupted_redzone(user - slab_left_redzone, slot_size, m.size, m.kind);
        else if (state == SlotFreed)
            a = first_mismatch(user, user + (m.size < max_poison ? m.size : max_poison), freed_byte);
        if (!a)
            return;
        SlabView v { user - slab_left_redzone, slot_size, const_cast<SlotMeta*>(&m) };
        bad[n] = slot_chunk(v);
        where[n] = a;
        freed[n++] = state == SlotFreed;
    });
    for (int i = 0; i < n; ++i) {
        if (freed[i])
            use_after_free_report(bad[i], where[i]);
        else
            overflow_report(bad[i], where[i], "", "exit");
    }
}

void allocator_prepare_fork()
{
    g_exempt_lock.lock();
    guard_pool_prepare_fork();
    quarantine_prepare_fork();
    slabs_prepare_fork();
    lock_all_shards();
}

void allocator_after_fork_parent()
{
    unlock_all_shards();
    slabs_after_fork_parent();
    quarantine_after_fork_parent();
    guard_pool_after_fork_parent();
    g_exempt_lock.unlock();
}

void allocator_after_fork_child()
{
    reset_all_shard_locks();
    slabs_after_fork_child();
    quarantine_after_fork_child();
    guard_pool_after_fork_child();
    g_exempt_lock.reset();
}

}  // namespace ringside::heap::rt
