// EXPECT: uninitialised-read
// EXPECT-LINE: 12
// Comparing a key buffer that was only partly filled.
#include <cstring>
#include <cstdio>

int main()
{
    char* key = new char[16];
    std::strcpy(key, "abc");
    char expected[16] = "abc";
    int same = std::memcmp(key, expected, 16) == 0; // BUG
    std::printf("%d\n", same);
    delete[] key;
    return 0;
}
