// The block index, compiled into the test directly (sys.cpp comes with slab_test.cpp).
// It never touches the blocks' memory, so the blocks here are address ranges only.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "heap/preload/block_index.cpp"

using namespace ringside::heap::rt;

namespace {

constexpr uptr granule = uptr(1) << coarse_granule_shift;
constexpr uptr fine = uptr(1) << fine_granule_shift;

struct Candidates {
    uptr starting;
    uptr covering;
};

// The coarse level's answer, or the fine level's for blocks of 64 KiB or less.
Candidates at(uptr address, bool fine_level = false)
{
    BlockCandidates c = block_index_candidates(address);
    return fine_level ? Candidates { c.fine_starting, c.fine_covering } : Candidates { c.coarse_starting, c.coarse_covering };
}

bool names(uptr address, uptr user)
{
    BlockCandidates c = block_index_candidates(address);
    return c.coarse_starting == user || c.coarse_covering == user || c.fine_starting == user || c.fine_covering == user;
}

TEST(BlockIndex, FindsABlockFromAnyAddressInIt)
{
    uptr lo = 0x5000'0000'0000 + 100 * granule + 272;
    uptr hi = lo + 5 * granule + 1000;
    uptr user = lo + 16;
    ASSERT_TRUE(block_index_add(lo, hi, user));
    for (uptr a = lo; a < hi; a += 4093)
        EXPECT_TRUE(names(a, user)) << std::hex << a;
    EXPECT_TRUE(names(hi - 1, user));
    // Outside it, in granules it does not reach, nothing.
    EXPECT_EQ(at(hi + granule).starting, 0u);
    EXPECT_EQ(at(hi + granule).covering, 0u);
    EXPECT_EQ(at(lo - granule).covering, 0u);
    block_index_remove(lo, hi);
    for (uptr a = lo; a < hi; a += 4093)
        EXPECT_FALSE(names(a, user));
}

TEST(BlockIndex, NeighboursSharingAGranuleAreBothCandidates)
{
    uptr a_lo = 0x5100'0000'0000 + 7 * granule + 64;
    uptr a_hi = a_lo + 3 * granule + 512;
    uptr b_lo = a_hi;  // starts in the granule where a ends
    uptr b_hi = b_lo + 2 * granule;
    ASSERT_TRUE(block_index_add(a_lo, a_hi, a_lo + 16));
    ASSERT_TRUE(block_index_add(b_lo, b_hi, b_lo + 16));
    Candidates shared = at(a_hi - 1);
    EXPECT_EQ(shared.covering, a_lo + 16);
    EXPECT_EQ(shared.starting, b_lo + 16);
    // Removing one leaves the other.
    block_index_remove(a_lo, a_hi);
    EXPECT_EQ(at(b_lo).starting, b_lo + 16);
    EXPECT_EQ(at(b_lo).covering, 0u);
    EXPECT_TRUE(names(b_hi - 1, b_lo + 16));
    block_index_remove(b_lo, b_hi);
    EXPECT_EQ(at(b_lo).starting, 0u);
}

TEST(BlockIndex, IgnoresBlocksOfOneFineGranuleOrLessAndAddressesOutsideUserSpace)
{
    uptr lo = 0x5200'0000'0000;
    EXPECT_FALSE(block_index_add(lo, lo + fine, lo + 16));
    EXPECT_FALSE(names(lo, lo + 16));
    for (uptr outside : { uptr(1) << 47, ~uptr(0) }) {
        BlockCandidates none = block_index_candidates(outside);
        EXPECT_EQ(none.coarse_starting | none.coarse_covering | none.fine_starting | none.fine_covering, 0u);
    }
}

TEST(BlockIndex, SmallBlocksGoToTheFineLevel)
{
    // Over-aligned blocks of a few hundred bytes, packed as glibc's memalign packs them: each
    // is found from every byte, and neighbours sharing a granule are both candidates.
    uptr base = 0x5400'0000'0000 + 3 * fine + 48;
    std::vector<std::pair<uptr, uptr>> blocks;
    for (uptr lo = base, n = 0; n < 20; ++n) {
        uptr hi = lo + fine + 16 + (n % 5) * 80;
        ASSERT_TRUE(block_index_add(lo, hi, lo + 64));
        blocks.emplace_back(lo, hi);
        lo = hi;
    }
    for (auto [lo, hi] : blocks) {
        for (uptr a = lo; a < hi; a += 7)
            EXPECT_TRUE(names(a, lo + 64)) << std::hex << a;
        EXPECT_EQ(at(lo, true).starting, lo + 64);
        EXPECT_EQ(at(lo, false).starting, 0u);
    }
    // A 64 KiB block is still a fine one; one byte more and it is coarse.
    uptr big = 0x5500'0000'0000;
    ASSERT_TRUE(block_index_add(big, big + granule, big + 16));
    EXPECT_EQ(at(big + granule - 1, true).covering, big + 16);
    block_index_remove(big, big + granule);
    ASSERT_TRUE(block_index_add(big, big + granule + 1, big + 16));
    EXPECT_EQ(at(big + granule, false).covering, big + 16);
    EXPECT_EQ(at(big + granule, true).covering, 0u);
    block_index_remove(big, big + granule + 1);
    for (auto [lo, hi] : blocks)
        block_index_remove(lo, hi);
    for (auto [lo, hi] : blocks)
        EXPECT_FALSE(names(lo, lo + 64));
}

TEST(BlockIndex, ConcurrentBlocksOnlyEverNameTheirOwnRanges)
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
                if (!block_index_add(lo, hi, lo + 16)) {
                    ++wrong;
                    return;
                }
                Candidates c = at(lo + granule);
                if (c.starting != 0 && (c.starting < base || c.starting >= base + (uptr(1) << 32)))
                    ++wrong;
                if (c.covering != lo + 16)
                    ++wrong;
                block_index_remove(lo, hi);
            }
        });
    }
    for (auto& w : workers)
        w.join();
    EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
