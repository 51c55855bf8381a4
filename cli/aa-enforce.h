/* SPDX-License-Identifier: MIT */
/* `minpriv verify --enforce` with AppArmor: the profile enforced by the
 * kernel, not only matched against the trace.
 *
 * mp_aa_enforce_start() decides with libapparmor what this machine can do
 * (aa_is_enabled, the kernel's policy features, the privilege to load
 * policy, an apparmor_parser to compile with); where nothing can be done it
 * fails with a one-line reason. Otherwise it loads DIR/apparmor.profile
 * under a name of its own ("minpriv-verify-NAME", so that a production
 * profile called NAME is left alone; the profile's own peer=NAME rules are
 * renamed with it) with `apparmor_parser -r -T` (never the cache), and
 * remembers where the kernel log (/dev/kmsg) and the audit log end. The
 * tracer then puts the workload in that profile with aa_change_onexec()
 * right before execve. mp_aa_enforce_finish() reads the kernel's
 * apparmor="DENIED" records for that profile written since the start,
 * maps each to the rule that would allow it, and unloads the profile. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/strbuf.h"

typedef struct mp_aa_denial {
        char *operation; /* "open", "capable", "create", ... */
        char *what;      /* the path, capability, socket or signal denied */
        char *mask;      /* denied_mask / denied, as the kernel wrote it */
        char *comm;
        char *rule; /* the rule that would allow it, in apparmor.profile syntax */
        size_t count;
} mp_aa_denial;

typedef struct mp_aa_enforce {
        char *name;        /* the loaded profile: minpriv-verify-NAME */
        char *orig_name;   /* NAME in apparmor.profile */
        char *loaded_path; /* the renamed copy given to apparmor_parser */
        char *parser;
        int kmsg_fd; /* at the end of the kernel log when started; -1 if unreadable */
        char *audit_log;
        long long audit_offset;
        mp_aa_denial *d;
        size_t n;
        char *source; /* where the denials were read from */
} mp_aa_enforce;

/* Load dir/apparmor.profile for enforcement. Returns 0, or a negative errno
 * with *why set to one line saying what this machine lacks (the caller
 * prints it; the run is then audited against the trace only). */
int mp_aa_enforce_start(const char *dir, mp_aa_enforce **ret, char **why);
/* Collect the denials since the start (sorted, duplicates counted) and
 * unload the profile. */
void mp_aa_enforce_finish(mp_aa_enforce *e);
void mp_aa_enforce_free(mp_aa_enforce *e);
static inline void mp_aa_enforce_freep(mp_aa_enforce **e)
{
        mp_aa_enforce_free(*e);
}
#define _cleanup_mp_aa_enforce_ _cleanup_(mp_aa_enforce_freep)

/* The report section: the denials and the rules that would allow them. */
void mp_aa_enforce_report(strbuf *out, const mp_aa_enforce *e);
