// EXPECT: heap-overflow
// EXPECT-LINE: 21
// Copying a record out of the tail of a large table: the record at the last index is read
// whole, but the table was allocated one record short of its count.
#include <stdlib.h>
#include <string.h>

struct record {
    char name[48];
    long value;
};

int main(int argc, char** argv)
{
    (void)argv;
    size_t count = 2000 + (size_t)argc;
    struct record* table = malloc((count - 1) * sizeof *table); // BUG: count - 1
    memset(table, 0, (count - 1) * sizeof *table);
    struct record last[2];
    size_t wanted = 1 + (size_t)argc / 2;
    memcpy(last, &table[count - 1], wanted * sizeof *last);
    long value = last[0].value;
    free(table);
    return (int)value;
}
