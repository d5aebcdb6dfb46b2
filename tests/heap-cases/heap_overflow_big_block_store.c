// EXPECT: heap-overflow
// EXPECT-LINE: 17
// A loop storing one element past a big (40 MiB) array (plain stores, no library call): the
// block ends at a guard page, so the first store past it faults and is named at its line.
#include <stdlib.h>

int main(int argc, char** argv)
{
    (void)argv;
    size_t n = 10u << 20;
    int* samples = malloc(n * sizeof *samples);
    if (!samples)
        return 1;
    long sum = 0;
    // BUG: <= n writes samples[n]
    for (size_t i = 0; i <= n + (size_t)argc - 1; ++i)
        samples[i] = (int)i;
    for (size_t i = 0; i < n; ++i)
        sum += samples[i];
    free(samples);
    return (int)(sum & 1);
}
