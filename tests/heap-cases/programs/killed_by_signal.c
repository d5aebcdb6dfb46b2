// Leaks, then waits to be killed by SIGTERM (argv[1] = seconds): its leak must still be reported.
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>

int main(int argc, char** argv)
{
    char* lost = malloc(300);
    memset(lost, 'x', 300);
    lost = NULL;
    if (argc > 1 && argv[1][0] == 'k')
        raise(SIGTERM);
    sleep(30);
    return 0;
}
