#include <gtest/gtest.h>

#include "ring/selector.h"

using namespace ringside::ring;

TEST(DecodeSelector, LinuxUserCodeSegment)
{
    // __USER_CS on x86-64 Linux: GDT entry 6, RPL 3.
    SegmentSelector cs = decode_selector(0x33);
    EXPECT_EQ(cs.index, 6u);
    EXPECT_FALSE(cs.local_table);
    EXPECT_EQ(cs.privilege, 3u);
}

TEST(DecodeSelector, KernelCodeSegmentIsRingZero)
{
    SegmentSelector cs = decode_selector(0x10);  // __KERNEL_CS
    EXPECT_EQ(cs.index, 2u);
    EXPECT_EQ(cs.privilege, 0u);
}

TEST(DecodeSelector, TableIndicatorAndEveryRing)
{
    SegmentSelector ldt = decode_selector(0x0f);
    EXPECT_TRUE(ldt.local_table);
    EXPECT_EQ(ldt.index, 1u);
    for (unsigned ring = 0; ring < 4; ++ring)
        EXPECT_EQ(decode_selector(static_cast<std::uint16_t>(0x40 | ring)).privilege, ring);
    EXPECT_EQ(decode_selector(0xffff).index, 0x1fffu);
}

#if defined(__x86_64__)
TEST(ReadCodeSegment, ThisTestRunsInRingThree)
{
    auto cs = read_code_segment();
    ASSERT_TRUE(cs.has_value());
    EXPECT_EQ(decode_selector(*cs).privilege, 3u);
}
#endif
