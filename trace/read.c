/* SPDX-License-Identifier: MIT */
/* The typed read side (read.h) over the JSON tree: the one place besides
 * trace.c and seen.c that spells the schema's keys. */
#include "trace/read.h"

#include <stdlib.h>

#include "trace/seen.h"

/* The handles are nodes of the tree. */
#define USAGE(j)   ((const trace_usage *)(const void *)(j))
#define RESULTS(j) ((const trace_results *)(const void *)(j))
#define STACK(j)   ((const trace_stack *)(const void *)(j))
#define NODE(p)    ((const json_t *)(const void *)(p))

static const json_t *get(const json_t *obj, const char *key)
{
        return json_object_get(obj, key);
}

static const json_t *section(const trace *t, const char *key)
{
        return get(t->root, key);
}

static const char *str_of(const json_t *obj, const char *key)
{
        return json_string_value(get(obj, key));
}

/* Call fn(key, value, ud) for the members of obj in byte order. */
static int each_sorted(const json_t *obj, int (*fn)(const char *key, const json_t *v, void *ud), void *ud)
{
        size_t n;
        _cleanup_free_ const char **keys = trace_sorted_keys(obj, &n);
        for (size_t i = 0; i < n; i++) {
                int r = fn(keys[i], get(obj, keys[i]), ud);
                if (r)
                        return r;
        }
        return 0;
}

/* ------------------------------------------------------------ usage, results, stacks */

json_int_t trace_usage_total(const trace_usage *u)
{
        return trace_usage_count(NODE(u));
}

typedef struct program_it {
        int (*fn)(const trace_program *p, void *ud);
        void *ud;
} program_it;

static int one_program(const char *name, const json_t *v, void *ud)
{
        program_it *it = ud;
        trace_program p = { .program = name,
                            .count = json_integer_value(get(v, "count")),
                            .stack = STACK(get(v, "stack")) };
        return it->fn(&p, it->ud);
}

int trace_foreach_program(const trace_usage *u, int (*fn)(const trace_program *p, void *ud), void *ud)
{
        program_it it = { fn, ud };
        return each_sorted(get(NODE(u), "programs"), one_program, &it);
}

int trace_foreach_program_stored(const trace_usage *u, int (*fn)(const trace_program *p, void *ud), void *ud)
{
        program_it it = { fn, ud };
        const char *name;
        json_t *v;
        json_object_foreach ((json_t *)get(NODE(u), "programs"), name, v) {
                int r = one_program(name, v, &it);
                if (r)
                        return r;
        }
        return 0;
}

const char **trace_usage_programs(const trace_usage *u, size_t *ret_n)
{
        return trace_sorted_keys(get(NODE(u), "programs"), ret_n);
}

const trace_usage *trace_result(const trace_results *r, const char *result)
{
        return USAGE(get(NODE(r), result));
}

json_int_t trace_result_count(const trace_results *r, const char *result)
{
        const trace_usage *u = trace_result(r, result);
        return u ? trace_usage_total(u) : 0;
}

typedef struct result_it {
        int (*fn)(const char *result, const trace_usage *u, void *ud);
        void *ud;
} result_it;

static int one_result(const char *key, const json_t *v, void *ud)
{
        result_it *it = ud;
        return it->fn(key, USAGE(v), it->ud);
}

int trace_foreach_result(const trace_results *r, int (*fn)(const char *result, const trace_usage *u, void *ud),
                         void *ud)
{
        result_it it = { fn, ud };
        return each_sorted(NODE(r), one_result, &it);
}

bool trace_results_any(const trace_results *r)
{
        return json_object_size(NODE(r)) > 0;
}

const char **trace_result_names(const trace_results *r, size_t *ret_n)
{
        return trace_sorted_keys(NODE(r), ret_n);
}

int trace_foreach_frame(const trace_stack *s, int (*fn)(size_t index, const trace_frame *f, void *ud), void *ud)
{
        size_t i;
        json_t *fr;
        json_array_foreach (NODE(s), i, fr) {
                trace_frame f = { .function = str_of(fr, "function"),
                                  .module = str_of(fr, "module"),
                                  .offset = json_integer_value(get(fr, "offset")),
                                  .ip = json_integer_value(get(fr, "ip")) };
                int r = fn(i, &f, ud);
                if (r)
                        return r;
        }
        return 0;
}

/* ------------------------------------------------------------ syscalls */

static void syscall_fill(trace_syscall *s, trace_abi abi, const char *name, const json_t *node, json_int_t runs)
{
        *s = (trace_syscall){ .abi = abi,
                              .name = name,
                              .usage = USAGE(node),
                              .count = trace_usage_count(node),
                              .first = str_of(node, "first"),
                              .seen = trace_item_seen(node, runs),
                              .priv = node };
}

typedef struct syscall_it {
        trace_abi abi;
        json_int_t runs;
        int (*fn)(const trace_syscall *s, void *ud);
        void *ud;
} syscall_it;

static int one_syscall(const char *name, const json_t *node, void *ud)
{
        syscall_it *it = ud;
        trace_syscall s;
        syscall_fill(&s, it->abi, name, node, it->runs);
        return it->fn(&s, it->ud);
}

static const json_t *abi_calls(const trace *t, const char *sec, trace_abi abi)
{
        return get(section(t, sec), trace_abi_name(abi));
}

int trace_foreach_syscall(const trace *t, trace_abi abi, int (*fn)(const trace_syscall *s, void *ud), void *ud)
{
        syscall_it it = { abi, trace_runs(t), fn, ud };
        return each_sorted(abi_calls(t, "syscalls", abi), one_syscall, &it);
}

int trace_foreach_unknown_syscall(const trace *t, trace_abi abi, int (*fn)(const trace_syscall *s, void *ud), void *ud)
{
        syscall_it it = { abi, trace_runs(t), fn, ud };
        return each_sorted(abi_calls(t, "unknown_syscalls", abi), one_syscall, &it);
}

bool trace_syscall_get(const trace *t, trace_abi abi, const char *name, trace_syscall *ret)
{
        /* the key as the trace holds it: the item's name outlives `name` */
        void *iter = json_object_iter_at((json_t *)abi_calls(t, "syscalls", abi), name);
        if (!iter)
                return false;
        syscall_fill(ret, abi, json_object_iter_key(iter), json_object_iter_value(iter), trace_runs(t));
        return true;
}

bool trace_has_syscall(const trace *t, trace_abi abi, const char *name)
{
        return get(abi_calls(t, "syscalls", abi), name) != NULL;
}

bool trace_has_syscall_any_abi(const trace *t, const char *name)
{
        for (int abi = 0; abi < _TRACE_ABI_MAX; abi++)
                if (trace_has_syscall(t, (trace_abi)abi, name))
                        return true;
        return false;
}

size_t trace_syscall_count(const trace *t, trace_abi abi)
{
        return json_object_size(abi_calls(t, "syscalls", abi));
}

size_t trace_unknown_syscall_count(const trace *t, trace_abi abi)
{
        return json_object_size(abi_calls(t, "unknown_syscalls", abi));
}

typedef struct count_it {
        int (*fn)(const char *result, json_int_t count, void *ud);
        void *ud;
} count_it;

static int one_count(const char *key, const json_t *v, void *ud)
{
        count_it *it = ud;
        return it->fn(key, json_integer_value(v), it->ud);
}

int trace_syscall_foreach_result(const trace_syscall *s, int (*fn)(const char *result, json_int_t count, void *ud),
                                 void *ud)
{
        count_it it = { fn, ud };
        return each_sorted(get(NODE(s->priv), "results"), one_count, &it);
}

/* ------------------------------------------------------------ arguments */

typedef struct group_it {
        const char *kind;
        json_int_t runs;
        int (*fn)(const trace_arg_group *g, void *ud);
        void *ud;
} group_it;

static int one_group(const char *key, const json_t *node, void *ud)
{
        group_it *it = ud;
        const json_t *values = get(node, "values");
        trace_arg_group g = { .kind = it->kind,
                              .key = key,
                              .usage = USAGE(node),
                              .nvalues = json_array_size(values),
                              .seen = trace_item_seen(node, it->runs),
                              .priv = values };
        return it->fn(&g, it->ud);
}

static int one_kind(const char *kind, const json_t *groups, void *ud)
{
        group_it *it = ud;
        it->kind = kind;
        return each_sorted(groups, one_group, it);
}

int trace_foreach_arg_group(const trace *t, const char *kind, int (*fn)(const trace_arg_group *g, void *ud), void *ud)
{
        group_it it = { kind, trace_runs(t), fn, ud };
        const json_t *args = section(t, "arguments");
        if (!kind)
                return each_sorted(args, one_kind, &it);
        return each_sorted(get(args, kind), one_group, &it);
}

bool trace_arg_value(const trace_arg_group *g, size_t index, json_int_t *ret)
{
        const json_t *v = json_array_get(NODE(g->priv), index);
        if (!json_is_integer(v))
                return false;
        *ret = json_integer_value(v);
        return true;
}

size_t trace_arg_group_count(const trace *t, const char *kind)
{
        return json_object_size(get(section(t, "arguments"), kind));
}

bool trace_has_arg_group(const trace *t, const char *kind, const char *key)
{
        return get(get(section(t, "arguments"), kind), key) != NULL;
}

/* ------------------------------------------------------------ files */

static void stat_fill(trace_stat *s, const json_t *node)
{
        const json_t *uid = get(node, "uid"), *gid = get(node, "gid"), *mode = get(node, "mode");
        *s = (trace_stat){ .type = str_of(node, "type"),
                           .has_uid = uid != NULL,
                           .has_gid = gid != NULL,
                           .has_mode = mode != NULL,
                           .uid = json_integer_value(uid),
                           .gid = json_integer_value(gid),
                           .mode = json_integer_value(mode) };
}

static void file_fill(trace_file *f, const char *path, const json_t *node, json_int_t runs)
{
        const json_t *target = get(node, "target"), *by_owner = get(node, "by_owner");
        *f = (trace_file){ .path = path,
                           .resolved = str_of(node, "resolved"),
                           .has_target = target != NULL,
                           .by_owner = json_is_true(by_owner),
                           .by_owner_known = json_is_boolean(by_owner),
                           .private_new = json_is_true(get(node, "private_new")),
                           .stack = STACK(get(node, "stack")),
                           .seen = trace_item_seen(node, runs),
                           .priv = node };
        stat_fill(&f->stat, node);
        if (target)
                stat_fill(&f->target, target);
}

typedef struct file_it {
        json_int_t runs;
        int (*fn)(const trace_file *f, void *ud);
        void *ud;
} file_it;

static int one_file(const char *path, const json_t *node, void *ud)
{
        file_it *it = ud;
        trace_file f;
        file_fill(&f, path, node, it->runs);
        return it->fn(&f, it->ud);
}

int trace_foreach_file(const trace *t, int (*fn)(const trace_file *f, void *ud), void *ud)
{
        file_it it = { trace_runs(t), fn, ud };
        return each_sorted(section(t, "files"), one_file, &it);
}

bool trace_file_get(const trace *t, const char *path, trace_file *ret)
{
        /* the key as the trace holds it: the item's path outlives `path` */
        void *iter = json_object_iter_at((json_t *)section(t, "files"), path);
        if (!iter)
                return false;
        file_fill(ret, json_object_iter_key(iter), json_object_iter_value(iter), trace_runs(t));
        return true;
}

size_t trace_file_count(const trace *t)
{
        return trace_section_size(t, "files");
}

const trace_results *trace_file_results(const trace_file *f, const char *kind)
{
        return RESULTS(get(get(NODE(f->priv), "access"), kind));
}

bool trace_file_ok(const trace_file *f, const char *kind)
{
        return trace_result_count(trace_file_results(f, kind), "ok") > 0;
}

typedef struct kind_it {
        int (*fn)(const char *kind, const trace_results *r, void *ud);
        void *ud;
} kind_it;

static int one_access_kind(const char *kind, const json_t *v, void *ud)
{
        kind_it *it = ud;
        return it->fn(kind, RESULTS(v), it->ud);
}

int trace_file_foreach_kind(const trace_file *f, int (*fn)(const char *kind, const trace_results *r, void *ud),
                            void *ud)
{
        kind_it it = { fn, ud };
        return each_sorted(get(NODE(f->priv), "access"), one_access_kind, &it);
}

typedef struct access_it {
        const trace_file *file;
        const char *kind;
        int (*fn)(const trace_file_access *a, void *ud);
        void *ud;
} access_it;

static int one_access(const char *result, const trace_usage *u, void *ud)
{
        access_it *it = ud;
        trace_file_access a = { .path = it->file->path,
                                .file = it->file,
                                .kind = it->kind,
                                .result = result,
                                .usage = u,
                                .count = trace_usage_total(u) };
        return it->fn(&a, it->ud);
}

static int file_kind_accesses(const char *kind, const trace_results *r, void *ud)
{
        access_it *it = ud;
        it->kind = kind;
        return trace_foreach_result(r, one_access, it);
}

static int file_accesses(const trace_file *f, void *ud)
{
        access_it *it = ud;
        it->file = f;
        return trace_file_foreach_kind(f, file_kind_accesses, it);
}

int trace_foreach_file_access(const trace *t, int (*fn)(const trace_file_access *a, void *ud), void *ud)
{
        access_it it = { .fn = fn, .ud = ud };
        return trace_foreach_file(t, file_accesses, &it);
}

/* ------------------------------------------------------------ network, credentials, signals, ptrace */

typedef struct endpoint_it {
        trace_endpoint e;
        const char *family; /* the filter */
        int (*fn)(const trace_endpoint *e, void *ud);
        void *ud;
} endpoint_it;

static int one_address(const char *address, const json_t *results, void *ud)
{
        endpoint_it *it = ud;
        it->e.address = address;
        it->e.results = RESULTS(results);
        return it->fn(&it->e, it->ud);
}

static int one_family(const char *family, const json_t *addrs, void *ud)
{
        endpoint_it *it = ud;
        it->e.family = family;
        return each_sorted(addrs, one_address, it);
}

static int one_op(const char *op, const json_t *families, void *ud)
{
        endpoint_it *it = ud;
        it->e.op = op;
        if (it->family)
                return one_family(it->family, get(families, it->family), it);
        return each_sorted(families, one_family, it);
}

int trace_foreach_endpoint(const trace *t, const char *op, const char *family,
                           int (*fn)(const trace_endpoint *e, void *ud), void *ud)
{
        endpoint_it it = { .family = family, .fn = fn, .ud = ud };
        const json_t *net = section(t, "network");
        if (op)
                return one_op(op, get(net, op), &it);
        return each_sorted(net, one_op, &it);
}

const trace_results *trace_endpoint_results(const trace *t, const char *op, const char *family, const char *address)
{
        return RESULTS(get(get(get(section(t, "network"), op), family), address));
}

typedef struct cred_it {
        trace_cred_change c;
        int (*fn)(const trace_cred_change *c, void *ud);
        void *ud;
} cred_it;

static int one_cred_args(const char *args, const json_t *results, void *ud)
{
        cred_it *it = ud;
        it->c.args = args;
        it->c.results = RESULTS(results);
        return it->fn(&it->c, it->ud);
}

static int one_cred_call(const char *syscall, const json_t *byargs, void *ud)
{
        cred_it *it = ud;
        it->c.syscall = syscall;
        return each_sorted(byargs, one_cred_args, it);
}

int trace_foreach_cred_change(const trace *t, const char *syscall, int (*fn)(const trace_cred_change *c, void *ud),
                              void *ud)
{
        cred_it it = { .fn = fn, .ud = ud };
        const json_t *creds = section(t, "credentials");
        if (syscall)
                return one_cred_call(syscall, get(creds, syscall), &it);
        return each_sorted(creds, one_cred_call, &it);
}

bool trace_has_cred_change(const trace *t, const char *syscall, const char *args)
{
        return get(get(section(t, "credentials"), syscall), args) != NULL;
}

typedef struct signal_it {
        trace_signal s;
        int (*fn)(const trace_signal *s, void *ud);
        void *ud;
} signal_it;

static int one_target(const char *target, const json_t *results, void *ud)
{
        signal_it *it = ud;
        it->s.target = target;
        it->s.results = RESULTS(results);
        return it->fn(&it->s, it->ud);
}

static int one_signal(const char *sig, const json_t *targets, void *ud)
{
        signal_it *it = ud;
        it->s.signal = sig;
        return each_sorted(targets, one_target, it);
}

int trace_foreach_signal(const trace *t, int (*fn)(const trace_signal *s, void *ud), void *ud)
{
        signal_it it = { .fn = fn, .ud = ud };
        return each_sorted(section(t, "signals"), one_signal, &it);
}

typedef struct ptrace_it {
        int (*fn)(const trace_ptrace_request *p, void *ud);
        void *ud;
} ptrace_it;

static int one_request(const char *request, const json_t *results, void *ud)
{
        ptrace_it *it = ud;
        trace_ptrace_request p = { .request = request, .results = RESULTS(results) };
        return it->fn(&p, it->ud);
}

int trace_foreach_ptrace_request(const trace *t, int (*fn)(const trace_ptrace_request *p, void *ud), void *ud)
{
        ptrace_it it = { fn, ud };
        return each_sorted(section(t, "ptrace"), one_request, &it);
}

/* ------------------------------------------------------------ capabilities */

static void reason_fill(trace_cap_reason *cr, const char *cap, const char *reason, const json_t *node, json_int_t runs)
{
        const json_t *results = get(node, "results");
        *cr = (trace_cap_reason){ .cap = cap,
                                  .reason = reason,
                                  .syscall = str_of(node, "syscall"),
                                  .object = str_of(node, "object"),
                                  .results = RESULTS(results),
                                  .stack = STACK(get(node, "stack")),
                                  .preexisting = json_is_true(get(node, "preexisting")),
                                  .seen = trace_item_seen(node, runs),
                                  .priv = node };
        const char *res;
        json_t *u;
        json_object_foreach ((json_t *)results, res, u) {
                json_int_t *sum = &cr->other;
                if (streq(res, "ok"))
                        sum = &cr->ok;
                else if (streq(res, "EPERM") || streq(res, "EACCES"))
                        sum = &cr->denied;
                *sum = trace_count_add(*sum, trace_usage_count(u));
        }
}

typedef struct reason_it {
        const char *cap;
        json_int_t runs;
        int (*fn)(const trace_cap_reason *r, void *ud);
        void *ud;
} reason_it;

static int one_reason(const char *reason, const json_t *node, void *ud)
{
        reason_it *it = ud;
        trace_cap_reason cr;
        reason_fill(&cr, it->cap, reason, node, it->runs);
        return it->fn(&cr, it->ud);
}

static int one_cap(const char *cap, const json_t *reasons, void *ud)
{
        reason_it *it = ud;
        it->cap = cap;
        return each_sorted(reasons, one_reason, it);
}

int trace_foreach_cap_reason(const trace *t, const char *cap, int (*fn)(const trace_cap_reason *r, void *ud), void *ud)
{
        reason_it it = { .runs = trace_runs(t), .fn = fn, .ud = ud };
        const json_t *caps = section(t, "capabilities");
        if (!cap)
                return each_sorted(caps, one_cap, &it);
        /* the name as the trace holds it: the item's cap outlives `cap` */
        const char *key = json_object_iter_key(json_object_iter_at((json_t *)caps, cap));
        return key ? one_cap(key, get(caps, key), &it) : 0;
}

bool trace_cap_reason_get(const trace *t, const char *cap, const char *reason, trace_cap_reason *ret)
{
        void *citer = json_object_iter_at((json_t *)section(t, "capabilities"), cap);
        void *iter = citer ? json_object_iter_at(json_object_iter_value(citer), reason) : NULL;
        if (!iter)
                return false;
        reason_fill(ret, json_object_iter_key(citer), json_object_iter_key(iter), json_object_iter_value(iter),
                    trace_runs(t));
        return true;
}

bool trace_has_cap(const trace *t, const char *cap)
{
        return get(section(t, "capabilities"), cap) != NULL;
}

typedef struct input_it {
        int (*fn)(const trace_input *in, void *ud);
        void *ud;
} input_it;

static int one_input(const char *name, const json_t *v, void *ud)
{
        input_it *it = ud;
        trace_input in = { .name = name };
        if (json_is_string(v)) {
                in.type = TRACE_INPUT_STRING;
                in.string = json_string_value(v);
        } else if (json_is_boolean(v)) {
                in.type = TRACE_INPUT_BOOL;
                in.boolean = json_is_true(v);
        } else {
                in.type = TRACE_INPUT_NUMBER;
                in.number = json_integer_value(v);
        }
        return it->fn(&in, it->ud);
}

int trace_foreach_cap_input(const trace_cap_reason *r, int (*fn)(const trace_input *in, void *ud), void *ud)
{
        input_it it = { fn, ud };
        return each_sorted(get(NODE(r->priv), "inputs"), one_input, &it);
}

json_int_t trace_cap_input_int(const trace_cap_reason *r, const char *name, json_int_t dflt)
{
        const json_t *v = get(get(NODE(r->priv), "inputs"), name);
        return json_is_integer(v) ? json_integer_value(v) : dflt;
}

/* ------------------------------------------------------------ runs, resources, io_uring */

int trace_foreach_run(const trace *t, int (*fn)(const trace_run *r, void *ud), void *ud)
{
        size_t i;
        json_t *node;
        json_array_foreach (section(t, "runs"), i, node) {
                const json_t *ex = get(node, "exit"), *cmd = get(node, "command"), *c = get(node, "credentials");
                const json_t *uid = get(c, "uid"), *euid = get(c, "euid"), *gid = get(c, "gid");
                trace_run run = { .index = i,
                                  .program = json_string_value(json_array_get(cmd, 0)),
                                  .ncommand = json_array_size(cmd),
                                  .has_exit = ex != NULL,
                                  .status = (int)json_integer_value(get(ex, "status")),
                                  .signal = str_of(ex, "signal"),
                                  .mode = str_of(node, "mode"),
                                  .no_new_privs = json_is_true(get(node, "no_new_privs")),
                                  .has_credentials = c != NULL,
                                  .uid = json_is_integer(uid) ? json_integer_value(uid) : -1,
                                  .euid = json_is_integer(euid) ? json_integer_value(euid) : -1,
                                  .gid = json_is_integer(gid) ? json_integer_value(gid) : -1,
                                  .recorder = str_of(node, "recorder"),
                                  .started = str_of(node, "started"),
                                  .finished = str_of(node, "finished"),
                                  .host = str_of(node, "host"),
                                  .kernel = str_of(node, "kernel"),
                                  .npids = json_array_size(get(node, "pids")),
                                  .priv = node };
                int r = fn(&run, ud);
                if (r)
                        return r;
        }
        return 0;
}

const char *trace_run_word(const trace_run *r, size_t i)
{
        return json_string_value(json_array_get(get(NODE(r->priv), "command"), i));
}

json_int_t trace_run_pid(const trace_run *r, size_t i)
{
        return json_integer_value(json_array_get(get(NODE(r->priv), "pids"), i));
}

static json_int_t peak(const json_t *res, const char *key)
{
        const json_t *v = get(res, key);
        return json_is_integer(v) ? json_integer_value(v) : -1;
}

void trace_resources_get(const trace *t, trace_resources *ret)
{
        const json_t *res = section(t, "resources");
        *ret = (trace_resources){ .max_rss_kib = peak(res, "max_rss_kib"),
                                  .sum_rss_kib = peak(res, "sum_rss_kib"),
                                  .cpu_ms = peak(res, "cpu_ms"),
                                  .max_processes = peak(res, "max_processes"),
                                  .max_threads = peak(res, "max_threads"),
                                  .max_fds = peak(res, "max_fds"),
                                  .processes = peak(res, "processes") };
}

static const json_t *uring(const trace *t, const char *key)
{
        return get(section(t, "io_uring"), key);
}

bool trace_uses_uring(const trace *t)
{
        return json_object_size(uring(t, "rings")) || json_object_size(uring(t, "unrecordable"));
}

typedef struct ring_it {
        int (*fn)(const char *ring, const trace_usage *setups, void *ud);
        void *ud;
} ring_it;

static int one_ring(const char *ring, const json_t *node, void *ud)
{
        ring_it *it = ud;
        return it->fn(ring, USAGE(node), it->ud);
}

int trace_foreach_uring_ring(const trace *t, int (*fn)(const char *ring, const trace_usage *setups, void *ud), void *ud)
{
        ring_it it = { fn, ud };
        return each_sorted(uring(t, "rings"), one_ring, &it);
}

typedef struct op_it {
        trace_uring_op op;
        int (*fn)(const trace_uring_op *op, void *ud);
        void *ud;
} op_it;

static int one_opcode(const char *opcode, const json_t *u, void *ud)
{
        op_it *it = ud;
        it->op.opcode = opcode;
        it->op.usage = USAGE(u);
        it->op.count = trace_usage_count(u);
        return it->fn(&it->op, it->ud);
}

static int ring_opcodes(const char *ring, const json_t *node, void *ud)
{
        op_it *it = ud;
        it->op.ring = ring;
        return each_sorted(get(node, "opcodes"), one_opcode, it);
}

int trace_foreach_uring_op(const trace *t, int (*fn)(const trace_uring_op *op, void *ud), void *ud)
{
        op_it it = { .fn = fn, .ud = ud };
        return each_sorted(uring(t, "rings"), ring_opcodes, &it);
}

int trace_foreach_uring_unrecordable(const trace *t, int (*fn)(const char *reason, const trace_usage *u, void *ud),
                                     void *ud)
{
        ring_it it = { fn, ud };
        return each_sorted(uring(t, "unrecordable"), one_ring, &it);
}

/* ------------------------------------------------------------ documents */

bool trace_json_names_format(const json_t *root)
{
        return json_is_object(root) && get(root, "format") != NULL;
}
