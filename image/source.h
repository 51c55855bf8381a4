/* SPDX-License-Identifier: MIT */
/* The root filesystem a minimal image is cut from: a directory, or a tar
 * archive of one (`docker export`). Both answer the same three questions
 * about a path inside the root, without following any symlink: what is
 * this name (image_source_lstat), what are a regular file's bytes
 * (image_source_open_content), and how big is the whole root
 * (image_source_totals). Resolving symlinks is the caller's job
 * (image/image.h does it as the container would, inside the root).
 *
 * The source is untrusted: a directory is walked one component at a time
 * from a descriptor of its root with O_NOFOLLOW (a symlink, or a directory
 * swapped for one, is never followed out of it); an archive is indexed,
 * never extracted (image/tar.h). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "image/tar.h"

typedef struct image_source image_source;

/* Open the root at path: a directory or a tar archive (told apart by the
 * first header's checksum). Errors name the path: not a directory or an
 * archive, unreadable, a corrupt archive (see tar_index_read). */
int image_source_open(const char *path, image_source **ret, mp_error *err);
void image_source_free(image_source *s);
static inline void image_source_freep(image_source **s)
{
        image_source_free(*s);
}
#define _cleanup_image_source_ _cleanup_(image_source_freep)

/* "directory" or "tar". */
const char *image_source_kind(const image_source *s);
const char *image_source_path(const image_source *s);

/* What the name at path is: path is absolute and normalised ("/usr/bin"),
 * "/" excluded. Returns 0 with *ret filled (the caller frees ret->link with
 * image_stat_done), -ENOENT when nothing has that name, -ENOTDIR when a
 * component before the last is not a directory, -ELOOP when it is a
 * symlink (the caller resolves symlinks itself), another negative errno
 * when the source cannot be read. */
int image_source_lstat(image_source *s, const char *path, image_stat *ret);

/* A regular file's bytes: size bytes at base of fd. */
typedef struct image_content {
        int fd;
        bool owned; /* fd is the content's own (closed by image_content_close) */
        uint64_t base, size;
} image_content;

/* Open the regular file at path (resolved like image_source_lstat). -EBUSY
 * when it is no longer what `expect` described (its type or size changed
 * since: a directory source being modified). */
int image_source_open_content(image_source *s, const char *path, const image_stat *expect, image_content *ret);
/* Read up to n bytes at off of the content (off + n <= size); returns the
 * bytes read or a negative errno. */
ssize_t image_content_pread(const image_content *c, void *buf, size_t n, uint64_t off);
void image_content_close(image_content *c);

/* Sizes of a root filesystem or image. */
typedef struct image_totals {
        uint64_t files;    /* names that are not directories */
        uint64_t dirs;     /* directories */
        uint64_t symlinks; /* of the files, symlinks */
        uint64_t bytes;    /* sizes of the regular files */
} image_totals;

/* The whole source except what is under /proc, /sys and /dev (the
 * runtime's): every name counted once per path (a hard link twice, as an
 * archive holds it). */
int image_source_totals(image_source *s, image_totals *ret, mp_error *err);
