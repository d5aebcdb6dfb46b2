// EXPECT: leak
// EXPECT-LINE: 12
// A list whose head goes out of scope: the head is definitely lost, the rest indirectly.
#include <stdlib.h>

struct node { struct node* next; int value; };

static void build(int n)
{
    struct node* head = NULL;
    for (int i = 0; i < n; ++i) {
        struct node* e = malloc(sizeof *e); // BUG
        e->value = i;
        e->next = head;
        head = e;
    }
}

int main(void)
{
    build(5);
    return 0;
}
