// The allocation API the program sees: every C entry point and every C++ operator new and
// delete, each mapped onto allocate/deallocate with the family it belongs to, so that
// releasing a block the wrong way (free of new[], delete of malloc) is caught.
#include <cerrno>
#include <cstddef>
#include <dlfcn.h>
#include <new>

#include "allocator.h"

#define EXPORT extern "C" __attribute__((visibility("default")))
#define EXPORT_CXX __attribute__((visibility("default")))

using namespace ringside::heap::rt;

namespace {

bool is_power_of_two(size_t n) { return n && !(n & (n - 1)); }

// operator new must throw std::bad_alloc, which this library (built without exceptions) cannot
// do: hand the request to the C++ runtime's own operator new, which retries through malloc and
// throws as the standard requires.
void* new_failed(size_t size, const char* symbol)
{
    using NewFn = void* (*)(size_t);
    auto next = reinterpret_cast<NewFn>(dlsym(RTLD_NEXT, symbol));
    if (next)
        return next(size);
    __builtin_trap();
}

void* new_block(size_t size, size_t align, AllocKind kind, const char* symbol)
{
    void* p = allocate(size, align, kind, false);
    return p ? p : new_failed(size, symbol);
}

}  // namespace

EXPORT void* malloc(size_t size) { return allocate(size, 16, AllocKind::Malloc, false); }
EXPORT void free(void* p) { deallocate(p, AllocKind::Malloc, "free"); }

EXPORT void* calloc(size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        errno = ENOMEM;
        return nullptr;
    }
    return allocate(total, 16, AllocKind::Malloc, true);
}

EXPORT void* realloc(void* p, size_t size) { return reallocate(p, size, "realloc"); }

EXPORT void* reallocarray(void* p, size_t count, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        errno = ENOMEM;
        return nullptr;
    }
    return reallocate(p, total, "reallocarray");
}

EXPORT void* memalign(size_t alignment, size_t size)
{
    if (!is_power_of_two(alignment)) {
        errno = EINVAL;
        return nullptr;
    }
    return allocate(size, alignment, AllocKind::Malloc, false);
}

EXPORT void* aligned_alloc(size_t alignment, size_t size) { return memalign(alignment, size); }

EXPORT int posix_memalign(void** out, size_t alignment, size_t size)
{
    if (!is_power_of_two(alignment) || alignment % sizeof(void*))
        return EINVAL;
    void* p = allocate(size, alignment, AllocKind::Malloc, false);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

EXPORT void* valloc(size_t size) { return allocate(size, 4096, AllocKind::Malloc, false); }

EXPORT void* pvalloc(size_t size)
{
    return allocate((size + 4095) & ~size_t(4095), 4096, AllocKind::Malloc, false);
}

EXPORT size_t malloc_usable_size(void* p) { return usable_size(p); }

// C++: plain, array, nothrow and aligned forms; sized deletes are the same release.
EXPORT_CXX void* operator new(size_t n) { return new_block(n, 16, AllocKind::New, "_Znwm"); }
EXPORT_CXX void* operator new[](size_t n) { return new_block(n, 16, AllocKind::NewArray, "_Znam"); }
EXPORT_CXX void* operator new(size_t n, const std::nothrow_t&) noexcept { return allocate(n, 16, AllocKind::New, false); }
EXPORT_CXX void* operator new[](size_t n, const std::nothrow_t&) noexcept { return allocate(n, 16, AllocKind::NewArray, false); }
EXPORT_CXX void* operator new(size_t n, std::align_val_t a)
{
    void* p = allocate(n, static_cast<size_t>(a), AllocKind::New, false);
    return p ? p : new_failed(n, "_Znwm");
}
EXPORT_CXX void* operator new[](size_t n, std::align_val_t a)
{
    void* p = allocate(n, static_cast<size_t>(a), AllocKind::NewArray, false);
    return p ? p : new_failed(n, "_Znam");
}
EXPORT_CXX void* operator new(size_t n, std::align_val_t a, const std::nothrow_t&) noexcept
{
    return allocate(n, static_cast<size_t>(a), AllocKind::New, false);
}
EXPORT_CXX void* operator new[](size_t n, std::align_val_t a, const std::nothrow_t&) noexcept
{
    return allocate(n, static_cast<size_t>(a), AllocKind::NewArray, false);
}

EXPORT_CXX void operator delete(void* p) noexcept { deallocate(p, AllocKind::New, "delete"); }
EXPORT_CXX void operator delete[](void* p) noexcept { deallocate(p, AllocKind::NewArray, "delete[]"); }
EXPORT_CXX void operator delete(void* p, size_t) noexcept { deallocate(p, AllocKind::New, "delete"); }
EXPORT_CXX void operator delete[](void* p, size_t) noexcept { deallocate(p, AllocKind::NewArray, "delete[]"); }
EXPORT_CXX void operator delete(void* p, const std::nothrow_t&) noexcept { deallocate(p, AllocKind::New, "delete"); }
EXPORT_CXX void operator delete[](void* p, const std::nothrow_t&) noexcept { deallocate(p, AllocKind::NewArray, "delete[]"); }
EXPORT_CXX void operator delete(void* p, std::align_val_t) noexcept { deallocate(p, AllocKind::New, "delete"); }
EXPORT_CXX void operator delete[](void* p, std::align_val_t) noexcept { deallocate(p, AllocKind::NewArray, "delete[]"); }
EXPORT_CXX void operator delete(void* p, size_t, std::align_val_t) noexcept { deallocate(p, AllocKind::New, "delete"); }
EXPORT_CXX void operator delete[](void* p, size_t, std::align_val_t) noexcept { deallocate(p, AllocKind::NewArray, "delete[]"); }
EXPORT_CXX void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { deallocate(p, AllocKind::New, "delete"); }
EXPORT_CXX void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { deallocate(p, AllocKind::NewArray, "delete[]"); }
