// EXPECT: heap-overflow
// EXPECT-LINE: 13
// Copying n elements into room for n - 1.
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv)
{
    (void)argv;
    size_t n = 8 + (size_t)argc;
    int* src = calloc(n, sizeof(int));
    int* dst = malloc((n - 1) * sizeof(int));
    memcpy(dst, src, n * sizeof(int)); // BUG
    int r = dst[0];
    free(src);
    free(dst);
    return r;
}
