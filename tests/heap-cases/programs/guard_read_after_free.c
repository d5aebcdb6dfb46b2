/* Reads every block once more after freeing it: no byte changes, so the poison check at the
 * end of the quarantine sees nothing; a freed sampled block's page faults. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 100000;
    long sum = 0;
    for (int i = 0; i < rounds; ++i) {
        long* v = malloc(8 * sizeof(long));
        v[2] = i;
        free(v);
        sum += v[2]; /* after free */
    }
    printf("%ld\n", sum);
    return 0;
}
