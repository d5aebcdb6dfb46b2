// EXPECT: uninitialised-read
// EXPECT-LINE: 16
// A struct written to a file with a field left unset.
#include <stdio.h>
#include <stdlib.h>

struct header { int magic; int version; long length; char name[16]; };

int main(void)
{
    struct header* h = malloc(sizeof *h);
    h->magic = 0x52494e47;
    h->version = 1;
    h->length = 0;
    FILE* f = fopen("/dev/null", "wb");
    fwrite(h, sizeof *h, 1, f); // BUG
    fclose(f);
    free(h);
    return 0;
}
