# Part of scripts/tour.sh: the heap checker catching a buggy program that was never rebuilt for it.
heap_tour=$(mktemp -d)
cat > "$heap_tour/buggy.c" <<'C'
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
int main(int argc, char** argv) {
    const char* name = argc > 1 ? argv[1] : "ringside";
    char* copy = malloc(strlen(name));   /* forgot the NUL */
    strcpy(copy, name);
    printf("hello %s\n", copy);
    char* lost = malloc(64);
    lost[0] = 0;
    free(copy);
    free(copy);                           /* twice */
    return 0;
}
C
cat > "$heap_tour/reads_past.c" <<'C'
#include <stdlib.h>
#include <stdio.h>
int main(void) {   /* reads one past the end of 100,000 blocks: no redzone sees a read */
    long sum = 0;
    for (int i = 0; i < 100000; ++i) {
        int* a = malloc(8 * sizeof(int));
        for (int j = 0; j < 8; ++j) a[j] = j;
        sum += a[8];
        free(a);
    }
    printf("%ld\n", sum);
    return 0;
}
C
cc -O0 -g "$heap_tour/buggy.c" -o "$heap_tour/buggy" 2>/dev/null
cc -O0 -g "$heap_tour/reads_past.c" -o "$heap_tour/reads_past" 2>/dev/null
step "$rs" check --error-exitcode=3 -- "$heap_tour/buggy"
step "$rs" check --json=- --leak-check=no -- "$heap_tour/buggy" world
# One block in 5000 sits against a guard page: a bug repeated over many blocks faults on a sampled one.
step "$rs" check -- "$heap_tour/reads_past"
step env PYTHONMALLOC=malloc "$rs" check -- python3 -c 'print(sum(len(str(i)) for i in range(100000)))'
rm -rf "$heap_tour"
