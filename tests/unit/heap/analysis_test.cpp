#include <gtest/gtest.h>

#include "heap/analysis.h"

using namespace ringside::heap;
using ringside::Json;

namespace {

// A leak, two still-reachable groups (as the preload library writes them with
// show_reachable=1) and the summary.
const char* reachable_log =
    "P 42.7 42 1 /bin/prog\n"
    "E 42.7 1 leak detail=definite blocks=0x1 bytes=0x20\n"
    "S 42.7 1 alloc 0x1000 0x1010\n"
    "Z 42.7 1\n"
    "E 42.7 2 leak detail=reachable blocks=0x3 bytes=0x300\n"
    "S 42.7 2 alloc 0x2000 0x2010\n"
    "Z 42.7 2\n"
    "E 42.7 3 leak detail=reachable blocks=0x1 bytes=0x10\n"
    "S 42.7 3 alloc 0x3000\n"
    "Z 42.7 3\n"
    "T 42.7 summary live_blocks=0x5 live_bytes=0x330 reachable_blocks=0x4 reachable_bytes=0x310 allocs=0x5\n";

}  // namespace

TEST(Analysis, ReachableGroupsAreListedNotCounted)
{
    CheckReport report = analyse(parse_wire(reachable_log), {}, Symbols::Keep);
    ASSERT_EQ(report.errors.size(), 1u);
    EXPECT_EQ(report.errors[0].field("detail"), "definite");
    ASSERT_EQ(report.reachable.size(), 2u);
    // Smallest first, like Valgrind's loss records.
    EXPECT_EQ(report.reachable[0].number("bytes"), 0x10u);
    EXPECT_EQ(report.reachable[1].number("blocks"), 3u);
    EXPECT_EQ(describe(report.reachable[1]), "Still reachable: 768 bytes in 3 blocks");

    std::string text = render_text(report);
    EXPECT_NE(text.find("16 bytes in 1 block is still reachable in loss record 1 of 2"), std::string::npos) << text;
    EXPECT_NE(text.find("768 bytes in 3 blocks are still reachable in loss record 2 of 2"), std::string::npos) << text;
    EXPECT_NE(text.find("ERROR SUMMARY: 1 error"), std::string::npos) << text;
    EXPECT_NE(text.find("still reachable: 784 bytes in 4 blocks"), std::string::npos) << text;

    Json doc = render_json(report);
    ASSERT_EQ(doc["errors"].size(), 1u);
    ASSERT_EQ(doc["reachable"].size(), 2u);
    EXPECT_EQ(doc["reachable"][1]["bytes"], 768);
    EXPECT_EQ(doc["reachable"][1]["stacks"][0]["role"], "alloc");
    EXPECT_EQ(doc["reachable"][1]["stacks"][0]["frames"].size(), 0u);  // Keep: no frames were given
}

TEST(Analysis, SuppressionsApplyToReachableGroups)
{
    WireLog log = parse_wire(reachable_log);
    for (HeapError& e : log.errors)
        for (Stack& s : e.stacks)
            for (uint64_t pc : s.pcs)
                s.frames.push_back(Frame { pc, pc == 0x2000 ? "make_cache" : "other", "", 0, "/bin/prog", pc });
    auto suppressions = parse_suppressions("{\n cache\n ringside:leak\n fun:make_cache\n}\n", "s.supp");
    ASSERT_TRUE(suppressions);
    CheckReport report = analyse(std::move(log), *suppressions, Symbols::Keep);
    ASSERT_EQ(report.reachable.size(), 1u);
    EXPECT_EQ(report.reachable[0].number("bytes"), 0x10u);
    EXPECT_EQ(report.errors.size(), 1u);
}

TEST(Analysis, IdenticalErrorsMergeWithACount)
{
    std::string text = "P 1.1 1 0 /bin/p\n";
    for (int seq = 1; seq <= 3; ++seq)
        text += "E 1.1 " + std::to_string(seq) + " double-free dealloc=free block=0x10 size=0x8 state=freed\n"
            "S 1.1 " + std::to_string(seq) + " at 0x500\nZ 1.1 " + std::to_string(seq) + "\n";
    CheckReport report = analyse(parse_wire(text), {}, Symbols::Keep);
    ASSERT_EQ(report.errors.size(), 1u);
    EXPECT_EQ(report.errors[0].count, 3);
    EXPECT_NE(render_text(report).find("(3 times)"), std::string::npos);
}
