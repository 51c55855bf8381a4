/* SPDX-License-Identifier: MIT */
/* The diff result model: items, their lines, groups and notes. Used by
 * diff.c, diff-seccomp.c and diff-apparmor.c through diff-internal.h;
 * depends on nothing else of the review library, so the comparisons and
 * the command's driver (diff.c) no longer include each other. */
#include <string.h>

#include "review/diff-internal.h"

diff_result *diff_result_new(const char *old_name, const char *new_name, const char *input)
{
        diff_result *d = xcalloc(1, sizeof *d);
        d->old_name = xstrdup(old_name);
        d->new_name = xstrdup(new_name);
        d->input = input;
        return d;
}

void diff_result_free(diff_result *d)
{
        if (!d)
                return;
        for (size_t i = 0; i < d->n; i++) {
                diff_item *it = &d->items[i];
                free(it->sort);
                free(it->pre);
                free(it->subject);
                free(it->post);
                free(it->group_pre);
                free(it->group_post);
                strv_free(it->notes);
                json_decref(it->detail);
        }
        free(d->items);
        strv_free(d->notes);
        free(d->old_name);
        free(d->new_name);
        free(d);
}

diff_item *diff_add(diff_result *d, diff_class cls, diff_file file, const char *sort)
{
        if (d->n == d->cap) {
                d->cap = d->cap ? 2 * d->cap : 16;
                d->items = xrealloc(d->items, d->cap * sizeof *d->items);
        }
        diff_item *it = &d->items[d->n++];
        memset(it, 0, sizeof *it);
        it->cls = cls;
        it->file = file;
        it->sort = xstrdup(sort ? sort : "");
        return it;
}

void diff_item_line(diff_item *it, const char *pre, const char *subject, const char *post)
{
        it->pre = xstrdup(pre ? pre : "");
        it->subject = xstrdup(subject ? subject : "");
        it->post = xstrdup(post ? post : "");
}

void diff_item_group(diff_item *it, const char *group_pre, const char *group_post)
{
        it->group_pre = xstrdup(group_pre ? group_pre : "");
        it->group_post = xstrdup(group_post ? group_post : "");
}

void diff_item_note(diff_item *it, char *note)
{
        strv_push(&it->notes, note);
}

void diff_note(diff_result *d, char *note)
{
        strv_push(&d->notes, note);
}

size_t diff_count(const diff_result *d, diff_class cls)
{
        size_t n = 0;
        for (size_t i = 0; i < d->n; i++)
                n += d->items[i].cls == cls;
        return n;
}

bool diff_widens(const diff_result *d)
{
        return diff_count(d, DIFF_WIDEN) > 0;
}
