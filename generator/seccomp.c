/* SPDX-License-Identifier: MIT */
/* seccomp.json: the Docker seccomp profile of a trace.
 *
 * Every syscall the workload attempted is allowed (failed ones too: denying
 * a call that returned ENOENT changes the program), plus what the container
 * runtime itself does between loading the filter and exec'ing the workload
 * (templates/RUNTIME.json, measured by scripts/measure-runtime-syscalls).
 * Where Docker's own default filters arguments, the profile allows only the
 * recorded values: socket address families, clone namespace flags,
 * personality values (and, for 32-bit code, socketcall call numbers).
 * clone3, whose flags live in memory where seccomp cannot see them, is
 * allowed only when recorded; otherwise it returns ENOSYS so glibc falls back
 * to clone.
 *
 * A name in Docker's format applies to every architecture in archMap
 * (libseccomp resolves it per architecture), so a profile for a container
 * that runs both x86_64 and i386 code allows the union of both name sets on
 * both ABIs. The unconditional names are split into groups by where they
 * come from (x86_64 code, only 32-bit code, only the runtime) so that a
 * review sees why each is there.
 *
 * Layout: one syscall name per line, groups in a fixed order, names sorted,
 * so that `git diff` of two generations shows exactly the names that came
 * or went. The profile is compiled back (seccomp-profile.c: the semantics
 * podman + runc apply) and every recorded call is evaluated against it
 * before anything is returned; a profile that fails that is never written. */
#include <linux/net.h>
#include <sched.h>

#include "generator/emitters.h"
#include "common/fileio.h"
#include "trace/names.h"
#include "trace/read.h"
#include "policy/seccomp-profile.h"

#define TEMPLATE_FORMAT    "minpriv-runtime-syscalls"
#define TEMPLATE_MAX_BYTES (1024u * 1024u)

/* ------------------------------------------------------------ small sets */

typedef struct u64set {
        uint64_t *v;
        size_t n;
} u64set;

static void u64set_add(u64set *s, uint64_t x)
{
        for (size_t i = 0; i < s->n; i++)
                if (s->v[i] == x)
                        return;
        s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
        s->v[s->n++] = x;
}

static int cmp_u64(const void *a, const void *b)
{
        uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
        return x < y ? -1 : x > y;
}

static void u64set_sort(u64set *s)
{
        if (s->n)
                qsort(s->v, s->n, sizeof *s->v, cmp_u64);
}

/* ------------------------------------------------------------ runtime template */

typedef struct rt_template {
        char *path;
        char *version;
        char **syscalls;
} rt_template;

static void rt_template_free(rt_template *t)
{
        free(t->path);
        free(t->version);
        strv_free(t->syscalls);
}

static int template_load(const gen_context *ctx, rt_template *t, mp_error *err)
{
        const char *rt = gen_runtime_name(ctx->opts->runtime);
        t->path = xasprintf("%s/%s.json", gen_templates_dir(ctx->opts), rt);
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r = read_file_full(t->path, TEMPLATE_MAX_BYTES, &data, &size);
        if (r < 0)
                return mp_error_set(err, r, t->path, "cannot read the %s template (--runtime %s): %s", rt, rt,
                                    strerror(-r));
        json_error_t jerr;
        json_t *root = json_loadb(data, size, JSON_REJECT_DUPLICATES, &jerr);
        if (!root)
                return mp_error_set_json(err, t->path, &jerr, NULL);
        r = 0;
        json_t *fmt = json_object_get(root, "format"), *name = json_object_get(root, "runtime"),
               *ver = json_object_get(root, "runtime_version"), *sc = json_object_get(root, "syscalls");
        if (!json_is_string(fmt) || !streq(json_string_value(fmt), TEMPLATE_FORMAT))
                r = mp_error_set(err, -EINVAL, t->path, "not a runtime template (\"format\" is not \"%s\")",
                                 TEMPLATE_FORMAT);
        else if (!json_is_string(name) || !streq(json_string_value(name), rt))
                r = mp_error_set(err, -EINVAL, t->path, "runtime: expected \"%s\"", rt);
        else if (!json_is_string(ver) || !*json_string_value(ver))
                r = mp_error_set(err, -EINVAL, t->path, "runtime_version: expected a version string");
        else if (!json_is_array(sc))
                r = mp_error_set(err, -EINVAL, t->path, "syscalls: expected an array of syscall names");
        if (r == 0) {
                t->version = xstrdup(json_string_value(ver));
                t->syscalls = xcalloc(1, sizeof *t->syscalls);
                size_t i;
                json_t *e;
                json_array_foreach (sc, i, e) {
                        if (!json_is_string(e) ||
                            seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, json_string_value(e)) < 0) {
                                r = mp_error_set(err, -EINVAL, t->path, "syscalls[%zu]: not an x86_64 syscall name", i);
                                break;
                        }
                        strv_add(&t->syscalls, json_string_value(e));
                }
                strv_sort(t->syscalls);
        }
        json_decref(root);
        return r;
}

/* ------------------------------------------------------------ the profile model */

typedef struct group {
        char *comment;
        char **names;
        uint32_t action;
        bool has_errno;
        unsigned errno_ret;
        mp_seccomp_profile_arg arg; /* at most one condition per group here */
        bool has_arg;
} group;

typedef struct profile_builder {
        group *groups;
        size_t n;
} profile_builder;

static group *add_group(profile_builder *b, uint32_t action, char *comment)
{
        b->groups = xrealloc(b->groups, (b->n + 1) * sizeof *b->groups);
        group *g = &b->groups[b->n++];
        memset(g, 0, sizeof *g);
        g->action = action;
        g->comment = comment;
        g->names = xcalloc(1, sizeof *g->names);
        return g;
}

static void builder_free(profile_builder *b)
{
        for (size_t i = 0; i < b->n; i++) {
                free(b->groups[i].comment);
                strv_free(b->groups[i].names);
        }
        free(b->groups);
}

static void json_quote(strbuf *sb, const char *s)
{
        strbuf_putc(sb, '"');
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                if (*p == '"' || *p == '\\') {
                        strbuf_putc(sb, '\\');
                        strbuf_putc(sb, (char)*p);
                } else if (*p < 0x20) {
                        strbuf_printf(sb, "\\u%04x", *p);
                } else {
                        strbuf_putc(sb, (char)*p);
                }
        }
        strbuf_putc(sb, '"');
}

static const char *op_name(enum scmp_compare op)
{
        switch (op) {
        case SCMP_CMP_NE:
                return "SCMP_CMP_NE";
        case SCMP_CMP_LT:
                return "SCMP_CMP_LT";
        case SCMP_CMP_LE:
                return "SCMP_CMP_LE";
        case SCMP_CMP_EQ:
                return "SCMP_CMP_EQ";
        case SCMP_CMP_GE:
                return "SCMP_CMP_GE";
        case SCMP_CMP_GT:
                return "SCMP_CMP_GT";
        default:
                return "SCMP_CMP_MASKED_EQ";
        }
}

/* Docker's layout, two-space indentation, one name per line. */
static char *serialize(const profile_builder *b, uint32_t def, int def_errno, char **subarches)
{
        strbuf sb = STRBUF_INIT;
        strbuf_puts(&sb, "{\n  \"defaultAction\": ");
        json_quote(&sb, mp_seccomp_action_name(def));
        strbuf_puts(&sb, ",\n");
        if (def_errno >= 0)
                strbuf_printf(&sb, "  \"defaultErrnoRet\": %d,\n", def_errno);
        strbuf_puts(&sb, "  \"archMap\": [\n    {\n      \"architecture\": \"SCMP_ARCH_X86_64\",\n"
                         "      \"subArchitectures\": [");
        for (size_t i = 0; subarches[i]; i++) {
                strbuf_puts(&sb, i ? ",\n        " : "\n        ");
                json_quote(&sb, subarches[i]);
        }
        strbuf_puts(&sb, subarches[0] ? "\n      ]\n    }\n  ],\n" : "]\n    }\n  ],\n");
        strbuf_puts(&sb, "  \"syscalls\": [");
        for (size_t i = 0; i < b->n; i++) {
                const group *g = &b->groups[i];
                strbuf_puts(&sb, i ? ",\n    {\n" : "\n    {\n");
                strbuf_puts(&sb, "      \"comment\": ");
                json_quote(&sb, g->comment);
                strbuf_puts(&sb, ",\n      \"names\": [");
                for (size_t j = 0; g->names[j]; j++) {
                        strbuf_puts(&sb, j ? ",\n        " : "\n        ");
                        json_quote(&sb, g->names[j]);
                }
                strbuf_puts(&sb, "\n      ],\n      \"action\": ");
                json_quote(&sb, mp_seccomp_action_name(g->action));
                if (g->has_errno)
                        strbuf_printf(&sb, ",\n      \"errnoRet\": %u", g->errno_ret);
                if (g->has_arg)
                        strbuf_printf(&sb,
                                      ",\n      \"args\": [\n        { \"index\": %u, \"value\": %llu, \"valueTwo\": "
                                      "%llu, \"op\": \"%s\" }\n      ]",
                                      g->arg.index, (unsigned long long)g->arg.value,
                                      (unsigned long long)g->arg.value_two, op_name(g->arg.op));
                strbuf_puts(&sb, "\n    }");
        }
        strbuf_puts(&sb, b->n ? "\n  ]\n}\n" : "]\n}\n");
        return strbuf_steal(&sb);
}

/* ------------------------------------------------------------ reading the trace */

static bool is_filtered(const char *name)
{
        return streq(name, "socket") || streq(name, "socketcall") || streq(name, "clone") || streq(name, "clone3") ||
               streq(name, "personality");
}

/* values[idx] & mask of every group of arguments[kind]. */
typedef struct arg_query {
        size_t idx;
        uint64_t mask, want;
        u64set *values; /* arg_values */
        strbuf *keys;   /* arg_keys */
} arg_query;

static int add_value(const trace_arg_group *g, void *ud)
{
        arg_query *q = ud;
        json_int_t v;
        if (trace_arg_value(g, q->idx, &v))
                u64set_add(q->values, (uint64_t)v & q->mask);
        return 0;
}

static void arg_values(const trace *t, const char *kind, size_t idx, uint64_t mask, u64set *out)
{
        arg_query q = { .idx = idx, .mask = mask, .values = out };
        trace_foreach_arg_group(t, kind, add_value, &q);
        u64set_sort(out);
}

static int add_key(const trace_arg_group *g, void *ud)
{
        arg_query *q = ud;
        json_int_t v;
        if (!trace_arg_value(g, q->idx, &v) || ((uint64_t)v & q->mask) != q->want)
                return 0;
        if (q->keys->len)
                strbuf_puts(q->keys, ", ");
        strbuf_puts(q->keys, g->key);
        return 0;
}

/* The recorded keys of arguments[kind] whose values[idx] & mask == want,
 * joined for a comment ("AF_INET SOCK_STREAM 0, AF_INET SOCK_DGRAM 0"). */
static char *arg_keys(const trace *t, const char *kind, size_t idx, uint64_t mask, uint64_t want)
{
        strbuf sb = STRBUF_INIT;
        arg_query q = { .idx = idx, .mask = mask, .want = want, .keys = &sb };
        trace_foreach_arg_group(t, kind, add_key, &q);
        return strbuf_steal(&sb);
}

static const char *socketcall_name(uint64_t call)
{
        static const struct {
                int call;
                const char *name;
        } calls[] = {
                { SYS_SOCKET, "SYS_SOCKET" },
                { SYS_BIND, "SYS_BIND" },
                { SYS_CONNECT, "SYS_CONNECT" },
                { SYS_LISTEN, "SYS_LISTEN" },
                { SYS_ACCEPT, "SYS_ACCEPT" },
                { SYS_GETSOCKNAME, "SYS_GETSOCKNAME" },
                { SYS_GETPEERNAME, "SYS_GETPEERNAME" },
                { SYS_SOCKETPAIR, "SYS_SOCKETPAIR" },
                { SYS_SEND, "SYS_SEND" },
                { SYS_RECV, "SYS_RECV" },
                { SYS_SENDTO, "SYS_SENDTO" },
                { SYS_RECVFROM, "SYS_RECVFROM" },
                { SYS_SHUTDOWN, "SYS_SHUTDOWN" },
                { SYS_SETSOCKOPT, "SYS_SETSOCKOPT" },
                { SYS_GETSOCKOPT, "SYS_GETSOCKOPT" },
                { SYS_SENDMSG, "SYS_SENDMSG" },
                { SYS_RECVMSG, "SYS_RECVMSG" },
                { SYS_ACCEPT4, "SYS_ACCEPT4" },
                { SYS_RECVMMSG, "SYS_RECVMMSG" },
                { SYS_SENDMMSG, "SYS_SENDMMSG" },
        };
        for (size_t i = 0; i < ELEMENTSOF(calls); i++)
                if ((uint64_t)calls[i].call == call)
                        return calls[i].name;
        return "an unknown call";
}

static const char *const sub_arch_of[_TRACE_ABI_MAX] = {
        [TRACE_ABI_X86_64] = NULL,
        [TRACE_ABI_I386] = "SCMP_ARCH_X86",
        [TRACE_ABI_X32] = "SCMP_ARCH_X32",
};

static uint32_t default_action(gen_default_action a, int *ret_errno)
{
        switch (a) {
        case GEN_DEFAULT_ENOSYS:
                *ret_errno = ENOSYS;
                return SCMP_ACT_ERRNO(ENOSYS);
        case GEN_DEFAULT_KILL:
                *ret_errno = -1;
                return SCMP_ACT_KILL_PROCESS;
        case GEN_DEFAULT_LOG:
                *ret_errno = -1;
                return SCMP_ACT_LOG;
        default:
                *ret_errno = EPERM;
                return SCMP_ACT_ERRNO(EPERM);
        }
}

/* ------------------------------------------------------------ checking the result */

/* A recorded call and the arguments it was made with, for the self-check. */
typedef struct probe {
        trace_abi abi;
        const char *name;
        uint64_t args[6];
        uint32_t want; /* the verdict the profile must give */
} probe;

static int check_profile(const char *text, const probe *probes, size_t n, mp_error *err)
{
        _cleanup_mp_seccomp_profile_ mp_seccomp_profile *p = NULL;
        mp_error perr = { 0 };
        if (mp_seccomp_profile_load_buffer(text, strlen(text), "seccomp.json", &p, &perr) < 0) {
                char msg[600];
                mp_error_format(&perr, msg, sizeof msg);
                return mp_error_set(err, -EINVAL, "seccomp.json", "internal error, the profile does not parse: %s",
                                    msg);
        }
        if (p->warnings)
                return mp_error_set(err, -EINVAL, "seccomp.json", "internal error in the profile: %s", p->warnings[0]);
        _cleanup_mp_seccomp_program_ mp_seccomp_program *prog = NULL;
        mp_seccomp_env env = { .caps = (const char *const[]){ NULL } };
        if (mp_seccomp_program_compile(p, &env, &prog, &perr) < 0) {
                char msg[600];
                mp_error_format(&perr, msg, sizeof msg);
                return mp_error_set(err, -EINVAL, "seccomp.json", "internal error, libseccomp refuses the profile: %s",
                                    msg);
        }
        const char *const *unknown = mp_seccomp_program_unknown_names(prog);
        if (unknown[0])
                return mp_error_set(err, -EINVAL, "seccomp.json",
                                    "internal error: libseccomp does not know the syscall '%s'", unknown[0]);
        for (size_t i = 0; i < n; i++) {
                mp_seccomp_verdict v;
                int r = mp_seccomp_program_eval(prog, probes[i].abi, probes[i].name, probes[i].args, &v);
                if (r < 0 || v.ret != probes[i].want)
                        return mp_error_set(err, -EINVAL, "seccomp.json",
                                            "internal error: the compiled profile answers %s '%s' with %s (0x%x), "
                                            "not 0x%x; not written",
                                            trace_abi_name(probes[i].abi), probes[i].name,
                                            r < 0 ? "nothing" : mp_seccomp_action_name(v.ret), r < 0 ? 0 : v.ret,
                                            probes[i].want);
        }
        return 0;
}

static void add_probe(probe **v, size_t *n, trace_abi abi, const char *name, const uint64_t *args, size_t nargs,
                      uint32_t want)
{
        *v = xrealloc(*v, (*n + 1) * sizeof **v);
        probe *p = &(*v)[(*n)++];
        memset(p, 0, sizeof *p);
        p->abi = abi;
        p->name = name;
        for (size_t i = 0; i < nargs && i < 6; i++)
                p->args[i] = args[i];
        p->want = want;
}

/* ------------------------------------------------------------ the profile */

/* The names of the recorded syscalls, by origin, and the probes they give. */
typedef struct names_ctx {
        char ***names;  /* where names that pass go */
        char **exclude; /* names already elsewhere (NULL: none) */
        probe **probes; /* where their probes go (NULL: none) */
        size_t *n_probes;
} names_ctx;

static int add_name(const trace_syscall *sc, void *ud)
{
        names_ctx *c = ud;
        if (is_filtered(sc->name))
                return 0;
        if (c->names && !strv_contains(c->exclude, sc->name))
                strv_add(c->names, sc->name);
        if (c->probes)
                add_probe(c->probes, c->n_probes, sc->abi, sc->name, NULL, 0, SCMP_ACT_ALLOW);
        return 0;
}

/* The probes of the groups of an argument kind, on every ABI that made
 * `name`: values[0..nargs) as the call's first arguments. */
typedef struct arg_probe_ctx {
        const trace *t;
        const char *name;
        size_t nargs;
        probe **probes;
        size_t *n_probes;
} arg_probe_ctx;

static int add_arg_probe(const trace_arg_group *g, void *ud)
{
        arg_probe_ctx *c = ud;
        uint64_t a[3] = { 0 };
        for (size_t k = 0; k < c->nargs; k++) {
                json_int_t v = 0;
                trace_arg_value(g, k, &v);
                a[k] = (uint64_t)v;
        }
        for (int abi = 0; abi < _TRACE_ABI_MAX; abi++)
                if (trace_has_syscall(c->t, abi, c->name))
                        add_probe(c->probes, c->n_probes, abi, c->name, a, c->nargs, SCMP_ACT_ALLOW);
        return 0;
}

static int add_number(const trace_syscall *sc, void *ud)
{
        u64set_add(ud, strtoull(sc->name, NULL, 10));
        return 0;
}

int gen_build_seccomp_json(const gen_context *ctx, char **ret, int *ret_syscalls, strbuf *notes, mp_error *err)
{
        const trace *t = ctx->t;
        int def_errno;
        uint32_t def = default_action(ctx->opts->default_action, &def_errno);

        rt_template tpl = { 0 };
        const char *rt = gen_runtime_name(ctx->opts->runtime);
        if (ctx->opts->runtime != GEN_RUNTIME_NONE) {
                int r = template_load(ctx, &tpl, err);
                if (r < 0) {
                        rt_template_free(&tpl);
                        return r;
                }
        }

        /* Names per origin; the argument-filtered ones are handled below. */
        _cleanup_strv_free_ char **main_names = xcalloc(1, sizeof(char *));
        _cleanup_strv_free_ char **i386_only = xcalloc(1, sizeof(char *));
        _cleanup_strv_free_ char **rt_only = xcalloc(1, sizeof(char *));
        _cleanup_strv_free_ char **subarches = xcalloc(1, sizeof(char *));
        size_t per_abi[_TRACE_ABI_MAX] = { 0 };
        probe *probes = NULL;
        size_t n_probes = 0;
        for (int abi = 0; abi < _TRACE_ABI_MAX; abi++) {
                if (sub_arch_of[abi] && (trace_syscall_count(t, abi) > 0 || trace_unknown_syscall_count(t, abi) > 0))
                        strv_add(&subarches, sub_arch_of[abi]);
                per_abi[abi] = trace_syscall_count(t, abi);
                if (abi == TRACE_ABI_I386)
                        continue;
                names_ctx nc = { .names = &main_names };
                trace_foreach_syscall(t, abi, add_name, &nc);
        }
        {
                names_ctx nc = { .names = &i386_only, .exclude = main_names };
                trace_foreach_syscall(t, TRACE_ABI_I386, add_name, &nc);
        }
        for (size_t i = 0; tpl.syscalls && tpl.syscalls[i]; i++)
                if (!is_filtered(tpl.syscalls[i]) && !strv_contains(main_names, tpl.syscalls[i]) &&
                    !strv_contains(i386_only, tpl.syscalls[i]))
                        strv_add(&rt_only, tpl.syscalls[i]);
        /* Beyond the recording (--allow-gaps, --portable): one rule each,
         * with its reason; filtered names (clone) are handled below. */
        _cleanup_strv_free_ char **extra_names = xcalloc(1, sizeof(char *));
        const gen_extra *clone_extra = NULL;
        for (size_t i = 0; i < ctx->opts->nextras; i++) {
                const gen_extra *x = &ctx->opts->extras[i];
                if (streq(x->name, "clone") && !clone_extra)
                        clone_extra = x;
                if (is_filtered(x->name) || strv_contains(main_names, x->name) || strv_contains(i386_only, x->name) ||
                    strv_contains(rt_only, x->name) || strv_contains(extra_names, x->name))
                        continue;
                strv_add(&extra_names, x->name);
        }
        strv_sort(main_names);
        strv_sort(i386_only);
        strv_sort(rt_only);
        strv_sort(subarches);

        /* Every recorded call must come out allowed. */
        for (int abi = 0; abi < _TRACE_ABI_MAX; abi++) {
                names_ctx nc = { .probes = &probes, .n_probes = &n_probes };
                trace_foreach_syscall(t, abi, add_name, &nc);
        }
        for (size_t i = 0; tpl.syscalls && tpl.syscalls[i]; i++)
                if (!is_filtered(tpl.syscalls[i]))
                        add_probe(&probes, &n_probes, TRACE_ABI_X86_64, tpl.syscalls[i], NULL, 0, SCMP_ACT_ALLOW);

        profile_builder b = { 0 };
        _cleanup_strbuf_ strbuf counts = STRBUF_INIT;
        for (int abi = 0; abi < _TRACE_ABI_MAX; abi++)
                if (per_abi[abi])
                        strbuf_printf(&counts, "%s%s: %zu", counts.len ? ", " : "", trace_abi_name(abi), per_abi[abi]);
        if (main_names[0]) {
                group *g = add_group(&b, SCMP_ACT_ALLOW,
                                     xasprintf("the workload's syscalls, every attempted one, failed ones too "
                                               "(names recorded per ABI: %s)",
                                               strbuf_str(&counts)));
                for (size_t i = 0; main_names[i]; i++)
                        strv_add(&g->names, main_names[i]);
        }
        if (i386_only[0]) {
                group *g = add_group(&b, SCMP_ACT_ALLOW,
                                     xstrdup("syscalls only 32-bit (i386) code made; in Docker's format a name "
                                             "applies to every architecture of archMap"));
                for (size_t i = 0; i386_only[i]; i++)
                        strv_add(&g->names, i386_only[i]);
        }
        if (rt_only[0]) {
                group *g = add_group(&b, SCMP_ACT_ALLOW,
                                     xasprintf("%s %s needs these between loading the filter and starting the "
                                               "workload (templates/%s.json)",
                                               rt, tpl.version, rt));
                for (size_t i = 0; rt_only[i]; i++)
                        strv_add(&g->names, rt_only[i]);
        }

        for (size_t i = 0; i < ctx->opts->nextras; i++) {
                const gen_extra *x = &ctx->opts->extras[i];
                size_t k = 0;
                while (extra_names[k] && !streq(extra_names[k], x->name))
                        k++;
                if (!extra_names[k])
                        continue;
                /* once per name: the first (ABI order) reason */
                free(extra_names[k]);
                extra_names[k] = xstrdup("");
                group *g = add_group(&b, SCMP_ACT_ALLOW, xstrdup(x->comment));
                strv_add(&g->names, x->name);
                add_probe(&probes, &n_probes, x->abi, x->name, NULL, 0, SCMP_ACT_ALLOW);
        }

        /* socket: the recorded address families, one rule each. */
        bool rt_needs_socket = strv_contains(tpl.syscalls, "socket");
        if (trace_has_syscall_any_abi(t, "socket") || rt_needs_socket) {
                u64set fam = { 0 };
                arg_values(t, "socket", 0, UINT64_MAX, &fam);
                if (fam.n == 0 || rt_needs_socket) {
                        add_group(&b, SCMP_ACT_ALLOW,
                                  xstrdup(rt_needs_socket ? "socket: the runtime needs it for any family"
                                                          : "socket: recorded without its arguments; every family"));
                        strv_add(&b.groups[b.n - 1].names, "socket");
                        if (!rt_needs_socket)
                                strbuf_puts(notes, "minpriv: seccomp.json: socket was recorded without its "
                                                   "arguments; allowed for every address family\n");
                } else {
                        for (size_t i = 0; i < fam.n; i++) {
                                const char *fname = family_name((int)fam.v[i]);
                                _cleanup_free_ char *keys = arg_keys(t, "socket", 0, UINT64_MAX, fam.v[i]);
                                group *g =
                                        add_group(&b, SCMP_ACT_ALLOW,
                                                  xasprintf("socket: address family %s (%llu) only; recorded: %s",
                                                            fname ? fname : "?", (unsigned long long)fam.v[i], keys));
                                strv_add(&g->names, "socket");
                                g->has_arg = true;
                                g->arg = (mp_seccomp_profile_arg){ .index = 0, .value = fam.v[i], .op = SCMP_CMP_EQ };
                        }
                }
                arg_probe_ctx pc = { t, "socket", 3, &probes, &n_probes };
                trace_foreach_arg_group(t, "socket", add_arg_probe, &pc);
                free(fam.v);
        }

        /* socketcall (i386): the recorded call numbers. The arguments it
         * points to are in memory, out of seccomp's reach. */
        if (trace_has_syscall_any_abi(t, "socketcall")) {
                u64set calls = { 0 };
                arg_values(t, "socketcall", 0, UINT64_MAX, &calls);
                if (calls.n == 0) {
                        group *g = add_group(&b, SCMP_ACT_ALLOW,
                                             xstrdup("socketcall (i386 multiplexer): recorded without its call "
                                                     "number; every call"));
                        strv_add(&g->names, "socketcall");
                        strbuf_puts(notes, "minpriv: seccomp.json: socketcall was recorded without its call "
                                           "number; allowed for every call\n");
                }
                for (size_t i = 0; i < calls.n; i++) {
                        group *g = add_group(&b, SCMP_ACT_ALLOW,
                                             xasprintf("socketcall (i386 multiplexer): %s (%llu) as recorded; the "
                                                       "arguments it points to cannot be filtered",
                                                       socketcall_name(calls.v[i]), (unsigned long long)calls.v[i]));
                        strv_add(&g->names, "socketcall");
                        g->has_arg = true;
                        g->arg = (mp_seccomp_profile_arg){ .index = 0, .value = calls.v[i], .op = SCMP_CMP_EQ };
                        add_probe(&probes, &n_probes, TRACE_ABI_I386, "socketcall", &calls.v[i], 1, SCMP_ACT_ALLOW);
                }
                free(calls.v);
        }

        /* clone: the recorded combinations of namespace flags (usually none). */
        bool rt_needs_clone = strv_contains(tpl.syscalls, "clone");
        bool clone_recorded = trace_has_syscall_any_abi(t, "clone");
        if (clone_recorded || rt_needs_clone || clone_extra) {
                u64set ns = { 0 };
                arg_values(t, "clone", 0, CLONE_NS_MASK, &ns);
                /* clone for a recorded clone3 (--portable): clone3's namespace
                 * flags carry over as clone's filter */
                if (clone_extra && clone_extra->carry_flags && !clone_recorded)
                        arg_values(t, "clone3", 0, CLONE_NS_MASK, &ns);
                if (clone_recorded && trace_arg_group_count(t, "clone") == 0)
                        strbuf_puts(notes, "minpriv: seccomp.json: clone was recorded without its flags; "
                                           "allowed without namespace flags\n");
                if (ns.n == 0 || rt_needs_clone)
                        u64set_add(&ns, 0);
                u64set_sort(&ns);
                for (size_t i = 0; i < ns.n; i++) {
                        char *c = ns.v[i] ? xasprintf("clone: namespace flags %s as recorded, no others",
                                                      clone_ns_flags_describe(ns.v[i]))
                                          : xstrdup("clone: no namespace flags (threads and processes)");
                        if (clone_extra && !clone_recorded && !rt_needs_clone) {
                                char *with = xasprintf("%s; %s", c, clone_extra->comment);
                                free(c);
                                c = with;
                        }
                        group *g = add_group(&b, SCMP_ACT_ALLOW, c);
                        strv_add(&g->names, "clone");
                        g->has_arg = true;
                        g->arg = (mp_seccomp_profile_arg){
                                .index = 0, .value = CLONE_NS_MASK, .value_two = ns.v[i], .op = SCMP_CMP_MASKED_EQ
                        };
                }
                arg_probe_ctx pc = { t, "clone", 1, &probes, &n_probes };
                trace_foreach_arg_group(t, "clone", add_arg_probe, &pc);
                free(ns.v);
        }

        /* clone3: allowed when recorded, else ENOSYS so glibc uses clone. */
        if (trace_has_syscall_any_abi(t, "clone3") || strv_contains(tpl.syscalls, "clone3")) {
                _cleanup_free_ char *keys = arg_keys(t, "clone3", 0, 0, 0);
                u64set fl = { 0 };
                arg_values(t, "clone3", 0, CLONE_NS_MASK, &fl);
                uint64_t any_ns = 0;
                for (size_t i = 0; i < fl.n; i++)
                        any_ns |= fl.v[i];
                free(fl.v);
                group *g = add_group(&b, SCMP_ACT_ALLOW,
                                     xasprintf("clone3: recorded (flags %s; namespace flags: %s); its flags are in "
                                               "memory and cannot be filtered",
                                               *keys ? keys : "not recorded",
                                               any_ns ? clone_ns_flags_describe(any_ns) : "none"));
                strv_add(&g->names, "clone3");
                for (int abi = 0; abi < _TRACE_ABI_MAX; abi++)
                        if (trace_has_syscall(t, abi, "clone3"))
                                add_probe(&probes, &n_probes, abi, "clone3", NULL, 0, SCMP_ACT_ALLOW);
        } else if (def != SCMP_ACT_ERRNO(ENOSYS)) {
                group *g = add_group(&b, SCMP_ACT_ERRNO(ENOSYS),
                                     xstrdup("clone3: not recorded; ENOSYS makes glibc fall back to clone"));
                strv_add(&g->names, "clone3");
                g->has_errno = true;
                g->errno_ret = ENOSYS;
                add_probe(&probes, &n_probes, TRACE_ABI_X86_64, "clone3", NULL, 0, SCMP_ACT_ERRNO(ENOSYS));
        }

        /* personality: the recorded values. */
        if (trace_has_syscall_any_abi(t, "personality") || strv_contains(tpl.syscalls, "personality")) {
                u64set pv = { 0 };
                arg_values(t, "personality", 0, UINT64_MAX, &pv);
                bool rt_needs = strv_contains(tpl.syscalls, "personality");
                if (pv.n == 0 || rt_needs) {
                        group *g = add_group(&b, SCMP_ACT_ALLOW,
                                             xstrdup(rt_needs ? "personality: the runtime needs it; every value"
                                                              : "personality: recorded without its argument; every "
                                                                "value"));
                        strv_add(&g->names, "personality");
                        if (!rt_needs)
                                strbuf_puts(notes, "minpriv: seccomp.json: personality was recorded without "
                                                   "its argument; allowed for every value\n");
                } else {
                        for (size_t i = 0; i < pv.n; i++) {
                                group *g = add_group(&b, SCMP_ACT_ALLOW,
                                                     xasprintf("personality: 0x%llx%s as recorded",
                                                               (unsigned long long)pv.v[i],
                                                               pv.v[i] == 0xffffffffu ? " (a query)" : ""));
                                strv_add(&g->names, "personality");
                                g->has_arg = true;
                                g->arg = (mp_seccomp_profile_arg){ .index = 0, .value = pv.v[i], .op = SCMP_CMP_EQ };
                        }
                }
                for (size_t i = 0; i < pv.n; i++)
                        for (int abi = 0; abi < _TRACE_ABI_MAX; abi++)
                                if (trace_has_syscall(t, abi, "personality"))
                                        add_probe(&probes, &n_probes, abi, "personality", &pv.v[i], 1, SCMP_ACT_ALLOW);
                free(pv.v);
        }

        /* Numbers libseccomp cannot name cannot be written in Docker's
         * format: say so, never write a placeholder. */
        for (int abi = 0; abi < _TRACE_ABI_MAX; abi++) {
                u64set nums = { 0 };
                trace_foreach_unknown_syscall(t, abi, add_number, &nums);
                u64set_sort(&nums);
                const struct scmp_version *ver = seccomp_version();
                for (size_t i = 0; i < nums.n; i++)
                        strbuf_printf(notes,
                                      "minpriv: seccomp.json: %s syscall number %llu has no name in libseccomp "
                                      "%u.%u.%u; it is not in the profile (the workload will get the default "
                                      "action for it)\n",
                                      trace_abi_name(abi), (unsigned long long)nums.v[i], ver->major, ver->minor,
                                      ver->micro);
                free(nums.v);
        }

        /* What the hardening report quotes: distinct names that can be allowed. */
        _cleanup_strv_free_ char **allowed = xcalloc(1, sizeof(char *));
        for (size_t i = 0; i < b.n; i++)
                if (b.groups[i].action == SCMP_ACT_ALLOW)
                        for (size_t j = 0; b.groups[i].names[j]; j++)
                                strv_add(&allowed, b.groups[i].names[j]);
        int nallowed = (int)strv_length(allowed);

        char *text = serialize(&b, def, def_errno, subarches);
        int r = check_profile(text, probes, n_probes, err);
        builder_free(&b);
        free(probes);
        rt_template_free(&tpl);
        if (r < 0) {
                free(text);
                return r;
        }
        *ret = text;
        *ret_syscalls = nallowed;
        return 0;
}
