/* SPDX-License-Identifier: MIT */
/* Reading tracee memory and /proc, and turning the paths a syscall names
 * into absolute paths as the process sees them. */
#include <fcntl.h>
#include <limits.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "tracer/internal.h"
#include "common/strbuf.h"

static bool vm_readv_works = true;

static ssize_t peek_read(pid_t pid, uint64_t addr, void *buf, size_t n)
{
        size_t done = 0;
        while (done < n) {
                uint64_t aligned = (addr + done) & ~7ULL;
                errno = 0;
                long word = ptrace(PTRACE_PEEKDATA, pid, (void *)aligned, NULL);
                if (errno)
                        return done ? (ssize_t)done : -errno;
                size_t off = (size_t)(addr + done - aligned);
                size_t take = 8 - off;
                if (take > n - done)
                        take = n - done;
                memcpy((char *)buf + done, (char *)&word + off, take);
                done += take;
        }
        return (ssize_t)done;
}

static struct {
        bool on;
        pid_t tid;
        uint64_t addr;
        const char *data;
        ssize_t len;
} overlay;

void mem_overlay_set(pid_t tid, uint64_t addr, const char *data, ssize_t len)
{
        overlay.on = true;
        overlay.tid = tid;
        overlay.addr = addr;
        overlay.data = data;
        overlay.len = len;
}

void mem_overlay_clear(void)
{
        overlay.on = false;
}

static struct {
        bool on;
        pid_t tid;
        int fd;
        const char *path; /* NULL: not a path */
} fd_overlay;

void fd_overlay_set(pid_t tid, int fd, const char *path)
{
        fd_overlay.on = true;
        fd_overlay.tid = tid;
        fd_overlay.fd = fd;
        fd_overlay.path = path;
}

void fd_overlay_clear(void)
{
        fd_overlay.on = false;
}

static struct {
        bool on, named, have_attr;
        pid_t tid;
        int64_t ret;
        uint32_t attr[3];
} call_overlay;

void call_overlay_set(pid_t tid, int64_t ret, bool named, const uint32_t *attr)
{
        call_overlay.on = true;
        call_overlay.tid = tid;
        call_overlay.ret = ret;
        call_overlay.named = named;
        call_overlay.have_attr = attr != NULL;
        if (attr)
                memcpy(call_overlay.attr, attr, sizeof call_overlay.attr);
}

void call_overlay_clear(void)
{
        call_overlay.on = false;
}

bool call_overlay_ok(pid_t tid)
{
        return call_overlay.on && call_overlay.tid == tid && call_overlay.ret >= 0;
}

bool call_overlay_failed(pid_t tid, int err)
{
        return call_overlay.on && call_overlay.tid == tid && call_overlay.ret == -(int64_t)err;
}

bool call_overlay_named(pid_t tid)
{
        return call_overlay.on && call_overlay.tid == tid && call_overlay.named;
}

bool call_overlay_attr(pid_t tid, struct stat *st)
{
        if (!call_overlay.on || call_overlay.tid != tid || !call_overlay.have_attr)
                return false;
        memset(st, 0, sizeof *st);
        st->st_mode = call_overlay.attr[0];
        st->st_uid = call_overlay.attr[1];
        st->st_gid = call_overlay.attr[2];
        return true;
}

static ssize_t overlay_read(uint64_t addr, void *buf, size_t n)
{
        if (overlay.len < 0)
                return overlay.len;
        if (addr < overlay.addr || addr - overlay.addr >= (uint64_t)overlay.len)
                return -EFAULT; /* not read at the call */
        size_t off = (size_t)(addr - overlay.addr), avail = (size_t)overlay.len - off;
        if (n > avail)
                n = avail;
        memcpy(buf, overlay.data + off, n);
        return (ssize_t)n;
}

ssize_t mem_read(pid_t pid, uint64_t addr, void *buf, size_t n)
{
        if (overlay.on && overlay.tid == pid)
                return overlay_read(addr, buf, n);
        if (vm_readv_works) {
                struct iovec local = { buf, n }, remote = { (void *)addr, n };
                ssize_t r = process_vm_readv(pid, &local, 1, &remote, 1, 0);
                if (r >= 0)
                        return r;
                if (errno != ENOSYS && errno != EPERM)
                        return -errno;
                vm_readv_works = false; /* not available here: peek from now on */
        }
        return peek_read(pid, addr, buf, n);
}

ssize_t mem_read_string(pid_t pid, uint64_t addr, char *buf, size_t max)
{
        /* Read up to page boundaries so a string that ends just before an
         * unmapped page is still read whole. */
        size_t got = 0;
        if (addr == 0)
                return -EFAULT;
        while (got < max) {
                size_t chunk = 4096 - ((addr + got) & 4095);
                if (chunk > max - got)
                        chunk = max - got;
                ssize_t n = mem_read(pid, addr + got, buf + got, chunk);
                if (n <= 0)
                        return n == 0 ? -EFAULT : n;
                char *nul = memchr(buf + got, '\0', (size_t)n);
                if (nul)
                        return nul - buf;
                got += (size_t)n;
        }
        buf[max - 1] = '\0';
        return -ENAMETOOLONG;
}

int proc_readlink(pid_t pid, const char *what, char **ret)
{
        char link[64], buf[PATH_MAX + 1];
        snprintf(link, sizeof link, "/proc/%d/%s", pid, what);
        ssize_t n = readlink(link, buf, sizeof buf - 1);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        *ret = xstrndup(buf, (size_t)n);
        return 0;
}

int proc_fd_path(pid_t pid, int fd, char **ret)
{
        char what[32];
        snprintf(what, sizeof what, "fd/%d", fd);
        return proc_readlink(pid, what, ret);
}

static int parse_ids(const char *line, uint32_t *a, int n)
{
        const char *p = line;
        for (int i = 0; i < n; i++) {
                char *end;
                unsigned long v = strtoul(p, &end, 10);
                if (end == p)
                        return -EINVAL;
                a[i] = (uint32_t)v;
                p = end;
        }
        return 0;
}

int proc_read_creds(pid_t pid, creds *ret, pid_t *ret_tgid, pid_t *ret_ppid)
{
        char path[64], buf[4096];
        snprintf(path, sizeof path, "/proc/%d/status", pid);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        if (n <= 0)
                return n < 0 ? -errno : -EIO;
        buf[n] = '\0';
        creds c = { 0 };
        pid_t tgid = 0, ppid = 0;
        for (char *line = buf; line && *line;) {
                char *nl = strchr(line, '\n');
                if (nl)
                        *nl = '\0';
                if (startswith(line, "Tgid:"))
                        tgid = (pid_t)strtol(line + 5, NULL, 10);
                else if (startswith(line, "PPid:"))
                        ppid = (pid_t)strtol(line + 5, NULL, 10);
                else if (startswith(line, "Uid:")) {
                        uint32_t v[4];
                        if (parse_ids(line + 4, v, 4) == 0) {
                                c.uid = v[0], c.euid = v[1], c.suid = v[2], c.fsuid = v[3];
                                c.valid = true;
                        }
                } else if (startswith(line, "Gid:")) {
                        uint32_t v[4];
                        if (parse_ids(line + 4, v, 4) == 0)
                                c.gid = v[0], c.egid = v[1], c.sgid = v[2], c.fsgid = v[3];
                } else if (startswith(line, "Groups:")) {
                        char *p = line + 7, *end;
                        while (c.ngroups < ELEMENTSOF(c.groups)) {
                                unsigned long g = strtoul(p, &end, 10);
                                if (end == p)
                                        break;
                                c.groups[c.ngroups++] = (uint32_t)g;
                                p = end;
                        }
                } else if (startswith(line, "CapEff:")) {
                        c.cap_eff = strtoull(line + 7, NULL, 16);
                }
                line = nl ? nl + 1 : NULL;
        }
        if (ret)
                *ret = c;
        if (ret_tgid)
                *ret_tgid = tgid;
        if (ret_ppid)
                *ret_ppid = ppid;
        return c.valid ? 0 : -EIO;
}

/* Join and normalise lexically: collapse "//" and "/./"; ".." removes the
 * previous component (as `realpath -s`). The result is absolute. */
char *path_join_normalize(const char *base, const char *rel)
{
        strbuf sb = STRBUF_INIT;
        if (rel[0] != '/') {
                strbuf_puts(&sb, base);
                strbuf_putc(&sb, '/');
        }
        strbuf_puts(&sb, rel);
        char *in = strbuf_steal(&sb);
        size_t n = strlen(in);
        char *out = xmalloc(n + 2);
        size_t o = 0;
        const char *p = in;
        while (*p) {
                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                const char *e = strchr(p, '/');
                size_t len = e ? (size_t)(e - p) : strlen(p);
                if (len == 1 && p[0] == '.') {
                        /* skip */
                } else if (len == 2 && p[0] == '.' && p[1] == '.') {
                        while (o > 0 && out[o - 1] != '/')
                                o--;
                        if (o > 0)
                                o--;
                } else {
                        out[o++] = '/';
                        memcpy(out + o, p, len);
                        o += len;
                }
                p += len;
        }
        if (o == 0)
                out[o++] = '/';
        out[o] = '\0';
        free(in);
        return out;
}

/* A path we read through /proc is relative to our root; strip the
 * process's root so it reads as the process sees it. */
static char *strip_root(proc *p, char *path)
{
        if (!p->root || streq(p->root, "/"))
                return path;
        size_t n = strlen(p->root);
        if (strncmp(path, p->root, n) == 0 && (path[n] == '/' || path[n] == '\0')) {
                char *s = xstrdup(path[n] ? path + n : "/");
                free(path);
                return s;
        }
        return path;
}

char *task_cwd(recorder *r, task *t)
{
        proc *p = t->p;
        if (p->cwd)
                return xstrdup(p->cwd);
        char *cwd;
        if (proc_readlink(t->tid, "cwd", &cwd) < 0)
                return NULL;
        cwd = strip_root(p, cwd);
        if (!p->shared_fs)
                p->cwd = xstrdup(cwd);
        return cwd;
}

void fd_cache_clear(proc *p)
{
        intmap_free(p->fds, free);
        p->fds = NULL;
}

void fd_cache_clear_all(recorder *r)
{
        size_t pos = 0;
        void *v;
        while (intmap_next(r->procs, &pos, NULL, &v))
                fd_cache_clear(v);
}

void fd_cache_forget(task *t, int first, int last)
{
        proc *p = t->p;
        if (!p->fds || first < 0)
                return;
        if (last < first || (long)last - first > 4096) {
                fd_cache_clear(p); /* a wide close_range: cheaper to start over */
                return;
        }
        for (long fd = first; fd <= last; fd++)
                free(intmap_remove(p->fds, fd));
}

char *task_fd_path(recorder *r, task *t, int fd)
{
        if (fd < 0)
                return NULL;
        if (fd_overlay.on && fd_overlay.tid == t->tid && fd_overlay.fd == fd)
                return fd_overlay.path ? xstrdup(fd_overlay.path) : NULL; /* walked at the call, from the task's root */
        proc *p = t->p;
        const char *cached = p->fds ? intmap_get(p->fds, fd) : NULL;
        char *path;
        if (cached) {
                path = xstrdup(cached);
        } else {
                if (proc_fd_path(t->tid, fd, &path) < 0)
                        return NULL;
                if (r->fd_cache && !p->shared_files) {
                        if (!p->fds)
                                p->fds = intmap_new();
                        intmap_put(p->fds, fd, xstrdup(path));
                }
        }
        if (path[0] != '/') {
                free(path); /* pipe:[..], socket:[..], anon_inode:... */
                return NULL;
        }
        if (endswith(path, " (deleted)"))
                path[strlen(path) - 10] = '\0';
        return strip_root(p, path);
}

char *task_resolve_at(recorder *r, task *t, int dirfd, const char *path, size_t pathlen)
{
        if (path[0] == '/')
                return path_join_normalize("/", path);
        _cleanup_free_ char *base = NULL;
        if (dirfd == AT_FDCWD) {
                base = task_cwd(r, t);
        } else {
                base = task_fd_path(r, t, dirfd);
        }
        if (!base)
                return NULL;
        if (!*path)
                return xstrdup(base);
        return path_join_normalize(base, path);
}

static const char *resolve_dir(recorder *r, const char *dir)
{
        const char *cached = hashmap_get(r->dir_cache, dir);
        if (cached)
                return cached;
        char buf[PATH_MAX];
        if (!realpath(dir, buf))
                return NULL;
        char *v = xstrdup(buf);
        hashmap_put(r->dir_cache, dir, v);
        return v;
}

/* /proc/self and /proc/thread-self name whoever looks: in the tracer they
 * would be the tracer. Rewrite them to the task's own entries first. */
static char *proc_self_rewrite(task *t, const char *path)
{
        if (startswith(path, "/proc/self") && (path[10] == '/' || path[10] == '\0'))
                return xasprintf("/proc/%d%s", t->p->tgid, path + 10);
        if (startswith(path, "/proc/thread-self") && (path[17] == '/' || path[17] == '\0'))
                return xasprintf("/proc/%d/task/%d%s", t->p->tgid, t->tid, path + 17);
        return NULL;
}

char *resolve_final(recorder *r, task *t, const char *path, bool nofollow, struct stat *ret_st, bool *ret_have_st)
{
        proc *p = t->p;
        *ret_have_st = false;
        if (!p->root_is_ours)
                return NULL;
        _cleanup_free_ char *self = proc_self_rewrite(t, path);
        if (self)
                path = self;
        const char *slash = strrchr(path, '/');
        if (!slash)
                return NULL;
        _cleanup_free_ char *dir = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
        /* Directories are resolved once and cached: most accesses share a
         * few of them. */
        const char *rdir = resolve_dir(r, dir);
        if (!rdir)
                return NULL;
        char *cand = slash[1] ? xasprintf("%s/%s", streq(rdir, "/") ? "" : rdir, slash + 1) : xstrdup(rdir);
        if (lstat(cand, ret_st) < 0)
                return cand; /* gone (deleted) or never there: the name is still right */
        if (S_ISLNK(ret_st->st_mode) && !nofollow) {
                char buf[PATH_MAX];
                if (!realpath(cand, buf)) {
                        *ret_have_st = true; /* a dangling symlink: report the link */
                        return cand;
                }
                free(cand);
                cand = xstrdup(buf);
                if (stat(cand, ret_st) < 0)
                        return cand;
        }
        *ret_have_st = true;
        return cand;
}

void dir_cache_clear(recorder *r)
{
        hashmap_clear(r->dir_cache, free);
}

void dir_cache_forget(recorder *r, const char *raw_path)
{
        free(hashmap_remove(r->dir_cache, raw_path));
}
