/* SPDX-License-Identifier: MIT */
#include "trace/read.h"

#include <stdlib.h>

int trace_foreach_syscall(const trace *t, trace_abi abi, int (*fn)(const trace_syscall *s, void *ud), void *ud)
{
        const json_t *calls = json_object_get(json_object_get(t->root, "syscalls"), trace_abi_name(abi));
        size_t n;
        _cleanup_free_ const char **keys = trace_sorted_keys(calls, &n);
        for (size_t i = 0; i < n; i++) {
                const json_t *node = json_object_get(calls, keys[i]);
                trace_syscall s = { .abi = abi, .name = keys[i], .node = node, .count = trace_usage_count(node) };
                int r = fn(&s, ud);
                if (r)
                        return r;
        }
        return 0;
}

bool trace_has_syscall(const trace *t, trace_abi abi, const char *name)
{
        return json_object_get(json_object_get(json_object_get(t->root, "syscalls"), trace_abi_name(abi)), name);
}

int trace_foreach_arg_group(const trace *t, const char *kind, int (*fn)(const trace_arg_group *g, void *ud), void *ud)
{
        const json_t *groups = json_object_get(json_object_get(t->root, "arguments"), kind);
        size_t n;
        _cleanup_free_ const char **keys = trace_sorted_keys(groups, &n);
        for (size_t i = 0; i < n; i++) {
                const json_t *node = json_object_get(groups, keys[i]);
                trace_arg_group g = {
                        .kind = kind, .key = keys[i], .values = json_object_get(node, "values"), .node = node
                };
                int r = fn(&g, ud);
                if (r)
                        return r;
        }
        return 0;
}

bool trace_arg_value(const trace_arg_group *g, size_t index, json_int_t *ret)
{
        const json_t *v = json_array_get(g->values, index);
        if (!json_is_integer(v))
                return false;
        *ret = json_integer_value(v);
        return true;
}

int trace_foreach_file_access(const trace *t, int (*fn)(const trace_file_access *a, void *ud), void *ud)
{
        const json_t *files = json_object_get(t->root, "files");
        size_t nf;
        _cleanup_free_ const char **paths = trace_sorted_keys(files, &nf);
        for (size_t i = 0; i < nf; i++) {
                const json_t *file = json_object_get(files, paths[i]);
                const json_t *access = json_object_get(file, "access");
                size_t nk;
                _cleanup_free_ const char **kinds = trace_sorted_keys(access, &nk);
                for (size_t k = 0; k < nk; k++) {
                        const json_t *results = json_object_get(access, kinds[k]);
                        size_t nr;
                        _cleanup_free_ const char **res = trace_sorted_keys(results, &nr);
                        for (size_t j = 0; j < nr; j++) {
                                const json_t *usage = json_object_get(results, res[j]);
                                trace_file_access a = { .path = paths[i],
                                                        .file = file,
                                                        .type = json_string_value(json_object_get(file, "type")),
                                                        .kind = kinds[k],
                                                        .result = res[j],
                                                        .usage = usage,
                                                        .count = trace_usage_count(usage) };
                                int r = fn(&a, ud);
                                if (r)
                                        return r;
                        }
                }
        }
        return 0;
}

int trace_foreach_endpoint(const trace *t, int (*fn)(const trace_endpoint *e, void *ud), void *ud)
{
        const json_t *net = json_object_get(t->root, "network");
        size_t no;
        _cleanup_free_ const char **ops = trace_sorted_keys(net, &no);
        for (size_t i = 0; i < no; i++) {
                const json_t *fams = json_object_get(net, ops[i]);
                size_t nf;
                _cleanup_free_ const char **fam = trace_sorted_keys(fams, &nf);
                for (size_t j = 0; j < nf; j++) {
                        const json_t *addrs = json_object_get(fams, fam[j]);
                        size_t na;
                        _cleanup_free_ const char **addr = trace_sorted_keys(addrs, &na);
                        for (size_t k = 0; k < na; k++) {
                                const json_t *results = json_object_get(addrs, addr[k]);
                                size_t nr;
                                _cleanup_free_ const char **res = trace_sorted_keys(results, &nr);
                                for (size_t l = 0; l < nr; l++) {
                                        trace_endpoint e = { .operation = ops[i],
                                                             .family = fam[j],
                                                             .address = addr[k],
                                                             .result = res[l],
                                                             .usage = json_object_get(results, res[l]) };
                                        int r = fn(&e, ud);
                                        if (r)
                                                return r;
                                }
                        }
                }
        }
        return 0;
}

int trace_foreach_cap_reason(const trace *t, int (*fn)(const trace_cap_reason *r, void *ud), void *ud)
{
        const json_t *caps = json_object_get(t->root, "capabilities");
        size_t nc;
        _cleanup_free_ const char **names = trace_sorted_keys(caps, &nc);
        for (size_t i = 0; i < nc; i++) {
                const json_t *reasons = json_object_get(caps, names[i]);
                size_t nr;
                _cleanup_free_ const char **texts = trace_sorted_keys(reasons, &nr);
                for (size_t j = 0; j < nr; j++) {
                        const json_t *node = json_object_get(reasons, texts[j]);
                        trace_cap_reason cr = { .cap = names[i],
                                                .reason = texts[j],
                                                .node = node,
                                                .preexisting = json_is_true(json_object_get(node, "preexisting")) };
                        const char *res;
                        json_t *u;
                        json_object_foreach (json_object_get(node, "results"), res, u) {
                                if (streq(res, "ok"))
                                        cr.ok += trace_usage_count(u);
                                else if (streq(res, "EPERM") || streq(res, "EACCES"))
                                        cr.denied += trace_usage_count(u);
                                else
                                        cr.other += trace_usage_count(u);
                        }
                        int r = fn(&cr, ud);
                        if (r)
                                return r;
                }
        }
        return 0;
}

int trace_foreach_run(const trace *t, int (*fn)(const trace_run *r, void *ud), void *ud)
{
        size_t i;
        json_t *node;
        json_array_foreach (json_object_get(t->root, "runs"), i, node) {
                const json_t *ex = json_object_get(node, "exit");
                const json_t *cred = json_object_get(node, "credentials");
                trace_run run = { .index = i,
                                  .node = node,
                                  .program = json_string_value(json_array_get(json_object_get(node, "command"), 0)),
                                  .status = (int)json_integer_value(json_object_get(ex, "status")),
                                  .signal = json_string_value(json_object_get(ex, "signal")),
                                  .command = json_object_get(node, "command"),
                                  .uid = cred ? json_integer_value(json_object_get(cred, "uid")) : -1,
                                  .gid = cred ? json_integer_value(json_object_get(cred, "gid")) : -1 };
                int r = fn(&run, ud);
                if (r)
                        return r;
        }
        return 0;
}
