/* The same source built twice, against glibc and against musl (static):
 * the two libcs implement these calls with different syscalls (musl's
 * open, stat, access, pipe, dup2, poll and rename use open, stat, access,
 * pipe, dup2, poll, rename where glibc uses openat, newfstatat, faccessat/
 * access, pipe2, dup2/dup3, ppoll/poll, renameat2/rename...; the stdio
 * writes use writev on musl). A profile recorded from the glibc build
 * alone must be widened by `generate --portable` to run the musl build.
 * Usage: portable DIR (a writable directory); exit 0 and "portable ok"
 * when every call succeeded, else the number of the failed step. */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        if (argc < 2) {
                fprintf(stderr, "usage: portable DIR\n");
                return 100;
        }
        char a[4096], b[4096];
        snprintf(a, sizeof a, "%s/portable-a", argv[1]);
        snprintf(b, sizeof b, "%s/portable-b", argv[1]);
        int fd = open(a, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0)
                return 1;
        if (write(fd, "x\n", 2) != 2 || close(fd) < 0)
                return 2;
        struct stat sb;
        if (stat(a, &sb) < 0 || sb.st_size != 2)
                return 3;
        if (access(a, R_OK) < 0)
                return 4;
        if (rename(a, b) < 0)
                return 5;
        int p[2];
        if (pipe(p) < 0)
                return 6;
        if (dup2(p[1], 10) < 0)
                return 7;
        if (write(10, "y", 1) != 1)
                return 8;
        struct pollfd pf = { .fd = p[0], .events = POLLIN };
        if (poll(&pf, 1, 1000) != 1)
                return 9;
        pid_t pid = fork();
        if (pid < 0)
                return 10;
        if (pid == 0)
                _exit(0);
        int st;
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
                return 11;
        if (unlink(b) < 0)
                return 12;
        printf("portable ok\n");
        return 0;
}
