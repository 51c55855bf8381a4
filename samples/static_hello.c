/* A statically linked program: no dynamic loader, few syscalls. Writes a
 * greeting to stdout and a file under $TMPDIR (default /tmp), reads it back. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
        const char *tmp = getenv("TMPDIR");
        char path[4096];
        snprintf(path, sizeof path, "%s/static_hello.out", tmp && *tmp ? tmp : "/tmp");
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return 1;
        if (write(fd, "hello\n", 6) != 6)
                return 1;
        close(fd);
        char buf[16] = { 0 };
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || read(fd, buf, sizeof buf - 1) != 6)
                return 1;
        close(fd);
        unlink(path);
        if (write(STDOUT_FILENO, buf, strlen(buf)) < 0)
                return 1;
        return 0;
}
