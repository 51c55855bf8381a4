/* SPDX-License-Identifier: MIT */
#include "common/util.h"

#include <ctype.h>
#include <jansson.h>

int mp_error_setv(mp_error *err, int errnum, const char *where, const char *fmt, va_list ap)
{
        if (errnum > 0)
                errnum = -errnum;
        if (!err)
                return errnum;
        snprintf(err->where, sizeof err->where, "%s", where ? where : "");
        err->line = 0;
        err->column = 0;
        vsnprintf(err->text, sizeof err->text, fmt, ap);
        return errnum;
}

int mp_error_set(mp_error *err, int errnum, const char *where, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = mp_error_setv(err, errnum, where, fmt, ap);
        va_end(ap);
        return r;
}

int mp_error_set_at(mp_error *err, int errnum, const char *where, int line, int column, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = mp_error_setv(err, errnum, where, fmt, ap);
        va_end(ap);
        if (err) {
                err->line = line;
                err->column = column;
        }
        return r;
}

int mp_error_set_json(mp_error *err, const char *where, const json_error_t *jerr, const char *hint)
{
        return mp_error_set_at(err, -EINVAL, where, jerr->line > 0 ? jerr->line : 1,
                               jerr->column > 0 ? jerr->column : 1, "%s%s", jerr->text, hint ? hint : "");
}

void mp_error_format(const mp_error *err, char *buf, size_t size)
{
        if (err->where[0] && err->line > 0 && err->column > 0)
                snprintf(buf, size, "%s:%d:%d: %s", err->where, err->line, err->column, err->text);
        else if (err->where[0] && err->line > 0) /* a whole line (column 0) */
                snprintf(buf, size, "%s:%d: %s", err->where, err->line, err->text);
        else if (err->where[0])
                snprintf(buf, size, "%s: %s", err->where, err->text);
        else
                snprintf(buf, size, "%s", err->text);
}

_noreturn_ static void oom(void)
{
        static const char msg[] = "minpriv: out of memory\n";
        (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
        abort();
}

void *xmalloc(size_t n)
{
        void *p = malloc(n ? n : 1);
        if (!p)
                oom();
        return p;
}

void *xcalloc(size_t n, size_t m)
{
        void *p = calloc(n ? n : 1, m ? m : 1);
        if (!p)
                oom();
        return p;
}

void *xrealloc(void *p, size_t n)
{
        p = realloc(p, n ? n : 1);
        if (!p)
                oom();
        return p;
}

char *xstrdup(const char *s)
{
        char *p = strdup(s);
        if (!p)
                oom();
        return p;
}

char *xstrndup(const char *s, size_t n)
{
        char *p = strndup(s, n);
        if (!p)
                oom();
        return p;
}

char *xasprintf(const char *fmt, ...)
{
        va_list ap;
        char *s;
        va_start(ap, fmt);
        int r = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (r < 0)
                oom();
        return s;
}

bool endswith(const char *s, const char *suffix)
{
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

const char *errno_name(int errnum)
{
        /* strerrorname_np needs glibc 2.32; bookworm has 2.36. */
        if (errnum <= 0)
                return NULL;
        return strerrorname_np(errnum);
}

int errno_from_name(const char *name)
{
        for (int i = 1; i < 4096; i++) {
                const char *n = strerrorname_np(i);
                if (n && streq(n, name))
                        return i;
        }
        return -1;
}

char *quote_for_message(const char *s)
{
        size_t n = strlen(s);
        char *out = xmalloc(n * 4 + 3), *o = out;
        *o++ = '\'';
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                if (*p < 0x20 || *p == 0x7f) {
                        o += sprintf(o, "\\x%02x", *p);
                } else if (*p == '\'' || *p == '\\') {
                        *o++ = '\\';
                        *o++ = (char)*p;
                } else {
                        *o++ = (char)*p;
                }
        }
        *o++ = '\'';
        *o = '\0';
        return out;
}

int strcmp_ptr(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *human_bytes(uint64_t bytes)
{
        static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
        double v = (double)bytes;
        size_t u = 0;
        while (v >= 1024 && u + 1 < ELEMENTSOF(units)) {
                v /= 1024;
                u++;
        }
        return u ? xasprintf("%.1f %s", v, units[u]) : xasprintf("%llu B", (unsigned long long)bytes);
}
