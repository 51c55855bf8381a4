/* SPDX-License-Identifier: MIT */
/* A growable string buffer. Allocation failures abort (see xmalloc). */
#pragma once

#include <stddef.h>
#include "common/util.h"

typedef struct strbuf {
        char *buf;
        size_t len;
        size_t cap;
} strbuf;

#define STRBUF_INIT                                                                                                    \
        {                                                                                                              \
                NULL, 0, 0                                                                                             \
        }

void strbuf_grow(strbuf *sb, size_t extra);
void strbuf_add(strbuf *sb, const void *data, size_t n);
void strbuf_puts(strbuf *sb, const char *s);
void strbuf_putc(strbuf *sb, char c);
void strbuf_printf(strbuf *sb, const char *fmt, ...) _printf_(2, 3);
void strbuf_reset(strbuf *sb);
/* Return the NUL-terminated string (never NULL) and reset sb to empty. */
char *strbuf_steal(strbuf *sb);
void strbuf_free(strbuf *sb);
static inline void strbuf_freep(strbuf *sb)
{
        strbuf_free(sb);
}
#define _cleanup_strbuf_ _cleanup_(strbuf_freep)
/* The current contents, NUL-terminated (never NULL). */
const char *strbuf_str(strbuf *sb);
