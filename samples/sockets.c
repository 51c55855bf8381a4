/* Sockets: a TCP server and client over loopback (fixed port, argv[2]),
 * a unix stream socket at a path (argv[1]/sock), an abstract unix socket
 * (@minpriv-sample-PORT),
 * a socketpair and a UDP datagram sent with sendto. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHECK(x)                                                                                                       \
        do {                                                                                                           \
                if (!(x)) {                                                                                            \
                        fprintf(stderr, "sockets: %s failed: %s\n", #x, strerror(errno));                              \
                        return 1;                                                                                      \
                }                                                                                                      \
        } while (0)

int main(int argc, char **argv)
{
        if (argc != 3)
                return 2;
        int port = atoi(argv[2]);

        /* TCP over loopback */
        int srv = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        CHECK(srv >= 0);
        int one = 1;
        CHECK(setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0);
        struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
        in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        CHECK(bind(srv, (struct sockaddr *)&in, sizeof in) == 0);
        CHECK(listen(srv, 4) == 0);
        int cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        CHECK(cli >= 0);
        CHECK(connect(cli, (struct sockaddr *)&in, sizeof in) == 0);
        int acc = accept(srv, NULL, NULL);
        CHECK(acc >= 0);
        CHECK(write(cli, "ping", 4) == 4);
        char buf[8];
        CHECK(read(acc, buf, sizeof buf) == 4);
        close(acc);
        close(cli);
        close(srv);

        /* unix socket at a path */
        struct sockaddr_un un = { .sun_family = AF_UNIX };
        snprintf(un.sun_path, sizeof un.sun_path, "%s/sock", argv[1]);
        unlink(un.sun_path);
        int us = socket(AF_UNIX, SOCK_STREAM, 0);
        CHECK(us >= 0);
        CHECK(bind(us, (struct sockaddr *)&un, sizeof un) == 0);
        CHECK(listen(us, 1) == 0);
        int uc = socket(AF_UNIX, SOCK_STREAM, 0);
        CHECK(connect(uc, (struct sockaddr *)&un, sizeof un) == 0);
        close(uc);
        close(us);
        unlink(un.sun_path);

        /* abstract unix socket, named after the port: abstract names are
         * shared by the whole network namespace, and tests run this sample
         * side by side (each with a port of its own) */
        struct sockaddr_un ab = { .sun_family = AF_UNIX };
        int ablen = snprintf(ab.sun_path + 1, sizeof ab.sun_path - 1, "minpriv-sample-%d", port) + 1;
        int as = socket(AF_UNIX, SOCK_DGRAM, 0);
        CHECK(as >= 0);
        CHECK(bind(as, (struct sockaddr *)&ab, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)ablen)) ==
              0);
        close(as);

        /* socketpair and UDP */
        int sp[2];
        CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
        close(sp[0]);
        close(sp[1]);
        int udp = socket(AF_INET, SOCK_DGRAM, 0);
        CHECK(udp >= 0);
        struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons((uint16_t)(port + 1)) };
        dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        CHECK(sendto(udp, "x", 1, 0, (struct sockaddr *)&dst, sizeof dst) == 1);
        close(udp);
        printf("sockets done\n");
        return 0;
}
