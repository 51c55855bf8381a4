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

/* Run CMD under `minpriv record` in a container of the image and save the
 * trace to output. Returns the exit status for main(). */
int record_in_image(const record_image_options *o, char *const *cmd, const char *output);
