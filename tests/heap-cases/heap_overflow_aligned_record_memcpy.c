// EXPECT: heap-overflow
// EXPECT-LINE: 21
// A cache-line-aligned record filled field by field: the last field is copied at an offset
// inside the block and runs 14 bytes past its end. Reported at the memcpy, not at free.
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv)
{
    (void)argv;
    char name[64];
    memset(name, 'n', sizeof name);
    unsigned char* record = NULL;
    if (posix_memalign((void**)&record, 64, 200) != 0)
        return 1;
    memset(record, 0, 200);
    size_t name_at = 150;
    size_t name_len = sizeof name + (size_t)argc - 1;
    // BUG: the record has room for 50 bytes of name
    memcpy(record + 20, name, 8);
    memcpy(record + name_at, name, name_len);
    int first = record[0];
    free(record);
    return first;
}
