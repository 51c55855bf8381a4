/* SPDX-License-Identifier: MIT */
/* What each syscall means for the trace: which arguments are paths, which
 * values feed argument filters and capability inference, and whether the
 * result is needed (an exit stop). Numbers come from libseccomp per ABI;
 * this table only names syscalls. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/netlink.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <linux/if_packet.h>

#include "tracer/internal.h"
#include "trace/names.h"
#include "common/strbuf.h"

#define K(k) (1u << (k))

enum {
        O_NOFOLLOW_LAST = 1 << 0, /* the call never follows the last symlink */
        O_DIR = 1 << 1,           /* the object is a directory */
        O_EXIT = 1 << 3,          /* always take the exit stop */
        O_CACHE = 1 << 4,         /* only keeps caches: never a reason to stop */
};

typedef struct sysdef sysdef;
typedef void (*entry_fn)(recorder *r, task *t, const sysdef *d);

struct sysdef {
        const char *name;
        entry_fn entry;
        uint32_t kinds;  /* access kinds for the first path (or fd) */
        int8_t dirfd;    /* argument index of the dirfd, -1 = AT_FDCWD */
        int8_t path;     /* argument index of the path (or the fd for fd calls) */
        uint32_t kinds2; /* second path (rename, link) */
        int8_t dirfd2, path2;
        int8_t flags; /* argument index of AT_* flags, -1 none */
        uint8_t opts;
        caps_fn caps; /* capability inference (caps.c), or NULL */
};

static void h_path(recorder *r, task *t, const sysdef *d);
static void h_fd(recorder *r, task *t, const sysdef *d);
static void h_open(recorder *r, task *t, const sysdef *d);
static void h_openat2(recorder *r, task *t, const sysdef *d);
static void h_exec(recorder *r, task *t, const sysdef *d);
static void h_chdir(recorder *r, task *t, const sysdef *d);
static void h_fcntl(recorder *r, task *t, const sysdef *d);
static void h_mmap(recorder *r, task *t, const sysdef *d);
static void h_old_mmap(recorder *r, task *t, const sysdef *d);
static void h_mprotect(recorder *r, task *t, const sysdef *d);
static void h_socket(recorder *r, task *t, const sysdef *d);
static void h_sockaddr(recorder *r, task *t, const sysdef *d);
static void h_sendto(recorder *r, task *t, const sysdef *d);
static void h_sendmsg(recorder *r, task *t, const sysdef *d);
static void h_socketcall(recorder *r, task *t, const sysdef *d);
static void h_setsockopt(recorder *r, task *t, const sysdef *d);
static void h_flags_arg(recorder *r, task *t, const sysdef *d);
static void h_clone3(recorder *r, task *t, const sysdef *d);
static void h_fork(recorder *r, task *t, const sysdef *d);
static void h_fdclose(recorder *r, task *t, const sysdef *d);
static void h_cred(recorder *r, task *t, const sysdef *d);
static void h_signal(recorder *r, task *t, const sysdef *d);
static void h_ptrace(recorder *r, task *t, const sysdef *d);
static void h_uring_setup(recorder *r, task *t, const sysdef *d);
static void h_uring_enter(recorder *r, task *t, const sysdef *d);

#define PATH1(n, k, df, p, fl, o, ...)                                                                                 \
        {                                                                                                              \
                n, h_path, (k), (df), (p), 0, -1, -1, (fl), (o), __VA_ARGS__                                           \
        }
#define FD1(n, k, fdarg, o, ...)                                                                                       \
        {                                                                                                              \
                n, h_fd, (k), -1, (fdarg), 0, -1, -1, -1, (o), __VA_ARGS__                                             \
        }
#define ARG(n, h, o, ...)                                                                                              \
        {                                                                                                              \
                n, h, 0, -1, -1, 0, -1, -1, -1, (o), __VA_ARGS__                                                       \
        }
#define NA -1

static const sysdef defs[] = {
        /* opening */
        { "open", h_open, 0, NA, 0, 0, NA, NA, 1, 0, caps_open },
        { "openat", h_open, 0, 0, 1, 0, NA, NA, 2, 0, caps_open },
        { "creat", h_open, 0, NA, 0, 0, NA, NA, NA, 0, caps_open },
        { "openat2", h_openat2, 0, 0, 1, 0, NA, NA, NA, 0, caps_open },
        /* stat-like: looked at, not opened */
        PATH1("stat", K(AK_STAT), NA, 0, NA, 0),
        PATH1("stat64", K(AK_STAT), NA, 0, NA, 0),
        PATH1("lstat", K(AK_STAT), NA, 0, NA, O_NOFOLLOW_LAST),
        PATH1("lstat64", K(AK_STAT), NA, 0, NA, O_NOFOLLOW_LAST),
        PATH1("oldstat", K(AK_STAT), NA, 0, NA, 0),
        PATH1("oldlstat", K(AK_STAT), NA, 0, NA, O_NOFOLLOW_LAST),
        PATH1("newfstatat", K(AK_STAT), 0, 1, 3, 0),
        PATH1("fstatat64", K(AK_STAT), 0, 1, 3, 0),
        PATH1("statx", K(AK_STAT), 0, 1, 2, 0),
        PATH1("access", K(AK_STAT), NA, 0, NA, 0, caps_none),
        PATH1("faccessat", K(AK_STAT), 0, 1, NA, 0, caps_none),
        PATH1("faccessat2", K(AK_STAT), 0, 1, 3, 0, caps_none),
        PATH1("readlink", K(AK_STAT), NA, 0, NA, O_NOFOLLOW_LAST),
        PATH1("readlinkat", K(AK_STAT), 0, 1, NA, O_NOFOLLOW_LAST),
        PATH1("statfs", K(AK_STAT), NA, 0, NA, 0),
        PATH1("statfs64", K(AK_STAT), NA, 0, NA, 0),
        PATH1("getxattr", K(AK_STAT), NA, 0, NA, 0),
        PATH1("lgetxattr", K(AK_STAT), NA, 0, NA, O_NOFOLLOW_LAST),
        PATH1("listxattr", K(AK_STAT), NA, 0, NA, 0),
        PATH1("llistxattr", K(AK_STAT), NA, 0, NA, O_NOFOLLOW_LAST),
        PATH1("name_to_handle_at", K(AK_STAT), 0, 1, 4, 0),
        PATH1("inotify_add_watch", K(AK_READ), NA, 1, NA, 0),
        /* changing the tree */
        PATH1("mkdir", K(AK_CREATE), NA, 0, NA, O_DIR, caps_new_name),
        PATH1("mkdirat", K(AK_CREATE), 0, 1, NA, O_DIR, caps_new_name),
        PATH1("rmdir", K(AK_DELETE), NA, 0, NA, O_DIR | O_NOFOLLOW_LAST, caps_remove_name),
        PATH1("unlink", K(AK_DELETE), NA, 0, NA, O_NOFOLLOW_LAST, caps_remove_name),
        PATH1("unlinkat", K(AK_DELETE), 0, 1, 2, O_NOFOLLOW_LAST, caps_remove_name),
        { "rename", h_path, K(AK_RENAME), NA, 0, K(AK_RENAME), NA, 1, NA, O_NOFOLLOW_LAST, caps_remove_name },
        { "renameat", h_path, K(AK_RENAME), 0, 1, K(AK_RENAME), 2, 3, NA, O_NOFOLLOW_LAST, caps_remove_name },
        { "renameat2", h_path, K(AK_RENAME), 0, 1, K(AK_RENAME), 2, 3, NA, O_NOFOLLOW_LAST, caps_remove_name },
        { "link", h_path, K(AK_STAT), NA, 0, K(AK_LINK), NA, 1, NA, O_NOFOLLOW_LAST, caps_link },
        { "linkat", h_path, K(AK_STAT), 0, 1, K(AK_LINK), 2, 3, 4, O_NOFOLLOW_LAST, caps_link },
        { "symlink", h_path, 0, NA, NA, K(AK_CREATE), NA, 1, NA, O_NOFOLLOW_LAST, caps_new_name },
        { "symlinkat", h_path, 0, NA, NA, K(AK_CREATE), 1, 2, NA, O_NOFOLLOW_LAST, caps_new_name },
        PATH1("mknod", K(AK_CREATE), NA, 0, NA, O_NOFOLLOW_LAST, caps_mknod),
        PATH1("mknodat", K(AK_CREATE), 0, 1, NA, O_NOFOLLOW_LAST, caps_mknod),
        /* attributes */
        PATH1("chmod", K(AK_ATTR), NA, 0, NA, 0, caps_chmod),
        PATH1("fchmodat", K(AK_ATTR), 0, 1, NA, 0, caps_chmod),
        PATH1("fchmodat2", K(AK_ATTR), 0, 1, 3, 0, caps_chmod),
        PATH1("chown", K(AK_ATTR), NA, 0, NA, 0, caps_chown),
        PATH1("chown32", K(AK_ATTR), NA, 0, NA, 0, caps_chown),
        PATH1("lchown", K(AK_ATTR), NA, 0, NA, O_NOFOLLOW_LAST, caps_chown),
        PATH1("lchown32", K(AK_ATTR), NA, 0, NA, O_NOFOLLOW_LAST, caps_chown),
        PATH1("fchownat", K(AK_ATTR), 0, 1, 4, 0, caps_chown),
        PATH1("utime", K(AK_ATTR), NA, 0, NA, 0, caps_utime),
        PATH1("utimes", K(AK_ATTR), NA, 0, NA, 0, caps_utime),
        PATH1("futimesat", K(AK_ATTR), 0, 1, NA, 0, caps_utime),
        PATH1("utimensat", K(AK_ATTR), 0, 1, 3, 0, caps_utime),
        PATH1("utimensat_time64", K(AK_ATTR), 0, 1, 3, 0, caps_utime),
        PATH1("truncate", K(AK_WRITE), NA, 0, NA, 0),
        PATH1("truncate64", K(AK_WRITE), NA, 0, NA, 0),
        PATH1("setxattr", K(AK_ATTR), NA, 0, NA, 0, caps_setxattr),
        PATH1("lsetxattr", K(AK_ATTR), NA, 0, NA, O_NOFOLLOW_LAST, caps_setxattr),
        PATH1("removexattr", K(AK_ATTR), NA, 0, NA, 0, caps_none),
        PATH1("lremovexattr", K(AK_ATTR), NA, 0, NA, O_NOFOLLOW_LAST, caps_none),
        /* fd-based: the object is found through /proc/PID/fd */
        FD1("getdents", K(AK_LIST), 0, O_DIR),
        FD1("getdents64", K(AK_LIST), 0, O_DIR),
        FD1("readdir", K(AK_LIST), 0, O_DIR),
        FD1("fchmod", K(AK_ATTR), 0, 0, caps_chmod),
        FD1("fchown", K(AK_ATTR), 0, 0, caps_chown),
        FD1("fchown32", K(AK_ATTR), 0, 0, caps_chown),
        FD1("ftruncate", K(AK_WRITE), 0, 0),
        FD1("ftruncate64", K(AK_WRITE), 0, 0),
        FD1("fsetxattr", K(AK_ATTR), 0, 0, caps_setxattr),
        FD1("fremovexattr", K(AK_ATTR), 0, 0, caps_none),
        FD1("flock", K(AK_LOCK), 0, 0),
        { "fcntl", h_fcntl, K(AK_LOCK), NA, 0, 0, NA, NA, NA, 0 },
        { "fcntl64", h_fcntl, K(AK_LOCK), NA, 0, 0, NA, NA, NA, 0 },
        /* programs and working directory */
        { "execve", h_exec, K(AK_EXEC), NA, 0, 0, NA, NA, NA, O_EXIT, caps_exec },
        { "execveat", h_exec, K(AK_EXEC), 0, 1, 0, NA, NA, 4, O_EXIT, caps_exec },
        { "chdir", h_chdir, K(AK_CHDIR), NA, 0, 0, NA, NA, NA, O_DIR },
        { "fchdir", h_chdir, K(AK_CHDIR), NA, 0, 0, NA, NA, NA, O_DIR },
        { "chroot", h_chdir, K(AK_CHDIR), NA, 0, 0, NA, NA, NA, O_DIR, caps_chroot },
        /* mounts */
        PATH1("mount", K(AK_MOUNT), NA, 1, NA, 0, caps_mount),
        PATH1("umount", K(AK_MOUNT), NA, 0, NA, 0, caps_mount),
        PATH1("umount2", K(AK_MOUNT), NA, 0, NA, 0, caps_mount),
        { "pivot_root", h_path, K(AK_MOUNT), NA, 0, K(AK_MOUNT), NA, 1, NA, 0, caps_mount },
        /* memory mapped executable */
        { "mmap", h_mmap, 0, NA, NA, 0, NA, NA, NA, 0 },
        { "mmap2", h_mmap, 0, NA, NA, 0, NA, NA, NA, 0 },
        ARG("mprotect", h_mprotect, 0),
        ARG("pkey_mprotect", h_mprotect, 0),
        /* network */
        ARG("socket", h_socket, 0, caps_socket),
        ARG("socketpair", h_socket, 0),
        ARG("bind", h_sockaddr, 0, caps_bind),
        ARG("connect", h_sockaddr, 0),
        ARG("sendto", h_sendto, 0, caps_sendto),
        ARG("sendmsg", h_sendmsg, 0, caps_sendmsg),
        ARG("socketcall", h_socketcall, 0, caps_socketcall),
        ARG("setsockopt", h_setsockopt, 0, caps_setsockopt),
        /* processes and namespaces */
        ARG("clone", h_flags_arg, 0, caps_clone),
        ARG("clone3", h_clone3, 0, caps_clone),
        ARG("fork", h_fork, 0),
        /* fd numbers that stop naming what the fd cache says */
        ARG("close", h_fdclose, O_CACHE),
        ARG("close_range", h_fdclose, O_CACHE),
        ARG("dup2", h_fdclose, O_CACHE),
        ARG("dup3", h_fdclose, O_CACHE),
        ARG("vfork", h_fork, 0),
        ARG("unshare", h_flags_arg, 0, caps_clone),
        ARG("setns", h_flags_arg, 0, caps_setns),
        ARG("personality", h_flags_arg, 0),
        ARG("prctl", h_flags_arg, 0, caps_prctl),
        ARG("ioctl", h_flags_arg, 0, caps_ioctl),
        /* credentials */
        ARG("setuid", h_cred, 0, caps_setid),
        ARG("setuid32", h_cred, 0, caps_setid),
        ARG("setgid", h_cred, 0, caps_setid),
        ARG("setgid32", h_cred, 0, caps_setid),
        ARG("setreuid", h_cred, 0, caps_setid),
        ARG("setreuid32", h_cred, 0, caps_setid),
        ARG("setregid", h_cred, 0, caps_setid),
        ARG("setregid32", h_cred, 0, caps_setid),
        ARG("setresuid", h_cred, 0, caps_setid),
        ARG("setresuid32", h_cred, 0, caps_setid),
        ARG("setresgid", h_cred, 0, caps_setid),
        ARG("setresgid32", h_cred, 0, caps_setid),
        ARG("setfsuid", h_cred, 0, caps_setid),
        ARG("setfsuid32", h_cred, 0, caps_setid),
        ARG("setfsgid", h_cred, 0, caps_setid),
        ARG("setfsgid32", h_cred, 0, caps_setid),
        ARG("setgroups", h_cred, 0, caps_setgroups),
        ARG("setgroups32", h_cred, 0, caps_setgroups),
        ARG("capset", h_cred, 0, caps_none),
        /* signals and tracing */
        ARG("kill", h_signal, 0, caps_signal),
        ARG("tkill", h_signal, 0, caps_signal),
        ARG("tgkill", h_signal, 0, caps_signal),
        ARG("rt_sigqueueinfo", h_signal, 0, caps_signal),
        ARG("rt_tgsigqueueinfo", h_signal, 0, caps_signal),
        ARG("ptrace", h_ptrace, 0, caps_ptrace),
        /* io_uring: the operations a ring submits are read from it (uring.c) */
        ARG("io_uring_setup", h_uring_setup, O_EXIT),
        ARG("io_uring_enter", h_uring_enter, O_EXIT),
        /* calls decided by capability inference alone */
        ARG("setrlimit", NULL, 0, caps_rlimit),
        ARG("prlimit64", NULL, 0, caps_rlimit),
        ARG("nice", NULL, 0, caps_nice),
        ARG("setpriority", NULL, 0, caps_setpriority),
        ARG("sched_setscheduler", NULL, 0, caps_sched),
        ARG("sched_setattr", NULL, 0, caps_sched),
        ARG("sethostname", NULL, 0, caps_hostname),
        ARG("setdomainname", NULL, 0, caps_hostname),
        ARG("syslog", NULL, 0, caps_direct),
        ARG("reboot", NULL, 0, caps_direct),
        ARG("init_module", NULL, 0, caps_direct),
        ARG("finit_module", NULL, 0, caps_direct),
        ARG("delete_module", NULL, 0, caps_direct),
        ARG("settimeofday", NULL, 0, caps_direct),
        ARG("clock_settime", NULL, 0, caps_direct),
        ARG("stime", NULL, 0, caps_direct),
        ARG("adjtimex", NULL, 0, caps_adjtime),
        ARG("clock_adjtime", NULL, 0, caps_adjtime),
        ARG("clock_adjtime64", NULL, 0, caps_adjtime),
        ARG("clock_settime64", NULL, 0, caps_direct),
        ARG("iopl", NULL, 0, caps_direct),
        ARG("ioperm", NULL, 0, caps_direct),
        ARG("acct", NULL, 0, caps_direct),
        ARG("swapon", NULL, 0, caps_direct),
        ARG("swapoff", NULL, 0, caps_direct),
        ARG("quotactl", NULL, 0, caps_direct),
        ARG("kexec_load", NULL, 0, caps_direct),
        ARG("kexec_file_load", NULL, 0, caps_direct),
        ARG("bpf", NULL, 0, caps_none),
        ARG("perf_event_open", NULL, 0, caps_none),
        ARG("lookup_dcookie", NULL, 0, caps_direct),
        ARG("vhangup", NULL, 0, caps_direct),
        ARG("fanotify_init", NULL, 0, caps_direct),
        ARG("open_by_handle_at", NULL, 0, caps_direct),
};

static const sysdef *table[_TRACE_ABI_MAX][SYSCALL_SLOTS];
static char *names[_TRACE_ABI_MAX][SYSCALL_SLOTS];

void sys_table_init(void)
{
        static bool done;
        if (done)
                return;
        done = true;
        for (int a = 0; a < _TRACE_ABI_MAX; a++) {
                for (int nr = 0; nr < SYSCALL_SLOTS; nr++) {
                        int num = a == TRACE_ABI_X32 ? (int)(nr | X32_SYSCALL_BIT) : nr;
                        char *n = seccomp_syscall_resolve_num_arch(trace_abi_scmp_arch((trace_abi)a), num);
                        names[a][nr] = n;
                }
                for (size_t i = 0; i < ELEMENTSOF(defs); i++) {
                        int nr = seccomp_syscall_resolve_name_arch(trace_abi_scmp_arch((trace_abi)a), defs[i].name);
                        if (nr < 0)
                                continue;
                        nr &= ~(int)X32_SYSCALL_BIT;
                        if (nr < SYSCALL_SLOTS)
                                table[a][nr] = &defs[i];
                }
        }
}

const char *sys_name(int abi, uint64_t nr)
{
        if (abi < 0 || abi >= _TRACE_ABI_MAX || nr >= SYSCALL_SLOTS)
                return NULL;
        return names[abi][nr];
}

bool sys_exit_must_stop(int abi, uint64_t nr)
{
        return nr < SYSCALL_SLOTS && table[abi][nr] && (table[abi][nr]->opts & O_EXIT);
}

bool sys_needs_stop(int abi, uint64_t nr)
{
        if (nr >= SYSCALL_SLOTS || !names[abi][nr])
                return true;
        return table[abi][nr] != NULL && !(table[abi][nr]->opts & O_CACHE);
}

/* ------------------------------------------------------------- helpers */

static const char *prog(recorder *r, task *t)
{
        return task_program(r, t);
}

/* Queue a file access for dirfd+path read from the tracee. */
static pending *want_path(recorder *r, task *t, int dirfd, uint64_t addr, uint32_t kinds, bool nofollow, bool dir)
{
        char buf[PATH_MAX + 1];
        ssize_t n = mem_read_string(t->tid, addr, buf, sizeof buf);
        if (n < 0)
                return NULL; /* bad pointer or too long: the call fails by itself */
        _cleanup_free_ char *abs = task_resolve_at(r, t, dirfd, buf, (size_t)n);
        if (!abs)
                return NULL;
        pending *pd = pend_add(t, PEND_FILE);
        if (!pd)
                return NULL;
        pd->path = trace_path_encode(abs, strlen(abs));
        pd->kinds = kinds;
        pd->nofollow = nofollow;
        pd->dir = dir ? 1 : 0;
        return pd;
}

/* Queue a file access for an open file descriptor. */
static pending *want_fd(recorder *r, task *t, int fd, uint32_t kinds, bool dir)
{
        _cleanup_free_ char *path = task_fd_path(r, t, fd);
        if (!path)
                return NULL; /* pipes, sockets, anonymous inodes, bad fds */
        pending *pd = pend_add(t, PEND_FILE);
        if (!pd)
                return NULL;
        pd->path = trace_path_encode(path, strlen(path));
        pd->kinds = kinds;
        pd->nofollow = true; /* /proc/PID/fd names the object itself */
        pd->dir = dir ? 1 : 0;
        return pd;
}

static void want_node(task *t, json_t *results_map)
{
        pending *pd = pend_add(t, PEND_NODE);
        if (pd)
                pd->node = results_map;
}

static json_t *argument_entry(recorder *r, const char *what, const char *key, const uint64_t *values, size_t n)
{
        json_t *node = trace_node(r->t->root, "arguments", what, key, NULL);
        if (!json_object_get(node, "values")) {
                json_t *arr = json_array();
                for (size_t i = 0; i < n; i++)
                        json_array_append_new(arr, json_integer((json_int_t)values[i]));
                json_object_set_new(node, "values", arr);
        }
        return node;
}

static void record_argument(recorder *r, task *t, const char *what, const char *key, const uint64_t *values, size_t n)
{
        json_t *node = argument_entry(r, what, key, values, n);
        trace_usage_add(node, prog(r, t), 1, NULL);
}

/* ------------------------------------------------------------ handlers */

static void h_path(recorder *r, task *t, const sysdef *d)
{
        int flags = d->flags >= 0 ? (int)t->args[d->flags] : 0;
        bool nofollow = (d->opts & O_NOFOLLOW_LAST) != 0;
        bool dir = (d->opts & O_DIR) != 0;
        if (d->flags >= 0) {
                if (streq(d->name, "linkat"))
                        nofollow = !(flags & AT_SYMLINK_FOLLOW);
                else if (streq(d->name, "unlinkat"))
                        dir = (flags & AT_REMOVEDIR) != 0;
                else if (flags & AT_SYMLINK_NOFOLLOW)
                        nofollow = true;
        }
        if (d->path >= 0) {
                int dirfd = d->dirfd >= 0 ? (int)t->args[d->dirfd] : AT_FDCWD;
                uint64_t addr = t->args[d->path];
                if (addr == 0 && (streq(d->name, "utimensat") || streq(d->name, "utimensat_time64"))) {
                        want_fd(r, t, dirfd, d->kinds, false); /* utimensat(fd, NULL, ...) */
                } else {
                        char first;
                        /* AT_EMPTY_PATH with "": the call is about dirfd itself. */
                        if ((flags & AT_EMPTY_PATH) && addr && mem_read(t->tid, addr, &first, 1) == 1 &&
                            first == '\0') {
                                if (!(d->kinds & K(AK_STAT)))
                                        want_fd(r, t, dirfd, d->kinds, dir);
                        } else {
                                pending *pd = want_path(r, t, dirfd, addr, d->kinds, nofollow, dir);
                                /* mkdir, mkdirat: the mode follows the path */
                                if (pd && d->kinds == K(AK_CREATE) && (d->opts & O_DIR))
                                        pd->private_new = !(t->args[d->path + 1] & 077);
                        }
                }
        }
        if (d->path2 >= 0) {
                int dirfd2 = d->dirfd2 >= 0 ? (int)t->args[d->dirfd2] : AT_FDCWD;
                want_path(r, t, dirfd2, t->args[d->path2], d->kinds2, true, false);
        }
        /* Caches hold only what exists: a new name changes nothing cached,
         * a removed name drops its own entries, a renamed one (maybe a
         * directory with cached names below it) or a mount drops them all. */
        if ((d->kinds | d->kinds2) & (K(AK_RENAME) | K(AK_MOUNT))) {
                pend_forget(t, NULL, true);
        } else if (d->kinds & K(AK_DELETE)) {
                const pending *pd = NULL;
                for (int i = 0; i < t->npend; i++)
                        if (t->pend[i].type == PEND_FILE)
                                pd = &t->pend[i];
                if (pd)
                        pend_forget(t, pd->path, false);
        }
}

static void h_fd(recorder *r, task *t, const sysdef *d)
{
        want_fd(r, t, (int)t->args[d->path], d->kinds, (d->opts & O_DIR) != 0);
}

uint32_t open_kinds(uint64_t flags)
{
        uint32_t kinds = 0;
        if (flags & O_PATH)
                return K(AK_STAT);
        int acc = (int)(flags & O_ACCMODE);
        if (acc == O_RDONLY || acc == O_RDWR)
                kinds |= K(AK_READ);
        if (acc == O_WRONLY || acc == O_RDWR)
                kinds |= (flags & O_APPEND) ? K(AK_APPEND) : K(AK_WRITE);
        if (flags & O_TRUNC)
                kinds |= K(AK_WRITE);
        return kinds;
}

void open_created(task *t, pending *pd, uint64_t flags, uint64_t mode)
{
        if (!pd || !(flags & O_CREAT))
                return;
        if (flags & O_EXCL) {
                pd->created = true;
                pd->private_new = !(mode & 077);
        } else if (t->kcreated_known) {
                pd->created = t->kcreated;
        } else if (t->p->root_is_ours) {
                _cleanup_free_ char *raw = trace_path_decode(pd->path, NULL);
                struct stat st;
                pd->created = raw && lstat(raw, &st) < 0 && errno == ENOENT;
        }
}

static void open_common(recorder *r, task *t, int dirfd, uint64_t addr, uint64_t flags, uint64_t mode)
{
        pending *pd =
                want_path(r, t, dirfd, addr, open_kinds(flags), (flags & O_NOFOLLOW) != 0, (flags & O_DIRECTORY) != 0);
        open_created(t, pd, flags, mode);
}

static void h_open(recorder *r, task *t, const sysdef *d)
{
        int dirfd = d->dirfd >= 0 ? (int)t->args[d->dirfd] : AT_FDCWD;
        uint64_t flags = d->flags >= 0 ? t->args[d->flags] : (O_CREAT | O_WRONLY | O_TRUNC); /* creat() */
        uint64_t mode = d->flags >= 0 ? t->args[d->flags + 1] : t->args[d->path + 1];        /* after the flags */
        open_common(r, t, dirfd, t->args[d->path], flags, mode);
}

static void h_openat2(recorder *r, task *t, const sysdef *d)
{
        struct open_how how;
        if (mem_read(t->tid, t->args[2], &how, sizeof how) != (ssize_t)sizeof how)
                return;
        open_common(r, t, (int)t->args[0], t->args[1], how.flags, how.mode);
}

static void h_exec(recorder *r, task *t, const sysdef *d)
{
        int dirfd = d->dirfd >= 0 ? (int)t->args[d->dirfd] : AT_FDCWD;
        int flags = d->flags >= 0 ? (int)t->args[d->flags] : 0;
        char first = 1;
        if ((flags & AT_EMPTY_PATH) && mem_read(t->tid, t->args[d->path], &first, 1) == 1 && first == '\0')
                want_fd(r, t, dirfd, K(AK_EXEC), false);
        else
                want_path(r, t, dirfd, t->args[d->path], K(AK_EXEC), (flags & AT_SYMLINK_NOFOLLOW) != 0, false);
}

static void h_chdir(recorder *r, task *t, const sysdef *d)
{
        if (streq(d->name, "fchdir"))
                want_fd(r, t, (int)t->args[0], K(AK_CHDIR), true);
        else
                want_path(r, t, AT_FDCWD, t->args[0], K(AK_CHDIR), false, true);
        pend_add(t, PEND_CWD);
}

static void h_fcntl(recorder *r, task *t, const sysdef *d)
{
        int cmd = (int)t->args[1];
        if (cmd == F_SETLK || cmd == F_SETLKW || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW || cmd == F_SETLK64 ||
            cmd == F_SETLKW64)
                want_fd(r, t, (int)t->args[0], K(AK_LOCK), false);
}

static void mmap_exec(recorder *r, task *t, uint64_t prot, uint64_t flags, int fd)
{
        if (!(prot & PROT_EXEC))
                return;
        bool file = !(flags & MAP_ANONYMOUS) && fd >= 0;
        uint64_t v[1] = { file ? 1 : 0 };
        record_argument(r, t, "mmap_exec", file ? "file" : "anonymous", v, 1);
        if (file)
                want_fd(r, t, fd, K(AK_MMAP_EXEC), false);
}

static void h_mmap(recorder *r, task *t, const sysdef *d)
{
        if (t->abi == TRACE_ABI_I386 && streq(d->name, "mmap")) {
                h_old_mmap(r, t, d);
                return;
        }
        mmap_exec(r, t, t->args[2], t->args[3], (int)t->args[4]);
        if (!(t->args[3] & MAP_ANONYMOUS))
                uring_mmap_entry(r, t, (int)t->args[4], streq(d->name, "mmap2") ? t->args[5] * 4096 : t->args[5]);
}

static void h_uring_setup(recorder *r, task *t, const sysdef *d)
{
        pend_add(t, PEND_URING_SETUP);
}

static void h_uring_enter(recorder *r, task *t, const sysdef *d)
{
        uring_enter_entry(r, t);
}

static void h_old_mmap(recorder *r, task *t, const sysdef *d)
{
        /* i386 old_mmap: one pointer to {addr, len, prot, flags, fd, off}. */
        uint32_t a[6];
        if (mem_read(t->tid, t->args[0], a, sizeof a) != (ssize_t)sizeof a)
                return;
        mmap_exec(r, t, a[2], a[3], (int)a[4]);
}

static void h_mprotect(recorder *r, task *t, const sysdef *d)
{
        if (!(t->args[2] & PROT_EXEC))
                return;
        uint64_t v[1] = { t->args[2] };
        record_argument(r, t, "mprotect_exec", "PROT_EXEC", v, 1);
}

static void socket_args(recorder *r, task *t, const char *what, uint64_t domain, uint64_t type, uint64_t protocol)
{
        const char *fam = family_name((int)domain);
        const char *ty = socktype_name((int)type);
        char key[128];
        snprintf(key, sizeof key, "%s %s %llu", fam ? fam : "AF_?", ty ? ty : "SOCK_?", (unsigned long long)protocol);
        if (!fam || !ty)
                snprintf(key, sizeof key, "%llu %llu %llu", (unsigned long long)domain,
                         (unsigned long long)(type & 0xf), (unsigned long long)protocol);
        uint64_t v[3] = { domain & 0xffffffff, type & 0xf,
                          protocol & 0xffffffff }; /* type without SOCK_CLOEXEC/NONBLOCK, as in the key */
        record_argument(r, t, what, key, v, 3);
}

static void h_socket(recorder *r, task *t, const sysdef *d)
{
        socket_args(r, t, d->name, t->args[0], t->args[1], t->args[2]);
}

/* Describe a socket address: family name and a printable address. */
bool sys_describe_sockaddr(recorder *r, task *t, uint64_t addr, uint64_t len, char *fam, size_t famsz, char **ret_addr,
                           char **ret_unix_path)
{
        struct sockaddr_storage ss;
        memset(&ss, 0, sizeof ss);
        if (!addr || len < sizeof(sa_family_t))
                return false;
        if (len > sizeof ss)
                len = sizeof ss;
        if (mem_read(t->tid, addr, &ss, len) != (ssize_t)len)
                return false;
        const char *fn = family_name(ss.ss_family);
        snprintf(fam, famsz, "%s", fn ? fn : "AF_UNSPEC");
        char buf[INET6_ADDRSTRLEN + 16];
        *ret_unix_path = NULL;
        switch (ss.ss_family) {
        case AF_INET: {
                struct sockaddr_in *in = (struct sockaddr_in *)&ss;
                inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
                *ret_addr = xasprintf("%s:%u", buf, ntohs(in->sin_port));
                return true;
        }
        case AF_INET6: {
                struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
                inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
                *ret_addr = xasprintf("[%s]:%u", buf, ntohs(in6->sin6_port));
                return true;
        }
        case AF_UNIX: {
                struct sockaddr_un *un = (struct sockaddr_un *)&ss;
                size_t plen = len - offsetof(struct sockaddr_un, sun_path);
                if (plen == 0) {
                        *ret_addr = xstrdup("(unnamed)");
                } else if (un->sun_path[0] == '\0') {
                        /* an abstract name is every byte of the address,
                         * NULs too (encoded \x00): cut at a NUL it would
                         * name another socket */
                        _cleanup_free_ char *enc = trace_path_encode(un->sun_path + 1, plen - 1);
                        *ret_addr = xasprintf("@%s", enc);
                } else {
                        size_t n = strnlen(un->sun_path, plen);
                        _cleanup_free_ char *raw = xstrndup(un->sun_path, n);
                        _cleanup_free_ char *abs = task_resolve_at(r, t, AT_FDCWD, raw, n);
                        if (!abs)
                                abs = xstrdup(raw);
                        *ret_addr = trace_path_encode(abs, strlen(abs));
                        *ret_unix_path = xstrdup(abs);
                }
                return true;
        }
        case AF_NETLINK: {
                struct sockaddr_nl *nl = (struct sockaddr_nl *)&ss;
                *ret_addr = xasprintf("groups=0x%x", nl->nl_groups);
                return true;
        }
        case AF_PACKET: {
                struct sockaddr_ll *ll = (struct sockaddr_ll *)&ss;
                *ret_addr = xasprintf("ifindex=%d protocol=0x%04x", ll->sll_ifindex, ntohs(ll->sll_protocol));
                return true;
        }
        default:
                *ret_addr = xstrdup("-");
                return true;
        }
}

static void record_sockaddr(recorder *r, task *t, const char *op, uint64_t addr, uint64_t len)
{
        char fam[32];
        _cleanup_free_ char *a = NULL, *unix_path = NULL;
        if (!sys_describe_sockaddr(r, t, addr, len, fam, sizeof fam, &a, &unix_path))
                return;
        want_node(t, trace_node(r->t->root, "network", op, fam, a, NULL));
        if (unix_path) {
                /* A pathname socket is also a file: bind creates it, the
                 * others write to it. */
                pending *pd = pend_add(t, PEND_FILE);
                if (pd) {
                        pd->path = trace_path_encode(unix_path, strlen(unix_path));
                        pd->kinds = streq(op, "bind") ? K(AK_CREATE) : K(AK_WRITE);
                        pd->nofollow = streq(op, "bind");
                }
        }
}

static void h_sockaddr(recorder *r, task *t, const sysdef *d)
{
        record_sockaddr(r, t, d->name, t->args[1], t->args[2]);
}

static void h_sendto(recorder *r, task *t, const sysdef *d)
{
        if (t->args[4])
                record_sockaddr(r, t, "sendto", t->args[4], t->args[5]);
}

static void h_sendmsg(recorder *r, task *t, const sysdef *d)
{
        uint64_t name, namelen;
        if (t->abi == TRACE_ABI_X86_64) {
                struct msghdr mh;
                if (mem_read(t->tid, t->args[1], &mh, sizeof mh) != (ssize_t)sizeof mh)
                        return;
                name = (uint64_t)(uintptr_t)mh.msg_name;
                namelen = mh.msg_namelen;
        } else {
                uint32_t mh[2]; /* compat msghdr: msg_name, msg_namelen first */
                if (mem_read(t->tid, t->args[1], mh, sizeof mh) != (ssize_t)sizeof mh)
                        return;
                name = mh[0];
                namelen = mh[1];
        }
        if (name)
                record_sockaddr(r, t, "sendto", name, namelen);
}

static void h_socketcall(recorder *r, task *t, const sysdef *d)
{
        /* i386 multiplexer: args[0] is the call, args[1] points to the
         * 32-bit arguments. */
        uint32_t a[6] = { 0 };
        int call = (int)t->args[0];
        uint64_t v[1] = { (uint64_t)call };
        char key[16];
        snprintf(key, sizeof key, "%d", call);
        record_argument(r, t, "socketcall", key, v, 1);
        if (mem_read(t->tid, t->args[1], a, sizeof a) < 16)
                return;
        switch (call) {
        case 1: /* SYS_SOCKET */
                socket_args(r, t, "socket", a[0], a[1], a[2]);
                break;
        case 2: /* SYS_BIND */
                record_sockaddr(r, t, "bind", a[1], a[2]);
                break;
        case 3: /* SYS_CONNECT */
                record_sockaddr(r, t, "connect", a[1], a[2]);
                break;
        case 11: /* SYS_SENDTO */
                if (a[4])
                        record_sockaddr(r, t, "sendto", a[4], a[5]);
                break;
        }
}

static void h_setsockopt(recorder *r, task *t, const sysdef *d)
{
        char key[48];
        snprintf(key, sizeof key, "%d:%d", (int)t->args[1], (int)t->args[2]);
        uint64_t v[2] = { t->args[1] & 0xffffffff, t->args[2] & 0xffffffff };
        record_argument(r, t, "setsockopt", key, v, 2);
}

/* CLONE_UNTRACED keeps the child from the tracer (PTRACE_O_TRACECLONE does
 * not attach it): under --no-seccomp it would run unrecorded, and with the
 * filter its calls would fail ENOSYS. The bit is cleared in the argument
 * before the kernel reads it (the register for clone, the clone_args word
 * for clone3), so the child is traced like any other; the trace keeps the
 * flags as the program gave them. */
static void clear_untraced(task *t, bool clone3, uint64_t flags)
{
        uint64_t v = flags & ~(uint64_t)CLONE_UNTRACED;
        if (clone3) {
                (void)!ptrace(PTRACE_POKEDATA, t->tid, (void *)(uintptr_t)t->args[0], (void *)(uintptr_t)v);
                return;
        }
        size_t off = t->abi == TRACE_ABI_I386 ? offsetof(struct user_regs_struct, rbx)
                                              : offsetof(struct user_regs_struct, rdi);
        (void)!ptrace(PTRACE_POKEUSER, t->tid, (void *)off, (void *)(uintptr_t)v);
}

static void h_flags_arg(recorder *r, task *t, const sysdef *d)
{
        /* The first argument (second for ioctl/setns) as given: clone and
         * unshare flags, personality, prctl option, ioctl request, setns
         * nstype. */
        int idx = streq(d->name, "ioctl") || streq(d->name, "setns") ? 1 : 0;
        uint64_t v = t->args[idx];
        if (t->abi != TRACE_ABI_X86_64 || streq(d->name, "ioctl") || streq(d->name, "personality") ||
            streq(d->name, "prctl") || streq(d->name, "setns"))
                v &= 0xffffffff; /* these are C ints/unsigned ints */
        char key[32];
        if (streq(d->name, "prctl"))
                snprintf(key, sizeof key, "%llu", (unsigned long long)v);
        else
                snprintf(key, sizeof key, "0x%llx", (unsigned long long)v);
        record_argument(r, t, d->name, key, &v, 1);
        if (streq(d->name, "clone")) {
                if (v & CLONE_UNTRACED)
                        clear_untraced(t, false, v);
                t->clone_flags = v;
                t->clone_seen = true;
        }
}

static void h_clone3(recorder *r, task *t, const sysdef *d)
{
        uint64_t flags;
        if (mem_read(t->tid, t->args[0], &flags, sizeof flags) != (ssize_t)sizeof flags)
                return;
        char key[32];
        snprintf(key, sizeof key, "0x%llx", (unsigned long long)flags);
        record_argument(r, t, "clone3", key, &flags, 1);
        if (flags & CLONE_UNTRACED)
                clear_untraced(t, true, flags);
        t->clone_flags = flags;
        t->clone_seen = true;
}

static void h_fdclose(recorder *r, task *t, const sysdef *d)
{
        if (!t->p->fds)
                return;
        if (streq(d->name, "close"))
                fd_cache_forget(t, (int)t->args[0], (int)t->args[0]);
        else if (streq(d->name, "close_range"))
                fd_cache_forget(t, (int)t->args[0], (int)(t->args[1] > 0x7fffffff ? 0x7fffffff : t->args[1]));
        else /* dup2, dup3: the new fd */
                fd_cache_forget(t, (int)t->args[1], (int)t->args[1]);
}

static void h_fork(recorder *r, task *t, const sysdef *d)
{
        t->clone_flags = 0;
        t->clone_seen = true;
}

/* A setresuid or setresgid that asks for the ids the process has (make
 * sets its effective uid to what it is, around every command it runs):
 * nothing changes, the fs id included (it follows the effective one), so
 * the credentials need not be read again after it (and the kernel can
 * report its result: no exit stop). */
static bool setres_is_noop(const task *t, const char *name, bool is16)
{
        const creds *c = &t->p->cr;
        bool uids = streq(name, "setresuid"), gids = streq(name, "setresgid");
        if (!c->valid || !(uids || gids))
                return false;
        uint32_t keep = is16 ? 0xffff : 0xffffffff;
        const uint32_t cur[3] = { uids ? c->uid : c->gid, uids ? c->euid : c->egid, uids ? c->suid : c->sgid };
        for (int i = 0; i < 3; i++) {
                uint32_t v = (uint32_t)t->args[i] & keep;
                if (v != keep && v != cur[i])
                        return false;
        }
        return (uids ? c->fsuid : c->fsgid) == cur[1];
}

static void h_cred(recorder *r, task *t, const sysdef *d)
{
        strbuf sb = STRBUF_INIT;
        /* i386's calls without "32" take 16-bit ids */
        bool is16 = t->abi == TRACE_ABI_I386 && !endswith(d->name, "32");
        if (streq(d->name, "setgroups") || streq(d->name, "setgroups32")) {
                size_t n = t->args[0] & 0xffffffff;
                strbuf_printf(&sb, "%zu:", n);
                size_t esz = streq(d->name, "setgroups32") || t->abi == TRACE_ABI_X86_64 ? 4 : 2;
                for (size_t i = 0; i < n && i < 64; i++) {
                        uint32_t g = 0;
                        if (mem_read(t->tid, t->args[1] + i * esz, &g, esz) != (ssize_t)esz)
                                break;
                        strbuf_printf(&sb, "%s%u", i ? "," : "", g);
                }
        } else if (streq(d->name, "capset")) {
                strbuf_puts(&sb, "capset");
        } else {
                int nargs = strstr(d->name, "setres") ? 3 : strstr(d->name, "setre") ? 2 : 1;
                for (int i = 0; i < nargs; i++) {
                        uint64_t v = t->args[i] & (is16 ? 0xffff : 0xffffffff);
                        bool unchanged = is16 ? v == 0xffff : v == 0xffffffff;
                        if (unchanged)
                                strbuf_printf(&sb, "%s-1", i ? "," : "");
                        else
                                strbuf_printf(&sb, "%s%llu", i ? "," : "", (unsigned long long)v);
                }
        }
        _cleanup_free_ char *key = strbuf_steal(&sb);
        const char *base = d->name;
        char nm[32];
        snprintf(nm, sizeof nm, "%s", base);
        if (endswith(nm, "32"))
                nm[strlen(nm) - 2] = '\0';
        want_node(t, trace_node(r->t->root, "credentials", nm, key, NULL));
        if (!setres_is_noop(t, nm, is16))
                pend_add(t, PEND_CREDS);
}

/* Who a signal goes to, relative to the sender. */
static char *signal_target(recorder *r, task *t, int64_t pid, bool is_tid)
{
        if (pid == 0)
                return xstrdup("own process group");
        if (pid == -1)
                return xstrdup("every process");
        if (pid < -1)
                return xstrdup("a process group");
        if (!is_tid && pid == t->p->tgid)
                return xstrdup("self");
        if (is_tid) {
                task *o = intmap_get(r->tasks, pid);
                if (o && o->p == t->p)
                        return xstrdup("own thread");
        }
        task *o = intmap_get(r->tasks, pid);
        if (o)
                return xstrdup("traced process");
        return xstrdup("untraced process");
}

static void h_signal(recorder *r, task *t, const sysdef *d)
{
        int64_t pid;
        int sig;
        bool is_tid = false;
        if (streq(d->name, "kill") || streq(d->name, "rt_sigqueueinfo")) {
                pid = (int)t->args[0];
                sig = (int)t->args[1];
        } else if (streq(d->name, "tkill")) {
                pid = (int)t->args[0];
                sig = (int)t->args[1];
                is_tid = true;
        } else { /* tgkill, rt_tgsigqueueinfo */
                pid = (int)t->args[1];
                sig = (int)t->args[2];
                is_tid = true;
        }
        const char *sn = sig == 0 ? "SIG0" : signal_name(sig);
        if (!sn)
                return;
        if (sig == 0)
                sn = "SIGZERO";
        if (signal_from_name(sn) <= 0)
                return; /* signal 0 and unknown numbers: a probe, nothing delivered */
        _cleanup_free_ char *target = signal_target(r, t, pid, is_tid);
        want_node(t, trace_node(r->t->root, "signals", sn, target, NULL));
}

static void h_ptrace(recorder *r, task *t, const sysdef *d)
{
        static const struct {
                long req;
                const char *name;
        } reqs[] = {
                { PTRACE_TRACEME, "PTRACE_TRACEME" },   { PTRACE_ATTACH, "PTRACE_ATTACH" },
                { PTRACE_SEIZE, "PTRACE_SEIZE" },       { PTRACE_PEEKDATA, "PTRACE_PEEKDATA" },
                { PTRACE_POKEDATA, "PTRACE_POKEDATA" }, { PTRACE_DETACH, "PTRACE_DETACH" },
                { PTRACE_CONT, "PTRACE_CONT" },         { PTRACE_GETREGS, "PTRACE_GETREGS" },
                { PTRACE_SYSCALL, "PTRACE_SYSCALL" },   { PTRACE_INTERRUPT, "PTRACE_INTERRUPT" },
        };
        long req = (long)t->args[0];
        char buf[32];
        const char *name = NULL;
        for (size_t i = 0; i < ELEMENTSOF(reqs); i++)
                if (reqs[i].req == req)
                        name = reqs[i].name;
        if (!name) {
                snprintf(buf, sizeof buf, "%ld", req);
                name = buf;
        }
        want_node(t, trace_node(r->t->root, "ptrace", name, NULL));
}

/* ------------------------------------------------------- entry and exit */

void sys_entry(recorder *r, task *t)
{
        rec_syscall(r, t);
        if (t->slot < 0)
                return;
        const sysdef *d = table[t->abi][t->slot];
        if (!d)
                return;
        if (d->entry)
                d->entry(r, t, d);
        if (d->caps)
                caps_entry(r, t, d->caps, d->name);
        /* Incremental recording: a stat-like look at a path the baseline
         * already has a stat of needs no exit stop. It adds no profile fact
         * (AppArmor does not mediate stat), so the call is left to the
         * baseline, like the calls the filter let through. */
        if (r->baseline_stat && t->npend > 0) {
                bool known = true;
                for (int i = 0; i < t->npend && known; i++)
                        known = t->pend[i].type == PEND_FILE && t->pend[i].kinds == K(AK_STAT) &&
                                hashmap_get(r->baseline_stat, t->pend[i].path);
                if (known)
                        pend_clear(t);
        }
        if (t->npend > 0 || (d->opts & O_EXIT))
                t->want_exit = true;
}

void sys_exit(recorder *r, task *t, int64_t ret, bool is_error)
{
        int err = is_error ? (int)-ret : 0;
        for (int i = 0; i < t->npend; i++) {
                pending *pd = &t->pend[i];
                switch (pd->type) {
                case PEND_FILE:
                        if (pd->created && !err)
                                pd->kinds |= K(AK_CREATE);
                        rec_file(r, t, pd, err);
                        break;
                case PEND_NODE:
                        rec_node_result(r, t, pd->node, err);
                        break;
                case PEND_CAP:
                        caps_exit(r, t, pd, err);
                        break;
                case PEND_CREDS:
                        if (!err) {
                                uint32_t old = t->p->cr.valid ? t->p->cr.fsuid : UINT32_MAX;
                                proc_read_creds(t->tid, &t->p->cr, NULL, NULL);
                                if (old != UINT32_MAX && t->p->cr.valid && t->p->cr.fsuid != old)
                                        rec_creds_changed(r, t, old);
                        }
                        break;
                case PEND_CWD:
                        if (!err) {
                                free(t->p->cwd);
                                t->p->cwd = NULL;
                                proc_refresh_root(r, t);
                        }
                        break;
                case PEND_FORGET:
                        if (err)
                                break;
                        if (pd->all) {
                                dir_cache_clear(r);
                                caps_forget(r, NULL);
                                fd_cache_clear_all(r);
                        } else {
                                _cleanup_free_ char *raw = trace_path_decode(pd->path, NULL);
                                if (raw)
                                        dir_cache_forget(r, raw);
                                caps_forget(r, pd->path);
                        }
                        break;
                case PEND_URING_SETUP:
                        uring_setup_exit(r, t, pd, ret, err);
                        break;
                case PEND_URING_MMAP:
                        uring_mmap_exit(r, t, pd, ret, err);
                        break;
                case PEND_URING_ENTER:
                        uring_enter_exit(r, t, pd);
                        break;
                }
        }
        pend_clear(t);
        rec_syscall_result(r, t, is_error ? ret : 0);
}
