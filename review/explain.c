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

void explain_usage_line(strbuf *out, const json_t *usage)
{
        json_t *programs = json_object_get(usage, "programs");
        size_t n;
        const char **keys = trace_sorted_keys(programs, &n);
        for (size_t i = 0; i < n; i++) {
                json_int_t c = json_integer_value(json_object_get(json_object_get(programs, keys[i]), "count"));
                strbuf_printf(out, "%s%lld by %s", i ? ", " : "", (long long)c, keys[i]);
        }
        if (!n)
                strbuf_puts(out, "no program recorded");
        free(keys);
}

void explain_stack_lines(strbuf *out, const json_t *stack, const char *indent)
{
        size_t i;
        json_t *fr;
        json_array_foreach (stack, i, fr) {
                const char *fn = json_string_value(json_object_get(fr, "function"));
                const char *mod = json_string_value(json_object_get(fr, "module"));
                long long ip = (long long)json_integer_value(json_object_get(fr, "ip"));
                if (fn) {
                        strbuf_printf(out, "%s#%zu %s+0x%llx", indent, i, fn,
                                      (long long)json_integer_value(json_object_get(fr, "offset")));
                        if (mod)
                                strbuf_printf(out, " (%s+0x%llx)", mod, ip);
                } else if (mod) {
                        /* no symbol covers it: the module and the offset,
                         * not the nearest exported name */
                        strbuf_printf(out, "%s#%zu %s+0x%llx", indent, i, mod, ip);
                } else {
                        strbuf_printf(out, "%s#%zu ??", indent, i);
                }
                strbuf_putc(out, '\n');
        }
}

/* The first stack recorded among the programs of a usage node. */
static void first_stacks(strbuf *out, const json_t *usage, const char *indent)
{
        json_t *programs = json_object_get(usage, "programs");
        size_t n;
        const char **keys = trace_sorted_keys(programs, &n);
        for (size_t i = 0; i < n; i++) {
                json_t *stack = json_object_get(json_object_get(programs, keys[i]), "stack");
                if (!stack)
                        continue;
                strbuf_printf(out, "%sfirst call in %s:\n", indent, keys[i]);
                _cleanup_free_ char *deeper = xasprintf("%s  ", indent);
                explain_stack_lines(out, stack, deeper);
        }
        free(keys);
}

static void results_map(strbuf *out, const json_t *results, const char *indent)
{
        size_t n;
        const char **keys = trace_sorted_keys(results, &n);
        for (size_t i = 0; i < n; i++) {
                strbuf_printf(out, "%s%s: ", indent, keys[i]);
                explain_usage_line(out, json_object_get(results, keys[i]));
                strbuf_putc(out, '\n');
        }
        free(keys);
}

/* "seen in k of N runs" when the item was not seen in every run. */
static void seen_line(strbuf *out, const trace *t, const json_t *item, const char *indent, const char *why)
{
        json_int_t runs = trace_runs(t), k = trace_item_seen(item, runs);
        if (runs > 1 && k < runs)
                strbuf_printf(out, "%sseen in %lld of %lld runs — %s\n", indent, (long long)k, (long long)runs, why);
        else if (runs > 1)
                strbuf_printf(out, "%sseen in all %lld runs\n", indent, (long long)runs);
}

static bool explain_syscall(const trace *t, const char *name, strbuf *out)
{
        bool found = false;
        json_t *sys = json_object_get(t->root, "syscalls");
        for (int a = 0; a < _TRACE_ABI_MAX; a++) {
                json_t *node = json_object_get(json_object_get(sys, trace_abi_name((trace_abi)a)), name);
                if (!node)
                        continue;
                found = true;
                strbuf_printf(out, "syscall %s (%s ABI): %lld calls\n", name, trace_abi_name((trace_abi)a),
                              (long long)trace_usage_count(node));
                strbuf_puts(out, "  programs: ");
                explain_usage_line(out, node);
                strbuf_printf(out, "\n  first made by: %s\n", json_string_value(json_object_get(node, "first")));
                seen_line(out, t, node, "  ", "a timing- or input-dependent path; more like it may exist");
                json_t *res = json_object_get(node, "results");
                if (res && json_object_size(res)) {
                        strbuf_puts(out, "  results:");
                        size_t n;
                        const char **keys = trace_sorted_keys(res, &n);
                        for (size_t i = 0; i < n; i++)
                                strbuf_printf(out, " %s %lld", keys[i],
                                              (long long)json_integer_value(json_object_get(res, keys[i])));
                        free(keys);
                        strbuf_putc(out, '\n');
                }
                first_stacks(out, node, "  ");
        }
        /* What else the trace knows about calls of that name. */
        json_t *args = json_object_get(json_object_get(t->root, "arguments"), name);
        if (args && json_object_size(args)) {
                found = true;
                strbuf_printf(out, "  argument values (used by argument filters):\n");
                size_t n;
                const char **keys = trace_sorted_keys(args, &n);
                for (size_t i = 0; i < n; i++) {
                        strbuf_printf(out, "    %s: ", keys[i]);
                        explain_usage_line(out, json_object_get(args, keys[i]));
                        strbuf_putc(out, '\n');
                        json_int_t runs = trace_runs(t), k = trace_item_seen(json_object_get(args, keys[i]), runs);
                        if (k < runs)
                                strbuf_printf(out, "      seen in %lld of %lld runs — a value some runs did not use\n",
                                              (long long)k, (long long)runs);
                }
                free(keys);
        }
        const char *netop = streq(name, "sendmsg") ? "sendto" : name;
        json_t *net = json_object_get(json_object_get(t->root, "network"), netop);
        if (net && json_object_size(net)) {
                strbuf_printf(out, "  addresses:\n");
                size_t nf;
                const char **fams = trace_sorted_keys(net, &nf);
                for (size_t i = 0; i < nf; i++) {
                        json_t *addrs = json_object_get(net, fams[i]);
                        size_t na;
                        const char **as = trace_sorted_keys(addrs, &na);
                        for (size_t j = 0; j < na; j++) {
                                strbuf_printf(out, "    %s %s\n", fams[i], as[j]);
                                results_map(out, json_object_get(addrs, as[j]), "      ");
                        }
                        free(as);
                }
                free(fams);
        }
        char base[64];
        snprintf(base, sizeof base, "%s", name);
        if (endswith(base, "32"))
                base[strlen(base) - 2] = '\0';
        json_t *cred = json_object_get(json_object_get(t->root, "credentials"), base);
        if (cred && json_object_size(cred)) {
                strbuf_printf(out, "  credential changes:\n");
                size_t n;
                const char **keys = trace_sorted_keys(cred, &n);
                for (size_t i = 0; i < n; i++) {
                        strbuf_printf(out, "    %s(%s)\n", base, keys[i]);
                        results_map(out, json_object_get(cred, keys[i]), "      ");
                }
                free(keys);
        }
        if (streq(name, "ptrace") && json_object_size(json_object_get(t->root, "ptrace"))) {
                json_t *pt = json_object_get(t->root, "ptrace");
                size_t n;
                const char **keys = trace_sorted_keys(pt, &n);
                strbuf_puts(out, "  requests:\n");
                for (size_t i = 0; i < n; i++) {
                        strbuf_printf(out, "    %s\n", keys[i]);
                        results_map(out, json_object_get(pt, keys[i]), "      ");
                }
                free(keys);
        }
        /* Capability reasons this syscall gave. */
        json_t *caps = json_object_get(t->root, "capabilities");
        size_t nc;
        const char **capkeys = trace_sorted_keys(caps, &nc);
        for (size_t i = 0; i < nc; i++) {
                json_t *reasons = json_object_get(caps, capkeys[i]);
                size_t nr;
                const char **rk = trace_sorted_keys(reasons, &nr);
                for (size_t j = 0; j < nr; j++) {
                        json_t *rn = json_object_get(reasons, rk[j]);
                        const char *sc = json_string_value(json_object_get(rn, "syscall"));
                        if (!sc || !streq(sc, base))
                                continue;
                        strbuf_printf(out, "  needs %s: %s\n", capkeys[i], rk[j]);
                        results_map(out, json_object_get(rn, "results"), "    ");
                }
                free(rk);
        }
        free(capkeys);
        return found;
}

static void file_node(strbuf *out, const trace *t, const char *path, const json_t *f)
{
        _cleanup_free_ char *raw = trace_path_decode(path, NULL);
        _cleanup_free_ char *q = raw ? quote_for_message(raw) : xstrdup(path);
        strbuf_printf(out, "path %s", q);
        const char *type = json_string_value(json_object_get(f, "type"));
        if (type)
                strbuf_printf(out, " (%s", type);
        if (json_object_get(f, "uid"))
                strbuf_printf(out, "%sowner %lld:%lld, mode %04llo", type ? ", " : " (",
                              (long long)json_integer_value(json_object_get(f, "uid")),
                              (long long)json_integer_value(json_object_get(f, "gid")),
                              (long long)json_integer_value(json_object_get(f, "mode")));
        if (type || json_object_get(f, "uid"))
                strbuf_putc(out, ')');
        strbuf_putc(out, '\n');
        const char *res = json_string_value(json_object_get(f, "resolved"));
        if (res)
                strbuf_printf(out, "  resolves to: %s\n", res);
        if (json_is_false(json_object_get(f, "by_owner")))
                strbuf_puts(out, "  accessed by a process that does not own it\n");
        seen_line(out, t, f, "  ", "a file some runs did not touch; others may exist");
        json_t *access = json_object_get(f, "access");
        size_t n;
        const char **kinds = trace_sorted_keys(access, &n);
        for (size_t i = 0; i < n; i++) {
                json_t *results = json_object_get(access, kinds[i]);
                size_t m;
                const char **rs = trace_sorted_keys(results, &m);
                for (size_t j = 0; j < m; j++) {
                        strbuf_printf(out, "  %s %s: ", kinds[i], rs[j]);
                        explain_usage_line(out, json_object_get(results, rs[j]));
                        strbuf_putc(out, '\n');
                }
                free(rs);
        }
        free(kinds);
        json_t *stack = json_object_get(f, "stack");
        if (stack) {
                strbuf_puts(out, "  first access:\n");
                explain_stack_lines(out, stack, "    ");
        }
}

static bool explain_path(const trace *t, const char *raw, strbuf *out)
{
        _cleanup_free_ char *enc = trace_path_encode(raw, strlen(raw));
        trace_materialize((trace *)t);
        json_t *files = json_object_get(t->root, "files");
        bool found = false;
        json_t *f = json_object_get(files, enc);
        if (f) {
                file_node(out, t, enc, f);
                found = true;
        }
        /* Paths that lead to it through symlinks. */
        size_t n;
        const char **keys = trace_sorted_keys(files, &n);
        for (size_t i = 0; i < n; i++) {
                const char *res = json_string_value(json_object_get(json_object_get(files, keys[i]), "resolved"));
                if (res && streq(res, enc) && !streq(keys[i], enc)) {
                        strbuf_printf(out, "reached through %s:\n", keys[i]);
                        file_node(out, t, keys[i], json_object_get(files, keys[i]));
                        found = true;
                }
        }
        /* A directory: a summary of what was used below it. */
        if (!found) {
                size_t below = 0, shown = 0;
                size_t len = strlen(enc);
                for (size_t i = 0; i < n; i++) {
                        if (strncmp(keys[i], enc, len) != 0 || (keys[i][len] != '/' && !endswith(enc, "/")))
                                continue;
                        if (below++ == 0)
                                strbuf_printf(out, "below %s:\n", enc);
                        if (shown++ < 50) {
                                json_t *access = json_object_get(json_object_get(files, keys[i]), "access");
                                size_t nk;
                                const char **kinds = trace_sorted_keys(access, &nk);
                                strbuf_printf(out, "  %s:", keys[i]);
                                for (size_t k = 0; k < nk; k++)
                                        strbuf_printf(out, " %s", kinds[k]);
                                strbuf_putc(out, '\n');
                                free(kinds);
                        }
                }
                if (below > shown)
                        strbuf_printf(out, "  ... and %zu more\n", below - shown);
                found = below > 0;
        }
        free(keys);
        /* A unix socket address. */
        json_t *net = json_object_get(t->root, "network");
        const char *op;
        json_t *fams;
        json_object_foreach (net, op, fams) {
                json_t *res = json_object_get(json_object_get(fams, "AF_UNIX"), enc);
                if (!res)
                        continue;
                strbuf_printf(out, "unix socket %s (%s):\n", enc, op);
                results_map(out, res, "  ");
                found = true;
        }
        return found;
}

static bool explain_cap(const trace *t, const char *cap, strbuf *out)
{
        json_t *reasons = json_object_get(json_object_get(t->root, "capabilities"), cap);
        if (!reasons)
                return false;
        bool needed = false;
        size_t n;
        const char **keys = trace_sorted_keys(reasons, &n);
        strbuf_printf(out, "%s:\n", cap);
        for (size_t i = 0; i < n; i++) {
                json_t *rn = json_object_get(reasons, keys[i]);
                strbuf_printf(out, "  %s\n", keys[i]);
                seen_line(out, t, rn, "    ", "needed on a path some runs did not take");
                json_t *results = json_object_get(rn, "results");
                if (json_object_get(results, "ok"))
                        needed = true;
                results_map(out, results, "    ");
                json_t *in = json_object_get(rn, "inputs");
                if (in && json_object_size(in)) {
                        strbuf_puts(out, "    inputs:");
                        size_t m;
                        const char **ik = trace_sorted_keys(in, &m);
                        for (size_t j = 0; j < m; j++) {
                                json_t *v = json_object_get(in, ik[j]);
                                if (json_is_string(v))
                                        strbuf_printf(out, " %s=%s", ik[j], json_string_value(v));
                                else if (json_is_boolean(v))
                                        strbuf_printf(out, " %s=%s", ik[j], json_is_true(v) ? "true" : "false");
                                else
                                        strbuf_printf(out, " %s=%lld", ik[j], (long long)json_integer_value(v));
                        }
                        free(ik);
                        strbuf_putc(out, '\n');
                }
                json_t *stack = json_object_get(rn, "stack");
                if (stack) {
                        strbuf_puts(out, "    stack:\n");
                        explain_stack_lines(out, stack, "      ");
                }
        }
        free(keys);
        strbuf_printf(
                out, "%s %s\n", cap,
                needed ? "is needed: at least one of these calls succeeded with it (caps.txt lists it)"
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
