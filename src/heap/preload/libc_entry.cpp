#include "libc_entry.h"

#include <dlfcn.h>

#include "allocator.h"
#include "sys.h"

extern "C" {
void* __memcpy_chk(void*, const void*, size_t, size_t);
void* __memset_chk(void*, int, size_t, size_t);
}

namespace ringside::heap::rt {

constinit LibcEntries g_libc {};

template <typename F>
void resolve(F& slot, const char* name)
{
    slot = reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

void resolve_libc_entries()
{
    ReentryGuard guard;  // dlsym may allocate its error buffer
    LibcEntries e;
    resolve(e.memcpy, "memcpy");
    resolve(e.memmove, "memmove");
    resolve(e.memset, "memset");
    resolve(e.memcmp, "memcmp");
    resolve(e.strcpy, "strcpy");
    resolve(e.stpcpy, "stpcpy");
    resolve(e.strncpy, "strncpy");
    resolve(e.strcat, "strcat");
    resolve(e.strncat, "strncat");
    resolve(e.strlen, "strlen");
    resolve(e.read, "read");
    resolve(e.write, "write");
    resolve(e.recv, "recv");
    resolve(e.send, "send");
    resolve(e.fread, "fread");
    resolve(e.fwrite, "fwrite");
    resolve(e.fgets, "fgets");
    resolve(e.fputs, "fputs");
    resolve(e.puts, "puts");
    resolve(e.clock_gettime, "clock_gettime");
    g_libc = e;
}

void fast_copy(void* dst, const void* src, size_t n)
{
    if (n)
        __memcpy_chk(dst, src, n, n);
}

unsigned long long fast_monotonic_ns()
{
    timespec ts {};
    if (!g_libc.clock_gettime || g_libc.clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return monotonic_ns();
    return static_cast<u64>(ts.tv_sec) * 1000000000ull + static_cast<u64>(ts.tv_nsec);
}

void fast_fill(void* dst, unsigned char value, size_t n)
{
    if (n)
        __memset_chk(dst, value, n, n);
}

}  // namespace ringside::heap::rt
