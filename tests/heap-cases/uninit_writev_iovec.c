// EXPECT: uninitialised-read
// EXPECT-LINE: 19
// A header and a body gathered with writev; the body was allocated but never filled.
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

int main(void)
{
    char* header = malloc(8);
    memcpy(header, "HDR1234\n", 8);
    char* body = malloc(24);
    memcpy(body, "ok", 2);
    struct iovec parts[2] = {
        { header, 8 },
        { body, 24 },
    };
    ssize_t n = writev(1, parts, 2); // BUG
    free(body);
    free(header);
    return n == 32 ? 0 : 1;
}
