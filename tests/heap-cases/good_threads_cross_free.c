// EXPECT-NONE
// Blocks allocated in one thread and freed in another, through a shared queue.
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 256
static void* queue[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void* producer(void* arg)
{
    (void)arg;
    for (int round = 0; round < 2000; ++round) {
        void* p = malloc(16 + round % 200);
        memset(p, round, 16);
        pthread_mutex_lock(&lock);
        int slot = round % SLOTS;
        void* old = queue[slot];
        queue[slot] = p;
        pthread_mutex_unlock(&lock);
        free(old);
    }
    return NULL;
}

int main(void)
{
    pthread_t t[4];
    for (int i = 0; i < 4; ++i)
        pthread_create(&t[i], NULL, producer, NULL);
    for (int i = 0; i < 4; ++i)
        pthread_join(t[i], NULL);
    for (int i = 0; i < SLOTS; ++i)
        free(queue[i]);
    return 0;
}
