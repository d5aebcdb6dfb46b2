// The large-block index, compiled into the test directly (sys.cpp comes with slab_test.cpp).
// It never touches the blocks' memory, so the blocks here are address ranges only.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "heap/preload/large_index.cpp"

using namespace ringside::heap::rt;

namespace {

constexpr uptr granule = uptr(1) << large_granule_shift;

struct Candidates {
    uptr starting;
    uptr covering;
};

Candidates at(uptr address)
{
    Candidates c {};
    large_index_candidates(address, c.starting, c.covering);
    return c;
}

bool names(uptr address, uptr user)
{
    Candidates c = at(address);
    return c.starting == user || c.covering == user;
}

TEST(LargeIndex, FindsABlockFromAnyAddressInIt)
{
    uptr lo = 0x5000'0000'0000 + 100 * granule + 272;
    uptr hi = lo + 5 * granule + 1000;
    uptr user = lo + 16;
    ASSERT_TRUE(large_index_add(lo, hi, user));
    for (uptr a = lo; a < hi; a += 4093)
        EXPECT_TRUE(names(a, user)) << std::hex << a;
    EXPECT_TRUE(names(hi - 1, user));
    // Outside it, in granules it does not reach, nothing.
    EXPECT_EQ(at(hi + granule).starting, 0u);
    EXPECT_EQ(at(hi + granule).covering, 0u);
    EXPECT_EQ(at(lo - granule).covering, 0u);
    large_index_remove(lo, hi);
    for (uptr a = lo; a < hi; a += 4093)
        EXPECT_FALSE(names(a, user));
}

TEST(LargeIndex, NeighboursSharingAGranuleAreBothCandidates)
{
    uptr a_lo = 0x5100'0000'0000 + 7 * granule + 64;
    uptr a_hi = a_lo + 3 * granule + 512;
    uptr b_lo = a_hi;  // starts in the granule where a ends
    uptr b_hi = b_lo + 2 * granule;
    ASSERT_TRUE(large_index_add(a_lo, a_hi, a_lo + 16));
    ASSERT_TRUE(large_index_add(b_lo, b_hi, b_lo + 16));
    Candidates shared = at(a_hi - 1);
    EXPECT_EQ(shared.covering, a_lo + 16);
    EXPECT_EQ(shared.starting, b_lo + 16);
    // Removing one leaves the other.
    large_index_remove(a_lo, a_hi);
    EXPECT_EQ(at(b_lo).starting, b_lo + 16);
    EXPECT_EQ(at(b_lo).covering, 0u);
    EXPECT_TRUE(names(b_hi - 1, b_lo + 16));
    large_index_remove(b_lo, b_hi);
    EXPECT_EQ(at(b_lo).starting, 0u);
}

TEST(LargeIndex, IgnoresBlocksOfOneGranuleOrLessAndAddressesOutsideUserSpace)
{
    uptr lo = 0x5200'0000'0000;
    EXPECT_FALSE(large_index_add(lo, lo + granule, lo + 16));
    EXPECT_EQ(at(lo).starting, 0u);
    EXPECT_EQ(at(uptr(1) << 47).starting, 0u);
    EXPECT_EQ(at(~uptr(0)).covering, 0u);
}

TEST(LargeIndex, ConcurrentBlocksOnlyEverNameTheirOwnRanges)
{
    // Each thread adds and removes blocks in its own stretch of address space while checking
    // that every answer it reads for its range is one of its own blocks or nothing.
    constexpr int threads = 4;
    std::vector<std::thread> workers;
    std::atomic<int> wrong { 0 };
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([t, &wrong] {
            uptr base = 0x5300'0000'0000 + uptr(t) * (uptr(1) << 32);
            for (int round = 0; round < 2000; ++round) {
                uptr lo = base + uptr(round % 50) * 3 * granule + 48;
                uptr hi = lo + 2 * granule + uptr(round % 7) * 1000;
                if (!large_index_add(lo, hi, lo + 16)) {
                    ++wrong;
                    return;
                }
                Candidates c = at(lo + granule);
                if (c.starting != 0 && (c.starting < base || c.starting >= base + (uptr(1) << 32)))
                    ++wrong;
                if (c.covering != lo + 16)
                    ++wrong;
                large_index_remove(lo, hi);
            }
        });
    }
    for (auto& w : workers)
        w.join();
    EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
