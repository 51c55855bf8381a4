/* SPDX-License-Identifier: MIT */
/* NULL-terminated string vectors (char **): the one set of helpers for
 * them. NULL is the empty vector; the strings are owned by the vector
 * (strv_free frees both). Included by common/util.h, whose _cleanup_
 * _cleanup_strv_free_ uses. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

size_t strv_length(char *const *v);
/* Append s, owned by the vector from now on. */
void strv_push(char ***v, char *s);
/* Append a copy of s unless it is there already (a set of names). */
void strv_add(char ***v, const char *s);
bool strv_contains(char *const *v, const char *s);
/* Same strings in the same order (NULL equals the empty vector). */
bool strv_equal(char *const *a, char *const *b);
/* Sort by strcmp, in place. */
void strv_sort(char **v);
/* "a, b and 3 more": at most max entries (all when max is 0) joined by
 * sep. A new string. */
char *strv_join(char *const *v, const char *sep, size_t max);
/* A new json array of the strings. */
json_t *strv_to_json(char *const *v);

void strv_free(char **v);
static inline void strv_freep(char ***v)
{
        strv_free(*v);
}
#define _cleanup_strv_free_ _cleanup_(strv_freep)
