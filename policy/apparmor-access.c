/* SPDX-License-Identifier: MIT */
#include "policy/apparmor-access.h"

/* Failures that happen before AppArmor is consulted. */
static bool fails_before_mediation(const char *result)
{
        static const char *const pre[] = { "ENOENT", "ENOTDIR", "ELOOP",   "ENAMETOOLONG", "EACCES", "EPERM", "EEXIST",
                                           "EISDIR", "EROFS",   "ETXTBSY", "EXDEV",        "EBADF",  "EFAULT" };
        for (size_t i = 0; i < ELEMENTSOF(pre); i++)
                if (streq(pre[i], result))
                        return true;
        return false;
}

/* Does a recorded result of an access of `kind` need the permission?
 * *ret_probe: it is an ENOENT read probe. */
static bool result_granted(const char *kind, const char *result, bool *ret_probe)
{
        *ret_probe = false;
        if (streq(result, "ok"))
                return true;
        if (streq(result, "ENOENT") && (streq(kind, "read") || streq(kind, "list"))) {
                *ret_probe = true;
                return true;
        }
        return !fails_before_mediation(result);
}

unsigned mp_aa_kind_perms(const char *kind, const char *type, bool *ret_on_name)
{
        *ret_on_name = false;
        if (streq(kind, "read") || streq(kind, "list"))
                return AA_PERM_READ;
        if (streq(kind, "write"))
                return AA_PERM_WRITE | (type && streq(type, "socket") ? AA_PERM_READ : 0);
        if (streq(kind, "append"))
                return AA_PERM_APPEND;
        if (streq(kind, "attr"))
                return AA_PERM_WRITE;
        if (streq(kind, "exec"))
                return AA_PERM_EXEC;
        if (streq(kind, "mmap_exec"))
                return AA_PERM_MMAP;
        if (streq(kind, "lock"))
                return AA_PERM_LOCK;
        *ret_on_name = true;
        if (streq(kind, "create") || streq(kind, "delete"))
                return AA_PERM_WRITE;
        if (streq(kind, "rename"))
                return AA_PERM_READ | AA_PERM_WRITE;
        if (streq(kind, "link"))
                return AA_PERM_LINK;
        *ret_on_name = false;
        return 0; /* stat, chdir, mount: no file permission */
}

/* name + '/' for a directory (unless it already ends in one). */
static char *dir_name(const char *name, size_t len, bool dir, size_t *ret_len)
{
        if (dir && (len == 0 || name[len - 1] != '/')) {
                char *s = xmalloc(len + 2);
                memcpy(s, name, len);
                s[len] = '/';
                s[len + 1] = 0;
                *ret_len = len + 1;
                return s;
        }
        *ret_len = len;
        return xstrndup(name, len);
}

void mp_aa_access_fill(mp_aa_access *a, const char *type, char **ret_name)
{
        bool is_dir = type && streq(type, "dir");
        bool via_link = a->resolved_len != a->path_len || memcmp(a->resolved, a->path, a->path_len) != 0;
        bool on_name;
        a->perms = mp_aa_kind_perms(a->kind, type, &on_name);
        size_t ml;
        char *m = on_name ? dir_name(a->path, a->path_len, is_dir && !via_link, &ml)
                          : dir_name(a->resolved, a->resolved_len, is_dir, &ml);
        a->name = m;
        a->len = ml;
        a->granted = result_granted(a->kind, a->result, &a->probe);
        *ret_name = m;
}

typedef struct access_it {
        int (*fn)(const mp_aa_access *a, void *ud);
        void *ud;
        mp_error *err;
        const trace_file *file;
        const char *path, *res; /* the file's raw path and resolved path */
        size_t plen, rlen;
        const char *kind;
} access_it;

static int file_access(const char *result, const trace_usage *u, void *ud)
{
        access_it *it = ud;
        const trace_file *f = it->file;
        mp_aa_access a = { .key = f->path,
                           .kind = it->kind,
                           .result = result,
                           .file = f,
                           .usage = u,
                           .path = it->path,
                           .path_len = it->plen,
                           .resolved = it->res,
                           .resolved_len = it->rlen,
                           .by_owner = f->by_owner };
        _cleanup_free_ char *name = NULL;
        mp_aa_access_fill(&a, f->stat.type, &name);
        return it->fn(&a, it->ud);
}

static int file_kind(const char *kind, const trace_results *r, void *ud)
{
        access_it *it = ud;
        it->kind = kind;
        return trace_foreach_result(r, file_access, it);
}

static int file_accesses(const trace_file *f, void *ud)
{
        access_it *it = ud;
        size_t plen = 0, rlen = 0;
        _cleanup_free_ char *path = trace_path_decode(f->path, &plen);
        _cleanup_free_ char *res = f->resolved ? trace_path_decode(f->resolved, &rlen) : NULL;
        if (!path || (f->resolved && !res))
                return mp_error_set(it->err, -EINVAL, NULL, "malformed path in the trace: %s", f->path);
        if (!res) {
                res = xstrndup(path, plen);
                rlen = plen;
        }
        it->file = f;
        it->path = path;
        it->plen = plen;
        it->res = res;
        it->rlen = rlen;
        return trace_file_foreach_kind(f, file_kind, it);
}

/* Unix socket paths: AppArmor mediates them as files. */
static const struct {
        const char *op;
        unsigned perms;
} unix_ops[] = { { "bind", AA_PERM_WRITE }, { "connect", AA_PERM_READ | AA_PERM_WRITE }, { "sendto", AA_PERM_WRITE } };

typedef struct unix_it {
        const trace *t;
        int (*fn)(const mp_aa_access *a, void *ud);
        void *ud;
        mp_error *err;
        unsigned perms;
        const trace_endpoint *e;
        const trace_file *file;
        const char *path;
        size_t len;
} unix_it;

static int unix_access(const char *result, const trace_usage *u, void *ud)
{
        unix_it *it = ud;
        bool probe;
        mp_aa_access a = { .key = it->e->address,
                           .kind = it->e->op,
                           .result = result,
                           .file = it->file,
                           .usage = u,
                           .name = it->path,
                           .len = it->len,
                           .path = it->path,
                           .path_len = it->len,
                           .resolved = it->path,
                           .resolved_len = it->len,
                           .perms = it->perms,
                           .unix_path = true,
                           .by_owner = it->file && it->file->by_owner };
        a.granted = result_granted("write", result, &probe);
        return it->fn(&a, it->ud);
}

static int unix_endpoint(const trace_endpoint *e, void *ud)
{
        unix_it *it = ud;
        if (e->address[0] != '/')
                return 0; /* abstract or unnamed: unix rules */
        size_t len;
        _cleanup_free_ char *path = trace_path_decode(e->address, &len);
        if (!path)
                return mp_error_set(it->err, -EINVAL, NULL, "malformed unix socket path in the trace: %s", e->address);
        trace_file f;
        it->file = trace_file_get(it->t, e->address, &f) ? &f : NULL;
        it->e = e;
        it->path = path;
        it->len = len;
        return trace_foreach_result(e->results, unix_access, it);
}

int mp_aa_trace_accesses(const trace *t, int (*fn)(const mp_aa_access *a, void *ud), void *ud, mp_error *err)
{
        trace_materialize((trace *)t);
        access_it fit = { .fn = fn, .ud = ud, .err = err };
        int rc = trace_foreach_file(t, file_accesses, &fit);
        for (size_t o = 0; o < ELEMENTSOF(unix_ops) && rc == 0; o++) {
                unix_it uit = { .t = t, .fn = fn, .ud = ud, .err = err, .perms = unix_ops[o].perms };
                rc = trace_foreach_endpoint(t, unix_ops[o].op, "AF_UNIX", unix_endpoint, &uit);
        }
        return rc;
}
