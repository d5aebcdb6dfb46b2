#include "range_check.h"

#include "allocator.h"
#include "options.h"
#include "report.h"

namespace ringside::heap::rt {

namespace {

// The block that `p` points at (allocator.h: anywhere inside a slab block; the start or first
// bytes of a large one).
bool block_at(uptr p, Chunk& out) { return block_for_access(p, out); }

}  // namespace

bool check_range(const void* ptr, u64 n, Access access, const char* function)
{
    if (!g_options.interceptors || !runtime_ready() || ReentryGuard::active() || !ptr)
        return true;
    uptr p = reinterpret_cast<uptr>(ptr);
    uptr user;
    u64 size;
    int fast = slab_block_bounds(p, user, size);
    if (fast == 0 || (fast == 1 && p + n <= user + size))
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

void check_initialised(const void* ptr, u64 n, const char* function)
{
    if (!g_options.check_uninit || !g_options.fill_uninit || !runtime_ready() || ReentryGuard::active() || !ptr || !n)
        return;
    uptr p = reinterpret_cast<uptr>(ptr);
    uptr user;
    u64 size;
    int fast = slab_block_bounds(p, user, size);
    if (fast == 0)
        return;
    if (fast < 0) {
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
