/* Signals: a handler, a blocked signal delivered on unblock, a child
 * stopped with SIGSTOP and continued with SIGCONT (a group stop), and a
 * child terminated with SIGTERM. Exit status 0 when all went as expected. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t got_usr1, got_usr2;

static void on_usr1(int sig)
{
        got_usr1++;
}
static void on_usr2(int sig)
{
        got_usr2++;
}

int main(void)
{
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_usr1;
        sigaction(SIGUSR1, &sa, NULL);
        sa.sa_handler = on_usr2;
        sigaction(SIGUSR2, &sa, NULL);

        raise(SIGUSR1);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGUSR2);
        sigprocmask(SIG_BLOCK, &set, NULL);
        kill(getpid(), SIGUSR2);
        int before = got_usr2;
        sigprocmask(SIG_UNBLOCK, &set, NULL);

        /* a child that stops itself; we continue it and it exits 7 */
        pid_t c = fork();
        if (c == 0) {
                raise(SIGSTOP);
                _exit(7);
        }
        int st;
        waitpid(c, &st, WUNTRACED);
        int stopped = WIFSTOPPED(st);
        kill(c, SIGCONT);
        waitpid(c, &st, 0);
        int exited7 = WIFEXITED(st) && WEXITSTATUS(st) == 7;

        /* a child that waits to be terminated. It blocks SIGTERM, says it
         * is ready, and waits in sigsuspend with SIGTERM unblocked: the
         * signal ends it there whether it arrives before or after the wait
         * begins, so every run makes the same calls (pause() here would be
         * skipped when the parent's kill came first). */
        int ready[2];
        if (pipe(ready) != 0)
                return 1;
        sigset_t term, none;
        sigemptyset(&term);
        sigaddset(&term, SIGTERM);
        sigemptyset(&none);
        sigprocmask(SIG_BLOCK, &term, NULL);
        pid_t d = fork();
        if (d == 0) {
                close(ready[0]);
                if (write(ready[1], "r", 1) != 1)
                        _exit(1);
                for (;;)
                        sigsuspend(&none);
        }
        sigprocmask(SIG_UNBLOCK, &term, NULL);
        close(ready[1]);
        char r;
        if (read(ready[0], &r, 1) != 1)
                return 1;
        close(ready[0]);
        kill(d, SIGTERM);
        waitpid(d, &st, 0);
        int termed = WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM;

        printf("usr1=%d usr2 before=%d after=%d stopped=%d exited7=%d termed=%d\n", (int)got_usr1, before,
               (int)got_usr2, stopped, exited7, termed);
        return got_usr1 == 1 && before == 0 && got_usr2 == 1 && stopped && exited7 && termed ? 0 : 1;
}
