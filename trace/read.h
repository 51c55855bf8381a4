/* SPDX-License-Identifier: MIT */
/* The typed read side of the trace: what the generators, the policy
 * readers, the review commands, the report and the analysis iterate over
 * (syscalls per ABI, argument groups, file accesses with their results,
 * network endpoints, credential changes, signals, capability reasons,
 * programs and their stacks, runs, resources, io_uring) without spelling
 * the storage format's keys. JSON stays the storage format
 * (docs/trace-format.md); the schema's key names live in trace/ only, and
 * ctest lint.trace-keys refuses a read of one anywhere else but the tracer.
 *
 * Every iterator calls fn once per item in sorted (byte) order, so output
 * built from it is deterministic (runs come in the trace's order, which a
 * merge sorts; trace_foreach_program_stored says its own). The item and
 * what it points to are borrowed from the trace and valid while the trace
 * lives and is not changed. A non-zero return of fn stops the iteration
 * and is returned; otherwise 0.
 * A section the trace lacks is empty. The streamed files section of a
 * trace being recorded is not visited: trace_materialize() first. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "trace/trace.h"

/* ------------------------------------------------------------ handles
 * Parts of the trace the items point to, read only through the functions
 * below. NULL stands for an empty one everywhere. */
typedef struct trace_usage trace_usage;     /* which programs did it, how often */
typedef struct trace_results trace_results; /* outcome ("ok" or an errno name) -> usage */
typedef struct trace_stack trace_stack;     /* a user-space stack, innermost frame first */

/* Calls over every program of a usage. */
json_int_t trace_usage_total(const trace_usage *u);

/* One program of a usage: the executable after execve, encoded as paths
 * are (trace_path_decode), or a marker such as "kernel:counted". */
typedef struct trace_program {
        const char *program;
        json_int_t count;
        const trace_stack *stack; /* at its first call; NULL without --stacks */
} trace_program;
int trace_foreach_program(const trace_usage *u, int (*fn)(const trace_program *p, void *ud), void *ud);
/* The same in the order the trace holds them: the order the programs were
 * first seen while recording for a trace in memory (`verify` names the
 * first one), sorted for a trace that was loaded. */
int trace_foreach_program_stored(const trace_usage *u, int (*fn)(const trace_program *p, void *ud), void *ud);
/* The program names, sorted: a new array of borrowed strings (free the
 * array only), its length in *ret_n. */
const char **trace_usage_programs(const trace_usage *u, size_t *ret_n);

/* The usage of one outcome, NULL when none ended so. */
const trace_usage *trace_result(const trace_results *r, const char *result);
/* Calls that ended with `result` (0 when none). */
json_int_t trace_result_count(const trace_results *r, const char *result);
int trace_foreach_result(const trace_results *r, int (*fn)(const char *result, const trace_usage *u, void *ud),
                         void *ud);
/* Whether any outcome is recorded. */
bool trace_results_any(const trace_results *r);
/* The outcomes, sorted: a new array of borrowed strings (free the array
 * only), its length in *ret_n. */
const char **trace_result_names(const trace_results *r, size_t *ret_n);

/* A stack frame: the function (if the module has symbols) and the offset
 * inside it, the module and the address relative to the module's file;
 * NULL or 0 for what the frame lacks. */
typedef struct trace_frame {
        const char *function;
        const char *module;
        json_int_t offset;
        json_int_t ip;
} trace_frame;
int trace_foreach_frame(const trace_stack *s, int (*fn)(size_t index, const trace_frame *f, void *ud), void *ud);

/* ------------------------------------------------------------ syscalls */

/* syscalls[abi][name], or unknown_syscalls[abi][number]. */
typedef struct trace_syscall {
        trace_abi abi;
        const char *name; /* for a number libseccomp cannot name: the number, in decimal */
        const trace_usage *usage;
        json_int_t count;  /* calls over every program */
        const char *first; /* the first program that made it (NULL when not recorded) */
        json_int_t seen;   /* runs it occurred in: trace_runs() when in every run */
        const void *priv;  /* internal: for trace_syscall_foreach_result */
} trace_syscall;
int trace_foreach_syscall(const trace *t, trace_abi abi, int (*fn)(const trace_syscall *s, void *ud), void *ud);
int trace_foreach_unknown_syscall(const trace *t, trace_abi abi, int (*fn)(const trace_syscall *s, void *ud), void *ud);
/* One syscall by name; false (ret untouched) when the ABI lacks it. */
bool trace_syscall_get(const trace *t, trace_abi abi, const char *name, trace_syscall *ret);
/* Whether the trace has the syscall on that ABI, or on any ABI. */
bool trace_has_syscall(const trace *t, trace_abi abi, const char *name);
bool trace_has_syscall_any_abi(const trace *t, const char *name);
/* Distinct names (numbers) recorded on an ABI. */
size_t trace_syscall_count(const trace *t, trace_abi abi);
size_t trace_unknown_syscall_count(const trace *t, trace_abi abi);
/* The outcomes counted where the recorder took an exit stop (calls whose
 * result matters); nothing for the others. */
int trace_syscall_foreach_result(const trace_syscall *s, int (*fn)(const char *result, json_int_t count, void *ud),
                                 void *ud);

/* ------------------------------------------------------------ arguments */

/* arguments[kind][key]: the recorded argument values of one kind
 * ("socket", "clone", "prctl" ...), one group per distinct key. */
typedef struct trace_arg_group {
        const char *kind;
        const char *key; /* the readable form ("AF_INET SOCK_STREAM 6") */
        const trace_usage *usage;
        size_t nvalues;  /* length of the values array */
        json_int_t seen; /* runs it occurred in */
        const void *priv;
} trace_arg_group;
/* kind NULL: every kind, by kind then key. */
int trace_foreach_arg_group(const trace *t, const char *kind, int (*fn)(const trace_arg_group *g, void *ud), void *ud);
/* values[index] of a group; false (ret untouched) when missing or not an
 * integer. */
bool trace_arg_value(const trace_arg_group *g, size_t index, json_int_t *ret);
/* Groups recorded for a kind; whether one key is among them. */
size_t trace_arg_group_count(const trace *t, const char *kind);
bool trace_has_arg_group(const trace *t, const char *kind, const char *key);

/* ------------------------------------------------------------ files */

/* What the trace says about an object: its type and owner when it
 * existed. Each part may be missing (0 or NULL then). */
typedef struct trace_stat {
        const char *type; /* "file", "dir", "symlink", "socket", "fifo", "char", "block" */
        bool has_uid, has_gid, has_mode;
        json_int_t uid, gid, mode;
} trace_stat;

/* files[path] */
typedef struct trace_file {
        const char *path;     /* encoded as in the trace */
        const char *resolved; /* where symlinks led (encoded), NULL when nowhere else */
        trace_stat stat;      /* the name's object at the first access */
        bool has_target;      /* the name was seen as a symlink, then followed: */
        trace_stat target;    /* what it led to */
        bool by_owner;        /* every access came from the file's owner (recorded true) */
        bool by_owner_known;  /* by_owner is recorded (true or false) */
        bool private_new;     /* made new exclusively with an owner-only mode (mkstemp's way) */
        const trace_stack *stack;
        json_int_t seen; /* runs it occurred in */
        const void *priv;
} trace_file;
int trace_foreach_file(const trace *t, int (*fn)(const trace_file *f, void *ud), void *ud);
/* One file by its encoded path; false (ret untouched) when not recorded. */
bool trace_file_get(const trace *t, const char *path, trace_file *ret);
/* Paths recorded (the streamed section of a trace being recorded too). */
size_t trace_file_count(const trace *t);
/* The outcomes of one access kind ("read", "write", "exec" ...), NULL when
 * the file had none of that kind. */
const trace_results *trace_file_results(const trace_file *f, const char *kind);
/* Whether a call of `kind` succeeded: an "ok" outcome of more than 0 calls. */
bool trace_file_ok(const trace_file *f, const char *kind);
int trace_file_foreach_kind(const trace_file *f, int (*fn)(const char *kind, const trace_results *r, void *ud),
                            void *ud);

/* files[path].access[kind][result] */
typedef struct trace_file_access {
        const char *path; /* encoded as in the trace */
        const trace_file *file;
        const char *kind;   /* "read", "write", "exec" ... */
        const char *result; /* "ok" or an errno name */
        const trace_usage *usage;
        json_int_t count;
} trace_file_access;
int trace_foreach_file_access(const trace *t, int (*fn)(const trace_file_access *a, void *ud), void *ud);

/* ------------------------------------------------------------ network, credentials, signals, ptrace */

/* network[op][family][address] */
typedef struct trace_endpoint {
        const char *op;      /* "bind", "connect", "sendto" */
        const char *family;  /* "AF_INET", "AF_UNIX" ... */
        const char *address; /* "127.0.0.1:8080", a unix path (encoded), "@name" ... */
        const trace_results *results;
} trace_endpoint;
/* op, family NULL: every one. */
int trace_foreach_endpoint(const trace *t, const char *op, const char *family,
                           int (*fn)(const trace_endpoint *e, void *ud), void *ud);
/* The outcomes of one endpoint, NULL when not recorded. */
const trace_results *trace_endpoint_results(const trace *t, const char *op, const char *family, const char *address);

/* credentials[syscall][arguments]: a change of the process's ids. */
typedef struct trace_cred_change {
        const char *syscall; /* "setuid", "setgroups" ... (i386's *32 folded in) */
        const char *args;    /* "65534", "-1,0,-1", "2:10,20" */
        const trace_results *results;
} trace_cred_change;
/* syscall NULL: every one. */
int trace_foreach_cred_change(const trace *t, const char *syscall, int (*fn)(const trace_cred_change *c, void *ud),
                              void *ud);
bool trace_has_cred_change(const trace *t, const char *syscall, const char *args);

/* signals[signal][target] */
typedef struct trace_signal {
        const char *signal; /* "SIGTERM"; "SIG0" for kill(pid, 0) */
        const char *target; /* "self", "traced process" ... */
        const trace_results *results;
} trace_signal;
int trace_foreach_signal(const trace *t, int (*fn)(const trace_signal *s, void *ud), void *ud);

/* ptrace[request] */
typedef struct trace_ptrace_request {
        const char *request; /* "PTRACE_TRACEME" ... */
        const trace_results *results;
} trace_ptrace_request;
int trace_foreach_ptrace_request(const trace *t, int (*fn)(const trace_ptrace_request *p, void *ud), void *ud);

/* ------------------------------------------------------------ capabilities */

/* capabilities[cap][reason] */
typedef struct trace_cap_reason {
        const char *cap;     /* "CAP_CHOWN" */
        const char *reason;  /* the reason text */
        const char *syscall; /* the call that needed it */
        const char *object;  /* its object, or NULL */
        const trace_results *results;
        const trace_stack *stack;
        json_int_t ok;     /* calls that succeeded */
        json_int_t denied; /* calls refused with EPERM or EACCES */
        json_int_t other;  /* calls that failed otherwise */
        bool preexisting;  /* decided by state from before the recording */
        json_int_t seen;   /* runs it occurred in */
        const void *priv;
} trace_cap_reason;
/* cap NULL: every capability, by name then reason. */
int trace_foreach_cap_reason(const trace *t, const char *cap, int (*fn)(const trace_cap_reason *r, void *ud), void *ud);
bool trace_cap_reason_get(const trace *t, const char *cap, const char *reason, trace_cap_reason *ret);
/* Whether the trace has a reason for the capability. */
bool trace_has_cap(const trace *t, const char *cap);

/* One of the values that decided a reason (docs/trace-format.md lists
 * them): the caller's ids, the file's owner, the call's arguments. */
typedef enum trace_input_type {
        TRACE_INPUT_NUMBER,
        TRACE_INPUT_STRING,
        TRACE_INPUT_BOOL,
        _TRACE_INPUT_TYPE_MAX,
} trace_input_type;
typedef struct trace_input {
        const char *name;
        trace_input_type type;
        json_int_t number; /* TRACE_INPUT_NUMBER (0 for a fraction) */
        const char *string;
        bool boolean;
} trace_input;
int trace_foreach_cap_input(const trace_cap_reason *r, int (*fn)(const trace_input *in, void *ud), void *ud);
/* An integer input, or dflt when the reason lacks it. */
json_int_t trace_cap_input_int(const trace_cap_reason *r, const char *name, json_int_t dflt);
/* The inputs of a chown-like reason: the new owner. */
#define TRACE_INPUT_NEW_UID "new_uid"
#define TRACE_INPUT_NEW_GID "new_gid"

/* ------------------------------------------------------------ runs, resources, io_uring */

/* runs[], in the trace's order (a merge sorts them). */
typedef struct trace_run {
        size_t index;
        const char *program; /* command[0], encoded; NULL when missing */
        size_t ncommand;     /* words of the command (trace_run_word) */
        bool has_exit;       /* the run's end was recorded: */
        int status;          /* exit status (128+N for signal N); 0 without exit */
        const char *signal;  /* the signal that ended it, or NULL */
        const char *mode;    /* "seccomp+count", "seccomp", "ptrace"; NULL when missing */
        bool no_new_privs;
        bool has_credentials; /* who ran it: */
        json_int_t uid, euid, gid;
        const char *recorder, *started, *finished, *host, *kernel; /* NULL when missing */
        size_t npids;                                              /* traced process ids (trace_run_pid) */
        const void *priv;
} trace_run;
int trace_foreach_run(const trace *t, int (*fn)(const trace_run *r, void *ud), void *ud);
/* command[i], NULL when out of range. */
const char *trace_run_word(const trace_run *r, size_t i);
/* pids[i], 0 when out of range. */
json_int_t trace_run_pid(const trace_run *r, size_t i);

/* The resource peaks; -1 for what was not recorded. */
typedef struct trace_resources {
        json_int_t max_rss_kib, sum_rss_kib, cpu_ms, max_processes, max_threads, max_fds, processes;
} trace_resources;
void trace_resources_get(const trace *t, trace_resources *ret);

/* io_uring: the rings by setup flags ("none", "IORING_SETUP_SQPOLL" ...),
 * the opcodes their submission queues held, and what could not be read. */
bool trace_uses_uring(const trace *t);
int trace_foreach_uring_ring(const trace *t, int (*fn)(const char *ring, const trace_usage *setups, void *ud),
                             void *ud);
typedef struct trace_uring_op {
        const char *ring;
        const char *opcode; /* "IORING_OP_OPENAT" ... */
        const trace_usage *usage;
        json_int_t count;
} trace_uring_op;
/* By ring, then opcode. */
int trace_foreach_uring_op(const trace *t, int (*fn)(const trace_uring_op *op, void *ud), void *ud);
int trace_foreach_uring_unrecordable(const trace *t, int (*fn)(const char *reason, const trace_usage *u, void *ud),
                                     void *ud);

/* ------------------------------------------------------------ documents */

/* Whether a parsed JSON document names its format, as a trace does (a
 * reader that accepts traces and other JSON tells them apart by it). */
bool trace_json_names_format(const json_t *root);
