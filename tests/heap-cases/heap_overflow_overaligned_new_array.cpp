// EXPECT: heap-overflow
// EXPECT-LINE: 23
// An array of over-aligned vectors (operator new[] with an alignment): the copy into the last
// element's upper half writes one element's half past the array.
#include <cstring>
#include <cstdlib>

struct alignas(32) Lanes {
    float v[8];
};

int main(int argc, char** argv)
{
    (void)argv;
    int count = 2 + argc;  // 3
    Lanes* lanes = new Lanes[count];
    float upper[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    for (int i = 0; i < count; ++i)
        std::memset(lanes[i].v, 0, sizeof lanes[i].v);
    float* last_upper = &lanes[count - 1].v[4];
    std::size_t bytes = sizeof upper;
    // BUG: the upper half of an element holds 4 floats, not 8
    std::memcpy(last_upper, upper, bytes);
    float sum = lanes[0].v[0];
    delete[] lanes;
    return static_cast<int>(sum);
}
