/* SPDX-License-Identifier: MIT */
/* The entries of a minimal image: the recorded accesses resolved in the
 * source (image/image.h says which, and why), and the archive written
 * from them. */
#include <elf.h>
#include <limits.h>

#include "common/hashmap.h"
#include "common/strbuf.h"
#include "image/image.h"
#include "trace/read.h"

#define WANT_DIR  1 /* the directory (created names go in it) */
#define WANT_OBJ  2 /* the object itself, with its content */
#define WANT_EXEC 4 /* executed or mapped: its program interpreter too */
#define WANT_DONE 8
/* Links followed while resolving one path (the kernel's limit). */
#define MAX_LINKS 40

typedef struct planner {
        const trace *t;
        image_source *src;
        const image_options *o;
        hashmap *created; /* raw paths the workload created */
        hashmap *wants;   /* raw path -> (void *)(intptr_t)flags */
        hashmap *entries; /* real path -> image_entry* */
        hashmap *missing; /* raw path -> why (char *) */
        hashmap *excluded;
        hashmap *workspace; /* encoded paths under @{WORKSPACE} */
        mp_error *err;
} planner;

static bool under(const char *p, const char *dir)
{
        size_t n = strlen(dir);
        if (n == 1 && dir[0] == '/')
                return true;
        return strncmp(p, dir, n) == 0 && (p[n] == '\0' || p[n] == '/');
}

static bool strictly_under(const char *p, const char *dir)
{
        return under(p, dir) && !streq(p, dir);
}

static bool runtime_path(const char *p)
{
        return under(p, "/proc") || under(p, "/sys") || under(p, "/dev");
}

static const char *matching(char *const *v, const char *p, bool strict)
{
        for (char *const *e = v; e && *e; e++)
                if (strict ? strictly_under(p, *e) : under(p, *e))
                        return *e;
        return NULL;
}

static char *parent_of(const char *p)
{
        const char *slash = strrchr(p, '/');
        return slash == p ? xstrdup("/") : xstrndup(p, (size_t)(slash - p));
}

static void want(planner *pl, const char *raw, int flags)
{
        if (streq(raw, "/"))
                return;
        /* a directory the workload made itself: its parent is wanted by
         * its own create */
        if (flags == WANT_DIR && hashmap_get(pl->created, raw))
                return;
        intptr_t old = (intptr_t)hashmap_get(pl->wants, raw);
        if ((old | flags) != old)
                hashmap_put(pl->wants, raw, (void *)((old | flags) & ~(intptr_t)WANT_DONE));
}

static int collect_created(const trace_file_access *a, void *ud)
{
        planner *pl = ud;
        if (!streq(a->result, "ok") || !streq(a->kind, "create"))
                return 0;
        size_t len;
        _cleanup_free_ char *raw = trace_path_decode(a->path, &len);
        if (raw && raw[0] == '/')
                hashmap_put(pl->created, raw, (void *)1);
        return 0;
}

static int collect_wants(const trace_file_access *a, void *ud)
{
        static const char *const use_kinds[] = { "read", "exec", "mmap_exec", "lock", "stat", "list", "chdir" };
        static const char *const change_kinds[] = { "write", "append", "attr", "delete", "rename" };
        planner *pl = ud;
        if (!streq(a->result, "ok"))
                return 0;
        size_t len;
        _cleanup_free_ char *raw = trace_path_decode(a->path, &len);
        if (!raw || raw[0] != '/') {
                /* a checkout recorded with --workspace is not a path of the image */
                if (startswith(a->path, TRACE_WORKSPACE_VAR))
                        hashmap_put(pl->workspace, a->path, (void *)1);
                return 0;
        }
        bool created = hashmap_get(pl->created, raw);
        _cleanup_free_ char *parent = parent_of(raw);
        for (size_t i = 0; i < ELEMENTSOF(use_kinds); i++)
                if (streq(a->kind, use_kinds[i])) {
                        if (created)
                                want(pl, parent, WANT_DIR);
                        else
                                want(pl, raw,
                                     WANT_OBJ |
                                             (streq(a->kind, "exec") || streq(a->kind, "mmap_exec") ? WANT_EXEC : 0));
                        return 0;
                }
        for (size_t i = 0; i < ELEMENTSOF(change_kinds); i++)
                if (streq(a->kind, change_kinds[i])) {
                        if (a->file->stat.type && !created)
                                want(pl, raw, WANT_OBJ);
                        want(pl, parent, WANT_DIR);
                        return 0;
                }
        if (streq(a->kind, "create") || streq(a->kind, "link"))
                want(pl, parent, WANT_DIR);
        else if (streq(a->kind, "mount"))
                want(pl, raw, WANT_DIR);
        return 0;
}

static void note(hashmap *m, const char *path, const char *why)
{
        if (!hashmap_get(m, path))
                hashmap_put(m, path, xstrdup(why));
}

/* The components still to walk: a stack (the next one last). */
typedef struct comps {
        char **v;
        size_t n, cap;
} comps;

static void comps_push_path(comps *c, const char *path)
{
        /* pushed in reverse so that the first component is popped first */
        size_t len = strlen(path);
        size_t end = len;
        while (end > 0) {
                while (end > 0 && path[end - 1] == '/')
                        end--;
                size_t start = end;
                while (start > 0 && path[start - 1] != '/')
                        start--;
                if (end > start) {
                        if (c->n == c->cap) {
                                c->cap = c->cap ? 2 * c->cap : 16;
                                c->v = xrealloc(c->v, c->cap * sizeof *c->v);
                        }
                        c->v[c->n++] = xstrndup(path + start, end - start);
                }
                end = start;
        }
}

static void comps_free(comps *c)
{
        for (size_t i = 0; i < c->n; i++)
                free(c->v[i]);
        free(c->v);
}

typedef struct found {
        image_entry *v;
        size_t n, cap;
} found;

static void found_add(found *f, const char *path, image_stat *st)
{
        if (f->n == f->cap) {
                f->cap = f->cap ? 2 * f->cap : 8;
                f->v = xrealloc(f->v, f->cap * sizeof *f->v);
        }
        f->v[f->n++] = (image_entry){ .path = xstrdup(path), .st = *st };
        *st = (image_stat){ 0 };
}

static void found_free(found *f)
{
        for (size_t i = 0; i < f->n; i++) {
                free(f->v[i].path);
                image_stat_done(&f->v[i].st);
        }
        free(f->v);
        *f = (found){ 0 };
}

static void commit(planner *pl, found *f)
{
        for (size_t i = 0; i < f->n; i++) {
                if (hashmap_get(pl->entries, f->v[i].path)) {
                        free(f->v[i].path);
                        image_stat_done(&f->v[i].st);
                        continue;
                }
                image_entry *e = xmalloc(sizeof *e);
                *e = f->v[i];
                hashmap_put(pl->entries, e->path, e);
        }
        free(f->v);
        *f = (found){ 0 };
}

typedef enum outcome {
        RESOLVED,
        STOP_RUNTIME, /* reached /proc, /sys or /dev: the runtime's */
        STOP_SCRATCH, /* below a directory the container mounts over */
        EXCLUDED,
        MISSING,
} outcome;

/* A walk through the source: the components still to go, the real
 * directory reached ("" is the root), the entries met so far. */
typedef struct walk {
        comps c;
        strbuf cur;
        found f;
        int links;
        char *why;        /* MISSING: why (new) */
        const char *excl; /* EXCLUDED: the --exclude that matched */
} walk;

static void walk_missing(walk *w, const char *path, bool notdir)
{
        _cleanup_free_ char *q = trace_path_encode(path, strlen(path));
        w->why = xasprintf(notdir ? "%s: not a directory" : "%s is not in the source", q);
}

/* One component: 1 to go on, 0 when the walk ends (*ret_out says how), or
 * a negative errno when the source cannot be read. */
static int walk_step(planner *pl, walk *w, int flags, outcome *ret_out)
{
        _cleanup_free_ char *name = w->c.v[--w->c.n];
        if (streq(name, "."))
                return 1;
        if (streq(name, "..")) {
                char *slash = strrchr(strbuf_str(&w->cur), '/');
                if (slash)
                        w->cur.len = (size_t)(slash - w->cur.buf), w->cur.buf[w->cur.len] = '\0';
                return 1;
        }
        _cleanup_free_ char *cand = xasprintf("%s/%s", strbuf_str(&w->cur), name);
        if (runtime_path(cand))
                return *ret_out = STOP_RUNTIME, 0;
        if ((w->excl = matching(pl->o->exclude, cand, false)))
                return *ret_out = EXCLUDED, 0;
        if (matching(pl->o->scratch, cand, true))
                return *ret_out = STOP_SCRATCH, 0;
        image_stat st;
        int rc = image_source_lstat(pl->src, cand, &st);
        if (rc == -ENOENT || rc == -ENOTDIR) {
                walk_missing(w, cand, rc == -ENOTDIR);
                return *ret_out = MISSING, 0;
        }
        if (rc < 0) {
                _cleanup_free_ char *q = quote_for_message(cand);
                return mp_error_set(pl->err, rc, image_source_path(pl->src), "cannot read %s: %s", q, strerror(-rc));
        }
        if (st.type == IMAGE_SYMLINK) {
                if (++w->links > MAX_LINKS) {
                        image_stat_done(&st);
                        w->why = xstrdup("too many levels of symbolic links");
                        return *ret_out = MISSING, 0;
                }
                if (st.link[0] == '/')
                        strbuf_reset(&w->cur);
                comps_push_path(&w->c, st.link);
                found_add(&w->f, cand, &st);
                return 1;
        }
        if (st.type != IMAGE_DIR && w->c.n) {
                image_stat_done(&st);
                walk_missing(w, cand, true);
                return *ret_out = MISSING, 0;
        }
        /* the last component: the object itself only when it is wanted (a
         * socket is made by a server at run time; tar cannot hold it) */
        if (st.type == IMAGE_DIR || ((flags & WANT_OBJ) && st.type != IMAGE_SOCKET))
                found_add(&w->f, cand, &st);
        else
                image_stat_done(&st);
        strbuf_reset(&w->cur);
        strbuf_puts(&w->cur, cand);
        return 1;
}

/* Walk raw through the source as the container's kernel would, without
 * leaving the root. The entries met are committed when the walk ends
 * somewhere the image can hold; *ret_real is the real path reached. */
static int resolve(planner *pl, const char *raw, int flags, char **ret_real)
{
        walk w = { .cur = STRBUF_INIT };
        comps_push_path(&w.c, raw);
        outcome out = RESOLVED;
        int rc = 0;
        while (w.c.n && (rc = walk_step(pl, &w, flags, &out)) > 0)
                ;
        comps_free(&w.c);
        if (rc < 0) {
                found_free(&w.f);
                strbuf_free(&w.cur);
                free(w.why);
                return rc;
        }
        switch (out) {
        case RESOLVED:
        case STOP_RUNTIME: /* the links leading there (/etc/mtab -> ../proc/self/mounts) */
        case STOP_SCRATCH:
                commit(pl, &w.f);
                break;
        case EXCLUDED: {
                found_free(&w.f);
                _cleanup_free_ char *q = trace_path_encode(w.excl, strlen(w.excl));
                _cleanup_free_ char *why = xasprintf("--exclude %s", q);
                note(pl->excluded, raw, why);
                break;
        }
        case MISSING:
                found_free(&w.f);
                note(pl->missing, raw, w.why);
                break;
        }
        if (ret_real && out == RESOLVED)
                *ret_real = strbuf_steal(&w.cur);
        strbuf_free(&w.cur);
        free(w.why);
        return 0;
}

char *image_elf_interp(image_source *src, const char *path, const image_stat *st)
{
        image_content c;
        if (st->type != IMAGE_FILE || st->size < sizeof(Elf32_Ehdr) || image_source_open_content(src, path, st, &c) < 0)
                return NULL;
        char *interp = NULL;
        unsigned char eh[sizeof(Elf64_Ehdr)] = { 0 };
        ssize_t n = image_content_pread(&c, eh, sizeof eh, 0);
        if (n < (ssize_t)sizeof(Elf32_Ehdr) || memcmp(eh, ELFMAG, SELFMAG) != 0 || eh[EI_DATA] != ELFDATA2LSB)
                goto out;
        bool is64 = eh[EI_CLASS] == ELFCLASS64;
        uint64_t phoff;
        uint16_t phentsize, phnum;
        if (is64) {
                Elf64_Ehdr h;
                if (n < (ssize_t)sizeof h)
                        goto out;
                memcpy(&h, eh, sizeof h);
                phoff = h.e_phoff, phentsize = h.e_phentsize, phnum = h.e_phnum;
        } else if (eh[EI_CLASS] == ELFCLASS32) {
                Elf32_Ehdr h;
                memcpy(&h, eh, sizeof h);
                phoff = h.e_phoff, phentsize = h.e_phentsize, phnum = h.e_phnum;
        } else {
                goto out;
        }
        if (phentsize != (is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)))
                goto out;
        for (uint16_t i = 0; i < phnum; i++) {
                uint64_t type, off, size;
                if (is64) {
                        Elf64_Phdr ph;
                        if (image_content_pread(&c, &ph, sizeof ph, phoff + (uint64_t)i * sizeof ph) != sizeof ph)
                                goto out;
                        type = ph.p_type, off = ph.p_offset, size = ph.p_filesz;
                } else {
                        Elf32_Phdr ph;
                        if (image_content_pread(&c, &ph, sizeof ph, phoff + (uint64_t)i * sizeof ph) != sizeof ph)
                                goto out;
                        type = ph.p_type, off = ph.p_offset, size = ph.p_filesz;
                }
                if (type != PT_INTERP)
                        continue;
                if (size < 2 || size > PATH_MAX)
                        goto out;
                char buf[PATH_MAX + 1];
                if (image_content_pread(&c, buf, (size_t)size, off) != (ssize_t)size)
                        goto out;
                buf[size] = '\0';
                if (buf[0] == '/' && strlen(buf) == size - 1)
                        interp = xstrdup(buf);
                goto out;
        }
out:
        image_content_close(&c);
        return interp;
}

static int entry_cmp(const void *a, const void *b)
{
        return strcmp(((const image_entry *)a)->path, ((const image_entry *)b)->path);
}

static int note_cmp(const void *a, const void *b)
{
        return strcmp(((const image_note *)a)->path, ((const image_note *)b)->path);
}

static image_note *notes_sorted(hashmap *m, size_t *ret_n)
{
        size_t n = hashmap_size(m), i = 0, pos = 0;
        image_note *v = xcalloc(n + 1, sizeof *v);
        const char *k;
        void *val;
        while (hashmap_next(m, &pos, &k, &val))
                v[i++] = (image_note){ .path = xstrdup(k), .why = val };
        qsort(v, n, sizeof *v, note_cmp);
        *ret_n = n;
        return v;
}

static void add_synthetic(planner *pl, const char *path, uint32_t mode)
{
        if (hashmap_get(pl->entries, path))
                return;
        image_entry *e = xcalloc(1, sizeof *e);
        e->path = xstrdup(path);
        e->st = (image_stat){ .type = IMAGE_DIR, .mode = mode };
        e->synthetic = true;
        hashmap_put(pl->entries, e->path, e);
}

/* A mount point: the source's directory (and the links to it) when it
 * has one, else made, with any parents the image lacks. */
static int mount_point(planner *pl, const char *dir)
{
        _cleanup_free_ char *real = NULL;
        int rc = resolve(pl, dir, WANT_DIR, &real);
        if (rc < 0)
                return rc;
        free(hashmap_remove(pl->missing, dir)); /* made below instead */
        const image_entry *e = real ? hashmap_get(pl->entries, real) : NULL;
        if (e && e->st.type == IMAGE_DIR)
                return 0;
        if (real)
                return 0; /* something else is there: the runtime will say so */
        _cleanup_free_ char *p = xstrdup(dir);
        for (char *s = strchr(p + 1, '/');; s = strchr(s + 1, '/')) {
                if (s)
                        *s = '\0';
                const image_entry *x = hashmap_get(pl->entries, p);
                if (x && x->st.type != IMAGE_DIR)
                        return 0;
                bool tmp = streq(p, "/tmp") || streq(p, "/var/tmp");
                if (!x)
                        add_synthetic(pl, p, !s && tmp ? 01777 : 0755);
                if (!s)
                        break;
                *s = '/';
        }
        return 0;
}

static void planner_free(planner *pl)
{
        hashmap_free(pl->created, NULL);
        hashmap_free(pl->wants, NULL);
        hashmap_free(pl->missing, free);
        hashmap_free(pl->excluded, free);
        hashmap_free(pl->workspace, NULL);
}

static void entry_free(void *p)
{
        image_entry *e = p;
        free(e->path);
        image_stat_done(&e->st);
        free(e);
}

/* Resolve every wanted path not done yet (sorted, for stable notes);
 * returns how many were resolved. */
static int resolve_pending(planner *pl, size_t *ret_n)
{
        size_t n = hashmap_size(pl->wants), k = 0, pos = 0;
        _cleanup_free_ const char **keys = xcalloc(n + 1, sizeof *keys);
        const char *key;
        void *v;
        while (hashmap_next(pl->wants, &pos, &key, &v))
                if (!((intptr_t)v & WANT_DONE))
                        keys[k++] = key;
        qsort(keys, k, sizeof *keys, strcmp_ptr);
        for (size_t i = 0; i < k; i++) {
                int flags = (int)(intptr_t)hashmap_get(pl->wants, keys[i]);
                hashmap_put(pl->wants, keys[i], (void *)(intptr_t)(flags | WANT_DONE));
                _cleanup_free_ char *real = NULL;
                int rc = resolve(pl, keys[i], flags, &real);
                if (rc < 0)
                        return rc;
                const image_entry *e = real ? hashmap_get(pl->entries, real) : NULL;
                if (!(flags & WANT_EXEC) || !e || e->st.type != IMAGE_FILE)
                        continue;
                /* the dynamic loader the kernel maps for it */
                _cleanup_free_ char *interp = image_elf_interp(pl->src, real, &e->st);
                if (interp && !hashmap_get(pl->wants, interp))
                        hashmap_put(pl->wants, interp, (void *)(intptr_t)(WANT_OBJ | WANT_EXEC));
        }
        *ret_n = k;
        return 0;
}

int image_plan_build(const trace *t, image_source *src, const image_options *o, image_plan *ret, mp_error *err)
{
        static const image_options none = { 0 };
        planner pl = { .t = t,
                       .src = src,
                       .o = o ? o : &none,
                       .created = hashmap_new(),
                       .wants = hashmap_new(),
                       .entries = hashmap_new(),
                       .missing = hashmap_new(),
                       .excluded = hashmap_new(),
                       .workspace = hashmap_new(),
                       .err = err };
        trace_foreach_file_access(t, collect_created, &pl);
        trace_foreach_file_access(t, collect_wants, &pl);
        int rc = 0;
        for (size_t n = 1; n && rc == 0;)
                rc = resolve_pending(&pl, &n);
        for (char *const *s = pl.o->scratch; rc == 0 && s && *s; s++)
                if (!runtime_path(*s) && !matching(pl.o->exclude, *s, false))
                        rc = mount_point(&pl, *s);
        if (rc < 0) {
                hashmap_free(pl.entries, entry_free);
                planner_free(&pl);
                return rc;
        }
        add_synthetic(&pl, "/proc", 0555);
        add_synthetic(&pl, "/sys", 0555);
        add_synthetic(&pl, "/dev", 0755);

        image_plan p = { .n = hashmap_size(pl.entries), .workspace_paths = hashmap_size(pl.workspace) };
        p.entries = xcalloc(p.n + 1, sizeof *p.entries);
        size_t pos = 0, i = 0;
        const char *k;
        void *v;
        while (hashmap_next(pl.entries, &pos, &k, &v)) {
                image_entry *e = v;
                p.entries[i++] = *e;
                free(e);
        }
        hashmap_free(pl.entries, NULL);
        qsort(p.entries, p.n, sizeof *p.entries, entry_cmp);
        for (i = 0; i < p.n; i++) {
                const image_stat *st = &p.entries[i].st;
                if (st->type == IMAGE_DIR) {
                        p.totals.dirs++;
                        continue;
                }
                p.totals.files++;
                if (st->type == IMAGE_SYMLINK)
                        p.totals.symlinks++;
                if (st->type == IMAGE_FILE)
                        p.totals.bytes += st->size;
        }
        p.missing = notes_sorted(pl.missing, &p.nmissing);
        p.excluded = notes_sorted(pl.excluded, &p.nexcluded);
        hashmap_free(pl.missing, NULL);
        hashmap_free(pl.excluded, NULL);
        pl.missing = pl.excluded = NULL;
        planner_free(&pl);
        *ret = p;
        return 0;
}

static void notes_free(image_note *v, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(v[i].path);
                free(v[i].why);
        }
        free(v);
}

void image_plan_free(image_plan *p)
{
        if (!p)
                return;
        for (size_t i = 0; i < p->n; i++) {
                free(p->entries[i].path);
                image_stat_done(&p->entries[i].st);
        }
        free(p->entries);
        notes_free(p->missing, p->nmissing);
        notes_free(p->excluded, p->nexcluded);
        *p = (image_plan){ 0 };
}

const image_entry *image_plan_get(const image_plan *p, const char *path)
{
        size_t lo = 0, hi = p->n;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = strcmp(p->entries[mid].path, path);
                if (c == 0)
                        return &p->entries[mid];
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

int image_write_tar(const image_plan *p, image_source *src, int fd, uint8_t ret_sha256[32], uint64_t *ret_bytes,
                    mp_error *err)
{
        tar_writer w;
        tar_writer_init(&w, fd);
        const size_t bufsize = 1 << 16;
        _cleanup_free_ char *buf = xmalloc(bufsize);
        for (size_t i = 0; i < p->n; i++) {
                const image_entry *e = &p->entries[i];
                int rc = tar_write_header(&w, e->path, &e->st);
                if (rc < 0) {
                        _cleanup_free_ char *q = quote_for_message(e->path);
                        return mp_error_set(err, rc, q, "cannot write it to the archive: %s", strerror(-rc));
                }
                if (e->st.type != IMAGE_FILE || !e->st.size)
                        continue;
                image_content c = { .fd = -1 };
                rc = image_source_open_content(src, e->path, &e->st, &c);
                for (uint64_t off = 0; rc == 0 && off < e->st.size;) {
                        ssize_t n = image_content_pread(&c, buf, bufsize, off);
                        if (n <= 0) {
                                rc = n < 0 ? (int)n : -EBUSY;
                                break;
                        }
                        rc = tar_write_data(&w, buf, (size_t)n);
                        if (rc < 0) {
                                image_content_close(&c);
                                return mp_error_set(err, rc, "the archive", "cannot write: %s", strerror(-rc));
                        }
                        off += (uint64_t)n;
                }
                image_content_close(&c);
                if (rc < 0) {
                        _cleanup_free_ char *q = quote_for_message(e->path);
                        return mp_error_set(err, rc, image_source_path(src), "cannot copy %s: %s", q,
                                            rc == -EBUSY ? "it changed while the image was made" : strerror(-rc));
                }
        }
        int rc = tar_write_end(&w, ret_sha256, ret_bytes);
        if (rc < 0)
                return mp_error_set(err, rc, "the archive", "cannot write: %s", strerror(-rc));
        return 0;
}
