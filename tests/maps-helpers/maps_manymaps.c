// maps_manymaps N: N separate one-page-resident mappings (alternating protections so the
// kernel cannot merge neighbours), then "ready PID" and wait.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char** argv)
{
    long n = argc > 1 ? atol(argv[1]) : 10000;
    for (long i = 0; i < n; ++i) {
        char* p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            perror("mmap");
            return 1;
        }
        p[0] = 1;
        if (i % 2)
            mprotect(p + 4096, 4096, PROT_READ);
    }
    printf("ready %d\n", getpid());
    fflush(stdout);
    for (;;)
        pause();
}
