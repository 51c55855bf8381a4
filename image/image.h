/* SPDX-License-Identifier: MIT */
/* A minimal root filesystem from a recording (`minpriv image`): exactly
 * what the workload used, cut from a source root (image/source.h), as a
 * deterministic tarball for `docker import`.
 *
 * What goes in (docs/image.md has the reasoning):
 * - every path with a successful read, exec, mmap_exec, lock, stat, list
 *   or chdir access that the workload did not create itself; with a
 *   successful write, append, attr, delete or rename, when it existed
 *   before the workload started (the trace gives it a type);
 * - the directories the workload created names in (create, link, the
 *   names it deleted or renamed), without their contents; the mount
 *   points of the directories the container mounts over (`scratch`: the
 *   tmpfs mounts of hardening.md, e.g. /tmp), empty; /proc, /sys and /dev
 *   as empty mount points;
 * - for each of those, every directory and symlink on the way, resolved
 *   in the source as the container will see it: an absolute link target
 *   is relative to the source's root, ".." stops at the root, nothing is
 *   followed out of it (at most 40 links per path, as the kernel);
 * - the program interpreter (PT_INTERP: the dynamic loader) of every
 *   executed or mapped ELF file (the kernel maps it without a path the
 *   loader's own opens show).
 * What stays out: failed accesses (ENOENT probes), anything under /proc,
 * /sys and /dev, the contents of the scratch directories, what the
 * workload created, sockets, and what `exclude` names.
 *
 * Entries keep the source's modes, owners and modification times; the
 * archive is sorted by path, so the same traces and source give the same
 * bytes. */
#pragma once

#include "image/source.h"
#include "trace/trace.h"

typedef struct image_options {
        /* Paths left out with everything below them (NULL-terminated, may
         * be NULL), matched against the image's real paths (after
         * symlinks) and the names that lead to them. */
        char *const *exclude;
        /* Directories the container mounts over: kept (empty), nothing
         * below them taken from the source. */
        char *const *scratch;
} image_options;

typedef struct image_entry {
        char *path; /* absolute, raw bytes */
        image_stat st;
        bool synthetic; /* a mount point made here, not taken from the source */
} image_entry;

/* A recorded path that did not make it into the image, and why. */
typedef struct image_note {
        char *path; /* as recorded (raw bytes) */
        char *why;
} image_note;

typedef struct image_plan {
        image_entry *entries; /* sorted by path */
        size_t n;
        image_note *missing; /* used as recorded, not in the source (sorted) */
        size_t nmissing;
        image_note *excluded; /* left out by options->exclude (sorted) */
        size_t nexcluded;
        size_t workspace_paths; /* recorded under @{WORKSPACE}: not paths of an image */
        image_totals totals;    /* of the entries */
} image_plan;

/* Decide the image's entries from the trace and the source. Fails only
 * when the source cannot be read (err names the path); what the source
 * lacks is listed in ret->missing. */
int image_plan_build(const trace *t, image_source *src, const image_options *o, image_plan *ret, mp_error *err);
void image_plan_free(image_plan *p);
/* The entry at a path, or NULL. */
const image_entry *image_plan_get(const image_plan *p, const char *path);

/* Write the plan as a tar archive to fd (entries in order, regular files'
 * bytes from the source). Returns 0 with the archive's SHA-256 and size;
 * err names the source path that could not be read or changed meanwhile. */
int image_write_tar(const image_plan *p, image_source *src, int fd, uint8_t ret_sha256[32], uint64_t *ret_bytes,
                    mp_error *err);

/* The program interpreter an ELF file names (PT_INTERP), read from the
 * source: a new string, or NULL when the file is not a dynamically linked
 * ELF file (or cannot be read). */
char *image_elf_interp(image_source *src, const char *path, const image_stat *st);
