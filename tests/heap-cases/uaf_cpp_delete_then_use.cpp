// EXPECT: use-after-free
// EXPECT-LINE: 9
// OPTIONS: --guard
// A method called on an object after delete.
#include <cstdio>

struct Widget {
    int size = 3;
    int grow() { return ++size; } // BUG
};

int main()
{
    Widget* w = new Widget;
    delete w;
    std::printf("%d\n", w->grow());
    return 0;
}
