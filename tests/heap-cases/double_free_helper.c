// EXPECT: double-free
// EXPECT-LINE: 10
// A cleanup helper called twice on the same struct.
#include <stdlib.h>

struct conn { char* buffer; int fd; };

static void conn_close(struct conn* c)
{
    free(c->buffer); // BUG
}

int main(void)
{
    struct conn c = { malloc(256), 3 };
    conn_close(&c);
    conn_close(&c);
    return 0;
}
