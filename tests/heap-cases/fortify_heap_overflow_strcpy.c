// EXPECT: heap-overflow
// EXPECT-LINE: 16
// CFLAGS: -O2 -D_FORTIFY_SOURCE=2
// MEMCHECK: memcheck's own __strcpy_chk prints "strcpy_chk: buffer overflow detected" and exits without an error record
// malloc(8) for a longer word, fortified: __strcpy_chk. Reported at the call, then glibc's
// fortify check aborts.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv)
{
    const char* word = argc > 5 ? argv[1] : "a string longer than eight";
    char* copy = malloc(8);
    __asm__ volatile("" : : "r"(copy) : "memory");
    strcpy(copy, word); // BUG
    puts(copy);
    free(copy);
    return 0;
}
