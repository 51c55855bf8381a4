/* SPDX-License-Identifier: MIT */
/* Internal state of the recorder, shared by its files. */
#pragma once

#include <linux/filter.h>
#include <linux/ptrace.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "common/hashmap.h"
#include "trace/trace.h"
#include "tracer/tracer.h"

#define SYSCALL_SLOTS   1024 /* per ABI; x32 numbers are stored without the x32 bit */
#define X32_SYSCALL_BIT 0x40000000UL

/* File access kinds, in the order of their names in the trace format. */
typedef enum access_kind {
        AK_READ,
        AK_WRITE,
        AK_APPEND,
        AK_CREATE,
        AK_DELETE,
        AK_RENAME,
        AK_LINK,
        AK_ATTR,
        AK_EXEC,
        AK_MMAP_EXEC,
        AK_LOCK,
        AK_LIST,
        AK_STAT,
        AK_CHDIR,
        AK_MOUNT,
        _AK_MAX,
} access_kind;

extern const char *const access_kind_names[_AK_MAX];

/* Credentials of a process, from /proc/PID/status. */
typedef struct creds {
        uint32_t uid, euid, suid, fsuid;
        uint32_t gid, egid, sgid, fsgid;
        uint32_t ngroups;
        uint32_t groups[64];
        uint64_t cap_eff;
        bool valid;
} creds;

/* A thread group (process). Threads share it; fork copies it. */
typedef struct proc {
        pid_t tgid;
        int refs;          /* live tasks pointing here */
        uint32_t program;  /* index in rec->programs */
        uint64_t image_id; /* which program image it runs (stacks.c caches by it) */
        char *cwd;         /* cached cwd as the process sees it; NULL = unknown */
        char *root;        /* the process root as we see it ("/" usually) */
        bool root_is_ours; /* root == our root: realpath() is valid for it */
        bool shared_fs;    /* CLONE_FS without CLONE_THREAD: never cache cwd */
        bool shared_files; /* CLONE_FILES without CLONE_THREAD: never cache fds */
        intmap *fds;       /* fd -> what /proc/PID/fd/N said (char *), NULL if none */
        creds cr;
        uint32_t max_fds;
} proc;

typedef enum pend_type {
        PEND_FILE,        /* a file access: record with the result */
        PEND_NODE,        /* a JSON map result -> usage: add one use under the result */
        PEND_CAP,         /* a capability reason: results[result] usage */
        PEND_CREDS,       /* refresh credentials on success */
        PEND_CWD,         /* forget the cached cwd on success */
        PEND_FORGET,      /* on success, forget what the caches hold about `path`
                             (all of it when `all`: a directory moved, a mount) */
        PEND_URING_SETUP, /* io_uring_setup: remember the ring (uring.c) */
        PEND_URING_MMAP,  /* mmap of a ring fd: where the ring is (fd, offset) */
        PEND_URING_ENTER, /* io_uring_enter: the entries read at entry (uring) */
} pend_type;

typedef struct pending {
        pend_type type;
        /* PEND_FILE */
        char *path;     /* absolute, lexically normalised, encoded for the trace */
        uint32_t kinds; /* bit per access_kind */
        int8_t dir;     /* 1: a directory, 0: unknown */
        bool nofollow;  /* the last component is not followed */
        bool created;   /* did not exist at entry (O_CREAT) */
        /* made new exclusively (O_CREAT with O_EXCL, mkdir) with a mode that
         * gives group and others nothing: how mkstemp, mkdtemp and the
         * tempfile modules of Python, Go and Rust make their names */
        bool private_new;
        bool use_ret_fd;  /* the result is an fd naming the object */
        int8_t file_type; /* at entry, from lstat, -1 if absent */
        /* PEND_NODE: the borrowed result map. PEND_CAP: an owned reason
         * (caps.c) turned into capabilities.CAP_X.<reason> at the exit. */
        json_t *node;
        /* PEND_FORGET */
        bool all;
        /* PEND_CAP */
        bool cap_held;   /* the capability was in the effective set at entry */
        bool cap_in_ack; /* the kernel answers in a netlink ack, not the result */
        /* PEND_URING_MMAP */
        int fd;
        uint64_t offset;
        /* PEND_URING_ENTER: an owned batch (uring.c) */
        void *uring;
} pending;

#define MAX_PENDING 8

typedef struct task {
        pid_t tid;
        proc *p;
        bool in_syscall; /* stopped at entry, waiting for the exit stop */
        bool want_exit;  /* restart with PTRACE_SYSCALL to see the exit */
        bool pre_exec;   /* the first child before its first execve */
        bool group_stopped;
        bool announced; /* its parent's clone event was seen (or it is the first task) */
        int abi;
        uint64_t nr; /* as seen at entry (x32 bit stripped) */
        uint64_t args[6];
        int slot;             /* index in the per-ABI table, -1 if out of range */
        uint64_t clone_flags; /* of the last clone/clone3, for the child */
        bool clone_seen;      /* that clone-family call stopped at entry */
        /* An open the eBPF recorder reported: whether it created its file,
         * from the kernel (kcreated_known), instead of lstat at the entry. */
        bool kcreated_known, kcreated;
        int npend;
        pending pend[MAX_PENDING];
} task;

/* A file seen by the tracer, aggregated until the end. */
typedef struct file_use {
        uint8_t kind;
        int16_t err; /* 0 = ok, else errno */
        uint32_t program;
        uint64_t count;
} file_use;

typedef struct file_rec {
        char *resolved; /* final path when it differs, else NULL */
        int8_t type;    /* -1 unknown, else index in file_type_names */
        bool have_stat;
        bool followed; /* resolution through the last symlink was tried */
        bool not_by_owner;
        bool private_new; /* pending.private_new, when it created the name */
        uint32_t uid, gid, mode;
        uint32_t cur_uid; /* the owner now (uid is the owner at the first access) */
        /* The object a symlink led to, when the name was first seen as the
         * link itself (created, lstat) and an access later followed it. */
        bool have_target;
        int8_t ttype;
        uint32_t tuid, tgid, tmode;
        uint32_t nuses, cap;
        file_use *uses;
        json_t *stack; /* first stack (with --stacks) */
} file_rec;

extern const char *const file_type_names[];

typedef struct syscall_counts {
        uint64_t *count[_TRACE_ABI_MAX]; /* SYSCALL_SLOTS each, allocated on first use */
} syscall_counts;

typedef struct kcount kcount;
typedef struct bpfrec bpfrec;

typedef struct recorder {
        trace *t;
        const tracer_options *opts;
        char *our_root; /* always "/" but kept for clarity */
        /* Programs by index; counts per program. */
        char **programs;
        syscall_counts *pcounts;
        size_t nprograms, programs_cap;
        hashmap *program_index;
        int32_t first[_TRACE_ABI_MAX][SYSCALL_SLOTS]; /* first program, -1 none */
        uint64_t ok[_TRACE_ABI_MAX][SYSCALL_SLOTS];   /* successful results seen at exit */
        hashmap *errors;                              /* "abi/nr/ERRNO" -> count (uintptr_t) */
        hashmap *unknown;                             /* "abi/nr" -> json usage (unknown numbers and out-of-range) */
        hashmap *files;                               /* encoded path -> file_rec */
        hashmap *dir_cache;                           /* directory as requested -> resolved directory */
        hashmap *stacks_seen;                         /* "program/abi/nr" with a stack already captured */
        intmap *tasks;                                /* tid -> task */
        intmap *procs;                                /* tgid -> proc */
        intmap *gone_early;                           /* tids that exited before their parent's clone event */
        pid_t main_pid;
        int main_status;        /* -1 until the main process exits */
        int main_signal;        /* the signal that killed it, 0 if none */
        int loop_error;         /* errno of an unexpected wait failure */
        uint64_t stops;         /* ptrace stops handled, for MINPRIV_STATS */
        uint64_t exit_stops;    /* of those, syscall exit stops */
        uint64_t gone_unknown;  /* reported calls whose object was removed before they were read, undescribed */
        uint64_t *entry_stops;  /* MINPRIV_STATS: entry stops per ABI and number ([abi][nr]), or NULL */
        kcount *kc;             /* hot syscalls counted in the kernel (kcount.c), or NULL */
        bpfrec *bpf;            /* calls reported by the eBPF recorder (bpfrec.c), or NULL */
        char *bpf_unused;       /* why not, when it was to be used */
        char **setuid_programs; /* set-ID programs executed */
        char *apparmor;         /* the AppArmor label the workload started under */
        size_t nsetuid;
        long spin_ns;           /* how long to poll for the next stop before sleeping */
        bool fd_cache;          /* cache fd paths (not with a baseline: close may not stop) */
        hashmap *baseline_stat; /* paths the baseline has a stat access of */
        int spin_score;         /* 0..100: how well spinning has paid off lately */
        unsigned spin_probe;
        int live_tasks, live_procs;
        int max_tasks, max_procs;
        uint64_t processes; /* processes created (including the first) */
        pid_t *pids;        /* the process ids traced, in order of creation */
        size_t npids;
        uint64_t sum_rss_kib_peak, max_rss_kib;
        uint32_t max_fds;
        uint32_t unpriv_port_start;
        bool seccomp_mode;
        /* The kernel lacks PTRACE_GET_SYSCALL_INFO (before 5.3, or
         * user-mode-linux): stops are decoded from the registers. */
        bool regs_only;
        bool no_new_privs;
        bool stacks;
        bool quiet;
        void *unwind;                      /* libunwind address space (stacks.c) */
        hashmap *stack_names, *stack_maps; /* stacks.c caches */
        hashmap *stack_syms;               /* module path -> elf_syms (elfsyms.c) */
        uint64_t next_image;               /* image ids: a process's code, kept by fork, new at exec */
        hashmap *attr_cache;               /* resolved path -> struct cached_attr (caps.c) */
        int protected_hardlinks;
        int yama_scope;
        hashmap *urings; /* "tgid/fd" -> io_uring ring (uring.c), NULL until one is set up */
} recorder;

/* record.c */
uint32_t rec_program(recorder *r, const char *path_encoded);
void rec_syscall(recorder *r, task *t);
void rec_syscall_result(recorder *r, task *t, int64_t ret);
void rec_syscall_tally(recorder *r, const proc *p, int nr, uint64_t ok, const uint32_t *errs, size_t nerrs);
void rec_file(recorder *r, task *t, const pending *pd, int err);
/* The process's fsuid changed from old_fsuid: the files it holds open
 * (inherited from a process of another uid, e.g. nginx's root master
 * opening the logs for its www-data workers) are from now on used by a
 * process that may not own them. */
void rec_creds_changed(recorder *r, task *t, uint32_t old_fsuid);
/* Whether the workload created the path (encoded) while recorded: a
 * successful create access. */
bool rec_file_created(recorder *r, const char *enc_path);
/* Whether rec_file() at the exit of the call will look the pending's
 * object up (a name not described yet, an owner that may change). */
bool rec_file_looks_at_exit(recorder *r, const pending *pd);
/* The owner (now), group and mode (with its type) recorded of the path
 * (encoded), if it was described. */
bool rec_file_attr(recorder *r, const char *enc_path, uint32_t *uid, uint32_t *gid, uint32_t *mode);
void rec_finish(recorder *r);
void rec_init(recorder *r);
void rec_free(recorder *r);
const char *rec_program_name(recorder *r, uint32_t idx);
const char *task_program(recorder *r, task *t);
/* The usage node for a JSON map keyed by result ("ok" / errno name). */
void rec_node_result(recorder *r, task *t, json_t *results_map, int err);

/* memory.c: tracee memory and /proc */
ssize_t mem_read(pid_t pid, uint64_t addr, void *buf, size_t n);
/* A call reported by the eBPF recorder: its tracee memory as read at the
 * call, `len` bytes at `addr` (a negative len: -errno, unreadable). Until
 * mem_overlay_clear(), reads of tid's memory are served from it alone. */
void mem_overlay_set(pid_t tid, uint64_t addr, const char *data, ssize_t len);
void mem_overlay_clear(void);
/* ... and the path of one of its fds as walked at the call (relative to the
 * task's root; NULL: not a path), which task_fd_path() gives until
 * fd_overlay_clear(). */
void fd_overlay_set(pid_t tid, int fd, const char *path);
void fd_overlay_clear(void);
/* ... and what the kernel said of the call itself: its result, whether it
 * named its object by a path string, and that object's type, owner and
 * mode as the call found it (attr: mode, uid, gid; NULL when not reported),
 * until call_overlay_clear(). The file system may have changed since (a
 * removal reported after it may have run before the call is read). */
void call_overlay_set(pid_t tid, int64_t ret, bool named, const uint32_t *attr);
void call_overlay_clear(void);
/* tid's reported call succeeded (false outside a reported call) */
bool call_overlay_ok(pid_t tid);
/* ... failed with err */
bool call_overlay_failed(pid_t tid, int err);
/* ... and named its object by a path */
bool call_overlay_named(pid_t tid);
/* Its object's mode, uid and gid into st, if the kernel reported them. */
bool call_overlay_attr(pid_t tid, struct stat *st);
/* Read a NUL-terminated string of at most max-1 bytes; returns its length or
 * -errno; -ENAMETOOLONG when no NUL within max. */
ssize_t mem_read_string(pid_t pid, uint64_t addr, char *buf, size_t max);
int proc_readlink(pid_t pid, const char *what, char **ret);
int proc_fd_path(pid_t pid, int fd, char **ret);
int proc_read_creds(pid_t pid, creds *ret, pid_t *ret_tgid, pid_t *ret_ppid);
char *path_join_normalize(const char *base, const char *rel);
/* Absolute path (as the process sees it) for dirfd+path, or NULL. */
char *task_resolve_at(recorder *r, task *t, int dirfd, const char *path, size_t pathlen);
char *task_cwd(recorder *r, task *t);
/* The path an fd names, as the process sees it (root stripped, a
 * " (deleted)" suffix dropped); NULL for pipes, sockets and other objects
 * without a path, or a bad fd. Cached per process in a full recording
 * (every close, dup2, dup3 and close_range stops there and forgets). */
char *task_fd_path(recorder *r, task *t, int fd);
/* Forget cached fd paths: fds [first, last] of the task's process. */
void fd_cache_forget(task *t, int first, int last);
void fd_cache_clear(proc *p);
/* Forget every process's cached fd paths (a rename moved what they name). */
void fd_cache_clear_all(recorder *r);
/* The object a path names, symlinks resolved (all, or all but the last),
 * with its lstat/stat data when it exists; NULL when it cannot be
 * determined (the process has another root). */
struct stat;
char *resolve_final(recorder *r, task *t, const char *path, bool nofollow, struct stat *ret_st, bool *ret_have_st);
void dir_cache_clear(recorder *r);
/* Forget cached facts about one path (its directory resolution). */
void dir_cache_forget(recorder *r, const char *raw_path);

void proc_refresh_root(recorder *r, task *t);

/* uring.c: io_uring rings and what their submission queues hold */
void uring_setup_exit(recorder *r, task *t, const pending *pd, int64_t ret, int err);
/* An mmap of fd: queues PEND_URING_MMAP when fd is a ring of the process. */
bool uring_mmap_entry(recorder *r, task *t, int fd, uint64_t offset);
void uring_mmap_exit(recorder *r, task *t, const pending *pd, int64_t ret, int err);
void uring_enter_entry(recorder *r, task *t);
void uring_enter_exit(recorder *r, task *t, pending *pd);
void uring_batch_free(void *batch);
/* The process is gone or executed a new program: its rings are gone. */
void uring_forget_proc(recorder *r, pid_t tgid);
void uring_free_all(recorder *r);

/* filter.c */
int filter_build(recorder *r, struct sock_fprog *ret);

/* kcount.c: hot syscalls counted in the kernel */
#define KCOUNT_PROGRAM "kernel:counted" /* the program their counts are under */
/* Can the kernel count the hot syscalls here (tracefs, perf tracepoint
 * counters)? Mounts tracefs when it is missing. 0 with *ret, or -errno. */
int kcount_probe(kcount **ret);
/* The same table without perf counters: the eBPF recorder counts. */
int kcount_table(kcount **ret);
size_t kcount_entries(const kcount *k);
/* Entry i: its x86_64 number (-1: not counted), the argument that must
 * hold `value` (its low 32 bits), -1 for any. */
int kcount_entry(const kcount *k, size_t i, int8_t *ret_arg, uint32_t *ret_value);
/* The eBPF recorder's counts, per entry, before kcount_finish. */
void kcount_set_counts(kcount *k, const uint64_t *n);
/* Counters on the stopped child, enabled at its exec, inherited. */
int kcount_attach(kcount *k, pid_t pid);
/* Allow rules for the counted calls (x86_64 numbers, native-only filter). */
int kcount_filter_rules(const kcount *k, void *scmp_ctx);
/* An entry stop (its calls are in the counters too). */
void kcount_seen(kcount *k, int abi, uint64_t nr);
/* Read the counters (every task gone) into the syscall counts. */
void kcount_finish(recorder *r);
json_t *kcount_names(const kcount *k);
/* Whether every x86_64 call of this number is counted (any arguments). */
bool kcount_counts_all(const kcount *k, int nr);
uint64_t kcount_counted(const kcount *k);
void kcount_free(kcount *k);

/* bpfrec.c: calls reported by the eBPF recorder instead of stopped */
/* Why the recorder cannot be used whatever the kernel allows, or NULL. */
const char *bpfrec_unusable(void);
/* Load and attach the BPF programs, which also count kc's calls (0, or
 * -errno: recording falls back to perf counters and stops). */
int bpfrec_open(recorder *r, const kcount *kc, bpfrec **ret);
/* Hand the counts to kcount (every task gone). */
void bpfrec_counts(bpfrec *b, kcount *kc);
/* Allow rules for the reported calls (x86_64 numbers, native-only filter). */
int bpfrec_filter_rules(const bpfrec *b, void *scmp_ctx);
/* Report tgid's calls (exec_only: only its execve, before the workload's
 * first exec). */
int bpfrec_trace(bpfrec *b, pid_t tgid, bool exec_only);
void bpfrec_untrace(bpfrec *b, pid_t tgid);
/* Give the reported calls in the buffer to the handlers; how many events. */
size_t bpfrec_drain(bpfrec *b);
/* Around the recording loop: SIGCHLD blocked and read from a signalfd. */
int bpfrec_wait_begin(bpfrec *b);
void bpfrec_wait_end(bpfrec *b);
/* wait4(-1, status, __WALL) that reads the buffer while it waits. */
pid_t bpfrec_wait(bpfrec *b, int *status);
/* A SIGSTOP signal-delivery stop: whether it is the BPF program holding the
 * task back until the buffer is read (resume it without the signal). */
bool bpfrec_throttled(bpfrec *b, task *t);
uint64_t bpfrec_throttles(const bpfrec *b);
uint64_t bpfrec_exits(const bpfrec *b); /* exits reported instead of stopped at */
/* Time the kernel spent in the recorder's programs (0 unless
 * kernel.bpf_stats_enabled is on). */
uint64_t bpfrec_run_ns(const bpfrec *b);
/* A task stopped at a call's entry that wants the result: when what is
 * pending only needs the result (files, results, capability reasons,
 * cache invalidation), the kernel reports the exit instead of an exit stop
 * and true is returned: the pending facts moved to the recorder, the task
 * is resumed without PTRACE_SYSCALL. */
bool bpfrec_take_exit(bpfrec *b, task *t);
/* A call whose exit bpfrec_take_exit() took, not to be reported after all
 * (an execve that succeeded: its exit is handled at the exec event): the
 * task's copy with its pending facts, or NULL. */
task *bpfrec_cancel_exit(bpfrec *b, pid_t tid);
/* The name of the reported call tid is in (read from the buffer, not yet
 * returned), and its first argument; NULL none. */
const char *bpfrec_inflight(bpfrec *b, pid_t tid, uint64_t *arg0);
/* The program tid's reported execve ran (encoded, as in the trace; the
 * caller frees it), taken at its exec event; NULL when it stopped. */
char *bpfrec_exec_path(bpfrec *b, pid_t tid);
/* The task is gone: a call it was in is recorded without a result. */
void bpfrec_task_gone(bpfrec *b, task *t);
/* The calls the kernel counted for process p (its tallies) into the
 * recording, as its program's; at an exec (before the program changes)
 * and when the process is gone. */
void bpfrec_fold(bpfrec *b, const proc *p);
uint64_t bpfrec_tallied(const bpfrec *b);
uint64_t bpfrec_lost(const bpfrec *b);
uint64_t bpfrec_events(const bpfrec *b);
json_t *bpfrec_names(const bpfrec *b);
void bpfrec_free(bpfrec *b);

/* syscalls.c */
void sys_table_init(void);
const char *sys_name(int abi, uint64_t nr);
void sys_entry(recorder *r, task *t);
void sys_exit(recorder *r, task *t, int64_t ret, bool is_error);
/* The call's exit must be a stop (exec, io_uring): the handlers look at
 * the process right after it. */
bool sys_exit_must_stop(int abi, uint64_t nr);
/* Syscalls that must always stop (for --baseline): fills names per ABI. */
bool sys_needs_stop(int abi, uint64_t nr);
/* A socket address in the tracee as the trace writes it: family name,
 * address, and the absolute path of a pathname unix socket. */
bool sys_describe_sockaddr(recorder *r, task *t, uint64_t addr, uint64_t len, char *fam, size_t famsz, char **ret_addr,
                           char **ret_unix_path);
/* An open's access kinds (bit per access_kind) from its flags: the open
 * syscalls and io_uring's OPENAT/OPENAT2. */
uint32_t open_kinds(uint64_t flags);
/* Whether a creating open (O_CREAT) makes its name new, on its pending file
 * (NULL: nothing): O_EXCL does (and private_new when mode gives group and
 * others nothing), else the kernel's answer where the eBPF recorder gave one,
 * else lstat now. */
void open_created(task *t, pending *pd, uint64_t flags, uint64_t mode);

/* caps.c */
/* Capability inference at a call's entry: the handler in the call's row
 * of the syscall table (syscalls.c), given the row's name. caps_entry reads
 * the caller's credentials first. */
typedef void (*caps_fn)(recorder *r, task *t, const char *sys);
void caps_entry(recorder *r, task *t, caps_fn fn, const char *sys);
void caps_none(recorder *r, task *t, const char *sys);
void caps_new_name(recorder *r, task *t, const char *sys);
void caps_remove_name(recorder *r, task *t, const char *sys);
void caps_exec(recorder *r, task *t, const char *sys);
void caps_link(recorder *r, task *t, const char *sys);
void caps_mknod(recorder *r, task *t, const char *sys);
void caps_open(recorder *r, task *t, const char *sys);
void caps_chown(recorder *r, task *t, const char *sys);
void caps_chmod(recorder *r, task *t, const char *sys);
void caps_utime(recorder *r, task *t, const char *sys);
void caps_setid(recorder *r, task *t, const char *sys);
void caps_setgroups(recorder *r, task *t, const char *sys);
void caps_chroot(recorder *r, task *t, const char *sys);
void caps_mount(recorder *r, task *t, const char *sys);
void caps_hostname(recorder *r, task *t, const char *sys);
void caps_clone(recorder *r, task *t, const char *sys);
void caps_setns(recorder *r, task *t, const char *sys);
void caps_socket(recorder *r, task *t, const char *sys);
void caps_bind(recorder *r, task *t, const char *sys);
void caps_sendto(recorder *r, task *t, const char *sys);
void caps_sendmsg(recorder *r, task *t, const char *sys);
void caps_socketcall(recorder *r, task *t, const char *sys);
void caps_setsockopt(recorder *r, task *t, const char *sys);
void caps_ioctl(recorder *r, task *t, const char *sys);
void caps_signal(recorder *r, task *t, const char *sys);
void caps_ptrace(recorder *r, task *t, const char *sys);
void caps_rlimit(recorder *r, task *t, const char *sys);
void caps_nice(recorder *r, task *t, const char *sys);
void caps_setpriority(recorder *r, task *t, const char *sys);
void caps_sched(recorder *r, task *t, const char *sys);
void caps_prctl(recorder *r, task *t, const char *sys);
void caps_setxattr(recorder *r, task *t, const char *sys);
void caps_direct(recorder *r, task *t, const char *sys);
void caps_adjtime(recorder *r, task *t, const char *sys);
void caps_init(recorder *r);
void caps_free(recorder *r);
/* Forget cached file attributes: of one path (encoded), or all (NULL). */
void caps_forget(recorder *r, const char *enc_path);
/* The exit of a call with a capability reason pending: record its result
 * (or drop it: a call that succeeded without the capability did not need
 * it). Releases pd->node. */
void caps_exit(recorder *r, task *t, pending *pd, int err);

/* stacks.c */
int stacks_init(recorder *r);
void stacks_free(recorder *r);
json_t *stacks_capture(recorder *r, pid_t tid);

/* resources.c */
void resources_sample(recorder *r);

/* helpers shared by handlers */
pending *pend_add(task *t, pend_type type);
/* Queue cache invalidation of `enc_path` (or everything) on success. */
void pend_forget(task *t, const char *enc_path, bool all);
void pend_clear(task *t);
/* The program an execve the task is in names (encoded), NULL none. */
const char *pend_exec_path(const task *t);
/* A task and its pending facts (an intmap value destructor). */
void task_free(void *t);
