/* execve from a thread that is not the thread-group leader: the kernel
 * kills the other threads and the execing thread takes the leader's pid.
 * The leader is in pause() when the exec kills it: the execer waits until
 * /proc says so (syscall 34), so that every run makes the same calls. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

/* /proc/self is the thread group, whose syscall file is the leader's */
static int leader_in_pause(void)
{
        char buf[64];
        int fd = open("/proc/self/syscall", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0)
                return -1;
        buf[n] = '\0';
        return atoi(buf) == SYS_pause;
}

static void *execer(void *arg)
{
        char *argv[] = { "echo", "exec from a thread", NULL };
        /* (always one sleep: the same calls in every run) */
        for (int i = 0; i < 10000; i++) {
                usleep(1000);
                if (leader_in_pause() != 0)
                        break; /* in pause(), or /proc cannot tell */
        }
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
