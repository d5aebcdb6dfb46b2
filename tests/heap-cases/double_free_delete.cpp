// EXPECT: double-free
// EXPECT-LINE: 8
// Two owners both delete the same object.
struct Resource { int handle = 1; };

struct Owner {
    Resource* r;
    ~Owner() { delete r; } // BUG
};

int main()
{
    Resource* shared = new Resource;
    {
        Owner a { shared };
    }
    {
        Owner b { shared };
    }
    return 0;
}
