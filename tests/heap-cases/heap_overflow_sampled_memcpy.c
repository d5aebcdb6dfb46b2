// EXPECT: heap-overflow
// EXPECT-LINE: 16
// OPTIONS: --guard-sample=1
// memcpy into the middle of a sampled block, past its end but short of its guard page (the
// block keeps malloc's 16-byte alignment): the interceptor finds the block from its guard-pool
// slot and reports at the call.
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv)
{
    (void)argv;
    char tail[8] = "1234567";
    char* record = malloc(24);
    memset(record, 0, 24);
    memcpy(record + 20, tail, sizeof tail - (argc > 5)); // BUG
    int first = record[0];
    free(record);
    return first;
}
