// EXPECT: mismatched-free
// EXPECT-LINE: 8
// new[] released with scalar delete.
int main()
{
    int* values = new int[16];
    values[0] = 1;
    delete values; // BUG
    return 0;
}
