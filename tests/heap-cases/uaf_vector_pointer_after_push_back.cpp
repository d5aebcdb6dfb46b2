// EXPECT: use-after-free
// EXPECT-LINE: 23
// A pointer into a vector's storage kept across push_back: the vector outgrows its buffer,
// moves to a new one and frees the old. Large freed buffers are parked (made inaccessible)
// while quarantined, so the store through the stale pointer faults and is named at once.
#include <cstdio>
#include <vector>

static std::vector<int> make_samples(int n)
{
    std::vector<int> v;
    v.reserve(n);
    for (int i = 0; i < n; ++i)
        v.push_back(i);
    return v;
}

int main()
{
    std::vector<int> samples = make_samples(30000);  // 120 KB: a table block
    int* median = &samples[samples.size() / 2];
    samples.push_back(-1);                            // full: moves to a bigger buffer
    *median = 0;                                      // BUG: the old buffer was freed
    std::printf("%zu\n", samples.size());
    return 0;
}
