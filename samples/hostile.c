/* Hostile workloads for the tracer, one per mode (argv[1]):
 *   threads N      N threads alive at once (they wait on a barrier)
 *   procs N        N short-lived processes in sequence
 *   forktree D     a chain of processes D deep
 *   clone3         a child made with the clone3 syscall
 *   orphans        a child whose parent exits first (re-parented while traced)
 *   sigchld N      N children exiting at once: a SIGCHLD storm
 *   blocksig       blocks and ignores every catchable signal, then exits 0
 *   ptraceme       PTRACE_TRACEME (fails under a tracer), then carries on
 *   seccomp        installs its own seccomp filter (getpid -> EPERM), checks it
 *   killed         a child blocked in read() is SIGKILLed by its parent
 *   stopcont       stops itself with SIGSTOP; exits 0 once continued
 * Exit status 0 when the mode behaved as expected. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_barrier_t barrier;

static void *thread_main(void *arg)
{
        pthread_barrier_wait(&barrier);
        return NULL;
}

static int threads(int n)
{
        pthread_t *t = calloc((size_t)n, sizeof *t);
        pthread_barrier_init(&barrier, NULL, (unsigned)n + 1);
        for (int i = 0; i < n; i++) {
                pthread_attr_t a;
                pthread_attr_init(&a);
                pthread_attr_setstacksize(&a, 64 * 1024);
                if (pthread_create(&t[i], &a, thread_main, NULL) != 0)
                        return 1;
                pthread_attr_destroy(&a);
        }
        pthread_barrier_wait(&barrier); /* all n threads are alive here */
        for (int i = 0; i < n; i++)
                pthread_join(t[i], NULL);
        free(t);
        return 0;
}

static int procs(int n)
{
        for (int i = 0; i < n; i++) {
                pid_t p = fork();
                if (p < 0)
                        return 1;
                if (p == 0)
                        _exit(0);
                int st;
                if (waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
                        return 1;
        }
        return 0;
}

static int forktree(int depth)
{
        if (depth == 0)
                return 0;
        pid_t p = fork();
        if (p < 0)
                return 1;
        if (p == 0)
                _exit(forktree(depth - 1));
        int st;
        waitpid(p, &st, 0);
        return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

static int do_clone3(void)
{
        struct clone_args args;
        memset(&args, 0, sizeof args);
        args.exit_signal = SIGCHLD;
        long p = syscall(SYS_clone3, &args, sizeof args);
        if (p < 0)
                return 1;
        if (p == 0)
                _exit(3);
        int st;
        waitpid((pid_t)p, &st, 0);
        return WIFEXITED(st) && WEXITSTATUS(st) == 3 ? 0 : 1;
}

static int orphans(void)
{
        int pfd[2];
        if (pipe(pfd) < 0)
                return 1;
        pid_t p = fork();
        if (p == 0) {
                /* middle: start the orphan-to-be, then exit at once */
                if (fork() == 0) {
                        close(pfd[0]);
                        while (getppid() == getpid()) /* never */
                                ;
                        usleep(200000); /* the parent is gone by now */
                        if (write(pfd[1], "k", 1) != 1)
                                _exit(1);
                        _exit(0);
                }
                _exit(0);
        }
        close(pfd[1]);
        int st;
        waitpid(p, &st, 0);
        char c;
        return read(pfd[0], &c, 1) == 1 && c == 'k' ? 0 : 1;
}

static int sigchld_storm(int n)
{
        for (int i = 0; i < n; i++) {
                pid_t p = fork();
                if (p == 0) {
                        usleep(50000);
                        _exit(0);
                }
        }
        int reaped = 0;
        while (wait(NULL) > 0)
                reaped++;
        return reaped == n ? 0 : 1;
}

static int blocksig(void)
{
        sigset_t all;
        sigfillset(&all);
        sigprocmask(SIG_BLOCK, &all, NULL);
        for (int s = 1; s < NSIG; s++)
                signal(s, SIG_IGN);
        raise(SIGUSR1);
        raise(SIGTERM);
        return 0;
}

static int ptraceme(void)
{
        long r = ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        printf("ptrace(PTRACE_TRACEME) = %ld (%s)\n", r, r < 0 ? strerror(errno) : "ok");
        return 0;
}

static int own_seccomp(void)
{
        struct sock_filter f[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getpid, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = { (unsigned short)(sizeof f / sizeof f[0]), f };
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
                return 1;
        errno = 0;
        long r = syscall(SYS_getpid);
        return r == -1 && errno == EPERM ? 0 : 1;
}

static int killed(void)
{
        int pfd[2];
        if (pipe(pfd) < 0)
                return 1;
        pid_t p = fork();
        if (p == 0) {
                char c;
                close(pfd[1]);
                if (read(pfd[0], &c, 1) < 0) /* blocks until killed */
                        _exit(2);
                _exit(3);
        }
        usleep(100000);
        kill(p, SIGKILL);
        int st;
        waitpid(p, &st, 0);
        return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? 0 : 1;
}

static int stopcont(void)
{
        raise(SIGSTOP);
        return 0;
}

int main(int argc, char **argv)
{
        if (argc < 2)
                return 2;
        const char *m = argv[1];
        int n = argc > 2 ? atoi(argv[2]) : 0;
        if (!strcmp(m, "threads"))
                return threads(n ? n : 500);
        if (!strcmp(m, "procs"))
                return procs(n ? n : 5000);
        if (!strcmp(m, "forktree"))
                return forktree(n ? n : 50);
        if (!strcmp(m, "clone3"))
                return do_clone3();
        if (!strcmp(m, "orphans"))
                return orphans();
        if (!strcmp(m, "sigchld"))
                return sigchld_storm(n ? n : 100);
        if (!strcmp(m, "blocksig"))
                return blocksig();
        if (!strcmp(m, "ptraceme"))
                return ptraceme();
        if (!strcmp(m, "seccomp"))
                return own_seccomp();
        if (!strcmp(m, "killed"))
                return killed();
        if (!strcmp(m, "stopcont"))
                return stopcont();
        return 2;
}
