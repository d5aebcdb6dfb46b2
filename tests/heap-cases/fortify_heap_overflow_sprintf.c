// EXPECT: heap-overflow
// EXPECT-LINE: 15
// CFLAGS: -O2 -D_FORTIFY_SOURCE=2
// MEMCHECK: glibc's __sprintf_chk formats into a buffer bounded by the known size and aborts before any byte lands outside the block, so memcheck sees no invalid write
// A label one digit too long for its block, through __sprintf_chk: the length is measured
// before the call so the report comes before glibc's fortify abort.
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv)
{
    (void)argv;
    char* label = malloc(8);
    __asm__ volatile("" : : "r"(label) : "memory");
    sprintf(label, "item-%d", 1000 + argc); // BUG
    puts(label);
    free(label);
    return 0;
}
