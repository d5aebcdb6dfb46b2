// EXPECT: leak
// EXPECT-LINE: 9
// A string duplicated and dropped (allocated inside libc's strdup).
#include <stdio.h>
#include <string.h>

static size_t name_length(const char* name)
{
    char* copy = strdup(name); // BUG
    return strlen(copy);
}

int main(void)
{
    printf("%zu\n", name_length("ringside"));
    return 0;
}
