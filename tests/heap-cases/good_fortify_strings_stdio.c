// EXPECT-NONE
// CFLAGS: -O2 -D_FORTIFY_SOURCE=2
// Everyday string and stdio work built like a Debian package (fortified calls to
// __memcpy_chk, __strcpy_chk, __snprintf_chk, __read_chk, __fgets_chk, __printf_chk...),
// all within bounds and initialised: no report, no fortify abort.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char** argv)
{
    (void)argv;
    size_t n = 8 + (size_t)argc;
    char* a = malloc(32);
    snprintf(a, 32, "%s-%d", "item", 42 + argc);
    char* b = malloc(32);
    strcpy(b, a);
    strcat(b, "!");
    strncat(b, "??", 1);
    char* c = malloc(64);
    memset(c, 0, 64);
    strncpy(c, b, 63);
    memmove(c + 1, c, n);
    memcpy(c + 20, a, n);
    char* d = malloc(16);
    sprintf(d, "%d", 1234 + argc);
    char* p = stpcpy(c + 40, "end");
    *p = 0;
    printf("%s %s %.3s %s %s\n", a, b, c, d, c + 40);
    fprintf(stdout, "%zu\n", strlen(b));
    char* buf = malloc(32);
    int fd = open("/dev/zero", O_RDONLY);
    if (fd >= 0) {
        ssize_t got = read(fd, buf, 24 + (size_t)argc);
        close(fd);
        printf("read %zd\n", got);
    }
    FILE* f = fopen("/proc/self/cmdline", "r");
    if (f) {
        char* line = malloc(64);
        if (fgets(line, 40 + argc, f))
            printf("cmdline %zu\n", strlen(line) > 0 ? (size_t)1 : (size_t)0);
        rewind(f);
        size_t got = fread(line, 1, 32 + (size_t)argc, f);
        printf("fread %d\n", got > 0);
        fclose(f);
        free(line);
    }
    int eq = memcmp(a, b, strlen(a));
    free(buf);
    free(d);
    free(c);
    free(b);
    free(a);
    return eq;
}
