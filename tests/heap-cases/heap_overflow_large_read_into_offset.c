// EXPECT: heap-overflow
// EXPECT-LINE: 21
// Reading a stream into a large buffer chunk by chunk, with the room check off by one chunk:
// the last read() is handed a pointer deep inside the block and runs past its end.
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char** argv)
{
    (void)argv;
    const size_t chunk = 4096;
    const size_t capacity = 200 * 1000 + (size_t)argc - 1;
    char* buffer = malloc(capacity);
    int fd = open("/dev/zero", O_RDONLY);
    if (!buffer || fd < 0)
        return 1;
    size_t used = 0;
    while (used < capacity) {
        // BUG: should read at most capacity - used
        ssize_t got = read(fd, buffer + used, chunk);
        if (got <= 0)
            break;
        used += (size_t)got;
    }
    close(fd);
    int first = buffer[0];
    free(buffer);
    return first;
}
