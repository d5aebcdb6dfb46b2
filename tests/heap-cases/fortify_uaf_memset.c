// EXPECT: use-after-free
// EXPECT-LINE: 17
// CFLAGS: -O2 -D_FORTIFY_SOURCE=2
// Clearing a buffer after it was handed back: a fortified memset (__memset_chk) of a freed
// block, within its old size, so only the checker notices.
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv)
{
    (void)argv;
    char* secret = malloc(32);
    memset(secret, 'k', 32);
    __asm__ volatile("" : : "r"(secret) : "memory");
    free(secret);
    __asm__ volatile("" : : "r"(secret) : "memory");
    memset(secret, 0, 16 + (size_t)argc); // BUG
    return 0;
}
