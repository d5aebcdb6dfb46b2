// EXPECT: heap-overflow
// EXPECT-LINE: 9
// EXPECT-STACK: alloc
// Writing the element before the block (a length stored at index -1).
#include <stdlib.h>

int main(void)
{
    long* v = malloc(4 * sizeof(long)); // BUG
    v[-1] = 4;
    v[0] = 1;
    long r = v[0];
    free(v);
    return (int)r - 1;
}
