// maps_layout DIR [CHILDREN]: maps one of each kind of memory the maps tools must tell
// apart, forks CHILDREN children (default 1) that inherit it, prints what it made, then waits
// for SIGTERM (which it forwards to its children).
//
// Printed lines (for the tests to compare against):
//   region <kind> <shared-with-children:yes|no> <start-hex> <end-hex> <name>
//   child <pid>
//   ready <pid>
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#define MiB (1024 * 1024)

static pid_t children[64];
static int child_count;

static void on_term(int sig)
{
    (void)sig;
    for (int i = 0; i < child_count; ++i)
        kill(children[i], SIGTERM);
    _exit(0);
}

static void die(const char* what)
{
    perror(what);
    exit(1);
}

static void touch(char* p, size_t len, char value)
{
    for (size_t i = 0; i < len; i += 4096)
        p[i] = value;
}

static void region(const char* kind, int shared, void* start, size_t len, const char* name)
{
    printf("region %s %s %lx %lx %s\n", kind, shared ? "yes" : "no", (unsigned long)start,
        (unsigned long)start + len, name);
}

static char* map_file(const char* path, size_t len, int flags, int unlink_after)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ftruncate(fd, (off_t)len) != 0)
        die(path);
    char* p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, 0);
    if (p == MAP_FAILED)
        die("mmap file");
    close(fd);
    if (unlink_after)
        unlink(path);
    return p;
}

int main(int argc, char** argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: maps_layout DIR [CHILDREN]\n");
        return 2;
    }
    const char* dir = argv[1];
    int wanted = argc > 2 ? atoi(argv[2]) : 1;
    if (wanted < 0 || wanted > 64)
        wanted = 1;
    char path[4096];

    // Shared anonymous memory, inherited by the children: "/dev/zero (deleted)".
    char* shared_anon = mmap(NULL, 4 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared_anon == MAP_FAILED)
        die("mmap shared anon");
    touch(shared_anon, 4 * MiB, 1);
    region("shared-anonymous", 1, shared_anon, 4 * MiB, "/dev/zero (deleted)");

    // Private anonymous memory: copy-on-write shared after fork until someone writes.
    char* private_anon = mmap(NULL, 4 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (private_anon == MAP_FAILED)
        die("mmap private anon");
    madvise(private_anon, 4 * MiB, MADV_NOHUGEPAGE);
    touch(private_anon, 4 * MiB, 2);
    region("anonymous", 0, private_anon, 4 * MiB, "[anon]");

    int memfd = memfd_create("layout memfd", 0);
    if (memfd < 0 || ftruncate(memfd, MiB) != 0)
        die("memfd");
    char* memfd_map = mmap(NULL, MiB, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    if (memfd_map == MAP_FAILED)
        die("mmap memfd");
    touch(memfd_map, MiB, 3);
    region("memfd", 1, memfd_map, MiB, "/memfd:layout memfd (deleted)");

    int shmid = shmget(IPC_PRIVATE, MiB, IPC_CREAT | 0600);
    if (shmid < 0)
        die("shmget");
    char* sysv = shmat(shmid, NULL, 0);
    if (sysv == (void*)-1)
        die("shmat");
    shmctl(shmid, IPC_RMID, NULL);  // goes away with its last attachment
    touch(sysv, MiB, 4);
    region("sysv-shm", 1, sysv, MiB, "/SYSV00000000 (deleted)");

    snprintf(path, sizeof path, "%s/data file.bin", dir);
    char* file_shared = map_file(path, MiB, MAP_SHARED, 0);
    touch(file_shared, MiB, 5);
    region("file", 1, file_shared, MiB, path);
    int fd = open(path, O_RDONLY);
    char* file_private = mmap(NULL, MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    close(fd);
    if (file_private == MAP_FAILED)
        die("mmap private file");
    touch(file_private, MiB / 2, 6);  // half copied on write, half still the file's pages
    region("file", 1, file_private, MiB, path);

    snprintf(path, sizeof path, "%s/gone.bin", dir);
    char* deleted = map_file(path, MiB, MAP_SHARED, 1);
    touch(deleted, MiB, 7);
    char deleted_name[4200];
    snprintf(deleted_name, sizeof deleted_name, "%s (deleted)", path);
    region("deleted-file", 1, deleted, MiB, deleted_name);

    snprintf(path, sizeof path, "%s/new\nline.bin", dir);
    char* newline = map_file(path, 64 * 1024, MAP_SHARED, 0);
    touch(newline, 64 * 1024, 8);
    region("file", 1, newline, 64 * 1024, "(name with a newline)");

    fflush(stdout);
    for (int i = 0; i < wanted; ++i) {
        pid_t pid = fork();
        if (pid < 0)
            die("fork");
        if (pid == 0) {
            // Rewrite the first half of the private memory: those pages become our own.
            touch(private_anon, 2 * MiB, 9);
            // A MAP_SHARED region made after the fork has the same name but another inode.
            char* own = mmap(NULL, MiB, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
            if (own != MAP_FAILED)
                touch(own, MiB, 10);
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            for (;;)
                pause();
        }
        children[child_count++] = pid;
        printf("child %d\n", pid);
    }
    char* own = mmap(NULL, MiB, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (own != MAP_FAILED)
        touch(own, MiB, 11);
    signal(SIGTERM, on_term);
    // Give the children time to rewrite their pages before anyone looks.
    usleep(200 * 1000);
    printf("ready %d\n", getpid());
    fflush(stdout);
    for (;;)
        pause();
}
