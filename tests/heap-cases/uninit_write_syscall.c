// EXPECT: uninitialised-read
// EXPECT-LINE: 12
// A record is sent with only its first field filled in.
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

int main(void)
{
    char* record = malloc(32);
    memcpy(record, "hdr:", 4);
    ssize_t n = write(1, record, 32); // BUG
    free(record);
    return n == 32 ? 0 : 1;
}
