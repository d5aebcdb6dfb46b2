// EXPECT: double-free
// EXPECT-LINE: 11
// realloc(p, 0) already freed the block (glibc); freeing it again is a double free.
#include <stdlib.h>

int main(void)
{
    char* p = malloc(40);
    char* q = realloc(p, 0);
    (void)q;
    free(p); // BUG
    return 0;
}
