// Errors made on other threads than main: a use after free through memcpy and a leak.
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static void* worker(void* arg)
{
    char* buf = malloc(64);
    strcpy(buf, "thread data");
    free(buf);
    char out[16];
    size_t n = strlen("thread d");
    memcpy(out, buf, n);
    void** keep = arg;
    *keep = malloc(200);
    *keep = NULL;
    return NULL;
}

int main(void)
{
    void* slot = NULL;
    pthread_t t;
    pthread_create(&t, NULL, worker, &slot);
    pthread_join(t, NULL);
    return 0;
}
