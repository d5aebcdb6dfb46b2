// EXPECT-NONE
// A growing buffer: realloc in steps, shrink at the end, reallocarray too.
#include <stdlib.h>
#include <string.h>

int main(void)
{
    size_t cap = 1, len = 0;
    char* buf = malloc(cap);
    for (int i = 0; i < 5000; ++i) {
        if (len + 1 >= cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        buf[len++] = (char)('a' + i % 26);
        buf[len] = 0;
    }
    buf = realloc(buf, len + 1);
    int* nums = reallocarray(NULL, 100, sizeof(int));
    nums = reallocarray(nums, 1000, sizeof(int));
    memset(nums, 0, 1000 * sizeof(int));
    int ok = strlen(buf) == 5000 && nums[999] == 0;
    free(nums);
    free(buf);
    return ok ? 0 : 1;
}
