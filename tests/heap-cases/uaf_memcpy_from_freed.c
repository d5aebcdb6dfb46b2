// EXPECT: use-after-free
// EXPECT-LINE: 13
// Copying out of a buffer that was already released.
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char* msg = malloc(32);
    strcpy(msg, "hello");
    char out[32];
    free(msg);
    memcpy(out, msg, 6); // BUG
    return out[0] == 'h' ? 0 : 1;
}
