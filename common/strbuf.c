/* SPDX-License-Identifier: MIT */
#include "common/strbuf.h"

#include <stdarg.h>

void strbuf_grow(strbuf *sb, size_t extra)
{
        if (sb->len + extra + 1 <= sb->cap)
                return;
        size_t cap = sb->cap ? sb->cap : 64;
        while (cap < sb->len + extra + 1)
                cap *= 2;
        sb->buf = xrealloc(sb->buf, cap);
        sb->cap = cap;
}

void strbuf_add(strbuf *sb, const void *data, size_t n)
{
        strbuf_grow(sb, n);
        memcpy(sb->buf + sb->len, data, n);
        sb->len += n;
        sb->buf[sb->len] = '\0';
}

void strbuf_puts(strbuf *sb, const char *s)
{
        strbuf_add(sb, s, strlen(s));
}

void strbuf_putc(strbuf *sb, char c)
{
        strbuf_add(sb, &c, 1);
}

void strbuf_printf(strbuf *sb, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        strbuf_grow(sb, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
        sb->len += (size_t)n;
}

void strbuf_reset(strbuf *sb)
{
        sb->len = 0;
        if (sb->buf)
                sb->buf[0] = '\0';
}

const char *strbuf_str(strbuf *sb)
{
        strbuf_grow(sb, 0);
        sb->buf[sb->len] = '\0';
        return sb->buf;
}

char *strbuf_steal(strbuf *sb)
{
        strbuf_grow(sb, 0);
        sb->buf[sb->len] = '\0';
        char *s = sb->buf;
        sb->buf = NULL;
        sb->len = sb->cap = 0;
        return s;
}

void strbuf_free(strbuf *sb)
{
        free(sb->buf);
        sb->buf = NULL;
        sb->len = sb->cap = 0;
}
