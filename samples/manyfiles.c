/* Path recording at scale: creates N distinct files under DIR (100 per
 * subdirectory), then stats and reads each one, chdir-ing into every
 * subdirectory and using relative names there (so cwd caching is
 * exercised), and removes them. Usage: manyfiles DIR N */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        if (argc != 3)
                return 2;
        long n = atol(argv[2]);
        char path[4096];
        if (mkdir(argv[1], 0755) < 0)
                return 1;
        for (long i = 0; i < n; i++) {
                if (i % 100 == 0) {
                        snprintf(path, sizeof path, "%s/d%ld", argv[1], i / 100);
                        if (mkdir(path, 0755) < 0)
                                return 1;
                }
                snprintf(path, sizeof path, "%s/d%ld/f%ld", argv[1], i / 100, i);
                int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
                if (fd < 0)
                        return 1;
                close(fd);
        }
        for (long d = 0; d * 100 < n; d++) {
                snprintf(path, sizeof path, "%s/d%ld", argv[1], d);
                if (chdir(path) < 0)
                        return 1;
                for (long i = d * 100; i < n && i < (d + 1) * 100; i++) {
                        char name[64];
                        struct stat st;
                        snprintf(name, sizeof name, "f%ld", i);
                        if (stat(name, &st) < 0)
                                return 1;
                        int fd = open(name, O_RDONLY);
                        if (fd < 0)
                                return 1;
                        close(fd);
                        if (unlink(name) < 0)
                                return 1;
                }
                if (chdir("..") < 0 || rmdir(path) < 0)
                        return 1;
        }
        return rmdir(argv[1]) < 0;
}
