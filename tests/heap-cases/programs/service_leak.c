// A long-running service that leaks one request buffer in three, for `ringside leaks PID` and
// --growth. Runs for argv[1] seconds.
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char* handle_request(int n)
{
    char* buf = malloc(256 + n % 64);
    memset(buf, 'r', 256);
    if (n % 3 == 0)
        return NULL;  /* forgot to free on this path */
    free(buf);
    return NULL;
}

int main(int argc, char** argv)
{
    int seconds = argc > 1 ? atoi(argv[1]) : 5;
    time_t end = time(NULL) + seconds;
    for (int n = 0; time(NULL) < end; ++n) {
        handle_request(n);
        usleep(500);
    }
    return 0;
}
