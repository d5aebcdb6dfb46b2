// EXPECT: use-after-free
// EXPECT-LINE: 12
// OPTIONS: --guard
// Reading a freed block: with guard pages the read itself faults.
#include <stdlib.h>

int main(void)
{
    long* v = malloc(16 * sizeof(long));
    v[3] = 5;
    free(v);
    long x = v[3]; // BUG
    return (int)x;
}
