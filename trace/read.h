/* SPDX-License-Identifier: MIT */
/* The typed read side of the trace: what the generators and the review
 * commands iterate over (syscalls per ABI, argument groups, file accesses
 * with their results, capability reasons, runs) without spelling the
 * storage format's keys. JSON stays the storage format
 * (docs/trace-format.md); the schema's key names live here and in
 * trace.c only.
 *
 * Every iterator calls fn once per item in sorted (byte) order, so output
 * built from it is deterministic; the item and what it points to are
 * borrowed from the trace and valid while fn runs (the strings and nodes
 * while the trace lives). A non-zero return of fn stops the iteration
 * and is returned; otherwise 0. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "trace/trace.h"

/* syscalls[abi][name] */
typedef struct trace_syscall {
        trace_abi abi;
        const char *name;
        const json_t *node; /* usage node: programs, first ... */
        json_int_t count;   /* calls over every program */
} trace_syscall;
int trace_foreach_syscall(const trace *t, trace_abi abi, int (*fn)(const trace_syscall *s, void *ud), void *ud);
/* Whether the trace has the syscall on that ABI. */
bool trace_has_syscall(const trace *t, trace_abi abi, const char *name);

/* arguments[kind][key]: the recorded argument values of one kind
 * ("socket", "clone", "prctl" ...), one group per distinct key. */
typedef struct trace_arg_group {
        const char *kind;
        const char *key;      /* the readable form ("AF_INET SOCK_STREAM 6") */
        const json_t *values; /* array of integers */
        const json_t *node;   /* usage node */
} trace_arg_group;
int trace_foreach_arg_group(const trace *t, const char *kind, int (*fn)(const trace_arg_group *g, void *ud), void *ud);
/* values[index] of a group; false when missing or not an integer. */
bool trace_arg_value(const trace_arg_group *g, size_t index, json_int_t *ret);

/* files[path].access[kind][result] */
typedef struct trace_file_access {
        const char *path;   /* encoded as in the trace */
        const json_t *file; /* the file node (type, uid, gid, mode, resolved ...) */
        const char *type;   /* the object's type at the first access ("file", "dir" ...), NULL: it did not exist */
        const char *kind;   /* "read", "write", "exec" ... */
        const char *result; /* "ok" or an errno name */
        const json_t *usage;
        json_int_t count;
} trace_file_access;
int trace_foreach_file_access(const trace *t, int (*fn)(const trace_file_access *a, void *ud), void *ud);

/* network[operation][family][address][result] */
typedef struct trace_endpoint {
        const char *operation; /* "bind", "connect", "sendto" */
        const char *family;    /* "AF_INET", "AF_UNIX" ... */
        const char *address;   /* "127.0.0.1:80", "[::1]:53", a unix path (encoded) ... */
        const char *result;    /* "ok" or an errno name */
        const json_t *usage;
} trace_endpoint;
int trace_foreach_endpoint(const trace *t, int (*fn)(const trace_endpoint *e, void *ud), void *ud);

/* capabilities[cap][reason] */
typedef struct trace_cap_reason {
        const char *cap;    /* "CAP_CHOWN" */
        const char *reason; /* the reason text */
        const json_t *node; /* the reason node (inputs, results ...) */
        json_int_t ok;      /* calls that succeeded */
        json_int_t denied;  /* calls refused with EPERM or EACCES */
        json_int_t other;   /* calls that failed otherwise */
        bool preexisting;   /* decided by state from before the recording */
} trace_cap_reason;
int trace_foreach_cap_reason(const trace *t, int (*fn)(const trace_cap_reason *r, void *ud), void *ud);

/* runs[], in the trace's order (a merge sorts them). */
typedef struct trace_run {
        size_t index;
        const json_t *node;
        const char *program;   /* command[0], encoded; NULL when missing */
        int status;            /* exit status (128+N for signal N) */
        const char *signal;    /* the signal that ended it, or NULL */
        const json_t *command; /* array of encoded strings (argv), or NULL */
        json_int_t uid, gid;   /* the credentials it started with; -1 when not recorded */
} trace_run;
int trace_foreach_run(const trace *t, int (*fn)(const trace_run *r, void *ud), void *ud);
