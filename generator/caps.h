/* SPDX-License-Identifier: MIT */
/* Capabilities in the generator: the reasons the trace gives for each one,
 * shared by caps.txt and hardening.md. */
#pragma once

#include "generator/generator.h"
#include "trace/read.h"

/* One reason of capabilities.CAP_X in the trace, with its outcome. */
typedef struct caps_reason {
        const char *cap;              /* "CAP_CHOWN" (borrowed from the trace) */
        const char *text;             /* the reason key (borrowed) */
        const trace_results *results; /* its outcomes (borrowed) */
        json_int_t ok;                /* successful calls */
        json_int_t failed;            /* calls refused: EPERM or EACCES (a capability may be wanting) */
        bool preexisting;             /* decided by an object that existed before the recording, of another uid */
} caps_reason;

/* What caps.txt and hardening.md say about reasons marked preexisting. */
#define CAPS_PREEXISTING_ADVICE                                                                                        \
        "the object existed before the recording started and belongs to another uid (a leftover of an earlier run "    \
        "on the host, such as a service's data directory, looks like this); in a fresh container the call may not "    \
        "need the capability. Record in a fresh container (or remove the leftovers first) and compare"

/* Every reason of the trace that succeeded or was refused (EPERM, EACCES;
 * failures with other errors are no capability question and left out),
 * sorted by capability then reason text.
 * Returns a new array (free it only) and the count in *ret_n. */
caps_reason *caps_reasons(const trace *t, size_t *ret_n);

/* "prog1, prog2 and N more": the programs under the given outcomes of a
 * reason (ok_only: only "ok"; else every outcome but "ok"), sorted, at
 * most `max` named. Appends to sb. */
void caps_reason_programs(strbuf *sb, const trace_results *results, bool ok_only, size_t max);

/* The refusals (EPERM, EACCES) of a reason as "EACCES x1, EPERM x2". */
void caps_reason_failures(strbuf *sb, const trace_results *results);

/* Append s with every control character (and DEL) written \xHH, so that
 * trace text can go in a one-line comment. */
void gen_put_escaped(strbuf *sb, const char *s);
