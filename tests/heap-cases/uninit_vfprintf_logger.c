// EXPECT: uninitialised-read
// EXPECT-LINE: 25
// A logging helper built on vfprintf is handed a field nobody set.
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

struct request {
    int id;
    int status;
};

static void log_line(const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
}

int main(void)
{
    struct request* r = malloc(sizeof *r);
    r->id = 7;
    log_line("request %d status %d\n", r->id, r->status); // BUG
    free(r);
    return 0;
}
