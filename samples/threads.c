/* Threads: N workers each compute and report through a mutex; the main
 * thread joins them. Exercises clone(CLONE_THREAD), futex, per-thread exit. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long total;

static void *worker(void *arg)
{
        long n = (long)arg, sum = 0;
        for (long i = 0; i < 100000 * (n + 1); i++)
                sum += i % 7;
        pthread_mutex_lock(&lock);
        total += sum;
        pthread_mutex_unlock(&lock);
        return NULL;
}

int main(int argc, char **argv)
{
        int n = argc > 1 ? atoi(argv[1]) : 4;
        if (n < 1 || n > 2000)
                return 2;
        pthread_t *t = calloc((size_t)n, sizeof *t);
        for (long i = 0; i < n; i++)
                if (pthread_create(&t[i], NULL, worker, (void *)(i % 8)) != 0)
                        return 1;
        for (int i = 0; i < n; i++)
                pthread_join(t[i], NULL);
        printf("threads=%d total=%ld\n", n, total);
        free(t);
        return 0;
}
