// The _FORTIFY_SOURCE entry points. Programs built with -D_FORTIFY_SOURCE=2 -O2 (Debian's default
// for its packages) call __memcpy_chk, __strcpy_chk, __printf_chk... instead of the plain
// functions whenever the compiler knows the destination's size or printf's %n rule applies, so
// the plain interceptors never see those calls. Each entry point here makes the same range
// checks and reports as its plain twin (under the plain name: the source says memcpy), then
// forwards to glibc's own __*_chk so fortify's checks still hold: where the compiler knew the
// object was too small, our report (with the line and the block's stack) comes first, then
// glibc's "buffer overflow detected" abort, as without the checker.
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <dlfcn.h>
#include <sys/socket.h>
#include <unistd.h>

#include "allocator.h"
#include "interpose_shared.h"
#include "libc_entry.h"
#include "range_check.h"
#include "sys.h"

#define EXPORT extern "C" __attribute__((visibility("default")))

// The first and one-past-last bytes of this shared object (the static linker defines both).
extern "C" char __ehdr_start[] __attribute__((visibility("hidden")));
extern "C" char _end[] __attribute__((visibility("hidden")));

using namespace ringside::heap::rt;

namespace {

struct ChkEntries {
    void* (*memcpy)(void*, const void*, size_t, size_t) = nullptr;
    void* (*memmove)(void*, const void*, size_t, size_t) = nullptr;
    void* (*mempcpy)(void*, const void*, size_t, size_t) = nullptr;
    void* (*memset)(void*, int, size_t, size_t) = nullptr;
    char* (*strcpy)(char*, const char*, size_t) = nullptr;
    char* (*stpcpy)(char*, const char*, size_t) = nullptr;
    char* (*strncpy)(char*, const char*, size_t, size_t) = nullptr;
    char* (*stpncpy)(char*, const char*, size_t, size_t) = nullptr;
    char* (*strcat)(char*, const char*, size_t) = nullptr;
    char* (*strncat)(char*, const char*, size_t, size_t) = nullptr;
    ssize_t (*read)(int, void*, size_t, size_t) = nullptr;
    ssize_t (*pread)(int, void*, size_t, off_t, size_t) = nullptr;
    ssize_t (*pread64)(int, void*, size_t, off64_t, size_t) = nullptr;
    ssize_t (*recv)(int, void*, size_t, size_t, int) = nullptr;
    ssize_t (*recvfrom)(int, void*, size_t, size_t, int, sockaddr*, socklen_t*) = nullptr;
    size_t (*fread)(void*, size_t, size_t, size_t, FILE*) = nullptr;
    size_t (*fread_unlocked)(void*, size_t, size_t, size_t, FILE*) = nullptr;
    char* (*fgets)(char*, size_t, int, FILE*) = nullptr;
    char* (*fgets_unlocked)(char*, size_t, int, FILE*) = nullptr;
    int (*vfprintf)(FILE*, int, const char*, va_list) = nullptr;
    int (*vdprintf)(int, int, const char*, va_list) = nullptr;
    int (*vsprintf)(char*, int, size_t, const char*, va_list) = nullptr;
    int (*vsnprintf)(char*, size_t, int, size_t, const char*, va_list) = nullptr;
    int (*vasprintf)(char**, int, const char*, va_list) = nullptr;
};

constinit ChkEntries g_chk {};
std::atomic<int> g_chk_state { 0 };  // 0 = unresolved, 1 = resolving, 2 = resolved

template <typename F>
void resolve(F& slot, const char* name)
{
    slot = reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

void resolve_chk_entries()
{
    int expected = 0;
    if (!g_chk_state.compare_exchange_strong(expected, 1, std::memory_order_acq_rel))
        return;
    ReentryGuard guard;  // dlsym may allocate its error buffer
    // Field by field: a struct copy could become a call to the memcpy we intercept.
    resolve(g_chk.memcpy, "__memcpy_chk");
    resolve(g_chk.memmove, "__memmove_chk");
    resolve(g_chk.mempcpy, "__mempcpy_chk");
    resolve(g_chk.memset, "__memset_chk");
    resolve(g_chk.strcpy, "__strcpy_chk");
    resolve(g_chk.stpcpy, "__stpcpy_chk");
    resolve(g_chk.strncpy, "__strncpy_chk");
    resolve(g_chk.stpncpy, "__stpncpy_chk");
    resolve(g_chk.strcat, "__strcat_chk");
    resolve(g_chk.strncat, "__strncat_chk");
    resolve(g_chk.read, "__read_chk");
    resolve(g_chk.pread, "__pread_chk");
    resolve(g_chk.pread64, "__pread64_chk");
    resolve(g_chk.recv, "__recv_chk");
    resolve(g_chk.recvfrom, "__recvfrom_chk");
    resolve(g_chk.fread, "__fread_chk");
    resolve(g_chk.fread_unlocked, "__fread_unlocked_chk");
    resolve(g_chk.fgets, "__fgets_chk");
    resolve(g_chk.fgets_unlocked, "__fgets_unlocked_chk");
    resolve(g_chk.vfprintf, "__vfprintf_chk");
    resolve(g_chk.vdprintf, "__vdprintf_chk");
    resolve(g_chk.vsprintf, "__vsprintf_chk");
    resolve(g_chk.vsnprintf, "__vsnprintf_chk");
    resolve(g_chk.vasprintf, "__vasprintf_chk");
    g_chk_state.store(2, std::memory_order_release);
}

[[gnu::constructor]] void on_load_chk() { resolve_chk_entries(); }

// The entries, resolved on first use when a program calls in before our constructor ran.
const ChkEntries& chk()
{
    if (g_chk_state.load(std::memory_order_acquire) != 2 && !ReentryGuard::active())
        resolve_chk_entries();
    return g_chk;
}

// The library's own fast_copy/fast_fill reach glibc through __memcpy_chk/__memset_chk, which
// now resolve to the definitions below: calls from inside this object go straight through,
// unchecked (they may hold a shard lock the checks would take).
inline bool from_ourselves(const void* return_address)
{
    uptr a = reinterpret_cast<uptr>(return_address);
    uptr lo = reinterpret_cast<uptr>(__ehdr_start);
    return a - lo < reinterpret_cast<uptr>(_end) - lo;
}

#define CALLER __builtin_return_address(0)

// glibc's fortify failure, for the rare call that arrives before the entries are resolved.
[[noreturn]] void fortify_fail()
{
    static const char message[] = "*** buffer overflow detected ***: terminated\n";
    sys_write(2, message, sizeof message - 1);
    raw_syscall6(SYS_kill, sys_getpid(), 6 /* SIGABRT */, 0, 0, 0, 0);
    raw_syscall6(SYS_exit_group, 127, 0, 0, 0, 0, 0);
    __builtin_unreachable();
}

void require(bool fits)
{
    if (!fits)
        fortify_fail();
}

// A write that glibc is about to refuse (more than the compiler-known size): checked with the
// length the call asked for, before the call, so the report comes before fortify's abort.
inline void check_write_before_abort(void* dst, size_t n, size_t known, const char* function)
{
    if (n > known)
        check_range(dst, n, Access::Write, function);
}

// The bytes an sprintf into `dst` writes, measured first when glibc would abort on them.
int formatted_length(const char* fmt, va_list args)
{
    va_list ap;
    va_copy(ap, args);
    auto measure = real_printf().vsnprintf;
    int n = measure ? measure(nullptr, 0, fmt, ap) : -1;
    va_end(ap);
    return n;
}

}  // namespace

// ---- mem* -------------------------------------------------------------------------------------

EXPORT void* __memcpy_chk(void* dst, const void* src, size_t n, size_t dstlen)
{
    auto real = g_chk.memcpy;
    if (!real) {
        require(n <= dstlen);
        copy_bytes(dst, src, n);
        return dst;
    }
    if (!from_ourselves(CALLER)) {
        check_range(dst, n, Access::Write, "memcpy");
        check_range(src, n, Access::Read, "memcpy");
    }
    return real(dst, src, n, dstlen);
}

EXPORT void* __memset_chk(void* dst, int c, size_t n, size_t dstlen)
{
    auto real = g_chk.memset;
    if (!real) {
        require(n <= dstlen);
        fill_bytes(dst, static_cast<u8>(c), n);
        return dst;
    }
    if (!from_ourselves(CALLER))
        check_range(dst, n, Access::Write, "memset");
    return real(dst, c, n, dstlen);
}

EXPORT void* __memmove_chk(void* dst, const void* src, size_t n, size_t dstlen)
{
    auto real = chk().memmove;
    if (!real) {
        require(n <= dstlen);
        return memmove(dst, src, n);
    }
    if (!from_ourselves(CALLER)) {
        check_range(dst, n, Access::Write, "memmove");
        check_range(src, n, Access::Read, "memmove");
    }
    return real(dst, src, n, dstlen);
}

EXPORT void* __mempcpy_chk(void* dst, const void* src, size_t n, size_t dstlen)
{
    auto real = chk().mempcpy;
    if (!real) {
        require(n <= dstlen);
        copy_bytes(dst, src, n);
        return static_cast<char*>(dst) + n;
    }
    check_range(dst, n, Access::Write, "mempcpy");
    check_range(src, n, Access::Read, "mempcpy");
    return real(dst, src, n, dstlen);
}

// ---- str* -------------------------------------------------------------------------------------

EXPORT char* __strcpy_chk(char* dst, const char* src, size_t dstlen)
{
    size_t n = length_of(src) + 1;
    check_range(src, n, Access::Read, "strcpy");
    check_range(dst, n, Access::Write, "strcpy");
    auto real = chk().strcpy;
    if (!real) {
        require(n <= dstlen);
        copy_bytes(dst, src, n);
        return dst;
    }
    return real(dst, src, dstlen);
}

EXPORT char* __stpcpy_chk(char* dst, const char* src, size_t dstlen)
{
    size_t n = length_of(src) + 1;
    check_range(src, n, Access::Read, "stpcpy");
    check_range(dst, n, Access::Write, "stpcpy");
    auto real = chk().stpcpy;
    if (!real) {
        require(n <= dstlen);
        copy_bytes(dst, src, n);
        return dst + n - 1;
    }
    return real(dst, src, dstlen);
}

namespace {

// strncpy and stpncpy read up to n bytes (or through the terminator) and write exactly n.
void check_strncpy(char* dst, const char* src, size_t n, const char* function)
{
    size_t read = bounded_length(src, n);
    check_range(src, read < n ? read + 1 : n, Access::Read, function);
    check_range(dst, n, Access::Write, function);
}

}  // namespace

EXPORT char* __strncpy_chk(char* dst, const char* src, size_t n, size_t dstlen)
{
    check_strncpy(dst, src, n, "strncpy");
    auto real = chk().strncpy;
    if (!real) {
        require(n <= dstlen);
        return strncpy(dst, src, n);
    }
    return real(dst, src, n, dstlen);
}

EXPORT char* __stpncpy_chk(char* dst, const char* src, size_t n, size_t dstlen)
{
    check_strncpy(dst, src, n, "stpncpy");
    auto real = chk().stpncpy;
    require(real != nullptr);
    return real(dst, src, n, dstlen);
}

EXPORT char* __strcat_chk(char* dst, const char* src, size_t dstlen)
{
    size_t d = length_of(dst);
    size_t s = length_of(src);
    check_range(src, s + 1, Access::Read, "strcat");
    check_range(dst, d + s + 1, Access::Write, "strcat");
    auto real = chk().strcat;
    if (!real) {
        require(d + s + 1 <= dstlen);
        return strcat(dst, src);
    }
    return real(dst, src, dstlen);
}

EXPORT char* __strncat_chk(char* dst, const char* src, size_t n, size_t dstlen)
{
    size_t d = length_of(dst);
    size_t s = bounded_length(src, n);
    check_range(src, s < n ? s + 1 : s, Access::Read, "strncat");
    check_range(dst, d + s + 1, Access::Write, "strncat");
    auto real = chk().strncat;
    if (!real) {
        require(d + s + 1 <= dstlen);
        return strncat(dst, src, n);
    }
    return real(dst, src, n, dstlen);
}

// ---- input: checked with what arrived, or with what was asked for when glibc will refuse it ----

EXPORT ssize_t __read_chk(int fd, void* buf, size_t n, size_t buflen)
{
    check_write_before_abort(buf, n, buflen, "read");
    auto real = chk().read;
    require(real != nullptr);
    ssize_t got = real(fd, buf, n, buflen);
    if (got > 0)
        check_range(buf, static_cast<u64>(got), Access::Write, "read");
    check_stopped_at_guard(buf, got, n, "read");
    return got;
}

EXPORT ssize_t __pread_chk(int fd, void* buf, size_t n, off_t offset, size_t buflen)
{
    check_write_before_abort(buf, n, buflen, "pread");
    auto real = chk().pread;
    require(real != nullptr);
    ssize_t got = real(fd, buf, n, offset, buflen);
    if (got > 0)
        check_range(buf, static_cast<u64>(got), Access::Write, "pread");
    check_stopped_at_guard(buf, got, n, "pread");
    return got;
}

EXPORT ssize_t __pread64_chk(int fd, void* buf, size_t n, off64_t offset, size_t buflen)
{
    check_write_before_abort(buf, n, buflen, "pread64");
    auto real = chk().pread64;
    require(real != nullptr);
    ssize_t got = real(fd, buf, n, offset, buflen);
    if (got > 0)
        check_range(buf, static_cast<u64>(got), Access::Write, "pread64");
    check_stopped_at_guard(buf, got, n, "pread64");
    return got;
}

EXPORT ssize_t __recv_chk(int fd, void* buf, size_t n, size_t buflen, int flags)
{
    check_write_before_abort(buf, n, buflen, "recv");
    auto real = chk().recv;
    require(real != nullptr);
    ssize_t got = real(fd, buf, n, buflen, flags);
    if (got > 0)
        check_range(buf, static_cast<u64>(got), Access::Write, "recv");
    check_stopped_at_guard(buf, got, n, "recv");
    return got;
}

EXPORT ssize_t __recvfrom_chk(int fd, void* buf, size_t n, size_t buflen, int flags, sockaddr* from, socklen_t* fromlen)
{
    check_write_before_abort(buf, n, buflen, "recvfrom");
    auto real = chk().recvfrom;
    require(real != nullptr);
    ssize_t got = real(fd, buf, n, buflen, flags, from, fromlen);
    if (got > 0)
        check_range(buf, static_cast<u64>(got), Access::Write, "recvfrom");
    check_stopped_at_guard(buf, got, n, "recvfrom");
    return got;
}

namespace {

size_t checked_fread(size_t (*real)(void*, size_t, size_t, size_t, FILE*), void* buf, size_t buflen, size_t size,
    size_t count, FILE* f, const char* function)
{
    u64 asked = static_cast<u64>(size) * count;
    if (size && asked / size == count)
        check_write_before_abort(buf, asked, buflen, function);
    require(real != nullptr);
    size_t got = real(buf, buflen, size, count, f);
    if (got)
        check_range(buf, static_cast<u64>(got) * size, Access::Write, function);
    return got;
}

char* checked_fgets(char* (*real)(char*, size_t, int, FILE*), char* buf, size_t buflen, int n, FILE* f, const char* function)
{
    if (n > 0)
        check_write_before_abort(buf, static_cast<size_t>(n), buflen, function);
    require(real != nullptr);
    char* r = real(buf, buflen, n, f);
    if (r)
        check_range(buf, length_of(buf) + 1, Access::Write, function);
    return r;
}

}  // namespace

EXPORT size_t __fread_chk(void* buf, size_t buflen, size_t size, size_t count, FILE* f)
{
    return checked_fread(chk().fread, buf, buflen, size, count, f, "fread");
}

EXPORT size_t __fread_unlocked_chk(void* buf, size_t buflen, size_t size, size_t count, FILE* f)
{
    return checked_fread(chk().fread_unlocked, buf, buflen, size, count, f, "fread_unlocked");
}

EXPORT char* __fgets_chk(char* buf, size_t buflen, int n, FILE* f)
{
    return checked_fgets(chk().fgets, buf, buflen, n, f, "fgets");
}

EXPORT char* __fgets_unlocked_chk(char* buf, size_t buflen, int n, FILE* f)
{
    return checked_fgets(chk().fgets_unlocked, buf, buflen, n, f, "fgets_unlocked");
}

// ---- printf family: arguments checked as in the plain interceptors, destinations as well -----

EXPORT int __vfprintf_chk(FILE* f, int flag, const char* fmt, va_list ap)
{
    check_format(fmt, ap, "vfprintf");
    auto real = chk().vfprintf;
    require(real != nullptr);
    return real(f, flag, fmt, ap);
}

EXPORT int __vprintf_chk(int flag, const char* fmt, va_list ap)
{
    check_format(fmt, ap, "vprintf");
    auto real = chk().vfprintf;
    require(real != nullptr);
    return real(stdout, flag, fmt, ap);
}

EXPORT int __printf_chk(int flag, const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    check_format(fmt, ap, "printf");
    auto real = chk().vfprintf;
    require(real != nullptr);
    int r = real(stdout, flag, fmt, ap);
    va_end(ap);
    return r;
}

EXPORT int __fprintf_chk(FILE* f, int flag, const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    check_format(fmt, ap, "fprintf");
    auto real = chk().vfprintf;
    require(real != nullptr);
    int r = real(f, flag, fmt, ap);
    va_end(ap);
    return r;
}

EXPORT int __vdprintf_chk(int fd, int flag, const char* fmt, va_list ap)
{
    check_format(fmt, ap, "vdprintf");
    auto real = chk().vdprintf;
    require(real != nullptr);
    return real(fd, flag, fmt, ap);
}

EXPORT int __dprintf_chk(int fd, int flag, const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    check_format(fmt, ap, "dprintf");
    auto real = chk().vdprintf;
    require(real != nullptr);
    int r = real(fd, flag, fmt, ap);
    va_end(ap);
    return r;
}

EXPORT int __vasprintf_chk(char** out, int flag, const char* fmt, va_list ap)
{
    check_format(fmt, ap, "vasprintf");
    auto real = chk().vasprintf;
    require(real != nullptr);
    return real(out, flag, fmt, ap);
}

EXPORT int __asprintf_chk(char** out, int flag, const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    check_format(fmt, ap, "asprintf");
    auto real = chk().vasprintf;
    require(real != nullptr);
    int r = real(out, flag, fmt, ap);
    va_end(ap);
    return r;
}

namespace {

// sprintf into `dst`: when glibc knows the destination's size, the length is measured first so
// an overflow is reported before fortify aborts; otherwise checked after, like plain sprintf.
int checked_vsprintf(char* dst, int flag, size_t dstlen, const char* fmt, va_list ap, const char* function)
{
    check_format(fmt, ap, function);
    bool checked = false;
    if (dstlen != static_cast<size_t>(-1)) {
        int n = formatted_length(fmt, ap);
        if (n >= 0) {
            check_range(dst, static_cast<u64>(n) + 1, Access::Write, function);
            checked = true;
        }
    }
    auto real = chk().vsprintf;
    require(real != nullptr);
    int r = real(dst, flag, dstlen, fmt, ap);
    if (r >= 0 && !checked)
        check_range(dst, static_cast<u64>(r) + 1, Access::Write, function);
    return r;
}

int checked_vsnprintf(char* dst, size_t maxlen, int flag, size_t dstlen, const char* fmt, va_list ap, const char* function)
{
    check_format(fmt, ap, function);
    bool checked = false;
    if (maxlen > dstlen) {
        int n = formatted_length(fmt, ap);
        if (n >= 0) {
            u64 written = static_cast<u64>(n) + 1 < maxlen ? static_cast<u64>(n) + 1 : maxlen;
            check_range(dst, written, Access::Write, function);
            checked = true;
        }
    }
    auto real = chk().vsnprintf;
    require(real != nullptr);
    int r = real(dst, maxlen, flag, dstlen, fmt, ap);
    if (r >= 0 && maxlen && !checked) {
        u64 written = static_cast<u64>(r) + 1 < maxlen ? static_cast<u64>(r) + 1 : maxlen;
        check_range(dst, written, Access::Write, function);
    }
    return r;
}

}  // namespace

EXPORT int __vsprintf_chk(char* dst, int flag, size_t dstlen, const char* fmt, va_list ap)
{
    return checked_vsprintf(dst, flag, dstlen, fmt, ap, "vsprintf");
}

EXPORT int __sprintf_chk(char* dst, int flag, size_t dstlen, const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = checked_vsprintf(dst, flag, dstlen, fmt, ap, "sprintf");
    va_end(ap);
    return r;
}

EXPORT int __vsnprintf_chk(char* dst, size_t maxlen, int flag, size_t dstlen, const char* fmt, va_list ap)
{
    return checked_vsnprintf(dst, maxlen, flag, dstlen, fmt, ap, "vsnprintf");
}

EXPORT int __snprintf_chk(char* dst, size_t maxlen, int flag, size_t dstlen, const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = checked_vsnprintf(dst, maxlen, flag, dstlen, fmt, ap, "snprintf");
    va_end(ap);
    return r;
}
