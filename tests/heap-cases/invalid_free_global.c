// EXPECT: invalid-free
// EXPECT-LINE: 11
// Freeing a global buffer.
#include <stdlib.h>

static int table[32];

int main(void)
{
    table[0] = 1;
    free(table); // BUG
    return 0;
}
