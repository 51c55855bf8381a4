/* SPDX-License-Identifier: MIT */
#include "common/fileio.h"

#include <fcntl.h>
#include <libgen.h>
#include <sys/stat.h>

int atomic_file_open(atomic_file *af, const char *path, int mode)
{
        _cleanup_free_ char *copy = xstrdup(path);
        char *slash = strrchr(copy, '/');
        const char *dir = ".";
        const char *base = copy;
        if (slash) {
                *slash = '\0';
                dir = slash == copy ? "/" : copy;
                base = slash + 1;
        }
        if (!*base)
                return -EISDIR;

        struct stat st;
        bool exists = stat(path, &st) == 0;
        if (exists && S_ISDIR(st.st_mode))
                return -EISDIR;
        if (exists && !S_ISREG(st.st_mode)) {
                /* Renaming over /dev/null would replace the device with a
                 * regular file for every other program on the machine. */
                int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
                if (fd < 0)
                        return -errno;
                af->path = xstrdup(path);
                af->tmp_path = NULL;
                af->fd = fd;
                af->direct = true;
                return 0;
        }

        _cleanup_free_ char *tmp = xasprintf("%s%s.%s.tmpXXXXXX", dir, streq(dir, "/") ? "" : "/", base);
        int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        mode_t um = umask(0);
        umask(um);
        if (fchmod(fd, (mode_t)mode & ~um) < 0) {
                int r = -errno;
                close(fd);
                unlink(tmp);
                return r;
        }
        af->path = xstrdup(path);
        af->tmp_path = steal_pointer(&tmp);
        af->fd = fd;
        af->direct = false;
        return 0;
}

int atomic_file_write(atomic_file *af, const void *data, size_t n)
{
        const char *p = data;
        while (n > 0) {
                ssize_t w = write(af->fd, p, n);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += w;
                n -= (size_t)w;
        }
        return 0;
}

int atomic_file_commit(atomic_file *af)
{
        int r = 0;
        if (af->direct) {
                if (close(af->fd) < 0)
                        r = -errno;
                af->fd = -1;
                af->direct = false;
                free(af->path);
                af->path = NULL;
                return r;
        }
        if (fsync(af->fd) < 0)
                r = -errno;
        if (close(af->fd) < 0 && r == 0)
                r = -errno;
        af->fd = -1;
        if (r == 0 && rename(af->tmp_path, af->path) < 0)
                r = -errno;
        if (r < 0)
                unlink(af->tmp_path);
        free(af->tmp_path);
        free(af->path);
        af->tmp_path = af->path = NULL;
        return r;
}

void atomic_file_abort(atomic_file *af)
{
        if (af && af->direct) {
                if (af->fd >= 0)
                        close(af->fd);
                free(af->path);
                af->path = NULL;
                af->fd = -1;
                af->direct = false;
                return;
        }
        if (!af || !af->tmp_path)
                return;
        if (af->fd >= 0)
                close(af->fd);
        unlink(af->tmp_path);
        free(af->tmp_path);
        free(af->path);
        af->tmp_path = af->path = NULL;
        af->fd = -1;
}

int write_file_atomic(const char *path, const void *data, size_t n, int mode)
{
        _cleanup_atomic_file_ atomic_file af = { .fd = -1 };
        int r = atomic_file_open(&af, path, mode);
        if (r < 0)
                return r;
        r = atomic_file_write(&af, data, n);
        if (r < 0)
                return r;
        return atomic_file_commit(&af);
}

int read_file_full(const char *path, size_t max, char **ret_data, size_t *ret_size)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        size_t cap = 4096, len = 0;
        _cleanup_free_ char *buf = xmalloc(cap + 1);
        for (;;) {
                if (len == cap) {
                        if (cap >= max)
                                return -EFBIG;
                        cap = cap * 2 > max ? max : cap * 2;
                        buf = xrealloc(buf, cap + 1);
                }
                ssize_t n = read(fd, buf + len, cap - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        buf[len] = '\0';
        *ret_data = steal_pointer(&buf);
        if (ret_size)
                *ret_size = len;
        return 0;
}

int mkdir_parents(const char *path, int mode)
{
        _cleanup_free_ char *p = xstrdup(path);
        for (char *s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = '\0';
                if (mkdir(p, (mode_t)mode) < 0 && errno != EEXIST)
                        return -errno;
                *s = '/';
        }
        if (mkdir(p, (mode_t)mode) < 0) {
                if (errno != EEXIST)
                        return -errno;
                struct stat st;
                if (stat(p, &st) < 0)
                        return -errno;
                if (!S_ISDIR(st.st_mode))
                        return -ENOTDIR;
        }
        return 0;
}

int read_table_file(const char *dir, const char *name, char ***ret, char **ret_origin, mp_error *err)
{
        _cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r = read_file_full(path, 16u * 1024u * 1024u, &data, &size);
        if (r < 0)
                return mp_error_set(err, r, path, "cannot read the table: %s", strerror(-r));
        char **lines = xcalloc(1, sizeof *lines);
        size_t n = 0;
        char *save = NULL;
        for (char *l = strtok_r(data, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                if (l[0] == '#') {
                        if (ret_origin && !*ret_origin && strncmp(l, "# from ", 7) == 0)
                                *ret_origin = xstrdup(l + 7);
                        continue;
                }
                if (!l[0])
                        continue;
                if (!strchr(l, '\t')) {
                        strv_free(lines);
                        _cleanup_free_ char *q = quote_for_message(l);
                        return mp_error_set(err, -EINVAL, path, "line without a tab: %s", q);
                }
                lines = xrealloc(lines, (n + 2) * sizeof *lines);
                lines[n++] = xstrdup(l);
                lines[n] = NULL;
        }
        *ret = lines;
        return 0;
}
