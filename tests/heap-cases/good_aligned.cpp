// EXPECT-NONE
// Every aligned allocation API, each released the matching way.
#include <cstdlib>
#include <cstdint>
#include <malloc.h>
#include <new>

struct alignas(64) Line { char bytes[64]; };

int main()
{
    void* a = aligned_alloc(64, 256);
    void* b = nullptr;
    if (posix_memalign(&b, 128, 100) != 0)
        return 1;
    void* c = memalign(32, 77);
    void* d = valloc(1000);
    void* e = pvalloc(10);
    Line* l = new Line;
    Line* ls = new Line[3];
    void* raw = ::operator new(40, std::align_val_t(256));
    bool ok = (uintptr_t)a % 64 == 0 && (uintptr_t)b % 128 == 0 && (uintptr_t)c % 32 == 0
        && (uintptr_t)d % 4096 == 0 && (uintptr_t)e % 4096 == 0 && (uintptr_t)l % 64 == 0
        && (uintptr_t)ls % 64 == 0 && (uintptr_t)raw % 256 == 0 && malloc_usable_size(c) >= 77;
    ::operator delete(raw, std::align_val_t(256));
    delete[] ls;
    delete l;
    free(e);
    free(d);
    free(c);
    free(b);
    free(a);
    return ok ? 0 : 1;
}
