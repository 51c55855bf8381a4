/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <limits.h>
#include <sys/stat.h>

#include "generator/dockerfile.h"
#include "generator/generator.h"

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

char **gen_caps_needed(const trace *t)
{
        json_t *caps = json_object_get(t->root, "capabilities");
        size_t n;
        const char **keys = trace_sorted_keys(caps, &n);
        char **out = xcalloc(n + 1, sizeof *out);
        size_t o = 0;
        for (size_t i = 0; i < n; i++) {
                const char *reason;
                json_t *rn;
                bool ok = false;
                json_object_foreach (json_object_get(caps, keys[i]), reason, rn) {
                        json_t *u = json_object_get(json_object_get(rn, "results"), "ok");
                        if (u && trace_usage_count(u) > 0)
                                ok = true;
                }
                if (ok)
                        out[o++] = xstrdup(keys[i]);
        }
        free(keys);
        return out;
}

char *gen_default_name(const trace *t)
{
        json_t *runs = json_object_get(t->root, "runs");
        const char *cmd = NULL;
        /* The byte-order-first command of all runs: independent of order. */
        size_t i;
        json_t *run;
        json_array_foreach (runs, i, run) {
                const char *c = json_string_value(json_array_get(json_object_get(run, "command"), 0));
                if (c && (!cmd || strcmp(c, cmd) < 0))
                        cmd = c;
        }
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
        ctx->seccomp_syscalls = ctx->apparmor_raw_paths = ctx->apparmor_rules = -1;
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
        return 0;
}

void gen_context_free(gen_context *ctx)
{
        free(ctx->name);
        strv_free(ctx->caps);
        strbuf_free(&ctx->notes);
        gen_dockerfile_free(ctx->dockerfile);
        ctx->dockerfile = NULL;
        ctx->name = NULL;
        ctx->caps = NULL;
}
