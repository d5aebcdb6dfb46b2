// EXPECT: use-after-free
// EXPECT-LINE: 27
// A stale pointer into a 12 MB buffer used after the buffer was freed. A block that big is
// past the quarantine's per-shard share (4 MiB by default), so it goes straight back to glibc,
// which had mapped it on its own and now unmaps it: the load faults on a hole. The checker
// remembers the blocks it gave back, so the fault is still named a use after free, with the
// block's allocation and free stacks, rather than a wild access.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double* make_samples(size_t n)
{
    double* samples = malloc(n * sizeof *samples);
    if (samples)
        for (size_t i = 0; i < n; ++i)
            samples[i] = (double)i;
    return samples;
}

int main(void)
{
    size_t n = 1500000;  // 12 MB
    double* samples = make_samples(n);
    const double* median = samples ? &samples[n / 2] : NULL;
    free(samples);
    printf("%f\n", median ? *median : 0.0);  // BUG: the buffer was freed
    return 0;
}
