/* SPDX-License-Identifier: MIT */
/* apparmor.profile: a least-privilege AppArmor profile for the recorded
 * workload. The choices (also in README.md, "The AppArmor profile"):
 *
 * Which path a rule names. AppArmor mediates the object a path leads to,
 * so accesses that follow symlinks (read, write, append, attributes, exec,
 * mmap, lock, list) use the trace's `resolved` name; accesses to the name
 * itself (create, delete, rename, link) use the recorded name. Directories
 * get a trailing '/', as AppArmor names them.
 *
 * Permission letters per access kind:
 *   read, list -> r          write -> w (connect to a socket path: rw)
 *   append -> a (w when also written: AppArmor refuses "aw")
 *   create, delete, attr -> w   rename -> rw (the source of a rename needs
 *   both; the trace does not say which name was the source)
 *   link -> l (the new name)  lock -> k   mmap_exec -> m   exec -> ix
 *   stat, chdir -> nothing: AppArmor 3 grants getattr to every path and
 *   does not mediate chdir, readlink, access() or O_PATH opens.
 *   mount -> mount/umount/pivot_root rules for the syscalls recorded.
 *   Unix socket paths (bind, connect, sendto) are files for AppArmor: bind
 *   -> w, connect -> rw, sendto -> w.
 *
 * Which results count. A successful access needs its permission. Most
 * failures happen before AppArmor is asked (the kernel resolves the path
 * and checks DAC first): ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG, EACCES,
 * EPERM, EEXIST, EISDIR, EROFS, ETXTBSY, EXDEV, EBADF, EFAULT; those add
 * nothing. Any other failure happened after the check and keeps its
 * permission, so the program sees the same error under the profile.
 * ENOENT probes of reads (open, opendir of a path that did not exist) are
 * the deliberate exception: they get `r`, so that when the file exists in
 * another deployment (a config override, a locale) the program reads it as
 * it would without the profile; probes of writes, creates and execs get
 * nothing, since those would widen what the workload can change or run.
 *
 * The owner qualifier: a rule gets `owner` when every path it covers was
 * accessed only by processes owning the file (the trace's by_owner) and
 * the rule either writes (w, a, l, k) or names per-process /proc entries
 * (@{PROC}/@{pid}/...). Read-only rules on shared files (libraries,
 * configuration) never get it: the same image run under another uid must
 * still read them.
 *
 * Globbing comes from templates/apparmor-globs.conf and --globs FILE (see
 * apparmor-globs.h); a literal rule that a glob rule with at least its
 * permissions (and no stricter owner) covers is dropped. A glob that would
 * allow every path (covering slash-star-star) is refused.
 *
 * The deny block mirrors Docker's default profile (writes to /proc files
 * and /proc/sys, /proc/sysrq-trigger, mem, kmem, kcore, /sys/firmware,
 * /sys/kernel/security, mount/umount/pivot_root); each deny rule that would
 * take away an access the workload made is left out, with a comment. */
#include <sched.h>
#include <stdint.h>

#include "policy/aaglob.h"
#include "policy/apparmor-access.h"
#include "policy/apparmor-evidence.h"
#include "policy/apparmor-globs.h"
#include "policy/apparmor-profile.h"
#include "generator/emitters.h"
#include "common/fileio.h"
#include "common/hashmap.h"
#include "trace/names.h"

#define PERM_WRITES (AA_PERM_WRITE | AA_PERM_APPEND | AA_PERM_LINK | AA_PERM_LOCK)

typedef struct raw_path {
        char *name; /* raw bytes (no NUL inside), directories end in '/' */
        size_t len;
        unsigned perms;
        bool owner_ok;    /* every access by the file's owner, and owner intended */
        bool probe_only;  /* only ENOENT read probes */
        bool listed;      /* a directory the workload listed (getdents) */
        bool named;       /* created, hard-linked or renamed by the workload */
        bool removed;     /* deleted by the workload */
        bool private_new; /* created by the workload as mkstemp creates (trace: private_new) */
        bool recorded;    /* an access the trace has (not only a related file) */
        char *related;    /* why templates/apparmor-related.tsv adds it, or NULL */
} raw_path;

typedef struct prule {
        char *pattern; /* AppArmor pattern (internal form) */
        char *text;    /* the pattern as written in the profile */
        unsigned perms;
        bool owner_ok, probe_only, glob, removed;
        aaglob *compiled;
        char *prefix; /* glob rules: the literal bytes every match starts with */
        size_t prefix_len;
        const raw_path *raw; /* the path of a literal rule */
        char *why;           /* evidence rules: why the pattern is as wide as it is */
        size_t nraw;         /* recorded paths the rule covers */
        char *note;          /* a comment line written above the rule, or NULL */
} prule;

static void raw_free(void *p)
{
        raw_path *r = p;
        free(r->name);
        free(r->related);
        free(r);
}

static void prule_free(void *p)
{
        prule *r = p;
        free(r->pattern);
        free(r->text);
        free(r->prefix);
        free(r->why);
        free(r->note);
        aaglob_free(r->compiled);
        free(r);
}

static raw_path *add_raw(hashmap *raw, const char *name, size_t len, unsigned perms, bool owner, bool probe)
{
        raw_path *r = hashmap_get(raw, name);
        if (!r) {
                r = xcalloc(1, sizeof *r);
                r->name = xstrndup(name, len);
                r->len = len;
                r->owner_ok = true;
                r->probe_only = true;
                hashmap_put(raw, name, r);
        }
        r->perms |= perms;
        r->owner_ok = r->owner_ok && owner;
        r->probe_only = r->probe_only && probe;
        return r;
}

/* Whether an `owner` rule fits a file: only the owner touched it (the
 * trace's by_owner), it is not a device, and it belongs to the workload:
 * created by it, owned by a non-root user (root owns every system file, so
 * root's ownership says nothing about intent), or a per-process /proc
 * entry (owned by whoever runs the process). */
static bool file_owner(const trace_file *f, const char *path)
{
        if (!f || !f->by_owner)
                return false;
        const char *type = f->stat.type;
        if (type && (streq(type, "char") || streq(type, "block")))
                return false;
        bool created = trace_result(trace_file_results(f, "create"), "ok") != NULL;
        return created || f->stat.uid > 0 || (startswith(path, "/proc/") && path[6] >= '1' && path[6] <= '9');
}

typedef struct collected {
        hashmap *raw;        /* name -> raw_path */
        hashmap *mounts;     /* mount point name -> (void*)1 */
        size_t skipped;      /* failed accesses that need no permission */
        bool proc_by_number; /* /proc/<pid>/ paths used by number */
} collected;

/* /proc/<pid> itself: a stat of it (`test -d /proc/$pid`, a liveness
 * check) needs no ptrace permission, unlike the files in it. */
static bool proc_pid_dir(const char *path)
{
        size_t i = 6;
        while (path[i] >= '0' && path[i] <= '9')
                i++;
        return path[i] == 0 || (path[i] == '/' && path[i + 1] == 0);
}

/* One recorded access (apparmor-access.c gives its permission and name). */
static int collect_one(const mp_aa_access *a, void *ud)
{
        collected *c = ud;
        if (!a->unix_path && startswith(a->path, "/proc/") && a->path[6] >= '1' && a->path[6] <= '9' &&
            !(streq(a->kind, "stat") && proc_pid_dir(a->path)))
                c->proc_by_number = true;
        if (!a->granted) {
                c->skipped++;
                return 0;
        }
        if (a->unix_path) {
                bool owner = file_owner(a->file, a->path);
                add_raw(c->raw, a->name, a->len, a->perms, owner, false)->recorded = true;
                return 0;
        }
        if (streq(a->kind, "mount")) {
                hashmap_put(c->mounts, a->name, (void *)1);
                return 0;
        }
        if (!a->perms)
                return 0;
        raw_path *rp = add_raw(c->raw, a->name, a->len, a->perms, file_owner(a->file, a->resolved), a->probe);
        rp->recorded = true;
        if (streq(a->kind, "list") && !a->probe)
                rp->listed = true;
        if (streq(a->result, "ok") && (streq(a->kind, "create") || streq(a->kind, "link") || streq(a->kind, "rename")))
                rp->named = true;
        if (streq(a->result, "ok") && streq(a->kind, "delete"))
                rp->removed = true;
        if (streq(a->result, "ok") && streq(a->kind, "create") && a->file && a->file->private_new)
                rp->private_new = true;
        return 0;
}

/* ------------------------------------------------------------ related files */

/* templates/apparmor-related.tsv: files a program opens on some runs and not
 * on others for reasons of timing, added whenever the trace shows what leads
 * to them, so that two recordings of one workload give the same profile.
 * A line is CONDITION<TAB>PATH<TAB>PERMS<TAB>WHY; the one condition so far is
 * threads+LIBRARY: one program both created threads (clone or clone3 with
 * CLONE_THREAD) and mapped LIBRARY (a file name, in any directory)
 * executable. */

static int threaded_group(const trace_arg_group *g, void *ud)
{
        json_int_t flags;
        if (!trace_arg_value(g, 0, &flags) || !(flags & CLONE_THREAD))
                return 0;
        size_t n;
        _cleanup_free_ const char **progs = trace_usage_programs(g->usage, &n);
        for (size_t i = 0; i < n; i++)
                hashmap_put(ud, progs[i], (void *)1);
        return 0;
}

typedef struct library_use {
        const char *name;        /* file name of the library */
        const hashmap *threaded; /* programs that created threads */
        bool found;
} library_use;

static int library_mapped(const trace_file *f, void *ud)
{
        library_use *lu = ud;
        const char *path = f->resolved ? f->resolved : f->path;
        const char *slash = strrchr(path, '/');
        if (lu->found || !streq(slash ? slash + 1 : path, lu->name))
                return 0;
        const trace_usage *u = trace_result(trace_file_results(f, "mmap_exec"), "ok");
        if (!u)
                return 0;
        size_t n;
        _cleanup_free_ const char **progs = trace_usage_programs(u, &n);
        for (size_t i = 0; i < n && !lu->found; i++)
                lu->found = hashmap_get(lu->threaded, progs[i]) != NULL;
        return 0;
}

static int add_related(collected *c, const trace *t, const char *dir, mp_error *err)
{
        _cleanup_strv_free_ char **lines = NULL;
        int r = read_table_file(dir, "apparmor-related.tsv", &lines, NULL, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *where = xasprintf("%s/apparmor-related.tsv", dir);
        hashmap *threaded = NULL;
        for (size_t i = 0; lines[i] && r == 0; i++) {
                _cleanup_free_ char *quoted = quote_for_message(lines[i]);
                char *f[5] = { 0 }, *rest = lines[i];
                size_t nf = 0;
                while (rest && nf < 5)
                        f[nf++] = strsep(&rest, "\t");
                unsigned perms = 0;
                char mode[4];
                size_t bad;
                if (nf != 4 || !startswith(f[0], "threads+") || !f[0][8] || f[1][0] != '/' || !f[3][0] ||
                    mp_aa_perms_parse(f[2], strlen(f[2]), &perms, mode, &bad) < 0 || !perms) {
                        r = mp_error_set(err, -EINVAL, where,
                                         "not CONDITION<TAB>PATH<TAB>PERMS<TAB>WHY with CONDITION threads+LIBRARY, "
                                         "an absolute PATH and AppArmor file permissions: %s",
                                         quoted);
                        break;
                }
                if (!threaded) {
                        threaded = hashmap_new();
                        trace_foreach_arg_group(t, "clone", threaded_group, threaded);
                        trace_foreach_arg_group(t, "clone3", threaded_group, threaded);
                }
                library_use lu = { .name = f[0] + 8, .threaded = threaded };
                if (hashmap_size(threaded))
                        trace_foreach_file(t, library_mapped, &lu);
                if (!lu.found)
                        continue;
                raw_path *rp = add_raw(c->raw, f[1], strlen(f[1]), perms, false, false);
                if (!rp->related)
                        rp->related = xstrdup(f[3]);
        }
        hashmap_free(threaded, NULL);
        return r;
}

static bool is_proc_pid(const char *pattern)
{
        return startswith(pattern, "@{PROC}/@{pid}/") || streq(pattern, "@{PROC}/@{pid}");
}

static bool rule_owner(const prule *r)
{
        return r->owner_ok && ((r->perms & PERM_WRITES) || is_proc_pid(r->pattern));
}

static unsigned with_append(unsigned p)
{
        return (p & AA_PERM_WRITE) ? p | AA_PERM_APPEND : p;
}

static int cmp_raw(const void *a, const void *b)
{
        const raw_path *x = *(raw_path *const *)a, *y = *(raw_path *const *)b;
        return strcmp(x->name, y->name);
}

/* The raw paths in byte order (the array is the caller's to free). */
static raw_path **sorted_raw(const collected *c, size_t *ret_n)
{
        size_t n = hashmap_size(c->raw), k = 0, pos = 0;
        raw_path **list = xcalloc(n + 1, sizeof *list);
        const char *key;
        void *val;
        while (hashmap_next(c->raw, &pos, &key, &val))
                list[k++] = val;
        qsort(list, n, sizeof *list, cmp_raw);
        *ret_n = n;
        return list;
}

/* Rules in the order of their patterns (quoted or not, a path sorts where
 * its characters put it). */
static int cmp_rule_text(const void *a, const void *b)
{
        const prule *x = *(prule *const *)a, *y = *(prule *const *)b;
        int c = strcmp(x->pattern, y->pattern);
        return c ? c : strcmp(x->text, y->text);
}

/* The bytes every path a pattern matches starts with (up to the first
 * glob character, escapes undone). */
static char *literal_prefix(const char *pattern, size_t *ret_len)
{
        strbuf sb = STRBUF_INIT;
        for (size_t i = 0; pattern[i]; i++) {
                if (pattern[i] == '\\' && pattern[i + 1]) {
                        strbuf_putc(&sb, pattern[++i]);
                        continue;
                }
                if (strchr("*?[{", pattern[i]))
                        break;
                strbuf_putc(&sb, pattern[i]);
        }
        *ret_len = sb.len;
        return strbuf_steal(&sb);
}

/* A path for a comment: rendered so it is one line of printable text. */
static char *comment_path(const char *raw, size_t len)
{
        _cleanup_free_ char *lit = mp_aa_escape_literal(raw, len);
        return mp_aa_render_pattern(lit);
}

/* Probe floods. A workload that looks for many names that do not exist in
 * one directory (a plugin or locale search, a cache lookup, a scanner)
 * would get one rule per name: hundreds of thousands of lines that say
 * nothing more than "it looks for names like these here". When at least
 * PROBE_FOLD_MIN distinct failed read probes (ENOENT, nothing else done to
 * the name) are directly in one directory, they become one rule: the
 * directory, the bytes every probed name starts with, '*', the bytes every
 * one ends with -- the narrowest single glob that matches every name
 * probed, since '*' never crosses a '/'. A fold with fewer than
 * PROBE_FOLD_MIN_LITERAL bytes of common prefix and suffix (which would be
 * DIR/<star>, any file of the directory) is not made: the names stay
 * literal rules. The rule carries a comment with the count and the shape. */
#define PROBE_FOLD_MIN         64
#define PROBE_FOLD_MIN_LITERAL 2

typedef struct probe_group {
        const char *first; /* a base name of the group (borrowed from a raw path) */
        size_t first_len, prefix, suffix, min_len, n;
        char *pattern; /* the folded glob, NULL when not folded */
} probe_group;

static void probe_group_free(void *p)
{
        probe_group *g = p;
        free(g->pattern);
        free(g);
}

static bool probe_candidate(const raw_path *rp, const char *globbed)
{
        return !globbed && rp->probe_only && rp->perms == AA_PERM_READ && rp->len > 1 && rp->name[rp->len - 1] != '/';
}

/* Group the candidates by directory and make each big group's glob. */
static hashmap *probe_groups(raw_path **list, char **globbed, size_t n)
{
        hashmap *groups = hashmap_new();
        for (size_t i = 0; i < n; i++) {
                raw_path *rp = list[i];
                if (!probe_candidate(rp, globbed[i]))
                        continue;
                const char *slash = memrchr(rp->name, '/', rp->len);
                const char *base = slash + 1;
                size_t blen = rp->len - (size_t)(base - rp->name);
                _cleanup_free_ char *parent = xstrndup(rp->name, (size_t)(base - rp->name));
                probe_group *g = hashmap_get(groups, parent);
                if (!g) {
                        g = xcalloc(1, sizeof *g);
                        *g = (probe_group){ base, blen, blen, blen, blen, 0, NULL };
                        hashmap_put(groups, parent, g);
                }
                size_t p = 0, s = 0;
                while (p < g->prefix && p < blen && base[p] == g->first[p])
                        p++;
                while (s < g->suffix && s < blen && base[blen - 1 - s] == g->first[g->first_len - 1 - s])
                        s++;
                g->prefix = p;
                g->suffix = s;
                g->min_len = blen < g->min_len ? blen : g->min_len;
                g->n++;
        }
        size_t pos = 0;
        const char *dir;
        void *val;
        while (hashmap_next(groups, &pos, &dir, &val)) {
                probe_group *g = val;
                if (g->n < PROBE_FOLD_MIN)
                        continue;
                /* prefix and suffix may overlap in the shortest name */
                size_t suffix = g->prefix + g->suffix > g->min_len ? g->min_len - g->prefix : g->suffix;
                if (g->prefix + suffix < PROBE_FOLD_MIN_LITERAL)
                        continue;
                _cleanup_free_ char *d = mp_aa_escape_literal(dir, strlen(dir));
                _cleanup_free_ char *pre = mp_aa_escape_literal(g->first, g->prefix);
                _cleanup_free_ char *suf = mp_aa_escape_literal(g->first + g->first_len - suffix, suffix);
                g->pattern = xasprintf("%s%s*%s", d, pre, suf);
        }
        return groups;
}

/* The folded glob for a candidate path (borrowed), NULL when its directory
 * was not folded. */
static probe_group *probe_group_of(hashmap *groups, const raw_path *rp)
{
        const char *slash = memrchr(rp->name, '/', rp->len);
        _cleanup_free_ char *parent = xstrndup(rp->name, (size_t)(slash - rp->name) + 1);
        probe_group *g = hashmap_get(groups, parent);
        return g && g->pattern ? g : NULL;
}

/* Turn the raw paths into rules: glob, merge, drop literals a glob covers. */
static int build_rules(collected *c, const trace *t, const mp_aa_globs *globs, const mp_aa_vars *vars, hashmap *rules,
                       size_t *ret_raw, mp_error *err)
{
        size_t n;
        raw_path **list = sorted_raw(c, &n);

        /* The glob table's pattern for each path (NULL: none), once. */
        char **globbed = xcalloc(n + 1, sizeof *globbed);
        const char **origins = xcalloc(n + 1, sizeof *origins);
        for (size_t i = 0; i < n; i++)
                if (list[i]->perms)
                        mp_aa_globs_apply(globs, list[i]->name, list[i]->len, list[i]->perms, &globbed[i], &origins[i]);

        /* Patterns from the trace's evidence (apparmor-evidence.h) for the
         * paths the table leaves literal, and subtrees the workload made. */
        const char *collapse_origin = NULL;
        int collapse = mp_aa_globs_collapse(globs, &collapse_origin);
        char **why = xcalloc(n + 1, sizeof *why);
        {
                mp_aa_evpath *ev = xcalloc(n + 1, sizeof *ev);
                char **evpat = xcalloc(n + 1, sizeof *evpat);
                for (size_t i = 0; i < n; i++)
                        ev[i] = (mp_aa_evpath){ .name = list[i]->name,
                                                .len = list[i]->len,
                                                .perms = list[i]->perms,
                                                .named = list[i]->named,
                                                .listed = list[i]->listed,
                                                .owner_ok = list[i]->owner_ok,
                                                .probe_only = list[i]->probe_only,
                                                .removed = list[i]->removed,
                                                .private_new = list[i]->private_new,
                                                .skip = globbed[i] != NULL || !list[i]->perms };
                size_t npids = 0;
                _cleanup_free_ long *pids = mp_aa_evidence_pids(t, &npids);
                mp_aa_evidence_globs(ev, n, collapse, pids, npids, evpat, why);
                for (size_t i = 0; i < n; i++) {
                        if (!evpat[i])
                                continue;
                        free(globbed[i]);
                        globbed[i] = evpat[i];
                        origins[i] = "minpriv's evidence rules";
                }
                free(evpat);
                free(ev);
        }

        /* Directories listed whose files were read: collapse candidates. */
        hashmap *dircount = hashmap_new();
        bool *collapsible = xcalloc(n + 1, sizeof *collapsible);
        for (size_t i = 0; i < n && collapse > 0; i++) {
                raw_path *rp = list[i];
                if (rp->perms != AA_PERM_READ || rp->probe_only || rp->name[rp->len - 1] == '/' || globbed[i])
                        continue;
                const char *slash = strrchr(rp->name, '/');
                _cleanup_free_ char *parent = xstrndup(rp->name, (size_t)(slash - rp->name) + 1);
                raw_path *dir = hashmap_get(c->raw, parent);
                if (!dir || !dir->listed)
                        continue;
                collapsible[i] = true;
                uintptr_t cnt = (uintptr_t)hashmap_get(dircount, parent);
                hashmap_put(dircount, parent, (void *)(cnt + 1));
        }

        hashmap *probes = probe_groups(list, globbed, n);

        _cleanup_aaglob_ aaglob *everything = NULL;
        aaglob_compile("/**", NULL, &everything, NULL);
        int rc = 0;
        size_t nraw = 0;
        for (size_t i = 0; i < n && rc == 0; i++) {
                raw_path *rp = list[i];
                if (!rp->perms)
                        continue;
                nraw += rp->recorded;
                char *pattern = steal_pointer(&globbed[i]);
                const char *origin = origins[i];
                bool glob = pattern != NULL;
                if (!glob && collapsible[i]) {
                        const char *slash = strrchr(rp->name, '/');
                        _cleanup_free_ char *parent = xstrndup(rp->name, (size_t)(slash - rp->name) + 1);
                        if ((uintptr_t)hashmap_get(dircount, parent) >= (uintptr_t)collapse) {
                                _cleanup_free_ char *lit = mp_aa_escape_literal(parent, strlen(parent));
                                pattern = xasprintf("%s*", lit);
                                origin = collapse_origin;
                                glob = true;
                        }
                }
                probe_group *folded = NULL;
                if (!glob && probe_candidate(rp, NULL) && (folded = probe_group_of(probes, rp))) {
                        pattern = xstrdup(folded->pattern);
                        origin = "probe folding";
                        glob = true;
                }
                if (!glob)
                        pattern = mp_aa_escape_literal(rp->name, rp->len);
                prule *r = hashmap_get(rules, pattern);
                if (!r) {
                        r = xcalloc(1, sizeof *r);
                        r->pattern = pattern;
                        r->owner_ok = true;
                        r->probe_only = true;
                        r->glob = glob;
                        if (!glob)
                                r->raw = rp;
                        mp_error e = { 0 };
                        /* only glob rules are ever matched against; a literal
                         * (an escaped path) needs no automaton, which would
                         * cost kilobytes per path in a probe flood */
                        if (glob && aaglob_compile(pattern, vars, &r->compiled, &e) < 0) {
                                rc = mp_error_set(err, -EINVAL, origin, "the glob rule gives a bad pattern %s: %s",
                                                  pattern, e.text);
                                prule_free(r);
                                break;
                        }
                        if (glob && aaglob_covers(r->compiled, everything) == AAGLOB_COVERS_YES) {
                                _cleanup_free_ char *lit = mp_aa_escape_literal(rp->name, rp->len);
                                _cleanup_free_ char *shown = mp_aa_render_pattern(lit);
                                rc = mp_error_set(err, -EINVAL, origin,
                                                  "the glob rule widens %s to %s, which allows every path (/**); "
                                                  "minpriv does not widen that far",
                                                  shown, pattern);
                                prule_free(r);
                                break;
                        }
                        r->text = mp_aa_render_pattern(pattern);
                        r->why = steal_pointer(&why[i]);
                        if (folded) {
                                _cleanup_free_ char *shown = comment_path(rp->name, rp->len);
                                r->note = xasprintf("%zu names that did not exist probed in this directory, all "
                                                    "of this shape (e.g. %s): folded into one rule",
                                                    folded->n, shown);
                        }
                        hashmap_put(rules, pattern, r);
                } else {
                        free(pattern);
                        if (r->raw && r->raw != rp)
                                r->raw = NULL;
                }
                if (rp->related && !r->note)
                        r->note = xasprintf("related, added whether this recording did it or not: %s", rp->related);
                r->perms |= rp->perms;
                r->nraw += rp->recorded;
                r->owner_ok = r->owner_ok && rp->owner_ok;
                r->probe_only = r->probe_only && rp->probe_only;
        }
        for (size_t i = 0; i < n; i++) {
                free(globbed[i]);
                free(why[i]);
        }
        free(why);
        free(globbed);
        free(origins);
        free(list);
        free(collapsible);
        hashmap_free(dircount, NULL);
        hashmap_free(probes, probe_group_free);
        if (rc < 0)
                return rc;

        /* a literal rule covered by a glob rule with at least its
         * permissions and no stricter owner condition is redundant */
        size_t nr = hashmap_size(rules);
        prule **all = xcalloc(nr + 1, sizeof *all);
        size_t k = 0, pos = 0;
        const char *key;
        void *val;
        while (hashmap_next(rules, &pos, &key, &val))
                all[k++] = val;
        qsort(all, nr, sizeof *all, cmp_rule_text);
        /* the glob rules apart, so that each literal is checked against
         * them only (a probe flood has few globs and many literals) */
        prule **globs_only = xcalloc(nr + 1, sizeof *globs_only);
        size_t ng = 0;
        for (size_t i = 0; i < nr; i++) {
                prule *g = all[i];
                if (g->glob) {
                        g->prefix = literal_prefix(aaglob_expanded(g->compiled), &g->prefix_len);
                        globs_only[ng++] = g;
                }
        }
        for (size_t i = 0; i < nr; i++) {
                prule *l = all[i];
                if (l->glob || !l->raw)
                        continue;
                for (size_t j = 0; j < ng; j++) {
                        prule *g = globs_only[j];
                        if ((l->perms & ~with_append(g->perms)) || (rule_owner(g) && !l->owner_ok))
                                continue;
                        if (l->raw->len < g->prefix_len || memcmp(l->raw->name, g->prefix, g->prefix_len) != 0)
                                continue;
                        if (!aaglob_match(g->compiled, l->raw->name, l->raw->len))
                                continue;
                        l->removed = true;
                        break;
                }
        }
        free(globs_only);
        free(all);
        *ret_raw = nraw;
        return 0;
}

/* ------------------------------------------------------------ output */

typedef struct group {
        const char *comment;
        prule **rules;
        size_t n;
} group;

enum {
        G_EXEC,
        G_MMAP,
        G_PROCSYS,
        G_DEV,
        G_WRITE,
        G_PROBE,
        G_DIRS,
        G_READ,
        _G_MAX,
};

static const char *const group_comments[_G_MAX] = {
        [G_EXEC] = "Programs the workload ran: ix keeps them under this profile (m: mapped at exec).",
        [G_MMAP] = "Shared libraries and other files mapped executable (m), and read (r).",
        [G_PROCSYS] = "/proc and /sys (@{pid}, @{tid}: any process or thread; owner: its own).",
        [G_DEV] = "Devices.",
        [G_WRITE] = "Files and directories written: w (write, create, delete, rename, attributes),\n"
                    "  # a (append only), l (hard links), k (locks); owner: files of the workload's own.",
        [G_PROBE] = "Paths the workload looked for that did not exist (ENOENT): readable, so a file\n"
                    "  # that appears in another deployment is read as it would be without the profile.",
        [G_DIRS] = "Directories read or listed.",
        [G_READ] = "Files read.",
};

static int group_of(const prule *r)
{
        if (r->perms & AA_PERM_EXEC)
                return G_EXEC;
        if (r->perms & AA_PERM_MMAP)
                return G_MMAP;
        if (startswith(r->pattern, "@{PROC}") || startswith(r->pattern, "@{sys}") || startswith(r->pattern, "/proc/") ||
            startswith(r->pattern, "/sys/"))
                return G_PROCSYS;
        if (startswith(r->pattern, "/dev/"))
                return G_DEV;
        if (r->perms & PERM_WRITES)
                return G_WRITE;
        if (r->probe_only)
                return G_PROBE;
        if (r->pattern[0] && r->pattern[strlen(r->pattern) - 1] == '/')
                return G_DIRS;
        return G_READ;
}

static void put_rule(strbuf *sb, const prule *r)
{
        if (r->note)
                strbuf_printf(sb, "  # %s\n", r->note);
        _cleanup_free_ char *perms = mp_aa_perms_format(r->perms, "i");
        if (r->why)
                strbuf_printf(sb, "  # %s (%zu recorded path%s)\n", r->why, r->nraw, r->nraw == 1 ? "" : "s");
        strbuf_printf(sb, "  %s%s %s,\n", rule_owner(r) ? "owner " : "", r->text, perms);
}

static const char *apparmor_signal(const char *trace_name, char *buf, size_t size)
{
        static const char *const names[] = { NULL,     "hup",  "int",    "quit", "ill",   "trap", "abrt", "bus",
                                             "fpe",    "kill", "usr1",   "segv", "usr2",  "pipe", "alrm", "term",
                                             "stkflt", "chld", "cont",   "stop", "stp",   "ttin", "ttou", "urg",
                                             "xcpu",   "xfsz", "vtalrm", "prof", "winch", "io",   "pwr",  "sys" };
        /* kill(pid, 0) checks that a process exists (pg_ctl, shells' kill -0):
         * AppArmor mediates it as signal "exists". */
        if (streq(trace_name, "SIG0"))
                return "exists";
        int sig = signal_from_name(trace_name);
        if (sig <= 0)
                return NULL;
        if (sig < (int)ELEMENTSOF(names))
                return names[sig];
        if (sig >= 32 && sig <= 64) {
                snprintf(buf, size, "rtmin+%d", sig - 32);
                return buf;
        }
        return NULL;
}

/* 1 for an outcome that needed the permission (it reached AppArmor). */
static int granted_signal(const char *res, const trace_usage *u, void *ud)
{
        return streq(res, "ok") || !(streq(res, "ESRCH") || streq(res, "EPERM") || streq(res, "EINVAL"));
}

static int granted_other(const char *res, const trace_usage *u, void *ud)
{
        return streq(res, "ok") || !(streq(res, "EPERM") || streq(res, "ESRCH") || streq(res, "EINVAL") ||
                                     streq(res, "EFAULT") || streq(res, "EIO"));
}

static bool any_granted(const trace_results *results, bool signal_like)
{
        return trace_foreach_result(results, signal_like ? granted_signal : granted_other, NULL) != 0;
}

static void emit_capabilities(const gen_context *ctx, strbuf *sb)
{
        strbuf_puts(sb, "  # Capabilities the workload needed (the list in caps.txt); AppArmor grants no other.\n");
        size_t n = 0;
        for (char **c = ctx->caps; c && *c; c++) {
                const char *name = startswith(*c, "CAP_") ? *c + 4 : *c;
                char lower[64];
                size_t i = 0;
                for (; name[i] && i < sizeof lower - 1; i++)
                        lower[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] - 'A' + 'a' : name[i]);
                lower[i] = 0;
                if (mp_aa_capability_known(lower))
                        strbuf_printf(sb, "  capability %s,\n", lower);
                else
                        strbuf_printf(sb, "  # (%s has no AppArmor name: add a capability rule by hand)\n", *c);
                n++;
        }
        if (!n)
                strbuf_puts(sb, "  # (none)\n");
        strbuf_putc(sb, '\n');
}

typedef struct sock_kind {
        char family[32];
        char type[16];
} sock_kind;

typedef struct net_lines {
        char **lines, **unix_types, **unknown;
} net_lines;

static int net_group(const trace_arg_group *g, void *ud)
{
        static const char *const types[] = { NULL, "stream", "dgram", "raw", "rdm",   "seqpacket",
                                             NULL, NULL,     NULL,    NULL,  "packet" };
        net_lines *nl = ud;
        json_int_t dom = 0, typ = 0;
        trace_arg_value(g, 0, &dom);
        trace_arg_value(g, 1, &typ);
        typ &= 0xf;
        const char *fam = family_name((int)dom);
        const char *tname = typ >= 0 && typ < (json_int_t)ELEMENTSOF(types) ? types[typ] : NULL;
        char lower[32] = "";
        if (fam && startswith(fam, "AF_")) {
                size_t i = 0;
                for (const char *p = fam + 3; *p && i < sizeof lower - 1; p++)
                        lower[i++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
                lower[i] = 0;
                if (streq(lower, "local"))
                        strcpy(lower, "unix");
        }
        if (!lower[0] || !mp_aa_network_family_known(lower) || !tname) {
                /* numbers, not the trace's key: a comment must stay one line */
                char *u = xasprintf("  # (socket family %lld type %lld has no AppArmor network rule: "
                                    "add one by hand)\n",
                                    (long long)dom, (long long)typ);
                if (!strv_contains(nl->unknown, u))
                        strv_push(&nl->unknown, u);
                else
                        free(u);
                return 0;
        }
        if (streq(lower, "unix")) {
                if (!strv_contains(nl->unix_types, tname))
                        strv_push(&nl->unix_types, xstrdup(tname));
                return 0;
        }
        char *line = xasprintf("  network %s %s,\n", lower, tname);
        if (!strv_contains(nl->lines, line))
                strv_push(&nl->lines, line);
        else
                free(line);
        return 0;
}

static void emit_network(const gen_context *ctx, strbuf *sb, char ***ret_unix_types)
{
        net_lines nl = { 0 };
        trace_foreach_arg_group(ctx->t, "socket", net_group, &nl);
        trace_foreach_arg_group(ctx->t, "socketpair", net_group, &nl);
        strv_sort(nl.lines);
        strv_sort(nl.unknown);
        strv_sort(nl.unix_types);
        strbuf_puts(sb, "  # Network: the socket families and types the workload created.\n");
        for (char **l = nl.lines; l && *l; l++)
                strbuf_puts(sb, *l);
        for (char **l = nl.unknown; l && *l; l++)
                strbuf_puts(sb, *l);
        if (!nl.lines && !nl.unknown)
                strbuf_puts(sb, "  # (none)\n");
        strbuf_putc(sb, '\n');
        strv_free(nl.lines);
        strv_free(nl.unknown);
        *ret_unix_types = nl.unix_types;
}

/* An abstract address ("@name", any bytes) as a quoted profile pattern
 * matching exactly it: each NUL byte written \000 (as apparmor_parser
 * wants them), the parts between escaped and rendered as paths are. */
static char *unix_addr_pattern(const char *raw, size_t len)
{
        strbuf sb = STRBUF_INIT;
        strbuf_putc(&sb, '"');
        for (size_t i = 0; i <= len;) {
                size_t n = strnlen(raw + i, len - i);
                _cleanup_free_ char *lit = mp_aa_escape_literal(raw + i, n);
                _cleanup_free_ char *r = mp_aa_render_pattern(lit);
                size_t rl = strlen(r);
                if (r[0] == '"')
                        strbuf_add(&sb, r + 1, rl - 2);
                else
                        strbuf_add(&sb, r, rl);
                i += n + 1;
                if (i <= len)
                        strbuf_puts(&sb, "\\000");
        }
        strbuf_putc(&sb, '"');
        return strbuf_steal(&sb);
}

typedef struct unix_lines {
        const char *perms;
        bool peer;
        char **lines;
} unix_lines;

static int unix_line(const trace_endpoint *e, void *ud)
{
        unix_lines *ul = ud;
        if (e->address[0] == '/' || !any_granted(e->results, false))
                return 0;
        char *pat;
        if (streq(e->address, "(unnamed)")) {
                /* autobind: an abstract name of 5 hex digits */
                pat = xstrdup("\"@[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]\"");
        } else {
                size_t len;
                _cleanup_free_ char *raw = trace_bytes_decode(e->address, &len);
                if (!raw)
                        return 0;
                pat = unix_addr_pattern(raw, len);
        }
        char *line = ul->peer ? xasprintf("  unix (%s) peer=(addr=%s),\n", ul->perms, pat)
                              : xasprintf("  unix (%s) addr=%s,\n", ul->perms, pat);
        free(pat);
        if (!strv_contains(ul->lines, line))
                strv_push(&ul->lines, line);
        else
                free(line);
        return 0;
}

static void emit_unix(const gen_context *ctx, strbuf *sb, char **types)
{
        char **lines = NULL;
        for (char **t = types; t && *t; t++)
                strv_push(&lines,
                          xasprintf("  unix (create, getattr, setattr, getopt, setopt, shutdown, send, receive) "
                                    "type=%s,\n",
                                    *t));
        static const struct {
                const char *op, *perms;
                bool peer;
        } ops[] = { { "bind", "bind, listen, accept", false },
                    { "connect", "connect, send, receive", true },
                    { "sendto", "send", true } };
        for (size_t o = 0; o < ELEMENTSOF(ops); o++) {
                unix_lines ul = { .perms = ops[o].perms, .peer = ops[o].peer, .lines = lines };
                trace_foreach_endpoint(ctx->t, ops[o].op, "AF_UNIX", unix_line, &ul);
                lines = ul.lines;
        }
        if (!lines)
                return;
        strv_sort(lines);
        strbuf_puts(sb, "  # Unix sockets: the types created, and the abstract addresses bound or connected to.\n"
                        "  # Sockets with a path are files to AppArmor (see the file rules).\n");
        for (char **l = lines; *l; l++)
                strbuf_puts(sb, *l);
        strbuf_putc(sb, '\n');
        strv_free(lines);
}

typedef struct signal_sets {
        char **internal, **external;
} signal_sets;

static int signal_set(const trace_signal *sg, void *ud)
{
        signal_sets *ss = ud;
        char buf[32];
        const char *name = apparmor_signal(sg->signal, buf, sizeof buf);
        if (!name || !any_granted(sg->results, true))
                return 0;
        const char *target = sg->target;
        bool in = streq(target, "self") || streq(target, "own thread") || streq(target, "traced process") ||
                  streq(target, "own process group");
        char ***v = in ? &ss->internal : &ss->external;
        if (!strv_contains(*v, name))
                strv_push(v, xstrdup(name));
        return 0;
}

static int ptrace_granted(const trace_ptrace_request *p, void *ud)
{
        return any_granted(p->results, false);
}

static void emit_signals(const gen_context *ctx, strbuf *sb, bool proc_by_number)
{
        signal_sets ss = { 0 };
        trace_foreach_signal(ctx->t, signal_set, &ss);
        char **internal = ss.internal, **external = ss.external;
        /* kill(pid, 0) between the workload's own processes ("exists" to
         * AppArmor, which mediates it): the trace does not keep signal 0 (a
         * probe, nothing delivered), and whether a program probes depends on
         * timing (pg_ctl stop polls the server only while it is still up).
         * The probe changes nothing and reaches only the workload's own
         * processes, so it is always allowed among them. */
        bool implied_exists = !strv_contains(internal, "exists");
        if (implied_exists)
                strv_add(&internal, "exists");
        strv_sort(internal);
        strv_sort(external);
        strbuf_puts(sb, "  # Signals: the container runtime (unconfined, or runc/crun) stops the workload;\n"
                        "  # the workload's own processes signal each other as recorded.\n"
                        "  signal (receive) peer=unconfined,\n"
                        "  signal (receive) peer=runc,\n"
                        "  signal (receive) peer=crun,\n");
        if (implied_exists)
                strbuf_puts(sb, "  # exists: kill(pid, 0) between its own processes, a liveness probe (not in the "
                                "trace; its use depends on timing)\n");
        if (internal) {
                strbuf_puts(sb, "  signal (send, receive) set=(");
                for (char **s = internal; *s; s++)
                        strbuf_printf(sb, "%s%s", s == internal ? "" : ", ", *s);
                strbuf_printf(sb, ") peer=%s,\n", ctx->name);
        }
        if (external) {
                strbuf_puts(sb, "  # sent to processes outside the workload (any peer):\n  signal (send) set=(");
                for (char **s = external; *s; s++)
                        strbuf_printf(sb, "%s%s", s == external ? "" : ", ", *s);
                strbuf_puts(sb, "),\n");
        }
        strv_free(internal);
        strv_free(external);

        bool traced = trace_foreach_ptrace_request(ctx->t, ptrace_granted, NULL) != 0;
        if (traced || proc_by_number)
                strbuf_puts(
                        sb,
                        "  # ptrace between the workload's processes (trace: ptrace(2); read: /proc/PID of another)\n");
        if (traced)
                strbuf_printf(sb, "  ptrace (trace, tracedby) peer=%s,\n", ctx->name);
        if (proc_by_number)
                strbuf_printf(sb, "  ptrace (read, readby) peer=%s,\n", ctx->name);
        strbuf_putc(sb, '\n');
}

typedef struct deny_rule {
        const char *pattern;
        unsigned perms;
        const char *letters;
} deny_rule;

static void emit_deny(strbuf *sb, collected *c, const mp_aa_vars *vars, const bool mount_needed[3])
{
        static const deny_rule denies[] = {
                { "@{PROC}/*", AA_PERM_WRITE, "w" },
                { "@{PROC}/sys/**", AA_PERM_WRITE, "w" },
                { "@{PROC}/sysrq-trigger", AA_PERM_READ | AA_PERM_WRITE | AA_PERM_LOCK | AA_PERM_LINK | AA_PERM_EXEC,
                  "rwklx" },
                { "@{PROC}/mem", AA_PERM_READ | AA_PERM_WRITE | AA_PERM_LOCK | AA_PERM_LINK | AA_PERM_EXEC, "rwklx" },
                { "@{PROC}/kmem", AA_PERM_READ | AA_PERM_WRITE | AA_PERM_LOCK | AA_PERM_LINK | AA_PERM_EXEC, "rwklx" },
                { "@{PROC}/kcore", AA_PERM_READ | AA_PERM_WRITE | AA_PERM_LOCK | AA_PERM_LINK | AA_PERM_EXEC, "rwklx" },
                { "/sys/firmware/**", AA_PERM_READ | AA_PERM_WRITE | AA_PERM_LOCK | AA_PERM_LINK | AA_PERM_EXEC,
                  "rwklx" },
                { "/sys/kernel/security/**", AA_PERM_READ | AA_PERM_WRITE | AA_PERM_LOCK | AA_PERM_LINK | AA_PERM_EXEC,
                  "rwklx" },
        };
        static const char *const mounts[3] = { "mount", "umount", "pivot_root" };
        strbuf_puts(sb, "  # Denied even if a rule is added by hand (as in Docker's default profile): writes to\n"
                        "  # /proc files and /proc/sys, kernel memory, firmware and LSM interfaces, mounts.\n");
        size_t n;
        raw_path **list = sorted_raw(c, &n);
        for (size_t d = 0; d < ELEMENTSOF(denies); d++) {
                aaglob *g = NULL;
                if (aaglob_compile(denies[d].pattern, vars, &g, NULL) < 0)
                        continue;
                const raw_path *conflict = NULL;
                for (size_t i = 0; i < n && !conflict; i++)
                        if ((with_append(list[i]->perms) & with_append(denies[d].perms)) &&
                            aaglob_match(g, list[i]->name, list[i]->len))
                                conflict = list[i];
                aaglob_free(g);
                if (conflict) {
                        _cleanup_free_ char *shown = comment_path(conflict->name, conflict->len);
                        strbuf_printf(sb, "  # (not denied: deny %s %s; the workload accessed %s)\n", denies[d].pattern,
                                      denies[d].letters, shown);
                } else {
                        strbuf_printf(sb, "  deny %s %s,\n", denies[d].pattern, denies[d].letters);
                }
        }
        free(list);
        for (int m = 0; m < 3; m++) {
                if (mount_needed[m])
                        strbuf_printf(sb, "  # (not denied: %s; the workload used it)\n", mounts[m]);
                else
                        strbuf_printf(sb, "  deny %s,\n", mounts[m]);
        }
}

static void emit_mounts(const gen_context *ctx, strbuf *sb, collected *c, bool needed[3])
{
        size_t n = hashmap_size(c->mounts), k = 0, pos = 0;
        needed[0] = needed[1] = needed[2] = false;
        if (!n)
                return;
        char **names = xcalloc(n + 1, sizeof *names);
        const char *key;
        void *val;
        while (hashmap_next(c->mounts, &pos, &key, &val))
                names[k++] = xstrdup(key);
        strv_sort(names);
        needed[0] = trace_has_syscall_any_abi(ctx->t, "mount");
        needed[1] = trace_has_syscall_any_abi(ctx->t, "umount2") || trace_has_syscall_any_abi(ctx->t, "umount");
        needed[2] = trace_has_syscall_any_abi(ctx->t, "pivot_root");
        strbuf_puts(sb, "  # Mounts the workload made (mount points as recorded).\n");
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *shown = comment_path(names[i], strlen(names[i]));
                if (needed[0])
                        strbuf_printf(sb, "  mount -> %s,\n", shown);
                if (needed[1])
                        strbuf_printf(sb, "  umount %s,\n", shown);
                if (needed[2])
                        strbuf_printf(sb, "  pivot_root %s,\n", shown);
        }
        strbuf_putc(sb, '\n');
        strv_free(names);
}

int gen_build_apparmor_profile(const gen_context *ctx, char **ret, int *ret_raw_paths, int *ret_rules, strbuf *notes,
                               mp_error *err)
{
        _cleanup_mp_aa_globs_ mp_aa_globs *globs = mp_aa_globs_new();
        int r;
        if (ctx->opts->globs_file) {
                r = mp_aa_globs_load(globs, ctx->opts->globs_file, err);
                if (r < 0)
                        return r;
        }
        size_t user_rules = mp_aa_globs_count(globs);
        _cleanup_free_ char *table = xasprintf("%s/apparmor-globs.conf", gen_templates_dir(ctx->opts));
        r = mp_aa_globs_load(globs, table, err);
        if (r < 0)
                return r;
        _cleanup_mp_aa_vars_ mp_aa_vars *vars = mp_aa_vars_new_default();
        /* defined in the profile when a rule uses it (see below) */
        mp_aa_vars_append(vars, "WORKSPACE", ctx->opts->workspace_at ? ctx->opts->workspace_at : "/workspace");

        collected c = { .raw = hashmap_new(), .mounts = hashmap_new() };
        hashmap *rules = hashmap_new();
        strbuf body = STRBUF_INIT;
        size_t nraw = 0;
        r = mp_aa_trace_accesses(ctx->t, collect_one, &c, err);
        if (r == 0)
                r = add_related(&c, ctx->t, gen_templates_dir(ctx->opts), err);
        if (r == 0)
                r = build_rules(&c, ctx->t, globs, vars, rules, &nraw, err);
        if (r < 0)
                goto out;

        /* file rules in groups, each group sorted */
        group groups[_G_MAX] = { 0 };
        size_t nrules = 0, pos = 0;
        const char *key;
        void *val;
        while (hashmap_next(rules, &pos, &key, &val)) {
                prule *pr = val;
                if (pr->removed)
                        continue;
                group *g = &groups[group_of(pr)];
                g->rules = xrealloc(g->rules, (g->n + 1) * sizeof *g->rules);
                g->rules[g->n++] = pr;
                nrules++;
        }
        for (int g = 0; g < _G_MAX; g++) {
                if (!groups[g].n)
                        continue;
                qsort(groups[g].rules, groups[g].n, sizeof *groups[g].rules, cmp_rule_text);
                strbuf_printf(&body, "  # %s\n", group_comments[g]);
                for (size_t i = 0; i < groups[g].n; i++)
                        put_rule(&body, groups[g].rules[i]);
                strbuf_putc(&body, '\n');
                free(groups[g].rules);
        }

        strbuf out = STRBUF_INIT;
        strbuf_printf(&out,
                      "# AppArmor profile '%s', generated by minpriv from a recorded trace: the least\n"
                      "# privilege for what the workload did while it was recorded.\n"
                      "# %zu recorded paths became %zu file rules (glob table version %d%s);\n"
                      "# %zu failed accesses needed no permission (the kernel refused them first).\n"
                      "# Load it on the Docker host under its own name (the parser's cache is keyed by\n"
                      "# file name: never -W on a file called apparmor.profile), then run the container:\n"
                      "#   install -m 644 apparmor.profile /etc/apparmor.d/%s\n"
                      "#   apparmor_parser -r /etc/apparmor.d/%s   (or, not installed: apparmor_parser -r -T "
                      "apparmor.profile)\n"
                      "#   docker run --security-opt apparmor=%s ...\n"
                      "\n"
                      "abi <abi/3.0>,\n"
                      "\n"
                      "include <tunables/global>\n"
                      "\n",
                      ctx->name, nraw, nrules, AA_GLOBS_VERSION, user_rules ? ", with user glob rules" : "", c.skipped,
                      ctx->name, ctx->name, ctx->name);
        /* Paths of a checkout recorded with record --workspace: one
         * definition, the same for every checkout, so profiles diff clean. */
        if (strstr(strbuf_str(&body), TRACE_WORKSPACE_VAR))
                strbuf_printf(
                        &out,
                        "# The checkout the workload was recorded in (minpriv record --workspace); its path where\n"
                        "# this profile is enforced (minpriv generate --workspace-at).\n"
                        "%s=%s\n\n",
                        TRACE_WORKSPACE_VAR, ctx->opts->workspace_at ? ctx->opts->workspace_at : "/workspace");
        strbuf_printf(&out, "profile %s flags=(attach_disconnected,mediate_deleted) {\n", ctx->name);
        emit_capabilities(ctx, &out);
        char **unix_types = NULL;
        emit_network(ctx, &out, &unix_types);
        emit_unix(ctx, &out, unix_types);
        strv_free(unix_types);
        emit_signals(ctx, &out, c.proc_by_number);
        bool mount_needed[3];
        emit_mounts(ctx, &out, &c, mount_needed);
        strbuf_add(&out, body.buf ? body.buf : "", body.len);
        emit_deny(&out, &c, vars, mount_needed);
        strbuf_puts(&out, "}\n");

        *ret_raw_paths = (int)nraw;
        *ret_rules = (int)nrules;
        strbuf_printf(notes, "minpriv: apparmor: %zu recorded paths became %zu rules\n", nraw, nrules);
        *ret = strbuf_steal(&out);
out:
        strbuf_free(&body);
        hashmap_free(rules, prule_free);
        hashmap_free(c.raw, raw_free);
        hashmap_free(c.mounts, NULL);
        return r;
}
