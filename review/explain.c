/* SPDX-License-Identifier: MIT */
#include "review/explain.h"

#include <seccomp.h>

#include "trace/names.h"
#include "trace/seen.h"

static bool is_syscall_name(const char *name)
{
        for (int a = 0; a < _TRACE_ABI_MAX; a++)
                if (seccomp_syscall_resolve_name_arch(trace_abi_scmp_arch(a), name) >= 0)
                        return true;
        return false;
}

typedef struct line_ctx {
        strbuf *out;
        const char *indent;
        size_t n;
} line_ctx;

static int usage_part(const trace_program *p, void *ud)
{
        line_ctx *c = ud;
        strbuf_printf(c->out, "%s%lld by %s", c->n++ ? ", " : "", (long long)p->count, p->program);
        return 0;
}

void explain_usage_line(strbuf *out, const trace_usage *usage)
{
        line_ctx c = { .out = out };
        trace_foreach_program(usage, usage_part, &c);
        if (!c.n)
                strbuf_puts(out, "no program recorded");
}

static int stack_line(size_t i, const trace_frame *f, void *ud)
{
        line_ctx *c = ud;
        if (f->function) {
                strbuf_printf(c->out, "%s#%zu %s+0x%llx", c->indent, i, f->function, (long long)f->offset);
                if (f->module)
                        strbuf_printf(c->out, " (%s+0x%llx)", f->module, (long long)f->ip);
        } else if (f->module) {
                /* no symbol covers it: the module and the offset,
                 * not the nearest exported name */
                strbuf_printf(c->out, "%s#%zu %s+0x%llx", c->indent, i, f->module, (long long)f->ip);
        } else {
                strbuf_printf(c->out, "%s#%zu ??", c->indent, i);
        }
        strbuf_putc(c->out, '\n');
        return 0;
}

void explain_stack_lines(strbuf *out, const trace_stack *stack, const char *indent)
{
        line_ctx c = { .out = out, .indent = indent };
        trace_foreach_frame(stack, stack_line, &c);
}

/* The first stack recorded among the programs of a usage. */
static int program_stack(const trace_program *p, void *ud)
{
        line_ctx *c = ud;
        if (!p->stack)
                return 0;
        strbuf_printf(c->out, "%sfirst call in %s:\n", c->indent, p->program);
        _cleanup_free_ char *deeper = xasprintf("%s  ", c->indent);
        explain_stack_lines(c->out, p->stack, deeper);
        return 0;
}

static void first_stacks(strbuf *out, const trace_usage *usage, const char *indent)
{
        line_ctx c = { .out = out, .indent = indent };
        trace_foreach_program(usage, program_stack, &c);
}

static int result_line(const char *result, const trace_usage *u, void *ud)
{
        line_ctx *c = ud;
        strbuf_printf(c->out, "%s%s: ", c->indent, result);
        explain_usage_line(c->out, u);
        strbuf_putc(c->out, '\n');
        return 0;
}

static void results_map(strbuf *out, const trace_results *results, const char *indent)
{
        line_ctx c = { .out = out, .indent = indent };
        trace_foreach_result(results, result_line, &c);
}

/* "seen in k of N runs" when the item was not seen in every run. */
static void seen_line(strbuf *out, const trace *t, json_int_t k, const char *indent, const char *why)
{
        json_int_t runs = trace_runs(t);
        if (runs > 1 && k < runs)
                strbuf_printf(out, "%sseen in %lld of %lld runs — %s\n", indent, (long long)k, (long long)runs, why);
        else if (runs > 1)
                strbuf_printf(out, "%sseen in all %lld runs\n", indent, (long long)runs);
}

static int result_count(const char *result, json_int_t count, void *ud)
{
        strbuf_printf(ud, " %s %lld", result, (long long)count);
        return 0;
}

typedef struct syscall_ctx {
        const trace *t;
        strbuf *out;
        const char *base;
        bool found;
} syscall_ctx;

static int argument_line(const trace_arg_group *g, void *ud)
{
        syscall_ctx *c = ud;
        if (!c->found)
                strbuf_printf(c->out, "  argument values (used by argument filters):\n");
        c->found = true;
        strbuf_printf(c->out, "    %s: ", g->key);
        explain_usage_line(c->out, g->usage);
        strbuf_putc(c->out, '\n');
        json_int_t runs = trace_runs(c->t);
        if (g->seen < runs)
                strbuf_printf(c->out, "      seen in %lld of %lld runs — a value some runs did not use\n",
                              (long long)g->seen, (long long)runs);
        return 0;
}

static int address_line(const trace_endpoint *e, void *ud)
{
        syscall_ctx *c = ud;
        if (!c->found)
                strbuf_printf(c->out, "  addresses:\n");
        c->found = true;
        strbuf_printf(c->out, "    %s %s\n", e->family, e->address);
        results_map(c->out, e->results, "      ");
        return 0;
}

static int cred_line(const trace_cred_change *cc, void *ud)
{
        syscall_ctx *c = ud;
        if (!c->found)
                strbuf_printf(c->out, "  credential changes:\n");
        c->found = true;
        strbuf_printf(c->out, "    %s(%s)\n", cc->syscall, cc->args);
        results_map(c->out, cc->results, "      ");
        return 0;
}

static int request_line(const trace_ptrace_request *p, void *ud)
{
        syscall_ctx *c = ud;
        if (!c->found)
                strbuf_puts(c->out, "  requests:\n");
        c->found = true;
        strbuf_printf(c->out, "    %s\n", p->request);
        results_map(c->out, p->results, "      ");
        return 0;
}

/* Capability reasons this syscall gave. */
static int reason_of_syscall(const trace_cap_reason *r, void *ud)
{
        syscall_ctx *c = ud;
        if (!r->syscall || !streq(r->syscall, c->base))
                return 0;
        strbuf_printf(c->out, "  needs %s: %s\n", r->cap, r->reason);
        results_map(c->out, r->results, "    ");
        return 0;
}

static bool explain_syscall(const trace *t, const char *name, strbuf *out)
{
        bool found = false;
        for (int a = 0; a < _TRACE_ABI_MAX; a++) {
                trace_syscall sc;
                if (!trace_syscall_get(t, (trace_abi)a, name, &sc))
                        continue;
                found = true;
                strbuf_printf(out, "syscall %s (%s ABI): %lld calls\n", name, trace_abi_name((trace_abi)a),
                              (long long)sc.count);
                strbuf_puts(out, "  programs: ");
                explain_usage_line(out, sc.usage);
                strbuf_printf(out, "\n  first made by: %s\n", sc.first);
                seen_line(out, t, sc.seen, "  ", "a timing- or input-dependent path; more like it may exist");
                strbuf res = STRBUF_INIT;
                trace_syscall_foreach_result(&sc, result_count, &res);
                if (res.len)
                        strbuf_printf(out, "  results:%s\n", strbuf_str(&res));
                strbuf_free(&res);
                first_stacks(out, sc.usage, "  ");
        }
        char base[64];
        snprintf(base, sizeof base, "%s", name);
        if (endswith(base, "32"))
                base[strlen(base) - 2] = '\0';
        /* What else the trace knows about calls of that name. */
        syscall_ctx c = { .t = t, .out = out, .base = base };
        trace_foreach_arg_group(t, name, argument_line, &c);
        found |= c.found;
        c.found = false;
        trace_foreach_endpoint(t, streq(name, "sendmsg") ? "sendto" : name, NULL, address_line, &c);
        c.found = false;
        trace_foreach_cred_change(t, base, cred_line, &c);
        if (streq(name, "ptrace")) {
                c.found = false;
                trace_foreach_ptrace_request(t, request_line, &c);
        }
        trace_foreach_cap_reason(t, NULL, reason_of_syscall, &c);
        return found;
}

static int kind_lines(const char *kind, const trace_results *results, void *ud)
{
        strbuf *out = ud;
        size_t m;
        _cleanup_free_ const char **rs = trace_result_names(results, &m);
        for (size_t j = 0; j < m; j++) {
                strbuf_printf(out, "  %s %s: ", kind, rs[j]);
                explain_usage_line(out, trace_result(results, rs[j]));
                strbuf_putc(out, '\n');
        }
        return 0;
}

static void file_node(strbuf *out, const trace *t, const trace_file *f)
{
        _cleanup_free_ char *raw = trace_path_decode(f->path, NULL);
        _cleanup_free_ char *q = raw ? quote_for_message(raw) : xstrdup(f->path);
        strbuf_printf(out, "path %s", q);
        const char *type = f->stat.type;
        if (type)
                strbuf_printf(out, " (%s", type);
        if (f->stat.has_uid)
                strbuf_printf(out, "%sowner %lld:%lld, mode %04llo", type ? ", " : " (", (long long)f->stat.uid,
                              (long long)f->stat.gid, (long long)f->stat.mode);
        if (type || f->stat.has_uid)
                strbuf_putc(out, ')');
        strbuf_putc(out, '\n');
        if (f->resolved)
                strbuf_printf(out, "  resolves to: %s\n", f->resolved);
        if (f->by_owner_known && !f->by_owner)
                strbuf_puts(out, "  accessed by a process that does not own it\n");
        if (f->private_new)
                strbuf_puts(out, "  made new as mkstemp makes names (O_EXCL or mkdir, a mode only its owner may use): "
                                 "a drawn name\n");
        seen_line(out, t, f->seen, "  ", "a file some runs did not touch; others may exist");
        trace_file_foreach_kind(f, kind_lines, out);
        if (f->stack) {
                strbuf_puts(out, "  first access:\n");
                explain_stack_lines(out, f->stack, "    ");
        }
}

typedef struct path_ctx {
        const trace *t;
        strbuf *out;
        const char *enc;
        size_t len;
        bool found;
        size_t below, shown;
} path_ctx;

/* Paths that lead to it through symlinks. */
static int reached_through(const trace_file *f, void *ud)
{
        path_ctx *c = ud;
        if (f->resolved && streq(f->resolved, c->enc) && !streq(f->path, c->enc)) {
                strbuf_printf(c->out, "reached through %s:\n", f->path);
                file_node(c->out, c->t, f);
                c->found = true;
        }
        return 0;
}

static int kind_word(const char *kind, const trace_results *r, void *ud)
{
        strbuf_printf(ud, " %s", kind);
        return 0;
}

/* A directory: a summary of what was used below it. */
static int below_line(const trace_file *f, void *ud)
{
        path_ctx *c = ud;
        if (strncmp(f->path, c->enc, c->len) != 0 || (f->path[c->len] != '/' && !endswith(c->enc, "/")))
                return 0;
        if (c->below++ == 0)
                strbuf_printf(c->out, "below %s:\n", c->enc);
        if (c->shown++ < 50) {
                strbuf_printf(c->out, "  %s:", f->path);
                trace_file_foreach_kind(f, kind_word, c->out);
                strbuf_putc(c->out, '\n');
        }
        return 0;
}

/* A unix socket address. */
static int unix_socket(const trace_endpoint *e, void *ud)
{
        path_ctx *c = ud;
        if (!streq(e->address, c->enc))
                return 0;
        strbuf_printf(c->out, "unix socket %s (%s):\n", c->enc, e->op);
        results_map(c->out, e->results, "  ");
        c->found = true;
        return 0;
}

static bool explain_path(const trace *t, const char *raw, strbuf *out)
{
        _cleanup_free_ char *enc = trace_path_encode(raw, strlen(raw));
        trace_materialize((trace *)t);
        path_ctx c = { .t = t, .out = out, .enc = enc, .len = strlen(enc) };
        trace_file f;
        if (trace_file_get(t, enc, &f)) {
                file_node(out, t, &f);
                c.found = true;
        }
        trace_foreach_file(t, reached_through, &c);
        if (!c.found) {
                trace_foreach_file(t, below_line, &c);
                if (c.below > c.shown)
                        strbuf_printf(out, "  ... and %zu more\n", c.below - c.shown);
                c.found = c.below > 0;
        }
        trace_foreach_endpoint(t, NULL, "AF_UNIX", unix_socket, &c);
        return c.found;
}

static int input_part(const trace_input *in, void *ud)
{
        strbuf *out = ud;
        if (in->type == TRACE_INPUT_STRING)
                strbuf_printf(out, " %s=%s", in->name, in->string);
        else if (in->type == TRACE_INPUT_BOOL)
                strbuf_printf(out, " %s=%s", in->name, in->boolean ? "true" : "false");
        else
                strbuf_printf(out, " %s=%lld", in->name, (long long)in->number);
        return 0;
}

typedef struct cap_ctx {
        const trace *t;
        strbuf *out;
        bool needed;
} cap_ctx;

static int reason_lines(const trace_cap_reason *r, void *ud)
{
        cap_ctx *c = ud;
        strbuf *out = c->out;
        strbuf_printf(out, "  %s\n", r->reason);
        seen_line(out, c->t, r->seen, "    ", "needed on a path some runs did not take");
        if (trace_result(r->results, "ok"))
                c->needed = true;
        results_map(out, r->results, "    ");
        strbuf inputs = STRBUF_INIT;
        trace_foreach_cap_input(r, input_part, &inputs);
        if (inputs.len)
                strbuf_printf(out, "    inputs:%s\n", strbuf_str(&inputs));
        strbuf_free(&inputs);
        if (r->stack) {
                strbuf_puts(out, "    stack:\n");
                explain_stack_lines(out, r->stack, "      ");
        }
        return 0;
}

static bool explain_cap(const trace *t, const char *cap, strbuf *out)
{
        if (!trace_has_cap(t, cap))
                return false;
        strbuf_printf(out, "%s:\n", cap);
        cap_ctx c = { .t = t, .out = out };
        trace_foreach_cap_reason(t, cap, reason_lines, &c);
        strbuf_printf(
                out, "%s %s\n", cap,
                c.needed
                        ? "is needed: at least one of these calls succeeded with it (caps.txt lists it)"
                        : "is not needed: every call that would have used it failed (review: denied during recording)");
        return true;
}

int explain_item(const trace *t, const char *item, strbuf *out, mp_error *err)
{
        if (item[0] == '/')
                return explain_path(t, item, out) ? 0 : -ENOENT;
        if (is_syscall_name(item))
                return explain_syscall(t, item, out) ? 0 : -ENOENT;
        int cap = cap_from_name(item);
        if (cap >= 0) {
                const char *cn = cap_name(cap);
                return explain_cap(t, cn, out) ? 0 : -ENOENT;
        }
        _cleanup_free_ char *q = quote_for_message(item);
        return mp_error_set(err, -EINVAL, NULL, "%s is not a syscall name, an absolute path or a capability", q);
}
