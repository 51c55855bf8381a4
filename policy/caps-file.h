/* SPDX-License-Identifier: MIT */
/* Reading a caps.txt back (for `minpriv diff`): one capability a line in
 * Docker's spelling, '#' starts a comment. Also accepted, as Docker does:
 * lower case and names without the CAP_ prefix (kept normalised to
 * "CAP_NAME"). The comment lines that follow a capability line are kept as
 * its reasons (without the '#' and the leading blanks); header comments
 * before the first capability are ignored. */
#pragma once

#include <stddef.h>

#include "common/util.h"

typedef struct caps_file_entry {
        char *name;     /* "CAP_NET_BIND_SERVICE" */
        char **reasons; /* NULL-terminated, possibly empty */
        int line;       /* where it was listed (1-based) */
} caps_file_entry;

typedef struct caps_file {
        caps_file_entry *caps; /* sorted by name, no duplicates */
        size_t n;
} caps_file;

/* Parse a caps.txt held in memory; `name` is used in error messages, which
 * give line:column (1-based, in bytes). Refused: unknown capability names,
 * "ALL", a name listed twice, text after a name that is not a comment, NUL
 * bytes. Returns 0 and a new caps_file in *ret, or a negative errno with err
 * filled; *ret is untouched on failure. */
int caps_file_parse(const char *data, size_t size, const char *name, caps_file **ret, mp_error *err);
/* The same from a file. */
int caps_file_load(const char *path, caps_file **ret, mp_error *err);
/* Whether the file lists `cap` ("CAP_X" or any accepted spelling). */
bool caps_file_has(const caps_file *cf, const char *cap);
void caps_file_free(caps_file *cf);
static inline void caps_file_freep(caps_file **cf)
{
        caps_file_free(*cf);
}
#define _cleanup_caps_file_ _cleanup_(caps_file_freep)
