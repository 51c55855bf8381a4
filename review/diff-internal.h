/* SPDX-License-Identifier: MIT */
/* The diff result model (diff-result.c), private to review/: what diff.c,
 * diff-seccomp.c and diff-apparmor.c build their items with. */
#pragma once

#include "review/diff.h"
#include "common/strbuf.h"

/* A new item of d (zeroed but for the fields given); sort is copied. */
diff_item *diff_add(diff_result *d, diff_class cls, diff_file file, const char *sort);
/* Set the line: pre + subject + post (copied; NULL for empty). */
void diff_item_line(diff_item *it, const char *pre, const char *subject, const char *post);
/* Items with equal group_pre/group_post show as one line (copied). */
void diff_item_group(diff_item *it, const char *group_pre, const char *group_post);
/* Append a note line (owned by the item from now on). */
void diff_item_note(diff_item *it, char *note);
/* A general remark (owned from now on). */
void diff_note(diff_result *d, char *note);
