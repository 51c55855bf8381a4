#define _GNU_SOURCE
/* Credential calls as make makes them, around each command it runs: a
 * setresuid/setresgid asking for the ids the process has (nothing
 * changes), then ones that change something: the effective ids to 65534
 * and back (root only; else they fail), and the effective uid "set" to
 * what it is while the fs uid differs (after setfsuid the call changes the
 * fs uid back). Between them it reads a file of uid 65534, mode 0600, that
 * it made: with fs uid 0, root reads it by CAP_DAC_READ_SEARCH; with fs
 * uid 65534 (its owner), by no capability; and a last setresuid needs
 * CAP_SETUID, with the fs uid in the reason's inputs. So the credentials
 * the recorder keeps at each point show in the capability reasons. Built
 * for i386 too (setids32: its setresuid32 takes 32-bit ids).
 *
 * Usage: setids [DIR]   (DIR: where the file is made; default $TMPDIR or
 * /tmp). Exit 0; as root, 1 when a change of ids failed (each needs
 * CAP_SETUID or CAP_SETGID). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/fsuid.h>
#include <unistd.h>

static void try_open(const char *path)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0)
                close(fd);
}

int main(int argc, char **argv)
{
        const char *tmp = argc > 1 ? argv[1] : getenv("TMPDIR");
        char owned[4096];
        snprintf(owned, sizeof owned, "%s/setids-owned", tmp && *tmp ? tmp : "/tmp");
        int failed = 0;
        int fd = open(owned, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd >= 0) {
                if (fchown(fd, 65534, 65534) < 0)
                        perror("fchown");
                close(fd);
        }
        uid_t e = geteuid();
        gid_t g = getegid();
        for (int i = 0; i < 3; i++) {
                setresuid(-1, e, -1);
                setresgid(-1, g, -1);
                try_open(owned);
        }
        if (setresgid(-1, 65534, -1) == 0 && setresuid(-1, 65534, -1) == 0) {
                try_open("/etc/shadow");
                setresuid(-1, e, -1);
                setresgid(-1, g, -1);
        } else {
                perror("setresgid/setresuid to 65534");
                failed = 1;
        }
        setfsuid(65534);
        try_open("/etc/gshadow");
        setresuid(-1, e, -1); /* the fs uid follows: back to e */
        try_open(owned);
        /* a capability reason whose inputs quote the fs uid now */
        if (setresuid(-1, 65533, -1) == 0) {
                setresuid(-1, e, -1);
        } else {
                perror("setresuid to 65533");
                failed = 1;
        }
        /* an id above 16 bits whose low 16 are the effective uid's (0): a
         * change, not a call that changes nothing; the reason of the next
         * call (refused: no capability in effect after it) quotes it */
        if (setresuid(-1, 65536, -1) == 0) {
                if (setresuid(-1, 1, -1) == 0)
                        failed = 1;
                setresuid(-1, e, -1);
        } else {
                perror("setresuid to 65536");
                failed = 1;
        }
        unlink(owned);
        return failed && e == 0;
}
