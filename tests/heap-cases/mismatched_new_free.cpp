// EXPECT: mismatched-free
// EXPECT-LINE: 11
// An object from new released with free().
#include <cstdlib>

struct Point { int x, y; };

int main()
{
    Point* p = new Point { 1, 2 };
    std::free(p); // BUG
    return 0;
}
