/* SPDX-License-Identifier: MIT */
/* `minpriv image`'s import and proof (image-proof.c): the Docker Engine
 * asked whether it answers, the tarball imported, the workload run in the
 * image under its profiles, and a failed run's missing files named. */
#pragma once

#include <stdbool.h>

#include "image/findings.h"
#include "trace/trace.h"

/* Whether the engine's daemon answers (`ENGINE version`); else *ret_why
 * (new) says why not. */
bool proof_engine_answers(const char *engine, char **ret_why);

/* `ENGINE import [--change CMD [...]] TARBALL TAG`; cmd (may be NULL) is
 * the image's CMD. Returns 0, or -1 with *ret_error (new) holding the
 * engine's last line. */
int proof_import(const char *engine, const char *tarball, const char *tag, char *const *cmd, char **ret_error);

typedef struct proof_setup {
        const char *engine;
        const char *tag;
        char **options;        /* `ENGINE run` options: read-only, capabilities, seccomp, mounts ... */
        char **diag_options;   /* the same without the seccomp profile, for the recorded rerun */
        const char *user;      /* the --user in options, or NULL */
        char **tmpfs;          /* the directories mounted empty (tmpfs) */
        int timeout;           /* seconds per run */
        const trace *recorded; /* what the original runs used */
        bool quiet;
} proof_setup;

/* Run argv in the image; ret gets the status, whether it passed (exit
 * status `expected`, in time) and, when it did not, the missing files and
 * how they were found: the dynamic loader's message, a rerun recorded by
 * the static minpriv inside the same image (the paths the original run
 * used that the rerun found missing), else the "No such file" lines of
 * the output. A failure is printed with the end of the output. Returns 0,
 * or a negative errno when the engine cannot be run. */
int proof_run(const proof_setup *s, char *const *argv, int expected, image_proof_run *ret);
