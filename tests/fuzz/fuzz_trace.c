/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the trace loader (parse + validate), then what every
 * reader does with a loaded trace: walk it through every iterator of the
 * read side, merge it (with itself), dump it and load the dump back (which
 * must succeed and give the same bytes). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trace/read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Touch every string and number an item offers. */
static size_t sink;

static void touch(const char *s)
{
        sink += s ? strlen(s) : 1;
}

static int on_frame(size_t i, const trace_frame *f, void *ud)
{
        touch(f->function), touch(f->module);
        sink += (size_t)f->offset + (size_t)f->ip;
        return 0;
}

static int on_program(const trace_program *p, void *ud)
{
        touch(p->program);
        sink += (size_t)p->count;
        return trace_foreach_frame(p->stack, on_frame, NULL);
}

static void usage(const trace_usage *u)
{
        sink += (size_t)trace_usage_total(u);
        trace_foreach_program(u, on_program, NULL);
        trace_foreach_program_stored(u, on_program, NULL);
}

static int on_result(const char *result, const trace_usage *u, void *ud)
{
        touch(result);
        usage(u);
        return 0;
}

static int on_count(const char *result, json_int_t count, void *ud)
{
        touch(result);
        sink += (size_t)count;
        return 0;
}

static int on_syscall(const trace_syscall *s, void *ud)
{
        touch(s->name), touch(s->first);
        usage(s->usage);
        return trace_syscall_foreach_result(s, on_count, NULL);
}

static int on_group(const trace_arg_group *g, void *ud)
{
        touch(g->kind), touch(g->key);
        usage(g->usage);
        for (size_t i = 0; i <= g->nvalues; i++) {
                json_int_t v = 0;
                sink += trace_arg_value(g, i, &v) + (size_t)v;
        }
        return 0;
}

static int on_kind(const char *kind, const trace_results *r, void *ud)
{
        touch(kind);
        return trace_foreach_result(r, on_result, NULL);
}

static int on_file(const trace_file *f, void *ud)
{
        touch(f->path), touch(f->resolved), touch(f->stat.type), touch(f->target.type);
        sink += (size_t)f->stat.uid + (size_t)f->stat.mode + (size_t)f->target.gid + (size_t)f->seen +
                trace_file_ok(f, "read");
        trace_foreach_frame(f->stack, on_frame, NULL);
        return trace_file_foreach_kind(f, on_kind, NULL);
}

static int on_endpoint(const trace_endpoint *e, void *ud)
{
        touch(e->op), touch(e->family), touch(e->address);
        return trace_foreach_result(e->results, on_result, NULL);
}

static int on_cred(const trace_cred_change *c, void *ud)
{
        touch(c->syscall), touch(c->args);
        return trace_foreach_result(c->results, on_result, NULL);
}

static int on_signal(const trace_signal *s, void *ud)
{
        touch(s->signal), touch(s->target);
        return trace_foreach_result(s->results, on_result, NULL);
}

static int on_request(const trace_ptrace_request *p, void *ud)
{
        touch(p->request);
        return trace_foreach_result(p->results, on_result, NULL);
}

static int on_input(const trace_input *in, void *ud)
{
        touch(in->name), touch(in->string);
        sink += (size_t)in->number + in->boolean;
        return 0;
}

static int on_reason(const trace_cap_reason *r, void *ud)
{
        touch(r->cap), touch(r->reason), touch(r->syscall), touch(r->object);
        sink += (size_t)r->ok + (size_t)r->denied + (size_t)r->other +
                (size_t)trace_cap_input_int(r, TRACE_INPUT_NEW_UID, -1);
        trace_foreach_frame(r->stack, on_frame, NULL);
        trace_foreach_cap_input(r, on_input, NULL);
        return trace_foreach_result(r->results, on_result, NULL);
}

static int on_run(const trace_run *r, void *ud)
{
        touch(r->program), touch(r->signal), touch(r->mode), touch(r->recorder), touch(r->host);
        for (size_t i = 0; i <= r->ncommand; i++)
                touch(trace_run_word(r, i));
        for (size_t i = 0; i <= r->npids; i++)
                sink += (size_t)trace_run_pid(r, i);
        return 0;
}

static int on_ring(const char *ring, const trace_usage *u, void *ud)
{
        touch(ring);
        usage(u);
        return 0;
}

static int on_op(const trace_uring_op *op, void *ud)
{
        touch(op->ring), touch(op->opcode);
        usage(op->usage);
        return 0;
}

static void read_all(const trace *t)
{
        for (int abi = 0; abi < _TRACE_ABI_MAX; abi++) {
                trace_foreach_syscall(t, abi, on_syscall, NULL);
                trace_foreach_unknown_syscall(t, abi, on_syscall, NULL);
        }
        trace_foreach_arg_group(t, NULL, on_group, NULL);
        trace_foreach_file(t, on_file, NULL);
        trace_foreach_endpoint(t, NULL, NULL, on_endpoint, NULL);
        trace_foreach_cred_change(t, NULL, on_cred, NULL);
        trace_foreach_signal(t, on_signal, NULL);
        trace_foreach_ptrace_request(t, on_request, NULL);
        trace_foreach_cap_reason(t, NULL, on_reason, NULL);
        trace_foreach_run(t, on_run, NULL);
        trace_foreach_uring_ring(t, on_ring, NULL);
        trace_foreach_uring_op(t, on_op, NULL);
        trace_foreach_uring_unrecordable(t, on_ring, NULL);
        trace_resources res;
        trace_resources_get(t, &res);
        sink += (size_t)res.max_rss_kib + (size_t)res.processes;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        trace *t = NULL;
        mp_error err = { 0 };
        if (trace_load_buffer((const char *)data, size, "fuzz", &t, &err) < 0)
                return 0;
        read_all(t);
        trace *m = trace_new();
        trace_merge(m, t);
        trace_merge(m, t);
        char *s = trace_dumps(t);
        trace *back = NULL;
        if (trace_load_buffer(s, strlen(s), "dump", &back, &err) < 0)
                abort(); /* a loaded trace must dump to a loadable one */
        char *s2 = trace_dumps(back);
        if (strcmp(s, s2) != 0)
                abort(); /* and the dump must be canonical */
        free(s);
        free(s2);
        trace_free(back);
        trace_free(m);
        trace_free(t);
        return 0;
}
