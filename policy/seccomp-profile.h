/* SPDX-License-Identifier: MIT */
/* Docker seccomp profiles: read, compile and evaluate.
 *
 * The JSON that `docker run --security-opt seccomp=FILE`, podman, containerd
 * and CRI-O read. Three steps, each usable on its own:
 *
 *   mp_seccomp_profile_load*()    parse and check the document (any profile:
 *                              ours, Docker's default, hand-edited ones);
 *   mp_seccomp_program_compile()  turn it into the BPF program a container gets,
 *                              with the semantics podman (containers/common)
 *                              and runc apply: archMap expansion for the
 *                              native architecture, includes/excludes against
 *                              the container's capabilities, names resolved by
 *                              libseccomp (unknown ones skipped, as runc does),
 *                              conditions on the same argument index split
 *                              into separate rules, rules whose action is the
 *                              default dropped;
 *   mp_seccomp_program_eval*()    run that program on one syscall, exactly as the
 *                              kernel would (a classic-BPF interpreter over
 *                              struct seccomp_data).
 *
 * The names in a rule apply to every architecture of the filter: libseccomp
 * resolves each name per architecture. A Docker profile can therefore not
 * allow `read` for x86_64 code but not for i386 code of the same container;
 * per-ABI precision is a union.
 *
 * The parse step has no libseccomp dependency beyond name tables; the
 * program holds no libseccomp context (only the exported BPF), so it can be
 * kept and evaluated freely. Nothing here prints; errors come back in an
 * mp_error naming the file, with line:column for JSON syntax errors and the
 * JSON path (e.g. "syscalls[3].args[0].op") for shape errors.
 *
 * Not the same symbols as libseccomp's own seccomp_* API: everything here is
 * seccomp_profile_*, seccomp_program_*, seccomp_action_*, seccomp_env_*. */
#pragma once

#include <linux/filter.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace/trace.h"
#include "common/util.h"

/* Larger profiles are refused on load (Docker's default is ~20 KiB). */
#define SECCOMP_PROFILE_MAX_BYTES (64u * 1024u * 1024u)

typedef struct mp_seccomp_profile_arg {
        unsigned index;       /* 0..5 */
        uint64_t value;       /* datum_a: the value, or the mask for SCMP_CMP_MASKED_EQ */
        uint64_t value_two;   /* datum_b: the expected value for SCMP_CMP_MASKED_EQ */
        enum scmp_compare op; /* SCMP_CMP_NE .. SCMP_CMP_MASKED_EQ */
} mp_seccomp_profile_arg;

/* "includes" or "excludes" of a rule. Absent members are NULL / -1. */
typedef struct mp_seccomp_profile_cond {
        char **caps;          /* NULL-terminated */
        char **arches;        /* Go architecture names: "amd64", "x32", "arm64", ... */
        int min_kernel_major; /* "minKernel": "5.8" gives 5 and 8 */
        int min_kernel_minor;
} mp_seccomp_profile_cond;

/* One entry of "syscalls". */
typedef struct mp_seccomp_profile_rule {
        char **names; /* NULL-terminated; a "name" member gives a one-name list */
        size_t n_names;
        uint32_t action; /* libseccomp action, errno folded in as runc does: SCMP_ACT_ERRNO
                          * without errnoRet is EPERM, SCMP_ACT_TRACE without it is EPERM */
        bool has_errno_ret;
        unsigned errno_ret;
        mp_seccomp_profile_arg *args;
        size_t n_args;
        char *comment; /* NULL when absent */
        mp_seccomp_profile_cond includes;
        mp_seccomp_profile_cond excludes;
} mp_seccomp_profile_rule;

typedef struct mp_seccomp_profile_archmap {
        char *arch;        /* "SCMP_ARCH_X86_64" */
        char **sub_arches; /* NULL-terminated, maybe empty */
} mp_seccomp_profile_archmap;

typedef struct mp_seccomp_profile {
        char *source; /* the name used in messages (the file) */
        uint32_t default_action;
        bool has_default_errno_ret;
        unsigned default_errno_ret;
        char **architectures; /* NULL when absent */
        mp_seccomp_profile_archmap *arch_map;
        size_t n_arch_map;
        char **flags; /* "flags": SECCOMP_FILTER_FLAG_*; NULL when absent */
        mp_seccomp_profile_rule *rules;
        size_t n_rules;
        /* Things Docker accepts silently that are probably mistakes (unknown
         * members, rules without names), one sentence each, "where: what". */
        char **warnings;
} mp_seccomp_profile;

/* Parse a profile from memory. `name` names the source in messages. On
 * success *ret is a new profile (free with mp_seccomp_profile_free). On failure
 * returns -EINVAL (or -E2BIG for a too large buffer) and fills err:
 * line:column for JSON syntax errors (including duplicate keys), the JSON
 * path for shape errors (wrong types, unknown actions, operators or
 * architectures, an argument index above 5, errnoRet above 4095, "name" and
 * "names" together, "architectures" and "archMap" together). Member names
 * match case-insensitively when no exact match exists, as Go's JSON decoder
 * does; unknown members are ignored with a warning. Integers above 2^63-1
 * cannot be read (a limitation of the JSON library) and are reported. Safe
 * on any input: this is the fuzzing entry point. */
int mp_seccomp_profile_load_buffer(const char *data, size_t size, const char *name, mp_seccomp_profile **ret,
                                   mp_error *err);

/* Read and parse a file: mp_seccomp_profile_load_buffer() on its contents, with
 * the path as name. Unreadable files give their errno and a message naming
 * the file. */
int mp_seccomp_profile_load(const char *path, mp_seccomp_profile **ret, mp_error *err);

/* Free a profile; NULL is fine. */
void mp_seccomp_profile_free(mp_seccomp_profile *p);
static inline void mp_seccomp_profile_freep(mp_seccomp_profile **p)
{
        mp_seccomp_profile_free(*p);
}
#define _cleanup_mp_seccomp_profile_ _cleanup_(mp_seccomp_profile_freep)

/* The Docker spelling of an action without its data ("SCMP_ACT_ERRNO" for
 * SCMP_ACT_ERRNO(1)); NULL for values that are no action. */
const char *mp_seccomp_action_name(uint32_t action);
/* The data of an SCMP_ACT_ERRNO / SCMP_ACT_TRACE action (the errno), or -1
 * for other actions. */
int mp_seccomp_action_errno(uint32_t action);
/* The action without its data: SCMP_ACT_ERRNO(0) for any errno action. */
uint32_t mp_seccomp_action_base(uint32_t action);
/* An action for people: "SCMP_ACT_ERRNO(EPERM)", "SCMP_ACT_TRACE(7)",
 * "SCMP_ACT_ALLOW", or the hex value of a non-action. Free the result. */
char *mp_seccomp_action_describe(uint32_t action);

/* What a container looks like to the profile: podman and Docker filter the
 * rules by these before runc compiles them. */
typedef struct mp_seccomp_env {
        const char *arch;        /* Go name of the native architecture; NULL: "amd64" */
        const char *const *caps; /* the container's bounding set (NULL-terminated, Docker
                                  * spelling); NULL: Docker's default set */
        int kernel_major;        /* for minKernel; 0: the running kernel */
        int kernel_minor;
        bool runc_enosys; /* model runc's -ENOSYS stub: syscall numbers above the largest
                           * one the profile names (per architecture) return ENOSYS */
} mp_seccomp_env;

/* Docker's default capability set (NULL-terminated). */
extern const char *const mp_seccomp_docker_default_caps[];

typedef struct mp_seccomp_program mp_seccomp_program;

/* Compile a profile for a container described by env (NULL: the defaults
 * above) the way podman + runc do, through libseccomp, and keep the exported
 * BPF program. On success *ret is a new program (free with
 * mp_seccomp_program_free). Fails with -EINVAL and a message naming the rule
 * ("syscalls[4]") when runc would refuse the profile: SCMP_ACT_NOTIFY as the
 * default action, an architecture libseccomp does not know, conflicting
 * rules libseccomp rejects. Names libseccomp cannot resolve are skipped, as
 * runc does, and listed by mp_seccomp_program_unknown_names(). */
int mp_seccomp_program_compile(const mp_seccomp_profile *p, const mp_seccomp_env *env, mp_seccomp_program **ret,
                               mp_error *err);

void mp_seccomp_program_free(mp_seccomp_program *prog);
static inline void mp_seccomp_program_freep(mp_seccomp_program **p)
{
        mp_seccomp_program_free(*p);
}
#define _cleanup_mp_seccomp_program_ _cleanup_(mp_seccomp_program_freep)

/* Syscall names of the profile that libseccomp could not resolve and runc
 * therefore ignores (sorted, NULL-terminated, owned by the program). */
const char *const *mp_seccomp_program_unknown_names(const mp_seccomp_program *prog);

/* Indexes of the rules ("syscalls[i]") the environment left out through
 * includes/excludes/minKernel; *ret_n gets the count. Owned by the program. */
const size_t *mp_seccomp_program_skipped_rules(const mp_seccomp_program *prog, size_t *ret_n);

/* The BPF program the kernel would get (without runc's stub); *ret_len gets
 * the instruction count. Owned by the program. */
const struct sock_filter *mp_seccomp_program_bpf(const mp_seccomp_program *prog, size_t *ret_len);

/* What the program does to one syscall. */
typedef struct mp_seccomp_verdict {
        uint32_t ret;    /* the filter's return value (an SCMP_ACT_* value with its data) */
        uint32_t action; /* mp_seccomp_action_base(ret) */
        int errnum;      /* mp_seccomp_action_errno(ret): the errno for SCMP_ACT_ERRNO, else -1 */
} mp_seccomp_verdict;

/* Evaluate syscall number `nr` of `abi` (for x32 with the 0x40000000 bit, as
 * libseccomp numbers x32 syscalls) with arguments args (NULL: all zero; for
 * i386 only the low 32 bits reach the filter, as in the kernel). Runs the
 * compiled BPF over a struct seccomp_data, preceded by runc's -ENOSYS stub
 * when env.runc_enosys was set. Returns 0 and fills *ret; -EINVAL for an
 * unknown ABI or a program the kernel would reject (never for programs this
 * module compiled). This is the filter's answer; the kernel itself lets a
 * few calls bypass seccomp (x86_64 uretprobe and uprobe since Linux 6.14). */
int mp_seccomp_program_eval_nr(const mp_seccomp_program *prog, trace_abi abi, int nr, const uint64_t args[6],
                               mp_seccomp_verdict *ret);

/* The same by name: the name is resolved for the ABI through libseccomp
 * (for i386's socket calls, the direct syscall: socket is 359, not a
 * socketcall); -ENOENT when the ABI has no syscall of that name. */
int mp_seccomp_program_eval(const mp_seccomp_program *prog, trace_abi abi, const char *name, const uint64_t args[6],
                            mp_seccomp_verdict *ret);

/* The program runc loads into the kernel: runc's -ENOSYS stub (when the
 * program was compiled with env.runc_enosys and runc would add one) in front
 * of mp_seccomp_program_bpf(). Its answers are those of
 * mp_seccomp_program_eval_nr() for every syscall of x86_64, x32 and i386 (the
 * stub's other architectures cannot occur on an x86_64 kernel and are left
 * out). Returns 0 with a new array in *ret (free it) and its length in
 * *ret_len, or -E2BIG when the result exceeds the kernel's limit. */
int mp_seccomp_program_runc_bpf(const mp_seccomp_program *prog, struct sock_filter **ret, size_t *ret_len);

/* Run any classic-BPF seccomp program on one syscall of abi, as the kernel
 * would (for tests: the output of mp_seccomp_program_runc_bpf()). -EINVAL for
 * a program the kernel would refuse or an unknown ABI. */
int mp_seccomp_bpf_eval(const struct sock_filter *f, size_t len, trace_abi abi, int nr, const uint64_t args[6],
                        mp_seccomp_verdict *ret);

/* Every return value the program can give for syscall nr of abi, over all
 * possible argument values (arguments are treated as unknown; a value a path
 * already compared for equality is remembered, so contradictory paths are
 * not followed). Fills ret_rets (sorted, distinct) with up to `max` values
 * and *ret_n with the count; returns -E2BIG when the program has too many
 * paths to explore or more than `max` outcomes. */
int mp_seccomp_program_outcomes(const mp_seccomp_program *prog, trace_abi abi, int nr, uint32_t *ret_rets, size_t max,
                                size_t *ret_n);

/* Convenience on top of mp_seccomp_program_outcomes(): whether some argument
 * values make syscall nr of abi allowed (SCMP_ACT_ALLOW or SCMP_ACT_LOG).
 * *ret_always (if given) says whether every argument value does. Returns 1,
 * 0, or a negative errno. */
int mp_seccomp_program_allows(const mp_seccomp_program *prog, trace_abi abi, int nr, bool *ret_always);
