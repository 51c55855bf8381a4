/* SPDX-License-Identifier: MIT */
/* The coverage-gap report: for every program and shared library a trace
 * shows executed or mapped executable, the syscalls its code can reach
 * (imported libc functions through templates/libc-syscalls.tsv, plus the
 * syscall instructions with a constant number in its own code, elfinfo.h) that
 * no run recorded, per ABI. Gaps related to a recorded syscall
 * (templates/syscall-relations.tsv) are ranked first: those are the calls a
 * different run of the same workload is most likely to make. The C library
 * and the dynamic loader themselves are not inspected: what of them is
 * reachable is what the other objects import. */
#pragma once

#include "trace/trace.h"

typedef struct gaps_source {
        char *object; /* path of the program or library */
        char *via;    /* the imported libc function, or "syscall instruction" */
} gaps_source;

typedef struct gaps_item {
        trace_abi abi;
        char *name;
        bool related;
        char *related_to; /* the recorded syscall it relates to (first by name), or NULL */
        char *why;        /* the relation's reason, or NULL */
        gaps_source *sources;
        size_t nsources;
} gaps_item;

typedef struct gaps_object {
        char *path;
        const char *kind; /* "program" (exec) or "library" (mapped executable) */
        trace_abi abi;
        bool dynamic;
        char *error;  /* why it could not be inspected, or NULL */
        bool skipped; /* the C library or the loader: covered by the table */
        size_t nimports, nreachable;
        char **gaps; /* names, sorted */
} gaps_object;

typedef struct gaps_report {
        gaps_object *objects; /* sorted by path */
        size_t nobjects;
        gaps_item *items; /* sorted: ABI, related first, name */
        size_t nitems;
        char *table_origin; /* the libc table's "# from ..." line */
} gaps_report;

/* Compute the report for a (merged) trace, reading the tables from
 * templates_dir and the binaries from the paths the trace names. */
int gaps_compute(trace *t, const char *templates_dir, gaps_report *ret, mp_error *err);
void gaps_report_free(gaps_report *g);
/* The report as text or JSON (docs/gaps-format.md); new strings. */
char *gaps_format_text(const gaps_report *g);
char *gaps_format_json(const gaps_report *g);

/* --- portable siblings (templates/portable-siblings.tsv) --- */
typedef struct gaps_sibling {
        trace_abi abi;
        char *name;       /* the sibling to add */
        char *recorded;   /* the recorded name it is a sibling of */
        bool carry_flags; /* clone <- clone3: the first argument's recorded values carry over */
} gaps_sibling;

/* The siblings of what the trace recorded that it did not record itself
 * (clone3 never: it stays ENOSYS), sorted by ABI and name. */
int gaps_siblings(const trace *t, const char *templates_dir, gaps_sibling **ret, size_t *ret_n, mp_error *err);
void gaps_siblings_free(gaps_sibling *s, size_t n);
