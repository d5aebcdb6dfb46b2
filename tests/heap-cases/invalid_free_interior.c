// EXPECT: invalid-free
// EXPECT-LINE: 13
// Freeing a pointer that was advanced past the start of its block.
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char* line = malloc(32);
    strcpy(line, "   trimmed");
    while (*line == ' ')
        ++line;
    free(line); // BUG
    return 0;
}
