/* SPDX-License-Identifier: MIT */
/* A streaming JSON text writer whose output is byte-identical to jansson's
 * json_dumps(..., JSON_INDENT(1) | JSON_SORT_KEYS) for the same values
 * (the caller emits keys in sorted order). Used to write large trace
 * sections without building a tree. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSONW_MAX_DEPTH 64

typedef struct jsonw {
        FILE *f;
        int depth;
        bool first[JSONW_MAX_DEPTH]; /* nothing written yet at this level */
        bool after_key;              /* a key was written, its value is next */
} jsonw;

/* Start writing at `depth` (the nesting level of the first value). */
void jsonw_init(jsonw *w, FILE *f, int depth);
void jsonw_object_begin(jsonw *w);
void jsonw_object_end(jsonw *w);
void jsonw_array_begin(jsonw *w);
void jsonw_array_end(jsonw *w);
void jsonw_key(jsonw *w, const char *key);
void jsonw_string(jsonw *w, const char *s);
void jsonw_int(jsonw *w, long long v);
void jsonw_bool(jsonw *w, bool v);
/* Write a jansson value (any depth) at the current position. */
struct json_t;
void jsonw_value(jsonw *w, struct json_t *v);
/* Escape like jansson: \" \\ \b \f \n \r \t, other controls as \u00XX. */
void jsonw_escaped(FILE *f, const char *s);
