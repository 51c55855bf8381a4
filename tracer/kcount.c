/* SPDX-License-Identifier: MIT */
/* Hot syscalls counted in the kernel instead of stopped (the default where
 * the kernel allows it; `record --no-kernel-count` turns it off).
 *
 * The calls in `hot` below feed no output with their arguments or results
 * (or only with argument values the seccomp filter can tell apart: mmap and
 * mprotect without PROT_EXEC, fcntl commands that take no lock, fstat-style
 * newfstatat/statx with exactly AT_EMPTY_PATH), or an argument value the
 * filter can tell apart and a counter can count alone (ioctl requests such
 * as TCGETS, recorded in arguments.ioctl). The filter lets those run on
 * x86_64 without a SECCOMP_RET_TRACE stop; every other ABI still stops.
 * Each is counted by one perf counter on the task that execs the workload:
 * PERF_TYPE_TRACEPOINT on raw_syscalls:sys_enter with the filter "id == NR"
 * (which also fires for i386 calls of the same number: those always stop,
 * and are subtracted); an ioctl request on syscalls:sys_enter_ioctl with
 * the filter "cmd == V" (that event fires for the native ABI only). One
 * tracepoint for all rather than syscalls:sys_enter_NAME for each: closing
 * the last counter of a tracepoint waits for an RCU grace period
 * (perf_trace_event_unreg), tens of milliseconds on a busy machine, once
 * per tracepoint; the price is every counter's filter run at every syscall
 * of the workload (tens of nanoseconds each).
 * Counters are inherited by every child, disabled until the exec
 * (enable_on_exec), and read once every traced task is gone, when the
 * kernel has summed the children's counts into them.
 * Where the eBPF recorder loads (bpfrec.c), it counts the same calls
 * instead (kcount_table: the same table, no perf counters): per-CPU counts
 * in its sys_enter program for the traced processes' x86_64 calls, from
 * the workload's exec on. That saves the counters' filters at every
 * syscall, their copies at every fork, and the RCU grace periods their
 * closing waits for (about 45 ms per recording).
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
        HA_VALUE,      /* one value of an argument the trace keeps (an ioctl
                          request): counted by a filter on the per-syscall
                          event's field, recorded as arguments[name][value] */
} hot_args;

static const struct hot {
        const char *name;
        uint8_t args;
        int8_t flags_arg;  /* HA_EMPTY_PATH, HA_VALUE: the argument's index */
        const char *field; /* HA_VALUE: the tracepoint's field for it */
        uint32_t value;    /* HA_VALUE */
} hot[] = {
        /* Every counter's filter runs at every syscall of the workload
         * (about 17 ns each here), a stop costs 10 us or more: a call is
         * worth counting when it is more than about 0.2% of a workload's
         * calls. Blocking calls (sleeps) and vDSO calls are left to stop. */
        { "read", HA_ANY, -1 },
        { "write", HA_ANY, -1 },
        { "close", HA_ANY, -1 },
        { "lseek", HA_ANY, -1 },
        { "pread64", HA_ANY, -1 },
        { "pwrite64", HA_ANY, -1 },
        { "readv", HA_ANY, -1 },
        { "writev", HA_ANY, -1 },
        { "fstat", HA_ANY, -1 },
        { "newfstatat", HA_EMPTY_PATH, 3 },
        { "statx", HA_EMPTY_PATH, 2 },
        { "fcntl", HA_NO_LOCK, -1 },
        { "dup", HA_ANY, -1 },
        { "dup2", HA_ANY, -1 },
        { "dup3", HA_ANY, -1 },
        { "pipe2", HA_ANY, -1 },
        { "brk", HA_ANY, -1 },
        { "mmap", HA_NO_EXEC, -1 },
        { "mprotect", HA_NO_EXEC, -1 },
        { "munmap", HA_ANY, -1 },
        { "mremap", HA_ANY, -1 },
        { "madvise", HA_ANY, -1 },
        { "rt_sigaction", HA_ANY, -1 },
        { "rt_sigprocmask", HA_ANY, -1 },
        { "rt_sigreturn", HA_ANY, -1 },
        { "futex", HA_ANY, -1 },
        { "poll", HA_ANY, -1 },
        { "ppoll", HA_ANY, -1 },
        { "epoll_wait", HA_ANY, -1 },
        { "epoll_pwait", HA_ANY, -1 },
        { "recvfrom", HA_ANY, -1 },
        { "recvmsg", HA_ANY, -1 },
        { "wait4", HA_ANY, -1 },
        { "getpid", HA_ANY, -1 },
        { "gettid", HA_ANY, -1 },
        { "getppid", HA_ANY, -1 },
        { "getuid", HA_ANY, -1 },
        { "geteuid", HA_ANY, -1 },
        { "getgid", HA_ANY, -1 },
        { "getegid", HA_ANY, -1 },
        { "getrandom", HA_ANY, -1 },
        /* terminal and fd-flag queries, none of them capability-relevant
         * (caps.c): isatty(), ioctl(FIOCLEX) ... */
        { "ioctl", HA_VALUE, 1, "cmd", 0x5401 /* TCGETS */ },
        { "ioctl", HA_VALUE, 1, "cmd", 0x5451 /* FIOCLEX */ },
        { "ioctl", HA_VALUE, 1, "cmd", 0x5450 /* FIONCLEX */ },
        { "ioctl", HA_VALUE, 1, "cmd", 0x5413 /* TIOCGWINSZ */ },
        { "ioctl", HA_VALUE, 1, "cmd", 0x540f /* TIOCGPGRP */ },
        { "ioctl", HA_VALUE, 1, "cmd", 0x5421 /* FIONBIO */ },
        { "ioctl", HA_VALUE, 1, "cmd", 0x541b /* FIONREAD */ },
};

#define NHOT ELEMENTSOF(hot)

struct kcount {
        int nr[NHOT];   /* x86_64 number, -1 when not counted */
        int evid[NHOT]; /* tracepoint id */
        bool raw[NHOT]; /* raw_syscalls:sys_enter with a filter */
        int fd[NHOT];
        int probe_fd[NHOT];               /* kcount_probe's counters, one per tracepoint */
        uint64_t stops[2][SYSCALL_SLOTS]; /* entry stops by number: x86_64, i386 */
        uint64_t counted;                 /* calls counted without a stop */
        bool bpf;                         /* counted by the eBPF recorder, not perf counters */
        uint64_t bpf_n[NHOT];             /* its counts (kcount_set_counts) */
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

/* The workload's counter (inherited, enabled at its exec), or a probe's on
 * ourselves (not inherited: the workload is forked from us). */
static int open_counter(pid_t pid, int id, bool workload)
{
        struct perf_event_attr a = { 0 };
        a.type = PERF_TYPE_TRACEPOINT;
        a.size = sizeof a;
        a.config = (uint64_t)id;
        a.disabled = 1;
        a.inherit = workload;
        a.enable_on_exec = workload;
        long fd = syscall(SYS_perf_event_open, &a, pid, -1, -1, PERF_FLAG_FD_CLOEXEC);
        return fd < 0 ? -errno : (int)fd;
}

static int set_filter(int fd, const char *field, uint64_t v)
{
        char f[64];
        snprintf(f, sizeof f, "%s == %llu", field, (unsigned long long)v);
        return ioctl(fd, PERF_EVENT_IOC_SET_FILTER, f) < 0 ? -errno : 0;
}

/* The filter a counter needs, if any. */
static int filter_for(const kcount *k, size_t i, int fd)
{
        if (hot[i].args == HA_VALUE)
                return set_filter(fd, hot[i].field, hot[i].value);
        return k->raw[i] ? set_filter(fd, "id", (uint64_t)k->nr[i]) : 0;
}

/* The table with its x86_64 numbers (-1: not on this libseccomp), no
 * counter open. */
static kcount *table_new(void)
{
        kcount *k = xcalloc(1, sizeof *k);
        for (size_t i = 0; i < NHOT; i++) {
                k->fd[i] = k->probe_fd[i] = -1;
                k->nr[i] = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, hot[i].name);
                if (k->nr[i] < 0 || k->nr[i] >= SYSCALL_SLOTS)
                        k->nr[i] = -1;
        }
        return k;
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
        kcount *k = table_new();
        size_t usable = 0;
        for (size_t i = 0; i < NHOT; i++) {
                if (k->nr[i] < 0)
                        continue;
                if (hot[i].args == HA_VALUE) {
                        /* An argument's value: only the syscall's own event
                         * has it as a field (and fires for x86_64 only).
                         * Without that event the call stops. */
                        char ev[96];
                        snprintf(ev, sizeof ev, "syscalls/sys_enter_%s", hot[i].name);
                        if ((k->evid[i] = read_id(dir, ev)) < 0) {
                                k->nr[i] = -1;
                                continue;
                        }
                } else {
                        k->evid[i] = raw_id;
                        k->raw[i] = true;
                }
                /* The kernel must accept a counter (and its filter) on each
                 * tracepoint now: the seccomp filter is built from this set
                 * before the workload exists. That counter, on ourselves,
                 * stays open (it never counts: disabled, and we do not
                 * exec) until the workload's are open: closing the last
                 * counter of a tracepoint waits for an RCU grace period. */
                bool tried = false;
                for (size_t j = 0; j < i && !tried; j++)
                        tried = k->probe_fd[j] >= 0 && k->evid[j] == k->evid[i];
                if (!tried) {
                        int fd = open_counter(0, k->evid[i], false);
                        int rc = fd < 0 ? fd : filter_for(k, i, fd);
                        if (rc < 0) {
                                if (fd >= 0)
                                        close(fd);
                                kcount_free(k);
                                return rc;
                        }
                        k->probe_fd[i] = fd;
                }
                usable++;
        }
        if (!usable) {
                kcount_free(k);
                return -ENOENT;
        }
        *ret = k;
        return 0;
}

int kcount_table(kcount **ret)
{
        kcount *k = table_new();
        k->bpf = true;
        *ret = k;
        return 0;
}

size_t kcount_entries(const kcount *k)
{
        return NHOT;
}

int kcount_entry(const kcount *k, size_t i, int8_t *ret_arg, uint32_t *ret_value)
{
        *ret_arg = hot[i].args == HA_VALUE ? hot[i].flags_arg : -1;
        *ret_value = hot[i].args == HA_VALUE ? hot[i].value : 0;
        return k->nr[i];
}

void kcount_set_counts(kcount *k, const uint64_t *n)
{
        memcpy(k->bpf_n, n, sizeof k->bpf_n);
}

int kcount_attach(kcount *k, pid_t pid)
{
        for (size_t i = 0; i < NHOT; i++) {
                if (k->nr[i] < 0)
                        continue;
                int fd = open_counter(pid, k->evid[i], true);
                int rc = fd < 0 ? fd : filter_for(k, i, fd);
                if (rc < 0) {
                        if (fd >= 0)
                                close(fd);
                        return rc;
                }
                k->fd[i] = fd;
        }
        for (size_t i = 0; i < NHOT; i++)
                if (k->probe_fd[i] >= 0) {
                        close(k->probe_fd[i]);
                        k->probe_fd[i] = -1;
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
                case HA_VALUE:
                        rc = seccomp_rule_add_exact(
                                ctx, SCMP_ACT_ALLOW, nr, 1,
                                SCMP_CMP((unsigned)hot[i].flags_arg, SCMP_CMP_MASKED_EQ, 0xffffffffULL, hot[i].value));
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
                uint64_t n = 0;
                if (k->bpf) {
                        if (k->nr[i] < 0)
                                continue;
                        n = k->bpf_n[i]; /* x86_64 calls only: raw[] is false */
                } else {
                        if (k->fd[i] < 0)
                                continue;
                        ssize_t got = read(k->fd[i], &n, sizeof n);
                        close(k->fd[i]);
                        k->fd[i] = -1;
                        if (got != (ssize_t)sizeof n)
                                continue;
                }
                int nr = k->nr[i];
                /* The counter saw the calls that stopped too (and, raw, the
                 * i386 calls of the same number, which always stop). */
                uint64_t stopped = k->stops[0][nr] + (k->raw[i] ? k->stops[1][nr] : 0);
                if (hot[i].args != HA_VALUE) /* a value's calls never stop on x86_64 */
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
                if (hot[i].args == HA_VALUE) {
                        /* keyed as syscalls.c keys an ioctl request */
                        char key[32];
                        snprintf(key, sizeof key, "0x%x", hot[i].value);
                        json_t *node = trace_node(r->t->root, "arguments", hot[i].name, key, NULL);
                        if (!json_object_get(node, "values"))
                                json_object_set_new(node, "values", json_pack("[I]", (json_int_t)hot[i].value));
                        trace_usage_add(node, KCOUNT_PROGRAM, (json_int_t)n, NULL);
                }
        }
}

json_t *kcount_names(const kcount *k)
{
        json_t *a = json_array();
        const char *v[NHOT];
        size_t n = 0;
        char *own[NHOT];
        for (size_t i = 0; i < NHOT; i++) {
                own[i] = NULL;
                if (k->nr[i] < 0)
                        continue;
                if (hot[i].args == HA_VALUE)
                        v[n++] = own[i] = xasprintf("%s %s=0x%x", hot[i].name, hot[i].field, hot[i].value);
                else
                        v[n++] = hot[i].name;
        }
        qsort(v, n, sizeof *v, strcmp_ptr);
        for (size_t i = 0; i < n; i++)
                json_array_append_new(a, json_string(v[i]));
        for (size_t i = 0; i < NHOT; i++)
                free(own[i]);
        return a;
}

bool kcount_counts_all(const kcount *k, int nr)
{
        for (size_t i = 0; k && i < NHOT; i++)
                if (k->nr[i] == nr && hot[i].args == HA_ANY)
                        return true;
        return false;
}

uint64_t kcount_counted(const kcount *k)
{
        return k->counted;
}

void kcount_free(kcount *k)
{
        if (!k)
                return;
        for (size_t i = 0; i < NHOT; i++) {
                if (k->fd[i] >= 0)
                        close(k->fd[i]);
                if (k->probe_fd[i] >= 0)
                        close(k->probe_fd[i]);
        }
        free(k);
}
