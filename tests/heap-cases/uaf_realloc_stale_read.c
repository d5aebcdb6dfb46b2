// EXPECT: use-after-free
// EXPECT-LINE: 27
// A cursor into a buffer kept across the realloc that grew it: the block moved, and the read
// through the old cursor lands in the freed original, deep inside it (past any poisoned first
// bytes). Parked while quarantined, the freed buffer faults on the read.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct Log {
    char* data;
    size_t used, capacity;
};

int main(void)
{
    struct Log log = { malloc(256 * 1024), 0, 256 * 1024 };
    if (!log.data)
        return 1;
    memset(log.data, 'a', log.capacity);
    log.used = log.capacity;
    const char* last_line = log.data + log.used - 100;
    log.capacity *= 2;
    log.data = realloc(log.data, log.capacity);
    if (!log.data)
        return 1;
    printf("%c\n", last_line[0]);  // BUG
    free(log.data);
    return 0;
}
