/* SPDX-License-Identifier: MIT */
/* The proof of `minpriv image`: docker import, docker run under the
 * profiles with a timeout, and the diagnosis of a failed run. The engine is
 * run as a child with its output captured (the last 256 KiB kept); a run
 * still going at the timeout is removed with `ENGINE rm -f NAME` and its
 * client killed. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/image-proof.h"
#include "cli/record-image.h"
#include "common/strbuf.h"

#define KEEP_OUTPUT (256u * 1024)
/* Lines of a failed run's output shown. */
#define SHOW_LINES 15

typedef struct captured {
        int status; /* exit status, 128+N for signal N */
        bool timed_out;
        strbuf out; /* stdout and stderr, interleaved, the last KEEP_OUTPUT bytes */
} captured;

static void keep(strbuf *sb, const char *buf, size_t n)
{
        strbuf_add(sb, buf, n);
        if (sb->len > 2 * KEEP_OUTPUT) {
                memmove(sb->buf, sb->buf + sb->len - KEEP_OUTPUT, KEEP_OUTPUT);
                sb->len = KEEP_OUTPUT;
                sb->buf[sb->len] = '\0';
        }
}

static long long now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int wait_child(pid_t pid, int *ret_status)
{
        int st;
        while (waitpid(pid, &st, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        *ret_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        return 0;
}

static int run_quiet(char *const *argv)
{
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (null >= 0) {
                        dup2(null, 0);
                        dup2(null, 1);
                        dup2(null, 2);
                }
                execvp(argv[0], argv);
                _exit(127);
        }
        int status;
        return wait_child(pid, &status) < 0 ? -1 : status;
}

/* Run argv, capturing its output; timeout 0: none. kill_name: the
 * container to remove at the timeout. */
static int run_capture(char *const *argv, int timeout, const char *engine, const char *kill_name, captured *ret)
{
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        pid_t pid = fork();
        if (pid < 0) {
                int r = -errno;
                close(p[0]);
                close(p[1]);
                return r;
        }
        if (pid == 0) {
                int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (null >= 0)
                        dup2(null, 0);
                dup2(p[1], 1);
                dup2(p[1], 2);
                execvp(argv[0], argv);
                fprintf(stderr, "minpriv: cannot run %s: %s\n", argv[0], strerror(errno));
                _exit(errno == ENOENT ? 127 : 126);
        }
        close(p[1]);
        *ret = (captured){ .out = STRBUF_INIT };
        long long deadline = timeout > 0 ? now_ms() + (long long)timeout * 1000 : -1;
        char buf[8192];
        for (;;) {
                int wait_ms = -1;
                if (deadline >= 0) {
                        long long left = deadline - now_ms();
                        wait_ms = left > 0 ? (int)(left > 60000 ? 60000 : left) : 0;
                }
                struct pollfd pfd = { .fd = p[0], .events = POLLIN };
                int r = poll(&pfd, 1, wait_ms);
                if (r < 0 && errno != EINTR)
                        break;
                if (r > 0) {
                        ssize_t n = read(p[0], buf, sizeof buf);
                        if (n > 0) {
                                keep(&ret->out, buf, (size_t)n);
                                continue;
                        }
                        if (n == 0 || errno != EINTR)
                                break;
                }
                if (deadline >= 0 && now_ms() >= deadline) {
                        ret->timed_out = true;
                        if (kill_name) {
                                char *rm[] = { (char *)engine, (char *)"rm", (char *)"-f", (char *)kill_name, NULL };
                                (void)run_quiet(rm);
                        }
                        kill(pid, SIGKILL);
                        break;
                }
        }
        close(p[0]);
        return wait_child(pid, &ret->status);
}

bool proof_engine_answers(const char *engine, char **ret_why)
{
        char *argv[] = { (char *)engine, (char *)"version", (char *)"--format", (char *)"{{.Server.Version}}", NULL };
        captured c;
        int r = run_capture(argv, 60, engine, NULL, &c);
        bool ok = r == 0 && !c.timed_out && c.status == 0 && c.out.len > 1;
        if (!ok)
                *ret_why = r < 0             ? xasprintf("cannot run %s: %s", engine, strerror(-r))
                           : c.status == 127 ? xasprintf("%s is not installed", engine)
                                             : xasprintf("no %s daemon answers (`%s version`)", engine, engine);
        strbuf_free(&c.out);
        return ok;
}

/* The last non-empty line of s (new). */
static char *last_line(const char *s)
{
        size_t n = strlen(s);
        while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
                n--;
        size_t start = n;
        while (start && s[start - 1] != '\n')
                start--;
        return xstrndup(s + start, n - start);
}

int proof_import(const char *engine, const char *tarball, const char *tag, char *const *cmd, char **ret_error)
{
        _cleanup_strv_free_ char **argv = NULL;
        strv_push(&argv, xstrdup(engine));
        strv_push(&argv, xstrdup("import"));
        if (cmd && *cmd) {
                /* the image's CMD: the workload, as JSON (exec form) */
                json_t *a = json_array();
                bool ok = true;
                for (char *const *c = cmd; *c; c++) {
                        json_t *s = json_string(*c);
                        ok = ok && s;
                        if (s)
                                json_array_append_new(a, s);
                }
                char *text = ok ? json_dumps(a, JSON_COMPACT) : NULL;
                json_decref(a);
                if (text) {
                        strv_push(&argv, xstrdup("--change"));
                        strv_push(&argv, xasprintf("CMD %s", text));
                        free(text);
                }
        }
        strv_push(&argv, xstrdup(tarball));
        strv_push(&argv, xstrdup(tag));
        captured c;
        int r = run_capture(argv, 0, engine, NULL, &c);
        if (r == 0 && c.status == 0) {
                strbuf_free(&c.out);
                return 0;
        }
        *ret_error = r < 0 ? xasprintf("cannot run %s: %s", engine, strerror(-r)) : last_line(strbuf_str(&c.out));
        strbuf_free(&c.out);
        return -1;
}

static char *container_name(void)
{
        static unsigned counter;
        return xasprintf("minpriv-image-%d-%u", (int)getpid(), counter++);
}

static void show_output(const char *out)
{
        /* the last SHOW_LINES lines */
        size_t n = strlen(out), lines = 0, start = n;
        while (n && out[n - 1] == '\n')
                n--;
        start = n;
        while (start > 0) {
                if (out[start - 1] == '\n' && ++lines == SHOW_LINES)
                        break;
                start--;
        }
        if (!n) {
                log_notice("  (no output)");
                return;
        }
        for (const char *l = out + start; l < out + n;) {
                const char *nl = memchr(l, '\n', (size_t)(out + n - l));
                size_t len = nl ? (size_t)(nl - l) : (size_t)(out + n - l);
                /* control characters (a terminal's escapes) shown as \xHH */
                strbuf line = STRBUF_INIT;
                for (size_t i = 0; i < len; i++) {
                        unsigned char ch = (unsigned char)l[i];
                        if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
                                strbuf_printf(&line, "\\x%02x", ch);
                        else
                                strbuf_putc(&line, (char)ch);
                }
                log_notice("  | %s", strbuf_str(&line));
                strbuf_free(&line);
                l += len + 1;
        }
}

/* Record argv again inside the image with the static minpriv; the trace,
 * or NULL (why in *ret_why). */
static trace *record_rerun(const proof_setup *s, char *const *argv, char **ret_why)
{
        _cleanup_free_ char *bin = record_image_static_binary();
        if (!bin) {
                *ret_why = xstrdup("no static minpriv to record the run with (MINPRIV_STATIC, minpriv-static)");
                return NULL;
        }
        char scratch[] = "/tmp/minpriv-image-XXXXXX";
        if (!mkdtemp(scratch)) {
                *ret_why = xasprintf("cannot make a scratch directory: %s", strerror(errno));
                return NULL;
        }
        (void)chmod(scratch, 01777);
        _cleanup_free_ char *name = container_name();
        _cleanup_strv_free_ char **eargs = NULL;
        strv_push(&eargs, xasprintf("--name=%s", name));
        for (char **o = s->diag_options; o && *o; o++)
                strv_push(&eargs, xstrdup(*o));
        char *rargs[] = { (char *)"-q", (char *)"--no-kernel-count", NULL };
        record_image_options o = {
                .image = s->tag, .engine = s->engine, .user = s->user, .engine_args = eargs, .record_args = rargs
        };
        _cleanup_strv_free_ char **run = record_image_argv(&o, bin, scratch, argv);
        captured c;
        int r = run_capture(run, s->timeout, s->engine, name, &c);
        strbuf_free(&c.out);
        _cleanup_free_ char *path = xasprintf("%s/" RECORD_IMAGE_TRACE, scratch);
        trace *t = NULL;
        mp_error err = { 0 };
        if (r < 0)
                *ret_why = xasprintf("cannot run %s: %s", s->engine, strerror(-r));
        else if (trace_load(path, &t, &err) < 0)
                *ret_why = xasprintf("the recorded rerun left no trace (exit status %d)", c.status);
        (void)unlink(path);
        (void)rmdir(scratch);
        return t;
}

/* Without a static minpriv to record with: the run again without the
 * seccomp profile, whose denials can silence the very message that names
 * the file (the dynamic loader's writev). Its output, or NULL. */
static char *plain_rerun(const proof_setup *s, char *const *argv)
{
        _cleanup_free_ char *name = container_name();
        _cleanup_strv_free_ char **run = NULL;
        strv_push(&run, xstrdup(s->engine));
        strv_push(&run, xstrdup("run"));
        strv_push(&run, xstrdup("--rm"));
        strv_push(&run, xasprintf("--name=%s", name));
        strv_push(&run, xstrdup("--security-opt=seccomp=unconfined"));
        for (char **o = s->diag_options; o && *o; o++)
                strv_push(&run, xstrdup(*o));
        if (s->user)
                strv_push(&run, xasprintf("--user=%s", s->user));
        strv_push(&run, xstrdup(s->tag));
        for (char *const *a = argv; *a; a++)
                strv_push(&run, xstrdup(*a));
        captured c;
        if (run_capture(run, s->timeout, s->engine, name, &c) < 0)
                return NULL;
        return strbuf_steal(&c.out);
}

/* The files a message in output names: the library the dynamic loader
 * missed (at its recorded path), else absolute paths "not found". */
static void named_in(const proof_setup *s, const char *output, image_proof_run *run, strbuf *how, const char *where)
{
        _cleanup_free_ char *lib = image_loader_missing(output);
        if (lib) {
                _cleanup_free_ char *path = image_recorded_path(s->recorded, lib);
                strbuf_printf(how, "%sthe dynamic loader could not find %s%s", how->len ? "; " : "", lib, where);
                strv_add(&run->missing, path ? path : lib);
                return;
        }
        _cleanup_strv_free_ char **named = image_output_missing(output);
        for (char **l = named; l && *l; l++)
                strv_add(&run->missing, *l);
        if (named)
                strbuf_printf(how, "%snamed in the output%s", how->len ? "; " : "", where);
}

static void diagnose(const proof_setup *s, char *const *argv, const char *output, image_proof_run *run)
{
        strbuf how = STRBUF_INIT;
        _cleanup_free_ char *lib = image_loader_missing(output);
        if (lib)
                named_in(s, output, run, &how, "");
        _cleanup_free_ char *why = NULL;
        _cleanup_trace_ trace *rerun = record_rerun(s, argv, &why);
        if (rerun) {
                _cleanup_strv_free_ char **lost = image_missing_between(s->recorded, rerun);
                size_t n = strv_length(lost);
                for (char **l = lost; l && *l; l++)
                        strv_add(&run->missing, *l);
                strbuf_printf(&how, "%srecorded again in the image: %zu path%s the recording used %s missing",
                              how.len ? "; " : "", n, n == 1 ? "" : "s", n == 1 ? "was" : "were");
        } else if (!run->missing) {
                strbuf_printf(&how, "%s%s", how.len ? "; " : "", why);
                _cleanup_free_ char *again = plain_rerun(s, argv);
                if (again)
                        named_in(s, again, run, &how, " (run again without the seccomp profile)");
        }
        if (!run->missing)
                named_in(s, output, run, &how, "");
        if (!run->missing)
                strbuf_puts(&how, "; no missing file found: the failure is something else (a denied syscall or "
                                  "capability? `minpriv verify --enforce` names those)");
        strv_sort(run->missing);
        run->diagnosis = strbuf_steal(&how);
}

int proof_run(const proof_setup *s, char *const *argv, int expected, image_proof_run *ret)
{
        _cleanup_free_ char *name = container_name();
        _cleanup_strv_free_ char **run = NULL;
        strv_push(&run, xstrdup(s->engine));
        strv_push(&run, xstrdup("run"));
        strv_push(&run, xstrdup("--rm"));
        strv_push(&run, xasprintf("--name=%s", name));
        for (char **o = s->options; o && *o; o++)
                strv_push(&run, xstrdup(*o));
        strv_push(&run, xstrdup(s->tag));
        for (char *const *a = argv; *a; a++)
                strv_push(&run, xstrdup(*a));
        captured c;
        int r = run_capture(run, s->timeout, s->engine, name, &c);
        if (r < 0)
                return r;
        image_proof_run pr = { .expected = expected, .status = c.status, .timed_out = c.timed_out };
        for (char *const *a = argv; *a; a++)
                strv_push(&pr.argv, xstrdup(*a));
        pr.passed = !c.timed_out && c.status == expected;
        _cleanup_free_ char *cmdline = strv_join(pr.argv, " ", 0);
        _cleanup_free_ char *q = quote_for_message(cmdline);
        if (!pr.passed) {
                if (c.timed_out)
                        log_error("proof failed: %s did not finish within %d s in %s", q, s->timeout, s->tag);
                else
                        log_error("proof failed: %s exited with status %d in %s (expected %d); the end of its output:",
                                  q, c.status, s->tag, expected);
                show_output(strbuf_str(&c.out));
                diagnose(s, argv, strbuf_str(&c.out), &pr);
                for (char **m = pr.missing; m && *m; m++) {
                        _cleanup_free_ char *qm = quote_for_message(*m);
                        const char *under = NULL;
                        for (char **t = s->tmpfs; t && *t && !under; t++)
                                if (startswith(*m, *t) && (*m)[strlen(*t)] == '/')
                                        under = *t;
                        if (under)
                                log_error("missing in the image: %s (below %s, a tmpfs the container starts with "
                                          "empty: the workload expected it there before it started)",
                                          qm, under);
                        else
                                log_error("missing in the image: %s", qm);
                }
                log_notice("(%s)", pr.diagnosis);
        } else if (!s->quiet) {
                log_notice("proof passed: %s exited with status %d in %s", q, c.status, s->tag);
        }
        strbuf_free(&c.out);
        *ret = pr;
        return 0;
}
