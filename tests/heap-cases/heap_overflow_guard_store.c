// EXPECT: heap-overflow
// EXPECT-LINE: 12
// OPTIONS: --guard
// The same off-by-one store, caught at the store by a guard page.
#include <stdlib.h>

int main(void)
{
    int n = 10;
    int* a = malloc(n * sizeof(int));
    for (int i = 0; i <= n; ++i)
        a[i] = i; // BUG
    int sum = a[0];
    free(a);
    return sum;
}
