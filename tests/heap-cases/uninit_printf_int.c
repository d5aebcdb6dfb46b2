// EXPECT: uninitialised-read
// EXPECT-LINE: 12
// Printing an array element nobody assigned.
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    int* counts = malloc(4 * sizeof(int));
    counts[0] = 1;
    counts[1] = 2;
    printf("%d %d\n", counts[0], counts[3]); // BUG
    free(counts);
    return 0;
}
