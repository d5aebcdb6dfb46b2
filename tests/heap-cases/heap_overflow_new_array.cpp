// EXPECT: heap-overflow
// EXPECT-LINE: 10
// EXPECT-STACK: alloc
// Writing one past a new[] array; found at delete[].
#include <cstdio>

int main()
{
    int count = 4;
    double* samples = new double[count]; // BUG
    for (int i = 0; i <= count; ++i)
        samples[i] = i * 0.5;
    std::printf("%f\n", samples[1]);
    delete[] samples;
    return 0;
}
