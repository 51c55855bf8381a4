/* SPDX-License-Identifier: MIT OR GPL-2.0 */
/* The in-kernel half of the eBPF recorder (tracer/bpfrec.c): syscalls that
 * the seccomp filter lets run without a stop are reported here instead,
 * with the arguments and a path string read at entry and the result at
 * exit, into a ring buffer the tracer reads. Only tasks of traced
 * processes (the `traced` map, kept by the tracer), only native x86_64
 * calls (the code segment says the ABI; i386 calls of the same number
 * stop as before), and only the calls and argument values `config` names,
 * which mirror the seccomp filter's allow rules exactly (bpfrec.c builds
 * both from one table).
 *
 * It also counts the hot calls (kcount.c) that neither stop nor are
 * reported: per-CPU counts per entry of `hot`.
 *
 * Built with clang -target bpf into an object embedded in the recorder.
 * Dual licensed: bpf_probe_read_user_str is a GPL-only helper. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "tracer/bpf/record.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* The kernel's struct pt_regs on x86_64 (its layout is user ABI:
 * asm/ptrace.h), as the raw sys_enter/sys_exit tracepoints pass it. */
struct regs {
        unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};

#define USER_CS_64 0x33

struct {
        __uint(type, BPF_MAP_TYPE_ARRAY);
        __uint(max_entries, BPFREC_NR_MAX);
        __type(key, __u32);
        __type(value, struct bpfrec_cfg);
} config SEC(".maps");

struct {
        __uint(type, BPF_MAP_TYPE_ARRAY);
        __uint(max_entries, BPFREC_TRACED_WORDS);
        __type(key, __u32); /* tgid / 32 */
        __type(value, __u64);
} traced SEC(".maps");

struct {
        __uint(type, BPF_MAP_TYPE_HASH);
        __uint(max_entries, 65536);
        __uint(map_flags, BPF_F_NO_PREALLOC);
        __type(key, __u32); /* tid with a reported call in flight */
        __type(value, struct bpfrec_flight);
} flight SEC(".maps");

struct {
        __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
        __uint(max_entries, 1);
        __type(key, __u32);
        __type(value, struct bpfrec_exit);
} scratch SEC(".maps");

struct {
        __uint(type, BPF_MAP_TYPE_ARRAY);
        __uint(max_entries, 1);
        __type(key, __u32);
        __type(value, __u64);
} lost SEC(".maps"); /* events lost */

struct {
        __uint(type, BPF_MAP_TYPE_ARRAY);
        __uint(max_entries, 1);
        __type(key, __u32);
        __type(value, struct bpfrec_koffs);
} koffs SEC(".maps");

/* An fd's path is built backwards in buf, one name at a time read into
 * name; where the walk is (a map value, not the stack: the verifier keeps
 * no bounds of it, so each step verifies once instead of once per value of
 * pos it could tell apart). */
struct walk {
        char buf[BPFREC_PATH_MAX + BPFREC_PATH_NAME];
        char name[BPFREC_PATH_NAME];
        struct bpfrec_fdpath rec;
        __u64 dentry, vfsmnt, mnt, root_dentry, root_mnt;
        __s64 pos, done;
};

struct {
        __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
        __uint(max_entries, 1);
        __type(key, __u32);
        __type(value, struct walk);
} walks SEC(".maps");

/* Counted calls (kcount.c's table): each entry's condition, and the
 * per-CPU counts. */
struct {
        __uint(type, BPF_MAP_TYPE_ARRAY);
        __uint(max_entries, BPFREC_HOT_MAX);
        __type(key, __u32);
        __type(value, struct bpfrec_cond);
} hot SEC(".maps");

struct {
        __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
        __uint(max_entries, BPFREC_HOT_MAX);
        __type(key, __u32);
        __type(value, __u64);
} counts SEC(".maps");

/* The tallies of calls counted per process and result (record.h), and a
 * zeroed value to start one from (a value is too big for the stack). */
struct {
        __uint(type, BPF_MAP_TYPE_HASH);
        __uint(max_entries, BPFREC_TALLY_MAX);
        __uint(map_flags, BPF_F_NO_PREALLOC);
        __type(key, struct bpfrec_tally_key);
        __type(value, struct bpfrec_tally);
} tallies SEC(".maps");

struct {
        __uint(type, BPF_MAP_TYPE_ARRAY);
        __uint(max_entries, 1);
        __type(key, __u32);
        __type(value, struct bpfrec_tally);
} tally_zero SEC(".maps");

struct {
        __uint(type, BPF_MAP_TYPE_ARRAY);
        __uint(max_entries, 1);
        __type(key, __u32);
        __type(value, __u32);
} tally_errs SEC(".maps"); /* errno values counted: below this (BPFREC_TALLY_ERRS; tests: fewer) */

struct {
        __uint(type, BPF_MAP_TYPE_RINGBUF);
        __uint(max_entries, BPFREC_RING_BYTES);
} ring SEC(".maps");

static __always_inline void count_lost(void)
{
        __u32 k = 0;
        __u64 *n = bpf_map_lookup_elem(&lost, &k);
        if (n)
                __sync_fetch_and_add(n, 1);
}

/* Write an event; wake the tracer only when the buffer fills up, hold the
 * task back when it is fuller still (record.h). */
static __always_inline int emit(void *data, __u64 size, int may_stop)
{
        __u64 avail = bpf_ringbuf_query(&ring, BPF_RB_AVAIL_DATA);
        /* one wakeup each time another BPFREC_RING_WAKE bytes are waiting */
        __u64 flags =
                (avail + size) / BPFREC_RING_WAKE != avail / BPFREC_RING_WAKE ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
        if (bpf_ringbuf_output(&ring, data, size, flags) < 0) {
                count_lost();
                return 0;
        }
        if (may_stop && avail > BPFREC_RING_HIGH)
                bpf_send_signal_thread(BPFREC_SIGSTOP);
        return 1;
}

/* How the process tgid is traced: 0 (not), BPFREC_TRACED, BPFREC_TRACED_EXEC. */
static __always_inline __u32 traced_as(__u32 tgid)
{
        __u32 word = tgid / 32;
        __u64 *w = bpf_map_lookup_elem(&traced, &word);
        return w ? (__u32)(*w >> (tgid % 32 * 2)) & 3 : 0;
}

static __always_inline int holds(const struct bpfrec_cond *c, const __u64 *a)
{
        if (c->arg < 0 || c->arg > 5)
                return 1;
        return (a[c->arg & 7] & c->mask) == c->val;
}

SEC("raw_tracepoint/sys_enter")
int bpfrec_enter(struct bpf_raw_tracepoint_args *ctx)
{
        __u64 id = ctx->args[1];
        if (id >= BPFREC_NR_MAX)
                return 0;
        __u32 nr = (__u32)id;
        struct bpfrec_cfg *cfg = bpf_map_lookup_elem(&config, &nr);
        if (!cfg || (!cfg->on && !cfg->hot_n))
                return 0;
        __u64 pt = bpf_get_current_pid_tgid();
        __u32 tgid = pt >> 32, tid = (__u32)pt;
        __u32 as = traced_as(tgid);
        if (!as || (as == BPFREC_TRACED_EXEC && nr != BPFREC_NR_EXECVE))
                return 0;
        /* the registers from r11 to flags in one read (8 reads cost a third
         * of this program's time on a hot call) */
        struct {
                unsigned long r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip, cs, flags;
        } g = { 0 };
        bpf_probe_read_kernel(&g, sizeof g, (char *)ctx->args[0] + offsetof(struct regs, r11));
        if (g.cs != USER_CS_64)
                return 0; /* a 32-bit program: i386 numbers */
        /* int $0x80 from 64-bit code is an i386 call too, with the same code
         * segment. The `syscall` instruction leaves the return address in
         * rcx and the flags in r11, and the kernel's entry saves both as
         * they are; int $0x80 leaves them to the program. */
        if (g.cx != g.ip || g.r11 != g.flags)
                return 0;
        __u64 a[8] = { g.di, g.si, g.dx, g.r10, g.r8, g.r9, 0, 0 };
        for (int k = 0; k < BPFREC_HOT_PER; k++) {
                if (k >= cfg->hot_n)
                        break;
                __u32 i = cfg->hot_first + k;
                struct bpfrec_cond *h = bpf_map_lookup_elem(&hot, &i);
                if (h && holds(h, a)) {
                        __u64 *n = bpf_map_lookup_elem(&counts, &i);
                        if (n)
                                *n += 1;
                }
        }
        if (!(((cfg->on & 1) && holds(&cfg->cond[0], a) && holds(&cfg->cond[1], a)) ||
              ((cfg->on & 2) && holds(&cfg->cond[2], a) && holds(&cfg->cond[3], a))))
                return 0;
        struct bpfrec_tally_key tk = { .tgid = tgid, .nr = nr };
        if (cfg->tally && bpf_map_lookup_elem(&tallies, &tk)) {
                /* not the process's first: counted at the exit */
                struct bpfrec_flight f = { .nr = nr, .str_arg = -1, .fd = BPFREC_NO_FD, .tally = 1 };
                bpf_map_update_elem(&flight, &tid, &f, BPF_ANY);
                return 0;
        }
        struct bpfrec_enter e = { .type = BPFREC_ENTER, .tid = tid, .nr = nr };
        for (int i = 0; i < 6; i++)
                e.args[i] = a[i];
        if (emit(&e, sizeof e, 0) && cfg->tally) {
                /* the process's first, reported: the tracer knows the
                 * tally from it (and when it could not be, none is made) */
                __u32 zero = 0;
                struct bpfrec_tally *z = bpf_map_lookup_elem(&tally_zero, &zero);
                if (z)
                        bpf_map_update_elem(&tallies, &tk, z, BPF_NOEXIST);
        }
        struct bpfrec_flight f = { .nr = nr, .str_arg = cfg->str_arg, .fd = BPFREC_NO_FD, .stat_fmt = cfg->stat_fmt };
        if (cfg->fd_arg >= 0 && cfg->fd_arg <= 5)
                f.fd = (__s32)a[cfg->fd_arg & 7];
        if (cfg->stat_arg >= 0 && cfg->stat_arg <= 5)
                f.stat_buf = a[cfg->stat_arg & 7];
        if (cfg->str_arg >= 0 && cfg->str_arg <= 5) {
                f.str = a[cfg->str_arg & 7];
                f.str_fmt = cfg->str_fmt;
                f.str_size = (__u32)a[(cfg->str_arg + 1) & 7]; /* (BPFREC_SIZED: the next argument) */
        }
        bpf_map_update_elem(&flight, &tid, &f, BPF_ANY);
        return 0;
}

static __always_inline char *kptr(char *base, __u32 off)
{
        char *p = 0;
        if (!base || bpf_probe_read_kernel(&p, sizeof p, base + off) < 0)
                return 0;
        return p;
}

/* The struct file behind the current task's fd, or 0. */
static __always_inline char *fd_file(struct bpfrec_koffs *o, char *task, unsigned long fd)
{
        char *fdt = kptr(kptr(task, o->task_files), o->files_fdt);
        unsigned int max = 0;
        if (!fdt || bpf_probe_read_kernel(&max, sizeof max, fdt + o->fdt_max_fds) < 0 || fd >= max)
                return 0;
        char **fds = (char **)kptr(fdt, o->fdt_fd), *file = 0;
        if (!fds || bpf_probe_read_kernel(&file, sizeof file, &fds[fd]) < 0)
                return 0;
        return file;
}

/* The type, owner and mode of a file's inode: BPFREC_X_ATTR when read, and
 * not for a file without a name (removed, O_TMPFILE: a lookup by name
 * finds nothing, as at a stop). */
static __always_inline __u32 inode_attr(struct bpfrec_koffs *o, char *file, struct bpfrec_exit *x)
{
        char *inode = kptr(file, o->file_f_inode);
        __u16 imode = 0;
        unsigned int nlink = 0;
        if (!inode || bpf_probe_read_kernel(&nlink, sizeof nlink, inode + o->inode_i_nlink) < 0 || !nlink ||
            bpf_probe_read_kernel(&imode, sizeof imode, inode + o->inode_i_mode) < 0 ||
            bpf_probe_read_kernel(&x->uid, sizeof x->uid, inode + o->inode_i_uid) < 0 ||
            bpf_probe_read_kernel(&x->gid, sizeof x->gid, inode + o->inode_i_gid) < 0)
                return 0;
        x->mode = imode;
        return BPFREC_X_ATTR;
}

/* What the kernel knows of the object of a call whose fd argument or
 * result is that object: for an open (BPFREC_NEW_FD), whether it created its
 * file (BPFREC_X_OPEN, BPFREC_X_CREATED), and its inode's type, owner and
 * mode. One copy of the lookups for both kinds (the verifier checks each
 * copy in every path that reaches it). */
static __always_inline __u32 fd_object(struct bpfrec_koffs *o, const struct bpfrec_flight *f, __s64 ret,
                                       struct bpfrec_exit *x)
{
        int open = f->stat_fmt == BPFREC_NEW_FD;
        unsigned long fd = open ? (unsigned long)ret : f->stat_buf;
        char *file = fd_file(o, (char *)bpf_get_current_task(), fd);
        if (!file)
                return 0;
        __u32 flags = 0;
        if (open) {
                unsigned int mode = 0;
                if (bpf_probe_read_kernel(&mode, sizeof mode, file + o->file_f_mode) < 0)
                        return 0;
                flags = BPFREC_X_OPEN | ((mode & o->created) ? BPFREC_X_CREATED : 0);
        }
        return flags | inode_attr(o, file, x);
}

/* What a successful stat call returned (struct stat or struct statx, user
 * ABI), read back from the caller's memory: BPFREC_X_ATTR when read. */
static __always_inline __u32 stat_flags(const struct bpfrec_flight *f, struct bpfrec_exit *x)
{
        __u32 v[3] = { 0 };
        if (f->stat_fmt == BPFREC_STAT) {
                /* st_mode, st_uid, st_gid after st_dev, st_ino, st_nlink */
                if (bpf_probe_read_user(v, sizeof v, (const void *)(f->stat_buf + 24)) < 0)
                        return 0;
                x->mode = v[0];
                x->uid = v[1];
                x->gid = v[2];
                return BPFREC_X_ATTR;
        }
        if (f->stat_fmt == BPFREC_STATX) {
                /* stx_mask; stx_uid, stx_gid, then the 16-bit stx_mode */
                __u32 mask = 0;
                __u16 mode = 0;
                if (bpf_probe_read_user(&mask, sizeof mask, (const void *)f->stat_buf) < 0 ||
                    bpf_probe_read_user(v, 2 * sizeof v[0], (const void *)(f->stat_buf + 20)) < 0 ||
                    bpf_probe_read_user(&mode, sizeof mode, (const void *)(f->stat_buf + 28)) < 0)
                        return 0;
                /* STATX_TYPE | STATX_MODE | STATX_UID | STATX_GID */
                if ((mask & 0x1b) != 0x1b)
                        return 0;
                x->mode = mode;
                x->uid = v[0];
                x->gid = v[1];
                return BPFREC_X_ATTR;
        }
        return 0;
}

struct walk_state {
        struct bpfrec_koffs *o;
        struct walk *w;
};

/* One step up from st->dentry (bpf_loop's callback: 1 stops). */
static long walk_step(__u32 i, void *ctx)
{
        struct walk_state *st = ctx;
        struct bpfrec_koffs *o = st->o;
        struct walk *w = st->w;
        char *dentry = (char *)w->dentry, *mnt = (char *)w->mnt;
        if (w->dentry == w->root_dentry && w->vfsmnt == w->root_mnt) {
                w->done = 1;
                return 1;
        }
        if (dentry == kptr((char *)w->vfsmnt, o->vfsmount_mnt_root)) {
                char *parent = kptr(mnt, o->mount_mnt_parent);
                if (!parent || parent == mnt) {
                        w->done = 1; /* a mount not under the root: from its own root, as d_path */
                        return 1;
                }
                w->dentry = (__u64)kptr(mnt, o->mount_mnt_mountpoint);
                w->mnt = (__u64)parent;
                w->vfsmnt = (__u64)(parent + o->mount_mnt);
                return 0;
        }
        char *up = kptr(dentry, o->dentry_d_parent);
        if (!up || up == dentry) {
                w->done = 1;
                return 1;
        }
        char *name = kptr(dentry + o->dentry_d_name, o->qstr_name);
        long n = name ? bpf_probe_read_kernel_str(w->name, sizeof w->name, name) : -1;
        if (n <= 1 || n > BPFREC_PATH_NAME)
                return 1;
        __s64 len = n - 1, pos = w->pos;
        if (pos < len + 2 || pos > BPFREC_PATH_MAX - 1)
                return 1; /* too long */
        pos -= len;
        bpf_probe_read_kernel(&w->buf[pos & (BPFREC_PATH_MAX - 1)], len & (BPFREC_PATH_NAME - 1), w->name);
        pos -= 1;
        w->buf[pos & (BPFREC_PATH_MAX - 1)] = '/';
        w->pos = pos;
        w->dentry = (__u64)up;
        return 0;
}

/* The path of the current task's fd as d_path gives it (relative to the
 * task's root; from the mount's root where that root is not reached),
 * into w->rec; the record's size (only its head when rec.len says there is
 * no path). */
static __always_inline __u32 fd_path(struct bpfrec_koffs *o, struct walk *w, __u32 tid, int fd)
{
        char *task = (char *)bpf_get_current_task();
        w->rec.type = BPFREC_FDPATH;
        w->rec.tid = tid;
        w->rec.fd = fd;
        w->rec.len = BPFREC_FD_UNKNOWN;
        __u32 head = offsetof(struct bpfrec_fdpath, path);
        char *file = fd < 0 ? 0 : fd_file(o, task, (unsigned long)fd);
        if (!file)
                return head;
        char *vfsmnt = kptr(file + o->file_f_path, o->path_mnt);
        char *dentry = kptr(file + o->file_f_path, o->path_dentry);
        char *fs = kptr(task, o->task_fs);
        char *root_mnt = kptr(fs + o->fs_root, o->path_mnt), *root_dentry = kptr(fs + o->fs_root, o->path_dentry);
        if (!vfsmnt || !dentry || !fs)
                return head;
        char *dops = kptr(dentry, o->dentry_d_op);
        if (dops && kptr(dops, o->dops_d_dname)) {
                w->rec.len = BPFREC_FD_NOPATH; /* pipe:[..], socket:[..], anon_inode:... */
                return head;
        }
        struct walk_state st = { .o = o, .w = w };
        w->dentry = (__u64)dentry;
        w->vfsmnt = (__u64)vfsmnt;
        w->mnt = (__u64)(vfsmnt - o->mount_mnt);
        w->root_dentry = (__u64)root_dentry;
        w->root_mnt = (__u64)root_mnt;
        w->pos = BPFREC_PATH_MAX - 1;
        w->done = 0;
        w->buf[BPFREC_PATH_MAX - 1] = 0;
        bpf_loop(BPFREC_PATH_DEPTH, walk_step, &st, 0);
        __s64 done = w->done, pos = w->pos;
        if (!done)
                return head;
        if (pos == BPFREC_PATH_MAX - 1) { /* the root itself */
                pos -= 1;
                w->buf[pos & (BPFREC_PATH_MAX - 1)] = '/';
        }
        if (pos < 1 || pos > BPFREC_PATH_MAX - 2)
                return head;
        __u32 size = (__u32)(BPFREC_PATH_MAX - pos);
        if (bpf_probe_read_kernel(w->rec.path, size & (BPFREC_PATH_MAX - 1), &w->buf[pos & (BPFREC_PATH_MAX - 1)]) < 0)
                return head;
        w->rec.len = (__s32)size;
        return head + (size & (BPFREC_PATH_MAX - 1));
}

/* A call counted at its exit in its process's tally: 0 when counted, 1
 * when it is to be reported whole after all (no tally: the tracer read it
 * back; a result not counted there), with an entry record made here from
 * the registers, which hold the arguments still (the exit follows). */
static __always_inline int tally_add(__u32 tgid, __u32 nr, __s64 ret, char *regs, __u32 tid)
{
        struct bpfrec_tally_key k = { .tgid = tgid, .nr = nr };
        struct bpfrec_tally *t = bpf_map_lookup_elem(&tallies, &k);
        __u32 zero = 0, *errs = bpf_map_lookup_elem(&tally_errs, &zero);
        if (t && errs) {
                if (ret >= 0 || ret < -4095) {
                        __sync_fetch_and_add(&t->ok, 1);
                        return 0;
                }
                __s64 e = -ret;
                if (e >= 512 && e <= 516)
                        e = 4; /* ERESTARTSYS ...: EINTR */
                if (e >= 1 && e < *errs && e < BPFREC_TALLY_ERRS && t->err[e] != 0xffffffffu) {
                        __sync_fetch_and_add(&t->err[e], 1);
                        return 0;
                }
        }
        struct {
                unsigned long r10, r9, r8, ax, cx, dx, si, di;
        } g = { 0 };
        bpf_probe_read_kernel(&g, sizeof g, regs + offsetof(struct regs, r10));
        struct bpfrec_enter e = {
                .type = BPFREC_ENTER, .tid = tid, .nr = nr, .args = { g.di, g.si, g.dx, g.r10, g.r8, g.r9 }
        };
        emit(&e, sizeof e, 0);
        return 1;
}

/* An exit record: its head (what the call found is added by the caller)... */
static __always_inline void exit_head(struct bpfrec_exit *x, __u32 tid, __u32 nr, __s64 ret)
{
        x->type = BPFREC_EXIT;
        x->tid = tid;
        x->nr = nr;
        x->ret = ret;
        x->len = 0;
        x->mode = x->uid = x->gid = 0;
        x->flags = 0;
}

/* ... and out, with as much of the string as it has. */
static __always_inline void emit_exit(struct bpfrec_exit *x, int may_stop)
{
        __u64 size = sizeof *x - sizeof x->str;
        if (x->len > 0)
                size += (__u64)x->len;
        if (size > sizeof *x)
                size = sizeof *x;
        emit(x, size, may_stop);
}

/* The exit, in two builds: with the fd path walk (bpf_loop, Linux 5.17+)
 * and without it, for the kernels that refuse the first (bpfrec.c loads
 * one of them). */
static __always_inline int exit_common(struct bpf_raw_tracepoint_args *ctx, int walk)
{
        __u64 pt = bpf_get_current_pid_tgid();
        __u32 tid = (__u32)pt;
        if (!traced_as(pt >> 32)) /* (before the hash table: most tasks are not) */
                return 0;
        struct bpfrec_flight *f = bpf_map_lookup_elem(&flight, &tid);
        if (!f)
                return 0;
        if (f->tally && !tally_add(pt >> 32, f->nr, (__s64)ctx->args[1], (char *)ctx->args[0], tid)) {
                bpf_map_delete_elem(&flight, &tid);
                return 0;
        }
        __u32 zero = 0;
        struct bpfrec_exit *x = bpf_map_lookup_elem(&scratch, &zero);
        if (!x) {
                bpf_map_delete_elem(&flight, &tid);
                return 0;
        }
        struct bpfrec_koffs *o = bpf_map_lookup_elem(&koffs, &zero);
        if (walk && f->fd != BPFREC_NO_FD) {
                /* the fd's path, in a record of its own just before the exit */
                struct walk *w = bpf_map_lookup_elem(&walks, &zero);
                if (w && o && o->paths) {
                        __u32 size = fd_path(o, w, tid, f->fd);
                        if (size > sizeof w->rec)
                                size = sizeof w->rec;
                        emit(&w->rec, size, 0);
                }
        }
        exit_head(x, tid, f->nr, (__s64)ctx->args[1]);
        /* an open's new fd, or an fd argument that is the call's object
         * (mmap of a file, a listing) */
        if (o && o->ok && (f->stat_fmt == BPFREC_NEW_FD || f->stat_fmt == BPFREC_FD_INODE) && (__s64)ctx->args[1] >= 0)
                x->flags = fd_object(o, f, (__s64)ctx->args[1], x);
        else if (f->stat_fmt && ctx->args[1] == 0)
                x->flags = stat_flags(f, x);
        if (f->str_arg >= 0 && f->str_fmt == BPFREC_SIZED) {
                __u32 size = f->str_size < BPFREC_SIZED_MAX ? f->str_size : BPFREC_SIZED_MAX;
                long rc = bpf_probe_read_user(x->str, size, (const void *)f->str);
                x->len = rc < 0 ? (__s32)rc : (__s32)size; /* the bytes, or -errno */
        } else if (f->str_arg >= 0) {
                long n = bpf_probe_read_user_str(x->str, sizeof x->str, (const void *)f->str);
                x->len = (__s32)n; /* with the NUL, or -errno */
        }
        bpf_map_delete_elem(&flight, &tid);
        emit_exit(x, 1);
        return 0;
}

SEC("raw_tracepoint/sys_exit")
int bpfrec_exit(struct bpf_raw_tracepoint_args *ctx)
{
        return exit_common(ctx, 1);
}

SEC("raw_tracepoint/sys_exit")
int bpfrec_exit_nowalk(struct bpf_raw_tracepoint_args *ctx)
{
        return exit_common(ctx, 0);
}

/* An execve that succeeds: its memory is gone by its exit, so its exit
 * record is made here, with the kernel's copy of the name it was given,
 * before the exec event stops the task (the tracer reads it first). Only
 * for a reported execve (str_arg set; an execve that stopped at its entry
 * has its exit at the exec event). args: the task, its tid before the exec,
 * the linux_binprm. */
SEC("raw_tracepoint/sched_process_exec")
int bpfrec_exec(struct bpf_raw_tracepoint_args *ctx)
{
        __u32 old = (__u32)ctx->args[1];
        struct bpfrec_flight *f = bpf_map_lookup_elem(&flight, &old);
        if (!f || f->str_arg < 0)
                return 0;
        __u32 zero = 0;
        struct bpfrec_exit *x = bpf_map_lookup_elem(&scratch, &zero);
        struct bpfrec_koffs *o = bpf_map_lookup_elem(&koffs, &zero);
        if (!x || !o || !o->binprm_filename) {
                bpf_map_delete_elem(&flight, &old);
                count_lost();
                return 0;
        }
        exit_head(x, old, f->nr, 0);
        const char *name = 0;
        bpf_probe_read_kernel(&name, sizeof name, (char *)ctx->args[2] + o->binprm_filename);
        long n = bpf_probe_read_kernel_str(x->str, sizeof x->str, name);
        x->len = (__s32)n;
        bpf_map_delete_elem(&flight, &old);
        emit_exit(x, 0);
        return 0;
}
