// EXPECT: heap-overflow
// EXPECT-LINE: 14
// OPTIONS: --guard-sample=1
// Reading one past the end (no write, so no redzone changes): a sampled block's guard page
// faults at the read. The default samples one block in 5000; 1 samples every block.
#include <stdlib.h>

int main(void)
{
    int n = 8;
    int* a = malloc(n * sizeof(int));
    for (int i = 0; i < n; ++i)
        a[i] = i;
    int past = a[n]; // BUG
    free(a);
    return past;
}
