// EXPECT: invalid-free
// EXPECT-LINE: 11
// Freeing an array on the stack.
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char local[64];
    strcpy(local, "not from malloc");
    free(local); // BUG
    return 0;
}
