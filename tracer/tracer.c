/* SPDX-License-Identifier: MIT */
/* The tracing loop: start the workload under ptrace with a seccomp filter
 * that stops every syscall at entry, then
 *     while (dispatch_event(r, next_event(r))) ;
 * until every traced process is gone. */
#include <fcntl.h>
#include <sched.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/user.h>
#include <sys/utsname.h>
#include <sys/apparmor.h>
#include <sys/wait.h>
#include <time.h>

#include "common/fileio.h"
#include "tracer/internal.h"
#include "trace/names.h"
#include "common/strbuf.h"

#ifndef PTRACE_GET_SYSCALL_INFO
#define PTRACE_GET_SYSCALL_INFO 0x420e
#endif

extern char **environ;

/* ---------------------------------------------------------------- setup */

int tracer_find_command(const char *cmd, char **ret_path)
{
        if (!*cmd)
                return -ENOENT;
        if (strchr(cmd, '/')) {
                struct stat st;
                if (stat(cmd, &st) < 0)
                        return -errno;
                if (S_ISDIR(st.st_mode) || access(cmd, X_OK) < 0)
                        return -EACCES;
                *ret_path = xstrdup(cmd);
                return 0;
        }
        const char *path = getenv("PATH");
        if (!path)
                path = "/usr/local/bin:/usr/bin:/bin";
        int r = -ENOENT;
        _cleanup_free_ char *copy = xstrdup(path);
        for (char *save = NULL, *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
                _cleanup_free_ char *cand = xasprintf("%s/%s", *dir ? dir : ".", cmd);
                struct stat st;
                if (stat(cand, &st) < 0 || S_ISDIR(st.st_mode))
                        continue;
                if (access(cand, X_OK) < 0) {
                        r = -EACCES; /* remember, keep looking like execvp */
                        continue;
                }
                *ret_path = steal_pointer(&cand);
                return 0;
        }
        return r;
}

/* Can this process install a seccomp filter (with or without
 * no_new_privs)? Probed in a throwaway child, not guessed. */
static bool probe_seccomp(void)
{
        pid_t pid = fork();
        if (pid < 0)
                return false;
        if (pid == 0) {
                struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
                struct sock_fprog prog = { 1, &allow };
                if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0)
                        _exit(0);
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
                    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0)
                        _exit(0);
                _exit(1);
        }
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                ;
        return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* ------------------------------------------------------------- signals */

static volatile sig_atomic_t forward_to;
static volatile sig_atomic_t sample_due;

static volatile sig_atomic_t forward_pending;

static void on_forward(int sig, siginfo_t *si, void *uc)
{
        /* Terminal signals reach the whole foreground group already; only
         * pass on what was sent to us with kill(2). */
        if (si->si_code == SI_USER || si->si_code == SI_QUEUE || si->si_code == SI_TKILL) {
                if (forward_to > 0)
                        kill(forward_to, sig);
                else if (forward_to < 0)
                        forward_pending = sig; /* the main process is gone: to all, from the loop */
        }
}

static void on_alarm(int sig)
{
        sample_due = 1;
}

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

/* --------------------------------------------------------------- tasks */

static proc *proc_new(recorder *r, pid_t tgid)
{
        proc *p = xcalloc(1, sizeof *p);
        p->tgid = tgid;
        p->image_id = ++r->next_image;
        intmap_put(r->procs, tgid, p);
        r->live_procs++;
        r->processes++;
        if ((r->npids & (r->npids - 1)) == 0)
                r->pids = xrealloc(r->pids, (r->npids ? r->npids * 2 : 16) * sizeof *r->pids);
        r->pids[r->npids++] = tgid;
        if (r->live_procs > r->max_procs)
                r->max_procs = r->live_procs;
        /* (the first process runs our code before its exec: only that
         * execve) */
        if (r->bpf)
                bpfrec_trace(r->bpf, tgid, r->processes == 1);
        return p;
}

void proc_refresh_root(recorder *r, task *t)
{
        proc *p = t->p;
        free(p->root);
        p->root = NULL;
        if (proc_readlink(t->tid, "root", &p->root) < 0)
                p->root = xstrdup("/");
        p->root_is_ours = streq(p->root, "/");
}

static task *task_new(recorder *r, pid_t tid, proc *p)
{
        task *t = xcalloc(1, sizeof *t);
        t->tid = tid;
        t->p = p;
        t->slot = -1;
        p->refs++;
        intmap_put(r->tasks, tid, t);
        r->live_tasks++;
        if (r->live_tasks > r->max_tasks)
                r->max_tasks = r->live_tasks;
        return t;
}

static void proc_unref(recorder *r, proc *p)
{
        if (--p->refs > 0)
                return;
        intmap_remove(r->procs, p->tgid);
        if (r->bpf) {
                bpfrec_fold(r->bpf, p);
                bpfrec_untrace(r->bpf, p->tgid);
        }
        uring_forget_proc(r, p->tgid);
        r->live_procs--;
        free(p->cwd);
        free(p->root);
        fd_cache_clear(p);
        free(p);
}

static void task_drop(recorder *r, task *t)
{
        if (r->bpf)
                bpfrec_task_gone(r->bpf, t);
        intmap_remove(r->tasks, t->tid);
        r->live_tasks--;
        pend_clear(t);
        proc_unref(r, t->p);
        free(t);
}

static void set_program_from_exe(recorder *r, task *t)
{
        _cleanup_free_ char *exe = NULL;
        if (proc_readlink(t->tid, "exe", &exe) < 0)
                return;
        if (endswith(exe, " (deleted)"))
                exe[strlen(exe) - 10] = '\0';
        _cleanup_free_ char *enc = trace_path_encode(exe, strlen(exe));
        t->p->program = rec_program(r, enc);
}

/* A tid we have not seen: a new thread or process whose first stop came
 * before its parent's clone event. */
static task *task_discover(recorder *r, pid_t tid)
{
        pid_t tgid = tid, ppid = 0;
        creds cr;
        int rc = proc_read_creds(tid, &cr, &tgid, &ppid);
        proc *p = intmap_get(r->procs, tgid);
        if (!p) {
                p = proc_new(r, tgid);
                if (rc == 0)
                        p->cr = cr;
                task *tmp = task_new(r, tid, p);
                proc_refresh_root(r, tmp);
                proc *pp = NULL;
                task *pt = intmap_get(r->tasks, ppid);
                if (pt)
                        pp = pt->p;
                if (pp)
                        p->program = pp->program;
                else
                        set_program_from_exe(r, tmp);
                return tmp;
        }
        return task_new(r, tid, p);
}

/* ---------------------------------------------------------- restarting */

static void resume(recorder *r, task *t, int sig)
{
        long req = (!r->seccomp_mode || t->want_exit) ? PTRACE_SYSCALL : PTRACE_CONT;
        /* ESRCH: the task was killed meanwhile; its exit is reported next. */
        ptrace(req, t->tid, 0, sig);
}

/* -------------------------------------------------------------- events */

typedef enum event_kind {
        TEV_NONE,    /* nothing to do (interrupted wait) */
        TEV_DONE,    /* no traced process left */
        TEV_EXIT,    /* a task exited or was killed */
        TEV_SECCOMP, /* seccomp stop: syscall entry */
        TEV_SYSCALL, /* syscall stop: entry (fallback mode) or exit */
        TEV_CLONE,   /* fork, vfork or clone event */
        TEV_EXEC,
        TEV_STOP,   /* PTRACE_EVENT_STOP: group-stop or new-task stop */
        TEV_SIGNAL, /* signal-delivery-stop */
        TEV_ERROR,
        _TEV_MAX,
} event_kind;

typedef struct event {
        event_kind kind;
        pid_t pid;
        int status;
        int err;
} event;

static event next_event(recorder *r)
{
        event ev = { 0 };
        int status;
        if (sample_due) {
                sample_due = 0;
                resources_sample(r);
        }
        pid_t pid;
        /* Poll briefly before sleeping: in syscall-heavy phases the next
         * stop follows within microseconds, and a tracer that is still
         * running avoids a cross-CPU wakeup per stop, which costs tens of
         * microseconds in a virtual machine. Bounded by time, so CPU-bound
         * phases of the workload lose little. */
        pid = r->spin_ns ? wait4(-1, &status, __WALL | WNOHANG, NULL) : 0;
        /* Adaptive: spin while spinning pays off (the stop arrives within
         * the window); when the workload is busy computing, stop spinning
         * and only probe now and then, so its CPU time is not taken. */
        bool try_spin = r->spin_ns && pid == 0 && (r->spin_score >= 50 || (++r->spin_probe & 63) == 0);
        if (try_spin) {
                struct timespec t0, now;
                clock_gettime(CLOCK_MONOTONIC, &t0);
                for (;;) {
                        pid = wait4(-1, &status, __WALL | WNOHANG, NULL);
                        if (pid != 0)
                                break;
                        clock_gettime(CLOCK_MONOTONIC, &now);
                        if ((now.tv_sec - t0.tv_sec) * 1000000000L + (now.tv_nsec - t0.tv_nsec) > r->spin_ns)
                                break;
                }
                if (pid != 0)
                        r->spin_score = r->spin_score + 10 > 100 ? 100 : r->spin_score + 10;
                else
                        r->spin_score = r->spin_score < 25 ? 0 : r->spin_score - 25;
        }
        if (pid == 0)
                pid = r->bpf ? bpfrec_wait(r->bpf, &status) : wait4(-1, &status, __WALL, NULL);
        /* The calls the kernel reported before this stop come first. */
        if (r->bpf && pid > 0)
                bpfrec_drain(r->bpf);
        if (pid < 0) {
                if (errno == EINTR)
                        return (event){ .kind = TEV_NONE };
                if (errno == ECHILD)
                        return (event){ .kind = TEV_DONE };
                return (event){ .kind = TEV_ERROR, .err = errno };
        }
        ev.pid = pid;
        ev.status = status;
        if (WIFEXITED(status) || WIFSIGNALED(status)) {
                ev.kind = TEV_EXIT;
                return ev;
        }
        if (!WIFSTOPPED(status)) {
                ev.kind = TEV_NONE;
                return ev;
        }
        int sig = WSTOPSIG(status);
        int e = status >> 16;
        if (sig == (SIGTRAP | 0x80))
                ev.kind = TEV_SYSCALL;
        else if (e == PTRACE_EVENT_SECCOMP)
                ev.kind = TEV_SECCOMP;
        else if (e == PTRACE_EVENT_FORK || e == PTRACE_EVENT_VFORK || e == PTRACE_EVENT_CLONE)
                ev.kind = TEV_CLONE;
        else if (e == PTRACE_EVENT_EXEC)
                ev.kind = TEV_EXEC;
        else if (e == PTRACE_EVENT_STOP)
                ev.kind = TEV_STOP;
        else if (e == 0)
                ev.kind = TEV_SIGNAL;
        else
                ev.kind = TEV_STOP; /* an event we did not ask for: just restart */
        return ev;
}

static int abi_of(const struct ptrace_syscall_info *info, uint64_t *nr)
{
        if (info->arch == AUDIT_ARCH_I386)
                return TRACE_ABI_I386;
        if (*nr & X32_SYSCALL_BIT) {
                *nr &= ~X32_SYSCALL_BIT;
                return TRACE_ABI_X32;
        }
        return TRACE_ABI_X86_64;
}

static void on_entry(recorder *r, task *t, const struct ptrace_syscall_info *info)
{
        const struct ptrace_syscall_info *i = info;
        uint64_t nr = i->op == PTRACE_SYSCALL_INFO_SECCOMP ? i->seccomp.nr : i->entry.nr;
        const __u64 *args = i->op == PTRACE_SYSCALL_INFO_SECCOMP ? i->seccomp.args : i->entry.args;
        t->abi = abi_of(i, &nr);
        t->nr = nr;
        for (int k = 0; k < 6; k++)
                t->args[k] = args[k];
        t->slot = nr < SYSCALL_SLOTS ? (int)nr : -1;
        if (r->entry_stops && t->slot >= 0)
                r->entry_stops[t->abi * SYSCALL_SLOTS + (size_t)t->slot]++;
        t->in_syscall = true;
        t->want_exit = false;
        pend_clear(t);
        if (t->pre_exec) {
                /* Before the workload's first execve everything is minpriv's
                 * own start-up code. */
                const char *n = sys_name(t->abi, t->nr);
                if (!n || (!streq(n, "execve") && !streq(n, "execveat"))) {
                        t->in_syscall = !r->seccomp_mode;
                        return;
                }
        }
        sys_entry(r, t);
        /* The result from the kernel, without an exit stop, where that is
         * all the pending facts need. */
        if (r->bpf && t->want_exit && bpfrec_take_exit(r->bpf, t))
                t->want_exit = false;
        if (r->seccomp_mode && !t->want_exit)
                t->in_syscall = false;
}

/* What PTRACE_GET_SYSCALL_INFO gives, from the registers, as strace did
 * before it: the ABI from the code segment (and the instruction, for
 * int $0x80 in 64-bit code), the number from orig_rax, the
 * arguments from the ABI's registers. A seccomp stop is an entry. A
 * syscall stop is an entry when rax holds the -ENOSYS the kernel puts there
 * before the entry stop, unless the task is already in that very call (a
 * call that returned ENOSYS); execve's exit stop (rax 0, after the exec
 * event closed the call) is an exit like any other. */
static bool regs_info(task *t, event_kind kind, struct ptrace_syscall_info *info)
{
        struct user_regs_struct g;
        if (ptrace(PTRACE_GETREGS, t->tid, 0, &g) < 0)
                return false;
        bool compat = g.cs == 0x23;
        /* int $0x80 from 64-bit code is an i386 call with the 64-bit code
         * segment: the instruction before the return address tells (cd 80;
         * `syscall` is 0f 05) */
        uint8_t insn[2] = { 0 };
        if (!compat && g.rip >= 2 && mem_read(t->tid, g.rip - 2, insn, sizeof insn) == (ssize_t)sizeof insn &&
            insn[0] == 0xcd && insn[1] == 0x80)
                compat = true;
        info->arch = compat ? AUDIT_ARCH_I386 : AUDIT_ARCH_X86_64;
        info->instruction_pointer = g.rip;
        info->stack_pointer = g.rsp;
        const uint64_t a64[6] = { g.rdi, g.rsi, g.rdx, g.r10, g.r8, g.r9 };
        const uint64_t a32[6] = { (uint32_t)g.rbx, (uint32_t)g.rcx, (uint32_t)g.rdx,
                                  (uint32_t)g.rsi, (uint32_t)g.rdi, (uint32_t)g.rbp };
        const uint64_t *args = compat ? a32 : a64;
        uint64_t nr = compat ? (uint32_t)g.orig_rax : g.orig_rax;
        int64_t rax = compat ? (int64_t)(int32_t)g.rax : (int64_t)g.rax;
        bool entry = kind == TEV_SECCOMP ||
                     (rax == -ENOSYS && !(t->in_syscall && (nr & ~(uint64_t)X32_SYSCALL_BIT) == t->nr));
        if (kind == TEV_SECCOMP) {
                unsigned long data = 0;
                ptrace(PTRACE_GETEVENTMSG, t->tid, 0, &data);
                info->op = PTRACE_SYSCALL_INFO_SECCOMP;
                info->seccomp.nr = nr;
                info->seccomp.ret_data = (uint32_t)data;
                memcpy(info->seccomp.args, args, sizeof info->seccomp.args);
        } else if (entry) {
                info->op = PTRACE_SYSCALL_INFO_ENTRY;
                info->entry.nr = nr;
                memcpy(info->entry.args, args, sizeof info->entry.args);
        } else {
                info->op = PTRACE_SYSCALL_INFO_EXIT;
                info->exit.rval = rax;
                info->exit.is_error = rax < 0 && rax >= -4095;
        }
        return true;
}

static bool get_info(recorder *r, task *t, event_kind kind, struct ptrace_syscall_info *info)
{
        memset(info, 0, sizeof *info);
        if (!r->regs_only) {
                if (ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, sizeof *info, info) > 0)
                        return true;
                if (errno != EIO && errno != EINVAL)
                        return false; /* the task is gone */
                r->regs_only = true;
        }
        return regs_info(t, kind, info);
}

static void on_syscall_stop(recorder *r, task *t, event_kind kind)
{
        struct ptrace_syscall_info info;
        if (!get_info(r, t, kind, &info)) {
                resume(r, t, 0);
                return;
        }
        if (info.op == PTRACE_SYSCALL_INFO_SECCOMP || info.op == PTRACE_SYSCALL_INFO_ENTRY) {
                on_entry(r, t, &info);
        } else if (info.op == PTRACE_SYSCALL_INFO_EXIT) {
                r->exit_stops++;
                if (t->in_syscall && !t->pre_exec)
                        sys_exit(r, t, info.exit.rval, info.exit.is_error != 0);
                pend_clear(t);
                t->in_syscall = false;
                t->want_exit = false;
        }
        resume(r, t, 0);
}

static void on_clone_event(recorder *r, task *t)
{
        unsigned long msg = 0;
        ptrace(PTRACE_GETEVENTMSG, t->tid, 0, &msg);
        pid_t child = (pid_t)msg;
        uint64_t flags = t->clone_flags;
        bool thread;
        uint64_t arg0 = 0;
        const char *reported = r->bpf ? bpfrec_inflight(r->bpf, t->tid, &arg0) : NULL;
        if (reported && (streq(reported, "fork") || streq(reported, "vfork") || streq(reported, "clone"))) {
                /* a call the kernel reported: the task is in it now (a
                 * clone that stopped before may have failed); clone's flags
                 * are its first argument */
                flags = streq(reported, "clone") ? arg0 : 0;
                thread = (flags & CLONE_THREAD) != 0;
        } else if (t->clone_seen) {
                thread = (flags & CLONE_THREAD) != 0;
        } else {
                /* The call did not stop (an incremental recording let it
                 * through): ask the kernel what the child is. */
                pid_t tgid = child;
                proc_read_creds(child, NULL, &tgid, NULL);
                thread = tgid != child;
                flags = thread ? CLONE_THREAD : 0;
        }
        t->clone_flags = 0;
        t->clone_seen = false;
        task *c = intmap_get(r->tasks, child);
        bool gone = !c && intmap_get(r->gone_early, child);
        if (gone)
                intmap_remove(r->gone_early, child);
        if (c)
                c->announced = true;
        if (!c && !gone) {
                proc *p;
                if (thread) {
                        p = t->p;
                } else {
                        p = proc_new(r, child);
                        p->program = t->p->program;
                        p->image_id = t->p->image_id; /* fork: the same code at the same addresses */
                        p->cr = t->p->cr;
                        p->root = xstrdup(t->p->root ? t->p->root : "/");
                        p->root_is_ours = t->p->root_is_ours;
                        p->shared_fs = (flags & CLONE_FS) != 0;
                        if (t->p->cwd && !p->shared_fs)
                                p->cwd = xstrdup(t->p->cwd);
                        p->shared_files = (flags & CLONE_FILES) != 0;
                        if (t->p->fds && !p->shared_files) {
                                /* the child's fd table starts as a copy */
                                p->fds = intmap_new();
                                size_t pos = 0;
                                int64_t fd;
                                void *v;
                                while (intmap_next(t->p->fds, &pos, &fd, &v))
                                        intmap_put(p->fds, fd, xstrdup(v));
                        }
                }
                task_new(r, child, p)->announced = true;
        } else if (c && !thread) {
                /* Seen first, through /proc: fill in what we know better. */
                c->p->program = t->p->program;
                c->p->shared_fs = (flags & CLONE_FS) != 0;
                c->p->shared_files = (flags & CLONE_FILES) != 0;
        }
        if ((flags & CLONE_FS) && !thread) {
                /* The parent shares its cwd with a process now: stop caching. */
                t->p->shared_fs = true;
                free(t->p->cwd);
                t->p->cwd = NULL;
        }
        if ((flags & CLONE_FILES) && !thread) {
                t->p->shared_files = true;
                fd_cache_clear(t->p);
        }
        resume(r, t, 0);
}

/* Executable mappings the kernel made itself at exec (the program and its
 * ELF interpreter) are not mmap calls, but the profile needs them. */
static void record_exec_mappings(recorder *r, task *t)
{
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/maps", t->tid);
        _cleanup_free_ char *maps = NULL;
        if (read_file_full(path, 64u << 20, &maps, NULL) < 0)
                return;
        /* "start-end perms offset dev inode path": only the path has a '/' */
        for (char *line = maps, *next; *line; line = next) {
                char *nl = strchr(line, '\n');
                next = nl ? nl + 1 : line + strlen(line);
                if (nl)
                        *nl = '\0';
                char *perms = strchr(line, ' '), *file = strchr(line, '/');
                if (!perms || strlen(perms) < 4 || perms[3] != 'x' || !file)
                        continue;
                if (endswith(file, " (deleted)"))
                        file[strlen(file) - 10] = '\0';
                pending pd = { .type = PEND_FILE, .kinds = 1u << AK_MMAP_EXEC, .nofollow = true, .file_type = -1 };
                pd.path = trace_path_encode(file, strlen(file));
                rec_file(r, t, &pd, 0);
                free(pd.path);
        }
}

/* A set-user-ID or set-group-ID program ran: with no_new_privs (an
 * unprivileged recording) it ran without its privileges, so its behaviour
 * under the recorder may differ from production. */
static void note_setuid_exec(recorder *r, task *t)
{
        char path[64];
        struct stat st;
        snprintf(path, sizeof path, "/proc/%d/exe", t->tid);
        if (stat(path, &st) < 0 || !(st.st_mode & (S_ISUID | S_ISGID)))
                return;
        const char *prog = rec_program_name(r, t->p->program);
        for (size_t i = 0; i < r->nsetuid; i++)
                if (streq(r->setuid_programs[i], prog))
                        return;
        r->setuid_programs = xrealloc(r->setuid_programs, (r->nsetuid + 1) * sizeof *r->setuid_programs);
        r->setuid_programs[r->nsetuid++] = xstrdup(prog);
}

static void on_exec_event(recorder *r, pid_t pid)
{
        unsigned long old = 0;
        ptrace(PTRACE_GETEVENTMSG, pid, 0, &old);
        task *t = intmap_get(r->tasks, pid);
        if ((pid_t)old != pid) {
                /* A non-leader thread exec'd: it takes over the leader's tid
                 * and the old leader vanishes without an exit report. */
                task *execer = intmap_get(r->tasks, (pid_t)old);
                if (execer) {
                        if (t) {
                                if (r->bpf) /* a call the old leader was in */
                                        bpfrec_task_gone(r->bpf, t);
                                intmap_remove(r->tasks, pid);
                                r->live_tasks--;
                                pend_clear(t);
                                t->p->refs--; /* the execer still holds the process */
                                free(t);
                        }
                        intmap_remove(r->tasks, execer->tid);
                        execer->tid = pid;
                        intmap_put(r->tasks, pid, execer);
                        t = execer;
                }
        }
        if (!t)
                t = task_discover(r, pid);

        /* The execve succeeded: account it to the program that called it.
         * Its exit may have been left to the kernel's report (as for a
         * failing one): that report is cancelled, and its facts, held by a
         * copy of the task, are handled here. */
        task *w = r->bpf ? bpfrec_cancel_exit(r->bpf, (pid_t)old) : NULL;
        _cleanup_free_ char *exec_enc = r->bpf ? bpfrec_exec_path(r->bpf, (pid_t)old) : NULL;
        if (!exec_enc && pend_exec_path(w ? w : t)) /* (its pending facts go with its exit) */
                exec_enc = xstrdup(pend_exec_path(w ? w : t));
        if (w)
                sys_exit(r, w, 0, false);
        else if (t->in_syscall)
                sys_exit(r, t, 0, false);
        free(w);
        if (t->pre_exec && r->bpf)
                bpfrec_trace(r->bpf, t->p->tgid, false); /* the workload starts */
        t->in_syscall = false;
        t->want_exit = false;
        t->pre_exec = false;
        fd_cache_clear(t->p);             /* close-on-exec fds are gone */
        uring_forget_proc(r, t->p->tgid); /* ring fds are close-on-exec, mappings gone */
        if (r->bpf)
                bpfrec_fold(r->bpf, t->p); /* what the kernel counted of the old program */
        t->p->image_id = ++r->next_image;
        set_program_from_exe(r, t);
        proc_read_creds(pid, &t->p->cr, NULL, NULL);
        /* A script or a symlink: the program that really runs is executed
         * too (the interpreter, or the link's target). */
        const char *prog = rec_program_name(r, t->p->program);
        if (exec_enc && !streq(exec_enc, prog)) {
                pending pd = { .type = PEND_FILE, .kinds = 1u << AK_EXEC, .file_type = -1 };
                pd.path = xstrdup(prog);
                rec_file(r, t, &pd, 0);
                free(pd.path);
        }
        record_exec_mappings(r, t);
        note_setuid_exec(r, t);
        resume(r, t, 0);
}

static void on_exit_event(recorder *r, event ev)
{
        if (ev.pid == r->main_pid) {
                if (WIFEXITED(ev.status))
                        r->main_status = WEXITSTATUS(ev.status);
                else
                        r->main_status = 128 + WTERMSIG(ev.status);
                r->main_signal = WIFSIGNALED(ev.status) ? WTERMSIG(ev.status) : 0;
                forward_to = -1;
        }
        task *t = intmap_get(r->tasks, ev.pid);
        if (!t)
                return;
        /* A child can stop, run and exit before its parent's clone event
         * is read: that event must then not bring it back as a new task
         * (a leaf of a fork tree was counted twice). */
        if (!t->announced)
                intmap_put(r->gone_early, t->tid, r);
        task_drop(r, t);
}

static void forward_to_all(recorder *r, int sig)
{
        size_t pos = 0;
        void *v;
        while (intmap_next(r->procs, &pos, NULL, &v))
                kill(((proc *)v)->tgid, sig);
}

static bool dispatch_event(recorder *r, event ev)
{
        switch (ev.kind) {
        case TEV_DONE:
                return false;
        case TEV_ERROR:
                r->loop_error = ev.err;
                return false;
        case TEV_NONE:
                if (forward_pending) {
                        int sig = forward_pending;
                        forward_pending = 0;
                        forward_to_all(r, sig);
                }
                return true;
        case TEV_EXIT:
                on_exit_event(r, ev);
                return true;
        case TEV_EXEC:
                on_exec_event(r, ev.pid);
                return true;
        default:
                break;
        }
        r->stops++;
        task *t = intmap_get(r->tasks, ev.pid);
        if (!t)
                t = task_discover(r, ev.pid);
        switch (ev.kind) {
        case TEV_SECCOMP:
        case TEV_SYSCALL:
                on_syscall_stop(r, t, ev.kind);
                break;
        case TEV_CLONE:
                on_clone_event(r, t);
                break;
        case TEV_STOP: {
                int sig = WSTOPSIG(ev.status);
                if ((ev.status >> 16) == PTRACE_EVENT_STOP &&
                    (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)) {
                        /* A group-stop: stay stopped, but let SIGCONT through. */
                        t->group_stopped = true;
                        ptrace(PTRACE_LISTEN, t->tid, 0, 0);
                } else {
                        t->group_stopped = false;
                        resume(r, t, 0);
                }
                break;
        }
        case TEV_SIGNAL:
                /* The eBPF recorder's SIGSTOP (the buffer was read before
                 * this stop was handled) is not the workload's. */
                if (r->bpf && WSTOPSIG(ev.status) == SIGSTOP && bpfrec_throttled(r->bpf, t))
                        resume(r, t, 0);
                else
                        resume(r, t, WSTOPSIG(ev.status));
                break;
        default:
                resume(r, t, 0);
                break;
        }
        return true;
}

/* ---------------------------------------------------------------- run */

static int cmp_pid(const void *a, const void *b)
{
        pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
        return (x > y) - (x < y);
}

/* The process ids traced, sorted, each once: the generator recognises
 * them in file names (redis's temp-<pid>.rdb). */
static json_t *pids_json(recorder *r)
{
        json_t *a = json_array();
        if (r->npids)
                qsort(r->pids, r->npids, sizeof *r->pids, cmp_pid);
        for (size_t i = 0; i < r->npids; i++)
                if (i == 0 || r->pids[i] != r->pids[i - 1])
                        json_array_append_new(a, json_integer(r->pids[i]));
        return a;
}

static json_t *creds_json(const creds *c, bool nnp)
{
        json_t *groups = json_array();
        for (uint32_t i = 0; i < c->ngroups; i++)
                json_array_append_new(groups, json_integer(c->groups[i]));
        char cap[32];
        snprintf(cap, sizeof cap, "%016llx", (unsigned long long)c->cap_eff);
        return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:s}", "uid", (json_int_t)c->uid, "euid",
                         (json_int_t)c->euid, "suid", (json_int_t)c->suid, "fsuid", (json_int_t)c->fsuid, "gid",
                         (json_int_t)c->gid, "egid", (json_int_t)c->egid, "sgid", (json_int_t)c->sgid, "fsgid",
                         (json_int_t)c->fsgid, "groups", groups, "cap_eff", cap);
}

static uint32_t read_unpriv_port_start(void)
{
        uint32_t v = 1024;
        FILE *f = fopen("/proc/sys/net/ipv4/ip_unprivileged_port_start", "re");
        if (f) {
                if (fscanf(f, "%u", &v) != 1)
                        v = 1024;
                fclose(f);
        }
        return v;
}

/* Install a filter in the child; unprivileged, the filter needs
 * no_new_privs. Say so before setting it, so that nothing after the filter
 * is our own syscalls but execve. */
static int child_install(const struct sock_fprog *prog, int note_fd, bool *nnp)
{
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) == 0)
                return 0;
        if (errno != EACCES || *nnp)
                return -errno;
        if (write(note_fd, "N", 1) != 1 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -errno;
        *nnp = true;
        return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) == 0 ? 0 : -errno;
}

_noreturn_ static void child_main(const char *path, char *const *argv, const struct sock_fprog *prog, bool seccomp,
                                  const struct sock_fprog *enforce, const char *aa_onexec, int note_fd)
{
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        raise(SIGSTOP); /* the parent seizes us while we are stopped */
        bool nnp = false;
        int r;
        if (aa_onexec && aa_change_onexec(aa_onexec) < 0) {
                dprintf(STDERR_FILENO, "minpriv: cannot enter AppArmor profile %s at exec: %s\n", aa_onexec,
                        strerror(errno));
                _exit(125);
        }
        if (seccomp && (r = child_install(prog, note_fd, &nnp)) < 0) {
                dprintf(STDERR_FILENO, "minpriv: cannot install the seccomp filter: %s\n", strerror(-r));
                _exit(125);
        }
        /* The enforced profile last: it may not allow seccomp() itself. */
        if (enforce && (r = child_install(enforce, note_fd, &nnp)) < 0) {
                dprintf(STDERR_FILENO, "minpriv: cannot load the enforced seccomp profile: %s\n", strerror(-r));
                _exit(125);
        }
        execve(path, argv, environ);
        int e = errno;
        dprintf(STDERR_FILENO, "minpriv: cannot execute %s: %s\n", path, strerror(e));
        _exit(e == ENOENT ? TRACER_EXIT_NOT_FOUND : TRACER_EXIT_NOT_EXECUTABLE);
}

/* One tracer_run: what its steps acquired, released by run_teardown
 * whichever step failed. */
typedef struct run_state {
        const tracer_options *opts;
        trace *t;
        recorder rec;
        char *path;     /* the command as found in PATH */
        char *abs_path; /* its real path (NULL when realpath failed) */
        struct sock_fprog prog;
        int notes[2]; /* the child's notes to us ('N': it set no_new_privs) */
        bool forwarding;
        struct sigaction saved[ELEMENTSOF(forwarded)];
        bool sampling;
        struct sigaction saved_alarm;
        creds initial;  /* the workload's credentials before it ran */
        time_t started; /* when the recording began (wall clock) */
} run_state;

/* When and where a run was recorded, for the reader of the report: UTC
 * times to the second, the host's name and kernel. Profiles never use them,
 * so two recordings still give the same profiles. */
static void utc_string(char buf[static 32], time_t when)
{
        struct tm tm;
        if (!gmtime_r(&when, &tm) || !strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
                snprintf(buf, 32, "@%lld", (long long)when);
}

static void set_when_where(json_t *run, time_t started)
{
        char buf[32];
        utc_string(buf, started);
        json_object_set_new(run, "started", json_string(buf));
        utc_string(buf, time(NULL));
        json_object_set_new(run, "finished", json_string(buf));
        struct utsname u;
        if (uname(&u) == 0) {
                _cleanup_free_ char *node = trace_path_encode(u.nodename, strlen(u.nodename));
                _cleanup_free_ char *kernel = xasprintf("%s %s %s", u.sysname, u.release, u.machine);
                _cleanup_free_ char *kenc = trace_path_encode(kernel, strlen(kernel));
                json_object_set_new(run, "host", json_string(node));
                json_object_set_new(run, "kernel", json_string(kenc));
        }
}

/* Look the command up, prepare the recorder and build the filter. */
static int run_setup(run_state *x, int *ret_status, mp_error *err)
{
        const tracer_options *opts = x->opts;
        x->started = time(NULL);
        int rc = tracer_find_command(opts->argv[0], &x->path);
        if (rc < 0) {
                _cleanup_free_ char *q = quote_for_message(opts->argv[0]);
                *ret_status = rc == -ENOENT ? TRACER_EXIT_NOT_FOUND : TRACER_EXIT_NOT_EXECUTABLE;
                return mp_error_set(err, rc == -ENOENT ? -ENOENT : -EACCES, NULL, "%s: %s", q,
                                    rc == -ENOENT ? "command not found" : "permission denied (not executable)");
        }

        sys_table_init();
        recorder *r = &x->rec;
        r->t = x->t;
        r->opts = opts;
        r->stacks = opts->stacks;
        r->quiet = opts->quiet;
        r->unpriv_port_start = read_unpriv_port_start();
        if (opts->baseline_trace) {
                r->baseline_stat = hashmap_new();
                const char *bpath;
                json_t *node;
                json_object_foreach (json_object_get(opts->baseline_trace->root, "files"), bpath, node)
                        if (json_object_get(json_object_get(node, "access"), "stat"))
                                hashmap_put(r->baseline_stat, bpath, (void *)1);
        }
        /* fd paths can be cached only when every close stops. */
        r->fd_cache = true;
        for (int a = 0; a < _TRACE_ABI_MAX; a++)
                if (opts->baseline[a])
                        r->fd_cache = false;
        /* Spinning only helps when another CPU can run the workload. */
        const char *spin = getenv("MINPRIV_SPIN_US");
        if (getenv("MINPRIV_STATS"))
                r->entry_stops = xcalloc((size_t)_TRACE_ABI_MAX * SYSCALL_SLOTS, sizeof *r->entry_stops);
        r->spin_ns = sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 1000L * (spin ? atol(spin) : 50) : 0;
        rec_init(r);
        caps_init(r);
        /* An enforced filter would hide denied calls from SECCOMP_RET_TRACE
         * stops (an errno or kill takes precedence over trace). */
        r->seccomp_mode = !opts->no_seccomp && !opts->enforce_filter && probe_seccomp();
        /* MINPRIV_SYSCALL_INFO=regs: decode from the registers even where
         * the kernel has PTRACE_GET_SYSCALL_INFO (the tests compare both). */
        const char *how = getenv("MINPRIV_SYSCALL_INFO");
        r->regs_only = how && streq(how, "regs");
        if (r->stacks && stacks_init(r) < 0)
                r->stacks = false;
        /* Hot syscalls counted in the kernel: a full recording in seccomp
         * mode only (stacks need the stops; a baseline has its own filter). */
        /* Counted by the eBPF recorder, which also reports the path calls
         * and the calls only counted instead of stopping at them, where it
         * loads; else by perf counters. */
        if (r->seccomp_mode && !opts->no_kernel_count && !r->stacks && r->fd_cache) {
                if (!opts->no_bpf) {
                        const char *why = bpfrec_unusable();
                        if (why) {
                                r->bpf_unused = xstrdup(why);
                        } else if (kcount_table(&r->kc) == 0 && (rc = bpfrec_open(r, r->kc, &r->bpf)) < 0) {
                                r->bpf = NULL;
                                r->bpf_unused = xasprintf("cannot load: %s", strerror(-rc));
                        }
                }
                if (r->bpf_unused && getenv("MINPRIV_STATS"))
                        fprintf(stderr, "minpriv-note: no eBPF recorder: %s\n", r->bpf_unused);
                if (!r->bpf) {
                        kcount_free(r->kc);
                        r->kc = NULL;
                        kcount_probe(&r->kc);
                }
                if (r->kc)
                        r->fd_cache = false; /* close, dup2 ... no longer stop */
        }

        if (r->seccomp_mode && (rc = filter_build(r, &x->prog)) < 0)
                return mp_error_set(err, rc, NULL, "cannot build the seccomp filter: %s", strerror(-rc));
        return 0;
}

static void forwarding_stop(run_state *x)
{
        if (!x->forwarding)
                return;
        for (size_t i = 0; i < ELEMENTSOF(forwarded); i++)
                sigaction(forwarded[i], &x->saved[i], NULL);
        x->forwarding = false;
        forward_to = 0;
}

static void sampling_stop(run_state *x)
{
        if (!x->sampling)
                return;
        struct itimerval off = { 0 };
        setitimer(ITIMER_REAL, &off, NULL);
        sigaction(SIGALRM, &x->saved_alarm, NULL);
        x->sampling = false;
}

/* Start the workload stopped, seize it and take its first facts. */
static int run_attach(run_state *x, mp_error *err)
{
        recorder *r = &x->rec;
        int rc;
        if (pipe2(x->notes, O_CLOEXEC) < 0) {
                rc = -errno;
                x->notes[0] = x->notes[1] = -1;
                return mp_error_set(err, rc, NULL, "pipe: %s", strerror(-rc));
        }
        /* Orphans of the workload come to us, so we can reap them and their
         * resource usage counts. */
        prctl(PR_SET_CHILD_SUBREAPER, 1);

        struct sigaction fwd = { .sa_sigaction = on_forward, .sa_flags = SA_SIGINFO };
        sigemptyset(&fwd.sa_mask);
        forward_to = 0;
        forward_pending = 0;
        for (size_t i = 0; i < ELEMENTSOF(forwarded); i++)
                sigaction(forwarded[i], &fwd, &x->saved[i]);
        x->forwarding = true;

        x->abs_path = realpath(x->path, NULL);
        pid_t pid = fork();
        if (pid < 0) {
                rc = -errno;
                return mp_error_set(err, rc, NULL, "fork: %s", strerror(-rc));
        }
        if (pid == 0) {
                close(x->notes[0]);
                for (size_t i = 0; i < ELEMENTSOF(forwarded); i++)
                        sigaction(forwarded[i], &x->saved[i], NULL);
                child_main(x->path, x->opts->argv, &x->prog, r->seccomp_mode, x->opts->enforce_filter,
                           x->opts->aa_onexec, x->notes[1]);
        }
        close(x->notes[1]);
        x->notes[1] = -1;
        r->main_pid = pid;

        int st;
        while (waitpid(pid, &st, WSTOPPED) < 0 && errno == EINTR)
                ;
        long options = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
                       PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;
        if (r->seccomp_mode)
                options |= PTRACE_O_TRACESECCOMP;
        int kc_rc = 0;
        if (!WIFSTOPPED(st) || ptrace(PTRACE_SEIZE, pid, 0, options) < 0 ||
            (r->kc && !r->bpf && (kc_rc = kcount_attach(r->kc, pid)) < 0)) {
                rc = kc_rc < 0 ? kc_rc : WIFSTOPPED(st) ? -errno : -ECHILD;
                kill(pid, SIGKILL);
                while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                        ;
                if (kc_rc < 0)
                        return mp_error_set(err, kc_rc, NULL,
                                            "cannot count syscalls in the kernel: %s (record with --no-kernel-count)",
                                            strerror(-kc_rc));
                if (rc == -EPERM)
                        return mp_error_set(err, -EPERM, NULL,
                                            "ptrace is not permitted here (in a container, add --cap-add SYS_PTRACE "
                                            "--security-opt seccomp=unconfined; check kernel.yama.ptrace_scope)");
                return mp_error_set(err, rc, NULL, "cannot trace the command: %s", strerror(-rc));
        }
        forward_to = pid;
        /* Under an AppArmor profile, the workload's accesses may have been
         * refused by it (EACCES): the trace says what confined it. */
        char *aa_label = NULL, *aa_mode = NULL;
        if (aa_is_enabled() && aa_gettaskcon(pid, &aa_label, &aa_mode) >= 0 && aa_label)
                r->apparmor = aa_mode ? xasprintf("%s (%s)", aa_label, aa_mode) : xstrdup(aa_label);
        else
                r->apparmor = xstrdup("not enabled");
        free(aa_label); /* aa_gettaskcon allocates the label; mode points into it */

        proc *p = proc_new(r, pid);
        task *t0 = task_new(r, pid, p);
        t0->announced = true;
        t0->pre_exec = true;
        proc_refresh_root(r, t0);
        const char *prog_path = x->abs_path ? x->abs_path : x->path;
        _cleanup_free_ char *prog_enc = trace_path_encode(prog_path, strlen(prog_path));
        p->program = rec_program(r, prog_enc);
        proc_read_creds(pid, &p->cr, NULL, NULL);
        x->initial = p->cr;
        return 0;
}

/* Let the workload go and follow it until every traced process is gone. */
static void run_loop(run_state *x)
{
        recorder *r = &x->rec;
        struct sigaction alarm_sa = { .sa_handler = on_alarm };
        sigemptyset(&alarm_sa.sa_mask);
        sigaction(SIGALRM, &alarm_sa, &x->saved_alarm);
        x->sampling = true;
        struct itimerval iv = { { 0, 50000 }, { 0, 20000 } };
        setitimer(ITIMER_REAL, &iv, NULL);

        if (r->bpf && bpfrec_wait_begin(r->bpf) < 0)
                r->loop_error = errno ? errno : EIO;
        kill(r->main_pid, SIGCONT);
        while (!r->loop_error && dispatch_event(r, next_event(r)))
                ;
        if (r->bpf) {
                bpfrec_drain(r->bpf);
                bpfrec_wait_end(r->bpf);
        }

        sampling_stop(x);
        forwarding_stop(x);

        char note = 0;
        fcntl(x->notes[0], F_SETFL, O_NONBLOCK);
        while (read(x->notes[0], &note, 1) == 1)
                if (note == 'N')
                        r->no_new_privs = true;
}

static int cmp_u64_desc(const void *a, const void *b)
{
        uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
        return (x < y) - (x > y);
}

/* MINPRIV_STATS: the calls that still stop at entry, most first (the
 * benchmark's "what is left"): "minpriv-stops: ABI:NAME=N ...". */
static void print_entry_stops(const recorder *r)
{
        size_t n = (size_t)_TRACE_ABI_MAX * SYSCALL_SLOTS, k = 0;
        uint64_t *order = xcalloc(n, 2 * sizeof *order);
        for (size_t i = 0; i < n; i++)
                if (r->entry_stops[i]) {
                        order[2 * k] = r->entry_stops[i];
                        order[2 * k + 1] = i;
                        k++;
                }
        qsort(order, k, 2 * sizeof *order, cmp_u64_desc);
        fputs("minpriv-stops:", stderr);
        for (size_t i = 0; i < k; i++) {
                trace_abi abi = (trace_abi)(order[2 * i + 1] / SYSCALL_SLOTS);
                int nr = (int)(order[2 * i + 1] % SYSCALL_SLOTS);
                const char *name = sys_name(abi, nr);
                fprintf(stderr, " %s:%s=%llu", trace_abi_name(abi), name ? name : "?",
                        (unsigned long long)order[2 * i]);
        }
        fputc('\n', stderr);
        free(order);
}

/* The run's facts into the trace: resources, the recorder's sections and
 * runs[] (what was run, how it ended, how it was recorded). Returns the
 * workload's exit status. */
static int run_summary(run_state *x)
{
        recorder *r = &x->rec;
        const tracer_options *opts = x->opts;
        trace *t = x->t;
        struct rusage ru;
        getrusage(RUSAGE_CHILDREN, &ru);
        json_t *res = trace_child(t->root, "resources");
        trace_counter_max(res, "cpu_ms",
                          (json_int_t)(ru.ru_utime.tv_sec * 1000 + ru.ru_utime.tv_usec / 1000 +
                                       ru.ru_stime.tv_sec * 1000 + ru.ru_stime.tv_usec / 1000));
        trace_counter_max(res, "max_rss_kib", (json_int_t)ru.ru_maxrss);
        if (r->bpf)
                bpfrec_counts(r->bpf, r->kc);
        if (r->kc)
                kcount_finish(r);
        rec_finish(r);

        json_t *run = json_object();
        json_t *cmd = json_array();
        for (char *const *a = opts->argv; *a; a++) {
                _cleanup_free_ char *enc = trace_path_encode(*a, strlen(*a));
                json_array_append_new(cmd, json_string(enc));
        }
        json_object_set_new(run, "command", cmd);
        int status = r->main_status < 0 ? 0 : r->main_status;
        json_t *ex = json_pack("{s:i}", "status", status);
        if (r->main_signal)
                json_object_set_new(ex, "signal", json_string(signal_name(r->main_signal) ?: "SIGKILL"));
        else
                json_object_set_new(ex, "code", json_integer(status));
        json_object_set_new(run, "exit", ex);
        json_object_set_new(run, "mode",
                            json_string(r->bpf            ? "seccomp+count+bpf"
                                        : r->kc           ? "seccomp+count"
                                        : r->seccomp_mode ? "seccomp"
                                                          : "ptrace"));
        if (r->kc)
                json_object_set_new(run, "counted_in_kernel", kcount_names(r->kc));
        if (r->bpf_unused)
                json_object_set_new(run, "bpf_unused", json_string(r->bpf_unused));
        if (r->bpf) {
                json_object_set_new(run, "reported_by_bpf", bpfrec_names(r->bpf));
                uint64_t lost = bpfrec_lost(r->bpf);
                if (lost) {
                        json_object_set_new(run, "bpf_lost", json_integer((json_int_t)lost));
                        fprintf(stderr,
                                "minpriv: warning: %llu calls reported by the kernel were lost (its buffer was full); "
                                "their facts are missing: record again, or with --no-bpf\n",
                                (unsigned long long)lost);
                }
                if (r->gone_unknown) {
                        json_object_set_new(run, "bpf_gone", json_integer((json_int_t)r->gone_unknown));
                        fprintf(stderr,
                                "minpriv: warning: %llu calls reported by the kernel found files that were removed "
                                "before they were read; their type, owner and mode are missing: record again, or "
                                "with --no-bpf\n",
                                (unsigned long long)r->gone_unknown);
                }
        }
        if (r->regs_only)
                json_object_set_new(run, "syscall_info", json_string("registers"));
        json_object_set_new(run, "no_new_privs", json_boolean(r->no_new_privs));
        if (r->nsetuid) {
                qsort(r->setuid_programs, r->nsetuid, sizeof *r->setuid_programs, strcmp_ptr);
                json_t *su = json_array();
                for (size_t i = 0; i < r->nsetuid; i++)
                        json_array_append_new(su, json_string(r->setuid_programs[i]));
                json_object_set_new(run, "setuid_programs", su);
        }
        json_object_set_new(run, "stacks", json_boolean(r->stacks));
        if (opts->baseline_label)
                json_object_set_new(run, "baseline", json_string(opts->baseline_label));
        json_object_set_new(run, "credentials", creds_json(&x->initial, r->no_new_privs));
        json_object_set_new(run, "recorder", json_string("minpriv " MINPRIV_VERSION));
        json_object_set_new(run, "pids", pids_json(r));
        json_object_set_new(run, "apparmor", json_string(r->apparmor ? r->apparmor : "not enabled"));
        json_object_set_new(run, "unprivileged_port_start", json_integer(r->unpriv_port_start));
        set_when_where(run, x->started);
        json_array_append_new(json_object_get(t->root, "runs"), run);

        if (getenv("MINPRIV_STATS")) {
                /* For the benchmark: the tracer's own cost. The peak RSS is
                 * VmHWM, not getrusage's ru_maxrss, which keeps the peak of
                 * whatever process exec'd minpriv. */
                long hwm = 0;
                struct rusage self;
                getrusage(RUSAGE_SELF, &self);
                long self_ms = self.ru_utime.tv_sec * 1000 + self.ru_utime.tv_usec / 1000 +
                               self.ru_stime.tv_sec * 1000 + self.ru_stime.tv_usec / 1000;
                FILE *sf = fopen("/proc/self/status", "re");
                char line[256];
                while (sf && fgets(line, sizeof line, sf))
                        if (sscanf(line, "VmHWM: %ld", &hwm) == 1)
                                break;
                if (sf)
                        fclose(sf);
                fprintf(stderr,
                        "minpriv-stats: self_max_rss_kib=%ld self_cpu_ms=%ld stops=%llu exit_stops=%llu counted=%llu "
                        "bpf=%llu bpf_tallied=%llu bpf_run_ms=%llu "
                        "bpf_exits=%llu bpf_throttled=%llu processes=%llu paths=%zu\n",
                        hwm, self_ms, (unsigned long long)r->stops, (unsigned long long)r->exit_stops,
                        (unsigned long long)(r->kc ? kcount_counted(r->kc) : 0),
                        (unsigned long long)(r->bpf ? bpfrec_events(r->bpf) : 0),
                        (unsigned long long)(r->bpf ? bpfrec_tallied(r->bpf) : 0),
                        (unsigned long long)(r->bpf ? bpfrec_run_ns(r->bpf) / 1000000 : 0),
                        (unsigned long long)(r->bpf ? bpfrec_exits(r->bpf) : 0),
                        (unsigned long long)(r->bpf ? bpfrec_throttles(r->bpf) : 0), (unsigned long long)r->processes,
                        trace_section_size(t, "files"));
                print_entry_stops(r);
        }
        return status;
}

/* Release whatever the steps acquired (each release copes with a step
 * that never ran). */
static void run_teardown(run_state *x)
{
        sampling_stop(x);
        forwarding_stop(x);
        for (int i = 0; i < 2; i++)
                if (x->notes[i] >= 0)
                        close(x->notes[i]);
        free(x->prog.filter);
        free(x->rec.apparmor);
        kcount_free(x->rec.kc);
        bpfrec_free(x->rec.bpf);
        stacks_free(&x->rec);
        caps_free(&x->rec);
        rec_free(&x->rec);
        free(x->path);
        free(x->abs_path);
}

int tracer_run(const tracer_options *opts, trace *t, int *ret_status, mp_error *err)
{
        run_state x = { .opts = opts, .t = t, .notes = { -1, -1 } };
        int rc = run_setup(&x, ret_status, err);
        if (rc >= 0)
                rc = run_attach(&x, err);
        if (rc >= 0) {
                run_loop(&x);
                *ret_status = run_summary(&x);
                if (x.rec.loop_error)
                        rc = mp_error_set(err, -x.rec.loop_error, NULL, "waiting for the workload: %s",
                                          strerror(x.rec.loop_error));
        }
        run_teardown(&x);
        return rc < 0 ? rc : 0;
}
