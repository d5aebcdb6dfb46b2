/* Reads one element past the end of many short-lived blocks: a read leaves no trace in a
 * redzone, so only a guard page can catch it. Block sizes are multiples of 16, so a sampled
 * block ends exactly at its guard page. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 100000;
    long sum = 0;
    for (int i = 0; i < rounds; ++i) {
        int n = 4 * (1 + i % 8);
        int* a = malloc(n * sizeof(int));
        for (int j = 0; j < n; ++j)
            a[j] = j;
        sum += a[n]; /* one past the end */
        free(a);
    }
    printf("%ld\n", sum);
    return 0;
}
