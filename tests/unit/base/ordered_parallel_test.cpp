#include "base/ordered_parallel.h"

#include <atomic>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace ringside {
namespace {

TEST(OrderedParallel, ConsumesEveryItemInInputOrder)
{
    std::vector<std::size_t> seen;
    ordered_parallel<std::string>(
        1000, 4, 8,
        [](std::size_t i) {
            // Uneven work so that later items often finish first.
            volatile std::size_t spin = (i * 7919) % 5000;
            while (spin)
                spin = spin - 1;
            return std::to_string(i);
        },
        [&](std::size_t i, std::string text) {
            EXPECT_EQ(text, std::to_string(i));
            seen.push_back(i);
            return true;
        });
    ASSERT_EQ(seen.size(), 1000u);
    for (std::size_t i = 0; i < seen.size(); ++i)
        EXPECT_EQ(seen[i], i);
}

TEST(OrderedParallel, NeverRunsMoreThanTheWindowAheadOfTheConsumer)
{
    std::atomic<std::size_t> consumed { 0 };
    std::atomic<std::size_t> furthest_ahead { 0 };
    ordered_parallel<int>(
        500, 3, 5,
        [&](std::size_t i) {
            std::size_t ahead = i - consumed.load();
            std::size_t previous = furthest_ahead.load();
            while (ahead > previous && !furthest_ahead.compare_exchange_weak(previous, ahead)) {
            }
            return static_cast<int>(i);
        },
        [&](std::size_t, int) {
            consumed.fetch_add(1);
            return true;
        });
    EXPECT_EQ(consumed.load(), 500u);
    // The consumer counts an item only after it was handed over, so `window` ahead is the bound.
    EXPECT_LE(furthest_ahead.load(), 5u);
}

TEST(OrderedParallel, StopsWhenTheConsumerSaysSo)
{
    std::atomic<std::size_t> produced { 0 };
    std::size_t consumed = 0;
    ordered_parallel<int>(
        10000, 2, 4,
        [&](std::size_t i) {
            produced.fetch_add(1);
            return static_cast<int>(i);
        },
        [&](std::size_t i, int) {
            ++consumed;
            return i < 9;
        });
    EXPECT_EQ(consumed, 10u);
    EXPECT_LE(produced.load(), 10u + 4u);
}

TEST(OrderedParallel, OneThreadAndEmptyInputWork)
{
    std::vector<int> seen;
    ordered_parallel<int>(3, 1, 1, [](std::size_t i) { return static_cast<int>(i) * 2; },
        [&](std::size_t, int v) {
            seen.push_back(v);
            return true;
        });
    EXPECT_EQ(seen, (std::vector<int> { 0, 2, 4 }));
    ordered_parallel<int>(0, 4, 4, [](std::size_t) { return 0; }, [](std::size_t, int) {
        ADD_FAILURE();
        return true;
    });
}

}  // namespace
}  // namespace ringside
