// The preload library's option string, parsed as the library parses RINGSIDE_HEAP_OPTIONS, and the
// guard-sampling rate cap two of the options set.
// (sys.cpp, which it needs for copy_bytes, is compiled into this binary by slab_test.cpp.)
#include <gtest/gtest.h>

#include "heap/preload/guard_pool.h"
#include "heap/preload/options.cpp"

using namespace ringside::heap::rt;

namespace {

Options parsed(const char* text)
{
    g_options = Options {};
    parse_options(text);
    return g_options;
}

TEST(HeapOptions, DefaultSamplingIsRateCapped)
{
    Options o = parsed("log=/tmp/x:leak_check=0");
    EXPECT_EQ(o.guard_sample, 5000u);
    EXPECT_EQ(o.guard_max_rate, 500u);
    EXPECT_FALSE(o.leak_check);
    EXPECT_STREQ(o.log, "/tmp/x");
}

TEST(HeapOptions, AnExplicitSampleRateIsTakenAsAsked)
{
    EXPECT_EQ(parsed("guard_sample=1").guard_max_rate, 0u);
    EXPECT_EQ(parsed("guard_sample=1:guard_max_rate=100").guard_max_rate, 100u);
    EXPECT_EQ(parsed("guard_max_rate=100:guard_sample=1").guard_max_rate, 100u);
    EXPECT_EQ(parsed("guard_max_rate=0").guard_max_rate, 0u);
    EXPECT_EQ(parsed("guard_max_rate=0").guard_sample, 5000u);
}

TEST(HeapOptions, MalformedValuesKeepTheDefault)
{
    Options o = parsed("guard_sample=abc:guard_max_rate=:max_frames=12:bogus=3:leak_check=maybe");
    EXPECT_EQ(o.guard_sample, 5000u);
    EXPECT_EQ(o.guard_max_rate, 500u);
    EXPECT_EQ(o.max_frames, 12u);
    EXPECT_TRUE(o.leak_check);
}

// 500 a second: 2 ms between two samples of a thread; its first one is never held back.
TEST(HeapOptions, GuardSamplesKeepTheirGap)
{
    constexpr u64 gap = 1000000000 / 500;
    u64 last = 0;
    EXPECT_TRUE(sample_gap_passed(5, last, gap));
    EXPECT_EQ(last, 5u);
    EXPECT_FALSE(sample_gap_passed(5 + gap - 1, last, gap));
    EXPECT_EQ(last, 5u);  // a sample held back does not restart the gap
    EXPECT_TRUE(sample_gap_passed(5 + gap, last, gap));
    EXPECT_FALSE(sample_gap_passed(5 + gap + 1, last, gap));
    u64 first = 0;
    EXPECT_TRUE(sample_gap_passed(1, first, gap));
}

}  // namespace
