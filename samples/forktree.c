/* A process tree: fork, vfork + exec, and a grandchild that execs; every
 * child is waited for. Exit status 0 when all children exited 0. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static int run(const char *prog, char *const argv[])
{
        pid_t pid = vfork();
        if (pid < 0)
                return -1;
        if (pid == 0) {
                execv(prog, argv);
                _exit(127);
        }
        int st;
        if (waitpid(pid, &st, 0) < 0)
                return -1;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

int main(void)
{
        char *true_argv[] = { "true", NULL };
        int bad = 0;
        pid_t a = fork();
        if (a == 0) {
                /* child: a grandchild that execs, then exit */
                pid_t b = fork();
                if (b == 0) {
                        execl("/bin/true", "true", (char *)NULL);
                        _exit(127);
                }
                int st;
                waitpid(b, &st, 0);
                _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 1);
        }
        if (run("/bin/true", true_argv) != 0)
                bad++;
        int st;
        if (waitpid(a, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
                bad++;
        printf("forktree done, %d failures\n", bad);
        return bad ? 1 : 0;
}
