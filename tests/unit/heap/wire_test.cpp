#include <gtest/gtest.h>

#include "heap/wire.h"

using namespace ringside::heap;

namespace {

const char* sample =
    "P 10.5 10 1 /bin/prog\n"
    "M 10.5 0x1000 0x2000 0x0 - /bin/prog\n"
    "M 10.5 0x2000 0x3000 0x1000 x /bin/prog with space\n"
    "E 10.5 1 double-free addr=0x2010 dealloc=free block=0x2010 size=0x10 state=freed alloc=malloc\n"
    "S 10.5 1 at 0x2100 0x2200\n"
    "S 10.5 1 free 0x2300\n"
    "S 10.5 1 alloc 0x2400\n"
    "Z 10.5 1\n"
    "==ringside== E 10.5 2 leak detail=definite blocks=0x2 bytes=0x40\n"
    "==ringside== S 10.5 2 alloc 0x2500\n"
    "T 10.5 summary live_blocks=0x3 live_bytes=0x50 allocs=0x9\n"
    "D 10.5 exit 0\n";

}  // namespace

TEST(WireReader, ParsesErrorsStacksAndModules)
{
    WireLog log = parse_wire(sample);
    ASSERT_EQ(log.errors.size(), 2u);
    const HeapError& e = log.errors[0];
    EXPECT_EQ(e.kind, "double-free");
    EXPECT_EQ(e.pid, 10);
    EXPECT_EQ(e.number("size"), 16u);
    EXPECT_TRUE(e.complete);
    ASSERT_EQ(e.stacks.size(), 3u);
    EXPECT_EQ(e.stack("at")->pcs, (std::vector<uint64_t> { 0x2100, 0x2200 }));
    EXPECT_EQ(log.errors[1].kind, "leak");
    EXPECT_EQ(log.errors[1].primary_stack()->role, "alloc");
    const Process& p = log.processes.at("10.5");
    EXPECT_EQ(p.exe, "/bin/prog");
    ASSERT_EQ(p.mappings.size(), 2u);
    EXPECT_EQ(p.mappings[1].path, "/bin/prog with space");
    EXPECT_TRUE(p.mappings[1].executable);
    EXPECT_EQ(p.summary.live_bytes, 0x50u);
    EXPECT_EQ(p.summary.allocs, 9u);
}

// A killed program may leave any prefix of the file: every prefix parses without crashing,
// and only complete lines count.
TEST(WireReader, EveryPrefixParses)
{
    std::string text = sample;
    size_t last_errors = 0;
    for (size_t n = 0; n <= text.size(); ++n) {
        WireLog log = parse_wire(std::string_view(text).substr(0, n));
        EXPECT_GE(log.errors.size(), last_errors);
        last_errors = log.errors.size();
    }
    EXPECT_EQ(last_errors, 2u);
}

TEST(WireReader, SkipsGarbageAndOrphanStacks)
{
    WireLog log = parse_wire("hello world\nS 1.1 9 at 0x1\nE 1.1 zz kind\nX\n\n");
    EXPECT_TRUE(log.errors.empty());
    EXPECT_EQ(log.skipped_lines, 5u);  // every line, the empty one included
}
