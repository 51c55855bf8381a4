/* SPDX-License-Identifier: MIT */
/* The generator: profiles from a trace, in three steps.
 *   1. gen_context_init: the name, the capabilities and the two profiles
 *      (seccomp.json, apparmor.profile) built once by gen_build_<file>,
 *      with the figures other files quote (gen_figures: the profile's size,
 *      the AppArmor rules) and the notes for stderr. Nothing after it
 *      changes the context.
 *   2. gen_output_build: every file, in memory, by the emitters
 *      (gen_emitters[], gen_emit_<file>): pure functions of the const
 *      context, in any order.
 *   3. gen_output_write: into a directory, every file claimed before any
 *      is replaced, so a failure never leaves a half-written set.
 * gen_generate does the three in one call: `generate` and diff's
 * regeneration are option parsing over it, `report` over report_generate
 * (report/report.h), which builds on the same context.
 *
 * Output is deterministic: the same traces (in any order) give the same
 * bytes. No timestamps, sorted names, stable indentation. */
#pragma once

#include <stdbool.h>

#include "common/strbuf.h"
#include "trace/trace.h"

typedef enum gen_runtime {
        GEN_RUNTIME_RUNC,
        GEN_RUNTIME_CRUN,
        GEN_RUNTIME_NONE,
        _GEN_RUNTIME_MAX,
} gen_runtime;

typedef enum gen_default_action {
        GEN_DEFAULT_ERRNO,  /* SCMP_ACT_ERRNO, errnoRet 1 (EPERM) */
        GEN_DEFAULT_ENOSYS, /* SCMP_ACT_ERRNO, errnoRet 38 */
        GEN_DEFAULT_KILL,   /* SCMP_ACT_KILL_PROCESS */
        GEN_DEFAULT_LOG,    /* SCMP_ACT_LOG: a complain-mode trial profile */
        _GEN_DEFAULT_MAX,
} gen_default_action;

/* A syscall to allow beyond the recording (generate --allow-gaps=related,
 * --portable), with the comment its seccomp rule carries. */
typedef struct gen_extra {
        trace_abi abi;
        char *name;
        char *comment;
        /* clone added for a recorded clone3: clone3's recorded namespace
         * flags are clone's filter */
        bool carry_flags;
} gen_extra;

typedef struct gen_options {
        const char *name; /* profile name; NULL: derived from the main program */
        gen_runtime runtime;
        gen_default_action default_action;
        const char *globs_file;    /* user AppArmor glob rules, or NULL */
        const char *templates_dir; /* NULL: the built-in search (see gen_templates_dir) */
        bool k8s;                  /* --format k8s: Kubernetes resources too */
        /* --spo-layout namespaced: the Security Profiles Operator before
         * v0.9 (namespaced SeccompProfile v1beta1 and AppArmorProfile
         * v1alpha1, files at operator/NAMESPACE/NAME.json); default: v0.9
         * and later (cluster-scoped, storage version v1, operator/NAME.json). */
        bool spo_namespaced;
        /* The value of @{WORKSPACE} in apparmor.profile (where a checkout
         * recorded with record --workspace lives where the profile is
         * enforced); NULL: /workspace. */
        const char *workspace_at;
        /* --dockerfile: checked into hardening.md and the report, or NULL. */
        const char *dockerfile;
        const gen_extra *extras; /* allowed beyond the recording (seccomp.json) */
        size_t nextras;
} gen_options;

/* A profile gen_context_init builds before any emitter: the text, or the
 * error building it gave. A profile that cannot be built is an error of
 * its file (and of the files made from it), not of the context: the
 * report still shows the rest. */
typedef struct gen_profile {
        char *text; /* NULL when rc < 0 */
        int rc;
        mp_error err;
} gen_profile;

/* The figures several files quote (hardening.md, the report), computed
 * once with the profiles; -1 when the profile could not be built. */
typedef struct gen_figures {
        int seccomp_syscalls;   /* syscall names seccomp.json allows */
        int apparmor_raw_paths; /* recorded paths apparmor.profile's file rules come from */
        int apparmor_rules;     /* its file rules */
} gen_figures;

/* What one generation run knows, shared by the emitters; filled by
 * gen_context_init, read only afterwards. */
typedef struct gen_context {
        const trace *t;
        const gen_options *opts;
        char *name;  /* the resolved profile name */
        char **caps; /* capabilities needed (sorted, NULL-terminated) */
        gen_profile seccomp, apparmor;
        gen_figures figures;
        strbuf notes;                      /* lines for stderr ("minpriv: ...") */
        struct gen_dockerfile *dockerfile; /* opts->dockerfile parsed and checked, or NULL */
} gen_context;

/* One output file: gen_emit_<file name, '.' and '/' as '_'>. */
typedef struct gen_emitter {
        const char *filename;
        /* Build the file's content; return 0 with *ret (new string), or a
         * negative errno with err filled. NULL `needed` = always. */
        int (*emit)(const gen_context *ctx, char **ret, mp_error *err);
        bool (*needed)(const gen_context *ctx);
} gen_emitter;

/* The emitters in output order; ends with a NULL filename. */
extern const gen_emitter gen_emitters[];

/* The files one run makes, in gen_emitters order (NULL content: not
 * needed with these options). */
typedef struct gen_output {
        const char *filenames[16];
        char *contents[16];
        size_t n;
        char *name;  /* the profile name (gen_generate) */
        char *notes; /* lines for stderr ("minpriv: ..."; gen_generate) */
} gen_output;

/* Every needed file in memory. Stops at the first emitter that fails (err
 * names its file). */
int gen_output_build(const gen_context *ctx, gen_output *ret, mp_error *err);
/* The content of one file of the output, or NULL. */
const char *gen_output_get(const gen_output *o, const char *filename);
/* Write the output into dir (made if missing): every destination claimed
 * before any file is replaced; each replaced atomically. */
int gen_output_write(const gen_output *o, const char *dir, mp_error *err);
void gen_output_free(gen_output *o);

/* The context of a trace: the name, the capabilities, the profiles and
 * their figures (see the top). Fails (err filled) for an empty trace, a
 * bad --name or --dockerfile; ctx is to be freed in every case. */
int gen_context_init(gen_context *ctx, const trace *t, const gen_options *opts, mp_error *err);
/* gen_context_init, and an error that names no file names trace_name (the
 * one trace the context was made from; NULL: none). */
int gen_context_init_named(gen_context *ctx, const trace *t, const gen_options *opts, const char *trace_name,
                           mp_error *err);
void gen_context_free(gen_context *ctx);

/* One generation: the context, every file in memory, and with dir (not
 * NULL) written there all or nothing. *ret has the files, the name and
 * the notes (free it with gen_output_free, also on failure). Errors about
 * the trace itself (nothing recorded, a bad option for it) name
 * trace_name when err names nothing else; an emitter's error names its
 * file. */
int gen_generate(const trace *t, const gen_options *opts, const char *trace_name, const char *dir, gen_output *ret,
                 mp_error *err);

/* Capabilities the trace shows as needed: every capability with a reason
 * whose call succeeded. Sorted, NULL-terminated, newly allocated. */
char **gen_caps_needed(const trace *t);

/* The profile name: --name, else the basename of the first run's program,
 * reduced to [A-Za-z0-9_.-] and prefixed "minpriv-". */
char *gen_default_name(const trace *t);

/* Where templates are read from: opts->templates_dir, $MINPRIV_TEMPLATES,
 * the installed data directory next to the executable (../share/minpriv/
 * templates from its bin directory), the source tree (for a build tree),
 * else the configured install directory. */
const char *gen_templates_dir(const gen_options *opts);

/* The hardening verdicts hardening.md gives, for other emitters (the
 * Kubernetes securityContext): who to run as, the writable mounts a
 * read-only root needs, no-new-privileges, limits (-1: not derived). */
typedef struct gen_hardening_mount {
        char *path;
        bool volume;       /* holds image files: a volume, else a tmpfs */
        bool exec;         /* something executed or mapped from it */
        char *volume_name; /* for volumes */
} gen_hardening_mount;

typedef struct gen_hardening {
        bool nonroot; /* feasible to run as uid:gid below */
        long long uid, gid;
        bool read_only; /* feasible with the mounts below */
        gen_hardening_mount *mounts;
        size_t n_mounts;
        bool nnp; /* no-new-privileges feasible */
        long long memory_mib, pids;
} gen_hardening;

int gen_hardening_plan(const gen_context *ctx, gen_hardening *ret);
void gen_hardening_free(gen_hardening *h);

/* Append s as a YAML double-quoted scalar (quotes and backslashes escaped,
 * control characters as \xHH): hardening.md's compose snippet and the
 * Kubernetes files. */
void gen_yaml_quoted(strbuf *sb, const char *s);

const char *gen_runtime_name(gen_runtime rt);
int gen_runtime_from_name(const char *name);
const char *gen_default_action_name(gen_default_action a);
int gen_default_action_from_name(const char *name);
