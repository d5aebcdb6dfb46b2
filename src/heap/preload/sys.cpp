#include "sys.h"

#include <ctime>
#include <sys/mman.h>

namespace ringside::heap::rt {

namespace {

// Our own mappings, so the leak scan never mistakes the chunk table for a root even when the
// kernel merges it with a neighbouring anonymous mapping.
constexpr unsigned max_regions = 8192;
SpinLock g_regions_lock;
MetadataRegion g_regions[max_regions];
unsigned g_region_count = 0;

}  // namespace

void drop_pages(uptr base, u64 bytes)
{
    long r = raw_syscall6(SYS_mmap, static_cast<long>(base), static_cast<long>(bytes), PROT_NONE,
        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    if (r != static_cast<long>(base))
        sys_mprotect(reinterpret_cast<void*>(base), bytes, PROT_NONE);
}

void* map_pages(size_t bytes)
{
    long p = raw_syscall6(SYS_mmap, 0, (long)round_up(bytes, page_size), PROT_READ | PROT_WRITE,
        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p < 0 && p > -4096)
        return nullptr;
    LockGuard guard(g_regions_lock);
    // An unregistered mapping would be scanned as a leak root, and the slab region is huge:
    // better no memory than that.
    if (g_region_count == max_regions) {
        sys_munmap(reinterpret_cast<void*>(p), round_up(bytes, page_size));
        return nullptr;
    }
    g_regions[g_region_count++] = { static_cast<uptr>(p), static_cast<uptr>(p) + round_up(bytes, page_size) };
    return reinterpret_cast<void*>(p);
}

void unmap_pages(void* p, size_t bytes)
{
    if (!p)
        return;
    sys_munmap(p, round_up(bytes, page_size));
    LockGuard guard(g_regions_lock);
    for (unsigned i = 0; i < g_region_count; ++i) {
        if (g_regions[i].start == reinterpret_cast<uptr>(p)) {
            g_regions[i] = g_regions[--g_region_count];
            break;
        }
    }
}

unsigned metadata_regions(MetadataRegion* out, unsigned capacity)
{
    unsigned n = g_region_count < capacity ? g_region_count : capacity;
    for (unsigned i = 0; i < n; ++i)
        out[i] = g_regions[i];
    return n;
}

void reset_metadata_lock() { g_regions_lock.reset(); }

void fill_bytes(void* dst, u8 value, size_t n)
{
    auto* d = static_cast<volatile u8*>(dst);
    u64 word = 0x0101010101010101ull * value;
    while (n && (reinterpret_cast<uptr>(d) & 7)) {
        *d++ = value;
        --n;
    }
    auto* w = reinterpret_cast<volatile u64*>(const_cast<u8*>(d));
    for (; n >= 8; n -= 8)
        *w++ = word;
    d = reinterpret_cast<volatile u8*>(w);
    while (n--)
        *d++ = value;
}

void copy_bytes(void* dst, const void* src, size_t n)
{
    auto* d = static_cast<volatile u8*>(dst);
    const auto* s = static_cast<const volatile u8*>(src);
    while (n--)
        *d++ = *s++;
}

size_t string_length(const char* s)
{
    size_t n = 0;
    while (s[n])
        ++n;
    return n;
}

bool strings_equal(const char* a, const char* b)
{
    while (*a && *a == *b) {
        ++a;
        ++b;
    }
    return *a == *b;
}

bool starts_with(const char* s, const char* prefix)
{
    while (*prefix)
        if (*s++ != *prefix++)
            return false;
    return true;
}

LineBuffer& LineBuffer::text(const char* s, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        ch(s[i]);
    return *this;
}

LineBuffer& LineBuffer::text(const char* s)
{
    while (*s)
        ch(*s++);
    return *this;
}

LineBuffer& LineBuffer::ch(char c)
{
    if (m_size < m_capacity)
        m_data[m_size++] = c;
    else
        m_overflow = true;
    return *this;
}

LineBuffer& LineBuffer::dec(u64 v)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        ch(digits[--n]);
    return *this;
}

LineBuffer& LineBuffer::hex(u64 v)
{
    text("0x");
    char digits[20];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    while (n)
        ch(digits[--n]);
    return *this;
}

void write_all(int fd, const char* data, size_t n)
{
    while (n) {
        long w = sys_write(fd, data, n);
        if (w == -4)  // EINTR
            continue;
        if (w <= 0)
            return;
        data += w;
        n -= static_cast<size_t>(w);
    }
}

u64 monotonic_ns()
{
    timespec ts {};
    raw_syscall6(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&ts, 0, 0, 0, 0);
    return static_cast<u64>(ts.tv_sec) * 1000000000ull + static_cast<u64>(ts.tv_nsec);
}

}  // namespace ringside::heap::rt
