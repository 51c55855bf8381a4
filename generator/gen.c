/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <ctype.h>
#include <limits.h>
#include <sys/stat.h>

#include "common/fileio.h"
#include "generator/dockerfile.h"
#include "generator/emitters.h"
#include "generator/generator.h"
#include "trace/read.h"

static const char *const runtime_names[_GEN_RUNTIME_MAX] = { "runc", "crun", "none" };
static const char *const action_names[_GEN_DEFAULT_MAX] = { "errno", "enosys", "kill", "log" };

const char *gen_runtime_name(gen_runtime rt)
{
        return rt < _GEN_RUNTIME_MAX ? runtime_names[rt] : NULL;
}

int gen_runtime_from_name(const char *name)
{
        for (int i = 0; i < _GEN_RUNTIME_MAX; i++)
                if (streq(runtime_names[i], name))
                        return i;
        return -1;
}

const char *gen_default_action_name(gen_default_action a)
{
        return a < _GEN_DEFAULT_MAX ? action_names[a] : NULL;
}

int gen_default_action_from_name(const char *name)
{
        for (int i = 0; i < _GEN_DEFAULT_MAX; i++)
                if (streq(action_names[i], name))
                        return i;
        return -1;
}

void gen_yaml_quoted(strbuf *sb, const char *s)
{
        strbuf_putc(sb, '"');
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                if (*p == '"' || *p == '\\')
                        strbuf_printf(sb, "\\%c", *p);
                else if (*p < 0x20 || *p == 0x7f)
                        strbuf_printf(sb, "\\x%02x", *p);
                else
                        strbuf_putc(sb, (char)*p);
        }
        strbuf_putc(sb, '"');
}

static int add_needed(const trace_cap_reason *r, void *ud)
{
        if (r->ok > 0)
                strv_add(ud, r->cap);
        return 0;
}

char **gen_caps_needed(const trace *t)
{
        char **out = xcalloc(1, sizeof *out);
        trace_foreach_cap_reason(t, NULL, add_needed, &out);
        return out;
}

/* The byte-order-first command of all runs: independent of their order. */
static int first_program(const trace_run *r, void *ud)
{
        const char **cmd = ud;
        if (r->program && (!*cmd || strcmp(r->program, *cmd) < 0))
                *cmd = r->program;
        return 0;
}

char *gen_default_name(const trace *t)
{
        const char *cmd = NULL;
        trace_foreach_run(t, first_program, &cmd);
        const char *base = cmd ? strrchr(cmd, '/') : NULL;
        base = base ? base + 1 : (cmd ? cmd : "workload");
        strbuf sb = STRBUF_INIT;
        strbuf_puts(&sb, "minpriv-");
        for (const char *p = base; *p; p++)
                strbuf_putc(&sb, isalnum((unsigned char)*p) || *p == '_' || *p == '.' || *p == '-' ? *p : '_');
        if (!*base)
                strbuf_puts(&sb, "workload");
        return strbuf_steal(&sb);
}

/* The templates of an installed binary: BINDIR/../share/minpriv/templates
 * next to the executable, so a package installed under another prefix
 * (a .deb built with /usr/local configured, a DESTDIR) finds its own. */
static const char *templates_next_to_exe(void)
{
        static char dir[PATH_MAX];
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n <= 0)
                return NULL;
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (!slash)
                return NULL;
        *slash = '\0';
        int len = snprintf(dir, sizeof dir, "%s/%s", exe, MINPRIV_TEMPLATES_RELATIVE_DIR);
        if (len < 0 || (size_t)len >= sizeof dir)
                return NULL;
        struct stat st;
        return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) ? dir : NULL;
}

const char *gen_templates_dir(const gen_options *opts)
{
        if (opts && opts->templates_dir)
                return opts->templates_dir;
        const char *env = getenv("MINPRIV_TEMPLATES");
        if (env && *env)
                return env;
        const char *installed = templates_next_to_exe();
        if (installed)
                return installed;
        struct stat st;
        if (stat(MINPRIV_TEMPLATES_BUILD_DIR, &st) == 0 && S_ISDIR(st.st_mode))
                return MINPRIV_TEMPLATES_BUILD_DIR;
        return MINPRIV_TEMPLATES_INSTALL_DIR;
}

int gen_context_init(gen_context *ctx, const trace *t, const gen_options *opts, mp_error *err)
{
        memset(ctx, 0, sizeof *ctx);
        ctx->t = t;
        ctx->opts = opts;
        ctx->figures = (gen_figures){ -1, -1, -1 };
        if (trace_is_empty(t))
                return mp_error_set(err, -ENODATA, NULL, "the trace records no syscall: nothing to generate from");
        if (opts->name) {
                if (!*opts->name)
                        return mp_error_set(err, -EINVAL, NULL, "--name must not be empty");
                for (const char *p = opts->name; *p; p++)
                        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-')
                                return mp_error_set(err, -EINVAL, NULL,
                                                    "--name may only contain letters, digits, '_', '.' and '-'");
                ctx->name = xstrdup(opts->name);
        } else {
                ctx->name = gen_default_name(t);
        }
        ctx->caps = gen_caps_needed(t);
        if (opts->dockerfile) {
                int r = gen_dockerfile_load(opts->dockerfile, t, ctx->caps, &ctx->dockerfile, err);
                if (r < 0)
                        return r;
        }
        /* The profiles and their figures, before any emitter; each
         * builder reads the context as it stands, the results go in
         * afterwards. */
        gen_figures fig = { -1, -1, -1 };
        _cleanup_strbuf_ strbuf sc_notes = STRBUF_INIT, aa_notes = STRBUF_INIT;
        gen_profile sc = { 0 }, aa = { 0 };
        sc.rc = gen_build_seccomp_json(ctx, &sc.text, &fig.seccomp_syscalls, &sc_notes, &sc.err);
        aa.rc = gen_build_apparmor_profile(ctx, &aa.text, &fig.apparmor_raw_paths, &fig.apparmor_rules, &aa_notes,
                                           &aa.err);
        ctx->seccomp = sc;
        ctx->apparmor = aa;
        ctx->figures = fig;
        strbuf_add(&ctx->notes, sc_notes.buf ? sc_notes.buf : "", sc_notes.len);
        strbuf_add(&ctx->notes, aa_notes.buf ? aa_notes.buf : "", aa_notes.len);
        return 0;
}

void gen_context_free(gen_context *ctx)
{
        free(ctx->name);
        strv_free(ctx->caps);
        free(ctx->seccomp.text);
        free(ctx->apparmor.text);
        ctx->seccomp.text = ctx->apparmor.text = NULL;
        strbuf_free(&ctx->notes);
        gen_dockerfile_free(ctx->dockerfile);
        ctx->dockerfile = NULL;
        ctx->name = NULL;
        ctx->caps = NULL;
}

/* ------------------------------------------------------------ the files */

int gen_output_build(const gen_context *ctx, gen_output *ret, mp_error *err)
{
        memset(ret, 0, sizeof *ret);
        for (const gen_emitter *e = gen_emitters; e->filename; e++) {
                assert(ret->n < ELEMENTSOF(ret->filenames));
                size_t i = ret->n++;
                ret->filenames[i] = e->filename;
                if (e->needed && !e->needed(ctx))
                        continue;
                int r = e->emit(ctx, &ret->contents[i], err);
                if (r < 0) {
                        if (err && !err->where[0])
                                snprintf(err->where, sizeof err->where, "%s", e->filename);
                        gen_output_free(ret);
                        return r;
                }
        }
        return 0;
}

const char *gen_output_get(const gen_output *o, const char *filename)
{
        for (size_t i = 0; i < o->n; i++)
                if (streq(o->filenames[i], filename))
                        return o->contents[i];
        return NULL;
}

void gen_output_free(gen_output *o)
{
        for (size_t i = 0; i < o->n; i++)
                free(o->contents[i]);
        free(o->name);
        free(o->notes);
        memset(o, 0, sizeof *o);
}

int gen_output_write(const gen_output *o, const char *dir, mp_error *err)
{
        int r = mkdir_parents(dir, 0755);
        if (r < 0) {
                _cleanup_free_ char *q = quote_for_message(dir);
                return mp_error_set(err, r, NULL, "cannot create the output directory %s: %s", q, strerror(-r));
        }
        /* Claim every destination before replacing any, so an unwritable
         * directory fails before a single file changes. */
        atomic_file files[ELEMENTSOF(o->filenames)];
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                files[i] = (atomic_file){ .fd = -1 };
        for (size_t i = 0; i < o->n && r == 0; i++) {
                if (!o->contents[i])
                        continue;
                _cleanup_free_ char *path = xasprintf("%s/%s", dir, o->filenames[i]);
                /* Files in a subdirectory (k8s/...): make it first. */
                char *slash = strrchr(path, '/');
                if (strchr(o->filenames[i], '/')) {
                        *slash = '\0';
                        r = mkdir_parents(path, 0755);
                        *slash = '/';
                }
                if (r == 0)
                        r = atomic_file_open(&files[i], path, 0644);
                if (r == 0)
                        r = atomic_file_write(&files[i], o->contents[i], strlen(o->contents[i]));
                if (r < 0) {
                        _cleanup_free_ char *q = quote_for_message(path);
                        mp_error_set(err, r, NULL, "cannot write %s: %s", q, strerror(-r));
                }
        }
        for (size_t i = 0; i < o->n && r == 0; i++) {
                if (!o->contents[i])
                        continue;
                r = atomic_file_commit(&files[i]);
                if (r < 0)
                        mp_error_set(err, r, NULL, "cannot write %s/%s: %s", dir, o->filenames[i], strerror(-r));
        }
        for (size_t i = 0; i < o->n; i++)
                atomic_file_abort(&files[i]);
        return r;
}

int gen_context_init_named(gen_context *ctx, const trace *t, const gen_options *opts, const char *trace_name,
                           mp_error *err)
{
        int r = gen_context_init(ctx, t, opts, err);
        if (r < 0 && err && !err->where[0] && trace_name)
                snprintf(err->where, sizeof err->where, "%s", trace_name);
        return r;
}

int gen_generate(const trace *t, const gen_options *opts, const char *trace_name, const char *dir, gen_output *ret,
                 mp_error *err)
{
        memset(ret, 0, sizeof *ret);
        gen_context ctx;
        int r = gen_context_init_named(&ctx, t, opts, trace_name, err);
        if (r < 0) {
                gen_context_free(&ctx);
                return r;
        }
        /* Every file in memory first: nothing is written unless all of
         * them could be made. */
        r = gen_output_build(&ctx, ret, err);
        if (r == 0 && dir)
                r = gen_output_write(ret, dir, err);
        ret->name = xstrdup(ctx.name);
        ret->notes = xstrdup(strbuf_str(&ctx.notes));
        gen_context_free(&ctx);
        return r;
}
