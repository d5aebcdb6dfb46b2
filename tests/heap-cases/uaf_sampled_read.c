// EXPECT: use-after-free
// EXPECT-LINE: 13
// OPTIONS: --guard-sample=1
// Reading a freed block leaves its poison intact; a sampled block's page is inaccessible once
// freed, so the read faults.
#include <stdlib.h>

int main(void)
{
    char* name = malloc(32);
    name[0] = 'x';
    free(name);
    return name[0] == 'x'; // BUG
}
