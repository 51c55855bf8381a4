/* SPDX-License-Identifier: MIT */
/* tracer_run's failure paths, provoked for real (no fault injection): a
 * command that does not exist or cannot be executed, no file descriptors
 * left for the notes pipe, fork refused, PTRACE_SEIZE refused (the last two
 * by a seccomp filter in a child process of the test). Each must return
 * the errno with one message and release everything it acquired: under the
 * ASan build (scripts/test) LeakSanitizer checks each at exit, with
 * --stacks on, whose libunwind state once leaked on two of these paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tracer/tracer.h"

static char *true_argv[] = { "/bin/true", NULL };

/* One tracer_run of argv with stacks on; the status is -1 when not set. */
static int run(char **argv, int *status, mp_error *err)
{
        _cleanup_trace_ trace *t = trace_new();
        tracer_options opts = { .argv = argv, .stacks = true, .quiet = true };
        *status = -1;
        memset(err, 0, sizeof *err);
        return tracer_run(&opts, t, status, err);
}

static void test_not_found(void **state)
{
        int status;
        mp_error err;
        char *argv[] = { "/nonexistent/minpriv-test-no-such-command", NULL };
        assert_int_equal(run(argv, &status, &err), -ENOENT);
        assert_int_equal(status, TRACER_EXIT_NOT_FOUND);
        assert_non_null(strstr(err.text, "command not found"));

        char *argv2[] = { "minpriv-test-no-such-command", NULL };
        assert_int_equal(run(argv2, &status, &err), -ENOENT);
        assert_int_equal(status, TRACER_EXIT_NOT_FOUND);
}

static void test_not_executable(void **state)
{
        char path[] = "/tmp/minpriv-test-tracer-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        close(fd);
        assert_int_equal(chmod(path, 0644), 0);
        char *argv[] = { path, NULL };
        int status;
        mp_error err;
        int rc = run(argv, &status, &err);
        unlink(path);
        assert_int_equal(rc, -EACCES);
        assert_int_equal(status, TRACER_EXIT_NOT_EXECUTABLE);
        assert_non_null(strstr(err.text, "not executable"));
}

/* RLIMIT_NOFILE at one above the lowest free descriptor: one file can be
 * opened at a time (setup reads /proc files), the notes pipe needs two. */
static void test_no_descriptors(void **state)
{
        int lowest = dup(0);
        assert_true(lowest >= 0);
        close(lowest);
        struct rlimit old, low;
        assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
        low = old;
        low.rlim_cur = (rlim_t)lowest + 1;
        assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
        int status;
        mp_error err;
        int rc = run(true_argv, &status, &err);
        assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
        assert_int_equal(rc, -EMFILE);
        assert_int_equal(status, -1);
        assert_true(strncmp(err.text, "pipe: ", 6) == 0);
}

/* In a child process: install rules (each: syscall, errno, optional
 * argument condition), run /bin/true under the tracer, compare. exit()
 * (not _exit) so that LeakSanitizer checks the child too. */
typedef struct rule {
        const char *name;
        int err;
        bool cond;
        struct scmp_arg_cmp cmp;
} rule;

static void in_child(const rule *rules, size_t n, int want_rc, const char *want_text)
{
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
                if (!ctx || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        exit(10);
                for (size_t i = 0; i < n; i++) {
                        int nr = seccomp_syscall_resolve_name(rules[i].name);
                        int r = rules[i].cond ? seccomp_rule_add(ctx, SCMP_ACT_ERRNO(rules[i].err), nr, 1, rules[i].cmp)
                                              : seccomp_rule_add(ctx, SCMP_ACT_ERRNO(rules[i].err), nr, 0);
                        if (r < 0)
                                exit(11);
                }
                if (seccomp_load(ctx) < 0)
                        exit(12);
                seccomp_release(ctx);
                int status;
                mp_error err;
                int rc = run(true_argv, &status, &err);
                if (rc != want_rc || !strstr(err.text, want_text)) {
                        fprintf(stderr, "tracer_run: %d (%s), expected %d (%s)\n", rc, err.text, want_rc, want_text);
                        exit(13);
                }
                exit(0);
        }
        int st;
        while (waitpid(pid, &st, 0) < 0)
                assert_int_equal(errno, EINTR);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
                fail_msg("the child failed: %s %d", WIFEXITED(st) ? "exit" : "signal",
                         WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

/* fork() refused. Threads (clone with CLONE_VM, as LeakSanitizer makes)
 * still work. */
static void test_fork_refused(void **state)
{
        const rule rules[] = {
                { "clone", EAGAIN, true, SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_VM, 0) },
                { "clone3", ENOSYS, false, { 0 } },
                { "fork", EAGAIN, false, { 0 } },
                { "vfork", EAGAIN, false, { 0 } },
        };
        in_child(rules, ELEMENTSOF(rules), -EAGAIN, "fork: ");
}

/* PTRACE_SEIZE refused (LeakSanitizer's PTRACE_ATTACH still works). */
static void test_seize_refused(void **state)
{
        const rule rules[] = {
                { "ptrace", EPERM, true, SCMP_A0(SCMP_CMP_EQ, PTRACE_SEIZE) },
        };
        in_child(rules, ELEMENTSOF(rules), -EPERM, "ptrace is not permitted here");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_not_found),      cmocka_unit_test(test_not_executable),
                cmocka_unit_test(test_no_descriptors), cmocka_unit_test(test_fork_refused),
                cmocka_unit_test(test_seize_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
