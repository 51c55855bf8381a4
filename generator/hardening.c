/* SPDX-License-Identifier: MIT */
/* hardening.md and files-used.txt: the container-hardening checklist, each
 * item with its verdict, the evidence from the trace and the flag that
 * applies it, and the list of files the workload really used.
 *
 * What the evidence means, precisely:
 *
 * - Paths are looked at where they really are: a file's `resolved` path
 *   when symlinks made it differ. /proc, /sys and /dev belong to the
 *   runtime and are left out of every list.
 * - "Written" is a successful write, append, create, delete, rename, link
 *   or attr (chmod, chown, utimes, xattrs) access. Each written path needs
 *   a writable mount under a read-only root: /tmp, /var/tmp and /run (and
 *   what is below them) get a tmpfs of that name; any other path, its
 *   parent directory. Nested candidates collapse into the outermost. A
 *   candidate that holds image files the workload used (see below) needs a
 *   volume (Docker fills a new named volume from the image); the others a
 *   tmpfs, with `exec` when something was executed or mapped from it.
 * - "From the image" (pre-existing) is a file the trace describes (it has
 *   a mode) that the workload did not create itself (no successful create).
 * - files-used.txt lists, sorted and unique, every path with at least one
 *   successful access of any kind (stat included: a program that looked
 *   for a file behaves differently without it) that is from the image and
 *   is not a directory (directories follow from the paths), plus its
 *   resolved path; left out are /proc, /sys, /dev, paths under the tmpfs
 *   mounts above (scratch space, empty in a fresh container), and files the
 *   workload created. Executed programs, interpreters and mapped libraries
 *   are in it through their exec and mmap_exec accesses. One path a line in
 *   the trace's path encoding (docs/trace-format.md), with control
 *   characters also written \xHH so that every line is one path;
 *   trace_path_decode() reverses it.
 * - Non-root: a workload recorded as root could run as 65534:65534 unless
 *   it used a capability (a non-root process in a container has none in
 *   its effective set), changed its own ids, or touched an image file whose
 *   "other" mode bits would refuse that user (read, write, exec, list,
 *   chdir, attributes). Creating or deleting names is checked against the
 *   parent directory when the trace describes it.
 * - Limits: memory is 1.5x the peak of the summed RSS of all live processes
 *   (sampled every 50 ms), rounded up to a multiple of 16 MiB, at least
 *   32 MiB (the runtime's own process is charged to the container too);
 *   pids is twice the most tasks (threads) alive at once, plus 8. The trace
 *   has the CPU time used but not the wall-clock time, so no CPU limit is
 *   derived from it. The memory limit is never below a limit the recorded
 *   command line states itself (memcached -m, also its default 64 MiB;
 *   java -Xmx; node --max-old-space-size; redis-server --maxmemory) plus
 *   overhead (a quarter of it, at least 32 MiB), rounded up to 16 MiB: one
 *   test run rarely fills a cache to its configured size. Every limit is
 *   shown with the peak it comes from, in the checklist too.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>

#include "generator/caps.h"
#include "generator/dockerfile.h"
#include "generator/emitters.h"
#include "trace/names.h"
#include "policy/seccomp-profile.h"
#include "trace/read.h"
#include "trace/seen.h"

#define NONROOT_ID   65534u
#define MAX_LISTED   12     /* evidence items listed before "and N more" */
#define USERNS_RANGE 65536u /* ids a default userns-remap range maps */

/* ------------------------------------------------------------ helpers */

static bool is_pseudo(const char *p)
{
        static const char *const roots[] = { "/proc", "/sys", "/dev" };
        for (size_t i = 0; i < ELEMENTSOF(roots); i++) {
                size_t n = strlen(roots[i]);
                if (strncmp(p, roots[i], n) == 0 && (p[n] == '\0' || p[n] == '/'))
                        return true;
        }
        return false;
}

static bool path_under(const char *p, const char *dir)
{
        if (streq(dir, "/"))
                return true;
        size_t n = strlen(dir);
        return strncmp(p, dir, n) == 0 && (p[n] == '\0' || p[n] == '/');
}

static bool access_ok(const trace_file *file, const char *kind)
{
        return trace_file_ok(file, kind);
}

static bool any_ok(const trace_file *file, const char *const *kinds)
{
        for (; *kinds; kinds++)
                if (access_ok(file, *kinds))
                        return true;
        return false;
}

static const char *const all_kinds[] = { "read", "write",     "append", "create", "delete", "rename", "link",  "attr",
                                         "exec", "mmap_exec", "lock",   "list",   "stat",   "chdir",  "mount", NULL };
static const char *const write_kinds[] = { "write", "append", "create", "delete", "rename", "link", "attr", NULL };
static const char *const exec_kinds[] = { "exec", "mmap_exec", NULL };

/* The real location of a file's object. */
static const char *real_path(const trace_file *file)
{
        return file->resolved ? file->resolved : file->path;
}

static bool from_image(const trace_file *file)
{
        return file->stat.has_mode && !access_ok(file, "create");
}

/* Accesses to the name itself; every other kind reaches the object the
 * name leads to (through symlinks: the `resolved` path). */
static const char *const name_kinds[] = { "create", "delete", "rename", "link", NULL };
static const char *const object_kinds[] = { "read", "write", "append", "attr",  "exec",  "mmap_exec",
                                            "lock", "list",  "stat",   "chdir", "mount", NULL };
static const char *const object_write_kinds[] = { "write", "append", "attr", NULL };

/* The stat data of the object a name leads to: `target` when the file
 * describes the symlink itself (it was created or looked at before an
 * access followed it), else the file's own. */
static const trace_stat *object_stat(const trace_file *file)
{
        return file->has_target ? &file->target : &file->stat;
}

/* Whether the object reached through a name is an image file: it existed
 * before (described), and neither the name (when it is the object) nor the
 * resolved path was created by the workload. A symlink that was never
 * followed successfully describes no object. */
static bool object_from_image(const trace *t, const trace_file *file)
{
        const char *real = real_path(file);
        if (streq(real, file->path))
                return from_image(file);
        const trace_stat *st = object_stat(file);
        if (!st->has_mode || (st->type && streq(st->type, "symlink")))
                return false;
        if (!file->has_target && access_ok(file, "create"))
                return false;
        trace_file rf;
        return !(trace_file_get(t, real, &rf) && access_ok(&rf, "create"));
}

static bool is_dir(const trace_stat *st)
{
        return st->type && streq(st->type, "dir");
}

/* A recorded peak, or dflt when it was not recorded. */
static json_int_t peak_or(json_int_t v, json_int_t dflt)
{
        return v < 0 ? dflt : v;
}

/* `text` as one inline code span: control characters as \xHH, and a fence
 * longer than any run of backticks inside. */
static void md_code(strbuf *sb, const char *text)
{
        size_t run = 0, longest = 0;
        for (const char *p = text; *p; p++) {
                run = *p == '`' ? run + 1 : 0;
                if (run > longest)
                        longest = run;
        }
        for (size_t i = 0; i <= longest; i++)
                strbuf_putc(sb, '`');
        bool pad = longest > 0 || text[0] == '`';
        if (pad)
                strbuf_putc(sb, ' ');
        gen_put_escaped(sb, text);
        if (pad)
                strbuf_putc(sb, ' ');
        for (size_t i = 0; i <= longest; i++)
                strbuf_putc(sb, '`');
}

/* A shell word: bare when it is made of safe characters, else quoted. */
static void sh_word(strbuf *sb, const char *w)
{
        bool safe = *w != '\0';
        for (const char *p = w; *p; p++)
                if (!isalnum((unsigned char)*p) && !strchr("/._-:=,@+%", *p))
                        safe = false;
        if (safe) {
                strbuf_puts(sb, w);
                return;
        }
        strbuf_putc(sb, '\'');
        for (const char *p = w; *p; p++) {
                if (*p == '\'')
                        strbuf_puts(sb, "'\\''");
                else if ((unsigned char)*p < 0x20 || *p == 0x7f)
                        strbuf_printf(sb, "'$'\\x%02x''", (unsigned char)*p);
                else
                        strbuf_putc(sb, *p);
        }
        strbuf_putc(sb, '\'');
}

static void more(strbuf *sb, size_t total, size_t shown)
{
        if (total > shown)
                strbuf_printf(sb, "- ... and %zu more\n", total - shown);
}

/* A sorted set of strings. */
typedef struct strset {
        json_t *o;
} strset;

static void set_add(strset *s, const char *v)
{
        if (!s->o)
                s->o = json_object();
        json_object_set_new(s->o, v, json_true());
}

static const char **set_sorted(const strset *s, size_t *ret_n)
{
        if (!s->o) {
                *ret_n = 0;
                return xcalloc(1, sizeof(const char *));
        }
        return trace_sorted_keys(s->o, ret_n);
}

static void set_free(strset *s)
{
        json_decref(s->o);
        s->o = NULL;
}

/* ------------------------------------------------------------ secrets */

static bool in_list(const char *s, const char *const *list)
{
        for (; *list; list++)
                if (streq(s, *list))
                        return true;
        return false;
}

/* Whether a path looks like a secret, and what kind: private keys and key
 * stores, environment files, credentials files, password hashes. Public
 * CA bundles are not. */
static bool secret_kind(const char *path, const char **ret_kind)
{
        static const char *const ca_dirs[] = { "/etc/ssl/certs",
                                               "/usr/share/ca-certificates",
                                               "/usr/lib/ssl/certs",
                                               "/etc/pki/ca-trust",
                                               "/etc/pki/tls/certs",
                                               "/etc/ca-certificates",
                                               "/usr/local/share/ca-certificates",
                                               "/usr/share/ssl/certs" };
        static const char *const ca_names[] = { "cacert.pem",        "ca-bundle.pem", "ca-certificates.crt",
                                                "tls-ca-bundle.pem", "ca-bundle.crt", NULL };
        static const char *const key_ext[] = {
                ".pem", ".key", ".p12", ".pfx", ".jks", ".keystore", ".p8", ".ppk", NULL
        };
        static const char *const key_names[] = { "id_rsa",      "id_dsa",        "id_ecdsa", "id_ed25519",
                                                 "id_ecdsa_sk", "id_ed25519_sk", NULL };
        static const char *const cred_names[] = {
                "credentials", "credentials.json", "credentials.yml", "credentials.yaml", ".netrc",
                "_netrc",      ".pgpass",          ".my.cnf",         ".git-credentials", ".npmrc",
                ".pypirc",     ".dockercfg",       ".htpasswd",       "kubeconfig",       "secrets.json",
                "secrets.yml", "secrets.yaml",     "secret.json",     ".vault-token",     NULL
        };
        static const char *const cred_paths[] = { "/.docker/config.json", "/.kube/config", "/.aws/credentials",
                                                  "/.config/gcloud/credentials.db", NULL };
        static const char *const shadow[] = { "/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-", NULL };
        for (size_t i = 0; i < ELEMENTSOF(ca_dirs); i++)
                if (path_under(path, ca_dirs[i]))
                        return false;
        const char *slash = strrchr(path, '/');
        _cleanup_free_ char *b = xstrdup(slash ? slash + 1 : path);
        for (char *p = b; *p; p++)
                *p = (char)tolower((unsigned char)*p);
        if (in_list(b, ca_names) || endswith(b, ".pub"))
                return false;
        if (in_list(path, shadow)) {
                *ret_kind = "password hashes";
                return true;
        }
        for (const char *const *e = key_ext; *e; e++)
                if (endswith(b, *e) && strlen(b) > strlen(*e)) {
                        *ret_kind = "private key or key store";
                        return true;
                }
        for (const char *const *k = key_names; *k; k++)
                if (startswith(b, *k)) {
                        *ret_kind = "SSH private key";
                        return true;
                }
        if (startswith(b, "ssh_host_") && endswith(b, "_key")) {
                *ret_kind = "SSH host key";
                return true;
        }
        if (streq(b, ".env") || startswith(b, ".env.") || endswith(b, ".env")) {
                *ret_kind = "environment file";
                return true;
        }
        if (in_list(b, cred_names) || endswith(b, ".kubeconfig") || endswith(b, ".ovpn")) {
                *ret_kind = "credentials file";
                return true;
        }
        for (const char *const *c = cred_paths; *c; c++)
                if (endswith(path, *c)) {
                        *ret_kind = "credentials file";
                        return true;
                }
        return false;
}

/* ------------------------------------------------------------ analysis */

typedef struct mount_pt {
        char *path;
        bool volume;         /* holds image files the workload used */
        bool exec;           /* something executed or mapped from it */
        size_t writes;       /* written paths under it */
        char *example;       /* one written path */
        char *image_example; /* one image file used under it (volume) */
        char *volume_name;
} mount_pt;

typedef struct analysis {
        const trace *t;
        size_t nruns;
        bool creds_known;      /* every run says who ran it */
        bool as_root;          /* some run started with uid or euid 0 */
        long run_uid, run_gid; /* the ids when no run was root and all agree; -1 else */
        bool nnp_recorded;     /* some run was recorded with no_new_privs */
        mount_pt *mounts;
        size_t nmounts;
        bool root_written;  /* a write directly under "/" */
        strset root_writes; /* those paths */
        /* non-root blockers */
        strset id_changes;   /* "setuid 65534" */
        strset mode_blocked; /* "`path`: read needs o+r (owner 0:0 mode 0600)" */
        size_t mode_blocked_n;
        /* no-new-privileges */
        strset setid_programs;
        /* user namespaces */
        strset userns;
        /* image */
        char **files_used;
        size_t nfiles_used;
        strset secrets;
} analysis;

static void analysis_free(analysis *a)
{
        for (size_t i = 0; i < a->nmounts; i++) {
                free(a->mounts[i].path);
                free(a->mounts[i].example);
                free(a->mounts[i].image_example);
                free(a->mounts[i].volume_name);
        }
        free(a->mounts);
        set_free(&a->root_writes);
        set_free(&a->id_changes);
        set_free(&a->mode_blocked);
        set_free(&a->setid_programs);
        set_free(&a->userns);
        set_free(&a->secrets);
        strv_free(a->files_used);
}

static char *parent_dir(const char *p)
{
        const char *slash = strrchr(p, '/');
        if (!slash || slash == p)
                return xstrdup("/");
        return xstrndup(p, (size_t)(slash - p));
}

static char *mount_for(const char *real)
{
        static const char *const scratch[] = { "/tmp", "/var/tmp", "/run" };
        for (size_t i = 0; i < ELEMENTSOF(scratch); i++)
                if (path_under(real, scratch[i]))
                        return xstrdup(scratch[i]);
        return parent_dir(real);
}

/* Where a name really is (for what is done to the name: create, delete,
 * rename, link). The node's `resolved` path when the name is not a symlink
 * (then it resolves the directories only); for a symlink that was followed
 * `resolved` is the target, so the name is its directory's resolved path
 * (when the trace describes the directory) and its last component. */
static char *name_path(const trace *t, const trace_file *file)
{
        const char *type = file->stat.type, *path = file->path;
        if (!type || !streq(type, "symlink"))
                return xstrdup(real_path(file));
        _cleanup_free_ char *dir = parent_dir(path);
        trace_file d;
        const char *rdir = trace_file_get(t, dir, &d) ? d.resolved : NULL;
        if (!rdir)
                return xstrdup(path);
        const char *base = strrchr(path, '/');
        return xasprintf("%s%s", streq(rdir, "/") ? "" : rdir, base);
}

static const mount_pt *mount_of(const analysis *a, const char *real)
{
        for (size_t i = 0; i < a->nmounts; i++)
                if (path_under(real, a->mounts[i].path))
                        return &a->mounts[i];
        return NULL;
}

static bool under_tmpfs(const analysis *a, const char *real)
{
        const mount_pt *m = mount_of(a, real);
        return m && !m->volume;
}

static int analyse_run(const trace_run *r, void *ud)
{
        analysis *a = ud;
        a->nruns++;
        if (r->no_new_privs)
                a->nnp_recorded = true;
        if (!r->has_credentials) {
                a->creds_known = false;
                a->as_root = true; /* unknown: assume the worst */
                return 0;
        }
        if (r->uid == 0 || r->euid == 0)
                a->as_root = true;
        if (a->run_uid == -2) {
                a->run_uid = (long)r->uid;
                a->run_gid = (long)r->gid;
        } else if (a->run_uid != (long)r->uid || a->run_gid != (long)r->gid) {
                a->run_uid = a->run_gid = -1;
        }
        return 0;
}

static void analyse_runs(analysis *a)
{
        a->nruns = 0;
        a->creds_known = true;
        a->run_uid = a->run_gid = -2;
        trace_foreach_run(a->t, analyse_run, a);
        if (a->nruns == 0)
                a->creds_known = false;
        if (a->as_root || a->run_uid < 0)
                a->run_uid = a->run_gid = -1;
}

typedef struct mount_scan {
        analysis *a;
        strset cand;
} mount_scan;

/* Candidates from the written paths. */
static int mount_candidates(const trace_file *f, void *ud)
{
        mount_scan *ms = ud;
        analysis *a = ms->a;
        const char *real = real_path(f);
        /* a name created, removed or renamed needs its own directory
         * writable; a write through it, the object's */
        const char *where[2] = { NULL, NULL };
        _cleanup_free_ char *name = name_path(a->t, f);
        if (any_ok(f, name_kinds) && !is_pseudo(name))
                where[0] = name;
        if (any_ok(f, object_write_kinds) && !is_pseudo(real) && !(where[0] && streq(where[0], real)))
                where[1] = real;
        for (int w = 0; w < 2; w++) {
                if (!where[w])
                        continue;
                _cleanup_free_ char *m = mount_for(where[w]);
                if (streq(m, "/")) {
                        /* No mount can make "/" writable on a read-only root. */
                        a->root_written = true;
                        strbuf sb = STRBUF_INIT;
                        md_code(&sb, where[w]);
                        set_add(&a->root_writes, strbuf_str(&sb));
                        strbuf_free(&sb);
                        continue;
                }
                set_add(&ms->cand, m);
        }
        return 0;
}

/* What is under each mount. */
static int mount_contents(const trace_file *f, void *ud)
{
        analysis *a = ud;
        const char *real = real_path(f);
        /* the name (what is done to it) and the object (what is done
         * through it), each under its own mount */
        _cleanup_free_ char *name = name_path(a->t, f);
        if (!streq(real, name) && !is_pseudo(name)) {
                mount_pt *mn = (mount_pt *)mount_of(a, name);
                if (mn && any_ok(f, name_kinds)) {
                        mn->writes++;
                        if (!mn->example)
                                mn->example = xstrdup(name);
                }
        }
        if (is_pseudo(real))
                return 0;
        mount_pt *m = (mount_pt *)mount_of(a, real);
        if (!m)
                return 0;
        if (streq(real, name) ? any_ok(f, write_kinds) : any_ok(f, object_write_kinds)) {
                m->writes++;
                if (!m->example)
                        m->example = xstrdup(real);
        }
        if (any_ok(f, exec_kinds))
                m->exec = true;
        bool scratch = streq(m->path, "/tmp") || streq(m->path, "/var/tmp") || streq(m->path, "/run");
        if (!scratch && !streq(real, m->path) && object_from_image(a->t, f) && any_ok(f, object_kinds)) {
                m->volume = true;
                if (!m->image_example)
                        m->image_example = xstrdup(real);
        }
        return 0;
}

static void analyse_mounts(analysis *a)
{
        mount_scan ms = { .a = a };
        trace_foreach_file(a->t, mount_candidates, &ms);
        strset cand = ms.cand;
        size_t nc;
        _cleanup_free_ const char **cs = set_sorted(&cand, &nc);
        /* Sorted: an outer directory comes before what is under it. */
        a->mounts = xcalloc(nc + 1, sizeof *a->mounts);
        for (size_t i = 0; i < nc; i++) {
                bool nested = false;
                for (size_t k = 0; k < a->nmounts; k++)
                        if (path_under(cs[i], a->mounts[k].path))
                                nested = true;
                if (nested)
                        continue;
                a->mounts[a->nmounts++] = (mount_pt){ .path = xstrdup(cs[i]) };
        }
        set_free(&cand);
        trace_foreach_file(a->t, mount_contents, a);
        /* Volume names: the path with [^A-Za-z0-9_.-] as '-', unique. */
        for (size_t i = 0; i < a->nmounts; i++) {
                if (!a->mounts[i].volume)
                        continue;
                strbuf sb = STRBUF_INIT;
                for (const char *p = a->mounts[i].path + 1; *p; p++)
                        strbuf_putc(&sb, isalnum((unsigned char)*p) || *p == '_' || *p == '.' || *p == '-' ? *p : '-');
                if (!sb.len)
                        strbuf_puts(&sb, "root");
                char *name = strbuf_steal(&sb);
                for (int k = 2;; k++) {
                        bool clash = false;
                        for (size_t j = 0; j < i; j++)
                                if (a->mounts[j].volume_name && streq(a->mounts[j].volume_name, name))
                                        clash = true;
                        if (!clash)
                                break;
                        char *n2 = xasprintf("%s-%d", name, k);
                        free(name);
                        name = n2;
                }
                a->mounts[i].volume_name = name;
        }
}

/* Would a user NONROOT_ID:NONROOT_ID without groups be allowed `want`
 * (4 r, 2 w, 1 x) on the object? */
static bool nonroot_allows(const trace_stat *f, int want)
{
        json_int_t uid = f->uid, gid = f->gid, mode = f->mode;
        int bits = uid == NONROOT_ID ? (int)(mode >> 6) & 7 : gid == NONROOT_ID ? (int)(mode >> 3) & 7 : (int)mode & 7;
        return (bits & want) == want;
}

static void block(analysis *a, const char *path, const trace_stat *f, const char *what, const char *bits)
{
        strbuf sb = STRBUF_INIT;
        md_code(&sb, path);
        strbuf_printf(&sb, ": %s needs %s (owner %lld:%lld, mode %04llo)", what, bits, (long long)f->uid,
                      (long long)f->gid, (long long)(f->mode & 07777));
        set_add(&a->mode_blocked, strbuf_str(&sb));
        strbuf_free(&sb);
}

typedef struct file_scan {
        analysis *a;
        strset used;
} file_scan;

static int analyse_file(const trace_file *f, void *ud)
{
        file_scan *fs = ud;
        analysis *a = fs->a;
        const char *path = f->path;
        const char *real = real_path(f);
        /* a read through /proc/self/root/... reaches a real file */
        if (is_pseudo(real) || !any_ok(f, all_kinds))
                return 0;
        /* the object the name leads to: its owner and mode decide
         * (through a symlink: the target's, not the link's) */
        const trace_stat *o = object_stat(f);
        bool image = object_from_image(a->t, f);
        bool tmp = under_tmpfs(a, real);

        /* files used: the object, and the name when the image has it
         * (a symlink of the image) */
        if (image && !is_dir(o) && !tmp && any_ok(f, streq(real, path) ? all_kinds : object_kinds))
                set_add(&fs->used, real);
        if (from_image(f) && !is_dir(&f->stat) && !is_pseudo(path) && !under_tmpfs(a, path))
                set_add(&fs->used, path);

        /* setuid/setgid programs executed */
        json_int_t mode = o->mode;
        if (access_ok(f, "exec") && o->has_mode &&
            ((mode & S_ISUID) || (mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))) {
                strbuf sb = STRBUF_INIT;
                md_code(&sb, real);
                strbuf_printf(&sb, " (set-%s-ID, owner %lld:%lld, mode %04llo)", mode & S_ISUID ? "user" : "group",
                              (long long)o->uid, (long long)o->gid, (long long)(mode & 07777));
                set_add(&a->setid_programs, strbuf_str(&sb));
                strbuf_free(&sb);
        }

        /* image files owned by ids a userns-remap range does not map */
        if (image && !tmp && (o->uid >= USERNS_RANGE || o->gid >= USERNS_RANGE)) {
                strbuf sb = STRBUF_INIT;
                strbuf_puts(&sb, "image file ");
                md_code(&sb, real);
                strbuf_printf(&sb, " is owned by %lld:%lld, outside the 65536 ids a remapped container maps",
                              (long long)o->uid, (long long)o->gid);
                set_add(&a->userns, strbuf_str(&sb));
                strbuf_free(&sb);
        }

        /* what a non-root user could not do on image files */
        if (a->as_root && image && !tmp && o->has_mode) {
                bool dir = is_dir(o);
                if ((access_ok(f, "read") || access_ok(f, "mmap_exec")) && !nonroot_allows(o, 4))
                        block(a, real, o, "reading", "read permission for others (o+r)");
                if (access_ok(f, "list") && !nonroot_allows(o, 4))
                        block(a, real, o, "listing", "read permission for others (o+r)");
                if ((access_ok(f, "write") || access_ok(f, "append")) && !nonroot_allows(o, 2))
                        block(a, real, o, "writing", "write permission for others (o+w)");
                if (access_ok(f, "exec") && !nonroot_allows(o, 1))
                        block(a, real, o, "executing", "execute permission for others (o+x)");
                if (access_ok(f, "chdir") && dir && !nonroot_allows(o, 1))
                        block(a, real, o, "entering", "search permission for others (o+x)");
                if (access_ok(f, "attr") && o->uid != NONROOT_ID)
                        block(a, real, o, "changing attributes", "ownership");
        }
        /* names created or removed: the parent directory, when described */
        if (a->as_root && !tmp &&
            (access_ok(f, "create") || access_ok(f, "delete") || access_ok(f, "rename") || access_ok(f, "link"))) {
                _cleanup_free_ char *dir = parent_dir(path);
                trace_file d;
                if (trace_file_get(a->t, dir, &d) && d.stat.has_mode && !is_pseudo(dir) && !under_tmpfs(a, dir) &&
                    !nonroot_allows(&d.stat, 3))
                        block(a, dir, &d.stat, "creating or removing names in it",
                              "write permission for others (o+wx)");
        }

        /* secret-looking files read from the image */
        if (image && !tmp && (access_ok(f, "read") || access_ok(f, "write") || access_ok(f, "append"))) {
                const char *kind = NULL;
                if (secret_kind(real, &kind) || secret_kind(path, &kind)) {
                        strbuf sb = STRBUF_INIT;
                        md_code(&sb, real);
                        strbuf_printf(&sb, " (%s", kind);
                        if (o->has_mode)
                                strbuf_printf(&sb, ", owner %lld:%lld mode %04llo", (long long)o->uid,
                                              (long long)o->gid, (long long)(mode & 07777));
                        strbuf_puts(&sb, ")");
                        set_add(&a->secrets, strbuf_str(&sb));
                        strbuf_free(&sb);
                }
        }
        return 0;
}

static void analyse_files(analysis *a)
{
        file_scan fs = { .a = a };
        trace_foreach_file(a->t, analyse_file, &fs);
        size_t nu;
        _cleanup_free_ const char **u = set_sorted(&fs.used, &nu);
        a->files_used = xcalloc(nu + 1, sizeof *a->files_used);
        for (size_t i = 0; i < nu; i++)
                a->files_used[i] = xstrdup(u[i]);
        a->nfiles_used = nu;
        set_free(&fs.used);
}

/* Ids in a credentials key ("65534", "-1,0,-1", "2:10,20") at or above the
 * remapped range. */
static bool key_has_big_id(const char *key)
{
        const char *p = strchr(key, ':');
        p = p ? p + 1 : key;
        while (*p) {
                char *end;
                long long v = strtoll(p, &end, 10);
                if (end == p) {
                        p++;
                        continue;
                }
                if (v >= (long long)USERNS_RANGE)
                        return true;
                p = end;
        }
        return false;
}

static int analyse_id_change(const trace_cred_change *c, void *ud)
{
        analysis *a = ud;
        if (trace_result_count(c->results, "ok") == 0)
                return 0;
        if (streq(c->syscall, "capset"))
                return 0;
        /* setgroups keys are "N:g1,g2": show the list */
        const char *colon = streq(c->syscall, "setgroups") ? strchr(c->args, ':') : NULL;
        _cleanup_free_ char *s =
                colon ? xasprintf("`setgroups([%s])`", colon + 1) : xasprintf("`%s(%s)`", c->syscall, c->args);
        if (a->as_root)
                set_add(&a->id_changes, s);
        if (key_has_big_id(c->args)) {
                _cleanup_free_ char *w = xasprintf("%s uses an id outside the 65536 a remapped container maps", s);
                set_add(&a->userns, w);
        }
        return 0;
}

/* chown to big ids */
static int analyse_chown(const trace_cap_reason *r, void *ud)
{
        analysis *a = ud;
        if (!trace_result(r->results, "ok") ||
            (trace_cap_input_int(r, TRACE_INPUT_NEW_UID, -1) < (json_int_t)USERNS_RANGE &&
             trace_cap_input_int(r, TRACE_INPUT_NEW_GID, -1) < (json_int_t)USERNS_RANGE))
                return 0;
        strbuf sb = STRBUF_INIT;
        md_code(&sb, r->reason);
        strbuf_puts(&sb, " gives a file an owner outside the 65536 ids a remapped container maps");
        set_add(&a->userns, strbuf_str(&sb));
        strbuf_free(&sb);
        return 0;
}

static void analyse_ids(analysis *a)
{
        trace_foreach_cred_change(a->t, NULL, analyse_id_change, a);
        trace_foreach_cap_reason(a->t, "CAP_CHOWN", analyse_chown, a);
}

static void analyse(analysis *a, const trace *t)
{
        memset(a, 0, sizeof *a);
        a->t = t;
        analyse_runs(a);
        analyse_mounts(a);
        analyse_files(a);
        analyse_ids(a);
}

/* ------------------------------------------------------------ verdicts */

/* Capabilities whose kernel checks look at the host's user namespace:
 * granted to a remapped container's root, they still do not work. */
static const struct {
        const char *cap;
        const char *why;
} userns_caps[] = {
        { "CAP_AUDIT_CONTROL", "audit rules belong to the host" },
        { "CAP_BLOCK_SUSPEND", "checked in the host's namespace" },
        { "CAP_IPC_LOCK", "locking memory beyond RLIMIT_MEMLOCK is checked in the host's namespace" },
        { "CAP_LINUX_IMMUTABLE", "immutable and append-only flags are checked in the host's namespace" },
        { "CAP_MAC_ADMIN", "LSM policy belongs to the host" },
        { "CAP_MAC_OVERRIDE", "LSM policy belongs to the host" },
        { "CAP_MKNOD", "device nodes cannot be created inside a user namespace" },
        { "CAP_SYSLOG", "the kernel log belongs to the host" },
        { "CAP_SYS_ADMIN", "most mounts, swap, quotas and other host-wide operations are refused" },
        { "CAP_SYS_MODULE", "kernel modules belong to the host" },
        { "CAP_SYS_NICE", "negative nice values and real-time scheduling are checked in the host's namespace" },
        { "CAP_SYS_PACCT", "process accounting belongs to the host" },
        { "CAP_SYS_RAWIO", "raw I/O is checked in the host's namespace" },
        { "CAP_SYS_RESOURCE", "raising hard limits is checked in the host's namespace" },
        { "CAP_SYS_TIME", "the clock belongs to the host" },
        { "CAP_SYS_TTY_CONFIG", "checked in the host's namespace" },
        { "CAP_WAKE_ALARM", "checked in the host's namespace" },
};

static bool caps_has(const gen_context *ctx, const char *cap)
{
        for (char **c = ctx->caps; *c; c++)
                if (streq(*c, cap))
                        return true;
        return false;
}

/* Memory limit in MiB (see the top of the file), or -1 without data. */
static long long memory_limit_mib(json_int_t sum_kib)
{
        /* the trace reader bounds the peak (2^54 KiB); refuse rather than
         * wrap should anything larger come */
        long long need_kib;
        if (sum_kib <= 0 || __builtin_mul_overflow((long long)sum_kib, 3, &need_kib) || need_kib > LLONG_MAX - 2048)
                return -1;
        need_kib = (need_kib + 1) / 2;
        long long mib = (need_kib + 1023) / 1024;
        mib = (mib + 15) / 16 * 16;
        return mib < 32 ? 32 : mib;
}

/* A size with an optional unit (k, m, g; redis's kb, mb, gb; a bare
 * number is in default_unit bytes), in MiB rounded up; -1 if not a size. */
static long long size_mib(const char *v, long long default_unit)
{
        char *end;
        errno = 0;
        long long n = strtoll(v, &end, 10);
        if (end == v || errno || n < 0 || n > (1LL << 40))
                return -1;
        long long unit = default_unit;
        if (*end) {
                char u = (char)tolower((unsigned char)*end);
                unit = u == 'k' ? 1024LL : u == 'm' ? 1024LL * 1024 : u == 'g' ? 1024LL * 1024 * 1024 : -1;
                if (unit < 0 || (end[1] && !(tolower((unsigned char)end[1]) == 'b' && !end[2])))
                        return -1;
        }
        /* an absurd size (2^40 g) is not a size, rather than a wrapped one */
        if (n > (LLONG_MAX - (1 << 20)) / unit)
                return -1;
        return (n * unit + (1 << 20) - 1) >> 20;
}

/* The largest memory limit a recorded command line states (see the top of
 * the file) in MiB, or -1; *why gets the words it comes from. */
typedef struct stated_limit {
        long long best;
        strbuf *why;
} stated_limit;

static int stated_run(const trace_run *run, void *ud)
{
        stated_limit *st = ud;
        size_t n = run->ncommand;
        const char *prog = n ? trace_run_word(run, 0) : NULL;
        if (!prog)
                return 0;
        const char *base = strrchr(prog, '/') ? strrchr(prog, '/') + 1 : prog;
        bool memcached = streq(base, "memcached"), redis = streq(base, "redis-server");
        bool java = streq(base, "java"), node = streq(base, "node") || streq(base, "nodejs");
        long long mib = -1;
        char what[160] = "";
        if (memcached) {
                mib = 64;
                snprintf(what, sizeof what, "memcached's default item memory, 64 MiB");
        }
        for (size_t k = 1; k < n; k++) {
                const char *w = trace_run_word(run, k);
                const char *next = k + 1 < n ? trace_run_word(run, k + 1) : NULL;
                const char *val = NULL;
                long long unit = 1;
                if (!w)
                        continue;
                if (memcached && (streq(w, "-m") || streq(w, "--memory-limit")))
                        val = next, unit = 1 << 20;
                else if (memcached && strncmp(w, "--memory-limit=", 15) == 0)
                        val = w + 15, unit = 1 << 20;
                else if (memcached && strncmp(w, "-m", 2) == 0 && isdigit((unsigned char)w[2]))
                        val = w + 2, unit = 1 << 20;
                else if (java && strncmp(w, "-Xmx", 4) == 0)
                        val = w + 4;
                else if (node && strncmp(w, "--max-old-space-size=", 21) == 0)
                        val = w + 21, unit = 1 << 20;
                else if (redis && streq(w, "--maxmemory"))
                        val = next;
                long long v = val ? size_mib(val, unit) : -1;
                if (v > 0) {
                        mib = v;
                        snprintf(what, sizeof what, "`%s%s%s` (%lld MiB)", w, val == next ? " " : "",
                                 val == next ? next : "", v);
                }
        }
        if (mib > st->best) {
                st->best = mib;
                strbuf_reset(st->why);
                strbuf_printf(st->why, "%s: %s", base, what);
        }
        return 0;
}

static long long stated_memory_mib(const trace *t, strbuf *why)
{
        stated_limit st = { -1, why };
        trace_foreach_run(t, stated_run, &st);
        return st.best;
}

static long long pids_limit(json_int_t max_tasks)
{
        return max_tasks > 0 && max_tasks <= (LLONG_MAX - 8) / 2 ? 2 * (long long)max_tasks + 8 : -1;
}

typedef struct plan {
        bool nonroot;
        char user[32];
        bool read_only;
        bool nnp;
        long long memory_mib;
        long long pids;
        long long peak_kib;   /* the memory peak memory_mib comes from */
        long long peak_tasks; /* the tasks peak pids comes from */
        long long stated_mib; /* > 0: memory_mib comes from the command line's own limit */
        bool seccomp;
        bool apparmor;
} plan;

static void list_set(strbuf *sb, const strset *s, size_t max)
{
        size_t n;
        _cleanup_free_ const char **k = set_sorted(s, &n);
        for (size_t i = 0; i < n && i < max; i++)
                strbuf_printf(sb, "- %s\n", k[i]);
        more(sb, n, max);
}

static size_t set_size(const strset *s)
{
        return s->o ? json_object_size(s->o) : 0;
}

static void put_command(strbuf *sb, const trace_run *run)
{
        strbuf cmd = STRBUF_INIT;
        for (size_t i = 0; i < run->ncommand; i++) {
                if (i)
                        strbuf_putc(&cmd, ' ');
                const char *w = trace_run_word(run, i);
                sh_word(&cmd, w ? w : "");
        }
        md_code(sb, strbuf_str(&cmd));
        strbuf_free(&cmd);
}

static int run_row(const trace_run *run, void *ud)
{
        strbuf *sb = ud;
        strbuf_puts(sb, "| ");
        put_command(sb, run);
        if (run->has_exit)
                strbuf_printf(sb, " | %lld", (long long)run->status);
        else
                strbuf_puts(sb, " | ?");
        if (run->has_credentials)
                strbuf_printf(sb, " | uid %lld, gid %lld%s", (long long)run->uid, (long long)run->gid,
                              run->uid == 0 || run->euid == 0 ? " (root)" : "");
        else
                strbuf_puts(sb, " | unknown");
        strbuf_printf(sb, " | %s mode%s |\n", run->mode ? run->mode : "?", run->no_new_privs ? ", no_new_privs" : "");
        return 0;
}

static void section_runs(strbuf *sb, const analysis *a)
{
        strbuf_printf(sb,
                      "Generated by minpriv from %zu recorded run%s. Every verdict rests on what the workload did\n"
                      "while it was recorded: record it over the code paths you ship (its integration tests), or a\n"
                      "flag below may break a path the recording never took.\n\n",
                      a->nruns, a->nruns == 1 ? "" : "s");
        strbuf_puts(sb, "| command | exit | user | recorded |\n|---|---|---|---|\n");
        trace_foreach_run(a->t, run_row, sb);
        strbuf_putc(sb, '\n');
}

static void section_nonroot(strbuf *sb, const gen_context *ctx, const analysis *a, plan *p)
{
        strbuf_puts(sb, "## 1. Run as a non-root user\n\n");
        if (!a->as_root && a->run_uid >= 0) {
                p->nonroot = true;
                snprintf(p->user, sizeof p->user, "%ld:%ld", a->run_uid, a->run_gid);
                strbuf_printf(sb,
                              "**Verdict: feasible.** The workload was recorded as uid %ld, gid %ld, not as root.\n\n",
                              a->run_uid, a->run_gid);
                strbuf_printf(sb, "Flag: `--user %s` (compose `user: \"%s\"`).\n\n", p->user, p->user);
                return;
        }
        size_t ncaps = 0;
        while (ctx->caps[ncaps])
                ncaps++;
        bool blocked = ncaps || set_size(&a->id_changes) || set_size(&a->mode_blocked);
        if (!blocked) {
                p->nonroot = true;
                snprintf(p->user, sizeof p->user, "%u:%u", NONROOT_ID, NONROOT_ID);
                strbuf_printf(
                        sb,
                        "**Verdict: feasible.** It ran as root but used no capability, did not change its ids, and "
                        "every image file it used allows others the same access (checked against user %u, "
                        "group %u, no supplementary groups; files it created itself or wrote in tmpfs mounts are "
                        "its own).\n\n",
                        NONROOT_ID, NONROOT_ID);
                if (!a->creds_known)
                        strbuf_puts(sb, "The trace does not say which user ran it; it was evaluated as root.\n\n");
                strbuf_printf(sb,
                              "Flag: `--user %s` (compose `user: \"%s\"`); or a `USER` line in the image. A volume "
                              "must then be writable by that user.\n\n",
                              p->user, p->user);
                return;
        }
        strbuf_puts(sb, "**Verdict: not feasible as recorded: it needs root for what follows.** Fix these first "
                        "(or keep root and rely on the other items).\n\n");
        if (ncaps) {
                strbuf_printf(sb,
                              "It uses %zu capabilit%s (section 3). A non-root process in a container has none in its "
                              "effective set, whatever `--cap-add` says (unless the program file carries them as file "
                              "capabilities, `setcap`):\n",
                              ncaps, ncaps == 1 ? "y" : "ies");
                for (size_t i = 0; i < ncaps; i++)
                        strbuf_printf(sb, "- `%s`\n", ctx->caps[i]);
                if (caps_has(ctx, "CAP_NET_BIND_SERVICE"))
                        strbuf_puts(
                                sb,
                                "\n(Binding a low port as non-root also works with `--sysctl "
                                "net.ipv4.ip_unprivileged_port_start=N`; Docker sets it to 0 in containers with their "
                                "own network namespace.)\n");
                strbuf_putc(sb, '\n');
        }
        if (set_size(&a->id_changes)) {
                strbuf_puts(sb,
                            "It changes its own user or group ids, which only root can do (it starts privileged and "
                            "drops privileges itself; started as the target user it would need to skip that step):\n");
                list_set(sb, &a->id_changes, MAX_LISTED);
                strbuf_putc(sb, '\n');
        }
        if (set_size(&a->mode_blocked)) {
                strbuf_printf(sb,
                              "Image files a non-root user (%u:%u) could not use the same way (give the user ownership "
                              "in the image, `chown`/`chmod` in the Dockerfile, or move them to a volume):\n",
                              NONROOT_ID, NONROOT_ID);
                list_set(sb, &a->mode_blocked, MAX_LISTED);
                strbuf_putc(sb, '\n');
        }
        if (a->as_root)
                strbuf_puts(sb, "It was recorded as root, so root's privileges were used wherever they were there to "
                                "use: record as the user production runs it as (`minpriv record --image IMAGE "
                                "--user UID:GID -- CMD`, or `setpriv --reuid UID --regid GID --clear-groups -- minpriv "
                                "record ...`) and this verdict is about that user.\n\n");
        strbuf_puts(sb, "Flag: none for now (`--user` once the above is resolved).\n\n");
}

static void section_readonly(strbuf *sb, const analysis *a, plan *p)
{
        strbuf_puts(sb, "## 2. Read-only root filesystem\n\n");
        if (a->root_written) {
                strbuf_puts(sb,
                            "**Verdict: not feasible as recorded.** The workload creates or changes names directly in "
                            "`/`, which no mount can make writable on a read-only root:\n");
                list_set(sb, &a->root_writes, MAX_LISTED);
                strbuf_puts(sb, "\nMove them into a directory of their own (then a tmpfs or a volume there).");
                if (!a->nmounts) {
                        strbuf_puts(sb, "\n\n");
                        return;
                }
                strbuf_puts(sb, " The other directories it writes:\n\n");
        } else if (!a->nmounts) {
                p->read_only = true;
                strbuf_puts(sb, "**Verdict: feasible.** Nothing was written outside /proc, /sys and /dev.\n\n"
                                "Flag: `--read-only` (compose `read_only: true`).\n\n");
                return;
        } else {
                p->read_only = true;
                size_t nt = 0, nv = 0;
                for (size_t i = 0; i < a->nmounts; i++)
                        a->mounts[i].volume ? nv++ : nt++;
                strbuf_printf(sb, "**Verdict: feasible** with %zu tmpfs mount%s", nt, nt == 1 ? "" : "s");
                if (nv)
                        strbuf_printf(sb, " and %zu volume%s", nv, nv == 1 ? "" : "s");
                strbuf_puts(sb, " for the directories it writes:\n\n");
        }
        strbuf_puts(sb, "| directory | mount | why |\n|---|---|---|\n");
        for (size_t i = 0; i < a->nmounts; i++) {
                const mount_pt *m = &a->mounts[i];
                strbuf_puts(sb, "| ");
                md_code(sb, m->path);
                if (m->volume)
                        strbuf_printf(sb, " | volume `%s` | holds image files it uses, e.g. ", m->volume_name);
                else
                        strbuf_printf(sb, " | tmpfs%s | ", m->exec ? " with exec" : "");
                if (m->volume)
                        md_code(sb, m->image_example);
                else
                        strbuf_printf(sb, "%zu path%s written, e.g. ", m->writes, m->writes == 1 ? "" : "s");
                if (!m->volume)
                        md_code(sb, m->example);
                if (!m->volume && m->exec)
                        strbuf_puts(sb, "; programs or libraries run from it");
                strbuf_puts(sb, " |\n");
        }
        strbuf_putc(sb, '\n');
        if (a->root_written)
                return;
        strbuf_puts(sb, "A tmpfs starts empty and lives in memory (it counts against the memory limit); use a volume "
                        "instead where the data must outlive the container.\n\n");
        strbuf_puts(sb, "Flag: `--read-only`");
        for (size_t i = 0; i < a->nmounts; i++) {
                const mount_pt *m = &a->mounts[i];
                strbuf_puts(sb, m->volume ? " `-v " : " `--tmpfs ");
                strbuf cell = STRBUF_INIT;
                if (m->volume)
                        strbuf_printf(&cell, "%s:", m->volume_name);
                strbuf_puts(&cell, m->path);
                if (!m->volume && m->exec)
                        strbuf_puts(&cell, ":exec");
                gen_put_escaped(sb, strbuf_str(&cell));
                strbuf_free(&cell);
                strbuf_putc(sb, '`');
        }
        bool nv = false;
        for (size_t i = 0; i < a->nmounts; i++)
                nv |= a->mounts[i].volume;
        strbuf_printf(sb, " (compose `read_only: true`, `tmpfs:`%s).\n\n", nv ? ", `volumes:`" : "");
}

static void section_caps(strbuf *sb, const gen_context *ctx)
{
        strbuf_puts(sb, "## 3. Capabilities\n\n");
        size_t n;
        _cleanup_free_ caps_reason *reasons = caps_reasons(ctx->t, &n);
        size_t ncaps = 0;
        while (ctx->caps[ncaps])
                ncaps++;
        if (!ncaps) {
                strbuf_puts(sb,
                            "**Verdict: none needed.** No call the workload made succeeded thanks to a capability.\n\n"
                            "Flag: `--cap-drop ALL` (compose `cap_drop: [ALL]`).\n\n");
        } else {
                size_t in_default = 0;
                for (size_t i = 0; i < ncaps; i++)
                        if (in_list(ctx->caps[i], mp_seccomp_docker_default_caps))
                                in_default++;
                strbuf_printf(
                        sb,
                        "**Verdict: %zu needed** (caps.txt lists them with every reason). Docker's default set has "
                        "14; all but these are dropped.\n\n",
                        ncaps);
                strbuf_puts(sb, "| capability | in Docker's default set | used by |\n|---|---|---|\n");
                for (size_t i = 0; i < ncaps; i++) {
                        size_t shown = 0, total = 0;
                        strbuf_printf(sb, "| `%s` | %s | ", ctx->caps[i],
                                      in_list(ctx->caps[i], mp_seccomp_docker_default_caps) ? "yes" : "**no**");
                        for (size_t k = 0; k < n; k++) {
                                if (!streq(reasons[k].cap, ctx->caps[i]) || !reasons[k].ok)
                                        continue;
                                if (total++ < 3) {
                                        if (shown++)
                                                strbuf_puts(sb, "; ");
                                        md_code(sb, reasons[k].text);
                                }
                        }
                        if (total > shown)
                                strbuf_printf(sb, "; and %zu more", total - shown);
                        strbuf_puts(sb, " |\n");
                }
                strbuf_putc(sb, '\n');
                size_t npre = 0;
                for (size_t k = 0; k < n; k++)
                        if (reasons[k].ok && reasons[k].preexisting)
                                npre++;
                if (npre) {
                        strbuf_printf(sb, "**%zu reason%s depend%s on pre-existing state:** ", npre,
                                      npre == 1 ? "" : "s", npre == 1 ? "s" : "");
                        strbuf_puts(sb, CAPS_PREEXISTING_ADVICE ":\n");
                        for (size_t k = 0; k < n; k++) {
                                if (!reasons[k].ok || !reasons[k].preexisting)
                                        continue;
                                strbuf_printf(sb, "- `%s`: ", reasons[k].cap);
                                md_code(sb, reasons[k].text);
                                strbuf_putc(sb, '\n');
                        }
                        strbuf_putc(sb, '\n');
                }
                if (in_default < ncaps)
                        strbuf_puts(sb,
                                    "Capabilities outside Docker's default set widen what the container may do beyond "
                                    "a default `docker run`: review them.\n\n");
                strbuf_puts(sb, "Flag: `--cap-drop ALL");
                for (size_t i = 0; i < ncaps; i++)
                        strbuf_printf(sb, " --cap-add %s", ctx->caps[i]);
                strbuf_puts(sb, "` (compose `cap_drop: [ALL]`, `cap_add:`).\n\n");
        }
        size_t denied = 0;
        for (size_t i = 0; i < n; i++)
                if (reasons[i].failed)
                        denied++;
        strbuf_puts(sb, "### Denied during recording — review\n\n");
        if (!denied) {
                strbuf_puts(sb, "No call was refused a capability.\n\n");
                return;
        }
        strbuf_printf(sb,
                      "%zu kind%s of call failed for want of a capability the process did not have. They are not in "
                      "caps.txt: the workload ran without them. If a failure matters (a feature that silently did not "
                      "work), decide whether to grant the capability.\n\n",
                      denied, denied == 1 ? "" : "s");
        for (size_t i = 0; i < n; i++) {
                if (!reasons[i].failed)
                        continue;
                strbuf_printf(sb, "- `%s`: ", reasons[i].cap);
                md_code(sb, reasons[i].text);
                strbuf_puts(sb, " — ");
                caps_reason_failures(sb, reasons[i].results);
                strbuf_puts(sb, " [");
                caps_reason_programs(sb, reasons[i].results, false, 3);
                strbuf_puts(sb, "]\n");
        }
        strbuf_putc(sb, '\n');
}

static void section_nnp(strbuf *sb, const analysis *a, plan *p)
{
        strbuf_puts(sb, "## 4. no-new-privileges\n\n");
        if (!set_size(&a->setid_programs)) {
                p->nnp = true;
                strbuf_puts(sb,
                            "**Verdict: feasible.** No set-user-ID or set-group-ID program was executed, so nothing "
                            "relies on gaining privileges at exec.\n\n");
        } else if (a->nnp_recorded) {
                p->nnp = true;
                strbuf_puts(sb, "**Verdict: feasible.** These set-ID programs ran, but the recording itself ran with "
                                "no_new_privs, so they already ran without gaining privileges:\n");
                list_set(sb, &a->setid_programs, MAX_LISTED);
                strbuf_putc(sb, '\n');
        } else {
                strbuf_puts(
                        sb,
                        "**Verdict: not recommended.** These set-ID programs ran; under no-new-privileges they would "
                        "run without the privileges their mode grants:\n");
                list_set(sb, &a->setid_programs, MAX_LISTED);
                strbuf_puts(
                        sb,
                        "\nIf the workload runs as root anyway, the set-user-ID-root ones gain nothing and the flag "
                        "is safe for them; check the others.\n\n");
                return;
        }
        strbuf_puts(
                sb,
                "File capabilities (`setcap`) are not recorded; a program relying on them would lose them too.\n\n"
                "Flag: `--security-opt no-new-privileges` (compose `security_opt: [\"no-new-privileges:true\"]`).\n\n");
}

static void section_limits(strbuf *sb, const analysis *a, plan *p)
{
        trace_resources res;
        trace_resources_get(a->t, &res);
        json_int_t sum = peak_or(res.sum_rss_kib, 0), maxrss = peak_or(res.max_rss_kib, 0),
                   cpu = peak_or(res.cpu_ms, -1), tasks = peak_or(res.max_threads, 0),
                   procs = peak_or(res.max_processes, 0), created = peak_or(res.processes, 0),
                   fds = peak_or(res.max_fds, 0);
        strbuf_puts(sb, "## 5. Memory, CPU and pids limits\n\n");
        /* The summed peak is sampled; a run shorter than one sample has
         * only the largest single RSS (from the kernel, exact). */
        json_int_t peak = sum > maxrss ? sum : maxrss;
        p->memory_mib = memory_limit_mib(peak);
        p->pids = pids_limit(tasks);
        p->peak_kib = peak;
        p->peak_tasks = tasks;
        _cleanup_strbuf_ strbuf why = STRBUF_INIT;
        long long stated = stated_memory_mib(a->t, &why);
        long long overhead = stated / 4 > 32 ? stated / 4 : 32;
        long long floor_mib = stated > 0 ? (stated + overhead + 15) / 16 * 16 : -1;
        strbuf_puts(sb, "| limit | recorded peak | verdict | flag |\n|---|---|---|---|\n");
        if (floor_mib > p->memory_mib) {
                long long from_peak = p->memory_mib;
                p->memory_mib = floor_mib;
                p->stated_mib = stated;
                strbuf_printf(sb,
                              "| memory | %lld KiB RSS (%s) | %lld MiB: the command line's own limit, %s, plus "
                              "%lld MiB overhead, rounded up to 16 MiB; ",
                              (long long)peak, sum >= maxrss ? "summed over the live processes" : "largest process",
                              p->memory_mib, strbuf_str(&why), overhead);
                if (from_peak > 0)
                        strbuf_printf(sb,
                                      "1.5x the recorded peak would be only %lld MiB: one test run rarely "
                                      "fills what the program is configured to use",
                                      from_peak);
                else
                        strbuf_puts(sb, "no peak recorded");
                strbuf_printf(sb, " | `--memory %lldm` |\n", p->memory_mib);
        } else if (p->memory_mib > 0 && sum >= maxrss)
                strbuf_printf(
                        sb,
                        "| memory | %lld KiB summed RSS of the live processes (largest single process %lld KiB) | "
                        "%lld MiB: 1.5x the peak, rounded up to 16 MiB, at least 32 MiB | `--memory %lldm` |\n",
                        (long long)sum, (long long)maxrss, p->memory_mib, p->memory_mib);
        else if (p->memory_mib > 0)
                strbuf_printf(
                        sb,
                        "| memory | %lld KiB RSS of the largest process (%s) | %lld MiB: 1.5x the peak, rounded up "
                        "to 16 MiB, at least 32 MiB | `--memory %lldm` |\n",
                        (long long)maxrss,
                        sum ? "more than the summed RSS samples saw" : "the run was too short for a summed RSS sample",
                        p->memory_mib, p->memory_mib);
        else
                strbuf_puts(sb, "| memory | not recorded | not derived | — |\n");
        if (cpu >= 0)
                strbuf_printf(sb,
                              "| CPU | %lld ms of CPU time in total | not derived: the trace has no wall-clock time, "
                              "so no rate | — |\n",
                              (long long)cpu);
        else
                strbuf_puts(sb, "| CPU | not recorded | not derived | — |\n");
        if (p->pids > 0)
                strbuf_printf(sb,
                              "| pids | %lld task%s (threads) alive at once, in %lld process%s; %lld process%s "
                              "created in all | %lld: twice the peak plus 8 | `--pids-limit %lld` |\n",
                              (long long)tasks, tasks == 1 ? "" : "s", (long long)procs, procs == 1 ? "" : "es",
                              (long long)created, created == 1 ? "" : "es", p->pids, p->pids);
        else
                strbuf_puts(sb, "| pids | not recorded | not derived | — |\n");
        strbuf_putc(sb, '\n');
        strbuf_puts(sb,
                    "The RSS peak is sampled every 50 ms and misses shorter spikes; it leaves out the page cache and "
                    "files written to tmpfs, which the container's memory cgroup also counts. Choose a CPU limit "
                    "(`--cpus`) from the service's latency needs, not from this trace.");
        if (fds > 0)
                strbuf_printf(sb, " At most %lld file descriptors were open in one process (sampled).", (long long)fds);
        strbuf_puts(sb, "\n\n");
}

/* io_uring: the operations a ring performs are not syscalls, so seccomp
 * (which only sees io_uring_setup and io_uring_enter) cannot mediate them;
 * the LSM hooks still run, so the AppArmor profile applies to the opens. */
/* The opcodes over every ring, with their counts (the ops come by ring,
 * then opcode: merged here by opcode). */
typedef struct op_total {
        const char *opcode;
        json_int_t count;
} op_total;

typedef struct uring_totals {
        op_total *v;
        size_t n;
        char **rings;
} uring_totals;

static int add_op(const trace_uring_op *op, void *ud)
{
        uring_totals *u = ud;
        for (size_t i = 0; i < u->n; i++)
                if (streq(u->v[i].opcode, op->opcode)) {
                        u->v[i].count += op->count;
                        return 0;
                }
        u->v = xrealloc(u->v, (u->n + 1) * sizeof *u->v);
        u->v[u->n++] = (op_total){ op->opcode, op->count };
        return 0;
}

static int add_ring(const char *ring, const trace_usage *setups, void *ud)
{
        strv_add(&((uring_totals *)ud)->rings, ring);
        return 0;
}

static int cmp_op(const void *a, const void *b)
{
        return strcmp(((const op_total *)a)->opcode, ((const op_total *)b)->opcode);
}

static int put_unrecordable(const char *reason, const trace_usage *u, void *ud)
{
        strbuf *sb = ud;
        strbuf_puts(sb, "- ");
        md_code(sb, reason);
        strbuf_printf(sb, " x%lld\n", (long long)trace_usage_total(u));
        return 0;
}

static int any_item(const char *reason, const trace_usage *u, void *ud)
{
        return 1;
}

/* io_uring: the operations a ring performs are not syscalls, so seccomp
 * (which only sees io_uring_setup and io_uring_enter) cannot mediate them;
 * the LSM hooks still run, so the AppArmor profile applies to the opens. */
static void section_uring(strbuf *sb, const gen_context *ctx)
{
        if (!trace_uses_uring(ctx->t))
                return;
        uring_totals u = { 0 };
        trace_foreach_uring_op(ctx->t, add_op, &u);
        trace_foreach_uring_ring(ctx->t, add_ring, &u);
        if (u.n)
                qsort(u.v, u.n, sizeof *u.v, cmp_op);
        strbuf_printf(sb, "**io_uring was used** (rings by setup flags: ");
        for (size_t i = 0; u.rings && u.rings[i]; i++)
                strbuf_printf(sb, "%s`%s`", i ? ", " : "", u.rings[i]);
        strbuf_puts(sb, "). Operations submitted through a ring are not syscalls: seccomp sees only "
                        "`io_uring_setup` and `io_uring_enter`, and cannot mediate what the ring does (open, "
                        "connect, write...); `seccomp.json` allows both because the workload called them. "
                        "The AppArmor profile still applies to the files a ring opens (the LSM hooks run for "
                        "them), and the recorder read the submission queues, so those opens are in it. ");
        if (u.n) {
                strbuf_puts(sb, "Opcodes submitted: ");
                for (size_t i = 0; i < u.n; i++)
                        strbuf_printf(sb, "%s`%s` x%lld", i ? ", " : "", u.v[i].opcode, (long long)u.v[i].count);
                strbuf_puts(sb, ".");
        }
        strbuf_puts(sb, "\n");
        if (trace_foreach_uring_unrecordable(ctx->t, any_item, NULL)) {
                strbuf_puts(sb, "\n**Not recorded — review:** what these rings did could not be read, so no profile "
                                "covers it:\n");
                trace_foreach_uring_unrecordable(ctx->t, put_unrecordable, sb);
        }
        strbuf_puts(sb,
                    "\nIf the service does not need io_uring, deny it: remove `io_uring_setup`, `io_uring_enter` "
                    "and `io_uring_register` from `seccomp.json` (Docker's current default profile blocks them).\n\n");
        free(u.v);
        strv_free(u.rings);
}

static void section_profiles(strbuf *sb, const gen_context *ctx, plan *p)
{
        strbuf_puts(sb, "## 6. seccomp and AppArmor\n\n");
        if (ctx->figures.seccomp_syscalls >= 0) {
                p->seccomp = true;
                static const char *const other[_GEN_DEFAULT_MAX] = {
                        [GEN_DEFAULT_ERRNO] = "other calls fail with EPERM",
                        [GEN_DEFAULT_ENOSYS] = "other calls fail with ENOSYS",
                        [GEN_DEFAULT_KILL] = "other calls kill the process",
                        [GEN_DEFAULT_LOG] = ("other calls are only logged: a trial profile, generate with "
                                             "`--default-action errno` to enforce it"),
                };
                gen_default_action act =
                        ctx->opts->default_action < _GEN_DEFAULT_MAX ? ctx->opts->default_action : GEN_DEFAULT_ERRNO;
                strbuf_printf(sb,
                              "**seccomp: feasible.** `seccomp.json` allows %d syscall names, every one the workload "
                              "attempted plus what the container runtime needs (Docker's default profile allows 301 "
                              "of the 368 x86_64 syscalls libseccomp 2.5.4 names); %s.\n"
                              "Flag: `--security-opt seccomp=seccomp.json` (compose `security_opt: "
                              "[\"seccomp:seccomp.json\"]`).\n\n",
                              ctx->figures.seccomp_syscalls, other[act]);
        } else {
                strbuf_puts(sb, "**seccomp:** no `seccomp.json` was generated with this report; without one, keep the "
                                "runtime's default profile (never `seccomp=unconfined`).\n\n");
        }
        if (ctx->figures.apparmor_rules >= 0) {
                p->apparmor = true;
                strbuf_printf(sb,
                              "**AppArmor: feasible** where the host has AppArmor. `apparmor.profile` defines profile "
                              "`%s` with %d rules",
                              ctx->name, ctx->figures.apparmor_rules);
                if (ctx->figures.apparmor_raw_paths >= 0)
                        strbuf_printf(sb, " from %d recorded paths", ctx->figures.apparmor_raw_paths);
                strbuf_printf(sb,
                              ". Load it on the host first, under its own name (the parser's cache is keyed by file "
                              "name): `install -m 644 apparmor.profile /etc/apparmor.d/%s && apparmor_parser -r "
                              "/etc/apparmor.d/%s`, or without installing `apparmor_parser -r -T apparmor.profile` "
                              "(never `-W` on a file called apparmor.profile).\n"
                              "Flag: `--security-opt apparmor=%s` (compose `security_opt: [\"apparmor:%s\"]`).\n\n",
                              ctx->name, ctx->name, ctx->name, ctx->name);
        } else {
                strbuf_puts(sb,
                            "**AppArmor:** no `apparmor.profile` was generated with this report; where the host has "
                            "AppArmor, keep the runtime's default profile.\n\n");
        }
        section_uring(sb, ctx);
}

static void section_userns(strbuf *sb, const gen_context *ctx, const analysis *a)
{
        strbuf_puts(sb, "## 7. User-namespace remapping\n\n");
        strset issues = { 0 };
        if (a->userns.o) {
                const char *k;
                json_t *v;
                json_object_foreach (a->userns.o, k, v)
                        set_add(&issues, k);
        }
        for (char **c = ctx->caps; *c; c++)
                for (size_t i = 0; i < ELEMENTSOF(userns_caps); i++)
                        if (streq(*c, userns_caps[i].cap)) {
                                _cleanup_free_ char *s = xasprintf("`%s` is used: %s", *c, userns_caps[i].why);
                                set_add(&issues, s);
                        }
        if (!set_size(&issues)) {
                strbuf_puts(sb,
                            "**Verdict: compatible.** Nothing recorded depends on being the host's root: no capability "
                            "checked in the host's namespace, no id outside the 65536 a remapped container maps, no "
                            "image file owned by one.\n\n");
        } else {
                strbuf_puts(sb,
                            "**Verdict: would break** under remapping (the container's root is an unprivileged user on "
                            "the host):\n");
                list_set(sb, &issues, MAX_LISTED);
                strbuf_putc(sb, '\n');
        }
        set_free(&issues);
        strbuf_puts(sb, "Files on bind-mounted host directories appear with their host owners (root's as `nobody`); "
                        "check volumes the workload writes. Flag: the daemon's `userns-remap` setting (`dockerd "
                        "--userns-remap=default`), or `--userns` with podman; not a `docker run` flag.\n\n");
}

static void section_image(strbuf *sb, const analysis *a)
{
        strbuf_puts(sb, "## 8. The image\n\n");
        strbuf_printf(
                sb,
                "**Files used: %zu**, listed in `files-used.txt`: image files the workload opened, executed, "
                "mapped, listed or looked at successfully (not /proc, /sys, /dev, tmpfs scratch space or files it "
                "created), with the real paths behind symlinks. A minimal or multi-stage image needs these (and "
                "the directories and symlinks leading to them); anything else is a candidate for removal.\n\n",
                a->nfiles_used);
        size_t ns = set_size(&a->secrets);
        if (!ns) {
                strbuf_puts(sb, "**Secrets: none read.** No file that looks like a private key, an environment file or "
                                "a credentials file was read from the image.\n\n");
                return;
        }
        strbuf_printf(sb,
                      "**Secrets: %zu secret-looking file%s read from the image — flagged.** Keep secrets out of "
                      "images (anyone who can pull the image can read them); provide them at run time (Docker or "
                      "compose secrets, a read-only bind mount, the environment):\n",
                      ns, ns == 1 ? "" : "s");
        list_set(sb, &a->secrets, MAX_LISTED * 2);
        strbuf_putc(sb, '\n');
}

static void section_paste(strbuf *sb, const gen_context *ctx, const analysis *a, const plan *p)
{
        strbuf_puts(sb, "## 9. Ready to paste\n\n"
                        "Replace `IMAGE` with the image; paths are relative to this directory (for compose, to the "
                        "compose file's).\n\n```sh\ndocker run \\\n");
        if (p->nonroot)
                strbuf_printf(sb, "  --user %s \\\n", p->user);
        if (p->read_only) {
                strbuf_puts(sb, "  --read-only \\\n");
                for (size_t i = 0; i < a->nmounts; i++) {
                        const mount_pt *m = &a->mounts[i];
                        strbuf w = STRBUF_INIT;
                        if (m->volume)
                                strbuf_printf(&w, "%s:%s", m->volume_name, m->path);
                        else
                                strbuf_printf(&w, "%s%s", m->path, m->exec ? ":exec" : "");
                        strbuf_puts(sb, m->volume ? "  -v " : "  --tmpfs ");
                        sh_word(sb, strbuf_str(&w));
                        strbuf_puts(sb, " \\\n");
                        strbuf_free(&w);
                }
        }
        strbuf_puts(sb, "  --cap-drop ALL \\\n");
        for (char **c = ctx->caps; *c; c++)
                strbuf_printf(sb, "  --cap-add %s \\\n", *c);
        if (p->nnp)
                strbuf_puts(sb, "  --security-opt no-new-privileges \\\n");
        if (p->seccomp)
                strbuf_puts(sb, "  --security-opt seccomp=seccomp.json \\\n");
        if (p->apparmor)
                strbuf_printf(sb, "  --security-opt apparmor=%s \\\n", ctx->name);
        if (p->memory_mib > 0)
                strbuf_printf(sb, "  --memory %lldm \\\n", p->memory_mib);
        if (p->pids > 0)
                strbuf_printf(sb, "  --pids-limit %lld \\\n", p->pids);
        strbuf_puts(sb, "  IMAGE\n```\n\n```yaml\nservices:\n");
        strbuf_printf(sb, "  %s:\n    image: IMAGE\n", ctx->name);
        if (p->nonroot)
                strbuf_printf(sb, "    user: \"%s\"\n", p->user);
        bool volumes = false;
        if (p->read_only) {
                strbuf_puts(sb, "    read_only: true\n");
                bool any_tmpfs = false;
                for (size_t i = 0; i < a->nmounts; i++)
                        if (!a->mounts[i].volume)
                                any_tmpfs = true;
                if (any_tmpfs) {
                        strbuf_puts(sb, "    tmpfs:\n");
                        for (size_t i = 0; i < a->nmounts; i++) {
                                if (a->mounts[i].volume)
                                        continue;
                                _cleanup_free_ char *w =
                                        xasprintf("%s%s", a->mounts[i].path, a->mounts[i].exec ? ":exec" : "");
                                strbuf_puts(sb, "      - ");
                                gen_yaml_quoted(sb, w);
                                strbuf_putc(sb, '\n');
                        }
                }
                for (size_t i = 0; i < a->nmounts; i++)
                        if (a->mounts[i].volume)
                                volumes = true;
                if (volumes) {
                        strbuf_puts(sb, "    volumes:\n");
                        for (size_t i = 0; i < a->nmounts; i++) {
                                if (!a->mounts[i].volume)
                                        continue;
                                _cleanup_free_ char *w =
                                        xasprintf("%s:%s", a->mounts[i].volume_name, a->mounts[i].path);
                                strbuf_puts(sb, "      - ");
                                gen_yaml_quoted(sb, w);
                                strbuf_putc(sb, '\n');
                        }
                }
        }
        strbuf_puts(sb, "    cap_drop:\n      - ALL\n");
        if (ctx->caps[0]) {
                strbuf_puts(sb, "    cap_add:\n");
                for (char **c = ctx->caps; *c; c++)
                        strbuf_printf(sb, "      - %s\n", *c);
        }
        if (p->nnp || p->seccomp || p->apparmor) {
                strbuf_puts(sb, "    security_opt:\n");
                if (p->nnp)
                        strbuf_puts(sb, "      - \"no-new-privileges:true\"\n");
                if (p->seccomp)
                        strbuf_puts(sb, "      - \"seccomp:seccomp.json\"\n");
                if (p->apparmor)
                        strbuf_printf(sb, "      - \"apparmor:%s\"\n", ctx->name);
        }
        if (p->memory_mib > 0)
                strbuf_printf(sb, "    mem_limit: %lldm\n", p->memory_mib);
        if (p->pids > 0)
                strbuf_printf(sb, "    pids_limit: %lld\n", p->pids);
        if (volumes) {
                strbuf_puts(sb, "volumes:\n");
                for (size_t i = 0; i < a->nmounts; i++)
                        if (a->mounts[i].volume)
                                strbuf_printf(sb, "  %s: {}\n", a->mounts[i].volume_name);
        }
        strbuf_puts(sb, "```\n");
}

static void checklist(strbuf *sb, const gen_context *ctx, const analysis *a, const plan *p)
{
        size_t ncaps = 0;
        while (ctx->caps[ncaps])
                ncaps++;
        size_t nt = 0, nv = 0;
        for (size_t i = 0; i < a->nmounts; i++)
                a->mounts[i].volume ? nv++ : nt++;
        strbuf_puts(sb, "## Checklist\n\n| # | item | verdict | flag |\n|---|---|---|---|\n");
        if (p->nonroot)
                strbuf_printf(sb, "| 1 | non-root user | feasible | `--user %s` |\n", p->user);
        else
                strbuf_puts(sb, "| 1 | non-root user | not feasible as recorded | — |\n");
        if (p->read_only && !a->nmounts)
                strbuf_puts(sb, "| 2 | read-only root filesystem | feasible | `--read-only` |\n");
        else if (p->read_only)
                strbuf_printf(
                        sb,
                        "| 2 | read-only root filesystem | feasible with %zu tmpfs, %zu volume%s | `--read-only` + "
                        "mounts (section 2) |\n",
                        nt, nv, nv == 1 ? "" : "s");
        else
                strbuf_puts(sb, "| 2 | read-only root filesystem | not feasible as recorded | — |\n");
        if (ncaps)
                strbuf_printf(sb, "| 3 | capabilities | %zu needed | `--cap-drop ALL` + %zu `--cap-add` |\n", ncaps,
                              ncaps);
        else
                strbuf_puts(sb, "| 3 | capabilities | none needed | `--cap-drop ALL` |\n");
        strbuf_printf(sb, "| 4 | no-new-privileges | %s | %s |\n", p->nnp ? "feasible" : "not recommended",
                      p->nnp ? "`--security-opt no-new-privileges`" : "—");
        if (p->memory_mib > 0)
                strbuf_printf(sb, "| 5 | memory limit | %lld MiB (%s %lld KiB%s) | `--memory %lldm` |\n", p->memory_mib,
                              p->stated_mib > 0 ? "stated limit + overhead; peak" : "headroom over the peak",
                              p->peak_kib, p->stated_mib > 0 ? "" : " RSS", p->memory_mib);
        else
                strbuf_puts(sb, "| 5 | memory limit | not derived | — |\n");
        strbuf_puts(sb, "| 5 | CPU limit | not derived (no wall-clock time) | — |\n");
        if (p->pids > 0)
                strbuf_printf(sb,
                              "| 5 | pids limit | %lld (headroom over the peak %lld task%s) | `--pids-limit %lld` |\n",
                              p->pids, p->peak_tasks, p->peak_tasks == 1 ? "" : "s", p->pids);
        else
                strbuf_puts(sb, "| 5 | pids limit | not derived | — |\n");
        if (p->seccomp)
                strbuf_printf(sb, "| 6 | seccomp | %d syscalls | `--security-opt seccomp=seccomp.json` |\n",
                              ctx->figures.seccomp_syscalls);
        else
                strbuf_puts(sb, "| 6 | seccomp | no profile generated | — |\n");
        if (p->apparmor)
                strbuf_printf(sb, "| 6 | AppArmor | %d rules | `--security-opt apparmor=%s` |\n",
                              ctx->figures.apparmor_rules, ctx->name);
        else
                strbuf_puts(sb, "| 6 | AppArmor | no profile generated | — |\n");
        size_t nu = set_size(&a->userns);
        for (char **c = ctx->caps; *c; c++)
                for (size_t i = 0; i < ELEMENTSOF(userns_caps); i++)
                        if (streq(*c, userns_caps[i].cap))
                                nu++;
        strbuf_printf(sb, "| 7 | user-namespace remapping | %s | daemon `userns-remap` |\n",
                      nu ? "would break" : "compatible");
        strbuf_printf(sb, "| 8 | image files used | %zu | `files-used.txt` |\n", a->nfiles_used);
        size_t ns = set_size(&a->secrets);
        if (ns)
                strbuf_printf(
                        sb, "| 8 | secrets read from the image | **%zu flagged** | move them out of the image |\n", ns);
        else
                strbuf_puts(sb, "| 8 | secrets read from the image | none | — |\n");
        if (ctx->dockerfile) {
                size_t nf = gen_dockerfile_flagged(ctx->dockerfile);
                strbuf_printf(sb, "| 10 | Dockerfile checks | %s%zu flagged%s, %zu note%s | section 10 |\n",
                              nf ? "**" : "", nf, nf ? "**" : "", ctx->dockerfile->n - nf,
                              ctx->dockerfile->n - nf == 1 ? "" : "s");
        }
        strbuf_putc(sb, '\n');
}

/* Items seen in only some of the runs, when the runs repeat one workload
 * (record --repeat, or merged recordings of the same command): each is a
 * path that some runs did not take, and the profile rests on the runs
 * that did. */
static void section_stability(strbuf *sb, const analysis *a)
{
        trace *t = (trace *)a->t;
        if (trace_runs(t) < 2 || !trace_runs_same_command(t))
                return;
        size_t n;
        json_int_t runs;
        trace_unstable *u = trace_unstable_list(t, &n, &runs);
        strbuf_printf(sb, "## Stability across runs\n\n");
        if (n == 0) {
                strbuf_printf(sb, "Every syscall, argument value, path and capability was seen in all %lld runs.\n\n",
                              (long long)runs);
                return;
        }
        strbuf_printf(sb,
                      "%zu item%s %s seen in only some of the %lld runs of the same command. The profiles allow\n"
                      "them (they were recorded), but each is a path whose taking depends on timing or input: a\n"
                      "recording without it would have produced a profile that fails now and then, and paths\n"
                      "like it that no run took may exist (see `minpriv gaps`).\n\n",
                      n, n == 1 ? "" : "s", n == 1 ? "was" : "were", (long long)runs);
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *line = trace_unstable_sentence(&u[i], runs);
                strbuf_puts(sb, "- ");
                md_code(sb, u[i].label);
                strbuf_puts(sb, line + strlen(u[i].label));
                strbuf_putc(sb, '\n');
        }
        strbuf_putc(sb, '\n');
        trace_unstable_free(u, n);
}

int gen_emit_hardening_md(const gen_context *ctx, char **ret, mp_error *err)
{
        analysis a;
        analyse(&a, ctx->t);
        plan p = { .memory_mib = -1, .pids = -1 };
        /* The sections decide the plan; the checklist, which comes first,
         * summarises it. */
        strbuf body = STRBUF_INIT;
        section_nonroot(&body, ctx, &a, &p);
        section_readonly(&body, &a, &p);
        section_caps(&body, ctx);
        section_nnp(&body, &a, &p);
        section_limits(&body, &a, &p);
        section_profiles(&body, ctx, &p);
        section_userns(&body, ctx, &a);
        section_image(&body, &a);
        section_paste(&body, ctx, &a, &p);
        if (ctx->dockerfile) {
                strbuf_putc(&body, '\n');
                gen_dockerfile_md(&body, ctx->dockerfile, 10);
        }

        strbuf sb = STRBUF_INIT;
        strbuf_printf(&sb, "# Container hardening for %s\n\n", ctx->name);
        section_runs(&sb, &a);
        section_stability(&sb, &a);
        checklist(&sb, ctx, &a, &p);
        strbuf_add(&sb, body.buf ? body.buf : "", body.len);
        strbuf_free(&body);
        analysis_free(&a);
        *ret = strbuf_steal(&sb);
        return 0;
}

int gen_emit_files_used_txt(const gen_context *ctx, char **ret, mp_error *err)
{
        analysis a;
        analyse(&a, ctx->t);
        strbuf sb = STRBUF_INIT;
        strbuf_printf(&sb,
                      "# Files %s used from its image (minpriv): one path a line, real paths behind symlinks too.\n",
                      ctx->name);
        for (size_t i = 0; i < a.nfiles_used; i++) {
                gen_put_escaped(&sb, a.files_used[i]);
                strbuf_putc(&sb, '\n');
        }
        analysis_free(&a);
        *ret = strbuf_steal(&sb);
        return 0;
}

void gen_hardening_free(gen_hardening *h)
{
        if (!h)
                return;
        for (size_t i = 0; i < h->n_mounts; i++) {
                free(h->mounts[i].path);
                free(h->mounts[i].volume_name);
        }
        free(h->mounts);
        memset(h, 0, sizeof *h);
}

int gen_hardening_plan(const gen_context *ctx, gen_hardening *ret)
{
        analysis a;
        analyse(&a, ctx->t);
        plan p = { .memory_mib = -1, .pids = -1 };
        /* The same sections decide as for hardening.md; their text is not
         * needed here. */
        strbuf scratch = STRBUF_INIT;
        section_nonroot(&scratch, ctx, &a, &p);
        section_readonly(&scratch, &a, &p);
        section_nnp(&scratch, &a, &p);
        section_limits(&scratch, &a, &p);
        strbuf_free(&scratch);
        gen_hardening h = { .nonroot = p.nonroot,
                            .read_only = p.read_only,
                            .nnp = p.nnp,
                            .memory_mib = p.memory_mib,
                            .pids = p.pids,
                            .uid = -1,
                            .gid = -1 };
        if (p.nonroot) {
                long long u, g;
                if (sscanf(p.user, "%lld:%lld", &u, &g) == 2) {
                        h.uid = u;
                        h.gid = g;
                }
        }
        if (p.read_only && a.nmounts) {
                h.mounts = xcalloc(a.nmounts, sizeof *h.mounts);
                for (size_t i = 0; i < a.nmounts; i++) {
                        h.mounts[i].path = xstrdup(a.mounts[i].path);
                        h.mounts[i].volume = a.mounts[i].volume;
                        h.mounts[i].exec = a.mounts[i].exec;
                        h.mounts[i].volume_name = a.mounts[i].volume_name ? xstrdup(a.mounts[i].volume_name) : NULL;
                }
                h.n_mounts = a.nmounts;
        }
        analysis_free(&a);
        *ret = h;
        return 0;
}
