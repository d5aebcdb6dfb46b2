// EXPECT-NONE
// Large buffers used through pointers into their middle, on four threads at once: reads and
// writes that stay inside, blocks grown with realloc, neighbours freed and reused meanwhile.
// Interceptors find such blocks from any address in them; none of this may be reported.
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void* churn(void* arg)
{
    uint64_t x = (uintptr_t)arg * 0x9E3779B97F4A7C15ull + 1;
    char* kept[8] = { 0 };
    size_t sizes[8] = { 0 };
    char line[256];
    memset(line, 'x', sizeof line);
    for (int i = 0; i < 400; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int k = (int)(x % 8);
        size_t size = 64 * 1024 + (size_t)(x >> 20) % (1024 * 1024);
        if (kept[k] && (x & 1)) {
            size_t grown = sizes[k] + 4096 + (size_t)(x >> 40) % 100000;
            char* p = realloc(kept[k], grown);
            if (!p)
                return NULL;
            memset(p + sizes[k], 'g', grown - sizes[k]);
            kept[k] = p;
            sizes[k] = grown;
        } else {
            free(kept[k]);
            kept[k] = malloc(size);
            if (!kept[k])
                return NULL;
            memset(kept[k], 'n', size);
            sizes[k] = size;
        }
        char* b = kept[k];
        size_t n = sizes[k];
        size_t at = (size_t)(x >> 8) % (n - sizeof line);
        memcpy(b + at, line, sizeof line);
        memcpy(line, b + n - sizeof line, sizeof line);
        memmove(b + n / 2, b + n / 3, n / 4);
        if (memcmp(b + at, b + at, 16) != 0 || strnlen(b + n - 100, 100) != 100)
            abort();
    }
    for (int k = 0; k < 8; ++k)
        free(kept[k]);
    return NULL;
}

int main(void)
{
    pthread_t threads[4];
    for (long i = 0; i < 4; ++i)
        pthread_create(&threads[i], NULL, churn, (void*)(i + 1));
    for (int i = 0; i < 4; ++i)
        pthread_join(threads[i], NULL);
    return 0;
}
