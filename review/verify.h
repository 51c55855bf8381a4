/* SPDX-License-Identifier: MIT */
/* `minpriv verify`: a recorded run checked against existing profiles.
 *
 * The command runs the workload under the tracer (with stacks) and hands
 * the trace here. Every recorded syscall is evaluated in seccomp.json as
 * runc compiles it for the container caps.txt describes (--cap-drop ALL
 * plus caps.txt; Docker's default capabilities without a caps.txt), with
 * runc's -ENOSYS stub, and with the recorded argument values where the
 * profile filters arguments; every file access the trace records is asked
 * of apparmor.profile with the permission generate would give it
 * (apparmor-access.h), as are the capabilities and socket families; every
 * capability the trace shows as needed must be in caps.txt. Each violation
 * names the programs, counts and the first stack, and says what to add. */
#pragma once

#include <linux/filter.h>
#include <stdbool.h>

#include "policy/apparmor-profile.h"
#include "policy/caps-file.h"
#include "policy/seccomp-profile.h"
#include "common/strbuf.h"
#include "trace/read.h"

typedef struct verify_profiles {
        char *dir;
        mp_seccomp_profile *sp; /* NULL when DIR has no seccomp.json */
        mp_seccomp_program *prog;
        mp_aa_profile *aa;                         /* NULL when DIR has no apparmor.profile */
        caps_file *caps;                           /* NULL when DIR has no caps.txt */
        char **container_caps;                     /* the container's capabilities the seccomp rules see */
        struct hashmap *sys_state[_TRACE_ABI_MAX]; /* cache of verify_denies_syscall() */
} verify_profiles;

/* Read DIR/seccomp.json, DIR/apparmor.profile and DIR/caps.txt (those
 * present; at least one must be) and compile the seccomp profile. Errors
 * name the file (line:column for syntax errors). */
int verify_profiles_load(const char *dir, verify_profiles **ret, mp_error *err);
void verify_profiles_free(verify_profiles *p);
static inline void verify_profiles_freep(verify_profiles **p)
{
        verify_profiles_free(*p);
}
#define _cleanup_verify_profiles_ _cleanup_(verify_profiles_freep)

/* The program `--enforce` loads: what runc would load for the profile
 * (mp_seccomp_program_runc_bpf). -ENOENT when there is no seccomp.json. */
int verify_enforce_filter(const verify_profiles *p, struct sock_filter **ret, size_t *ret_len, mp_error *err);

/* Would the profiles refuse this? Cheap questions (the syscall answer is
 * cached per name), for taking stacks only where a violation will show
 * them: a syscall with its arguments, one access of a file (path and
 * resolved encoded as in the trace, type as in the trace or NULL), a
 * capability the workload uses ("CAP_CHOWN"). */
bool verify_denies_syscall(verify_profiles *p, trace_abi abi, const char *name, const uint64_t args[6]);
bool verify_denies_file(const verify_profiles *p, const char *path, const char *resolved, const char *type,
                        const char *kind, const char *result, bool by_owner);
bool verify_denies_capability(const verify_profiles *p, const char *cap);

/* The first stack a program recorded for a violation (borrowed from the
 * trace). */
typedef struct verify_stack {
        const char *program;
        const trace_stack *stack;
} verify_stack;

typedef struct verify_violation {
        const char *file;         /* "seccomp.json", "apparmor.profile" or "caps.txt" */
        char *what;               /* "x86_64 socket(AF_INET6 SOCK_STREAM 0)", "read /etc/hosts", "CAP_CHOWN" */
        char *why;                /* what the profile answers / lacks */
        char *fix;                /* one line: what to add */
        const trace_usage *usage; /* the programs and counts (borrowed from the trace), or NULL */
        verify_stack *stacks;     /* per program, the first stack (new array, may be empty) */
        size_t nstacks;
        char *results;  /* the results recorded ("EPERM 2, ok 1"), NULL if none */
        char *rule;     /* the rule to add, as a profile line without the comma
                         * ("owner /tmp/sort?????? rw"); the summary groups by it */
        char *rule_why; /* why the rule is a glob (NULL: a literal path) */
        /* internal: the rule's pattern and permissions before grouping */
        char *pattern;
        unsigned perms;
        bool owner;
} verify_violation;

typedef struct verify_report {
        verify_violation *v;
        size_t n;
        char **checked; /* what was checked, one phrase each */
        char **notes;   /* what could not be checked, and why */
} verify_report;

/* Check the trace against the profiles. Returns 0 with a new report
 * (violations sorted by file, then as found in sorted trace order). */
int verify_check(const verify_profiles *p, const trace *t, verify_report **ret, mp_error *err);
void verify_report_free(verify_report *r);
static inline void verify_report_freep(verify_report **r)
{
        verify_report_free(*r);
}
#define _cleanup_verify_report_ _cleanup_(verify_report_freep)

/* The report as text: first a summary, one line per rule to add with the
 * number of violations it covers (file rules generalised as generate
 * would: apparmor-evidence.h), then each violation. */
void verify_report_text(strbuf *out, const verify_report *r, const verify_profiles *p, bool enforced);
