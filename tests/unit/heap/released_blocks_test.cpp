// The record of blocks that left the quarantine, compiled into the test directly. It never
// touches the blocks' memory, so the blocks here are address ranges only.
#include <gtest/gtest.h>

#include "heap/preload/released_blocks.cpp"

using namespace ringside::heap::rt;

namespace {

Chunk freed_block(uptr user, u64 size, u32 alloc_stack)
{
    Chunk c;
    c.user = user;
    c.base = user - 16;
    c.size = size;
    c.alloc_stack = alloc_stack;
    c.free_stack = alloc_stack + 1;
    c.state = ChunkState::Freed;
    c.kind = AllocKind::New;
    return c;
}

TEST(ReleasedBlocks, FindsTheBlockHoldingAnAddress)
{
    released_note(freed_block(0x10000000, 200000, 7));
    Chunk c;
    ASSERT_TRUE(released_find(0x10000000 + 123456, c));
    EXPECT_EQ(c.user, 0x10000000u);
    EXPECT_EQ(c.size, 200000u);
    EXPECT_EQ(c.alloc_stack, 7u);
    EXPECT_EQ(c.free_stack, 8u);
    EXPECT_EQ(c.kind, AllocKind::New);
    EXPECT_EQ(c.state, ChunkState::Freed);
    EXPECT_FALSE(released_find(0x10000000 + 200000, c));  // one past the end
    EXPECT_FALSE(released_find(0x10000000 - 1, c));
}

TEST(ReleasedBlocks, TheNewestRecordWinsWhereRangesMeet)
{
    // The same memory released twice (glibc gave it out again in between).
    released_note(freed_block(0x20000000, 100000, 10));
    released_note(freed_block(0x20000000, 150000, 20));
    Chunk c;
    ASSERT_TRUE(released_find(0x20000000 + 50, c));
    EXPECT_EQ(c.alloc_stack, 20u);
    ASSERT_TRUE(released_find(0x20000000 + 120000, c));
    EXPECT_EQ(c.size, 150000u);
}

TEST(ReleasedBlocks, LiveAndInternalBlocksAreNotRecorded)
{
    Chunk live = freed_block(0x30000000, 100000, 1);
    live.state = ChunkState::Live;
    released_note(live);
    Chunk internal = freed_block(0x31000000, 100000, 1);
    internal.kind = AllocKind::Internal;
    released_note(internal);
    Chunk c;
    EXPECT_FALSE(released_find(0x30000000 + 10, c));
    EXPECT_FALSE(released_find(0x31000000 + 10, c));
}

TEST(ReleasedBlocks, KeepsOnlyTheMostRecentFewHundred)
{
    released_note(freed_block(0x40000000, 4096, 1));
    for (uptr i = 0; i < records; ++i)
        released_note(freed_block(0x50000000 + i * 8192, 4096, 2));
    Chunk c;
    EXPECT_FALSE(released_find(0x40000000 + 10, c));
    EXPECT_TRUE(released_find(0x50000000 + (records - 1) * 8192 + 10, c));
}

}  // namespace
