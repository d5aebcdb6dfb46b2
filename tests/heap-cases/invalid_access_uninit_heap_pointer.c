// EXPECT: invalid-access
// EXPECT-LINE: 12
// A struct from malloc whose pointer member was never set is followed.
#include <stdlib.h>

struct node { int value; struct node* next; };

int main(void)
{
    struct node* n = malloc(sizeof *n);
    n->value = 1;
    int v = n->next->value; // BUG
    free(n);
    return v;
}
