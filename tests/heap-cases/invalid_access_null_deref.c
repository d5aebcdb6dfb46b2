// EXPECT: invalid-access
// EXPECT-LINE: 21
// A NULL pointer from a failed lookup is written through.
#include <stdio.h>
#include <string.h>

struct entry { const char* name; int value; };

static struct entry* find(struct entry* table, int n, const char* name)
{
    for (int i = 0; i < n; ++i)
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}

int main(void)
{
    struct entry table[2] = { { "a", 1 }, { "b", 2 } };
    struct entry* e = find(table, 2, "c");
    e->value = 3; // BUG
    printf("%d\n", table[0].value);
    return 0;
}
