// EXPECT: heap-overflow
// EXPECT-LINE: 17
// CFLAGS: -O2 -D_FORTIFY_SOURCE=2
// MEMCHECK: memcheck's own __memcpy_chk prints "memcpy_chk: buffer overflow detected" and exits without an error record
// A fortified memcpy: the compiler knows the block holds 16 bytes, so it calls __memcpy_chk,
// which copies 24. Reported at the call; then glibc's fortify check aborts the program.
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv)
{
    (void)argv;
    size_t n = 16 + 8 * (size_t)argc;
    char* src = calloc(1, 64);
    char* dst = malloc(16);
    __asm__ volatile("" : : "r"(dst) : "memory");
    memcpy(dst, src, n); // BUG
    int r = dst[0];
    free(src);
    free(dst);
    return r;
}
