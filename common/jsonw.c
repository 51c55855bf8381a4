/* SPDX-License-Identifier: MIT */
#include "common/jsonw.h"

#include <jansson.h>
#include <string.h>

#include "common/util.h"

void jsonw_init(jsonw *w, FILE *f, int depth)
{
        memset(w, 0, sizeof *w);
        w->f = f;
        w->depth = depth;
}

static void indent(jsonw *w, int depth)
{
        fputc('\n', w->f);
        for (int i = 0; i < depth; i++)
                fputc(' ', w->f);
}

/* Before a value or a key: the separator and indentation it needs. */
static void prefix(jsonw *w)
{
        if (w->after_key) {
                w->after_key = false;
                return;
        }
        if (w->depth == 0 || w->depth >= JSONW_MAX_DEPTH)
                return;
        if (!w->first[w->depth])
                fputc(',', w->f);
        w->first[w->depth] = false;
        indent(w, w->depth);
}

static void open_(jsonw *w, char c)
{
        prefix(w);
        fputc(c, w->f);
        if (w->depth + 1 < JSONW_MAX_DEPTH) {
                w->depth++;
                w->first[w->depth] = true;
        }
}

static void close_(jsonw *w, char c)
{
        bool empty = w->first[w->depth];
        w->depth--;
        if (!empty)
                indent(w, w->depth);
        fputc(c, w->f);
}

void jsonw_object_begin(jsonw *w)
{
        open_(w, '{');
}
void jsonw_object_end(jsonw *w)
{
        close_(w, '}');
}
void jsonw_array_begin(jsonw *w)
{
        open_(w, '[');
}
void jsonw_array_end(jsonw *w)
{
        close_(w, ']');
}

void jsonw_escaped(FILE *f, const char *s)
{
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                switch (*p) {
                case '"':
                        fputs("\\\"", f);
                        break;
                case '\\':
                        fputs("\\\\", f);
                        break;
                case '\b':
                        fputs("\\b", f);
                        break;
                case '\f':
                        fputs("\\f", f);
                        break;
                case '\n':
                        fputs("\\n", f);
                        break;
                case '\r':
                        fputs("\\r", f);
                        break;
                case '\t':
                        fputs("\\t", f);
                        break;
                default:
                        if (*p < 0x20)
                                fprintf(f, "\\u%04X", *p);
                        else
                                fputc(*p, f);
                }
        }
        fputc('"', f);
}

void jsonw_key(jsonw *w, const char *key)
{
        prefix(w);
        jsonw_escaped(w->f, key);
        fputs(": ", w->f);
        w->after_key = true;
}

void jsonw_string(jsonw *w, const char *s)
{
        prefix(w);
        jsonw_escaped(w->f, s);
}

void jsonw_int(jsonw *w, long long v)
{
        prefix(w);
        fprintf(w->f, "%lld", v);
}

void jsonw_bool(jsonw *w, bool v)
{
        prefix(w);
        fputs(v ? "true" : "false", w->f);
}

void jsonw_value(jsonw *w, json_t *v)
{
        switch (json_typeof(v)) {
        case JSON_OBJECT: {
                size_t n = json_object_size(v), i = 0;
                const char **keys = xcalloc(n + 1, sizeof *keys);
                const char *k;
                json_t *e;
                json_object_foreach (v, k, e)
                        keys[i++] = k;
                qsort(keys, n, sizeof *keys, strcmp_ptr);
                jsonw_object_begin(w);
                for (i = 0; i < n; i++) {
                        jsonw_key(w, keys[i]);
                        jsonw_value(w, json_object_get(v, keys[i]));
                }
                jsonw_object_end(w);
                free(keys);
                break;
        }
        case JSON_ARRAY: {
                size_t i;
                json_t *e;
                jsonw_array_begin(w);
                json_array_foreach (v, i, e)
                        jsonw_value(w, e);
                jsonw_array_end(w);
                break;
        }
        case JSON_STRING:
                jsonw_string(w, json_string_value(v));
                break;
        case JSON_INTEGER:
                jsonw_int(w, (long long)json_integer_value(v));
                break;
        case JSON_TRUE:
                jsonw_bool(w, true);
                break;
        case JSON_FALSE:
                jsonw_bool(w, false);
                break;
        case JSON_NULL:
                prefix(w);
                fputs("null", w->f);
                break;
        case JSON_REAL:
                prefix(w);
                fprintf(w->f, "%.17g", json_real_value(v));
                break;
        }
}
