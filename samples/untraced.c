/* Children made with CLONE_UNTRACED, which ptrace's automatic attach
 * (PTRACE_O_TRACECLONE) skips: one by clone, one by clone3. Each creates
 * DIR/clone-child or DIR/clone3-child; the exit status says whether both
 * children succeeded. minpriv record clears the flag at the call so the
 * children are recorded (issue 12, item 8). Usage: untraced DIR */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int child(const char *dir, const char *name)
{
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return 1;
        close(fd);
        return 0;
}

static int reap(pid_t pid, const char *how)
{
        int st;
        if (pid < 0) {
                perror(how);
                return 1;
        }
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                fprintf(stderr, "%s: the child failed\n", how);
                return 1;
        }
        return 0;
}

int main(int argc, char **argv)
{
        if (argc != 2) {
                fprintf(stderr, "usage: untraced DIR\n");
                return 2;
        }
        int bad = 0;
        /* clone(CLONE_UNTRACED | SIGCHLD) on the caller's stack, like fork */
        long pid = syscall(SYS_clone, (unsigned long)(CLONE_UNTRACED | SIGCHLD), 0L, NULL, NULL, 0L);
        if (pid == 0)
                _exit(child(argv[1], "clone-child"));
        bad |= reap((pid_t)pid, "clone");

        struct clone_args ca;
        memset(&ca, 0, sizeof ca);
        ca.flags = CLONE_UNTRACED;
        ca.exit_signal = SIGCHLD;
        pid = syscall(SYS_clone3, &ca, sizeof ca);
        if (pid == 0)
                _exit(child(argv[1], "clone3-child"));
        bad |= reap((pid_t)pid, "clone3");
        printf("untraced children: %s\n", bad ? "failed" : "ok");
        return bad;
}
