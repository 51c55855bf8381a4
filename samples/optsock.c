/* A small program for the `minpriv diff` and `minpriv verify` tests: it
 * reads its configuration file (argv[1]), writes a result file next to it
 * (argv[1].out), and with --socket PORT also talks TCP over loopback: it
 * listens on PORT, connects to itself and exchanges a byte. Each step is a
 * function of its own, so that stacks name it.
 *
 * Usage: optsock CONFIG [--socket PORT]
 * Exit status: 0 ok, 2 usage, 3 the file step failed, 4 the socket step
 * failed (the failing call is named on stderr). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

static int fail(const char *what)
{
        fprintf(stderr, "optsock: %s failed: %s\n", what, strerror(errno));
        return -1;
}

static NOINLINE int read_config(const char *path, char *buf, size_t size)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return fail("open config");
        ssize_t n = read(fd, buf, size - 1);
        close(fd);
        if (n < 0)
                return fail("read config");
        buf[n] = '\0';
        return 0;
}

static NOINLINE int write_result(const char *config, const char *text)
{
        char path[4096];
        snprintf(path, sizeof path, "%s.out", config);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return fail("open result");
        size_t len = strlen(text);
        int r = write(fd, text, len) == (ssize_t)len ? 0 : fail("write result");
        close(fd);
        return r;
}

static NOINLINE int talk_tcp(int port)
{
        struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
        in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int srv = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (srv < 0)
                return fail("socket");
        int one = 1;
        if (setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
                return fail("setsockopt");
        if (bind(srv, (struct sockaddr *)&in, sizeof in) < 0)
                return fail("bind");
        if (listen(srv, 1) < 0)
                return fail("listen");
        int cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (cli < 0)
                return fail("socket");
        if (connect(cli, (struct sockaddr *)&in, sizeof in) < 0)
                return fail("connect");
        int acc = accept4(srv, NULL, NULL, SOCK_CLOEXEC);
        if (acc < 0)
                return fail("accept4");
        char c = 0;
        if (write(cli, "x", 1) != 1 || read(acc, &c, 1) != 1 || c != 'x')
                return fail("exchange");
        close(acc);
        close(cli);
        close(srv);
        return 0;
}

int main(int argc, char **argv)
{
        if (argc != 2 && !(argc == 4 && strcmp(argv[2], "--socket") == 0)) {
                fprintf(stderr, "usage: optsock CONFIG [--socket PORT]\n");
                return 2;
        }
        char conf[256];
        if (read_config(argv[1], conf, sizeof conf) < 0 || write_result(argv[1], conf) < 0)
                return 3;
        if (argc == 4 && talk_tcp(atoi(argv[3])) < 0)
                return 4;
        printf("optsock: ok\n");
        return 0;
}
