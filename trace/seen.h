/* SPDX-License-Identifier: MIT */
/* Run counts: in how many of a trace's runs each item was seen.
 *
 * A trace holds N runs (its `runs` array: one per recording, `record
 * --repeat N` makes N, `merge` adds them up). Each syscall (per ABI, known
 * or not), argument value, file and capability reason carries `seen`: the
 * number of runs it occurred in, written only when it is less than N (an
 * item without `seen` was seen in every run of its trace, which is also how
 * traces from before run counts read). trace_merge sums them, so the
 * merged trace says "seen in k of N1+N2 runs". Items seen in fewer than
 * all runs are unstable: a timing- or input-dependent path, and a sign
 * that paths like it may exist that no run took. */
#pragma once

#include "trace/trace.h"

/* The sections and depths that carry `seen`. */
typedef enum trace_seen_kind {
        TRACE_SEEN_SYSCALL,    /* syscalls.ABI.NAME */
        TRACE_SEEN_UNKNOWN,    /* unknown_syscalls.ABI.NUMBER */
        TRACE_SEEN_ARGUMENT,   /* arguments.KIND.KEY */
        TRACE_SEEN_FILE,       /* files.PATH */
        TRACE_SEEN_CAPABILITY, /* capabilities.CAP.REASON */
        _TRACE_SEEN_KIND_MAX,
} trace_seen_kind;

/* The number of runs in the trace (the length of `runs`). */
json_int_t trace_runs(const trace *t);
/* In how many runs an item (a node of one of the sections above) was seen:
 * its `seen`, or `runs` when absent. */
json_int_t trace_item_seen(const json_t *item, json_int_t runs);

/* Visit every item that carries `seen` in a tree (streamed members are not
 * visited: materialize first). `outer` is the ABI, argument kind or
 * capability (NULL for files), `key` the item's own key. Sorted order. */
typedef void (*trace_seen_fn)(void *ud, trace_seen_kind kind, const char *outer, const char *key, json_t *item);
void trace_seen_foreach(json_t *root, trace_seen_fn fn, void *ud);

/* Check every `seen`: 1 <= seen <= max(runs, 1). Errors name the item. */
int trace_seen_validate(json_t *root, const char *name, mp_error *err);

/* Remove every `seen` (an incremental recording is one run of its own plus
 * its baseline: it does not count runs). */
void trace_seen_clear(trace *t);

/* One unstable item: seen in `seen` of `runs` runs. */
typedef struct trace_unstable {
        trace_seen_kind kind;
        char *label; /* "kill (x86_64)", "/tmp/x", "ioctl 0x5401", "CAP_KILL" */
        json_int_t seen;
} trace_unstable;

/* The unstable items of a trace, sorted by kind then label; capabilities
 * are counted by their most frequent reason with an "ok" result (a lower
 * bound); three or more unstable files of one directory are one item
 * ("/tmp/ * (6 names...)", per-run names). Empty when the trace has fewer than two runs. Free with
 * trace_unstable_free. *ret_runs gets the run count. */
trace_unstable *trace_unstable_list(trace *t, size_t *ret_n, json_int_t *ret_runs);
void trace_unstable_free(trace_unstable *u, size_t n);
/* Whether every run recorded the same command (the runs are repetitions of
 * one workload, so a difference between them is a stability finding). */
bool trace_runs_same_command(const trace *t);
/* "seen in 2 of 6 runs" for a label, the sentence the report, hardening.md
 * and explain use. New string. */
char *trace_unstable_sentence(const trace_unstable *u, json_int_t runs);

/* trace_merge's run-count rules: before the recursive union (which sums
 * `seen`), make every item of `into` explicit; after it, add `from_runs`
 * for every item of `from` without `seen`, and drop the counts that equal
 * `total` (seen in every run). */
void trace_seen_merge_begin(json_t *into, json_int_t runs);
void trace_seen_merge_end(json_t *into, json_t *from, json_int_t from_runs, json_int_t total);
