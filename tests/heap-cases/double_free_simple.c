// EXPECT: double-free
// EXPECT-LINE: 12
// Freed on the error path and again at the end.
#include <stdlib.h>

int main(int argc, char** argv)
{
    (void)argv;
    char* buf = malloc(100);
    if (argc < 5)
        free(buf);
    free(buf); // BUG
    return 0;
}
