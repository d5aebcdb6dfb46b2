// EXPECT: uninitialised-read
// EXPECT-LINE: 17
// Programs that lock the stream themselves (gnulib's habit) write with fwrite_unlocked; here a
// buffer of which only the first half was filled.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    FILE* out = fopen("/dev/null", "w");
    if (!out)
        return 2;
    char* line = malloc(32);
    memset(line, '-', 16);
    size_t n = fwrite_unlocked(line, 1, 32, out); // BUG
    fclose(out);
    free(line);
    return n == 32 ? 0 : 1;
}
