/* SPDX-License-Identifier: MIT */
/* The baseline of an incremental recording: a previous trace or a seccomp
 * profile, turned into the syscall names (per ABI) the filter may let
 * through without a stop. */
#pragma once

#include "trace/trace.h"
#include "common/util.h"

typedef struct baseline {
        char **names[_TRACE_ABI_MAX]; /* NULL-terminated, owned */
        trace *trace;                 /* when the baseline is a trace, else NULL */
        char *profile;                /* when it is a seccomp profile: its path */
} baseline;

/* Add the names of a profile baseline to t (those not recorded anyway). */
void baseline_add_profile_names(const baseline *b, trace *t);

/* Load `path` (format detected from its content): a trace (its syscall names
 * and argument values; the recording is merged with it) or a Docker seccomp
 * profile (the names it allows whatever the arguments; the recording then
 * lists them under the program "baseline:PATH" with a count of 0, so that a
 * profile generated from it keeps them). */
int baseline_load(const char *path, baseline *ret, mp_error *err);
void baseline_free(baseline *b);
static inline void baseline_freep(baseline *b)
{
        baseline_free(b);
}
#define _cleanup_baseline_ _cleanup_(baseline_freep)
