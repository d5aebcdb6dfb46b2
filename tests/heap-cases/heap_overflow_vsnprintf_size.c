// EXPECT: heap-overflow
// EXPECT-LINE: 23
// A formatting helper given the wrong size: vsnprintf may write 32 bytes into a block of 16.
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int format_into(char* out, size_t size, const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, size, fmt, ap);
    va_end(ap);
    return n;
}

int main(void)
{
    char* name = malloc(16);
    const char* user = "someone-with-a-long-name";
    int n = 0;
    if (name)
        n = format_into(name, 32, "user=%s", user); // BUG
    free(name);
    return n > 0 ? 0 : 1;
}
