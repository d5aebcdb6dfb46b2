// EXPECT: heap-overflow
// EXPECT-LINE: 19
// CFLAGS: -O2 -D_FORTIFY_SOURCE=2
// MEMCHECK: glibc's __read_chk aborts before the read(2), so memcheck sees no invalid write
// read() asks for more bytes than the block holds: __read_chk would abort before reading, so
// the range asked for is checked first.
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char** argv)
{
    (void)argv;
    int fd = open("/dev/zero", O_RDONLY);
    if (fd < 0)
        return 2;
    size_t want = 16 * (size_t)(argc + 1);
    char* buf = malloc(16);
    ssize_t got = read(fd, buf, want); // BUG
    close(fd);
    free(buf);
    return got > 0 ? 0 : 1;
}
