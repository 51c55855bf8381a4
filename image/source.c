/* SPDX-License-Identifier: MIT */
/* A directory or a tar archive as the source of a minimal image. */
#include "image/source.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

struct image_source {
        char *path;
        int rootfd; /* directory source: O_PATH descriptor of the root */
        int tarfd;  /* tar source: the archive */
        tar_index *tar;
};

static ssize_t fd_pread(void *ud, void *buf, size_t n, uint64_t off)
{
        int fd = *(int *)ud;
        for (;;) {
                ssize_t k = pread(fd, buf, n, (off_t)off);
                if (k >= 0)
                        return k;
                if (errno != EINTR)
                        return -errno;
        }
}

void image_source_free(image_source *s)
{
        if (!s)
                return;
        if (s->rootfd >= 0)
                close(s->rootfd);
        if (s->tarfd >= 0)
                close(s->tarfd);
        tar_index_free(s->tar);
        free(s->path);
        free(s);
}

int image_source_open(const char *path, image_source **ret, mp_error *err)
{
        _cleanup_free_ char *q = quote_for_message(path);
        struct stat st;
        if (stat(path, &st) < 0)
                return mp_error_set(err, -errno, q, "cannot open the source: %s", strerror(errno));
        image_source *s = xcalloc(1, sizeof *s);
        s->path = xstrdup(path);
        s->rootfd = s->tarfd = -1;
        int rc = 0;
        if (S_ISDIR(st.st_mode)) {
                s->rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (s->rootfd < 0)
                        rc = mp_error_set(err, -errno, q, "cannot open the source: %s", strerror(errno));
        } else if (S_ISREG(st.st_mode)) {
                s->tarfd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                unsigned char magic[2] = { 0 };
                if (s->tarfd < 0) {
                        rc = mp_error_set(err, -errno, q, "cannot open the source: %s", strerror(errno));
                } else if (!tar_probe(fd_pread, &s->tarfd, (uint64_t)st.st_size)) {
                        bool gz = pread(s->tarfd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
                        rc = mp_error_set(err, -EINVAL, q,
                                          gz ? "a compressed archive: give the plain tar (gunzip it first; `docker "
                                               "export` writes plain tar)"
                                             : "not a directory or a tar archive");
                } else {
                        rc = tar_index_read(fd_pread, &s->tarfd, (uint64_t)st.st_size, q, &s->tar, err);
                }
        } else {
                rc = mp_error_set(err, -EINVAL, q, "not a directory or a tar archive");
        }
        if (rc < 0) {
                image_source_free(s);
                return rc;
        }
        *ret = s;
        return 0;
}

const char *image_source_kind(const image_source *s)
{
        return s->tar ? "tar" : "directory";
}

const char *image_source_path(const image_source *s)
{
        return s->path;
}

/* Directory source: a descriptor of path's parent (new), reached without
 * following anything, and the last component in *ret_last (pointing into
 * buf, a copy of path the caller owns). */
static int walk_parent(const image_source *s, char *buf, int *ret_fd, const char **ret_last)
{
        char *last = strrchr(buf, '/');
        if (!last || !last[1])
                return -EINVAL;
        *last = '\0';
        _cleanup_close_ int fd = fcntl(s->rootfd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return -errno;
        char *save = NULL;
        for (char *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                struct stat st;
                if (fstatat(fd, c, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
                if (S_ISLNK(st.st_mode))
                        return -ELOOP;
                if (!S_ISDIR(st.st_mode))
                        return -ENOTDIR;
                int nfd = openat(fd, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (nfd < 0)
                        return errno == ENOTDIR ? -ELOOP : -errno;
                close(fd);
                fd = nfd;
        }
        *ret_fd = steal_fd(&fd);
        *ret_last = last + 1;
        return 0;
}

static image_type type_from_mode(mode_t m)
{
        if (S_ISDIR(m))
                return IMAGE_DIR;
        if (S_ISLNK(m))
                return IMAGE_SYMLINK;
        if (S_ISCHR(m))
                return IMAGE_CHAR;
        if (S_ISBLK(m))
                return IMAGE_BLOCK;
        if (S_ISFIFO(m))
                return IMAGE_FIFO;
        if (S_ISSOCK(m))
                return IMAGE_SOCKET;
        return IMAGE_FILE;
}

static int dir_lstat(const image_source *s, const char *path, image_stat *ret)
{
        _cleanup_free_ char *buf = xstrdup(path);
        _cleanup_close_ int pfd = -1;
        const char *last;
        int rc = walk_parent(s, buf, &pfd, &last);
        if (rc < 0)
                return rc;
        struct stat st;
        if (fstatat(pfd, last, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        image_stat is = {
                .type = type_from_mode(st.st_mode),
                .mode = st.st_mode & 07777,
                .uid = st.st_uid,
                .gid = st.st_gid,
                .mtime = st.st_mtim.tv_sec,
                .size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0,
                .devmajor = major(st.st_rdev),
                .devminor = minor(st.st_rdev),
        };
        if (is.type == IMAGE_SYMLINK) {
                char target[PATH_MAX + 1];
                ssize_t n = readlinkat(pfd, last, target, sizeof target);
                if (n < 0)
                        return -errno;
                if ((size_t)n >= sizeof target)
                        return -ENAMETOOLONG;
                if (n == 0)
                        return -EINVAL;
                is.link = xstrndup(target, (size_t)n);
        }
        *ret = is;
        return 0;
}

static int tar_lstat(const image_source *s, const char *path, image_stat *ret)
{
        _cleanup_free_ char *buf = xstrdup(path);
        /* every directory on the way */
        for (char *p = strchr(buf + 1, '/'); p; p = strchr(p + 1, '/')) {
                *p = '\0';
                const tar_member *d = tar_index_get(s->tar, buf);
                *p = '/';
                if (!d)
                        return -ENOENT;
                if (d->st.type == IMAGE_SYMLINK)
                        return -ELOOP;
                if (d->st.type != IMAGE_DIR)
                        return -ENOTDIR;
        }
        const tar_member *m = tar_index_get(s->tar, path);
        if (!m)
                return -ENOENT;
        image_stat_copy(ret, &m->st);
        return 0;
}

int image_source_lstat(image_source *s, const char *path, image_stat *ret)
{
        if (path[0] != '/' || !path[1])
                return -EINVAL;
        return s->tar ? tar_lstat(s, path, ret) : dir_lstat(s, path, ret);
}

int image_source_open_content(image_source *s, const char *path, const image_stat *expect, image_content *ret)
{
        if (s->tar) {
                image_stat st;
                int rc = tar_lstat(s, path, &st);
                if (rc < 0)
                        return rc;
                image_stat_done(&st);
                const tar_member *m = tar_index_get(s->tar, path);
                if (m->st.type != IMAGE_FILE || m->st.size != expect->size)
                        return -EBUSY;
                *ret = (image_content){ .fd = s->tarfd, .owned = false, .base = m->offset, .size = m->st.size };
                return 0;
        }
        _cleanup_free_ char *buf = xstrdup(path);
        _cleanup_close_ int pfd = -1;
        const char *last;
        int rc = walk_parent(s, buf, &pfd, &last);
        if (rc < 0)
                return rc;
        int fd = openat(pfd, last, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return errno == ELOOP ? -EBUSY : -errno;
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != expect->size) {
                close(fd);
                return -EBUSY;
        }
        *ret = (image_content){ .fd = fd, .owned = true, .base = 0, .size = (uint64_t)st.st_size };
        return 0;
}

ssize_t image_content_pread(const image_content *c, void *buf, size_t n, uint64_t off)
{
        if (off > c->size)
                return -EINVAL;
        if (n > c->size - off)
                n = (size_t)(c->size - off);
        int fd = c->fd;
        return fd_pread(&fd, buf, n, c->base + off);
}

void image_content_close(image_content *c)
{
        if (c && c->owned && c->fd >= 0)
                close(c->fd);
        if (c)
                c->fd = -1;
}

static bool runtime_dir(const char *name)
{
        return streq(name, "proc") || streq(name, "sys") || streq(name, "dev");
}

/* Count what is below the directory dfd (taken over). */
static int count_dir(int dfd, bool top, int depth, image_totals *t)
{
        DIR *d = fdopendir(dfd);
        if (!d) {
                int rc = -errno;
                close(dfd);
                return rc;
        }
        if (depth > 1024) {
                closedir(d);
                return -ELOOP;
        }
        int rc = 0;
        struct dirent *e;
        while ((errno = 0, e = readdir(d))) {
                if (streq(e->d_name, ".") || streq(e->d_name, ".."))
                        continue;
                struct stat st;
                if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno == ENOENT)
                                continue; /* gone meanwhile */
                        rc = -errno;
                        break;
                }
                if (!S_ISDIR(st.st_mode)) {
                        t->files++;
                        if (S_ISLNK(st.st_mode))
                                t->symlinks++;
                        if (S_ISREG(st.st_mode))
                                t->bytes += (uint64_t)st.st_size;
                        continue;
                }
                t->dirs++;
                if (top && runtime_dir(e->d_name))
                        continue;
                int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub < 0) {
                        if (errno == ENOENT)
                                continue;
                        rc = -errno;
                        break;
                }
                rc = count_dir(sub, false, depth + 1, t);
                if (rc < 0)
                        break;
        }
        if (!e && errno && rc == 0)
                rc = -errno;
        closedir(d);
        return rc;
}

int image_source_totals(image_source *s, image_totals *ret, mp_error *err)
{
        image_totals t = { 0 };
        if (s->tar) {
                for (size_t i = 0; i < s->tar->n; i++) {
                        const tar_member *m = s->tar->members[i];
                        const char *p = m->path;
                        if (startswith(p, "/proc/") || startswith(p, "/sys/") || startswith(p, "/dev/"))
                                continue;
                        if (m->st.type == IMAGE_DIR) {
                                t.dirs++;
                                continue;
                        }
                        t.files++;
                        if (m->st.type == IMAGE_SYMLINK)
                                t.symlinks++;
                        if (m->st.type == IMAGE_FILE)
                                t.bytes += m->st.size;
                }
        } else {
                int fd = openat(s->rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                int rc = fd < 0 ? -errno : count_dir(fd, true, 0, &t);
                if (rc < 0) {
                        _cleanup_free_ char *q = quote_for_message(s->path);
                        return mp_error_set(err, rc, q, "cannot walk the source: %s", strerror(-rc));
                }
        }
        *ret = t;
        return 0;
}
