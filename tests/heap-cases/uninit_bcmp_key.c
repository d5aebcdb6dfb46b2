// EXPECT: uninitialised-read
// EXPECT-LINE: 15
// Comparing keys with bcmp (what clang turns memcmp(...) == 0 into) when one key was never
// filled in.
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int main(void)
{
    char* wanted = malloc(16);
    char* stored = malloc(16);
    memcpy(wanted, "0123456789abcdef", 16);
    memcpy(stored, "0123", 4);
    int same = bcmp(wanted, stored, 16) == 0; // BUG
    free(stored);
    free(wanted);
    return same;
}
