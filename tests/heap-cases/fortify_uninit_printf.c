// EXPECT: uninitialised-read
// EXPECT-LINE: 15
// CFLAGS: -O2 -D_FORTIFY_SOURCE=2
// A fortified printf (__printf_chk) is passed an element nobody assigned.
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    int* totals = malloc(4 * sizeof(int));
    __asm__ volatile("" : : "r"(totals) : "memory");
    totals[0] = 10;
    totals[1] = 20;
    __asm__ volatile("" : : "r"(totals) : "memory");
    printf("%d %d\n", totals[0], totals[2]); // BUG
    free(totals);
    return 0;
}
