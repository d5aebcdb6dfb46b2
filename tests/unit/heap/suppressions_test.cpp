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
