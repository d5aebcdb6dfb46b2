// Checks a byte range an intercepted libc call is about to read or write against the heap
// block it starts in: past the end (heap-overflow), inside a freed block (use-after-free),
// or bytes never written reaching output (uninitialised-read).
// The common answer, "nothing to report", comes inline (range_fast.h) for ranges inside a live
// slab block; everything else takes the out-of-line path, which decides and reports.
#pragma once

#include "range_fast.h"
#include "sys.h"

namespace ringside::heap::rt {

enum class Access { Read, Write };

// The out-of-line halves of check_range and check_initialised below: the full decision.
bool check_range_slow(const void* p, u64 n, Access access, const char* function);
void check_initialised_slow(const void* p, u64 n, const char* function);
// For an address outside the slabs: true when neither check could report [p, p + range) read
// and [p, p + used) used as data (no chunk-table block there, or one that holds the range and
// no fill byte), decided with one table lookup. false = ask the checks.
bool table_read_is_clean(uptr p, u64 range, u64 used);
// After a read-like system call into `buf` returned `got` of `asked` bytes (-1 = failed):
// when it stopped at the guard page after a block (a guarded or big block's own mapping), the
// kernel refused to write past the block; without the checker it would have, so the request
// is reported as the overflow it is. (Transfers are otherwise checked by what arrived.)
void check_stopped_at_guard(const void* buf, long got, u64 asked, const char* function);

// The main thread's stack as /proc/self/maps showed it (range_check.cpp looks it up after a
// few table lookups, and again when it has grown): no heap block lies in it, so the commonest
// non-slab address, a std::string or buffer on the stack, needs no table lookup. Published
// whole through one pointer, so a reader never sees half of an update.
struct AddressRange {
    uptr lo = 0;
    uptr hi = 0;
};
extern std::atomic<const AddressRange*> g_main_stack;

// Answers table_read_is_clean's question, inline where it can.
[[gnu::always_inline]] inline bool outside_slabs_is_clean(uptr p, u64 range, u64 used)
{
    const AddressRange* stack = g_main_stack.load(std::memory_order_acquire);
    if (p - stack->lo < stack->hi - stack->lo)
        return true;
    return table_read_is_clean(p, range, used);
}

// Reports and returns false when [p, p + n) is not inside one live block it starts in.
[[gnu::always_inline]] inline bool check_range(const void* ptr, u64 n, Access access, const char* function)
{
    uptr p = reinterpret_cast<uptr>(ptr);
    uptr user;
    u64 size;
    SlabAnswer a = slab_answer(p, user, size);
    if (a == SlabAnswer::NoBlock || (a == SlabAnswer::Block && p + n <= user + size))
        return true;
    if (a == SlabAnswer::NotSlab && outside_slabs_is_clean(p, n, 0))
        return true;
    return check_range_slow(ptr, n, access, function);
}

// Reports never-written bytes in [p, p + n) when p lies in a heap block.
[[gnu::always_inline]] inline void check_initialised(const void* ptr, u64 n, const char* function)
{
    if (!n || !uninit_checks_on())
        return;
    uptr p = reinterpret_cast<uptr>(ptr);
    uptr user;
    u64 size;
    SlabAnswer a = slab_answer(p, user, size);
    if (a == SlabAnswer::NoBlock)
        return;
    if (a == SlabAnswer::Block && !may_hold_fill(p, p + n < user + size ? p + n : user + size))
        return;
    if (a == SlabAnswer::NotSlab && outside_slabs_is_clean(p, 0, n))
        return;
    check_initialised_slow(ptr, n, function);
}

// Whether reading [p, p + range) and using [p, p + used) (used <= range) as data is certainly
// fine: then check_range and check_initialised would report nothing.
[[gnu::always_inline]] inline bool read_is_clean(const void* ptr, u64 range, u64 used)
{
    uptr p = reinterpret_cast<uptr>(ptr);
    SlabAnswer a;
    if (slab_read_is_clean(p, range, used, a))
        return true;
    return a == SlabAnswer::NotSlab && outside_slabs_is_clean(p, range, used);
}

// Bytes read as data (output, comparisons of one range): check_range, then, when the range is
// inside its block, check_initialised over the first `used` bytes. Returns check_range's answer.
inline bool check_read(const void* p, u64 range, u64 used, const char* function)
{
    if (read_is_clean(p, range, used))
        return true;
    if (!check_range_slow(p, range, Access::Read, function))
        return false;
    check_initialised_slow(p, used, function);
    return true;
}

// Both sides of a comparison (memcmp, bcmp): inside their blocks, and written. When either
// may be a report, the four checks run in the order they always did: both ranges, then both
// contents.
[[gnu::always_inline]] inline void check_compared(const void* a, const void* b, u64 n, const char* function)
{
    if (read_is_clean(a, n, n) && read_is_clean(b, n, n))
        return;
    check_range_slow(a, n, Access::Read, function);
    check_range_slow(b, n, Access::Read, function);
    check_initialised_slow(a, n, function);
    check_initialised_slow(b, n, function);
}

// Reports an integer argument (printf-family) that is exactly the fill pattern.
void check_value(u64 value, unsigned bytes, const char* function);

}  // namespace ringside::heap::rt
