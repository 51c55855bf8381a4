/* SPDX-License-Identifier: MIT */
#include "policy/caps-file.h"

#include <stdbool.h>
#include <strings.h>

#include "common/fileio.h"
#include "trace/names.h"

/* A caps.txt has at most a few dozen lines; anything this large is not one. */
#define CAPS_FILE_MAX_BYTES (16u * 1024u * 1024u)

void caps_file_free(caps_file *cf)
{
        if (!cf)
                return;
        for (size_t i = 0; i < cf->n; i++) {
                free(cf->caps[i].name);
                strv_free(cf->caps[i].reasons);
        }
        free(cf->caps);
        free(cf);
}

static int cmp_entry(const void *a, const void *b)
{
        return strcmp(((const caps_file_entry *)a)->name, ((const caps_file_entry *)b)->name);
}

static bool is_blank(char c)
{
        return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* A comment's text, l[s..e) with its blanks trimmed, as a reason (nothing
 * when it is empty). */
static void add_reason(caps_file_entry *cur, const char *l, size_t s, size_t e)
{
        while (s < e && is_blank(l[s]))
                s++;
        while (e > s && is_blank(l[e - 1]))
                e--;
        if (e == s)
                return;
        size_t n = 0;
        while (cur->reasons && cur->reasons[n])
                n++;
        cur->reasons = xrealloc(cur->reasons, (n + 2) * sizeof *cur->reasons);
        cur->reasons[n] = xstrndup(l + s, e - s);
        cur->reasons[n + 1] = NULL;
}

#define fail_at(err, name, line, col, ...) mp_error_set_at(err, -EINVAL, name, line, col, __VA_ARGS__)

int caps_file_parse(const char *data, size_t size, const char *name, caps_file **ret, mp_error *err)
{
        caps_file *cf = xcalloc(1, sizeof *cf);
        size_t cap = 0;
        caps_file_entry *cur = NULL; /* the entry comment lines belong to */
        int line = 1;
        int r = 0;
        for (size_t pos = 0; pos < size && r == 0; line++) {
                size_t end = pos;
                while (end < size && data[end] != '\n')
                        end++;
                const char *l = data + pos;
                size_t len = end - pos;
                pos = end + 1;
                const char *nul = memchr(l, '\0', len);
                if (nul) {
                        r = fail_at(err, name, line, (int)(nul - l) + 1, "NUL byte in the file");
                        break;
                }
                size_t i = 0;
                while (i < len && is_blank(l[i]))
                        i++;
                if (i == len)
                        continue; /* blank */
                if (l[i] == '#') {
                        if (cur)
                                add_reason(cur, l, i + 1, len);
                        continue;
                }
                size_t tok = i;
                while (i < len && !is_blank(l[i]) && l[i] != '#')
                        i++;
                _cleanup_free_ char *word = xstrndup(l + tok, i - tok);
                size_t after = i;
                while (after < len && is_blank(l[after]))
                        after++;
                int col = (int)tok + 1;
                if (strcasecmp(word, "ALL") == 0 || strcasecmp(word, "CAP_ALL") == 0) {
                        _cleanup_free_ char *q = quote_for_message(word);
                        r = fail_at(err, name, line, col, "%s is not allowed: list each capability on its own line", q);
                } else if (cap_from_name(word) < 0) {
                        _cleanup_free_ char *q = quote_for_message(word);
                        r = fail_at(err, name, line, col, "unknown capability %s", q);
                } else if (after < len && l[after] != '#') {
                        r = fail_at(
                                err, name, line, (int)after + 1,
                                "unexpected text after the capability (one capability a line; '#' starts a comment)");
                }
                if (r < 0)
                        break;
                const char *canon = cap_name(cap_from_name(word));
                for (size_t k = 0; k < cf->n; k++)
                        if (streq(cf->caps[k].name, canon)) {
                                r = fail_at(err, name, line, col, "%s is listed twice (first on line %d)", canon,
                                            cf->caps[k].line);
                                break;
                        }
                if (r < 0)
                        break;
                if (cf->n == cap) {
                        cap = cap ? cap * 2 : 8;
                        cf->caps = xrealloc(cf->caps, cap * sizeof *cf->caps);
                }
                cur = &cf->caps[cf->n++];
                *cur = (caps_file_entry){ .name = xstrdup(canon), .line = line };
                cur->reasons = xcalloc(1, sizeof *cur->reasons);
                if (after < len) /* an inline comment is a reason too */
                        add_reason(cur, l, after + 1, len);
        }
        if (r < 0) {
                caps_file_free(cf);
                return r;
        }
        if (cf->n)
                qsort(cf->caps, cf->n, sizeof *cf->caps, cmp_entry);
        *ret = cf;
        return 0;
}

int caps_file_load(const char *path, caps_file **ret, mp_error *err)
{
        _cleanup_free_ char *data = NULL;
        size_t size = 0;
        int r = read_file_full(path, CAPS_FILE_MAX_BYTES, &data, &size);
        if (r < 0)
                return mp_error_set(err, r, path, "%s", r == -EFBIG ? "too large for a caps.txt" : strerror(-r));
        return caps_file_parse(data, size, path, ret, err);
}

bool caps_file_has(const caps_file *cf, const char *cap)
{
        const char *canon = cap_name(cap_from_name(cap));
        if (!canon)
                return false;
        for (size_t i = 0; i < cf->n; i++)
                if (streq(cf->caps[i].name, canon))
                        return true;
        return false;
}
