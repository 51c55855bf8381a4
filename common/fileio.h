/* SPDX-License-Identifier: MIT */
/* Atomic file replacement and whole-file reading. */
#pragma once

#include <stddef.h>
#include "common/util.h"

/* A file being written next to its final path. Nothing is visible at `path`
 * until atomic_file_commit() succeeds; atomic_file_abort() (or the cleanup)
 * removes the temporary file and leaves any previous file at `path` intact. */
typedef struct atomic_file {
        char *path;
        char *tmp_path;
        int fd;
        /* path is a device, FIFO or socket (-o /dev/null, /dev/stdout, a
         * pipe): written in place, never replaced by a regular file. */
        bool direct;
} atomic_file;

/* Create the temporary file now, so an unwritable destination is reported
 * before any work is done. mode is the final file mode (before umask). */
int atomic_file_open(atomic_file *af, const char *path, int mode);
/* Write all of data (retrying short writes). */
int atomic_file_write(atomic_file *af, const void *data, size_t n);
/* fsync, close and rename into place. On failure the temporary is removed. */
int atomic_file_commit(atomic_file *af);
void atomic_file_abort(atomic_file *af);
static inline void atomic_file_abortp(atomic_file *af)
{
        atomic_file_abort(af);
}
#define _cleanup_atomic_file_ _cleanup_(atomic_file_abortp)

/* Write data to path atomically in one call. */
int write_file_atomic(const char *path, const void *data, size_t n, int mode);

/* Read a whole file (up to max bytes; -EFBIG beyond) into a NUL-terminated
 * buffer. */
int read_file_full(const char *path, size_t max, char **ret_data, size_t *ret_size);

/* mkdir -p; 0 when it exists already as a directory. */
int mkdir_parents(const char *path, int mode);

/* Read the tab-separated table dir/name (up to 16 MiB) into a NULL-terminated
 * vector of its lines; comment lines (#) and empty lines are dropped. The
 * first comment starting "# from " gives *ret_origin (NULL: not wanted). A
 * line without a tab is an error (-EINVAL, the line quoted in err). */
int read_table_file(const char *dir, const char *name, char ***ret, char **ret_origin, mp_error *err);
