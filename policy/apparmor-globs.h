/* SPDX-License-Identifier: MIT */
/* The AppArmor glob table: rules that turn recorded paths into patterns
 * (shared-library versions, pids, mktemp names, __pycache__, locale data).
 * The built-in table is templates/apparmor-globs.conf; `generate --globs
 * FILE` adds a user table in the same format, consulted first.
 *
 * Format (one rule a line; '#' starts a comment line; blank lines ignored):
 *
 *     version 1
 *     REGEX  ->  PATTERN  [perms=LETTERS]
 *     collapse N
 *
 * REGEX is a POSIX extended regular expression matched against the whole
 * raw path (anchor it with ^ and $); it ends at the first "->" between
 * blanks, so it may hold spaces. A directory is matched with its trailing
 * '/'. PATTERN is an AppArmor pattern written as in a profile (unquoted,
 * no blanks; escapes like \040 for a space allowed) in which $1..$9 stand
 * for the groups of the match, escaped so they match literally ($0: the
 * whole match, $$: a '$'). With perms=LETTERS (AppArmor letters r w a l k
 * m x) the rule applies only to paths whose permissions are all among
 * LETTERS, so a read-only glob never widens a write. The first matching
 * rule wins.
 *
 * `collapse N` (N >= 1; 0 turns it off): when the workload listed a
 * directory and read at least N of the files directly in it (read only, no
 * glob rule for them), those files become one rule DIR/<star> r: the
 * program enumerates the directory (tar, ls, a plugin loader), so which
 * files it reads depends on what the directory holds. Never recursive. The
 * first `collapse` line read wins (a user table is read first). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/util.h"

#define AA_GLOBS_VERSION 1

typedef struct mp_aa_globs mp_aa_globs;

mp_aa_globs *mp_aa_globs_new(void);
void mp_aa_globs_free(mp_aa_globs *g);
static inline void mp_aa_globs_freep(mp_aa_globs **g)
{
        mp_aa_globs_free(*g);
}
#define _cleanup_mp_aa_globs_ _cleanup_(mp_aa_globs_freep)

/* Append the rules of a table (from memory; `name` for messages and for
 * the origin of each rule). Errors give name:line:column. */
int mp_aa_globs_parse(mp_aa_globs *g, const char *data, size_t size, const char *name, mp_error *err);
int mp_aa_globs_load(mp_aa_globs *g, const char *path, mp_error *err);
size_t mp_aa_globs_count(const mp_aa_globs *g);
/* The collapse threshold (0: off) and where it was set ("file:line"). */
int mp_aa_globs_collapse(const mp_aa_globs *g, const char **ret_origin);

/* The pattern for a raw path with permissions `perms` (AA_PERM_*): the
 * first rule that applies, as a new string in *ret_pattern, with the rule's
 * origin ("file:line", borrowed) in *ret_origin. Returns 1 when a rule
 * applied, 0 when none did (*ret_pattern untouched). */
int mp_aa_globs_apply(const mp_aa_globs *g, const char *raw, size_t len, unsigned perms, char **ret_pattern,
                      const char **ret_origin);
