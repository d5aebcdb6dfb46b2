// EXPECT: invalid-access
// EXPECT-LINE: 11
// An integer mistaken for a pointer.
#include <stdint.h>
#include <stdio.h>

int main(void)
{
    uintptr_t cookie = 0x13572468;
    long* p = (long*)cookie;
    *p = 42; // BUG
    puts("unreachable");
    return 0;
}
