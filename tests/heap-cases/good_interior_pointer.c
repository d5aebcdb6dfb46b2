// EXPECT-NONE
// At exit the only pointer into a block points to its middle (a string view into a buffer).
#include <stdlib.h>
#include <string.h>

const char* g_value;

int main(void)
{
    char* line = malloc(64);
    strcpy(line, "key=value");
    g_value = strchr(line, '=') + 1;
    return strcmp(g_value, "value");
}
