/* Arenas: N threads each allocate at the same moment (a barrier before and
 * after), so glibc's malloc gives each its own arena; beyond 8 it reads the
 * number of online CPUs (/sys/devices/system/cpu/online) to bound them.
 * Usage: arenas N (1..64). A path a thread pool takes or not by timing,
 * here on purpose: tests/integration/test_apparmor_related.py. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_barrier_t barrier;

static void *worker(void *arg)
{
        pthread_barrier_wait(&barrier);
        char *volatile p = malloc(100);
        if (p)
                memset(p, 1, 100);
        pthread_barrier_wait(&barrier);
        free(p);
        return arg;
}

int main(int argc, char **argv)
{
        int n = argc > 1 ? atoi(argv[1]) : 4;
        if (n < 1 || n > 64)
                return 2;
        pthread_t t[64];
        pthread_barrier_init(&barrier, NULL, (unsigned)n);
        for (int i = 0; i < n; i++)
                if (pthread_create(&t[i], NULL, worker, NULL) != 0)
                        return 1;
        for (int i = 0; i < n; i++)
                pthread_join(t[i], NULL);
        printf("arenas: %d threads allocated at once\n", n);
        return 0;
}
