/* SPDX-License-Identifier: MIT */
/* Evidence-based generalisation of AppArmor file rules: patterns for the
 * recorded paths whose names change from run to run, derived from what the
 * trace shows about them rather than from a fixed table. Used by the
 * profile emitter (apparmor.c) and by `minpriv verify` for its suggestions,
 * so both generalise the same way.
 *
 * What generalises, and on which evidence (nothing else does):
 *  - a name component that the workload itself created, hard-linked or
 *    renamed (the trace's create/link/rename with result ok), or a
 *    component under such a directory: its random part (mkstemp/mkdtemp:
 *    the last 6 of [A-Za-z0-9]; Python tempfile: 8 of [a-z0-9_]; or the
 *    columns in which siblings of the same shape differ) becomes `?` per
 *    character, a number of 4 digits or more (pid, port, date), or one that
 *    varies among siblings equal apart from their digits (a counter),
 *    `[0-9]*`, a date or time (YYYY-MM-DD[_HH-MM-SS]) `[0-9]` per digit, a
 *    content hash (32, 38 under a 2-hex fan-out directory, 40 or 64 hex
 *    digits) `[0-9a-f]*`, a git-style 2-hex fan-out directory under
 *    `objects/` `[0-9a-f][0-9a-f]`. A name that does not look random on its
 *    own (a random draw without digits) takes the pattern of a sibling of
 *    the same shape that does, if one matches it - unless the trace says
 *    the workload made it as mkstemp makes names (private_new: O_EXCL or
 *    mkdir with an owner-only mode), which makes such a draw random too;
 *  - a directory the workload created, with at least two files recorded
 *    under it, every path under it accessed only by its owner and none
 *    executed or mapped: everything under it becomes owner DIR/<star><star>
 *    with the union of their permissions;
 *  - a directory the workload listed, with at least `collapse` listed
 *    subdirectories (read only): every read-only directory under it
 *    becomes DIR/<star><star>/ r (a traversal, e.g. `find | head`, visits a
 *    different subset on each run); never for `/` itself.
 * A file that already existed keeps its literal name: a single
 * secret-looking file never widens. No pattern is ever `/<star><star>`. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "trace/read.h"

typedef struct mp_aa_evpath {
        const char *name; /* raw bytes, directories end in '/' */
        size_t len;
        unsigned perms;   /* AA_PERM_* */
        bool named;       /* created, hard-linked or renamed by the workload (ok) */
        bool listed;      /* a directory the workload listed */
        bool skip;        /* has a pattern already (glob table): left alone */
        bool owner_ok;    /* every access by the file's owner (an owner rule fits) */
        bool probe_only;  /* only ENOENT read probes */
        bool removed;     /* deleted by the workload (ok) */
        bool private_new; /* created as mkstemp creates (trace: private_new) */
} mp_aa_evpath;

/* Patterns for paths[0..n) (sorted by name, no duplicates): for each path
 * either a new pattern (internal form, see aaglob.h) in ret_patterns[i]
 * with its explanation (one line, no newline) in ret_why[i], or NULL in
 * both. `collapse` is the glob table's threshold (0: no traversal
 * collapse). pids: the recorded process ids (sorted; a number in a name
 * that is one of them, 3 digits or more, is a pid). The arrays have n
 * entries, filled by the caller's allocation. */
void mp_aa_evidence_globs(const mp_aa_evpath *paths, size_t n, int collapse, const long *pids, size_t npids,
                          char **ret_patterns, char **ret_why);

/* The process ids of a trace's runs (runs[].pids), sorted, for
 * mp_aa_evidence_globs; a new array (NULL when none). */
long *mp_aa_evidence_pids(const trace *t, size_t *ret_n);
