#include <gtest/gtest.h>

#include "heap/suppressions.h"

using namespace ringside::heap;

namespace {

HeapError leak_in(std::vector<std::string> functions)
{
    HeapError e;
    e.kind = "leak";
    Stack s;
    s.role = "alloc";
    for (auto& f : functions)
        s.frames.push_back(Frame { 0, f, "", 0, "/usr/lib/libfoo.so", 0 });
    e.stacks.push_back(s);
    return e;
}

}  // namespace

TEST(Suppressions, MatchesFunctionsWithWildcardsAndEllipsis)
{
    auto parsed = parse_suppressions("# comment\n{\n  libfoo init\n  ringside:leak\n  fun:foo_*\n  ...\n  fun:main\n}\n"
                                     "{\n any\n Memcheck:Leak\n obj:*/libbar.so\n}\n",
        "s.supp");
    ASSERT_TRUE(parsed);
    ASSERT_EQ(parsed->size(), 2u);
    EXPECT_NE(find_suppression(*parsed, leak_in({ "foo_init", "helper", "main" })), nullptr);
    EXPECT_EQ(find_suppression(*parsed, leak_in({ "bar", "main" })), nullptr);
    HeapError other = leak_in({ "foo_init", "main" });
    other.kind = "double-free";
    other.stacks[0].role = "at";
    EXPECT_EQ(find_suppression(*parsed, other), nullptr);
}

TEST(Suppressions, RejectsMalformedFiles)
{
    EXPECT_EQ(parse_suppressions("{\n name\n", "a").error().kind, ringside::ErrorKind::Truncated);
    EXPECT_EQ(parse_suppressions("fun:x\n", "b").error().kind, ringside::ErrorKind::Malformed);
    EXPECT_EQ(parse_suppressions("{\n n\n nokind\n}\n", "c").error().kind, ringside::ErrorKind::Malformed);
    EXPECT_EQ(parse_suppressions("{\n n\n ringside:leak\n bogus\n}\n", "d").error().kind, ringside::ErrorKind::Malformed);
}

TEST(Suppressions, EllipsisBacktracksToTheLastRun)
{
    auto parsed = parse_suppressions("{\n n\n ringside:leak\n fun:a\n ...\n fun:c\n fun:d\n}\n", "e");
    ASSERT_TRUE(parsed);
    EXPECT_NE(find_suppression(*parsed, leak_in({ "a", "c", "x", "c", "d", "tail" })), nullptr);
    EXPECT_NE(find_suppression(*parsed, leak_in({ "a", "c", "d" })), nullptr);
    EXPECT_EQ(find_suppression(*parsed, leak_in({ "a", "c", "x", "d" })), nullptr);
    EXPECT_EQ(find_suppression(*parsed, leak_in({ "x", "a", "c", "d" })), nullptr);
    EXPECT_EQ(find_suppression(*parsed, leak_in({ "a" })), nullptr);
    auto only_dots = parse_suppressions("{\n n\n ringside:leak\n ...\n}\n", "f");
    ASSERT_TRUE(only_dots);
    EXPECT_NE(find_suppression(*only_dots, leak_in({})), nullptr);
}

// Many "..." lines against a stack that does not match: the old recursive matcher took time
// exponential in their number.
TEST(Suppressions, ManyEllipsesStayFast)
{
    std::string text = "{\n n\n ringside:leak\n";
    for (int i = 0; i < 200; ++i)
        text += " ...\n fun:f\n";
    text += " fun:never\n}\n";
    auto parsed = parse_suppressions(text, "g");
    ASSERT_TRUE(parsed);
    std::vector<std::string> frames(64, "f");
    EXPECT_EQ(find_suppression(*parsed, leak_in(frames)), nullptr);
}
