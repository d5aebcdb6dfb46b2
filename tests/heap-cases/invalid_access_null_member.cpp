// EXPECT: invalid-access
// EXPECT-LINE: 8
// A member function called through a null object pointer writes a field.
#include <cstdio>

struct Counter {
    int hits = 0;
    void hit() { ++hits; } // BUG
};

static Counter* lookup(bool found)
{
    static Counter c;
    return found ? &c : nullptr;
}

int main()
{
    Counter* c = lookup(false);
    c->hit();
    std::printf("%d\n", c->hits);
    return 0;
}
