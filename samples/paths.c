/* Every path syscall family, with *at variants, relative paths, symlinks,
 * failures and fd-based calls. Works inside the directory given as argv[1]
 * (created if missing). The recorded file accesses are checked exactly by
 * tests/integration/test_paths.py; keep the two in step. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#define CHECK(x)                                                                                                       \
        do {                                                                                                           \
                if (!(x)) {                                                                                            \
                        fprintf(stderr, "paths: %s failed: %s\n", #x, strerror(errno));                                \
                        return 1;                                                                                      \
                }                                                                                                      \
        } while (0)

int main(int argc, char **argv)
{
        if (argc != 2)
                return 2;
        mkdir(argv[1], 0755);
        CHECK(chdir(argv[1]) == 0);
        CHECK(mkdir("d", 0755) == 0);
        CHECK(mkdirat(AT_FDCWD, "d/sub", 0700) == 0);

        /* open/openat/creat: create, write, append, read */
        int fd = open("d/f", O_WRONLY | O_CREAT | O_EXCL, 0644);
        CHECK(fd >= 0);
        CHECK(write(fd, "data\n", 5) == 5);
        close(fd);
        int dfd = open("d", O_RDONLY | O_DIRECTORY);
        CHECK(dfd >= 0);
        fd = openat(dfd, "g", O_RDWR | O_CREAT | O_APPEND, 0600);
        CHECK(fd >= 0);
        CHECK(write(fd, "x", 1) == 1);
        CHECK(flock(fd, LOCK_EX) == 0);
        CHECK(ftruncate(fd, 0) == 0);
        close(fd);
        fd = creat("d/c", 0644);
        CHECK(fd >= 0);
        close(fd);
        fd = open("d/f", O_RDONLY);
        CHECK(fd >= 0);
        close(fd);

        /* symlinks: create, read the link, follow it */
        CHECK(symlink("d/f", "lnk") == 0);
        char buf[256];
        CHECK(readlink("lnk", buf, sizeof buf) == 3);
        struct stat st;
        CHECK(stat("lnk", &st) == 0);
        CHECK(lstat("lnk", &st) == 0);
        CHECK(fstatat(dfd, "f", &st, 0) == 0);
        fd = open("lnk", O_RDONLY);
        CHECK(fd >= 0);
        close(fd);

        /* hard links and renames */
        CHECK(link("d/f", "d/hard") == 0);
        CHECK(linkat(dfd, "f", dfd, "hard2", 0) == 0);
        CHECK(rename("d/c", "d/c2") == 0);
        CHECK(renameat(dfd, "c2", AT_FDCWD, "c3") == 0);

        /* attributes */
        CHECK(chmod("d/f", 0640) == 0);
        CHECK(fchmodat(dfd, "g", 0600, 0) == 0);
        CHECK(chown("d/f", getuid(), getgid()) == 0);
        CHECK(fchownat(dfd, "g", getuid(), getgid(), 0) == 0);
        CHECK(utimensat(AT_FDCWD, "d/f", NULL, 0) == 0);
        CHECK(truncate("d/f", 2) == 0);
        CHECK(access("d/f", R_OK) == 0);
        CHECK(faccessat(dfd, "g", W_OK, 0) == 0);

        /* directory listing through an fd */
        DIR *dir = opendir("d");
        CHECK(dir != NULL);
        int entries = 0;
        while (readdir(dir))
                entries++;
        closedir(dir);

        /* failures: a missing file, a directory opened for writing, a
         * missing program */
        CHECK(open("missing", O_RDONLY) < 0 && errno == ENOENT);
        CHECK(open("d", O_WRONLY) < 0 && errno == EISDIR);
        char *args[] = { "nope", NULL };
        CHECK(execv("./no-such-program", args) < 0 && errno == ENOENT);

        /* a fifo, then remove everything */
        CHECK(mkfifo("d/fifo", 0600) == 0);
        CHECK(unlink("d/fifo") == 0);
        CHECK(unlink("d/hard") == 0);
        CHECK(unlinkat(dfd, "hard2", 0) == 0);
        CHECK(unlinkat(dfd, "sub", AT_REMOVEDIR) == 0);
        CHECK(unlink("c3") == 0);
        CHECK(unlink("lnk") == 0);
        CHECK(unlink("d/f") == 0);
        CHECK(unlink("d/g") == 0);
        close(dfd);
        CHECK(rmdir("d") == 0);
        printf("paths done, %d entries listed\n", entries);
        return 0;
}
