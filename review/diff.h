/* SPDX-License-Identifier: MIT */
/* `minpriv diff`: a semantic comparison of two sets of profiles (two
 * profile directories, two files of one kind, or two traces), for review.
 *
 * Every difference is one item with a class: WIDEN (NEW grants something
 * OLD did not), NARROW (OLD granted something NEW does not), CHANGE
 * (neither: e.g. EPERM became ENOSYS, or an added rule OLD already
 * covered) and, for traces, RECORDED (a recorded fact that came or went:
 * evidence, not a privilege). How each kind of profile is compared is
 * documented in docs/diff-format.md; the three output formats (text,
 * markdown, json) are built here, the command only prints them.
 *
 * Deterministic: items are sorted (class, file, then a per-file order),
 * names are sorted, nothing depends on hash order or time. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/util.h"

typedef enum diff_class {
        DIFF_WIDEN,
        DIFF_NARROW,
        DIFF_CHANGE,
        DIFF_RECORDED,
        _DIFF_CLASS_MAX,
} diff_class;

typedef enum diff_file {
        DIFF_FILE_SECCOMP,  /* seccomp.json */
        DIFF_FILE_APPARMOR, /* apparmor.profile */
        DIFF_FILE_CAPS,     /* caps.txt */
        DIFF_FILE_TRACE,    /* facts of the traces */
        _DIFF_FILE_MAX,
} diff_file;

typedef struct diff_item {
        diff_class cls;
        diff_file file;
        bool added; /* RECORDED: the fact is new in NEW (else it is gone) */
        char *sort; /* order within the file */
        /* The line for people: pre + subject + post. Items of one class and
         * file with the same non-NULL group_pre/group_post are shown as one
         * line: group_pre + subjects (sorted, ", ") + group_post. */
        char *pre, *subject, *post;
        char *group_pre, *group_post;
        char **notes;   /* further lines (reasons, covering rules), may be NULL */
        json_t *detail; /* the item in the json format (an object; owned) */
} diff_item;

typedef struct diff_result {
        char *old_name, *new_name;
        const char *input; /* "directory", "seccomp", "apparmor", "caps", "trace" */
        diff_item *items;
        size_t n, cap;
        char **notes; /* general remarks (files missing on one side...), sorted */
} diff_result;

/* Compare OLD and NEW (paths: directories, profiles or traces; both of the
 * same kind). Returns 0 with a new result in *ret, or a negative errno with
 * err filled (unreadable inputs, kinds that differ, parse errors with
 * file:line:column, profiles runc would refuse). */
int diff_paths(const char *old_path, const char *new_path, diff_result **ret, mp_error *err);

void diff_result_free(diff_result *d);
static inline void diff_result_freep(diff_result **d)
{
        diff_result_free(*d);
}
#define _cleanup_diff_result_ _cleanup_(diff_result_freep)

/* Whether NEW grants anything OLD did not. */
bool diff_widens(const diff_result *d);
size_t diff_count(const diff_result *d, diff_class cls);

/* The result as text (colour: ANSI colours for a terminal), as markdown
 * for a review comment, or as the stable json document of
 * docs/diff-format.md. New strings. */
char *diff_format_text(const diff_result *d, bool colour);
/* The markdown (for a pull-request comment): the counts and a table per
 * file first, then each class in a <details> section (widenings open).
 * max_chars > 0: at most that many bytes, cut at a line end, with a
 * closing note naming where the full diff is (`full`, or the CI job's
 * artifact when NULL). */
char *diff_format_markdown(const diff_result *d, size_t max_chars, const char *full);
char *diff_format_json(const diff_result *d);

/* --- building blocks, also used by the fuzz harness --- */
struct mp_seccomp_profile;
struct mp_aa_profile;
struct caps_file;
/* Add the differences of two parsed profiles of one kind to d. */
int diff_seccomp_profiles(diff_result *d, const struct mp_seccomp_profile *old, const struct mp_seccomp_profile *new,
                          mp_error *err);
int diff_apparmor_profiles(diff_result *d, const struct mp_aa_profile *old, const struct mp_aa_profile *new);
void diff_caps_files(diff_result *d, const struct caps_file *old, const struct caps_file *new);
diff_result *diff_result_new(const char *old_name, const char *new_name, const char *input);
