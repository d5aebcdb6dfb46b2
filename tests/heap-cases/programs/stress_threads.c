// 8 threads allocate blocks of varied sizes (malloc, calloc, realloc, aligned) and hand them to
// each other through shared slots, so most frees happen on another thread than the malloc.
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 8
#define SLOTS 4096
#define ROUNDS 60000
static _Atomic(void*) slots[SLOTS];

static void* worker(void* arg)
{
    uint64_t x = (uintptr_t)arg * 0x9E3779B97F4A7C15ull + 1;
    for (int i = 0; i < ROUNDS; ++i) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        size_t size = 1 + x % 512;
        void* p;
        switch (x % 4) {
        case 0: p = malloc(size); memset(p, 1, size); break;
        case 1: p = calloc(1, size); break;
        case 2: p = aligned_alloc(64, (size + 63) & ~(size_t)63); memset(p, 2, size); break;
        default: p = realloc(malloc(8), size); memset(p, 3, size); break;
        }
        void* old = __atomic_exchange_n(&slots[(x >> 20) % SLOTS], p, __ATOMIC_ACQ_REL);
        free(old);
    }
    return NULL;
}

int main(void)
{
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; ++i)
        pthread_create(&t[i], NULL, worker, (void*)(uintptr_t)(i + 1));
    for (int i = 0; i < THREADS; ++i)
        pthread_join(t[i], NULL);
    for (int i = 0; i < SLOTS; ++i)
        free(slots[i]);
    return 0;
}
