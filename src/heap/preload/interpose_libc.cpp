// libc functions that read or write byte ranges, checked against the heap block the range
// starts in, then forwarded to the real function. Errors are reported at the call (the
// caller's line), and the call still happens, as it would without the checker.
// glibc's <stdio.h> defines vprintf as an extern inline when optimising; this file defines the
// real symbol, which clang refuses beside the inline one.
#ifndef __NO_INLINE__
#define __NO_INLINE__ 1
#endif
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <dlfcn.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "allocator.h"
#include "interpose_shared.h"
#include "libc_entry.h"
#include "range_check.h"
#include "sys.h"

#define EXPORT extern "C" __attribute__((visibility("default")))

using namespace ringside::heap::rt;

namespace ringside::heap::rt {

namespace {

PrintfEntries g_printf;
std::atomic<bool> g_printf_resolved { false };
SpinLock g_printf_lock;

template <typename F>
void resolve(F& slot, const char* name)
{
    slot = reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

// Runs `resolve_all` once, on first use (dlsym is not safe before libc is up), with the
// fast path a single acquire load.
template <typename ResolveAll>
void resolve_once(std::atomic<bool>& done, SpinLock& lock, ResolveAll&& resolve_all)
{
    if (done.load(std::memory_order_acquire))
        return;
    LockGuard guard(lock);
    if (done.load(std::memory_order_relaxed))
        return;
    ReentryGuard reentry;  // dlsym may allocate its error buffer
    resolve_all();
    done.store(true, std::memory_order_release);
}

}  // namespace

const PrintfEntries& real_printf()
{
    resolve_once(g_printf_resolved, g_printf_lock, [] {
        resolve(g_printf.vfprintf, "vfprintf");
        resolve(g_printf.vsprintf, "vsprintf");
        resolve(g_printf.vsnprintf, "vsnprintf");
        resolve(g_printf.vdprintf, "vdprintf");
        resolve(g_printf.vasprintf, "vasprintf");
    });
    return g_printf;
}

size_t length_of(const char* s)
{
    return g_libc.strlen ? g_libc.strlen(s) : string_length(s);
}

size_t bounded_length(const char* s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        ++n;
    return n;
}

void check_format(const char* fmt, va_list args, const char* function)
{
    va_list ap;
    va_copy(ap, args);
    for (const char* p = fmt; p && *p; ++p) {
        if (*p != '%')
            continue;
        ++p;
        if (*p == '%')
            continue;
        while (*p && (*p == '-' || *p == '+' || *p == ' ' || *p == '#' || *p == '0' || *p == '\'' || *p == 'I'))
            ++p;
        if (*p == '*') {
            (void)va_arg(ap, int);
            ++p;
        } else {
            while (*p >= '0' && *p <= '9')
                ++p;
            if (*p == '$')
                break;  // positional arguments: too rare to follow
        }
        long precision = -1;
        if (*p == '.') {
            ++p;
            if (*p == '*') {
                precision = va_arg(ap, int);
                ++p;
            } else {
                precision = 0;
                while (*p >= '0' && *p <= '9')
                    precision = precision * 10 + (*p++ - '0');
            }
        }
        int longs = 0;
        bool long_double = false;
        for (;; ++p) {
            if (*p == 'l' || *p == 'q' || *p == 'j' || *p == 'z' || *p == 'Z' || *p == 't')
                longs += (*p == 'l') ? 1 : 2;
            else if (*p == 'L')
                long_double = true;
            else if (*p != 'h')
                break;
        }
        switch (*p) {
        case 'd': case 'i': case 'u': case 'o': case 'x': case 'X':
            if (longs)
                check_value(va_arg(ap, unsigned long), 8, function);
            else
                check_value(va_arg(ap, unsigned int), 4, function);
            break;
        case 'c':
            (void)va_arg(ap, int);
            break;
        case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'a': case 'A':
            if (long_double) {
                (void)va_arg(ap, long double);
            } else {
                double d = va_arg(ap, double);
                u64 bits;
                copy_bytes(&bits, &d, sizeof bits);
                check_value(bits, 8, function);
            }
            break;
        case 's': {
            const char* s = va_arg(ap, const char*);
            if (s) {
                size_t n = precision >= 0 ? bounded_length(s, static_cast<size_t>(precision)) : length_of(s);
                if (!read_is_clean(s, precision >= 0 ? n : n + 1, n)) {
                    check_range_slow(s, precision >= 0 ? n : n + 1, Access::Read, function);
                    check_initialised_slow(s, n, function);
                }
            }
            break;
        }
        case 'p':
            check_value(reinterpret_cast<u64>(va_arg(ap, void*)), 8, function);
            break;
        case 'n':
            (void)va_arg(ap, void*);
            break;
        case 0:
            va_end(ap);
            return;
        default:
            break;
        }
    }
    va_end(ap);
}

}  // namespace ringside::heap::rt

EXPORT void* memcpy(void* dst, const void* src, size_t n)
{
    if (!g_libc.memcpy) {
        copy_bytes(dst, src, n);
        return dst;
    }
    check_range(dst, n, Access::Write, "memcpy");
    check_range(src, n, Access::Read, "memcpy");
    return g_libc.memcpy(dst, src, n);
}

EXPORT void* memmove(void* dst, const void* src, size_t n)
{
    if (!g_libc.memmove) {
        // Early start-up only: copy through a direction-safe loop.
        auto* d = static_cast<volatile unsigned char*>(dst);
        auto* s = static_cast<const volatile unsigned char*>(src);
        if (d < s)
            for (size_t i = 0; i < n; ++i) d[i] = s[i];
        else
            for (size_t i = n; i-- > 0;) d[i] = s[i];
        return dst;
    }
    check_range(dst, n, Access::Write, "memmove");
    check_range(src, n, Access::Read, "memmove");
    return g_libc.memmove(dst, src, n);
}

EXPORT void* memset(void* dst, int c, size_t n)
{
    if (!g_libc.memset) {
        fill_bytes(dst, static_cast<u8>(c), n);
        return dst;
    }
    check_range(dst, n, Access::Write, "memset");
    return g_libc.memset(dst, c, n);
}

EXPORT int memcmp(const void* a, const void* b, size_t n)
{
    if (!g_libc.memcmp) {
        auto* x = static_cast<const unsigned char*>(a);
        auto* y = static_cast<const unsigned char*>(b);
        for (size_t i = 0; i < n; ++i)
            if (x[i] != y[i])
                return x[i] - y[i];
        return 0;
    }
    check_compared(a, b, n, "memcmp");
    return g_libc.memcmp(a, b, n);
}

EXPORT size_t strlen(const char* s)
{
    if (!g_libc.strlen)
        return string_length(s);
    size_t n = g_libc.strlen(s);
    check_range(s, n + 1, Access::Read, "strlen");
    return n;
}

EXPORT char* strcpy(char* dst, const char* src)
{
    if (!g_libc.strcpy) {
        copy_bytes(dst, src, string_length(src) + 1);
        return dst;
    }
    size_t n = length_of(src) + 1;
    check_range(src, n, Access::Read, "strcpy");
    check_range(dst, n, Access::Write, "strcpy");
    return g_libc.strcpy(dst, src);
}

EXPORT char* stpcpy(char* dst, const char* src)
{
    size_t n = length_of(src) + 1;
    if (!g_libc.stpcpy) {
        copy_bytes(dst, src, n);
        return dst + n - 1;
    }
    check_range(src, n, Access::Read, "stpcpy");
    check_range(dst, n, Access::Write, "stpcpy");
    return g_libc.stpcpy(dst, src);
}

EXPORT char* strncpy(char* dst, const char* src, size_t n)
{
    if (!g_libc.strncpy) {
        size_t i = 0;
        for (; i < n && src[i]; ++i)
            dst[i] = src[i];
        for (; i < n; ++i)
            dst[i] = 0;
        return dst;
    }
    size_t read = bounded_length(src, n);
    check_range(src, read < n ? read + 1 : n, Access::Read, "strncpy");
    check_range(dst, n, Access::Write, "strncpy");
    return g_libc.strncpy(dst, src, n);
}

EXPORT char* strcat(char* dst, const char* src)
{
    size_t d = length_of(dst);
    size_t s = length_of(src);
    if (!g_libc.strcat) {
        copy_bytes(dst + d, src, s + 1);
        return dst;
    }
    check_range(src, s + 1, Access::Read, "strcat");
    check_range(dst, d + s + 1, Access::Write, "strcat");
    return g_libc.strcat(dst, src);
}

EXPORT char* strncat(char* dst, const char* src, size_t n)
{
    size_t d = length_of(dst);
    size_t s = bounded_length(src, n);
    if (!g_libc.strncat) {
        copy_bytes(dst + d, src, s);
        dst[d + s] = 0;
        return dst;
    }
    check_range(dst, d + s + 1, Access::Write, "strncat");
    return g_libc.strncat(dst, src, n);
}

EXPORT ssize_t read(int fd, void* buf, size_t n)
{
    if (!g_libc.read)
        return raw_syscall6(SYS_read, fd, reinterpret_cast<long>(buf), static_cast<long>(n), 0, 0, 0);
    ssize_t got = g_libc.read(fd, buf, n);
    if (got > 0)
        check_range(buf, static_cast<u64>(got), Access::Write, "read");
    check_stopped_at_guard(buf, got, n, "read");
    return got;
}

EXPORT ssize_t recv(int fd, void* buf, size_t n, int flags)
{
    ssize_t got = g_libc.recv(fd, buf, n, flags);
    if (got > 0)
        check_range(buf, static_cast<u64>(got), Access::Write, "recv");
    check_stopped_at_guard(buf, got, n, "recv");
    return got;
}

EXPORT ssize_t write(int fd, const void* buf, size_t n)
{
    if (!g_libc.write)
        return raw_syscall6(SYS_write, fd, reinterpret_cast<long>(buf), static_cast<long>(n), 0, 0, 0);
    check_read(buf, n, n, "write");
    return g_libc.write(fd, buf, n);
}

EXPORT ssize_t send(int fd, const void* buf, size_t n, int flags)
{
    check_read(buf, n, n, "send");
    return g_libc.send(fd, buf, n, flags);
}

// ---- more outputs: vectored, positioned and datagram writes, unlocked stdio, bcmp -------------

namespace {

struct OutputEntries {
    ssize_t (*writev)(int, const iovec*, int) = nullptr;
    ssize_t (*pwrite)(int, const void*, size_t, off_t) = nullptr;
    ssize_t (*pwrite64)(int, const void*, size_t, off64_t) = nullptr;
    ssize_t (*sendto)(int, const void*, size_t, int, const sockaddr*, socklen_t) = nullptr;
    ssize_t (*sendmsg)(int, const msghdr*, int) = nullptr;
    size_t (*fwrite_unlocked)(const void*, size_t, size_t, FILE*) = nullptr;
    int (*fputs_unlocked)(const char*, FILE*) = nullptr;
    int (*bcmp)(const void*, const void*, size_t) = nullptr;
};

OutputEntries g_output;
std::atomic<bool> g_output_resolved { false };
SpinLock g_output_lock;

const OutputEntries& real_output()
{
    resolve_once(g_output_resolved, g_output_lock, [] {
        resolve(g_output.writev, "writev");
        resolve(g_output.pwrite, "pwrite");
        resolve(g_output.pwrite64, "pwrite64");
        resolve(g_output.sendto, "sendto");
        resolve(g_output.sendmsg, "sendmsg");
        resolve(g_output.fwrite_unlocked, "fwrite_unlocked");
        resolve(g_output.fputs_unlocked, "fputs_unlocked");
        resolve(g_output.bcmp, "bcmp");
    });
    return g_output;
}

// Bytes leaving the process: inside their block, and written at some point.
void check_output(const void* buf, u64 n, const char* function) { check_read(buf, n, n, function); }

void check_iovec(const iovec* iov, u64 count, const char* function)
{
    if (!iov || !check_range(iov, count * sizeof(iovec), Access::Read, function))
        return;
    for (u64 i = 0; i < count; ++i)
        check_output(iov[i].iov_base, iov[i].iov_len, function);
}

}  // namespace

EXPORT ssize_t writev(int fd, const iovec* iov, int count)
{
    auto real = real_output().writev;
    if (!real)
        return raw_syscall6(SYS_writev, fd, reinterpret_cast<long>(iov), count, 0, 0, 0);
    if (count > 0)
        check_iovec(iov, static_cast<u64>(count), "writev");
    return real(fd, iov, count);
}

EXPORT ssize_t pwrite(int fd, const void* buf, size_t n, off_t offset)
{
    check_output(buf, n, "pwrite");
    auto real = real_output().pwrite;
    return real ? real(fd, buf, n, offset) : raw_syscall6(SYS_pwrite64, fd, reinterpret_cast<long>(buf), static_cast<long>(n), offset, 0, 0);
}

EXPORT ssize_t pwrite64(int fd, const void* buf, size_t n, off64_t offset)
{
    check_output(buf, n, "pwrite64");
    auto real = real_output().pwrite64;
    return real ? real(fd, buf, n, offset) : raw_syscall6(SYS_pwrite64, fd, reinterpret_cast<long>(buf), static_cast<long>(n), offset, 0, 0);
}

EXPORT ssize_t sendto(int fd, const void* buf, size_t n, int flags, const sockaddr* to, socklen_t tolen)
{
    check_output(buf, n, "sendto");
    auto real = real_output().sendto;
    return real ? real(fd, buf, n, flags, to, tolen) : -1;
}

EXPORT ssize_t sendmsg(int fd, const msghdr* msg, int flags)
{
    if (msg && check_range(msg, sizeof *msg, Access::Read, "sendmsg"))
        check_iovec(msg->msg_iov, msg->msg_iovlen, "sendmsg");
    auto real = real_output().sendmsg;
    return real ? real(fd, msg, flags) : -1;
}

EXPORT size_t fwrite_unlocked(const void* buf, size_t size, size_t count, FILE* f)
{
    check_output(buf, static_cast<u64>(size) * count, "fwrite_unlocked");
    auto real = real_output().fwrite_unlocked;
    return real ? real(buf, size, count, f) : 0;
}

EXPORT int fputs_unlocked(const char* s, FILE* f)
{
    size_t n = length_of(s);
    check_output(s, n, "fputs_unlocked");
    auto real = real_output().fputs_unlocked;
    return real ? real(s, f) : EOF;
}

EXPORT int bcmp(const void* a, const void* b, size_t n)
{
    auto real = real_output().bcmp;
    if (!real)
        return memcmp(a, b, n);
    check_compared(a, b, n, "bcmp");
    return real(a, b, n);
}

EXPORT size_t fread(void* buf, size_t size, size_t count, FILE* f)
{
    size_t got = g_libc.fread(buf, size, count, f);
    if (got)
        check_range(buf, static_cast<u64>(got) * size, Access::Write, "fread");
    return got;
}

EXPORT size_t fwrite(const void* buf, size_t size, size_t count, FILE* f)
{
    u64 n = static_cast<u64>(size) * count;
    check_read(buf, n, n, "fwrite");
    return g_libc.fwrite(buf, size, count, f);
}

EXPORT char* fgets(char* buf, int n, FILE* f)
{
    char* r = g_libc.fgets(buf, n, f);
    if (r)
        check_range(buf, length_of(buf) + 1, Access::Write, "fgets");
    return r;
}

EXPORT int fputs(const char* s, FILE* f)
{
    size_t n = length_of(s);
    check_read(s, n + 1, n, "fputs");
    return g_libc.fputs(s, f);
}

EXPORT int puts(const char* s)
{
    size_t n = length_of(s);
    check_read(s, n + 1, n, "puts");
    return g_libc.puts(s);
}

// ---- printf family: arguments checked, output buffers range-checked after formatting ----------

namespace {

int checked_vsprintf(char* dst, const char* fmt, va_list ap, const char* function)
{
    check_format(fmt, ap, function);
    auto real = real_printf().vsprintf;
    int r = real ? real(dst, fmt, ap) : -1;
    if (r >= 0)
        check_range(dst, static_cast<u64>(r) + 1, Access::Write, function);
    return r;
}

int checked_vsnprintf(char* dst, size_t n, const char* fmt, va_list ap, const char* function)
{
    check_format(fmt, ap, function);
    auto real = real_printf().vsnprintf;
    int r = real ? real(dst, n, fmt, ap) : -1;
    if (r >= 0 && n) {
        u64 written = static_cast<u64>(r) + 1 < n ? static_cast<u64>(r) + 1 : n;
        check_range(dst, written, Access::Write, function);
    }
    return r;
}

int checked_vfprintf(FILE* f, const char* fmt, va_list ap, const char* function)
{
    check_format(fmt, ap, function);
    auto real = real_printf().vfprintf;
    return real ? real(f, fmt, ap) : -1;
}

}  // namespace

EXPORT int vfprintf(FILE* f, const char* fmt, va_list ap) { return checked_vfprintf(f, fmt, ap, "vfprintf"); }

EXPORT int vprintf(const char* fmt, va_list ap) { return checked_vfprintf(stdout, fmt, ap, "vprintf"); }

EXPORT int printf(const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = checked_vfprintf(stdout, fmt, ap, "printf");
    va_end(ap);
    return r;
}

EXPORT int fprintf(FILE* f, const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = checked_vfprintf(f, fmt, ap, "fprintf");
    va_end(ap);
    return r;
}

EXPORT int vdprintf(int fd, const char* fmt, va_list ap)
{
    check_format(fmt, ap, "vdprintf");
    auto real = real_printf().vdprintf;
    return real ? real(fd, fmt, ap) : -1;
}

EXPORT int dprintf(int fd, const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vdprintf(fd, fmt, ap);
    va_end(ap);
    return r;
}

EXPORT int vasprintf(char** out, const char* fmt, va_list ap)
{
    check_format(fmt, ap, "vasprintf");
    auto real = real_printf().vasprintf;
    return real ? real(out, fmt, ap) : -1;
}

EXPORT int asprintf(char** out, const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vasprintf(out, fmt, ap);
    va_end(ap);
    return r;
}

EXPORT int vsprintf(char* dst, const char* fmt, va_list ap) { return checked_vsprintf(dst, fmt, ap, "vsprintf"); }

EXPORT int sprintf(char* dst, const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = checked_vsprintf(dst, fmt, ap, "sprintf");
    va_end(ap);
    return r;
}

EXPORT int vsnprintf(char* dst, size_t n, const char* fmt, va_list ap)
{
    return checked_vsnprintf(dst, n, fmt, ap, "vsnprintf");
}

EXPORT int snprintf(char* dst, size_t n, const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = checked_vsnprintf(dst, n, fmt, ap, "snprintf");
    va_end(ap);
    return r;
}
