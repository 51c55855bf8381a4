/* SPDX-License-Identifier: MIT */
/* Shared helpers: cleanup attributes, ownership transfer and error reports.
 *
 * Conventions (see house style): functions return 0 or a negative errno;
 * output parameters are named ret_* and left untouched on failure;
 * destructors accept NULL. */
#pragma once

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f)   __attribute__((cleanup(f)))
#define _unused_       __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _noreturn_     __attribute__((noreturn))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

static inline void freep(void *p)
{
        free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd)
{
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}
#define _cleanup_close_ _cleanup_(closep)

static inline void fclosep(FILE **f)
{
        if (*f)
                fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

/* String vectors (strv_free, _cleanup_strv_free_ ...). */
#include "common/strv.h"

/* Hand ownership of a pointer (or fd) on: returns the value and clears the
 * variable so its cleanup attribute does nothing. */
#define steal_pointer(pp)                                                                                              \
        ({                                                                                                             \
                typeof(*(pp)) _tmp = *(pp);                                                                            \
                *(pp) = NULL;                                                                                          \
                _tmp;                                                                                                  \
        })
#define steal_fd(fdp)                                                                                                  \
        ({                                                                                                             \
                int _tmp = *(fdp);                                                                                     \
                *(fdp) = -1;                                                                                           \
                _tmp;                                                                                                  \
        })

/* An error report filled by library code and printed once by the command
 * layer. `where` names the file (or process/syscall); line/column are 1-based
 * and 0 when they do not apply. */
typedef struct mp_error {
        char where[256];
        int line;
        int column;
        char text[512];
} mp_error;

/* Fill *err (if not NULL) and return -abs(errnum) so callers can write
 * `return mp_error_set(err, -EINVAL, path, "...")`. */
int mp_error_set(mp_error *err, int errnum, const char *where, const char *fmt, ...) _printf_(4, 5);
int mp_error_setv(mp_error *err, int errnum, const char *where, const char *fmt, va_list ap) _printf_(4, 0);
/* The same with a position: line and column are 1-based (e.g. a parse error
 * in a profile or table). */
int mp_error_set_at(mp_error *err, int errnum, const char *where, int line, int column, const char *fmt, ...)
        _printf_(6, 7);
/* A JSON syntax error from jansson: its text (plus `hint`, may be NULL) at
 * its line:column (at least 1:1). Returns -EINVAL. */
struct json_error_t;
int mp_error_set_json(mp_error *err, const char *where, const struct json_error_t *jerr, const char *hint);
/* Format "where:line:column: text" (parts that do not apply left out). */
void mp_error_format(const mp_error *err, char *buf, size_t size);

/* Allocation that aborts on out-of-memory: the tracer cannot do anything
 * sensible when malloc fails, and threading -ENOMEM through every small
 * string would hide the logic. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) _printf_(1, 2);
/* A size for people: "512 B", "12.3 MiB" (binary units up to TiB). */
char *human_bytes(uint64_t bytes);

static inline bool streq(const char *a, const char *b)
{
        return strcmp(a, b) == 0;
}
static inline bool startswith(const char *s, const char *prefix)
{
        return strncmp(s, prefix, strlen(prefix)) == 0;
}
bool endswith(const char *s, const char *suffix);

/* Names of errno values ("ENOENT"); NULL for unknown. */
const char *errno_name(int errnum);
/* Reverse of errno_name; returns -1 when unknown. */
int errno_from_name(const char *name);

/* Quote a user-supplied string for a message: 'a b' with control characters
 * escaped. Returns a newly allocated string. */
char *quote_for_message(const char *s);

int strcmp_ptr(const void *a, const void *b);
