// The interceptors' inline answers (preload/range_fast.h) against the slow definitions they
// stand for: slab_answer against the slot arithmetic and the header word, may_hold_fill against
// a byte loop. The slabs themselves come from slab_test.cpp, which compiles slab.cpp into this
// same binary.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "heap/preload/range_fast.h"

using namespace ringside::heap::rt;

namespace {

bool byte_loop_holds_fill(const unsigned char* p, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        if (p[i] == uninit_byte)
            return true;
    return false;
}

uptr obtain_block(u64 size, AllocKind kind)
{
    SlotMeta* meta = nullptr;
    u64 slot_size = 0;
    uptr user = slab_obtain(size, meta, slot_size);
    if (user)
        *reinterpret_cast<u64*>(user - 8) = slab_header(user, size, false, kind);
    return user;
}

TEST(RangeFast, FillScanMatchesAByteLoopAtEveryAlignmentAndLength)
{
    alignas(16) unsigned char buffer[128];
    // Neighbours of the fill byte (0xbf, 0xbd, 0x3e) catch a mask that is off by a bit.
    const unsigned char others[] = { 'a', 0xbf, 0xbd, 0x3e, 0x00, 0xff };
    for (unsigned char other : others) {
        for (size_t start = 16; start < 40; ++start) {
            for (size_t length = 0; length <= 40; ++length) {
                // No fill byte, then one at each place from 8 before the range to 8 after it.
                for (long fill = -1; fill < static_cast<long>(length) + 16; ++fill) {
                    memset(buffer, other, sizeof buffer);
                    if (fill >= 0)
                        buffer[start - 8 + fill] = uninit_byte;
                    uptr p = reinterpret_cast<uptr>(buffer + start);
                    ASSERT_EQ(may_hold_fill(p, p + length), byte_loop_holds_fill(buffer + start, length))
                        << "start " << start << " length " << length << " fill " << fill << " other " << int(other);
                }
            }
        }
    }
}

TEST(RangeFast, SlabAnswerGivesTheBlockForEveryAddressOfItsSlot)
{
    ASSERT_TRUE(slabs_init());
    for (u64 size : std::vector<u64> { 0, 1, 13, 24, 88, 1000, 40000 }) {
        uptr block = obtain_block(size, AllocKind::Malloc);
        ASSERT_NE(block, 0u);
        SlabView v;
        ASSERT_TRUE(slab_slot_of(block, v));
        for (uptr a = v.slot_start; a < v.slot_start + v.slot_size; a += (a - v.slot_start < 64 || v.slot_start + v.slot_size - a < 64) ? 1 : 61) {
            uptr user = 0;
            u64 got_size = ~0ull;
            SlabAnswer answer = slab_answer(a, user, got_size);
            bool inside = a == block || (a > block && a < block + size);
            if (inside) {
                ASSERT_EQ(answer, SlabAnswer::Block) << size << " at +" << a - block;
                EXPECT_EQ(user, block);
                EXPECT_EQ(got_size, size);
            } else {
                ASSERT_EQ(answer, SlabAnswer::NoBlock) << size << " at " << long(a - block);
            }
        }
    }
}

TEST(RangeFast, SlabAnswerAsksWhenTheHeaderSaysFreedOrIsDamaged)
{
    ASSERT_TRUE(slabs_init());
    uptr block = obtain_block(40, AllocKind::New);
    ASSERT_NE(block, 0u);
    uptr user;
    u64 size;
    ASSERT_EQ(slab_answer(block + 3, user, size), SlabAnswer::Block);
    auto* header = reinterpret_cast<u64*>(block - 8);
    *header = slab_header(block, 40, true, AllocKind::New);
    EXPECT_EQ(slab_answer(block + 3, user, size), SlabAnswer::Ask);
    *header = slab_header(block, 40, false, AllocKind::New) ^ (1ull << 50);  // an underflow wrote here
    EXPECT_EQ(slab_answer(block + 3, user, size), SlabAnswer::Ask);
    *header = slab_header(block, 41, false, AllocKind::New) & ~0xffull;  // size byte changed
    EXPECT_EQ(slab_answer(block + 3, user, size), SlabAnswer::Ask);
    *header = slab_header(block, 40, false, AllocKind::Internal);
    EXPECT_EQ(slab_answer(block + 3, user, size), SlabAnswer::NoBlock);  // our own blocks are never checked
}

TEST(RangeFast, AddressesOutsideTheSlabsAreLeftToTheTable)
{
    ASSERT_TRUE(slabs_init());
    int local = 0;
    static int global = 0;
    uptr user;
    u64 size;
    EXPECT_EQ(slab_answer(reinterpret_cast<uptr>(&local), user, size), SlabAnswer::NotSlab);
    EXPECT_EQ(slab_answer(reinterpret_cast<uptr>(&global), user, size), SlabAnswer::NotSlab);
    EXPECT_EQ(slab_answer(0, user, size), SlabAnswer::NotSlab);
    // Past the last slab made so far.
    uptr end = g_slab_base + g_slab_count.load() * slab_bytes;
    EXPECT_EQ(slab_answer(end, user, size), SlabAnswer::NotSlab);
}

}  // namespace
