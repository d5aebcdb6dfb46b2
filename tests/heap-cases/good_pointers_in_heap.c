// EXPECT-NONE
// Blocks reachable only through other heap blocks and a global at exit: not leaks.
#include <stdlib.h>

struct node { struct node* next; char payload[24]; };
struct node* g_list;

int main(void)
{
    for (int i = 0; i < 50; ++i) {
        struct node* n = malloc(sizeof *n);
        n->next = g_list;
        g_list = n;
    }
    struct node** index = malloc(10 * sizeof *index);
    index[0] = g_list;
    g_list->payload[0] = 1;
    free(index);
    return 0;
}
