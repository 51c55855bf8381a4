/* SPDX-License-Identifier: MIT */
/* The AppArmor file permission each recorded access needs: one mapping,
 * shared by the profile emitter (apparmor.c) and `minpriv verify`. The
 * choices are documented at the top of apparmor.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "policy/apparmor-profile.h"
#include "trace/read.h"

typedef struct mp_aa_access {
        const char *key;          /* the trace's path (encoded), or the unix socket address */
        const char *kind;         /* access kind ("read", ...); "bind", "connect" or "sendto"
                                   * for a unix socket path of the network section */
        const char *result;       /* "ok" or an errno name */
        const trace_file *file;   /* the file; NULL when the files section lacks it */
        const trace_usage *usage; /* the programs and counts of this result */
        /* the raw bytes a rule must match: the object the path resolves to,
         * or the name itself for create, delete, rename, link and socket
         * paths; directories end in '/' */
        const char *name;
        size_t len;
        const char *path; /* the raw recorded path */
        size_t path_len;
        const char *resolved; /* the raw resolved path (the recorded one when no symlink) */
        size_t resolved_len;
        unsigned perms; /* AA_PERM_*; 0: no file permission (stat, chdir, mount) */
        bool granted;   /* the result needs the permission; false when the kernel
                         * refused the call before asking AppArmor */
        bool probe;     /* an ENOENT read probe (granted, see apparmor.c) */
        bool by_owner;  /* the node's by_owner: owner rules apply */
        bool unix_path; /* from the network section */
} mp_aa_access;

/* Call fn for every (path, kind, result) of the files section, in sorted
 * order, then for every unix socket path bound, connected or sent to.
 * Everything `a` points to lives until fn returns. Stops at the first
 * non-zero return of fn and returns it; -EINVAL with err filled for a
 * malformed path in the trace. */
int mp_aa_trace_accesses(const trace *t, int (*fn)(const mp_aa_access *a, void *ud), void *ud, mp_error *err);

/* Fill in one access from a->kind, a->result, a->path/path_len and
 * a->resolved/resolved_len (the path itself when no symlink) and the file's
 * type (may be NULL): perms, granted, probe, and the name a rule must match
 * (a new string, also returned in *ret_name for the caller to free). */
void mp_aa_access_fill(mp_aa_access *a, const char *type, char **ret_name);

/* The permissions of an access kind for a file of type `type` (the trace's
 * type, may be NULL); *ret_on_name: the access is to the name itself
 * rather than to the object it resolves to. 0 for stat, chdir, mount and
 * unknown kinds. */
unsigned mp_aa_kind_perms(const char *kind, const char *type, bool *ret_on_name);
