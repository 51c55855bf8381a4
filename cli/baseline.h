/* SPDX-License-Identifier: MIT */
/* The baseline of an incremental recording: a previous trace or a seccomp
 * profile, turned into the syscall names (per ABI) the filter may let
 * through without a stop. */
#pragma once

#include "trace.h"
#include "util.h"

typedef struct baseline {
        char **names[_TRACE_ABI_MAX]; /* NULL-terminated, owned */
        trace *trace;                 /* when the baseline is a trace, else NULL */
} baseline;

/* Load `path` (format detected from its content). */
int baseline_load(const char *path, baseline *ret, mp_error *err);
void baseline_free(baseline *b);
static inline void baseline_freep(baseline *b)
{
        baseline_free(b);
}
#define _cleanup_baseline_ _cleanup_(baseline_freep)
