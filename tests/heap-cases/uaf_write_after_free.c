// EXPECT: use-after-free
// EXPECT-LINE: 11
// EXPECT-STACK: free
// A stale pointer written after free; found when the block leaves the quarantine.
#include <stdlib.h>

int main(void)
{
    int* state = malloc(8 * sizeof(int));
    state[0] = 1;
    free(state); // BUG
    state[2] = 7;
    return 0;
}
