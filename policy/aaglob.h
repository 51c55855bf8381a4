/* SPDX-License-Identifier: MIT */
/* AppArmor path patterns: a matcher with AppArmor's semantics, and the
 * escaping between raw path bytes, patterns and profile text.
 *
 * Three forms of a path appear here:
 *  - raw bytes: a path as the kernel sees it (any byte but NUL);
 *  - a pattern ("internal form"): AppArmor glob syntax after the profile
 *    lexer has processed quotes and escape sequences, i.e. what
 *    apparmor_parser hands to its regex compiler. `\c` is the literal c;
 *    `*`, `**`, `?`, `[...]`, `{a,b}` and `@{var}` are special;
 *  - profile text: a pattern written into a profile, quoted and escaped
 *    when needed (mp_aa_render_pattern) and read back (mp_aa_unescape).
 *
 * Semantics (apparmor.d(5), parser_regex.c of AppArmor 3):
 *  `*`   any run of bytes except '/';
 *  `**`  any run of bytes including '/';
 *  `?`   one byte except '/';
 *  `[..]` one byte of the class, `[^..]` one byte not in it (a class may
 *         match '/'); ranges a-z; `\c` in a class is c;
 *  `{a,b}` alternation, nestable; at least one ',' is required;
 *  `@{v}` the values of variable v (several values: an alternation);
 *  a `*` or `**` run directly after a literal slash and followed by a slash or
 *  the end must match at least one byte (`/a/` + `*` does not match `/a/`);
 *  repeated slashes collapse (apart from a leading `//`).
 *  Nothing ever matches the NUL byte. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/util.h"

/* A variable table: name -> list of values (patterns, may refer to other
 * variables). */
typedef struct mp_aa_vars mp_aa_vars;

mp_aa_vars *mp_aa_vars_new(void);
/* The variables <tunables/global> defines on Debian 12 (AppArmor 3.0.8):
 * @{PROC}, @{sys}, @{pid}, @{pids}, @{tid}, @{uid}, @{uids}, @{run},
 * @{HOME}, @{HOMEDIRS}, @{multiarch}, @{etc_ro}, @{etc_rw},
 * @{securityfs}, @{apparmorfs}, @{system_share_dirs}, ... */
mp_aa_vars *mp_aa_vars_new_default(void);
mp_aa_vars *mp_aa_vars_copy(const mp_aa_vars *v);
void mp_aa_vars_free(mp_aa_vars *v);
static inline void mp_aa_vars_freep(mp_aa_vars **v)
{
        mp_aa_vars_free(*v);
}
#define _cleanup_mp_aa_vars_ _cleanup_(mp_aa_vars_freep)
/* `@{name} = value` replaces the values (value NULL: an empty set),
 * `@{name} += value` appends. -EINVAL for an invalid name. */
int mp_aa_vars_set(mp_aa_vars *v, const char *name, const char *value);
int mp_aa_vars_append(mp_aa_vars *v, const char *name, const char *value);
bool mp_aa_vars_has(const mp_aa_vars *v, const char *name);

/* A compiled pattern. */
typedef struct aaglob aaglob;

/* Compile a pattern (internal form) with the variables of `vars` (NULL:
 * no variables). On error, err->column is the 1-based byte offset in
 * `pattern` where the problem was found (after variable expansion the
 * offset may point into the expansion; the text says so). */
int aaglob_compile(const char *pattern, const mp_aa_vars *vars, aaglob **ret, mp_error *err);
void aaglob_free(aaglob *g);
static inline void aaglob_freep(aaglob **g)
{
        aaglob_free(*g);
}
#define _cleanup_aaglob_ _cleanup_(aaglob_freep)

/* Does the pattern match these raw bytes? (A path with a NUL byte never
 * matches.) */
bool aaglob_match(const aaglob *g, const char *path, size_t len);
/* The pattern after variable expansion and slash filtering. */
const char *aaglob_expanded(const aaglob *g);
/* Whether the pattern is a single literal path (no glob syntax after
 * expansion); *ret_literal (if given) gets the raw bytes, borrowed. */
bool aaglob_is_literal(const aaglob *g, const char **ret_literal, size_t *ret_len);

typedef enum aaglob_cover {
        AAGLOB_COVERS_NO = 0,      /* some path matched by b is not matched by a */
        AAGLOB_COVERS_YES = 1,     /* every path matched by b is matched by a */
        AAGLOB_COVERS_UNKNOWN = 2, /* gave up (state limit); treat as NO */
} aaglob_cover;

/* Does `a` match every path `b` matches (language inclusion)? Exact: the
 * product of b's automaton with the determinised automaton of a is
 * explored (a literal b is simply matched). Only when the automata are
 * very large (over 16384 states together, e.g. huge variable expansions)
 * or the product exceeds 50000 state pairs is the answer UNKNOWN, which
 * callers must treat as "not covered" (the conservative answer for "does a
 * new rule widen an old one"). Profiles minpriv writes stay far below. */
aaglob_cover aaglob_covers(const aaglob *a, const aaglob *b);

/* --- escaping --- */

/* Raw bytes -> a pattern matching exactly those bytes: `\`, `*`, `?`, `[`,
 * `]`, `{`, `}` and `,` are escaped (escaping `{` also keeps `@{` from
 * reading as a variable). Returns a new string. */
char *mp_aa_escape_literal(const char *raw, size_t len);

/* A pattern -> profile text: unquoted when it only has plain characters,
 * otherwise double-quoted with `"`, `\`, control bytes and bytes that are
 * not UTF-8 written as 3-digit octal escapes (\042, \134, \012, \377),
 * glob escapes kept (`\*`). apparmor_parser reads it back as the same
 * pattern. Returns a new string. */
char *mp_aa_render_pattern(const char *pattern);

/* Profile text (the inside of a quoted string, or an unquoted word) ->
 * pattern, as AppArmor's lexer does: escape sequences \ooo, \xHH, \dNNN,
 * \a \e \f \n \r \t \\ \" become the byte (kept escaped when the byte is
 * glob syntax); other backslashes stay as escapes. -EINVAL for a NUL
 * byte; *ret_col (if given) then says where (1-based). */
int mp_aa_unescape(const char *text, size_t len, char **ret, size_t *ret_col);
