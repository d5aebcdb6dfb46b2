// EXPECT: heap-overflow
// EXPECT-LINE: 10
// EXPECT-STACK: alloc
// An off-by-one loop stores one element past the block; found when the block is freed.
#include <stdlib.h>

int main(void)
{
    int n = 10;
    int* a = malloc(n * sizeof(int)); // BUG
    for (int i = 0; i <= n; ++i)
        a[i] = i;
    int sum = a[0] + a[n - 1];
    free(a);
    return sum == 9 ? 0 : 1;
}
