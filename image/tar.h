/* SPDX-License-Identifier: MIT */
/* Tar archives, both ways, without libarchive: what `minpriv image` needs
 * to read an image exported with `docker export` (or any ustar, pax or GNU
 * tar) and to write the minimal root filesystem that `docker import` takes.
 *
 * Reading builds an index of the archive in memory (names, metadata and
 * where each member's data starts), never extracting anything: a member
 * named "../x" or "/etc/passwd" cannot reach the disk. Names are
 * normalised to absolute paths inside the archive ("./usr//bin/" ->
 * "/usr/bin"); a name with a ".." component is refused, as are corrupt
 * headers (bad checksum, bad numbers), members running past the end, and
 * kinds this reader does not model (GNU sparse files, multi-volume parts).
 * A later member of the same name replaces an earlier one, as extraction
 * would; a hard link becomes a copy of the member it names (which must
 * come before it); directories the archive leaves implicit are added
 * (mode 0755, owner 0:0, mtime 0).
 *
 * Writing is deterministic: the caller passes members in the order it
 * wants (sorted), every header is POSIX ustar with numeric owners only
 * (no user or group names), a pax extended header carries what ustar
 * cannot hold (long names and link targets, large ids, sizes and times),
 * and the archive ends with two zero blocks padded to a 10240-byte record,
 * as GNU tar writes it. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/hashmap.h"
#include "common/sha256.h"
#include "common/util.h"

typedef enum image_type {
        IMAGE_FILE,
        IMAGE_DIR,
        IMAGE_SYMLINK,
        IMAGE_CHAR,
        IMAGE_BLOCK,
        IMAGE_FIFO,
        IMAGE_SOCKET, /* in a directory source only; not representable in tar */
        _IMAGE_TYPE_MAX,
} image_type;

/* "file", "directory", "symlink" ... */
const char *image_type_name(image_type t);

/* What a root filesystem says about one name (not following it). */
typedef struct image_stat {
        image_type type;
        uint32_t mode; /* permission, set-id and sticky bits (07777) */
        uint64_t uid, gid;
        int64_t mtime; /* seconds */
        uint64_t size; /* regular files; 0 otherwise */
        char *link;    /* symlink target (raw bytes, new), else NULL */
        uint32_t devmajor, devminor;
} image_stat;

void image_stat_done(image_stat *st);
/* A deep copy (the link duplicated). */
void image_stat_copy(image_stat *dst, const image_stat *src);

/* --- reading --- */

typedef struct tar_member {
        char *path; /* normalised, absolute ("/usr/bin/sh") */
        image_stat st;
        uint64_t offset; /* of the data in the archive (regular files) */
} tar_member;

typedef struct tar_index {
        tar_member **members; /* in archive order, replaced ones dropped */
        size_t n, cap;
        hashmap *by_path; /* path -> tar_member* (borrowed) */
} tar_index;

/* Reads n bytes at off of the archive into buf; returns the bytes read (0
 * at the end), or a negative errno. */
typedef ssize_t (*tar_pread_fn)(void *ud, void *buf, size_t n, uint64_t off);

/* Index the archive of `size` bytes that rd reads; `name` is used in error
 * messages ("NAME: member 'x': ..."). Returns 0 and a new index in *ret,
 * or a negative errno with err filled (*ret untouched). */
int tar_index_read(tar_pread_fn rd, void *ud, uint64_t size, const char *name, tar_index **ret, mp_error *err);
/* The member at an absolute normalised path, or NULL. */
const tar_member *tar_index_get(const tar_index *x, const char *path);
void tar_index_free(tar_index *x);

/* Whether the first block looks like a tar header (a valid checksum):
 * how a source that is a file is told from other files. */
bool tar_probe(tar_pread_fn rd, void *ud, uint64_t size);

/* --- writing --- */

typedef struct tar_writer {
        int fd;
        uint64_t bytes;   /* written so far */
        uint64_t pending; /* data bytes the current member still needs */
        uint64_t member;  /* data size of the current member */
        sha256_ctx sha;   /* of everything written */
} tar_writer;

void tar_writer_init(tar_writer *w, int fd);
/* The header(s) of one member: path is absolute ("/usr/bin/sh"; "/" is
 * not a member). A regular file's data (st->size bytes) follows through
 * tar_write_data. Returns 0 or a negative errno (-ENAMETOOLONG for a path
 * over PATH_MAX, -EINVAL for a type tar cannot hold). */
int tar_write_header(tar_writer *w, const char *path, const image_stat *st);
int tar_write_data(tar_writer *w, const void *buf, size_t n);
/* The end of the archive (after the last member's data is complete):
 * returns 0 with the archive's SHA-256 in ret_sha256 and its size in
 * *ret_bytes; -EINVAL if a member's data is incomplete. */
int tar_write_end(tar_writer *w, uint8_t ret_sha256[32], uint64_t *ret_bytes);
