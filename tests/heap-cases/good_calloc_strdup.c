// EXPECT-NONE
// calloc (zeroed, and NULL on overflow as glibc does), strdup, free(NULL), malloc(0).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    int* zeros = calloc(100, sizeof(int));
    int sum = 0;
    for (int i = 0; i < 100; ++i)
        sum += zeros[i];
    void* huge = calloc(SIZE_MAX / 2, 4);
    char* s = strdup("duplicate me");
    char* n = strndup("partial copy", 7);
    void* empty = malloc(0);
    free(NULL);
    printf("%d %s %s %p\n", sum, s, n, huge);
    free(empty);
    free(n);
    free(s);
    free(zeros);
    return huge == NULL ? 0 : 1;
}
