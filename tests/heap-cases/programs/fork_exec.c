// The parent double-frees; its forked child leaks then execs a program that overflows
// (argv[1]); each process must get its own report.
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv)
{
    if (argc < 2)
        return 2;
    pid_t child = fork();
    if (child == 0) {
        char* lost = malloc(77);
        memset(lost, 0, 77);
        lost = NULL;
        execl(argv[1], argv[1], (char*)NULL);
        _exit(127);
    }
    int status = 0;
    waitpid(child, &status, 0);
    char* p = malloc(10);
    free(p);
    free(p);
    return WIFEXITED(status) ? 0 : 1;
}
