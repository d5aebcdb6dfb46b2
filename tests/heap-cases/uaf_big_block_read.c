// EXPECT: use-after-free
// EXPECT-LINE: 21
// A plain load from a big buffer after it was freed. Blocks of 32 MiB or more have mappings of
// their own, made inaccessible when freed: the load faults and is named at once.
#include <stdlib.h>
#include <string.h>

static unsigned char* make_table(size_t n)
{
    unsigned char* table = malloc(n);
    if (table)
        memset(table, 7, n);
    return table;
}

int main(int argc, char** argv)
{
    (void)argv;
    unsigned char* table = make_table(40u << 20);
    free(table);
    int v = table[(30u << 20) + (unsigned)argc]; // BUG: the table was freed
    return v;
}
