/* execve from a thread that is not the thread-group leader: the kernel
 * kills the other threads and the execing thread takes the leader's pid. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static void *execer(void *arg)
{
        char *argv[] = { "echo", "exec from a thread", NULL };
        execv("/bin/echo", argv);
        return NULL;
}

int main(void)
{
        pthread_t t;
        if (pthread_create(&t, NULL, execer, NULL) != 0)
                return 1;
        for (;;)
                pause(); /* killed by the exec in the other thread */
}
