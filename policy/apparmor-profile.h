/* SPDX-License-Identifier: MIT */
/* An AppArmor profile as a model: a reader for the profiles minpriv
 * writes and for reasonable hand edits of them, and the questions
 * `minpriv diff`, `minpriv verify` and the tests ask of it ("is this
 * access allowed?").
 *
 * What is read: comments, `abi`, `include` (recorded, not followed),
 * variable definitions (`@{X} = a b`, `+=`), `alias /from/ -> /to/,`
 * (applied as apparmor_parser does: each file rule whose expanded pattern
 * starts with FROM gets a copy with that prefix replaced by TO), one `profile NAME [ATTACH]
 * [flags=(...)] { ... }` (or `/path { ... }`), and in it file rules with
 * the qualifiers audit/allow/deny/owner (path-first and mode-first forms,
 * quoted paths with escapes, `-> target`), `file,`, `link`, `network`,
 * `unix`, `capability`, `signal`, `ptrace`, `mount`/`umount`/`pivot_root`,
 * and other rule types (`dbus`, `change_profile`, `set rlimit`, ...) kept
 * as text. Hats, child profiles and conditionals are refused. Errors name
 * the file, line and column.
 *
 * Evaluation follows AppArmor: an access is allowed when the union of the
 * permissions of the matching allow rules (owner rules only for the
 * owner) holds it and no matching deny rule takes it away. Included files
 * are not read: only the rules written in the profile count. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "policy/aaglob.h"
#include "common/util.h"

enum {
        AA_PERM_READ = 1u << 0,   /* r */
        AA_PERM_WRITE = 1u << 1,  /* w (implies a) */
        AA_PERM_APPEND = 1u << 2, /* a */
        AA_PERM_LINK = 1u << 3,   /* l */
        AA_PERM_LOCK = 1u << 4,   /* k */
        AA_PERM_MMAP = 1u << 5,   /* m */
        AA_PERM_EXEC = 1u << 6,   /* x, with an exec mode (ix, px, ...) */
};

typedef enum aa_rule_kind {
        AA_RULE_FILE,
        AA_RULE_LINK,
        AA_RULE_NETWORK,
        AA_RULE_UNIX,
        AA_RULE_CAPABILITY,
        AA_RULE_SIGNAL,
        AA_RULE_PTRACE,
        AA_RULE_MOUNT,   /* mount, remount, umount, pivot_root */
        AA_RULE_INCLUDE, /* an include inside the profile */
        AA_RULE_OTHER,   /* dbus, change_profile, set rlimit, ... (text only) */
        _AA_RULE_MAX,
} aa_rule_kind;

/* The kind's word: "file", "link", "network", ... ("other" for AA_RULE_OTHER). */
const char *aa_rule_kind_name(aa_rule_kind kind);

/* A conditional: key=value or key=(v1 v2); peer=(addr=x label=y) is
 * flattened to "peer.addr" and "peer.label". Values are patterns. */
typedef struct aa_cond {
        char *key;
        char **values; /* NULL-terminated */
} aa_cond;

typedef struct aa_rule {
        aa_rule_kind kind;
        bool audit, deny, owner;
        int line, column; /* where the rule starts */
        char *text;       /* the rule as written, spaces collapsed, no final ',' */
        char *keyword;    /* first word for MOUNT/OTHER ("umount", "dbus", ...) */
        /* FILE and LINK */
        char *path;        /* pattern; NULL for `file,` (every path) */
        aaglob *glob;      /* NULL when path is NULL */
        unsigned perms;    /* AA_PERM_*; LINK rules: AA_PERM_LINK */
        char exec_mode[4]; /* "i", "p", "c", "u", "pi", "Cx"... without x; "" */
        char *target;      /* `-> target` (exec transition, link target) */
        bool subset;       /* link subset */
        /* NETWORK: NULL = any */
        char *family, *type, *protocol;
        /* CAPABILITY: NULL = every capability */
        char *capability;
        /* UNIX, SIGNAL, PTRACE, NETWORK: access words (NULL-terminated;
         * NULL = every access) and conditionals */
        char **access;
        aa_cond *conds;
        size_t n_conds;
        /* INCLUDE */
        char *include;
        /* a copy made by the alias alias - 1 of the profile (0: written) */
        size_t alias;
} aa_rule;

typedef struct aa_profile {
        char *name;
        char *attachment; /* NULL unless given */
        char **flags;     /* NULL-terminated, may be empty */
        int line, column;
        aa_rule *rules;
        size_t n_rules;
        aa_vars *vars;   /* the built-in tunables plus the file's definitions */
        char **abis;     /* `abi` lines (NULL-terminated) */
        char **includes; /* includes before the profile (NULL-terminated) */
        /* `alias FROM -> TO,` (patterns, unescaped; NULL-terminated, as
         * many of each) */
        char **alias_from, **alias_to;
        /* the variable definitions of the file, one "@{X} = v1 v2" or
         * "@{X} += v" each, values unescaped (NULL-terminated) */
        char **var_defs;
} aa_profile;

/* Parse a profile from memory (`name` for messages). Fuzz-friendly: any
 * bytes give a profile or an error, never a crash. */
int aa_profile_parse(const char *data, size_t size, const char *name, aa_profile **ret, mp_error *err);
/* Read and parse a file (at most 64 MiB). */
int aa_profile_load(const char *path, aa_profile **ret, mp_error *err);
void aa_profile_free(aa_profile *p);
static inline void aa_profile_freep(aa_profile **p)
{
        aa_profile_free(*p);
}
#define _cleanup_aa_profile_ _cleanup_(aa_profile_freep)

/* Parse permission letters ("rw", "mrix", "Px"): 0 with *ret_perms and
 * ret_exec_mode (4 bytes), or -EINVAL with *ret_bad (0-based offset of the
 * offending letter). */
int aa_perms_parse(const char *s, size_t len, unsigned *ret_perms, char ret_exec_mode[4], size_t *ret_bad);
/* Canonical letters: r w a l k m then the exec mode and x ("rmix").
 * Returns a new string. */
char *aa_perms_format(unsigned perms, const char *exec_mode);

/* Is `perms` on the raw path allowed? `owner`: the accessing process owns
 * the file (owner rules apply). */
bool aa_profile_allows_file(const aa_profile *p, const char *path, size_t len, unsigned perms, bool owner);
/* capability name in AppArmor spelling ("net_bind_service"). */
bool aa_profile_allows_capability(const aa_profile *p, const char *name);
/* network family/type in AppArmor spelling ("inet", "stream"); type NULL:
 * any type. */
bool aa_profile_allows_network(const aa_profile *p, const char *family, const char *type);
/* unix socket access ("create", "connect", ...) for a socket type
 * ("stream"; NULL: unknown) and an address ("@name"; NULL: none; a NUL
 * byte of an abstract name written as the four characters "\000"). */
bool aa_profile_allows_unix(const aa_profile *p, const char *access, const char *type, const char *addr);
/* signal access ("send"/"receive") of a signal (AppArmor name, "term") to
 * or from a peer label (NULL: an unknown peer). */
bool aa_profile_allows_signal(const aa_profile *p, const char *access, const char *signal, const char *peer);
/* ptrace access ("trace", "read", "tracedby", "readby") with a peer. */
bool aa_profile_allows_ptrace(const aa_profile *p, const char *access, const char *peer);
/* Whether a mount-class rule (keyword "mount", "umount", "pivot_root")
 * allows anything, with no deny rule for the keyword. */
bool aa_profile_allows_mount(const aa_profile *p, const char *keyword);

/* Names AppArmor knows: capabilities, network families, socket types,
 * signals. */
bool aa_capability_known(const char *name);
bool aa_network_family_known(const char *name);
bool aa_socket_type_known(const char *name);
bool aa_signal_known(const char *name);
