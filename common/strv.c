/* SPDX-License-Identifier: MIT */
#include "common/strv.h"

#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "common/util.h"

size_t strv_length(char *const *v)
{
        size_t n = 0;
        while (v && v[n])
                n++;
        return n;
}

void strv_push(char ***v, char *s)
{
        size_t n = strv_length(*v);
        *v = xrealloc(*v, (n + 2) * sizeof **v);
        (*v)[n] = s;
        (*v)[n + 1] = NULL;
}

void strv_add(char ***v, const char *s)
{
        if (!strv_contains(*v, s))
                strv_push(v, xstrdup(s));
}

bool strv_contains(char *const *v, const char *s)
{
        for (; v && *v; v++)
                if (streq(*v, s))
                        return true;
        return false;
}

bool strv_equal(char *const *a, char *const *b)
{
        size_t i = 0;
        for (; a && b && a[i] && b[i]; i++)
                if (!streq(a[i], b[i]))
                        return false;
        return (!a || !a[i]) && (!b || !b[i]);
}

void strv_sort(char **v)
{
        size_t n = strv_length(v);
        if (n > 1)
                qsort(v, n, sizeof *v, strcmp_ptr);
}

char *strv_join(char *const *v, const char *sep, size_t max)
{
        strbuf sb = STRBUF_INIT;
        size_t n = strv_length(v);
        for (size_t i = 0; i < n && (!max || i < max); i++)
                strbuf_printf(&sb, "%s%s", i ? sep : "", v[i]);
        if (max && n > max)
                strbuf_printf(&sb, " and %zu more", n - max);
        return strbuf_steal(&sb);
}

json_t *strv_to_json(char *const *v)
{
        json_t *a = json_array();
        for (size_t i = 0; v && v[i]; i++)
                json_array_append_new(a, json_string(v[i]));
        return a;
}

void strv_free(char **v)
{
        if (!v)
                return;
        for (char **p = v; *p; p++)
                free(*p);
        free(v);
}
