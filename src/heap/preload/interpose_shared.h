// Helpers shared by the plain libc interceptors (interpose_libc.cpp) and their _FORTIFY_SOURCE
// twins (interpose_chk.cpp), so both report the same ranges in the same words.
#pragma once

#include <cstdarg>
#include <cstddef>
#include <cstdio>

namespace ringside::heap::rt {

// strlen through glibc once resolved (our own byte loop before).
size_t length_of(const char* s);
// The length of `s`, reading at most `max` bytes.
size_t bounded_length(const char* s, size_t max);
// Walks a printf format and checks the arguments that carry heap data: %s strings (range and
// never-written bytes) and integers, pointers or doubles equal to the fill pattern.
void check_format(const char* fmt, va_list args, const char* function);

// glibc's va_list printf functions, found with dlsym on first use: this library defines
// vfprintf & co. itself (to check their arguments), so the plain names would call back here.
struct PrintfEntries {
    int (*vfprintf)(FILE*, const char*, va_list) = nullptr;
    int (*vsprintf)(char*, const char*, va_list) = nullptr;
    int (*vsnprintf)(char*, size_t, const char*, va_list) = nullptr;
    int (*vdprintf)(int, const char*, va_list) = nullptr;
    int (*vasprintf)(char**, const char*, va_list) = nullptr;
};
const PrintfEntries& real_printf();

}  // namespace ringside::heap::rt
