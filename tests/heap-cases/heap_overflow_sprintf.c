// EXPECT: heap-overflow
// EXPECT-LINE: 11
// A formatted name longer than the buffer it is printed into.
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    int id = 123456;
    char* label = malloc(8);
    sprintf(label, "user-%d", id); // BUG
    puts(label);
    free(label);
    return 0;
}
