// EXPECT: heap-overflow
// EXPECT-LINE: 12
// The classic: malloc(strlen(s)) forgets the terminating NUL.
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

int main(int argc, char** argv)
{
    const char* s = argc > 5 ? argv[1] : "configuration";
    char* copy = malloc(strlen(s));
    strcpy(copy, s); // BUG
    printf("%s\n", copy);
    free(copy);
    return 0;
}
