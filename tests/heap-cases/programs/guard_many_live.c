/* Keeps N blocks alive at once and prints how many mappings the process has at the peak:
 * a guard page per block in a mapping of its own would pass vm.max_map_count (65,530). */
#include <stdio.h>
#include <stdlib.h>

static int count_mappings(void)
{
    FILE* f = fopen("/proc/self/maps", "r");
    if (!f)
        return -1;
    int lines = 0;
    for (int c; (c = fgetc(f)) != EOF;)
        lines += c == '\n';
    fclose(f);
    return lines;
}

int main(int argc, char** argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 100000;
    char** blocks = malloc(n * sizeof *blocks);
    for (int i = 0; i < n; ++i) {
        blocks[i] = malloc(16 + i % 200);
        blocks[i][0] = (char)i;
    }
    int peak = count_mappings();
    long sum = 0;
    for (int i = 0; i < n; ++i) {
        sum += blocks[i][0];
        free(blocks[i]);
    }
    free(blocks);
    printf("%d %ld\n", peak, sum);
    return 0;
}
