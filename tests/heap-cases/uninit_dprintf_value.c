// EXPECT: uninitialised-read
// EXPECT-LINE: 14
// dprintf to a descriptor with a counter that was allocated but never set.
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    long* counters = malloc(3 * sizeof(long));
    counters[0] = 5;
    counters[2] = 9;
    long total = counters[0] + counters[2];
    (void)total;
    dprintf(1, "%ld %ld\n", counters[0], counters[1]); // BUG
    free(counters);
    return 0;
}
