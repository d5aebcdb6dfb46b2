/* Allocates, fills and frees N big blocks (40 MiB and a bit, or KIB KiB and a bit) one after
   another, then prints its peak resident memory (kB) and its number of mappings: freed big
   blocks waiting in the checker's quarantine must cost mappings, not memory, and smaller
   large blocks, parked while quarantined, must give their mappings back when they leave. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long status_kb(const char* key)
{
    char line[256];
    long value = -1;
    FILE* f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, strlen(key)) == 0)
            value = strtol(line + strlen(key), NULL, 10);
    fclose(f);
    return value;
}

int main(int argc, char** argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 50;
    size_t base = argc > 2 ? (size_t)atol(argv[2]) << 10 : 40u << 20;
    unsigned long sum = 0;
    for (int i = 0; i < n; ++i) {
        size_t size = base + (size_t)(i % 7) * 4096;
        unsigned char* block = malloc(size);
        if (!block)
            return 1;
        memset(block, i & 0xff, size);
        sum += block[size / 2];
        free(block);
    }
    long maps = 0;
    FILE* f = fopen("/proc/self/maps", "r");
    for (int c; f && (c = fgetc(f)) != EOF;)
        maps += c == '\n';
    if (f)
        fclose(f);
    printf("%ld %ld %lu\n", status_kb("VmHWM:"), maps, sum);
    return 0;
}
