/* SPDX-License-Identifier: MIT */
/* What `minpriv image` found, as image.json (format "minpriv-image",
 * docs/image.md): the source's and the image's size and file count, the
 * recorded paths the source lacked or --exclude left out, the import, and
 * the proof (the workload run in the image under its profiles). The
 * command writes it next to the profiles; `minpriv report --image` reads
 * it back. Paths and argv strings are encoded as in the trace
 * (trace_path_encode); the file has sorted keys and no timestamps.
 *
 * Also here, the pure half of the proof's diagnosis: naming the file a
 * failed run missed, from the dynamic loader's message, from a recording
 * of the failed run compared with the original one, or from "No such file
 * or directory" lines of its output. */
#pragma once

#include <stdbool.h>

#include "image/image.h"
#include "trace/trace.h"

#define IMAGE_FINDINGS_FORMAT  "minpriv-image"
#define IMAGE_FINDINGS_VERSION 1

typedef enum image_proof_result {
        IMAGE_PROOF_NOT_RUN,
        IMAGE_PROOF_PASSED,
        IMAGE_PROOF_FAILED,
        _IMAGE_PROOF_MAX,
} image_proof_result;

/* "not run", "passed", "failed" */
const char *image_proof_result_name(image_proof_result r);

typedef struct image_proof_run {
        char **argv;     /* raw bytes */
        int expected;    /* the exit status it must end with (the recorded one) */
        int status;      /* the one it had */
        bool timed_out;  /* killed after the timeout */
        bool passed;     /* status == expected, in time */
        char **missing;  /* files named as missing (raw paths), sorted */
        char *diagnosis; /* how they were named, or why none was; NULL when it passed */
} image_proof_run;

typedef struct image_findings {
        char *source;      /* as given (raw) */
        char *source_kind; /* "directory" or "tar" */
        image_totals before, after;
        char *tarball; /* as given (raw) */
        uint64_t tarball_bytes;
        char sha256[65];
        char *tag; /* the image imported, or NULL */
        image_note *missing;
        size_t nmissing;
        image_note *excluded;
        size_t nexcluded;
        size_t workspace_paths;
        image_proof_result proof;
        char *proof_note; /* why it was not run; or the engine's run line summary */
        char **options;   /* the `docker run` options of the proof runs */
        image_proof_run *runs;
        size_t nruns;
} image_findings;

/* image.json's text (a new string, final newline). */
char *image_findings_json(const image_findings *f);
/* Read image.json from memory or a file: 0 and *ret filled, or -EINVAL
 * with err naming the file and, for a shape error, the member. */
int image_findings_parse(const char *data, size_t size, const char *name, image_findings *ret, mp_error *err);
int image_findings_load(const char *path, image_findings *ret, mp_error *err);
void image_findings_free(image_findings *f);

/* The library the dynamic loader could not find ("libpcre2-8.so.0" from
 * "error while loading shared libraries: libpcre2-8.so.0: cannot open
 * shared object file"), a new string, or NULL. */
char *image_loader_missing(const char *output);
/* A recorded path whose last component is name and that was read or
 * mapped successfully (the library's path in the original run): a new raw
 * path, or NULL. */
char *image_recorded_path(const trace *t, const char *name);
/* Files the rerun (recorded in the image) found missing — ENOENT, ENOTDIR
 * or ELOOP and never ok — that the original run used successfully: raw
 * paths, sorted, NULL-terminated (NULL when none). */
char **image_missing_between(const trace *original, const trace *rerun);
/* Absolute paths the output says were missing ("PATH: No such file or
 * directory", "can't open 'PATH'", "PATH: not found"): sorted, unique. */
char **image_output_missing(const char *output);
