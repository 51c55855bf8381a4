/* Reuse of fd numbers, for the tracer's fd-path cache: a directory fd is
 * used with *at calls, closed, and the same number then names another
 * directory; dup2 replaces a cached fd; a directory is renamed while its fd
 * is open; close_range drops a range. Every *at call below must be recorded
 * under the directory its fd names at that moment.
 * Usage: fdcache DIR   (DIR is created; a/, b/, c/ are made inside) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int touch_at(int dfd, const char *name)
{
        int fd = openat(dfd, name, O_WRONLY | O_CREAT, 0644);
        if (fd < 0)
                return -1;
        return close(fd);
}

int main(int argc, char **argv)
{
        if (argc != 2 || mkdir(argv[1], 0755) < 0 || chdir(argv[1]) < 0)
                return 2;
        if (mkdir("a", 0755) || mkdir("b", 0755) || mkdir("c", 0755))
                return 1;
        int fa = open("a", O_RDONLY | O_DIRECTORY);
        if (fa < 0 || touch_at(fa, "1") < 0)
                return 1;
        close(fa);
        int fb = open("b", O_RDONLY | O_DIRECTORY); /* the lowest free fd: fa's number again */
        if (fb != fa || touch_at(fb, "2") < 0)
                return 1;
        int fc = open("c", O_RDONLY | O_DIRECTORY);
        if (dup2(fc, fb) != fb || touch_at(fb, "3") < 0) /* fb now names c */
                return 1;
        if (rename("c", "c-renamed") < 0 || touch_at(fc, "4") < 0) /* c-renamed/4 */
                return 1;
        if (syscall(SYS_close_range, (unsigned)fb, (unsigned)fc, 0) < 0)
                return 1;
        int fd = open("a", O_RDONLY | O_DIRECTORY); /* again the number of fb */
        if (fd != fb || touch_at(fd, "5") < 0)
                return 1;
        close(fd);
        printf("fdcache done\n");
        return 0;
}
