/* SPDX-License-Identifier: MIT */
/* The ptrace recorder: runs a command and records what it does into a
 * trace (see trace/trace.h). Linux x86_64 only; needs PTRACE_SEIZE,
 * PTRACE_GET_SYSCALL_INFO (Linux 5.3) and, unless disabled, seccomp
 * filters with SECCOMP_RET_TRACE. */
#pragma once

#include <stdbool.h>

#include "trace/trace.h"

struct sock_fprog;

/* A first occurrence that can get a stack (tracer_options.want_stack). */
typedef enum tracer_stack_kind {
        TRACER_STACK_SYSCALL,    /* a syscall at entry: abi, name, args */
        TRACER_STACK_FILE,       /* a file access at its exit: path ... by_owner */
        TRACER_STACK_CAPABILITY, /* a capability reason at entry: name */
} tracer_stack_kind;

typedef struct tracer_stack_query {
        tracer_stack_kind kind;
        trace_abi abi;
        const char *name;     /* the syscall, or the capability ("CAP_CHOWN") */
        const uint64_t *args; /* SYSCALL: the six arguments */
        const char *path;     /* FILE: encoded as in the trace */
        const char *resolved; /* FILE: encoded; NULL when the path itself */
        const char *type;     /* FILE: "file", "dir", ...; NULL when unknown */
        const char *access;   /* FILE: the access kind ("read") */
        const char *result;   /* FILE: "ok" or an errno name */
        bool by_owner;        /* FILE: only the owner accessed it so far */
} tracer_stack_query;

typedef struct tracer_options {
        char *const *argv; /* the command; argv[0] is looked up in PATH */
        bool no_seccomp;   /* PTRACE_SYSCALL stops on every syscall */
        bool stacks;       /* capture user stacks with libunwind-ptrace */
        /* Stop at the hot syscalls too, instead of counting them in the
         * kernel (kcount.c; counting is used only in a full seccomp-mode
         * recording without stacks, where the kernel allows it). */
        bool no_kernel_count;
        bool no_bpf; /* path calls stop instead of being reported by the eBPF recorder */
        /* Syscalls already known (per ABI, NULL-terminated name lists) that
         * the filter lets through without a stop unless the trace needs
         * facts from them; NULL for a full recording. */
        char **baseline[_TRACE_ABI_MAX];
        /* The baseline trace, when the baseline is one: argument values it
         * knows also run without a stop (see filter.c). Borrowed. */
        const trace *baseline_trace;
        const char *baseline_label; /* recorded in runs[].baseline */
        bool quiet;                 /* no "minpriv: ..." notices on stderr */
        /* A seccomp filter the workload runs under, as in production
         * (`verify --enforce`): the child installs it (with no_new_privs
         * when unprivileged) right before execve, so every process of the
         * workload inherits it. A call it answers with an errno or a kill
         * never reaches a SECCOMP_RET_TRACE stop, so the recorder then uses
         * PTRACE_SYSCALL stops (as with no_seccomp), whose entry stop comes
         * before the filter runs: denied calls are recorded with their
         * result. NULL: none. Borrowed. */
        const struct sock_fprog *enforce_filter;
        /* An AppArmor profile (already loaded) the workload runs in: the
         * child calls aa_change_onexec(NAME) right before execve (before
         * any seccomp filter, which may not allow the write it takes), so
         * the program starts confined and its children inherit the profile.
         * NULL: none. Borrowed. */
        const char *aa_onexec;
        /* With stacks: NULL takes one at every first occurrence (record
         * --stacks). Otherwise only where want_stack() says so: a syscall
         * once per (program, ABI, name), a file once, a capability reason
         * once, each at the first occurrence it accepts. A stack costs
         * about a millisecond (libunwind reads the tracee word by word);
         * verify asks only for what its profiles refuse. Called on every
         * syscall entry, so it must be cheap. */
        bool (*want_stack)(const tracer_stack_query *q, void *ud);
        void *want_stack_ud;
} tracer_options;

/* Exit statuses for failures before the workload runs, like a shell. */
#define TRACER_EXIT_NOT_FOUND      127
#define TRACER_EXIT_NOT_EXECUTABLE 126

/* Run opts->argv under the tracer until every traced process is gone and
 * record into `t` (one entry appended to runs). *ret_status is the
 * workload's exit status (128+N when killed by signal N).
 *
 * While running, SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to this process
 * with kill(2) are forwarded to the workload (signals from the terminal
 * already reach the whole foreground process group).
 *
 * Returns 0, or a negative errno with `err` filled:
 *   -ENOENT / -EACCES  the command was not found / is not executable
 *                      (nothing ran; *ret_status set to 127 / 126);
 *   -EPERM             ptrace is not permitted here (err says what to change);
 *   other              an unexpected tracer failure. */
int tracer_run(const tracer_options *opts, trace *t, int *ret_status, mp_error *err);

/* Look cmd up like execvp would (PATH, or as a path when it has a slash).
 * Returns a new absolute or relative path, or a negative errno. */
int tracer_find_command(const char *cmd, char **ret_path);
