// EXPECT: leak
// EXPECT-LINE: 14
// An object created with new and never deleted.
#include <string>
#include <cstdio>

struct Session {
    std::string user;
    int id;
};

static int open_session(int id)
{
    Session* s = new Session { "guest", id }; // BUG
    return s->id;
}

int main()
{
    std::printf("%d\n", open_session(7));
    return 0;
}
