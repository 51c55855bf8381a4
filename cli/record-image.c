/* SPDX-License-Identifier: MIT */
/* `minpriv record --image IMAGE`: record CMD inside a fresh container of
 * IMAGE, so the trace has the image's paths, programs and users instead of
 * the recording machine's (a laptop's /home, per-user shims first on PATH,
 * leftover state). The engine (docker or podman) runs the image with a
 * static minpriv bind-mounted read-only at /.minpriv/minpriv as the
 * entrypoint, `record` in front of CMD, SYS_PTRACE added and seccomp
 * unconfined for the recording run only, and a scratch directory of the
 * host mounted at /.minpriv/out; the trace written there is validated and
 * saved atomically to the output path. The exit status is the engine's,
 * i.e. CMD's own as `record` passes it through (the engine's own failures:
 * 125-127). The static binary: $MINPRIV_STATIC, else minpriv-static next
 * to this program, else this program when it is static itself. */
#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/fileio.h"
#include "cli/record-image.h"
#include "trace/read.h"

#define IN_CTR_BIN "/.minpriv/minpriv"
#define IN_CTR_OUT "/.minpriv/out"

/* Whether the ELF file at path has no program interpreter (static). */
static bool elf_is_static(const char *path)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        Elf64_Ehdr eh;
        if (fd < 0 || pread(fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
            eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr))
                return false;
        for (unsigned i = 0; i < eh.e_phnum; i++) {
                Elf64_Phdr ph;
                if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + (Elf64_Off)i * sizeof ph)) != (ssize_t)sizeof ph)
                        return false;
                if (ph.p_type == PT_INTERP)
                        return false;
        }
        return true;
}

char *record_image_static_binary(void)
{
        const char *env = getenv("MINPRIV_STATIC");
        if (env && *env)
                return elf_is_static(env) ? realpath(env, NULL) : NULL;
        _cleanup_free_ char *self = realpath("/proc/self/exe", NULL);
        if (!self)
                return NULL;
        char *slash = strrchr(self, '/');
        _cleanup_free_ char *sibling = xasprintf("%.*s/minpriv-static", (int)(slash - self), self);
        if (access(sibling, X_OK) == 0 && elf_is_static(sibling))
                return steal_pointer(&sibling);
        return elf_is_static(self) ? steal_pointer(&self) : NULL;
}

char **record_image_argv(const record_image_options *o, const char *bin, const char *scratch, char *const *cmd)
{
        size_t cap = 20;
        for (char **e = o->engine_args; e && *e; e++)
                cap++;
        for (char **f = o->record_args; f && *f; f++)
                cap++;
        for (char *const *c = cmd; *c; c++)
                cap++;
        char **argv = xcalloc(cap, sizeof *argv);
        size_t n = 0;
#define strv_push(v, s) ((*(v))[n++] = (s))
        strv_push(&argv, xstrdup(o->engine));
        strv_push(&argv, xstrdup("run"));
        strv_push(&argv, xstrdup("--rm"));
        strv_push(&argv, xasprintf("--entrypoint=%s", IN_CTR_BIN));
        strv_push(&argv, xasprintf("--volume=%s:%s:ro", bin, IN_CTR_BIN));
        strv_push(&argv, xasprintf("--volume=%s:%s:rw", scratch, IN_CTR_OUT));
        strv_push(&argv, xstrdup("--cap-add=SYS_PTRACE"));
        strv_push(&argv, xstrdup("--security-opt=seccomp=unconfined"));
        if (o->user)
                strv_push(&argv, xasprintf("--user=%s", o->user));
        for (char **e = o->engine_args; e && *e; e++)
                strv_push(&argv, xstrdup(*e));
        strv_push(&argv, xstrdup(o->image));
        strv_push(&argv, xstrdup("record"));
        strv_push(&argv, xstrdup("-o"));
        strv_push(&argv, xstrdup(IN_CTR_OUT "/" RECORD_IMAGE_TRACE));
        for (char **f = o->record_args; f && *f; f++)
                strv_push(&argv, xstrdup(*f));
        strv_push(&argv, xstrdup("--"));
        for (char *const *c = cmd; *c; c++)
                strv_push(&argv, xstrdup(*c));

#undef strv_push
        return argv;
}

static int run_argv(char **argv)
{
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                execvp(argv[0], argv);
                fprintf(stderr, "minpriv: cannot run %s: %s\n", argv[0], strerror(errno));
                _exit(errno == ENOENT ? 127 : 126);
        }
        int st;
        while (waitpid(pid, &st, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int record_in_image(const record_image_options *o, char *const *cmd, const char *output)
{
        if (!streq(o->engine, "docker") && !streq(o->engine, "podman"))
                return usage_error("record", "unknown --engine '%s' (docker or podman)", o->engine);
        _cleanup_free_ char *bin = record_image_static_binary();
        if (!bin) {
                log_error("record --image needs a static minpriv to mount into the container: set MINPRIV_STATIC, or "
                          "install minpriv-static next to minpriv");
                return EXIT_BADINPUT;
        }
        /* Claim the output first, as record does. */
        _cleanup_atomic_file_ atomic_file af = { .fd = -1 };
        int r = atomic_file_open(&af, output, 0644);
        if (r < 0) {
                _cleanup_free_ char *q = quote_for_message(output);
                log_error("cannot write the trace to %s: %s", q, strerror(-r));
                return EXIT_BADINPUT;
        }
        char scratch[] = "/tmp/minpriv-record-XXXXXX";
        if (!mkdtemp(scratch)) {
                log_error("cannot make a scratch directory: %s", strerror(errno));
                return EXIT_INTERNAL;
        }
        /* writable by the container's --user, whoever that is */
        (void)chmod(scratch, 01777);
        _cleanup_free_ char *trace_host = xasprintf("%s/" RECORD_IMAGE_TRACE, scratch);

        _cleanup_strv_free_ char **argv = record_image_argv(o, bin, scratch, cmd);
        int status = run_argv(argv);
        _cleanup_trace_ trace *t = NULL;
        mp_error err = { 0 };
        r = status < 0 ? status : trace_load(trace_host, &t, &err);
        (void)unlink(trace_host);
        (void)rmdir(scratch);
        if (status < 0) {
                log_error("cannot run %s: %s", o->engine, strerror(-status));
                return EXIT_INTERNAL;
        }
        if (r < 0) {
                log_error("%s run %s wrote no trace (exit status %d); any previous file at the output is unchanged",
                          o->engine, o->image, status);
                return status ? status : EXIT_INTERNAL;
        }
        r = trace_write_fd(t, af.fd);
        if (r == 0)
                r = atomic_file_commit(&af);
        if (r < 0) {
                _cleanup_free_ char *q = quote_for_message(output);
                log_error("cannot write the trace to %s: %s", q, strerror(-r));
                return EXIT_INTERNAL;
        }
        if (!o->quiet)
                log_notice("recorded in a fresh container of %s (%s): %zu paths; exit status %d; trace in %s", o->image,
                           o->engine, trace_file_count(t), status, output);
        return status;
}
