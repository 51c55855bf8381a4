/* SPDX-License-Identifier: MIT OR GPL-2.0 */
/* What the eBPF recorder's kernel half (record.bpf.c) and the tracer
 * (bpfrec.c) share: the per-syscall configuration and the events. */
#pragma once

#include <linux/types.h>

#define BPFREC_NR_MAX     512            /* x86_64 syscall numbers configured */
#define BPFREC_STR_MAX    4104           /* a path of PATH_MAX bytes and more: longer is too long */
#define BPFREC_RING_BYTES (1024u * 1024) /* a power of two pages; twice that counts in the tracer's RSS */
/* Above this much unread data a task returning from a reported call is
 * stopped (SIGSTOP from the kernel, which the tracer takes back) until the
 * tracer has read the buffer: a workload cannot outrun the recorder. */
#define BPFREC_RING_HIGH (BPFREC_RING_BYTES / 2)
/* The tracer is woken for the buffer only above this much unread data (it
 * reads the buffer at every stop anyway): a wakeup per event would cost a
 * context switch each on the tracer's CPU. */
#define BPFREC_RING_WAKE (BPFREC_RING_BYTES / 8)
#define BPFREC_SIGSTOP   19
#define BPFREC_NR_EXECVE 59 /* x86_64 */

/* `traced` map values: a traced process; one before the workload's first
 * exec (minpriv's own child), of which only the execve is reported */
enum { BPFREC_TRACED = 1, BPFREC_TRACED_EXEC = 2 };
/* The map holds them two bits per tgid, 32 tgids to a word, for every tgid
 * up to PID_MAX_LIMIT (include/linux/threads.h: 4M on 64-bit): 1 MiB. An
 * array's lookup is a load the verifier inlines, where a hash table's is a
 * call and a hash: every syscall on the machine, traced or not, asks. */
#define BPFREC_PID_LIMIT    (4u * 1024 * 1024)
#define BPFREC_TRACED_WORDS (BPFREC_PID_LIMIT / 32)

/* A condition on one argument: (args[arg] & mask) == val; arg -1: none. */
struct bpfrec_cond {
        __s8 arg;
        __u8 pad[7];
        __u64 mask;
        __u64 val;
};

struct bpfrec_cfg {
        __u8 on;               /* reported: bit k when condition set k (below) holds */
        __s8 str_arg;          /* the argument that points to a path, -1 none */
        __u8 hot_first, hot_n; /* counted: entries [hot_first, +hot_n) of `hot` */
        __s8 fd_arg;           /* the argument that is an fd (or dirfd) whose path to report, -1 none */
        __s8 stat_arg;         /* the argument that tells what the call found (stat_fmt), -1 none */
        __u8 stat_fmt;         /* and how: BPFREC_STAT, BPFREC_STATX, BPFREC_FD_INODE, BPFREC_NEW_FD */
        __u8 str_fmt;          /* what str_arg points to: BPFREC_STRING, BPFREC_SIZED */
        __u8 tally;            /* counted per process and result after the process's first (struct bpfrec_tally) */
        __u8 pad[7];
        /* two alternative sets of two conditions: set k is cond[2k], cond[2k+1],
         * both of which must hold */
        struct bpfrec_cond cond[4];
};

/* Where a new fd's file mode is, from the running kernel's BTF (btfscan.c):
 * current->files->fdt->fd[fd]->f_mode, and the kernel's FMODE_CREATED
 * (include/linux/fs.h, bit 20 since Linux 4.19; checked on the running
 * kernel by bpfrec.c before it is relied on); and the type, owner and mode
 * of its inode (->f_inode->i_mode, i_uid, i_gid; i_nlink: not when it has
 * no name left). ok 0: not known. */
struct bpfrec_koffs {
        __u32 ok;
        __u32 task_files, files_fdt, fdt_max_fds, fdt_fd, file_f_mode;
        __u32 created;
        __u32 file_f_inode, inode_i_mode, inode_i_uid, inode_i_gid, inode_i_nlink;
        /* the path of an fd, walked as d_path does (paths 1: these are known) */
        __u32 paths;
        __u32 task_fs, fs_root, path_mnt, path_dentry, file_f_path;
        __u32 dentry_d_parent, dentry_d_name, qstr_name, dentry_d_op, dops_d_dname;
        __u32 vfsmount_mnt_root, mount_mnt, mount_mnt_parent, mount_mnt_mountpoint;
        /* linux_binprm->filename: the name an execve that succeeds was
         * given (0: not known; then execve stops) */
        __u32 binprm_filename;
};
#define BPFREC_FMODE_CREATED 0x100000u

/* bpfrec_cfg.str_fmt: a NUL-terminated string (a path), or a buffer whose
 * size in bytes is the next argument (connect's address, setsockopt's
 * value), read whole up to BPFREC_SIZED_MAX (sizeof (struct sockaddr_storage)) */
enum { BPFREC_STRING = 0, BPFREC_SIZED = 1 };
#define BPFREC_SIZED_MAX 128

#define BPFREC_HOT_MAX 64 /* counted calls (kcount.c's table) */
#define BPFREC_HOT_PER 8  /* entries per syscall (ioctl requests) */

enum { BPFREC_ENTER = 1, BPFREC_EXIT = 2, BPFREC_FDPATH = 3 };

#define BPFREC_PATH_MAX   4096 /* an fd's path, walked: longer is not reported */
#define BPFREC_PATH_NAME  256  /* one name in it */
#define BPFREC_PATH_DEPTH 40   /* names and mount crossings walked */

/* Before the exit of a call with an fd argument (cfg.fd_arg, not AT_FDCWD):
 * that fd's path, relative to the task's root, as /proc/PID/fd/N would
 * give it. len: bytes of path with its NUL; BPFREC_FD_NOPATH: not a path
 * (a pipe, a socket: a name made by d_dname); BPFREC_FD_UNKNOWN: could not
 * be walked (too deep, not open). */
#define BPFREC_FD_NOPATH  (-1)
#define BPFREC_FD_UNKNOWN (-2)
struct bpfrec_fdpath {
        __u32 type;
        __u32 tid;
        __s32 fd;
        __s32 len;
        char path[BPFREC_PATH_MAX];
};

/* At entry: the call and its arguments (a call a task is killed in is
 * still recorded). */
struct bpfrec_enter {
        __u32 type;
        __u32 tid;
        __u32 nr;
        __u32 pad;
        __u64 args[6];
};

/* At exit: the result and the path string. The string is read at the exit,
 * not the entry: the kernel has faulted its page in by then (a string in a
 * page the process has not touched yet cannot be read from a tracepoint). */
enum { BPFREC_X_OPEN = 1, BPFREC_X_CREATED = 2, BPFREC_X_ATTR = 4 }; /* bpfrec_exit.flags */
/* bpfrec_cfg.stat_fmt: stat_arg points to a struct stat, a struct statx,
 * or is an fd that is the call's object (its inode); or the call is an open
 * whose result is a new fd of its object (its inode, and whether the open
 * created it: struct bpfrec_koffs) */
enum { BPFREC_STAT = 1, BPFREC_STATX = 2, BPFREC_FD_INODE = 3, BPFREC_NEW_FD = 4 };

struct bpfrec_exit {
        __u32 type;
        __u32 tid;
        __u32 nr;
        __s32 len; /* bytes of str with its NUL; -errno when unreadable; 0 none */
        __s64 ret;
        /* BPFREC_X_OPEN: the new fd's file mode was read; BPFREC_X_CREATED:
         * the open created it; BPFREC_X_ATTR: mode, uid and gid are those of
         * the object the call found (the new fd's inode, or what a stat call
         * returned), read at the call */
        __u32 flags;
        __u32 mode, uid, gid;
        char str[BPFREC_STR_MAX];
};

/* A reported call in flight (the flight map). */
struct bpfrec_flight {
        __u32 nr;
        __s32 str_arg;
        __u64 str;
        __u32 str_fmt;  /* cfg.str_fmt */
        __u32 str_size; /* BPFREC_SIZED: the size the call was given */
        __s32 fd;       /* the fd whose path to report, BPFREC_NO_FD none */
        __u32 stat_fmt; /* cfg.stat_fmt */
        __u64 stat_buf; /* cfg.stat_arg's value, 0 none */
        __u32 tally;    /* a call of a cfg.tally row whose process has its tally: counted at the exit */
        __u32 pad;
};

/* A call the recorder only counts per program and result (cfg.tally: no
 * handler reads its arguments) is reported whole the first time a process
 * makes it, and from then on counted at its exit in the process's tally,
 * keyed by the process and the call. The tracer learns each key from that
 * first report and reads the tally back (then deletes it) when the
 * process's program changes (an exec) or the process is gone: until then
 * every call counted there was made by the program the tracer knows the
 * process by. ok: results >= 0; err[e]: -e, the kernel's restart codes
 * (ERESTARTSYS ...) as EINTR, as the tracer names them. A result beyond
 * err[] or a count that would overflow is reported whole instead. */
#define BPFREC_TALLY_ERRS 136 /* errno values counted: 1 .. 135 (EHWPOISON is 133) */
#define BPFREC_TALLY_MAX  16384
struct bpfrec_tally_key {
        __u32 tgid;
        __u32 nr;
};
struct bpfrec_tally {
        __u64 ok;
        __u32 err[BPFREC_TALLY_ERRS];
};
#define BPFREC_NO_FD (-100) /* AT_FDCWD: relative to the working directory, nothing to walk */
