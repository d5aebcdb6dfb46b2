// EXPECT: leak
// EXPECT-LINE: 9
// The only pointer to a block is overwritten by a second allocation.
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char* buf = malloc(64); // BUG
    strcpy(buf, "first");
    buf = malloc(128);
    strcpy(buf, "second");
    free(buf);
    return 0;
}
