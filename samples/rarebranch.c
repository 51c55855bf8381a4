/* A worker pool of one: fork a worker, wait for it. Only when the worker
 * is still alive after its deadline (never, unless MINPRIV_RAREBRANCH_SLOW is
 * set) does the parent kill it and sync its output: a rarely taken branch
 * whose syscalls (kill, sync) a recording of the usual run never sees. The
 * coverage-gap report must name them, kill ranked as related (a process
 * that forks and waits can also kill), sync among the others. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
        const char *slow = getenv("MINPRIV_RAREBRANCH_SLOW");
        pid_t pid = fork();
        if (pid < 0)
                return 1;
        if (pid == 0) {
                if (slow)
                        pause();
                _exit(0);
        }
        int st;
        if (slow) {
                /* the deadline passed: the rare branch */
                usleep(10000);
                kill(pid, SIGTERM);
                sync();
        }
        if (waitpid(pid, &st, 0) < 0)
                return 1;
        printf("rarebranch: worker %s\n", WIFEXITED(st) ? "exited" : "killed");
        return 0;
}
