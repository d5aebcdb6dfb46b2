// The preload library's size-class slabs, compiled into the test directly (the library itself
// is a -nodefaultlibs shared object that cannot be linked into a GoogleTest binary).
#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "heap/preload/slab.cpp"
#include "heap/preload/sys.cpp"

using namespace ringside::heap::rt;

namespace {

struct Obtained {
    uptr user;
    u64 slot_size;
};

Obtained obtain(u64 size)
{
    SlotMeta* meta = nullptr;
    u64 slot_size = 0;
    uptr user = slab_obtain(size, meta, slot_size);
    return { user, slot_size };
}

TEST(Slab, SlotsHoldTheBlockAndBothRedzones)
{
    ASSERT_TRUE(slabs_init());
    for (u64 size : std::vector<u64> { 0, 1, 16, 17, 88, 1000, 4096, 40000, max_small_size }) {
        Obtained o = obtain(size);
        ASSERT_NE(o.user, 0u) << size;
        EXPECT_EQ(o.user % 16, 0u) << size;
        // The left redzone and the block rounded up to 16 bytes; the right redzone is the slack
        // and the first word after the slot, which is in the same slab (a next slot or spare).
        EXPECT_GE(o.slot_size, slab_left_redzone + round_up(size, 16)) << size;
        uptr slot_end = o.user - slab_left_redzone + o.slot_size;
        EXPECT_EQ((slot_end - 1 - g_slab_base) / slab_bytes, (slot_end + 7 - g_slab_base) / slab_bytes) << size;
        EXPECT_LE(o.slot_size, max_slot_bytes) << size;
        // Every address of the slot, redzones included, maps back to it.
        for (uptr a : { o.user - 16, o.user, o.user + (size ? size - 1 : 0), o.user - 16 + o.slot_size - 1 }) {
            SlabView v;
            ASSERT_TRUE(slab_slot_of(a, v)) << size;
            EXPECT_EQ(slot_user(v), o.user) << size;
            EXPECT_EQ(v.slot_size, o.slot_size) << size;
        }
    }
}

TEST(Slab, AddressesOutsideHandedOutSlotsAreNotBlocks)
{
    ASSERT_TRUE(slabs_init());
    SlabView v;
    int local = 0;
    EXPECT_FALSE(slab_slot_of(reinterpret_cast<uptr>(&local), v));
    EXPECT_FALSE(slab_slot_of(0, v));
    EXPECT_FALSE(slab_slot_of(g_slab_base + g_max_slabs * slab_bytes - 1, v));
}

TEST(Slab, ReleasedSlotsAreReusedAndDistinctWhileLive)
{
    ASSERT_TRUE(slabs_init());
    std::set<uptr> live;
    for (int i = 0; i < 5000; ++i) {
        Obtained o = obtain(100);
        ASSERT_TRUE(live.insert(o.user).second);
    }
    uptr first = *live.begin();
    slab_release(first);
    EXPECT_EQ(obtain(100).user, first);  // the thread cache hands back what it was given
}

TEST(Slab, ThreadsNeverShareASlotAndTheWalkSeesThemAll)
{
    ASSERT_TRUE(slabs_init());
    constexpr int per_thread = 20000;
    std::vector<uptr> got[4];
    std::vector<std::thread> threads;
    for (auto& out : got)
        threads.emplace_back([&out] {
            for (int i = 0; i < per_thread; ++i) {
                SlotMeta* meta;
                u64 slot_size;
                uptr user = slab_obtain(48 + i % 200, meta, slot_size);
                meta->state.store(SlotLive);
                out.push_back(user);
                if (i % 3 == 0) {  // cross-thread churn through the central stacks
                    meta->state.store(SlotReleased);
                    slab_release(user);
                    out.pop_back();
                }
            }
        });
    for (auto& t : threads)
        t.join();
    std::set<uptr> all;
    for (auto& out : got)
        for (uptr u : out)
            ASSERT_TRUE(all.insert(u).second);
    std::set<uptr> walked;
    for_each_slot([&](uptr user, u64, const SlotMeta& m) {
        if (m.state.load() == SlotLive)
            walked.insert(user);
    });
    for (uptr u : all)
        EXPECT_TRUE(walked.count(u));
}

// Two threads taking fresh slots of one class in strict turns (the worst case for sharing)
// each carve spans of their own: no cache line of metadata holds both threads' slots, and no
// page of slots does apart from a span's edges.
TEST(Slab, ThreadsTakingTurnsGetSlotsApart)
{
    ASSERT_TRUE(slabs_init());
    for (u64 size : { 40u, 1000u, 8000u, 30000u }) {
        constexpr int per_thread = 300;
        std::atomic<int> turn { 0 };
        std::vector<uptr> metas[2], users[2];
        auto take = [&](int self) {
            for (int i = 0; i < per_thread; ++i) {
                while (turn.load() % 2 != self)
                    std::this_thread::yield();
                SlotMeta* meta;
                u64 slot_size;
                uptr user = slab_obtain(size, meta, slot_size);
                metas[self].push_back(reinterpret_cast<uptr>(meta));
                users[self].push_back(user);
                turn.fetch_add(1);
            }
        };
        std::thread a(take, 0), b(take, 1);
        a.join();
        b.join();
        std::set<uptr> lines[2], pages[2];
        for (int t = 0; t < 2; ++t) {
            ASSERT_EQ(metas[t].size(), size_t(per_thread));
            for (uptr m : metas[t])
                lines[t].insert(m / 64);
            for (uptr u : users[t])
                pages[t].insert(u / page_size);
        }
        for (uptr line : lines[0])
            EXPECT_FALSE(lines[1].count(line)) << size;
        size_t shared_pages = 0;
        for (uptr page : pages[0])
            shared_pages += pages[1].count(page);
        EXPECT_LE(shared_pages * 8, pages[0].size() + 8) << size;
    }
}

// Caches shrink as threads come: with 24 threads alive at once, each class's cache holds at
// most 16 KiB (16 slots of 1 KiB) instead of 64 KiB.
TEST(Slab, CachesShrinkWithManyThreads)
{
    ASSERT_TRUE(slabs_init());
    // The per-class table the allocator reads, for the classes of 1 KiB and 48-byte slots.
    unsigned kib = g_class_of[1024 / 16], smallest = g_class_of[48 / 16];
    ASSERT_EQ(g_class_size[kib], 1024u);
    ASSERT_EQ(g_class_size[smallest], 48u);
    u32 before = class_limit(kib);
    EXPECT_LE(before, 64u);
    constexpr int threads = 24;
    std::atomic<int> ready { 0 };
    std::atomic<bool> go { false };
    std::vector<std::thread> pool;
    for (int i = 0; i < threads; ++i)
        pool.emplace_back([&] {
            obtain(1000);  // gives the thread a cache of its own
            ready.fetch_add(1);
            while (!go.load())
                std::this_thread::yield();
        });
    while (ready.load() < threads)
        std::this_thread::yield();
    EXPECT_EQ(class_limit(kib), 16u);
    EXPECT_EQ(class_limit(smallest), 256u);  // 16 KiB of the smallest slots still fills the stack
    go.store(true);
    for (auto& t : pool)
        t.join();
}

}  // namespace

namespace {

TEST(Slab, ReciprocalDivisionIsExactForEveryClass)
{
    ASSERT_TRUE(slabs_init());
    for (unsigned k = 0; k < g_class_count; ++k) {
        u64 d = g_class_size[k];
        u64 reciprocal = (1ull << 40) / d + 1;
        for (u64 offset = 0; offset < slab_bytes; ++offset)
            ASSERT_EQ((offset * reciprocal) >> 40, offset / d) << d << " " << offset;
    }
}

}  // namespace
