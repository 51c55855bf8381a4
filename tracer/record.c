/* SPDX-License-Identifier: MIT */
/* Aggregation of what the tracer sees. Hot facts (syscall counts, file
 * accesses) are kept in compact C structures and turned into the trace
 * model once, at the end; rare facts go straight into the model. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tracer/internal.h"
#include "common/strbuf.h"

const char *const access_kind_names[_AK_MAX] = {
        [AK_READ] = "read",     [AK_WRITE] = "write",         [AK_APPEND] = "append", [AK_CREATE] = "create",
        [AK_DELETE] = "delete", [AK_RENAME] = "rename",       [AK_LINK] = "link",     [AK_ATTR] = "attr",
        [AK_EXEC] = "exec",     [AK_MMAP_EXEC] = "mmap_exec", [AK_LOCK] = "lock",     [AK_LIST] = "list",
        [AK_STAT] = "stat",     [AK_CHDIR] = "chdir",         [AK_MOUNT] = "mount",
};

const char *const file_type_names[] = { "file", "dir", "symlink", "socket", "fifo", "char", "block" };

/* the S_IFMT of each of file_type_names */
static const mode_t file_type_modes[] = { S_IFREG, S_IFDIR, S_IFLNK, S_IFSOCK, S_IFIFO, S_IFCHR, S_IFBLK };

static int file_type_of(mode_t m)
{
        for (size_t i = 0; i < ELEMENTSOF(file_type_modes); i++)
                if ((m & S_IFMT) == file_type_modes[i])
                        return (int)i;
        return -1;
}

void rec_init(recorder *r)
{
        r->program_index = hashmap_new();
        r->errors = hashmap_new();
        r->files = hashmap_new();
        r->dir_cache = hashmap_new();
        r->stacks_seen = hashmap_new();
        r->tasks = intmap_new();
        r->procs = intmap_new();
        r->gone_early = intmap_new();
        r->main_status = -1;
        for (int a = 0; a < _TRACE_ABI_MAX; a++)
                for (int i = 0; i < SYSCALL_SLOTS; i++)
                        r->first[a][i] = -1;
}

static void file_rec_free(void *v)
{
        if (!v)
                return;
        file_rec *f = v;
        free(f->resolved);
        free(f->uses);
        json_decref(f->stack);
        free(f);
}

static void proc_free(void *v)
{
        proc *p = v;
        free(p->cwd);
        free(p->root);
        fd_cache_clear(p);
        free(p);
}

void rec_free(recorder *r)
{
        for (size_t i = 0; i < r->nprograms; i++) {
                free(r->programs[i]);
                for (int a = 0; a < _TRACE_ABI_MAX; a++)
                        free(r->pcounts[i].count[a]);
        }
        free(r->programs);
        free(r->pcounts);
        for (size_t i = 0; i < r->nsetuid; i++)
                free(r->setuid_programs[i]);
        free(r->setuid_programs);
        free(r->bpf_unused);
        hashmap_free(r->program_index, NULL);
        hashmap_free(r->errors, NULL);
        hashmap_free(r->baseline_stat, NULL);
        if (r->files)
                hashmap_free(r->files, file_rec_free);
        hashmap_free(r->dir_cache, free);
        uring_free_all(r);
        hashmap_free(r->stacks_seen, NULL);
        intmap_free(r->tasks, task_free);
        intmap_free(r->procs, proc_free);
        intmap_free(r->gone_early, NULL);
        free(r->pids);
        r->pids = NULL;
        free(r->entry_stops);
        r->entry_stops = NULL;
}

uint32_t rec_program(recorder *r, const char *path_encoded)
{
        void *v = hashmap_get(r->program_index, path_encoded);
        if (v)
                return (uint32_t)((uintptr_t)v - 1);
        if (r->nprograms == r->programs_cap) {
                r->programs_cap = r->programs_cap ? r->programs_cap * 2 : 16;
                r->programs = xrealloc(r->programs, r->programs_cap * sizeof *r->programs);
                r->pcounts = xrealloc(r->pcounts, r->programs_cap * sizeof *r->pcounts);
        }
        uint32_t idx = (uint32_t)r->nprograms++;
        r->programs[idx] = xstrdup(path_encoded);
        memset(&r->pcounts[idx], 0, sizeof r->pcounts[idx]);
        hashmap_put(r->program_index, path_encoded, (void *)(uintptr_t)(idx + 1));
        return idx;
}

const char *rec_program_name(recorder *r, uint32_t idx)
{
        return r->programs[idx];
}

const char *task_program(recorder *r, task *t)
{
        return r->programs[t->p->program];
}

static void capture_first_stack(recorder *r, task *t, const char *name)
{
        /* A stack at the first occurrence of each (syscall, program). */
        _cleanup_free_ char *key = xasprintf("%u/%d/%s", t->p->program, t->abi, name);
        if (hashmap_get(r->stacks_seen, key))
                return;
        hashmap_put(r->stacks_seen, key, (void *)1);
        json_t *stack = stacks_capture(r, t->tid);
        if (!stack)
                return;
        json_t *node = trace_node(r->t->root, "syscalls", trace_abi_name(t->abi), name, NULL);
        json_t *pe = trace_usage_add(node, task_program(r, t), 0, NULL);
        json_object_set_new(pe, "stack", stack);
}

static bool want_syscall_stack(recorder *r, task *t, const char *name)
{
        tracer_stack_query q = { .kind = TRACER_STACK_SYSCALL, .abi = t->abi, .name = name, .args = t->args };
        return r->opts->want_stack(&q, r->opts->want_stack_ud);
}

/* n more calls of a syscall by a program; returns how many there were */
static uint64_t program_calls_add(recorder *r, uint32_t program, trace_abi abi, int slot, uint64_t n)
{
        syscall_counts *pc = &r->pcounts[program];
        if (!pc->count[abi])
                pc->count[abi] = xcalloc(SYSCALL_SLOTS, sizeof(uint64_t));
        uint64_t had = pc->count[abi][slot];
        pc->count[abi][slot] += n;
        return had;
}

void rec_syscall(recorder *r, task *t)
{
        if (r->kc)
                kcount_seen(r->kc, t->abi, t->nr);
        const char *name = t->slot >= 0 ? sys_name(t->abi, t->nr) : NULL;
        if (!name) {
                /* A number libseccomp cannot name: kept by number, reported by
                 * the generator, never given a placeholder name. */
                char nr[24];
                snprintf(nr, sizeof nr, "%llu", (unsigned long long)t->nr);
                json_t *node = trace_node(r->t->root, "unknown_syscalls", trace_abi_name(t->abi), nr, NULL);
                trace_usage_add(node, task_program(r, t), 1, NULL);
                if (!json_object_get(node, "first"))
                        json_object_set_new(node, "first", json_string(task_program(r, t)));
                return;
        }
        bool first = program_calls_add(r, t->p->program, t->abi, t->slot, 1) == 0;
        if (r->stacks && (r->opts->want_stack ? want_syscall_stack(r, t, name) : first))
                capture_first_stack(r, t, name);
        if (r->first[t->abi][t->slot] < 0)
                r->first[t->abi][t->slot] = (int32_t)t->p->program;
}

static int normalize_err(int err)
{
        /* The kernel's restart codes show at the exit stop when a signal
         * interrupts; the program sees EINTR or a restarted call. */
        if (err >= 512 && err <= 516)
                return EINTR;
        return err;
}

static const char *result_name(int err)
{
        if (!err)
                return "ok";
        const char *n = errno_name(normalize_err(err));
        return n ? n : "EIO";
}

/* n more results of a syscall: success (err 0) or errno err */
static void results_add(recorder *r, trace_abi abi, int slot, int err, uint64_t n)
{
        if (!err) {
                r->ok[abi][slot] += n;
                return;
        }
        char key[64];
        snprintf(key, sizeof key, "%d/%d/%s", abi, slot, result_name(err));
        uintptr_t had = (uintptr_t)hashmap_get(r->errors, key);
        hashmap_put(r->errors, key, (void *)(had + n));
}

void rec_syscall_result(recorder *r, task *t, int64_t ret)
{
        if (t->slot < 0 || !sys_name(t->abi, t->nr))
                return;
        results_add(r, t->abi, t->slot, ret >= 0 || ret < -4095 ? 0 : (int)-ret, 1);
}

/* Calls of process p's program counted by the kernel (bpfrec.c's
 * tallies) after its first, which went through rec_syscall: `ok`
 * successes, errs[e] failures with errno e. */
void rec_syscall_tally(recorder *r, const proc *p, int nr, uint64_t ok, const uint32_t *errs, size_t nerrs)
{
        const trace_abi abi = TRACE_ABI_X86_64;
        if (nr < 0 || nr >= SYSCALL_SLOTS || !sys_name(abi, (uint64_t)nr))
                return;
        for (size_t e = 0; e < nerrs; e++) {
                uint64_t n = e ? errs[e] : ok;
                if (n) {
                        program_calls_add(r, p->program, abi, nr, n);
                        results_add(r, abi, nr, (int)e, n);
                }
        }
}

void rec_node_result(recorder *r, task *t, json_t *results_map, int err)
{
        json_t *u = trace_child(results_map, result_name(err));
        trace_usage_add(u, task_program(r, t), 1, NULL);
}

/* Returns whether the file had no use of this kind and result before. */
static bool file_use_add(file_rec *f, int kind, int err, uint32_t program)
{
        bool novel = true;
        for (uint32_t i = 0; i < f->nuses; i++) {
                file_use *u = &f->uses[i];
                if (u->kind == kind && u->err == err) {
                        novel = false;
                        if (u->program == program) {
                                u->count++;
                                return false;
                        }
                }
        }
        if (f->nuses == f->cap) {
                f->cap = f->cap ? f->cap * 2 : 2;
                f->uses = xrealloc(f->uses, f->cap * sizeof *f->uses);
        }
        f->uses[f->nuses++] = (file_use){ .kind = (uint8_t)kind, .err = (int16_t)err, .program = program, .count = 1 };
        return novel;
}

/* Look the object up: its resolved name (when an access follows the last
 * symlink, the object reached), and type, owner and mode from the first
 * lookup that finds it. */
static void file_stat(recorder *r, task *t, file_rec *f, const pending *pd)
{
        struct stat st;
        bool have = false;
        _cleanup_free_ char *raw = trace_path_decode(pd->path, NULL);
        if (!raw)
                return;
        char *res = resolve_final(r, t, raw, pd->nofollow, &st, &have);
        /* looked up and not there: a reported call whose object was
         * removed after it, before it was read, is described as the
         * kernel found it at the call */
        if (res && !have && call_overlay_attr(t->tid, &st))
                have = true;
        if (res) {
                if (!streq(res, raw) && (!f->resolved || !pd->nofollow)) {
                        free(f->resolved);
                        f->resolved = trace_path_encode(res, strlen(res));
                }
                free(res);
        }
        if (!pd->nofollow && have)
                f->followed = true;
        if (have && !f->have_stat) {
                f->have_stat = true;
                f->type = (int8_t)file_type_of(st.st_mode);
                f->uid = st.st_uid;
                f->cur_uid = st.st_uid;
                f->gid = st.st_gid;
                f->mode = st.st_mode & 07777;
        } else if (have && !pd->nofollow && f->have_stat && f->type == 2 && !f->have_target && !S_ISLNK(st.st_mode)) {
                /* the name was described as a link; what it leads to is the
                 * object the access used (its owner and mode decide) */
                f->have_target = true;
                f->ttype = (int8_t)file_type_of(st.st_mode);
                f->tuid = st.st_uid;
                f->tgid = st.st_gid;
                f->tmode = st.st_mode & 07777;
        }
}

static const char *use_result(const file_use *u);

static void refresh_owner(recorder *r, task *t, file_rec *f, const pending *pd)
{
        struct stat st;
        bool have = false;
        _cleanup_free_ char *raw = trace_path_decode(pd->path, NULL);
        if (!raw)
                return;
        free(resolve_final(r, t, raw, pd->nofollow, &st, &have));
        if (have)
                f->cur_uid = st.st_uid;
}

void rec_creds_changed(recorder *r, task *t, uint32_t old_fsuid)
{
        (void)old_fsuid;
        char dir[64];
        snprintf(dir, sizeof dir, "/proc/%d/fd", (int)t->tid);
        DIR *d = opendir(dir);
        if (!d)
                return;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                char link[PATH_MAX + 1];
                ssize_t n = readlinkat(dirfd(d), de->d_name, link, sizeof link - 1);
                if (n <= 0 || link[0] != '/')
                        continue;
                _cleanup_free_ char *enc = trace_path_encode(link, (size_t)n);
                file_rec *f = hashmap_get(r->files, enc);
                if (f && f->have_stat && f->cur_uid != t->p->cr.fsuid)
                        f->not_by_owner = true;
        }
        closedir(d);
}

/* Ask want_stack() about the kinds of an access new for the file. */
static bool want_file_stack(recorder *r, const char *path, const file_rec *f, uint32_t kinds, int err)
{
        file_use u = { .err = (int16_t)err };
        tracer_stack_query q = { .kind = TRACER_STACK_FILE,
                                 .path = path,
                                 .resolved = f->resolved,
                                 .type = f->type >= 0 ? file_type_names[f->type] : NULL,
                                 .result = use_result(&u),
                                 .by_owner = !f->not_by_owner };
        for (int k = 0; k < _AK_MAX; k++) {
                if (!(kinds & (1u << k)))
                        continue;
                q.access = access_kind_names[k];
                if (r->opts->want_stack(&q, r->opts->want_stack_ud))
                        return true;
        }
        return false;
}

/* A successful access that is not a removal looks its object up again
 * while the name is not described, or was described as the link an access
 * now follows. */
static bool redescribe(const file_rec *f, const pending *pd)
{
        return !f->have_stat || (!pd->nofollow && !f->followed && f->type == 2);
}

bool rec_file_looks_at_exit(recorder *r, const pending *pd)
{
        if (pd->kinds & (1u << AK_DELETE))
                return false; /* a new name is looked up, and gone, however late */
        const file_rec *f = hashmap_get(r->files, pd->path);
        return !f || (pd->kinds & (1u << AK_ATTR)) || redescribe(f, pd);
}

bool rec_file_attr(recorder *r, const char *enc_path, uint32_t *uid, uint32_t *gid, uint32_t *mode)
{
        const file_rec *f = hashmap_get(r->files, enc_path);
        if (!f || !f->have_stat || f->type < 0 || (size_t)f->type >= ELEMENTSOF(file_type_modes))
                return false;
        *uid = f->cur_uid;
        *gid = f->gid;
        *mode = file_type_modes[f->type] | f->mode;
        return true;
}

bool rec_file_created(recorder *r, const char *enc_path)
{
        const file_rec *f = hashmap_get(r->files, enc_path);
        for (uint32_t i = 0; f && i < f->nuses; i++)
                if (f->uses[i].kind == AK_CREATE && f->uses[i].err == 0)
                        return true;
        return false;
}

void rec_file(recorder *r, task *t, const pending *pd, int err)
{
        err = normalize_err(err);
        file_rec *f = hashmap_get(r->files, pd->path);
        bool is_new = !f;
        if (!f) {
                f = xcalloc(1, sizeof *f);
                f->type = -1;
                hashmap_put(r->files, pd->path, f);
        }
        /* Look the object up once (and again on the first success if it did
         * not exist before): its resolved name, type, owner and mode. */
        bool gone = (pd->kinds & (1u << AK_DELETE)) != 0;
        if (is_new || (err == 0 && !gone && redescribe(f, pd)))
                file_stat(r, t, f, pd);
        /* a reported call that found its object, which was gone (removed)
         * by the time it was read, and whose kernel report carried no
         * attributes (access, readlink, xattrs, statfs): said in the trace */
        if (!f->have_stat && err == 0 && !gone && call_overlay_ok(t->tid) && call_overlay_named(t->tid) &&
            !startswith(pd->path, "/proc/") && !startswith(pd->path, "/sys/"))
                r->gone_unknown++;
        if (f->type < 0 && pd->dir > 0)
                f->type = 1;
        if (f->have_stat && t->p->cr.valid && f->cur_uid != t->p->cr.fsuid)
                f->not_by_owner = true;
        /* a chown changes the owner the next accesses are compared with */
        if (err == 0 && !gone && f->have_stat && (pd->kinds & (1u << AK_ATTR)))
                refresh_owner(r, t, f, pd);
        if (err == 0 && pd->private_new && (pd->kinds & (1u << AK_CREATE)))
                f->private_new = true;
        uint32_t novel = 0;
        for (int k = 0; k < _AK_MAX; k++)
                if ((pd->kinds & (1u << k)) && file_use_add(f, k, err, t->p->program))
                        novel |= 1u << k;
        if (r->stacks && !f->stack && (r->opts->want_stack ? want_file_stack(r, pd->path, f, novel, err) : is_new))
                f->stack = stacks_capture(r, t->tid);
}

/* The files section, streamed: it is most of a trace, and as jansson
 * objects it would cost several kilobytes per path. The stream owns the
 * file table and a copy of the program names. */
typedef struct files_stream {
        hashmap *files;
        char **programs;
        size_t nprograms;
} files_stream;

static int cmp_use(const void *a, const void *b, void *ud)
{
        const file_use *x = a, *y = b;
        char **programs = ud;
        int c = strcmp(access_kind_names[x->kind], access_kind_names[y->kind]);
        if (c)
                return c;
        const char *ex = x->err ? errno_name(x->err) : "ok", *ey = y->err ? errno_name(y->err) : "ok";
        c = strcmp(ex ? ex : "EIO", ey ? ey : "EIO");
        if (c)
                return c;
        return strcmp(programs[x->program], programs[y->program]);
}

static const char *use_result(const file_use *u)
{
        if (!u->err)
                return "ok";
        const char *n = errno_name(u->err);
        return n ? n : "EIO";
}

static void files_write(void *ud, jsonw *w)
{
        files_stream *fs = ud;
        size_t n = hashmap_size(fs->files), i = 0, pos = 0;
        const char **paths = xcalloc(n + 1, sizeof *paths);
        const char *k;
        while (hashmap_next(fs->files, &pos, &k, NULL))
                paths[i++] = k;
        qsort(paths, n, sizeof *paths, strcmp_ptr);
        jsonw_object_begin(w);
        for (i = 0; i < n; i++) {
                file_rec *f = hashmap_get(fs->files, paths[i]);
                jsonw_key(w, paths[i]);
                jsonw_object_begin(w);
                /* members in sorted order: access, by_owner, gid, mode, private_new, resolved, stack, target, type,
                 * uid */
                jsonw_key(w, "access");
                jsonw_object_begin(w);
                qsort_r(f->uses, f->nuses, sizeof *f->uses, cmp_use, fs->programs);
                for (uint32_t u = 0; u < f->nuses;) {
                        uint8_t kind = f->uses[u].kind;
                        jsonw_key(w, access_kind_names[kind]);
                        jsonw_object_begin(w);
                        while (u < f->nuses && f->uses[u].kind == kind) {
                                const char *res = use_result(&f->uses[u]);
                                jsonw_key(w, res);
                                jsonw_object_begin(w);
                                jsonw_key(w, "programs");
                                jsonw_object_begin(w);
                                while (u < f->nuses && f->uses[u].kind == kind && streq(use_result(&f->uses[u]), res)) {
                                        jsonw_key(w, fs->programs[f->uses[u].program]);
                                        jsonw_object_begin(w);
                                        jsonw_key(w, "count");
                                        jsonw_int(w, (long long)f->uses[u].count);
                                        jsonw_object_end(w);
                                        u++;
                                }
                                jsonw_object_end(w);
                                jsonw_object_end(w);
                        }
                        jsonw_object_end(w);
                }
                jsonw_object_end(w);
                if (f->have_stat) {
                        jsonw_key(w, "by_owner");
                        jsonw_bool(w, !f->not_by_owner);
                        jsonw_key(w, "gid");
                        jsonw_int(w, f->gid);
                        jsonw_key(w, "mode");
                        jsonw_int(w, f->mode);
                }
                if (f->private_new) {
                        jsonw_key(w, "private_new");
                        jsonw_bool(w, true);
                }
                if (f->resolved) {
                        jsonw_key(w, "resolved");
                        jsonw_string(w, f->resolved);
                }
                if (f->stack) {
                        jsonw_key(w, "stack");
                        jsonw_value(w, f->stack);
                }
                if (f->have_target) {
                        jsonw_key(w, "target");
                        jsonw_object_begin(w);
                        jsonw_key(w, "gid");
                        jsonw_int(w, f->tgid);
                        jsonw_key(w, "mode");
                        jsonw_int(w, f->tmode);
                        jsonw_key(w, "type");
                        jsonw_string(w, file_type_names[f->ttype]);
                        jsonw_key(w, "uid");
                        jsonw_int(w, f->tuid);
                        jsonw_object_end(w);
                }
                if (f->type >= 0) {
                        jsonw_key(w, "type");
                        jsonw_string(w, file_type_names[f->type]);
                }
                if (f->have_stat) {
                        jsonw_key(w, "uid");
                        jsonw_int(w, f->uid);
                }
                jsonw_object_end(w);
        }
        jsonw_object_end(w);
        free(paths);
}

static json_t *files_materialize(void *ud)
{
        files_stream *fs = ud;
        json_t *files = json_object();
        size_t pos = 0;
        const char *path;
        void *v;
        while (hashmap_next(fs->files, &pos, &path, &v)) {
                file_rec *f = v;
                json_t *node = trace_child(files, path);
                if (f->type >= 0)
                        json_object_set_new(node, "type", json_string(file_type_names[f->type]));
                if (f->have_stat) {
                        json_object_set_new(node, "uid", json_integer(f->uid));
                        json_object_set_new(node, "gid", json_integer(f->gid));
                        json_object_set_new(node, "mode", json_integer(f->mode));
                        json_object_set_new(node, "by_owner", json_boolean(!f->not_by_owner));
                }
                if (f->private_new)
                        json_object_set_new(node, "private_new", json_true());
                if (f->resolved)
                        json_object_set_new(node, "resolved", json_string(f->resolved));
                if (f->stack)
                        json_object_set(node, "stack", f->stack);
                if (f->have_target)
                        json_object_set_new(node, "target",
                                            json_pack("{s:I,s:I,s:s,s:I}", "gid", (json_int_t)f->tgid, "mode",
                                                      (json_int_t)f->tmode, "type", file_type_names[f->ttype], "uid",
                                                      (json_int_t)f->tuid));
                json_t *access = trace_child(node, "access");
                for (uint32_t i = 0; i < f->nuses; i++) {
                        file_use *u = &f->uses[i];
                        json_t *res = trace_node(access, access_kind_names[u->kind], use_result(u), NULL);
                        trace_usage_add(res, fs->programs[u->program], (json_int_t)u->count, NULL);
                }
        }
        return files;
}

static void file_rec_free(void *v);

static int kind_index(const char *name)
{
        for (int k = 0; k < _AK_MAX; k++)
                if (streq(access_kind_names[k], name))
                        return k;
        return -1;
}

static int type_index(const char *name)
{
        for (int i = 0; i < 7; i++)
                if (streq(file_type_names[i], name))
                        return i;
        return -1;
}

static uint32_t stream_program(files_stream *fs, hashmap *index, const char *name)
{
        void *v = hashmap_get(index, name);
        if (v)
                return (uint32_t)((uintptr_t)v - 1);
        fs->programs = xrealloc(fs->programs, (fs->nprograms + 2) * sizeof *fs->programs);
        fs->programs[fs->nprograms] = xstrdup(name);
        fs->programs[fs->nprograms + 1] = NULL;
        hashmap_put(index, name, (void *)(uintptr_t)(fs->nprograms + 1));
        return (uint32_t)fs->nprograms++;
}

/* trace_merge's rules, applied to one file node from a tree: counts summed,
 * numbers maxed, strings the byte-order-first, by_owner and-ed, private_new
 * or-ed, stacks the byte-order-first serialisation. */
static void files_merge(void *ud, json_t *files)
{
        files_stream *fs = ud;
        hashmap *index = hashmap_new();
        for (size_t i = 0; i < fs->nprograms; i++)
                hashmap_put(index, fs->programs[i], (void *)(uintptr_t)(i + 1));
        const char *path;
        json_t *node;
        json_object_foreach (files, path, node) {
                file_rec *f = hashmap_get(fs->files, path);
                if (!f) {
                        f = xcalloc(1, sizeof *f);
                        f->type = -1;
                        hashmap_put(fs->files, path, f);
                }
                const char *type = json_string_value(json_object_get(node, "type"));
                if (type && (f->type < 0 || strcmp(type, file_type_names[f->type]) < 0))
                        f->type = (int8_t)type_index(type);
                json_t *uid = json_object_get(node, "uid"), *gid = json_object_get(node, "gid"),
                       *mode = json_object_get(node, "mode"), *owner = json_object_get(node, "by_owner");
                if (uid || gid || mode || owner) {
                        /* in a recorded trace they come together; keep the rules per member anyway */
                        if (uid && (!f->have_stat || (uint32_t)json_integer_value(uid) > f->uid))
                                f->uid = (uint32_t)json_integer_value(uid);
                        if (gid && (!f->have_stat || (uint32_t)json_integer_value(gid) > f->gid))
                                f->gid = (uint32_t)json_integer_value(gid);
                        if (mode && (!f->have_stat || (uint32_t)json_integer_value(mode) > f->mode))
                                f->mode = (uint32_t)json_integer_value(mode);
                        if (owner && json_is_false(owner))
                                f->not_by_owner = true;
                        f->have_stat = true;
                }
                if (json_is_true(json_object_get(node, "private_new")))
                        f->private_new = true;
                json_t *target = json_object_get(node, "target");
                if (target) {
                        /* the merge rules of trace_merge: numbers maxed, strings the smallest */
                        uint32_t tu = (uint32_t)json_integer_value(json_object_get(target, "uid")),
                                 tg = (uint32_t)json_integer_value(json_object_get(target, "gid")),
                                 tm = (uint32_t)json_integer_value(json_object_get(target, "mode"));
                        const char *tt = json_string_value(json_object_get(target, "type"));
                        int ti = tt ? type_index(tt) : -1;
                        if (!f->have_target) {
                                f->have_target = true;
                                f->tuid = tu;
                                f->tgid = tg;
                                f->tmode = tm;
                                f->ttype = (int8_t)(ti < 0 ? 0 : ti);
                        } else {
                                f->tuid = tu > f->tuid ? tu : f->tuid;
                                f->tgid = tg > f->tgid ? tg : f->tgid;
                                f->tmode = tm > f->tmode ? tm : f->tmode;
                                if (ti >= 0 && strcmp(file_type_names[ti], file_type_names[f->ttype]) < 0)
                                        f->ttype = (int8_t)ti;
                        }
                }
                const char *res = json_string_value(json_object_get(node, "resolved"));
                if (res && (!f->resolved || strcmp(res, f->resolved) < 0)) {
                        free(f->resolved);
                        f->resolved = xstrdup(res);
                }
                json_t *stack = json_object_get(node, "stack");
                if (stack) {
                        bool take = !f->stack;
                        if (!take) {
                                _cleanup_free_ char *a = trace_json_canonical(f->stack),
                                                    *b = trace_json_canonical(stack);
                                take = strcmp(b, a) < 0;
                        }
                        if (take) {
                                json_decref(f->stack);
                                f->stack = json_deep_copy(stack);
                        }
                }
                const char *kind;
                json_t *results;
                json_object_foreach (json_object_get(node, "access"), kind, results) {
                        int k = kind_index(kind);
                        if (k < 0)
                                continue;
                        const char *result;
                        json_t *usage;
                        json_object_foreach (results, result, usage) {
                                int err = streq(result, "ok") ? 0 : errno_from_name(result);
                                if (err < 0)
                                        err = EIO;
                                const char *prog;
                                json_t *pe;
                                json_object_foreach (json_object_get(usage, "programs"), prog, pe) {
                                        uint32_t p = stream_program(fs, index, prog);
                                        uint64_t n = (uint64_t)json_integer_value(json_object_get(pe, "count"));
                                        file_use *u = NULL;
                                        for (uint32_t i = 0; i < f->nuses; i++)
                                                if (f->uses[i].kind == k && f->uses[i].err == err &&
                                                    f->uses[i].program == p)
                                                        u = &f->uses[i];
                                        if (u) {
                                                u->count += n;
                                                continue;
                                        }
                                        if (f->nuses == f->cap) {
                                                f->cap = f->cap ? f->cap * 2 : 2;
                                                f->uses = xrealloc(f->uses, f->cap * sizeof *f->uses);
                                        }
                                        f->uses[f->nuses++] = (file_use){
                                                .kind = (uint8_t)k, .err = (int16_t)err, .program = p, .count = n
                                        };
                                }
                        }
                }
        }
        hashmap_free(index, NULL);
}

static size_t files_size(void *ud)
{
        return hashmap_size(((files_stream *)ud)->files);
}

static void files_free(void *ud)
{
        files_stream *fs = ud;
        hashmap_free(fs->files, file_rec_free);
        for (size_t i = 0; i < fs->nprograms; i++)
                free(fs->programs[i]);
        free(fs->programs);
        free(fs);
}

static void emit_files(recorder *r)
{
        files_stream *fs = xcalloc(1, sizeof *fs);
        fs->files = steal_pointer(&r->files);
        fs->nprograms = r->nprograms;
        fs->programs = xcalloc(r->nprograms + 1, sizeof *fs->programs);
        for (size_t i = 0; i < r->nprograms; i++)
                fs->programs[i] = xstrdup(r->programs[i]);
        trace_stream *s = xcalloc(1, sizeof *s);
        *s = (trace_stream){ .key = "files",
                             .write = files_write,
                             .materialize = files_materialize,
                             .size = files_size,
                             .merge = files_merge,
                             .free = files_free,
                             .ud = fs };
        trace_set_stream(r->t, s);
}

static void emit_syscalls(recorder *r)
{
        json_t *sys = trace_child(r->t->root, "syscalls");
        for (int a = 0; a < _TRACE_ABI_MAX; a++) {
                for (int s = 0; s < SYSCALL_SLOTS; s++) {
                        if (r->first[a][s] < 0)
                                continue;
                        const char *name = sys_name(a, (uint64_t)s);
                        if (!name)
                                continue;
                        json_t *node = trace_node(sys, trace_abi_name(a), name, NULL);
                        for (size_t p = 0; p < r->nprograms; p++) {
                                uint64_t *c = r->pcounts[p].count[a];
                                if (c && c[s])
                                        trace_usage_add(node, r->programs[p], (json_int_t)c[s], NULL);
                        }
                        json_object_set_new(node, "first", json_string(r->programs[r->first[a][s]]));
                        if (r->ok[a][s])
                                trace_counter_add(trace_child(node, "results"), "ok", (json_int_t)r->ok[a][s]);
                }
        }
        size_t pos = 0;
        const char *key;
        void *v;
        while (hashmap_next(r->errors, &pos, &key, &v)) {
                int a, s;
                char errname[32];
                if (sscanf(key, "%d/%d/%31s", &a, &s, errname) != 3)
                        continue;
                const char *name = sys_name(a, (uint64_t)s);
                if (!name)
                        continue;
                json_t *node = trace_node(sys, trace_abi_name(a), name, "results", NULL);
                trace_counter_add(node, errname, (json_int_t)(uintptr_t)v);
        }
}

void rec_finish(recorder *r)
{
        emit_syscalls(r);
        emit_files(r);
        json_t *res = trace_child(r->t->root, "resources");
        trace_counter_max(res, "max_processes", r->max_procs);
        trace_counter_max(res, "max_threads", r->max_tasks);
        trace_counter_add(res, "processes", (json_int_t)r->processes);
        if (r->sum_rss_kib_peak)
                trace_counter_max(res, "sum_rss_kib", (json_int_t)r->sum_rss_kib_peak);
        if (r->max_fds)
                trace_counter_max(res, "max_fds", r->max_fds);
}

pending *pend_add(task *t, pend_type type)
{
        if (t->npend >= MAX_PENDING)
                return NULL;
        pending *p = &t->pend[t->npend++];
        memset(p, 0, sizeof *p);
        p->type = type;
        p->file_type = -1;
        return p;
}

void pend_forget(task *t, const char *enc_path, bool all)
{
        pending *p = pend_add(t, PEND_FORGET);
        if (!p)
                return;
        p->all = all || !enc_path;
        p->path = enc_path ? xstrdup(enc_path) : NULL;
}

void pend_clear(task *t)
{
        for (int i = 0; i < t->npend; i++) {
                free(t->pend[i].path);
                if (t->pend[i].type == PEND_CAP)
                        json_decref(t->pend[i].node); /* owned: see caps_exit */
                if (t->pend[i].type == PEND_URING_ENTER)
                        uring_batch_free(t->pend[i].uring);
        }
        t->npend = 0;
}

const char *pend_exec_path(const task *t)
{
        const char *path = NULL;
        for (int i = 0; i < t->npend; i++)
                if (t->pend[i].type == PEND_FILE && (t->pend[i].kinds & (1u << AK_EXEC)))
                        path = t->pend[i].path;
        return path;
}

void task_free(void *t)
{
        if (!t)
                return;
        pend_clear(t);
        free(t);
}
