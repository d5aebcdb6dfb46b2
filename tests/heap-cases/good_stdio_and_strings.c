// EXPECT-NONE
// Everyday string and stdio work on heap buffers, all within bounds and initialised.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    char* a = malloc(32);
    snprintf(a, 32, "%s-%d", "item", 42);
    char* b = malloc(strlen(a) + 1);
    strcpy(b, a);
    strcat(b + strlen(b), "");
    char* c = calloc(1, 64);
    strncpy(c, b, 63);
    memmove(c + 1, c, 10);
    printf("%s %s %.3s\n", a, b, c);
    fwrite(b, 1, strlen(b), stdout);
    write(1, "\n", 1);
    int eq = memcmp(a, b, strlen(a) + 1);
    free(c);
    free(b);
    free(a);
    return eq;
}
