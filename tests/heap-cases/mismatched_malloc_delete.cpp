// EXPECT: mismatched-free
// EXPECT-LINE: 11
// A C buffer from malloc released with delete[].
#include <cstdlib>
#include <cstring>

int main()
{
    char* text = static_cast<char*>(std::malloc(20));
    std::strcpy(text, "c buffer");
    delete[] text; // BUG
    return 0;
}
