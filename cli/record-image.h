/* SPDX-License-Identifier: MIT */
/* record --image: recording inside a fresh container (record-image.c). */
#pragma once

#include <stdbool.h>

typedef struct record_image_options {
        const char *image;
        const char *engine; /* "docker" or "podman" */
        const char *user;   /* --user for the container, or NULL */
        char **engine_args; /* extra `ENGINE run` arguments (NULL-terminated, may be NULL) */
        char **record_args; /* options for the record inside (NULL-terminated, may be NULL) */
        bool quiet;         /* no summary line */
} record_image_options;

/* The static minpriv to mount into a container ($MINPRIV_STATIC, else
 * minpriv-static next to this program, else this program when it is
 * static): a new path, or NULL. */
char *record_image_static_binary(void);
/* `ENGINE run ... IMAGE record -o /.minpriv/out/trace.json ... -- CMD`:
 * the static binary bin mounted as the entrypoint, the host directory
 * scratch (writable by anyone) as /.minpriv/out. A new vector. */
char **record_image_argv(const record_image_options *o, const char *bin, const char *scratch, char *const *cmd);
/* Where record_image_argv's run leaves the trace, under scratch. */
#define RECORD_IMAGE_TRACE "trace.json"

/* Run CMD under `minpriv record` in a container of the image and save the
 * trace to output. Returns the exit status for main(). */
int record_in_image(const record_image_options *o, char *const *cmd, const char *output);
