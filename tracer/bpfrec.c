/* SPDX-License-Identifier: MIT */
/* The eBPF recorder: syscalls reported by the kernel instead of stopped.
 *
 * What is left stopping in a counted recording (kcount.c) is mostly path
 * calls (stat, access, readlink, openat ...: gcc makes 25,000 readlinks in
 * a small build) and calls nothing reads but the count and the program
 * (getcwd, uname, rseq ...). Each stop costs 15-25 us here. Those calls now
 * run without a stop: the seccomp filter lets them through, and a BPF
 * program on the raw sys_enter/sys_exit tracepoints (bpf/record.bpf.c)
 * reports each one with its arguments, its path string (read at entry, in
 * the caller's context) and its result into a ring buffer. The tracer reads
 * the buffer and gives every call to the same handlers a stop would have
 * (syscalls.c, caps.c, record.c): the path string is served to them from
 * the event (mem_overlay_set), everything else they look at (the cached
 * working directory and credentials, the file system for lstat/realpath)
 * is as it was at the call, because:
 *   - the buffer is read before every stop is handled: events committed
 *     before a task stopped are seen before that stop;
 *   - every call that changes what the handlers look at still stops:
 *     chdir, fchdir, chroot, credentials, rmdir, rename, exit and
 *     exit_group (the process is still there when its last events are
 *     read). An exec changes the program calls are counted to, but its
 *     exec event is a stop: an execve is reported where the kernel says
 *     what one that succeeds was given (linux_binprm->filename at the
 *     sched_process_exec tracepoint, made into its exit record there,
 *     before the exec event), else it stops. Calls that only add a name
 *     (mkdir, creating opens) do not: a
 *     lookup before them found nothing, and the first lookup that finds
 *     the name describes it, as at a stop; whether a creating open made
 *     its file comes from the kernel (koffs_setup);
 *   - removing a name that is not a directory (unlink, unlinkat without
 *     AT_REMOVEDIR) does not stop where the kernel reports what opens and
 *     stat calls found: the new fd's inode (type, owner, mode, at offsets
 *     checked by koffs_setup), a stat call's result read back at its exit.
 *     A call read after its object was removed is described from that
 *     (call_overlay_attr), the removal's sticky-directory check uses what
 *     was recorded of the file, and an entry-stopped call whose exit
 *     would look a name up takes its exit stop. What cannot be described
 *     so (a file found only by access or readlink, then removed before
 *     those were read) is counted: runs[].bpf_gone, with a warning;
 *   - a call naming an fd (getdents64, openat(dirfd, ...)) gets the fd's
 *     path walked by the kernel at the call (fd_path in record.bpf.c,
 *     served to the handlers by fd_overlay_set): the fd may be closed and
 *     its number reused before the event is read. Where the kernel cannot
 *     walk paths those calls stop (koffs_setup). Relative to the working
 *     directory (AT_FDCWD) nothing is walked: it is cached, and changes
 *     only by the calls above.
 * Only native x86_64 calls are reported (the BPF program checks the code
 * segment, and that the call came through the `syscall` instruction, not
 * int $0x80); other ABIs stop as before. The per-call conditions live in one
 * table below, from which both the seccomp allow rules and the BPF
 * program's configuration are built, so a call either stops or is
 * reported, never both and never neither.
 *
 * The buffer (1 MiB) is read at every stop, and when an eighth of it is
 * used: the tracer sleeps in epoll on it and on SIGCHLD (signalfd), not in
 * wait4. A workload that reports faster than the tracer reads is held
 * back: above half full,
 * a task returning from a reported call gets a SIGSTOP from the kernel
 * (bpf_send_signal_thread), the tracer reads the buffer at that
 * signal-delivery stop and resumes the task without the signal. Events
 * lost all the same (a full buffer) are counted by the BPF program; the
 * recording then says how many (runs[].bpf_lost) and warns, as the facts of
 * those calls are missing. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "tracer/internal.h"
#include "tracer/btfscan.h"
#include "tracer/bpf/record.h"
#include "trace/names.h"

/* The object built from bpf/record.bpf.c (cmake/embed.cmake). */
#include "tracer/record.bpf.inc"

#define AT_FDCWD_32 0xffffff9cULL /* AT_FDCWD as the low 32 bits of an argument */

/* Rows for what the kernel can tell (struct bpfrec_koffs, found and checked
 * at load): whether an open created its file, and beyond that the path of
 * an fd (levels: 0 neither, 1 created only, 2 both); apart from those, the
 * name an execve that succeeds was given. */
enum { ANY_KERNEL, WITHOUT_CREATED, WITH_CREATED, WITHOUT_PATHS, CREATED_NO_PATHS, WITH_PATHS, WITH_EXEC_NAMES };

static bool row_applies(uint8_t kind, int level, bool exec_names)
{
        switch (kind) {
        case WITH_EXEC_NAMES:
                return exec_names;
        case WITHOUT_CREATED:
                return level == 0;
        case WITH_CREATED:
                return level >= 1;
        case WITHOUT_PATHS:
                return level < 2;
        case CREATED_NO_PATHS:
                return level == 1;
        case WITH_PATHS:
                return level == 2;
        default:
                return true;
        }
}

static const struct bcall {
        const char *name;
        int8_t str_arg;
        struct bpfrec_cond cond[2];
        const char *why; /* the conditions, for runs[].reported_by_bpf */
        uint8_t kernel;  /* which kernels (row_applies) */
        int8_t fd_arg;   /* WITH_PATHS rows: the fd (or dirfd) whose path the exit reports */
        uint8_t str_fmt; /* what str_arg points to: a string (BPFREC_STRING, when not given) or BPFREC_SIZED */
} bcalls[] = {
#define NOCOND                                                                                                         \
        {                                                                                                              \
                .arg = -1                                                                                              \
        }
#define CWD(a)                                                                                                         \
        {                                                                                                              \
                .arg = (a), .mask = 0xffffffffULL, .val = AT_FDCWD_32                                                  \
        }
#define FLAGS(a, m, v)                                                                                                 \
        {                                                                                                              \
                .arg = (a), .mask = (m), .val = (v)                                                                    \
        }
        /* stat-like looks at a path: AppArmor does not mediate them, the
         * profiles use their results (ENOENT probes, owners) */
        { "stat", 0, { NOCOND, NOCOND }, NULL, ANY_KERNEL, -1 },
        { "lstat", 0, { NOCOND, NOCOND }, NULL, ANY_KERNEL, -1 },
        { "access", 0, { NOCOND, NOCOND }, NULL, ANY_KERNEL, -1 },
        { "readlink", 0, { NOCOND, NOCOND }, NULL, ANY_KERNEL, -1 },
        { "statfs", 0, { NOCOND, NOCOND }, NULL, ANY_KERNEL, -1 },
        { "getxattr", 0, { NOCOND, NOCOND }, NULL, ANY_KERNEL, -1 },
        { "lgetxattr", 0, { NOCOND, NOCOND }, NULL, ANY_KERNEL, -1 },
        { "listxattr", 0, { NOCOND, NOCOND }, NULL, ANY_KERNEL, -1 },
        { "llistxattr", 0, { NOCOND, NOCOND }, NULL, ANY_KERNEL, -1 },
        /* relative to the working directory (cached) or, where the kernel
         * tells the paths of fds, to any directory fd: the exit reports its
         * path as walked at the call (record.bpf.c, fd_path) */
        { "newfstatat", 1, { CWD(0), NOCOND }, "dirfd AT_FDCWD", WITHOUT_PATHS, -1 },
        { "newfstatat", 1, { CWD(0), NOCOND }, "dirfd AT_FDCWD", WITH_PATHS, 0 },
        { "newfstatat",
          1,
          { FLAGS(3, AT_EMPTY_PATH, 0), NOCOND },
          "without AT_EMPTY_PATH (the dirfd's path from the kernel)",
          WITH_PATHS,
          0 },
        { "statx", 1, { CWD(0), NOCOND }, "dirfd AT_FDCWD", WITHOUT_PATHS, -1 },
        { "statx", 1, { CWD(0), NOCOND }, "dirfd AT_FDCWD", WITH_PATHS, 0 },
        { "statx",
          1,
          { FLAGS(2, AT_EMPTY_PATH, 0), NOCOND },
          "without AT_EMPTY_PATH (the dirfd's path from the kernel)",
          WITH_PATHS,
          0 },
        { "faccessat", 1, { CWD(0), NOCOND }, "dirfd AT_FDCWD", WITHOUT_PATHS, -1 },
        { "faccessat", 1, { NOCOND, NOCOND }, "any dirfd (its path from the kernel)", WITH_PATHS, 0 },
        { "faccessat2", 1, { CWD(0), NOCOND }, "dirfd AT_FDCWD", WITHOUT_PATHS, -1 },
        { "faccessat2", 1, { NOCOND, NOCOND }, "any dirfd (its path from the kernel)", WITH_PATHS, 0 },
        { "readlinkat", 1, { CWD(0), NOCOND }, "dirfd AT_FDCWD", WITHOUT_PATHS, -1 },
        { "readlinkat", 1, { NOCOND, NOCOND }, "any dirfd (its path from the kernel)", WITH_PATHS, 0 },
        /* listing a directory by its fd */
        { "getdents", -1, { NOCOND, NOCOND }, "the fd's path from the kernel", WITH_PATHS, 0 },
        { "getdents64", -1, { NOCOND, NOCOND }, "the fd's path from the kernel", WITH_PATHS, 0 },
        /* opens: whether a creating open (O_CREAT) created its file is the
         * kernel's FMODE_CREATED on the new fd's file, read at the exit. The
         * file system is otherwise as it was for the calls before it: a new
         * name, which a lookup before found missing and the first lookup
         * that finds it describes, as at a stop. Where the kernel's file
         * mode cannot be read, only opens of what exists and O_EXCL
         * creations (which create or fail) are reported; other creating
         * opens stop, and whether they created the file is seen with lstat
         * at their entry. */
        { "open", 0, { NOCOND, NOCOND }, "any flags (O_CREAT: created or not from the kernel)", WITH_CREATED, -1 },
        { "openat",
          1,
          { CWD(0), NOCOND },
          "dirfd AT_FDCWD (O_CREAT: created or not from the kernel)",
          CREATED_NO_PATHS,
          -1 },
        { "openat",
          1,
          { NOCOND, NOCOND },
          "any dirfd, its path from the kernel (O_CREAT: created or not from the kernel)",
          WITH_PATHS,
          0 },
        { "creat", 0, { NOCOND, NOCOND }, "created or not from the kernel", WITH_CREATED, -1 },
        { "open", 0, { FLAGS(1, O_CREAT, 0), NOCOND }, "without O_CREAT", WITHOUT_CREATED, -1 },
        { "open",
          0,
          { FLAGS(1, O_CREAT | O_EXCL, O_CREAT | O_EXCL), NOCOND },
          "O_CREAT with O_EXCL",
          WITHOUT_CREATED,
          -1 },
        { "openat", 1, { CWD(0), FLAGS(2, O_CREAT, 0) }, "dirfd AT_FDCWD, without O_CREAT", WITHOUT_CREATED, -1 },
        { "openat",
          1,
          { CWD(0), FLAGS(2, O_CREAT | O_EXCL, O_CREAT | O_EXCL) },
          "dirfd AT_FDCWD, O_CREAT with O_EXCL",
          WITHOUT_CREATED,
          -1 },
        /* new directories: nothing is looked at before the call (the
         * parent's attributes are, and a parent cannot go away unseen:
         * rmdir and rename stop) */
        { "mkdir", 0, { NOCOND, NOCOND }, NULL, ANY_KERNEL, -1 },
        { "mkdirat", 1, { CWD(0), NOCOND }, "dirfd AT_FDCWD", WITHOUT_PATHS, -1 },
        { "mkdirat", 1, { NOCOND, NOCOND }, "any dirfd (its path from the kernel)", WITH_PATHS, 0 },
        /* executable mappings: of a file (its path from the kernel; an
         * io_uring ring behind the fd is the tracer's own record, kept in
         * order), or anonymous (a JIT) */
        { "mmap",
          -1,
          { FLAGS(2, PROT_EXEC, PROT_EXEC), FLAGS(3, MAP_ANONYMOUS, 0) },
          "PROT_EXEC of a file (its path from the kernel)",
          WITH_PATHS,
          4 },
        { "mmap",
          -1,
          { FLAGS(2, PROT_EXEC, PROT_EXEC), FLAGS(3, MAP_ANONYMOUS, MAP_ANONYMOUS) },
          "PROT_EXEC anonymous",
          WITH_PATHS,
          4 },
        /* resource limits read, not set (the inference looks only at new
         * limits) */
        { "prlimit64", -1, { FLAGS(2, ~0ULL, 0), NOCOND }, "without a new limit", ANY_KERNEL, -1 },
        /* removing a name that is not a directory, where the kernel reports
         * what opens found (the new fd's inode; stat calls report what they
         * returned): a call before it that is read after the name is gone
         * is described as the kernel found its object, and the removal's
         * own check (a sticky directory) uses what was recorded of the file.
         * rmdir and rename stop: the names below a directory go with it. */
        { "unlink", 0, { NOCOND, NOCOND }, "the files' owners from the kernel", WITH_CREATED, -1 },
        { "unlinkat",
          1,
          { CWD(0), FLAGS(2, AT_REMOVEDIR, 0) },
          "dirfd AT_FDCWD, without AT_REMOVEDIR (the files' owners from the kernel)",
          CREATED_NO_PATHS,
          -1 },
        { "unlinkat",
          1,
          { FLAGS(2, AT_REMOVEDIR, 0), NOCOND },
          "any dirfd (its path from the kernel), without AT_REMOVEDIR (the files' owners from the kernel)",
          WITH_PATHS,
          0 },
        /* programs run: a failing execve (each directory of a PATH search
         * but one) like any path call; one that succeeds has its exit made
         * at the exec, with the name it was given (its memory is gone by
         * then), and the exec event that follows is handled after it */
        { "execve", 0, { NOCOND, NOCOND }, "a success's name from the kernel at the exec", WITH_EXEC_NAMES, -1 },
        /* new processes and threads: the fork event, a stop, asks what
         * call made the child (bpfrec_inflight): fork and vfork share
         * nothing but (vfork) the memory, clone what its flags say. A clone
         * with CLONE_UNTRACED stops: the flag is taken out at its entry.
         * clone3's flags are in memory: it stops */
        { "fork", -1, { NOCOND, NOCOND }, "the child at the fork event", ANY_KERNEL, -1 },
        { "vfork", -1, { NOCOND, NOCOND }, "the child at the fork event", ANY_KERNEL, -1 },
        { "clone",
          -1,
          { FLAGS(0, CLONE_UNTRACED, 0), NOCOND },
          "without CLONE_UNTRACED (the child at the fork event)",
          ANY_KERNEL,
          -1 },
        /* sockets: a new one is its arguments; a connection, the address
         * it was given, read whole by the kernel at the exit (a client
         * makes one a request) */
        { "socket", -1, { NOCOND, NOCOND }, NULL, ANY_KERNEL, -1 },
        { "connect", 1, { NOCOND, NOCOND }, "the address from the kernel", ANY_KERNEL, -1, BPFREC_SIZED },
        /* a socket option: its level and name, and the value (the
         * capability inference reads an int of some) read by the kernel */
        { "setsockopt", 3, { NOCOND, NOCOND }, "the value from the kernel", ANY_KERNEL, -1, BPFREC_SIZED },
#undef FLAGS
#undef CWD
#undef NOCOND
};

/* What the call found, reported with it (bpfrec_exit.mode, uid, gid) when
 * it succeeds: a stat call's result, the inode of the fd that is the call's
 * object, or an open's new fd (and whether the open created its file). */
static const struct {
        const char *name;
        int8_t arg;
        uint8_t fmt;
} stat_results[] = {
        { "stat", 1, BPFREC_STAT },
        { "lstat", 1, BPFREC_STAT },
        { "newfstatat", 2, BPFREC_STAT },
        { "statx", 4, BPFREC_STATX },
        { "mmap", 4, BPFREC_FD_INODE },
        { "getdents", 0, BPFREC_FD_INODE },
        { "getdents64", 0, BPFREC_FD_INODE },
        /* where the kernel's file mode can be read (koffs_setup) */
        { "open", -1, BPFREC_NEW_FD },
        { "openat", -1, BPFREC_NEW_FD },
        { "creat", -1, BPFREC_NEW_FD },
};

/* Calls without a handler that must still stop: they do not return (no
 * exit event), or end a process (its last events must be read while it is
 * still there). */
static const char *const keep_stopping[] = { "exit", "exit_group", "rt_sigreturn", "restart_syscall" };

struct bpfrec {
        struct bpf_object *obj;
        struct bpf_link *links[3];
        int prog_fds[3];  /* (-1: not attached) */
        uint64_t *traced; /* the `traced` map's words (BPFREC_TRACED_WORDS; pages touched as used) */
        struct ring_buffer *rb;
        int traced_fd, lost_fd;
        int epfd, sigfd;
        sigset_t saved_mask;
        bool waiting; /* SIGCHLD blocked, signalfd open */
        struct bpfrec_cfg cfg[BPFREC_NR_MAX];
        struct bpfrec_cond hot[BPFREC_HOT_MAX];
        size_t hot_entry[BPFREC_HOT_MAX]; /* kcount's entry for each */
        size_t nhot;
        int counts_fd;
        char *why[BPFREC_NR_MAX]; /* reported calls: their conditions ("" none) */
        intmap *inflight;         /* tid -> struct bpfrec_enter * (reported, not yet returned) */
        intmap *exit_waits;       /* tid -> task * (a copy): stopped at entry, exit reported */
        int flight_fd;
        uint64_t exits;
        recorder *r;
        uint64_t events, unknown, throttled;
        unsigned test_delay_us; /* MINPRIV_TEST_BPF_DELAY_US */
        bool created_known;     /* opens report whether they created their file (koffs_setup) */
        bool paths_known;       /* calls with an fd report its path (koffs_setup) */
        bool can_walk;          /* the exit program that walks fd paths is loaded */
        bool removals;          /* unlink and unlinkat are reported (configure) */
        bool exec_names;        /* an execve that succeeds reports its name (koffs_setup) */
        intmap *exec_paths;     /* tid -> char *: the program its reported execve ran, for the exec event */
        intmap *fdpaths;        /* tid -> struct bpfrec_fdpath * (copied): for its coming exit event */
        intmap *tallied;        /* tgid -> uint64_t[BPFREC_NR_MAX / 64]: the calls it has a tally of */
        int tallies_fd;
        uint64_t tallied_calls; /* calls counted in tallies (MINPRIV_STATS) */
        int selftest;           /* >= 0: koffs_setup's check is collecting its open exits, how many so far */
        uint32_t selftest_flags[3];
        uint32_t selftest_attr[3][3];        /* and the mode, uid and gid each reported */
        char selftest_path[BPFREC_PATH_MAX]; /* and the path its listing reported */
};

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
        return 0;
}

static bool keeps_stopping(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(keep_stopping); i++)
                if (streq(name, keep_stopping[i]))
                        return true;
        return false;
}

/* The counted calls: kc's entries, grouped by number into `hot`. */
static void configure_hot(bpfrec *b, const kcount *kc)
{
        size_t n = kcount_entries(kc);
        for (int nr = 0; nr < BPFREC_NR_MAX; nr++) {
                for (size_t i = 0; i < n; i++) {
                        int8_t arg;
                        uint32_t value;
                        if (kcount_entry(kc, i, &arg, &value) != nr || b->nhot >= BPFREC_HOT_MAX ||
                            b->cfg[nr].hot_n >= BPFREC_HOT_PER)
                                continue;
                        if (!b->cfg[nr].hot_n)
                                b->cfg[nr].hot_first = (uint8_t)b->nhot;
                        b->cfg[nr].hot_n++;
                        b->hot[b->nhot] = (struct bpfrec_cond){ .arg = arg, .mask = 0xffffffffULL, .val = value };
                        b->hot_entry[b->nhot++] = i;
                }
        }
}

/* Which x86_64 calls are reported, with what conditions. */
static void configure(bpfrec *b, const kcount *kc)
{
        for (size_t i = 0; i < ELEMENTSOF(bcalls); i++) {
                int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, bcalls[i].name);
                if (nr < 0 || nr >= BPFREC_NR_MAX)
                        continue;
                if (!row_applies(bcalls[i].kernel, b->created_known ? (b->paths_known ? 2 : 1) : 0, b->exec_names))
                        continue;
                struct bpfrec_cfg *c = &b->cfg[nr];
                c->fd_arg = bcalls[i].fd_arg;
                b->removals |= startswith(bcalls[i].name, "unlink");
                c->stat_arg = -1;
                c->stat_fmt = 0;
                for (size_t k = 0; k < ELEMENTSOF(stat_results); k++)
                        if (streq(bcalls[i].name, stat_results[k].name) &&
                            (stat_results[k].fmt != BPFREC_NEW_FD || b->created_known)) {
                                c->stat_arg = stat_results[k].arg;
                                c->stat_fmt = stat_results[k].fmt;
                        }
                int set = c->on ? 1 : 0; /* a second row: the alternative */
                c->on |= (uint8_t)(1u << set);
                c->str_arg = bcalls[i].str_arg;
                c->str_fmt = bcalls[i].str_fmt;
                c->cond[2 * set] = bcalls[i].cond[0];
                c->cond[2 * set + 1] = bcalls[i].cond[1];
                const char *why = bcalls[i].why ? bcalls[i].why : "";
                char *prev = b->why[nr];
                b->why[nr] = set ? xasprintf("%s; or %s", prev, why) : xstrdup(why);
                free(prev);
        }
        /* Every call the recorder only counts per program and result: no
         * handler in syscalls.c (or one that only keeps the fd cache,
         * which a counted recording does not keep), not counted in the
         * kernel already. */
        for (int nr = 0; nr < BPFREC_NR_MAX; nr++) {
                const char *name = sys_name(TRACE_ABI_X86_64, (uint64_t)nr);
                if (b->cfg[nr].on || !name || sys_needs_stop(TRACE_ABI_X86_64, (uint64_t)nr) ||
                    kcount_counts_all(kc, nr) || keeps_stopping(name))
                        continue;
                b->cfg[nr].on = 1;
                b->cfg[nr].tally = !getenv("MINPRIV_TEST_NO_TALLY"); /* (tests: each call reported) */
                b->cfg[nr].str_arg = -1;
                b->cfg[nr].fd_arg = -1;
                b->cfg[nr].stat_arg = -1;
                for (int k = 0; k < 4; k++)
                        b->cfg[nr].cond[k].arg = -1;
                b->why[nr] = xstrdup("");
        }
        configure_hot(b, kc);
}

static int on_event(void *ctx, void *data, size_t size);

/* What the kernel can tell beyond the registers (struct bpfrec_koffs): the
 * offsets of current->files->fdt->fd[]->f_mode, and of what an fd's path is
 * walked through (file->f_path, dentry->d_parent and d_name, the mounts, the
 * task's root), from the kernel's BTF. Neither the offsets nor
 * FMODE_CREATED are ABI, so both are checked on the running kernel: a
 * child, traced with only openat and getdents64 reported, opens a new file
 * with O_CREAT, opens it again, then lists its directory. The two opens
 * must say created and not created; the listing must give the directory's
 * real path. Before the real configuration is written, so nothing of it is
 * counted or recorded. Sets b->created_known and b->paths_known. */
static void koffs_setup(bpfrec *b, int koffs_fd, int cfg_fd)
{
        if (getenv("MINPRIV_TEST_NO_CREATED"))
                return; /* tests: a kernel where neither can be known */
        /* each member and where its offset goes; the first ten are what
         * creation and the new file's attributes need, the next fourteen
         * what the path walk needs, the last an exec's name */
        static const struct {
                const char *type, *member;
                size_t field;
        } want[] = {
#define F(t, m, f) { t, m, offsetof(struct bpfrec_koffs, f) }
                F("task_struct", "files", task_files),
                F("files_struct", "fdt", files_fdt),
                F("fdtable", "max_fds", fdt_max_fds),
                F("fdtable", "fd", fdt_fd),
                F("file", "f_mode", file_f_mode),
                F("file", "f_inode", file_f_inode),
                F("inode", "i_mode", inode_i_mode),
                F("inode", "i_uid", inode_i_uid),
                F("inode", "i_gid", inode_i_gid),
                F("inode", "i_nlink", inode_i_nlink),
                F("task_struct", "fs", task_fs),
                F("fs_struct", "root", fs_root),
                F("path", "mnt", path_mnt),
                F("path", "dentry", path_dentry),
                F("file", "f_path", file_f_path),
                F("dentry", "d_parent", dentry_d_parent),
                F("dentry", "d_name", dentry_d_name),
                F("qstr", "name", qstr_name),
                F("dentry", "d_op", dentry_d_op),
                F("dentry_operations", "d_dname", dops_d_dname),
                F("vfsmount", "mnt_root", vfsmount_mnt_root),
                F("mount", "mnt", mount_mnt),
                F("mount", "mnt_parent", mount_mnt_parent),
                F("mount", "mnt_mountpoint", mount_mnt_mountpoint),
                F("linux_binprm", "filename", binprm_filename),
#undef F
        };
        enum { CREATION_MEMBERS = 10, PATH_MEMBERS = 24 };
        btf_member_query q[ELEMENTSOF(want)];
        for (size_t i = 0; i < ELEMENTSOF(want); i++)
                q[i] = (btf_member_query){ want[i].type, want[i].member, -1 };
        if (btf_member_offsets("/sys/kernel/btf/vmlinux", q, ELEMENTSOF(q)) < 0)
                return;
        bool paths = b->can_walk && !getenv("MINPRIV_TEST_NO_PATHS"); /* tests: only creation known */
        struct bpfrec_koffs k = { .ok = 1, .created = BPFREC_FMODE_CREATED };
        for (size_t i = 0; i < ELEMENTSOF(q); i++) {
                if (q[i].offset < 0 && i < CREATION_MEMBERS)
                        return;
                uint32_t off = (uint32_t)q[i].offset;
                if (q[i].offset < 0 && i < PATH_MEMBERS)
                        paths = false;
                else if (q[i].offset >= 0)
                        memcpy((char *)&k + want[i].field, &off, sizeof off);
        }
        k.paths = paths;
        uint32_t zero = 0;
        if (bpf_map_update_elem(koffs_fd, &zero, &k, BPF_ANY) < 0)
                return;

        const char *tmp = getenv("TMPDIR");
        _cleanup_free_ char *dir = xasprintf("%s/minpriv-created-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(dir))
                return;
        _cleanup_free_ char *file = xasprintf("%s/new", dir);
        _cleanup_free_ char *real = realpath(dir, NULL);
        uint32_t nr = (uint32_t)seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, "openat");
        uint32_t nr_list = (uint32_t)seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, "getdents64");
        struct bpfrec_cfg cfg = { .on = 1, .str_arg = -1, .fd_arg = -1, .stat_arg = -1, .stat_fmt = BPFREC_NEW_FD };
        for (int i = 0; i < 4; i++)
                cfg.cond[i].arg = -1;
        struct bpfrec_cfg list = cfg;
        list.stat_fmt = 0;
        list.fd_arg = 0;
        int go[2] = { -1, -1 };
        bool created = false;
        if (bpf_map_update_elem(cfg_fd, &nr, &cfg, BPF_ANY) < 0 ||
            bpf_map_update_elem(cfg_fd, &nr_list, &list, BPF_ANY) < 0 || pipe2(go, O_CLOEXEC) < 0)
                goto out;
        pid_t child = fork();
        if (child == 0) {
                char c, entries[4096];
                if (read(go[0], &c, 1) != 1)
                        _exit(1);
                int made = openat(AT_FDCWD, file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
                int again = openat(AT_FDCWD, file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
                int d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                long n = d >= 0 ? syscall(SYS_getdents64, d, entries, sizeof entries) : -1;
                _exit(made >= 0 && again >= 0 && n > 0 ? 0 : 1);
        }
        if (child < 0)
                goto out;
        bool traced = bpfrec_trace(b, child, false) == 0;
        int status = 0;
        if (!traced || write(go[1], "g", 1) != 1)
                kill(child, SIGKILL);
        while (waitpid(child, &status, 0) < 0 && errno == EINTR)
                ;
        bpfrec_untrace(b, child);
        b->selftest = 0;
        b->selftest_path[0] = 0;
        ring_buffer__consume(b->rb);
        bool ran = traced && WIFEXITED(status) && WEXITSTATUS(status) == 0;
        /* the three exits: openat, openat, then the open of the directory */
        struct stat st;
        bool attrs = lstat(file, &st) == 0;
        for (int i = 0; i < 2 && attrs; i++)
                attrs = b->selftest_attr[i][0] == st.st_mode && b->selftest_attr[i][1] == st.st_uid &&
                        b->selftest_attr[i][2] == st.st_gid;
        created = ran && attrs && b->selftest >= 2 &&
                  b->selftest_flags[0] == (BPFREC_X_OPEN | BPFREC_X_CREATED | BPFREC_X_ATTR) &&
                  b->selftest_flags[1] == (BPFREC_X_OPEN | BPFREC_X_ATTR);
        b->paths_known = created && paths && real && streq(b->selftest_path, real);
out:
        b->selftest = -1;
        struct bpfrec_cfg off = { 0 };
        bpf_map_update_elem(cfg_fd, &nr, &off, BPF_ANY);
        bpf_map_update_elem(cfg_fd, &nr_list, &off, BPF_ANY);
        k.ok = created;
        k.paths = b->paths_known;
        bpf_map_update_elem(koffs_fd, &zero, &k, BPF_ANY);
        if (go[0] >= 0) {
                close(go[0]);
                close(go[1]);
        }
        unlink(file);
        rmdir(dir);
        b->created_known = created;
        /* a plain member, read where the BTF says; the kcount and strace
         * tests compare what it gives with a recording that stops */
        b->exec_names = k.binprm_filename && b->links[2] && !getenv("MINPRIV_TEST_NO_EXEC_NAMES");
        if (!b->exec_names) {
                k.binprm_filename = 0;
                bpf_map_update_elem(koffs_fd, &zero, &k, BPF_ANY);
        }
}

/* Entries 0..n-1 of an array map, in one call where the kernel takes a
 * batch (5.6+; hundreds of updates were a millisecond of each start). */
static int write_array(int fd, const void *values, size_t size, uint32_t n)
{
        uint32_t keys[BPFREC_NR_MAX], count = n;
        if (n > ELEMENTSOF(keys))
                return -E2BIG;
        for (uint32_t i = 0; i < n; i++)
                keys[i] = i;
        if (!n || bpf_map_update_batch(fd, keys, values, &count, NULL) == 0)
                return 0;
        for (uint32_t i = 0; i < n; i++)
                if (bpf_map_update_elem(fd, &keys[i], (const char *)values + i * size, BPF_ANY) < 0)
                        return -errno;
        return 0;
}

/* The kernel gives the programs a task's ids in the initial PID namespace
 * (bpf_get_current_pid_tgid, the tracepoints' pids); ptrace gives the
 * tracer those of its own. In a container they differ: no task would match
 * the `traced` map, and every call the kernel was to count or report, which
 * the seccomp filter lets through, would be lost. PROC_PID_INIT_INO is the
 * initial namespace's fixed inode number (include/linux/proc_ns.h). */
const char *bpfrec_unusable(void)
{
        struct stat st;
        if (stat("/proc/self/ns/pid", &st) < 0 || st.st_ino != 0xEFFFFFFCu)
                return "not in the initial PID namespace";
        return NULL;
}

int bpfrec_open(recorder *r, const kcount *kc, bpfrec **ret)
{
        bpfrec *b = xcalloc(1, sizeof *b);
        b->r = r;
        b->epfd = b->sigfd = -1;
        const char *delay = getenv("MINPRIV_TEST_BPF_DELAY_US");
        b->test_delay_us = delay ? (unsigned)atoi(delay) : 0;
        b->traced_fd = b->lost_fd = b->counts_fd = b->flight_fd = b->tallies_fd = -1;
        b->prog_fds[0] = b->prog_fds[1] = b->prog_fds[2] = -1;
        b->traced = xcalloc(BPFREC_TRACED_WORDS, sizeof *b->traced);
        b->selftest = -1;
        libbpf_set_print(quiet_print);
        int rc;
        /* the exit with the fd path walk, else the one without it (a kernel
         * without bpf_loop): MINPRIV_TEST_NO_WALK tries only the second */
        const char *exit_prog = NULL;
        for (int walk = getenv("MINPRIV_TEST_NO_WALK") ? 0 : 1; walk >= 0 && !exit_prog; walk--) {
                bpf_object__close(b->obj);
                b->obj = bpf_object__open_mem(minpriv_record_bpf, sizeof minpriv_record_bpf, NULL);
                if (!b->obj) {
                        rc = -errno;
                        goto fail;
                }
                /* tests: a table of tallies that fills up */
                const char *tally_max = getenv("MINPRIV_TEST_TALLY_MAX");
                struct bpf_map *tallies = bpf_object__find_map_by_name(b->obj, "tallies");
                if (tally_max && tallies)
                        bpf_map__set_max_entries(tallies, (uint32_t)atoi(tally_max));
                const char *unused = walk ? "bpfrec_exit_nowalk" : "bpfrec_exit";
                struct bpf_program *p = bpf_object__find_program_by_name(b->obj, unused);
                if (p)
                        bpf_program__set_autoload(p, false);
                if ((rc = bpf_object__load(b->obj)) == 0)
                        exit_prog = walk ? "bpfrec_exit" : "bpfrec_exit_nowalk";
        }
        if (!exit_prog)
                goto fail;
        b->can_walk = streq(exit_prog, "bpfrec_exit");
        int cfg_fd = bpf_object__find_map_fd_by_name(b->obj, "config");
        int hot_fd = bpf_object__find_map_fd_by_name(b->obj, "hot");
        int koffs_fd = bpf_object__find_map_fd_by_name(b->obj, "koffs");
        b->counts_fd = bpf_object__find_map_fd_by_name(b->obj, "counts");
        b->flight_fd = bpf_object__find_map_fd_by_name(b->obj, "flight");
        b->traced_fd = bpf_object__find_map_fd_by_name(b->obj, "traced");
        b->lost_fd = bpf_object__find_map_fd_by_name(b->obj, "lost");
        b->tallies_fd = bpf_object__find_map_fd_by_name(b->obj, "tallies");
        int errs_fd = bpf_object__find_map_fd_by_name(b->obj, "tally_errs");
        int ring_fd = bpf_object__find_map_fd_by_name(b->obj, "ring");
        if (cfg_fd < 0 || hot_fd < 0 || koffs_fd < 0 || b->counts_fd < 0 || b->flight_fd < 0 || b->traced_fd < 0 ||
            b->lost_fd < 0 || b->tallies_fd < 0 || errs_fd < 0 || ring_fd < 0) {
                rc = -ENOENT;
                goto fail;
        }
        /* the third is optional: without it, execve stops */
        const char *const progs[3] = { "bpfrec_enter", exit_prog, "bpfrec_exec" };
        static const char *const tps[3] = { "sys_enter", "sys_exit", "sched_process_exec" };
        for (int i = 0; i < 3; i++) {
                struct bpf_program *p = bpf_object__find_program_by_name(b->obj, progs[i]);
                if (p)
                        b->links[i] = bpf_program__attach_raw_tracepoint(p, tps[i]);
                b->prog_fds[i] = b->links[i] ? bpf_program__fd(p) : -1;
                if (!b->links[i] && i < 2) {
                        rc = p ? -errno : -ENOENT;
                        goto fail;
                }
        }
        b->rb = ring_buffer__new(ring_fd, on_event, b, NULL);
        if (!b->rb) {
                rc = -errno;
                goto fail;
        }
        koffs_setup(b, koffs_fd, cfg_fd);
        configure(b, kc);
        /* tests: results beyond the first errno values reported whole, at
         * their exit */
        const char *errs_env = getenv("MINPRIV_TEST_TALLY_ERRS");
        uint32_t errs = errs_env ? (uint32_t)atoi(errs_env) : BPFREC_TALLY_ERRS;
        if ((rc = write_array(errs_fd, &errs, sizeof errs, 1)) < 0)
                goto fail;
        if ((rc = write_array(hot_fd, b->hot, sizeof b->hot[0], b->nhot)) < 0 ||
            (rc = write_array(cfg_fd, b->cfg, sizeof b->cfg[0], BPFREC_NR_MAX)) < 0)
                goto fail;
        b->inflight = intmap_new();
        b->exit_waits = intmap_new();
        b->fdpaths = intmap_new();
        b->exec_paths = intmap_new();
        b->tallied = intmap_new();
        *ret = b;
        return 0;
fail:
        bpfrec_free(b);
        return rc < 0 ? rc : -EINVAL;
}

int bpfrec_filter_rules(const bpfrec *b, void *scmp_ctx)
{
        for (int nr = 0; nr < BPFREC_NR_MAX; nr++) {
                const struct bpfrec_cfg *c = &b->cfg[nr];
                for (int set = 0; set < 2; set++) {
                        if (!(c->on & (1u << set)))
                                continue;
                        struct scmp_arg_cmp cmp[2];
                        unsigned n = 0;
                        for (int k = 2 * set; k < 2 * set + 2; k++)
                                if (c->cond[k].arg >= 0)
                                        cmp[n++] = (struct scmp_arg_cmp){ .arg = (unsigned)c->cond[k].arg,
                                                                          .op = SCMP_CMP_MASKED_EQ,
                                                                          .datum_a = c->cond[k].mask,
                                                                          .datum_b = c->cond[k].val };
                        int rc = seccomp_rule_add_exact_array(scmp_ctx, SCMP_ACT_ALLOW, nr, n, cmp);
                        if (rc < 0 && rc != -EEXIST)
                                return rc;
                }
        }
        return 0;
}

/* The kernel's `traced` words are written from the copy the tracer keeps
 * (it is their only writer): one update a change. */
static int set_traced(bpfrec *b, pid_t tgid, uint64_t as)
{
        if (tgid <= 0 || (uint32_t)tgid >= BPFREC_PID_LIMIT)
                return -ERANGE;
        uint32_t word = (uint32_t)tgid / 32, shift = (uint32_t)tgid % 32 * 2;
        uint64_t v = (b->traced[word] & ~(3ull << shift)) | as << shift;
        if (bpf_map_update_elem(b->traced_fd, &word, &v, BPF_ANY) < 0)
                return -errno;
        b->traced[word] = v;
        return 0;
}

int bpfrec_trace(bpfrec *b, pid_t tgid, bool exec_only)
{
        return set_traced(b, tgid, exec_only ? BPFREC_TRACED_EXEC : BPFREC_TRACED);
}

void bpfrec_untrace(bpfrec *b, pid_t tgid)
{
        set_traced(b, tgid, 0);
}

/* One reported call through the handlers a stop would have run, on a copy
 * of the task (the task itself may be stopped in another call, with its
 * own pending facts). x: its exit, NULL when it never returned. */
static void dispatch(bpfrec *b, task *real, const struct bpfrec_enter *e, const struct bpfrec_exit *x)
{
        recorder *r = b->r;
        b->events++;
        bool exec = e->nr == BPFREC_NR_EXECVE;
        if (real->pre_exec && !exec)
                return; /* minpriv's own start-up code, before the workload's exec */
        task t = *real;
        t.npend = 0;
        t.abi = TRACE_ABI_X86_64;
        t.nr = e->nr;
        memcpy(t.args, e->args, sizeof t.args);
        t.slot = e->nr < SYSCALL_SLOTS ? (int)e->nr : -1;
        t.in_syscall = true;
        t.want_exit = false;
        t.kcreated_known = x && (x->flags & BPFREC_X_OPEN);
        t.kcreated = x && (x->flags & BPFREC_X_CREATED);
        int8_t sa = b->cfg[e->nr].str_arg;
        if (sa >= 0 && sa <= 5)
                mem_overlay_set(real->tid, e->args[sa], x ? x->str : NULL, x ? x->len : -EFAULT);
        /* the path of its fd argument, walked at the call (not when it
         * could not be: then /proc, as for a stop) */
        _cleanup_free_ struct bpfrec_fdpath *fp = x ? intmap_remove(b->fdpaths, real->tid) : NULL;
        if (fp && fp->len != BPFREC_FD_UNKNOWN)
                fd_overlay_set(real->tid, fp->fd, fp->len > 0 ? fp->path : NULL);
        uint32_t attr[3] = { x ? x->mode : 0, x ? x->uid : 0, x ? x->gid : 0 };
        call_overlay_set(real->tid, x ? x->ret : -EINTR, sa >= 0, x && (x->flags & BPFREC_X_ATTR) ? attr : NULL);
        sys_entry(r, &t);
        mem_overlay_clear();
        if (exec && x && x->ret == 0 && pend_exec_path(&t)) /* for the exec event, which follows */
                free(intmap_put(b->exec_paths, real->tid, xstrdup(pend_exec_path(&t))));
        if (x)
                sys_exit(r, &t, x->ret, x->ret < 0 && x->ret >= -4095);
        fd_overlay_clear();
        call_overlay_clear();
        pend_clear(&t);
}

/* A BPFREC_FDPATH record whole (its path, when it has one, within the
 * record and NUL-terminated): its size, or 0. */
static size_t fdpath_size(const void *data, size_t size)
{
        const struct bpfrec_fdpath *fp = data;
        if (size < offsetof(struct bpfrec_fdpath, path) || fp->type != BPFREC_FDPATH || fp->len > BPFREC_PATH_MAX)
                return 0;
        size_t want = offsetof(struct bpfrec_fdpath, path) + (fp->len > 0 ? (size_t)fp->len : 0);
        if (size < want || (fp->len > 0 && fp->path[fp->len - 1]))
                return 0;
        return want;
}

static int on_event(void *ctx, void *data, size_t size)
{
        bpfrec *b = ctx;
        const uint32_t *type = data;
        if (b->selftest >= 0) { /* koffs_setup(): only its child's exits */
                const struct bpfrec_exit *x = data;
                const struct bpfrec_fdpath *fp = data;
                if (size >= offsetof(struct bpfrec_exit, str) && *type == BPFREC_EXIT && b->selftest < 3) {
                        b->selftest_attr[b->selftest][0] = x->mode;
                        b->selftest_attr[b->selftest][1] = x->uid;
                        b->selftest_attr[b->selftest][2] = x->gid;
                        b->selftest_flags[b->selftest++] = x->flags;
                }
                if (fdpath_size(data, size) && fp->len > 0)
                        memcpy(b->selftest_path, fp->path, (size_t)fp->len);
                return 0;
        }
        if (*type == BPFREC_FDPATH) {
                /* for the exit that follows: kept whole */
                const struct bpfrec_fdpath *fp = data;
                size_t want = fdpath_size(data, size);
                if (!want)
                        return 0;
                struct bpfrec_fdpath *copy = xmalloc(want);
                memcpy(copy, fp, want);
                free(intmap_put(b->fdpaths, fp->tid, copy));
                return 0;
        }
        if (size >= sizeof(struct bpfrec_enter) && *type == BPFREC_ENTER) {
                const struct bpfrec_enter *e = data;
                task *t = intmap_get(b->r->tasks, e->tid);
                if (!t || e->nr >= BPFREC_NR_MAX) {
                        b->unknown++;
                        return 0;
                }
                if (b->cfg[e->nr].tally && !t->pre_exec) {
                        /* the process's first: the kernel counts the rest
                         * in a tally (record.h), read back by bpfrec_fold */
                        uint64_t *bits = intmap_get(b->tallied, t->p->tgid);
                        if (!bits)
                                intmap_put(b->tallied, t->p->tgid, bits = xcalloc(BPFREC_NR_MAX / 64, sizeof *bits));
                        bits[e->nr / 64] |= 1ull << (e->nr % 64);
                }
                struct bpfrec_enter *copy = xmalloc(sizeof *copy);
                *copy = *e;
                struct bpfrec_enter *old = intmap_put(b->inflight, e->tid, copy);
                if (old) /* its exit was lost: what the entry says */
                        dispatch(b, t, old, NULL);
                free(old);
        } else if (size >= offsetof(struct bpfrec_exit, str) && *type == BPFREC_EXIT) {
                const struct bpfrec_exit *x = data;
                if (x->len > 0 && size < offsetof(struct bpfrec_exit, str) + (size_t)x->len)
                        return 0; /* cannot happen: the program sizes the record */
                task *w = intmap_remove(b->exit_waits, x->tid);
                if (w) { /* a call that stopped at its entry (bpfrec_take_exit) */
                        call_overlay_set(w->tid, x->ret, false, NULL);
                        sys_exit(b->r, w, x->ret, x->ret < 0 && x->ret >= -4095);
                        call_overlay_clear();
                        free(w);
                        return 0;
                }
                _cleanup_free_ struct bpfrec_enter *e = intmap_remove(b->inflight, x->tid);
                task *t = intmap_get(b->r->tasks, x->tid);
                if (e && t && e->nr == x->nr)
                        dispatch(b, t, e, x);
                else
                        b->unknown++;
        }
        return 0;
}

size_t bpfrec_drain(bpfrec *b)
{
        if (!b->rb)
                return 0;
        int n = ring_buffer__consume(b->rb);
        return n > 0 ? (size_t)n : 0;
}

int bpfrec_wait_begin(bpfrec *b)
{
        sigset_t chld;
        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        if (sigprocmask(SIG_BLOCK, &chld, &b->saved_mask) < 0)
                return -errno;
        b->waiting = true;
        b->sigfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
        b->epfd = epoll_create1(EPOLL_CLOEXEC);
        if (b->sigfd < 0 || b->epfd < 0)
                return -errno;
        struct epoll_event ev = { .events = EPOLLIN };
        ev.data.fd = b->sigfd;
        if (epoll_ctl(b->epfd, EPOLL_CTL_ADD, b->sigfd, &ev) < 0)
                return -errno;
        ev.data.fd = ring_buffer__epoll_fd(b->rb);
        if (epoll_ctl(b->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev) < 0)
                return -errno;
        return 0;
}

void bpfrec_wait_end(bpfrec *b)
{
        if (!b->waiting)
                return;
        sigprocmask(SIG_SETMASK, &b->saved_mask, NULL);
        b->waiting = false;
}

const char *bpfrec_inflight(bpfrec *b, pid_t tid, uint64_t *arg0)
{
        const struct bpfrec_enter *e = intmap_get(b->inflight, tid);
        if (!e)
                return NULL;
        *arg0 = e->args[0];
        return sys_name(TRACE_ABI_X86_64, e->nr);
}

char *bpfrec_exec_path(bpfrec *b, pid_t tid)
{
        return intmap_remove(b->exec_paths, tid);
}

task *bpfrec_cancel_exit(bpfrec *b, pid_t tid)
{
        task *w = intmap_remove(b->exit_waits, tid);
        if (w) {
                uint32_t key = (uint32_t)tid;
                bpf_map_delete_elem(b->flight_fd, &key);
        }
        return w;
}

pid_t bpfrec_wait(bpfrec *b, int *status)
{
        for (;;) {
                bpfrec_drain(b);
                pid_t pid = wait4(-1, status, __WALL | WNOHANG, NULL);
                if (pid != 0)
                        return pid;
                struct epoll_event ev;
                int n = epoll_wait(b->epfd, &ev, 1, -1);
                if (n < 0 && errno == EINTR)
                        return -1; /* errno EINTR: the caller samples resources */
                /* tests: a tracer slower than the workload (throttling) */
                if (b->test_delay_us && n > 0 && ev.data.fd != b->sigfd)
                        usleep(b->test_delay_us);
                struct signalfd_siginfo si;
                while (read(b->sigfd, &si, sizeof si) == (ssize_t)sizeof si)
                        ;
        }
}

bool bpfrec_throttled(bpfrec *b, task *t)
{
        siginfo_t si;
        if (ptrace(PTRACE_GETSIGINFO, t->tid, 0, &si) < 0 || si.si_code != SI_KERNEL)
                return false;
        b->throttled++;
        return true;
}

static bool is_exec(const task *t)
{
        const char *name = sys_name(t->abi, t->nr);
        return name && (streq(name, "execve") || streq(name, "execveat"));
}

bool bpfrec_take_exit(bpfrec *b, task *t)
{
        /* an execve that succeeds has its exit handled at the exec event
         * (bpfrec_cancel_exit); one that fails (a PATH search) needs only
         * its result */
        if (t->abi != TRACE_ABI_X86_64 || (sys_exit_must_stop(t->abi, t->nr) && !is_exec(t)) || t->pre_exec)
                return false;
        for (int i = 0; i < t->npend; i++)
                switch (t->pend[i].type) {
                case PEND_FILE:
                        /* with removals reported, a name the call makes or
                         * changes (a rename's new name, a link, a chown),
                         * looked up at its exit, could be gone when a
                         * reported exit is read: that exit stops. Other
                         * objects are as they were at the entry; one
                         * removed before its exit is read is said in the
                         * trace (runs[].bpf_gone) */
                        if (b->removals &&
                            (t->pend[i].kinds &
                             ((1u << AK_CREATE) | (1u << AK_RENAME) | (1u << AK_LINK) | (1u << AK_ATTR))) &&
                            rec_file_looks_at_exit(b->r, &t->pend[i]))
                                return false;
                        break;
                case PEND_NODE:
                case PEND_CAP:
                case PEND_CWD:
                case PEND_FORGET:
                        break;
                default:
                        return false; /* credentials, io_uring: read at the stop */
                }
        uint32_t tid = (uint32_t)t->tid;
        struct bpfrec_flight f = { .nr = (uint32_t)t->nr, .str_arg = -1, .fd = BPFREC_NO_FD };
        if (bpf_map_update_elem(b->flight_fd, &tid, &f, BPF_ANY) < 0)
                return false;
        task *copy = xmalloc(sizeof *copy);
        *copy = *t;
        t->npend = 0; /* the copy owns them now */
        task *old = intmap_put(b->exit_waits, t->tid, copy);
        task_free(old); /* none: the task was stopped in between */
        b->exits++;
        return true;
}

void bpfrec_task_gone(bpfrec *b, task *t)
{
        /* killed in the call: no result, as with an exit stop */
        task *w = intmap_remove(b->exit_waits, t->tid);
        struct bpfrec_enter *e = intmap_remove(b->inflight, t->tid);
        if (e)
                dispatch(b, t, e, NULL); /* it never returned: killed in the call */
        /* nor will it: the kernel's entry goes too (an exec's thread takes
         * the old leader's tid) */
        if (w || e) {
                uint32_t key = (uint32_t)t->tid;
                bpf_map_delete_elem(b->flight_fd, &key);
        }
        task_free(w);
        free(e);
        free(intmap_remove(b->exec_paths, t->tid));
}

static uint64_t tally_total(const struct bpfrec_tally *v)
{
        uint64_t n = v->ok;
        for (size_t e = 0; e < BPFREC_TALLY_ERRS; e++)
                n += v->err[e];
        return n;
}

void bpfrec_fold(bpfrec *b, const proc *p)
{
        _cleanup_free_ uint64_t *bits = intmap_remove(b->tallied, p->tgid);
        if (!bits)
                return;
        for (uint32_t nr = 0; nr < BPFREC_NR_MAX; nr++) {
                if (!(bits[nr / 64] & (1ull << (nr % 64))))
                        continue;
                /* nothing adds to it now: the process is stopped at its
                 * exec (its other threads gone) or gone */
                struct bpfrec_tally_key k = { .tgid = (uint32_t)p->tgid, .nr = nr };
                struct bpfrec_tally v;
                if (bpf_map_lookup_and_delete_elem(b->tallies_fd, &k, &v) < 0) {
                        if (errno == ENOENT || bpf_map_lookup_elem(b->tallies_fd, &k, &v) < 0)
                                continue; /* none was made (the table was full) */
                        bpf_map_delete_elem(b->tallies_fd, &k);
                }
                rec_syscall_tally(b->r, p, (int)nr, v.ok, v.err, BPFREC_TALLY_ERRS);
                b->tallied_calls += tally_total(&v);
        }
}

uint64_t bpfrec_tallied(const bpfrec *b)
{
        return b->tallied_calls;
}

void bpfrec_counts(bpfrec *b, kcount *kc)
{
        /* Every process has been folded (bpfrec_fold) by now: a tally left
         * is of a process whose first call the tracer could not place (its
         * task unknown), counted as lost with it. */
        struct bpfrec_tally_key k, next;
        struct bpfrec_tally v;
        while (bpf_map_get_next_key(b->tallies_fd, NULL, &next) == 0) {
                k = next;
                if (bpf_map_lookup_elem(b->tallies_fd, &k, &v) == 0)
                        b->unknown += tally_total(&v);
                if (bpf_map_delete_elem(b->tallies_fd, &k) < 0)
                        break;
        }
        int ncpu = libbpf_num_possible_cpus();
        uint64_t n[BPFREC_HOT_MAX] = { 0 };
        if (ncpu <= 0)
                return;
        uint64_t *percpu = xcalloc((size_t)ncpu, sizeof *percpu);
        for (uint32_t i = 0; i < b->nhot; i++) {
                if (bpf_map_lookup_elem(b->counts_fd, &i, percpu) < 0)
                        continue;
                for (int c = 0; c < ncpu; c++)
                        n[b->hot_entry[i]] += percpu[c];
        }
        free(percpu);
        kcount_set_counts(kc, n);
}

uint64_t bpfrec_lost(const bpfrec *b)
{
        uint32_t k = 0;
        uint64_t n = 0;
        if (bpf_map_lookup_elem(b->lost_fd, &k, &n) < 0)
                return 0;
        return n + b->unknown;
}

uint64_t bpfrec_events(const bpfrec *b)
{
        return b->events;
}

uint64_t bpfrec_exits(const bpfrec *b)
{
        return b->exits;
}

uint64_t bpfrec_throttles(const bpfrec *b)
{
        return b->throttled;
}

uint64_t bpfrec_run_ns(const bpfrec *b)
{
        uint64_t ns = 0;
        for (size_t i = 0; i < ELEMENTSOF(b->prog_fds); i++) {
                struct bpf_prog_info info = { 0 };
                __u32 len = sizeof info;
                if (b->prog_fds[i] >= 0 && bpf_obj_get_info_by_fd(b->prog_fds[i], &info, &len) == 0)
                        ns += info.run_time_ns;
        }
        return ns;
}

json_t *bpfrec_names(const bpfrec *b)
{
        json_t *a = json_array();
        char *v[BPFREC_NR_MAX];
        size_t n = 0;
        for (int nr = 0; nr < BPFREC_NR_MAX; nr++) {
                if (!b->cfg[nr].on)
                        continue;
                const char *name = sys_name(TRACE_ABI_X86_64, (uint64_t)nr);
                v[n++] = *b->why[nr] ? xasprintf("%s (%s)", name, b->why[nr]) : xstrdup(name);
        }
        qsort(v, n, sizeof *v, strcmp_ptr);
        for (size_t i = 0; i < n; i++) {
                json_array_append_new(a, json_string(v[i]));
                free(v[i]);
        }
        return a;
}

void bpfrec_free(bpfrec *b)
{
        if (!b)
                return;
        bpfrec_wait_end(b);
        intmap_free(b->exit_waits, task_free);
        intmap_free(b->fdpaths, free);
        intmap_free(b->inflight, free);
        intmap_free(b->exec_paths, free);
        intmap_free(b->tallied, free);
        if (b->epfd >= 0)
                close(b->epfd);
        if (b->sigfd >= 0)
                close(b->sigfd);
        for (int nr = 0; nr < BPFREC_NR_MAX; nr++)
                free(b->why[nr]);
        ring_buffer__free(b->rb);
        for (size_t i = 0; i < ELEMENTSOF(b->links); i++)
                bpf_link__destroy(b->links[i]);
        bpf_object__close(b->obj);
        free(b->traced);
        free(b);
}
