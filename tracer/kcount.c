/* SPDX-License-Identifier: MIT */
/* Hot syscalls counted in the kernel instead of stopped (the default where
 * the kernel allows it; `record --no-kernel-count` turns it off).
 *
 * The calls in `hot` below feed no output with their arguments or results
 * (or only with argument values the seccomp filter can tell apart: mmap and
 * mprotect without PROT_EXEC, fcntl commands that take no lock, fstat-style
 * newfstatat/statx with exactly AT_EMPTY_PATH). The filter lets those run on
 * x86_64 without a SECCOMP_RET_TRACE stop; every other ABI still stops.
 * Each is counted by one perf counter on the task that execs the workload:
 * PERF_TYPE_TRACEPOINT on syscalls:sys_enter_NAME (which the kernel fires
 * for the native ABI only), or where that event is missing on
 * raw_syscalls:sys_enter with the filter "id == NR" (which also fires for
 * i386 calls of the same number: those always stop, and are subtracted).
 * Counters are inherited by every child, disabled until the exec
 * (enable_on_exec), and read once every traced task is gone, when the
 * kernel has summed the children's counts into them.
 *
 * A counter also counts the calls of its syscall that did stop (mmap with
 * PROT_EXEC ...): kcount_finish() subtracts the stops seen and puts the rest
 * under the program KCOUNT_PROGRAM. Which program made those calls is
 * given up (and so are their stacks: --stacks records with stops). */
#include <fcntl.h>
#include <linux/perf_event.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "tracer/internal.h"
#include "trace/names.h"

typedef enum hot_args {
        HA_ANY,        /* any arguments */
        HA_NO_EXEC,    /* arg 2 (prot) without PROT_EXEC */
        HA_NO_LOCK,    /* arg 1 (fcntl command) not a lock-setting one */
        HA_EMPTY_PATH, /* the flags argument is exactly AT_EMPTY_PATH (fstat) */
} hot_args;

static const struct hot {
        const char *name;
        uint8_t args;
        int8_t flags_arg; /* HA_EMPTY_PATH: the index of the flags argument */
} hot[] = {
        { "read", HA_ANY, -1 },          { "write", HA_ANY, -1 },
        { "close", HA_ANY, -1 },         { "lseek", HA_ANY, -1 },
        { "pread64", HA_ANY, -1 },       { "pwrite64", HA_ANY, -1 },
        { "readv", HA_ANY, -1 },         { "writev", HA_ANY, -1 },
        { "fstat", HA_ANY, -1 },         { "newfstatat", HA_EMPTY_PATH, 3 },
        { "statx", HA_EMPTY_PATH, 2 },   { "fcntl", HA_NO_LOCK, -1 },
        { "dup", HA_ANY, -1 },           { "dup2", HA_ANY, -1 },
        { "dup3", HA_ANY, -1 },          { "pipe2", HA_ANY, -1 },
        { "brk", HA_ANY, -1 },           { "mmap", HA_NO_EXEC, -1 },
        { "mprotect", HA_NO_EXEC, -1 },  { "munmap", HA_ANY, -1 },
        { "mremap", HA_ANY, -1 },        { "madvise", HA_ANY, -1 },
        { "rt_sigaction", HA_ANY, -1 },  { "rt_sigprocmask", HA_ANY, -1 },
        { "rt_sigreturn", HA_ANY, -1 },  { "sigaltstack", HA_ANY, -1 },
        { "futex", HA_ANY, -1 },         { "sched_yield", HA_ANY, -1 },
        { "nanosleep", HA_ANY, -1 },     { "clock_nanosleep", HA_ANY, -1 },
        { "clock_gettime", HA_ANY, -1 }, { "gettimeofday", HA_ANY, -1 },
        { "poll", HA_ANY, -1 },          { "ppoll", HA_ANY, -1 },
        { "select", HA_ANY, -1 },        { "pselect6", HA_ANY, -1 },
        { "epoll_wait", HA_ANY, -1 },    { "epoll_pwait", HA_ANY, -1 },
        { "epoll_ctl", HA_ANY, -1 },     { "recvfrom", HA_ANY, -1 },
        { "recvmsg", HA_ANY, -1 },       { "wait4", HA_ANY, -1 },
        { "getpid", HA_ANY, -1 },        { "gettid", HA_ANY, -1 },
        { "getppid", HA_ANY, -1 },       { "getpgrp", HA_ANY, -1 },
        { "getuid", HA_ANY, -1 },        { "geteuid", HA_ANY, -1 },
        { "getgid", HA_ANY, -1 },        { "getegid", HA_ANY, -1 },
        { "getcwd", HA_ANY, -1 },        { "getrandom", HA_ANY, -1 },
        { "sysinfo", HA_ANY, -1 },       { "uname", HA_ANY, -1 },
};

#define NHOT ELEMENTSOF(hot)

struct kcount {
        int nr[NHOT];   /* x86_64 number, -1 when not counted */
        int evid[NHOT]; /* tracepoint id */
        bool raw[NHOT]; /* raw_syscalls:sys_enter with a filter */
        int fd[NHOT];
        uint64_t stops[2][SYSCALL_SLOTS]; /* entry stops by number: x86_64, i386 */
        uint64_t counted;                 /* calls counted without a stop */
};

static int read_id(const char *dir, const char *event)
{
        char path[256], buf[32];
        snprintf(path, sizeof path, "%s/events/%s/id", dir, event);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        if (n <= 0)
                return -EIO;
        buf[n] = '\0';
        return atoi(buf) > 0 ? atoi(buf) : -EIO;
}

static int open_counter(pid_t pid, int id, bool on_exec)
{
        struct perf_event_attr a = { 0 };
        a.type = PERF_TYPE_TRACEPOINT;
        a.size = sizeof a;
        a.config = (uint64_t)id;
        a.disabled = 1;
        a.inherit = 1;
        a.enable_on_exec = on_exec;
        long fd = syscall(SYS_perf_event_open, &a, pid, -1, -1, PERF_FLAG_FD_CLOEXEC);
        return fd < 0 ? -errno : (int)fd;
}

static int set_filter(int fd, int nr)
{
        char f[32];
        snprintf(f, sizeof f, "id == %d", nr);
        return ioctl(fd, PERF_EVENT_IOC_SET_FILTER, f) < 0 ? -errno : 0;
}

int kcount_probe(kcount **ret)
{
        static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
        const char *dir = NULL;
        int raw_id = -ENOENT;
        for (size_t i = 0; i < ELEMENTSOF(dirs) && !dir; i++)
                if ((raw_id = read_id(dirs[i], "raw_syscalls/sys_enter")) > 0)
                        dir = dirs[i];
        if (!dir) {
                /* tracefs not mounted yet: mount it where it belongs (root only). */
                if (mount("tracefs", dirs[0], "tracefs", 0, NULL) < 0)
                        return -errno;
                if ((raw_id = read_id(dirs[0], "raw_syscalls/sys_enter")) < 0)
                        return raw_id;
                dir = dirs[0];
        }
        kcount *k = xcalloc(1, sizeof *k);
        size_t usable = 0;
        for (size_t i = 0; i < NHOT; i++) {
                k->fd[i] = -1;
                k->nr[i] = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, hot[i].name);
                if (k->nr[i] < 0 || k->nr[i] >= SYSCALL_SLOTS) {
                        k->nr[i] = -1;
                        continue;
                }
                char ev[96];
                snprintf(ev, sizeof ev, "syscalls/sys_enter_%s", hot[i].name);
                k->evid[i] = read_id(dir, ev);
                k->raw[i] = k->evid[i] < 0;
                if (k->raw[i])
                        k->evid[i] = raw_id;
                if (getenv("MINPRIV_KCOUNT_RAW")) { /* tests: the raw event for all */
                        k->evid[i] = raw_id;
                        k->raw[i] = true;
                }
                /* The kernel must accept this counter (and its filter) now:
                 * the seccomp filter is built from this set before the
                 * workload exists. */
                int fd = open_counter(0, k->evid[i], false);
                int rc = fd < 0 ? fd : k->raw[i] ? set_filter(fd, k->nr[i]) : 0;
                if (fd >= 0)
                        close(fd);
                if (rc < 0) {
                        free(k);
                        return rc;
                }
                usable++;
        }
        if (!usable) {
                free(k);
                return -ENOENT;
        }
        *ret = k;
        return 0;
}

int kcount_attach(kcount *k, pid_t pid)
{
        for (size_t i = 0; i < NHOT; i++) {
                if (k->nr[i] < 0)
                        continue;
                int fd = open_counter(pid, k->evid[i], true);
                int rc = fd < 0 ? fd : k->raw[i] ? set_filter(fd, k->nr[i]) : 0;
                if (rc < 0) {
                        if (fd >= 0)
                                close(fd);
                        return rc;
                }
                k->fd[i] = fd;
        }
        return 0;
}

int kcount_filter_rules(const kcount *k, void *ctx)
{
        static const int nolock[] = { F_DUPFD,      F_GETFD,         F_SETFD,     F_GETFL,    F_SETFL,
                                      F_GETLK,      F_DUPFD_CLOEXEC, F_GETOWN,    F_SETOWN,   F_GETPIPE_SZ,
                                      F_SETPIPE_SZ, F_GET_SEALS,     F_ADD_SEALS, F_OFD_GETLK };
        int rc = 0;
        for (size_t i = 0; i < NHOT && rc == 0; i++) {
                if (k->nr[i] < 0)
                        continue;
                /* The filter holds the native ABI only: numbers are x86_64's. */
                int nr = k->nr[i];
                switch (hot[i].args) {
                case HA_ANY:
                        rc = seccomp_rule_add_exact(ctx, SCMP_ACT_ALLOW, nr, 0);
                        break;
                case HA_NO_EXEC:
                        rc = seccomp_rule_add_exact(ctx, SCMP_ACT_ALLOW, nr, 1,
                                                    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
                        break;
                case HA_NO_LOCK:
                        for (size_t c = 0; c < ELEMENTSOF(nolock) && rc == 0; c++)
                                rc = seccomp_rule_add_exact(ctx, SCMP_ACT_ALLOW, nr, 1,
                                                            SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)nolock[c]));
                        break;
                case HA_EMPTY_PATH: {
                        struct scmp_arg_cmp c = { .arg = (unsigned)hot[i].flags_arg,
                                                  .op = SCMP_CMP_MASKED_EQ,
                                                  .datum_a = 0xffffffffULL,
                                                  .datum_b = AT_EMPTY_PATH };
                        rc = seccomp_rule_add_exact_array(ctx, SCMP_ACT_ALLOW, nr, 1, &c);
                        break;
                }
                }
        }
        return rc;
}

void kcount_seen(kcount *k, int abi, uint64_t nr)
{
        if (nr < SYSCALL_SLOTS && (abi == TRACE_ABI_X86_64 || abi == TRACE_ABI_I386))
                k->stops[abi == TRACE_ABI_I386][nr]++;
}

void kcount_finish(recorder *r)
{
        kcount *k = r->kc;
        for (size_t i = 0; i < NHOT; i++) {
                if (k->fd[i] < 0)
                        continue;
                uint64_t n = 0;
                ssize_t got = read(k->fd[i], &n, sizeof n);
                close(k->fd[i]);
                k->fd[i] = -1;
                if (got != (ssize_t)sizeof n)
                        continue;
                int nr = k->nr[i];
                /* The counter saw the calls that stopped too (and, raw, the
                 * i386 calls of the same number, which always stop). */
                uint64_t stopped = k->stops[0][nr] + (k->raw[i] ? k->stops[1][nr] : 0);
                n = n > stopped ? n - stopped : 0;
                if (!n)
                        continue;
                k->counted += n;
                uint32_t prog = rec_program(r, KCOUNT_PROGRAM);
                syscall_counts *pc = &r->pcounts[prog];
                if (!pc->count[TRACE_ABI_X86_64])
                        pc->count[TRACE_ABI_X86_64] = xcalloc(SYSCALL_SLOTS, sizeof(uint64_t));
                pc->count[TRACE_ABI_X86_64][nr] += n;
                if (r->first[TRACE_ABI_X86_64][nr] < 0)
                        r->first[TRACE_ABI_X86_64][nr] = (int32_t)prog;
        }
}

json_t *kcount_names(const kcount *k)
{
        json_t *a = json_array();
        const char *v[NHOT];
        size_t n = 0;
        for (size_t i = 0; i < NHOT; i++)
                if (k->nr[i] >= 0)
                        v[n++] = hot[i].name;
        qsort(v, n, sizeof *v, strcmp_ptr);
        for (size_t i = 0; i < n; i++)
                json_array_append_new(a, json_string(v[i]));
        return a;
}

uint64_t kcount_counted(const kcount *k)
{
        return k->counted;
}

void kcount_free(kcount *k)
{
        if (!k)
                return;
        for (size_t i = 0; i < NHOT; i++)
                if (k->fd[i] >= 0)
                        close(k->fd[i]);
        free(k);
}
