#define _GNU_SOURCE
/* A program that needs exactly four capabilities, run as root: it chowns a
 * file to another user (CAP_CHOWN), binds a TCP port below 1024 on loopback
 * (CAP_NET_BIND_SERVICE), then drops to an unprivileged user with
 * setgroups/setgid (CAP_SETGID) and setuid (CAP_SETUID), checking each step.
 *
 * Usage: privileged DIR [PORT [UID]]   (defaults: port 80, uid 65534; the
 * gid is the uid). DIR must be writable by root without any capability
 * (owned by root, e.g. /tmp). Exit 0 when every step worked, 1 otherwise. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHECK(x)                                                                                                       \
        do {                                                                                                           \
                if (!(x)) {                                                                                            \
                        fprintf(stderr, "privileged: %s failed: %s\n", #x, strerror(errno));                           \
                        return 1;                                                                                      \
                }                                                                                                      \
        } while (0)

int main(int argc, char **argv)
{
        if (argc < 2 || argc > 4) {
                fprintf(stderr, "usage: privileged DIR [PORT [UID]]\n");
                return 2;
        }
        int port = argc > 2 ? atoi(argv[2]) : 80;
        uid_t uid = argc > 3 ? (uid_t)atoi(argv[3]) : 65534;
        gid_t gid = (gid_t)uid;

        /* 1. A file given away to another user. */
        char path[4096];
        snprintf(path, sizeof path, "%s/privileged-owned", argv[1]);
        unlink(path);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        CHECK(fd >= 0);
        close(fd);
        CHECK(chown(path, uid, gid) == 0);
        struct stat st;
        CHECK(stat(path, &st) == 0);
        CHECK(st.st_uid == uid && st.st_gid == gid);
        CHECK(unlink(path) == 0);

        /* 2. A privileged port on loopback. */
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        CHECK(s >= 0);
        int one = 1;
        CHECK(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0);
        struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
        in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        CHECK(bind(s, (struct sockaddr *)&in, sizeof in) == 0);
        CHECK(listen(s, 1) == 0);
        struct sockaddr_in got;
        socklen_t len = sizeof got;
        CHECK(getsockname(s, (struct sockaddr *)&got, &len) == 0);
        CHECK(ntohs(got.sin_port) == port);

        /* 3. Drop to the unprivileged user, for good. */
        CHECK(setgroups(0, NULL) == 0);
        CHECK(setgid(gid) == 0);
        CHECK(setuid(uid) == 0);
        uid_t r, e, sv;
        gid_t rg, eg, sg;
        CHECK(getresuid(&r, &e, &sv) == 0);
        CHECK(r == uid && e == uid && sv == uid);
        CHECK(getresgid(&rg, &eg, &sg) == 0);
        CHECK(rg == gid && eg == gid && sg == gid);
        CHECK(getgroups(0, NULL) == 0);

        /* Still serving on the privileged port as the unprivileged user. */
        int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        CHECK(c >= 0);
        CHECK(connect(c, (struct sockaddr *)&in, sizeof in) == 0);
        int a = accept(s, NULL, NULL);
        CHECK(a >= 0);
        CHECK(write(c, "ok", 2) == 2);
        char buf[4];
        CHECK(read(a, buf, sizeof buf) == 2);
        close(a);
        close(c);
        close(s);
        printf("privileged: chown, port %d, uid/gid %u: ok\n", port, (unsigned)uid);
        return 0;
}
