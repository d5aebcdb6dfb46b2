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
cc -O0 -g "$heap_tour/buggy.c" -o "$heap_tour/buggy" 2>/dev/null
step "$rs" check --error-exitcode=3 -- "$heap_tour/buggy"
step "$rs" check --json=- --leak-check=no -- "$heap_tour/buggy" world
step env PYTHONMALLOC=malloc "$rs" check -- python3 -c 'print(sum(len(str(i)) for i in range(100000)))'
rm -rf "$heap_tour"
