#include "range_check.h"

#include <cerrno>

#include "allocator.h"
#include "maps_reader.h"
#include "options.h"
#include "report.h"

namespace ringside::heap::rt {

namespace {

constexpr u32 max_stack_lookups = 16;
constexpr u64 stack_growth_window = 64ull << 20;
AddressRange g_stack_ranges[max_stack_lookups + 1];  // [0] stays empty
std::atomic<u32> g_stack_lookups { 0 };
[[gnu::tls_model("initial-exec")]] thread_local u64 t_table_checks = 0;

}  // namespace

std::atomic<const AddressRange*> g_main_stack { &g_stack_ranges[0] };

namespace {

// Reads the main thread's [stack] line (raw system calls, no allocation) into a fresh slot and
// publishes it. The kernel keeps other mappings out of that range (the stack is never merged
// with a neighbour, and a guard gap lies below it), and the stack only grows, so an older
// range stays true too.
void learn_main_stack()
{
    u32 slot = g_stack_lookups.fetch_add(1, std::memory_order_relaxed) + 1;
    if (slot > max_stack_lookups)
        return;
    for_each_mapping([slot](const MapLine& m) {
        if (!strings_equal(m.path, "[stack]"))
            return true;
        g_stack_ranges[slot].lo = m.start;
        g_stack_ranges[slot].hi = m.end;
        g_main_stack.store(&g_stack_ranges[slot], std::memory_order_release);
        return false;
    });
}

// Learned after a thread's first 64 table lookups (short programs never read the maps), and
// again when an address just below the known range shows up (the stack grew), a few times.
void maybe_learn_main_stack(uptr p)
{
    u64 n = ++t_table_checks;
    const AddressRange* stack = g_main_stack.load(std::memory_order_acquire);
    bool unknown = !stack->hi;
    bool grown = !unknown && p < stack->lo && stack->lo - p < stack_growth_window && (n & 255) == 0;
    if ((unknown ? n != 64 : !grown) || !runtime_ready() || ReentryGuard::active())
        return;
    learn_main_stack();
}

// The block that `p` points at (allocator.h: anywhere inside a slab block; the start or first
// bytes of a large one).
bool block_at(uptr p, Chunk& out) { return block_for_access(p, out); }

}  // namespace

bool table_read_is_clean(uptr p, u64 range, u64 used)
{
    maybe_learn_main_stack(p);
    Chunk c;
    if (!table_block_for_access(p, c) || c.kind == AllocKind::Internal)
        return true;
    if (c.state != ChunkState::Live || p + range > c.user + c.size)
        return false;
    if (!used || !uninit_checks_on())
        return true;
    uptr end = p + used;
    uptr block_end = c.user + (c.size < max_fill ? c.size : max_fill);
    if (end > block_end)
        end = block_end;
    return !may_hold_fill(p, end);
}

bool check_range_slow(const void* ptr, u64 n, Access access, const char* function)
{
    if (!g_options.interceptors || !runtime_ready() || ReentryGuard::active() || !ptr)
        return true;
    uptr p = reinterpret_cast<uptr>(ptr);
    uptr user;
    u64 size;
    SlabAnswer fast = slab_answer(p, user, size);
    if (fast == SlabAnswer::NoBlock || (fast == SlabAnswer::Block && p + n <= user + size))
        return true;
    Chunk c;
    if (!block_at(p, c) || c.kind == AllocKind::Internal)
        return true;
    ErrorReport r;
    r.function = function;
    r.has_block = true;
    r.block = c;
    r.access_size = n;
    if (c.state == ChunkState::Freed) {
        r.kind = "use-after-free";
        r.detail = access == Access::Write ? "write" : "read";
        r.address = p;
        report_error(r);
        note_reported_use_after_free(c.user);
        return false;
    }
    if (p + n <= c.user + c.size)
        return true;
    r.kind = "heap-overflow";
    r.detail = access == Access::Write ? "write" : "read";
    r.address = c.user + c.size;
    report_error(r);
    if (access == Access::Write)
        mark_overflow_reported(c.user);
    return false;
}

void check_stopped_at_guard(const void* buf, long got, u64 asked, const char* function)
{
    if (!buf || (got >= 0 && static_cast<u64>(got) >= asked) || (got < 0 && errno != EFAULT))
        return;
    int saved_errno = errno;
    uptr p = reinterpret_cast<uptr>(buf);
    uptr stop = p + static_cast<u64>(got > 0 ? got : 0);
    Chunk c;
    if (g_options.interceptors && runtime_ready() && !ReentryGuard::active() && block_at(p, c) && c.guarded
        && stop == guarded_data_end(c))
        check_range(buf, asked, Access::Write, function);
    errno = saved_errno;
}

void check_initialised_slow(const void* ptr, u64 n, const char* function)
{
    if (!g_options.check_uninit || !g_options.fill_uninit || !runtime_ready() || ReentryGuard::active() || !ptr || !n)
        return;
    uptr p = reinterpret_cast<uptr>(ptr);
    uptr user;
    u64 size;
    SlabAnswer fast = slab_answer(p, user, size);
    if (fast == SlabAnswer::NoBlock)
        return;
    if (fast != SlabAnswer::Block) {
        Chunk c;
        if (!block_at(p, c) || c.kind == AllocKind::Internal || c.state != ChunkState::Live)
            return;
        user = c.user;
        size = c.size;
    }
    uptr end = p + n;
    uptr block_end = user + (size < max_fill ? size : max_fill);
    if (end > block_end)
        end = block_end;
    // A run of four fill bytes (or the whole range when shorter) is taken as never written:
    // real data rarely holds 0xbebebebe, and a single 0xbe byte proves nothing.
    u64 need = n < 4 ? n : 4;
    u64 run = 0;
    using AliasedWord [[gnu::may_alias]] = u64;
    constexpr u64 ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    for (uptr a = p; a < end; ++a) {
        // Whole words without a single fill byte are skipped (SWAR "has a zero byte" on w ^ fill).
        while (!(a & 7) && a + 8 <= end) {
            u64 w = *reinterpret_cast<const AliasedWord*>(a) ^ (ones * uninit_byte);
            if ((w - ones) & ~w & highs)
                break;
            run = 0;
            a += 8;
        }
        if (a >= end)
            break;
        run = *reinterpret_cast<const u8*>(a) == uninit_byte ? run + 1 : 0;
        if (run >= need) {
            Chunk c;
            if (!block_at(p, c))
                return;
            ErrorReport r;
            r.kind = "uninitialised-read";
            r.function = function;
            r.address = a + 1 - run;
            r.access_size = n;
            r.has_block = true;
            r.block = c;
            report_error(r);
            return;
        }
    }
}

void check_value(u64 value, unsigned bytes, const char* function)
{
    if (!g_options.check_uninit || !g_options.fill_uninit || !runtime_ready())
        return;
    bool pattern = bytes == 4 ? static_cast<u32>(value) == 0xbebebebeu : value == 0xbebebebebebebebeull;
    if (!pattern)
        return;
    ErrorReport r;
    r.kind = "uninitialised-read";
    r.detail = "value";
    r.function = function;
    r.access_size = bytes;
    report_error(r);
}

}  // namespace ringside::heap::rt
