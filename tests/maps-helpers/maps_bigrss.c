// maps_bigrss MIB: MIB MiB of private anonymous memory in 4 KiB pages (no THP), all touched,
// then "ready PID" and wait. smaps reads cost about 20 ns per resident page of this.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char** argv)
{
    size_t mib = argc > 1 ? (size_t)atol(argv[1]) : 4096;
    size_t len = mib << 20;
    char* p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    madvise(p, len, MADV_NOHUGEPAGE);
    for (size_t i = 0; i < len; i += 4096)
        p[i] = 1;
    printf("ready %d\n", getpid());
    fflush(stdout);
    for (;;)
        pause();
}
