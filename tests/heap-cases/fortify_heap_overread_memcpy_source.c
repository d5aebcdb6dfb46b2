// EXPECT: heap-overflow
// EXPECT-LINE: 17
// CFLAGS: -O2 -D_FORTIFY_SOURCE=2
// The destination is big enough, so fortify's __memcpy_chk lets the copy through; the source is
// a 10-byte heap block read for 32 bytes. Only the range check against the heap block sees it.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv)
{
    (void)argv;
    char out[64];
    char* src = malloc(10);
    memset(src, 'x', 10);
    __asm__ volatile("" : : "r"(src), "r"(out) : "memory");
    memcpy(out, src, 16 * (size_t)(argc + 1)); // BUG
    out[63] = 0;
    printf("%.4s\n", out);
    free(src);
    return 0;
}
