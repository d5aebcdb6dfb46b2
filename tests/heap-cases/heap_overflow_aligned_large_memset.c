// EXPECT: heap-overflow
// EXPECT-LINE: 19
// A page-aligned frame buffer cleared row by row, with one row too many: the last memset
// starts inside the block and runs past it.
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv)
{
    (void)argv;
    const size_t width = 640;
    const size_t rows = 240;
    unsigned char* frame = NULL;
    if (posix_memalign((void**)&frame, 4096, width * rows) != 0)
        return 1;
    size_t last_row = rows + (size_t)argc - 1;
    // BUG: <= clears rows + 1 rows
    for (size_t y = 0; y <= last_row; ++y)
        memset(frame + y * width, 0, width);
    int first = frame[0];
    free(frame);
    return first;
}
