// EXPECT: uninitialised-read
// EXPECT-LINE: 19
// A fixed-size record written at an offset of a file, with its padding never written.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    char path[] = "/tmp/ringside-pwrite-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 2;
    unlink(path);
    char* record = malloc(64);
    strcpy(record, "name=value");
    ssize_t n = pwrite(fd, record, 64, 128); // BUG
    close(fd);
    free(record);
    return n == 64 ? 0 : 1;
}
