/* SPDX-License-Identifier: MIT */
/* The `minpriv` command: one file per subcommand over the libraries. This
 * layer is the only one that prints: one message per failure, naming the
 * file, process or syscall involved. */
#pragma once

#include "common/util.h"

/* Exit codes shared by the subcommands. */
#define EXIT_FINDING 1 /* diff widens with --fail-on-widen */
/* verify found violations. Not 1, which workloads use for their own
 * failures (verify passes the workload's status through otherwise), nor 2
 * (bad input) nor 125-127 and 128+N (minpriv failed, exec failures,
 * signals). */
#define EXIT_VIOLATIONS 3
#define EXIT_BADINPUT   2   /* bad usage or bad input */
#define EXIT_INTERNAL   125 /* minpriv itself failed (record: trace not written) */

typedef struct command {
        const char *name;
        int (*run)(int argc, char **argv);
        const char *summary;
        const char *usage;
} command;

/* "minpriv: " + message to stderr. */
void log_error(const char *fmt, ...) _printf_(1, 2);
void log_notice(const char *fmt, ...) _printf_(1, 2);
/* Print an mp_error ("minpriv: FILE:LINE:COL: text"). */
void log_mp_error(const mp_error *err);
/* A usage error for `cmd`: the message, then a pointer to --help. Returns
 * EXIT_BADINPUT. */
int usage_error(const char *cmd, const char *fmt, ...) _printf_(2, 3);
/* Print the usage text of a command to stdout; returns 0. */
int print_usage(const char *cmd);

/* Load and merge the traces named by paths; on failure print the error
 * (naming the trace) and return -EXIT_BADINPUT, else 0 with *ret_t set
 * (the caller frees it). */
struct trace;
struct gen_options;
int cli_load_traces(char **paths, size_t n, struct trace **ret_t);

/* Run the workload under the tracer into t and report its failures: returns
 * 0 to go on with t (a tracer error after the workload ran is printed, and
 * what was recorded is kept), or the exit status to return now (127/126
 * when the command cannot be run, EXIT_INTERNAL when nothing was recorded).
 * *ret_status is the workload's status. */
struct tracer_options;
int cli_trace_run(const struct tracer_options *opts, struct trace *t, int *ret_status);
/* Parse --runtime for `cmd` into opts; returns 0 or a usage error. */
int cli_parse_runtime(const char *cmd, const char *arg, struct gen_options *opts);

int cmd_record(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_gaps(int argc, char **argv);
int cmd_image(int argc, char **argv);
