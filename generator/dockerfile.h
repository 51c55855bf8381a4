/* SPDX-License-Identifier: MIT */
/* Dockerfile checks for hardening.md and the report: the image half of the
 * checklist, each finding with the line of the instruction (its first
 * physical line) or comment it comes from.
 *
 * gen_dockerfile_load() parses FILE (line continuations with the escape
 * character, `# escape=` directive, comments, multi-stage FROM ... AS name,
 * JSON exec form and shell form) and runs the checks; the trace supplies
 * the programs that really ran ("gcc is installed and never ran") and the
 * capabilities the workload needs. Heredocs (<<EOF), unknown instructions,
 * instructions before the first FROM other than ARG, a missing argument, a
 * malformed FROM or SHELL, a continuation at the end of the file and NUL
 * bytes are refused with err naming FILE and the line. Findings are sorted
 * by line, then by check, so the output is deterministic. */
#pragma once

#include <stdbool.h>

#include "common/strbuf.h"
#include "trace/trace.h"

typedef struct gen_df_finding {
        int line;
        const char *check; /* the check's title (static) */
        bool flagged;      /* false: a note (advice, cannot be checked) */
        char *text;        /* Markdown: `code` spans, no HTML */
        int order;         /* tie-break for sorting */
} gen_df_finding;

typedef struct gen_dockerfile {
        char *path;
        int nstages;
        int final_line; /* the final stage's FROM */
        char *final_name;
        gen_df_finding *findings;
        size_t n;
} gen_dockerfile;

/* The check titles in the order they are run (for "passed" lists). */
extern const char *const gen_df_checks[];

int gen_dockerfile_load(const char *path, const trace *t, char *const *caps, gen_dockerfile **ret, mp_error *err);
/* The same on a buffer (size bytes, need not end in NUL); path names it
 * in messages and findings. */
int gen_dockerfile_parse(const char *text, size_t size, const char *path, const trace *t, char *const *caps,
                         gen_dockerfile **ret, mp_error *err);
void gen_dockerfile_free(gen_dockerfile *df);
size_t gen_dockerfile_flagged(const gen_dockerfile *df);
/* Append hardening.md's section (numbered `section`). */
void gen_dockerfile_md(strbuf *sb, const gen_dockerfile *df, int section);
