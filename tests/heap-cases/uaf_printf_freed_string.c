// EXPECT: use-after-free
// EXPECT-LINE: 12
// Printing a string after freeing it.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char* name = strdup("session-name");
    free(name);
    printf("closed %s\n", name); // BUG
    return 0;
}
