// The libc functions the interceptors forward to, found with dlsym(RTLD_NEXT) once at start-up,
// plus fast copies/fills for our own use through glibc's __*_chk entry points (which we do
// not interpose, so calling them cannot come back to us).
#pragma once

#include <cstdarg>
#include <cstddef>
#include <cstdio>
#include <sys/types.h>
#include <ctime>
#include <sys/socket.h>

namespace ringside::heap::rt {

struct LibcEntries {
    void* (*memcpy)(void*, const void*, size_t) = nullptr;
    void* (*memmove)(void*, const void*, size_t) = nullptr;
    void* (*memset)(void*, int, size_t) = nullptr;
    int (*memcmp)(const void*, const void*, size_t) = nullptr;
    char* (*strcpy)(char*, const char*) = nullptr;
    char* (*stpcpy)(char*, const char*) = nullptr;
    char* (*strncpy)(char*, const char*, size_t) = nullptr;
    char* (*strcat)(char*, const char*) = nullptr;
    char* (*strncat)(char*, const char*, size_t) = nullptr;
    size_t (*strlen)(const char*) = nullptr;
    ssize_t (*read)(int, void*, size_t) = nullptr;
    ssize_t (*write)(int, const void*, size_t) = nullptr;
    ssize_t (*recv)(int, void*, size_t, int) = nullptr;
    ssize_t (*send)(int, const void*, size_t, int) = nullptr;
    size_t (*fread)(void*, size_t, size_t, FILE*) = nullptr;
    size_t (*fwrite)(const void*, size_t, size_t, FILE*) = nullptr;
    char* (*fgets)(char*, int, FILE*) = nullptr;
    int (*fputs)(const char*, FILE*) = nullptr;
    int (*puts)(const char*) = nullptr;
    int (*clock_gettime)(clockid_t, timespec*) = nullptr;
};

extern LibcEntries g_libc;

void resolve_libc_entries();

void fast_copy(void* dst, const void* src, size_t n);
void fast_fill(void* dst, unsigned char value, size_t n);
// CLOCK_MONOTONIC in ns through glibc's clock_gettime (the vDSO: no system call, which costs
// about a microsecond on a VM); the system call before start-up has resolved it.
unsigned long long fast_monotonic_ns();

}  // namespace ringside::heap::rt
