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

static int file_accesses(const trace *t, int (*fn)(const mp_aa_access *a, void *ud), void *ud, mp_error *err)
{
        json_t *files = json_object_get(t->root, "files");
        size_t n;
        const char **keys = trace_sorted_keys(files, &n);
        int rc = 0;
        for (size_t i = 0; i < n && rc == 0; i++) {
                json_t *node = json_object_get(files, keys[i]);
                size_t plen = 0, rlen = 0;
                _cleanup_free_ char *path = trace_path_decode(keys[i], &plen);
                const char *res_enc = json_string_value(json_object_get(node, "resolved"));
                _cleanup_free_ char *res = res_enc ? trace_path_decode(res_enc, &rlen) : NULL;
                if (!path || (res_enc && !res)) {
                        rc = mp_error_set(err, -EINVAL, NULL, "malformed path in the trace: %s", keys[i]);
                        break;
                }
                if (!res) {
                        res = xstrndup(path, plen);
                        rlen = plen;
                }
                const char *type = json_string_value(json_object_get(node, "type"));
                json_t *access = json_object_get(node, "access");
                size_t nk;
                const char **kinds = trace_sorted_keys(access, &nk);
                for (size_t k = 0; k < nk && rc == 0; k++) {
                        json_t *results = json_object_get(access, kinds[k]);
                        size_t nr;
                        const char **rs = trace_sorted_keys(results, &nr);
                        for (size_t j = 0; j < nr && rc == 0; j++) {
                                mp_aa_access a = { .key = keys[i],
                                                   .kind = kinds[k],
                                                   .result = rs[j],
                                                   .node = node,
                                                   .usage = json_object_get(results, rs[j]),
                                                   .path = path,
                                                   .path_len = plen,
                                                   .resolved = res,
                                                   .resolved_len = rlen,
                                                   .by_owner = json_is_true(json_object_get(node, "by_owner")) };
                                _cleanup_free_ char *name = NULL;
                                mp_aa_access_fill(&a, type, &name);
                                rc = fn(&a, ud);
                        }
                        free(rs);
                }
                free(kinds);
        }
        free(keys);
        return rc;
}

/* Unix socket paths: AppArmor mediates them as files. */
static int unix_accesses(const trace *t, int (*fn)(const mp_aa_access *a, void *ud), void *ud, mp_error *err)
{
        static const struct {
                const char *op;
                unsigned perms;
        } ops[] = { { "bind", AA_PERM_WRITE },
                    { "connect", AA_PERM_READ | AA_PERM_WRITE },
                    { "sendto", AA_PERM_WRITE } };
        json_t *net = json_object_get(t->root, "network");
        json_t *files = json_object_get(t->root, "files");
        int rc = 0;
        for (size_t o = 0; o < ELEMENTSOF(ops) && rc == 0; o++) {
                json_t *addrs = json_object_get(json_object_get(net, ops[o].op), "AF_UNIX");
                size_t n;
                const char **keys = trace_sorted_keys(addrs, &n);
                for (size_t i = 0; i < n && rc == 0; i++) {
                        if (keys[i][0] != '/')
                                continue; /* abstract or unnamed: unix rules */
                        size_t len;
                        _cleanup_free_ char *path = trace_path_decode(keys[i], &len);
                        if (!path) {
                                rc = mp_error_set(err, -EINVAL, NULL, "malformed unix socket path in the trace: %s",
                                                  keys[i]);
                                break;
                        }
                        json_t *fnode = json_object_get(files, keys[i]);
                        json_t *results = json_object_get(addrs, keys[i]);
                        size_t nr;
                        const char **rs = trace_sorted_keys(results, &nr);
                        for (size_t j = 0; j < nr && rc == 0; j++) {
                                bool probe;
                                mp_aa_access a = { .key = keys[i],
                                                   .kind = ops[o].op,
                                                   .result = rs[j],
                                                   .node = fnode,
                                                   .usage = json_object_get(results, rs[j]),
                                                   .name = path,
                                                   .len = len,
                                                   .path = path,
                                                   .path_len = len,
                                                   .resolved = path,
                                                   .resolved_len = len,
                                                   .perms = ops[o].perms,
                                                   .unix_path = true,
                                                   .by_owner = json_is_true(json_object_get(fnode, "by_owner")) };
                                a.granted = result_granted("write", rs[j], &probe);
                                rc = fn(&a, ud);
                        }
                        free(rs);
                }
                free(keys);
        }
        return rc;
}

int mp_aa_trace_accesses(const trace *t, int (*fn)(const mp_aa_access *a, void *ud), void *ud, mp_error *err)
{
        trace_materialize((trace *)t);
        int rc = file_accesses(t, fn, ud, err);
        return rc ? rc : unix_accesses(t, fn, ud, err);
}
