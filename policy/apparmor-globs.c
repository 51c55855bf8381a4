/* SPDX-License-Identifier: MIT */
/* The AppArmor glob table (see apparmor-globs.h). */
#include <regex.h>

#include "policy/aaglob.h"
#include "policy/apparmor-globs.h"
#include "policy/apparmor-profile.h"
#include "common/fileio.h"
#include "common/strbuf.h"

#define GLOBS_MAX_BYTES (16u * 1024u * 1024u)

typedef struct piece {
        char *text; /* a pattern fragment, or NULL for a group reference */
        int group;
} piece;

typedef struct glob_rule {
        regex_t re;
        piece *pieces;
        size_t npieces;
        unsigned perms; /* 0: any */
        char *origin;
} glob_rule;

struct mp_aa_globs {
        glob_rule *rules;
        size_t n;
        int collapse; /* -1: not set */
        char *collapse_origin;
};

mp_aa_globs *mp_aa_globs_new(void)
{
        mp_aa_globs *g = xcalloc(1, sizeof(mp_aa_globs));
        g->collapse = -1;
        return g;
}

int mp_aa_globs_collapse(const mp_aa_globs *g, const char **ret_origin)
{
        if (ret_origin)
                *ret_origin = g->collapse_origin;
        return g->collapse > 0 ? g->collapse : 0;
}

static void rule_free(glob_rule *r)
{
        regfree(&r->re);
        for (size_t i = 0; i < r->npieces; i++)
                free(r->pieces[i].text);
        free(r->pieces);
        free(r->origin);
}

void mp_aa_globs_free(mp_aa_globs *g)
{
        if (!g)
                return;
        for (size_t i = 0; i < g->n; i++)
                rule_free(&g->rules[i]);
        free(g->rules);
        free(g->collapse_origin);
        free(g);
}

size_t mp_aa_globs_count(const mp_aa_globs *g)
{
        return g->n;
}

#define table_error(err, name, line, col, ...) mp_error_set_at(err, -EINVAL, name, line, col, __VA_ARGS__)

static bool is_space(char c)
{
        return c == ' ' || c == '\t' || c == '\r';
}

typedef struct field {
        const char *s;
        size_t len;
        int col;
} field;

/* Split a line into whitespace-separated fields (at most max). */
static size_t split(const char *line, size_t len, field *f, size_t max)
{
        size_t n = 0, i = 0;
        while (i < len) {
                while (i < len && is_space(line[i]))
                        i++;
                if (i >= len)
                        break;
                size_t s = i;
                while (i < len && !is_space(line[i]))
                        i++;
                if (n < max)
                        f[n] = (field){ line + s, i - s, (int)s + 1 };
                n++;
        }
        return n;
}

static void add_piece(glob_rule *r, char *text, int group)
{
        r->pieces = xrealloc(r->pieces, (r->npieces + 1) * sizeof *r->pieces);
        r->pieces[r->npieces++] = (piece){ text, group };
}

/* Split PATTERN into fragments and $N references; fragments are
 * unescaped as profile text. */
static int parse_template(glob_rule *r, const field *f, const char *name, int line, int *max_group, mp_error *err)
{
        strbuf raw = STRBUF_INIT;
        *max_group = -1;
        for (size_t i = 0; i <= f->len; i++) {
                bool flush = i == f->len;
                int group = -1;
                if (!flush && f->s[i] == '$') {
                        if (i + 1 < f->len && f->s[i + 1] == '$') {
                                strbuf_putc(&raw, '$');
                                i++;
                                continue;
                        }
                        if (i + 1 < f->len && f->s[i + 1] >= '0' && f->s[i + 1] <= '9') {
                                group = f->s[i + 1] - '0';
                                flush = true;
                        } else {
                                strbuf_free(&raw);
                                return table_error(err, name, line, f->col + (int)i,
                                                   "'$' must be followed by a group number 0-9 or '$'");
                        }
                }
                if (!flush) {
                        strbuf_putc(&raw, f->s[i]);
                        continue;
                }
                if (raw.len) {
                        char *text = NULL;
                        if (mp_aa_unescape(raw.buf, raw.len, &text, NULL) < 0) {
                                strbuf_free(&raw);
                                return table_error(err, name, line, f->col, "NUL byte in the pattern");
                        }
                        add_piece(r, text, -1);
                        strbuf_reset(&raw);
                }
                if (group >= 0) {
                        add_piece(r, NULL, group);
                        if (group > *max_group)
                                *max_group = group;
                        i++;
                }
        }
        strbuf_free(&raw);
        return 0;
}

static char *instantiate(const glob_rule *r, const char *raw, const regmatch_t *m)
{
        strbuf sb = STRBUF_INIT;
        for (size_t i = 0; i < r->npieces; i++) {
                const piece *p = &r->pieces[i];
                if (p->text) {
                        strbuf_puts(&sb, p->text);
                        continue;
                }
                if (m[p->group].rm_so < 0)
                        continue; /* an unmatched optional group is empty */
                _cleanup_free_ char *lit =
                        mp_aa_escape_literal(raw + m[p->group].rm_so, (size_t)(m[p->group].rm_eo - m[p->group].rm_so));
                strbuf_puts(&sb, lit);
        }
        return strbuf_steal(&sb);
}

/* glibc's regcomp expands repetitions by copying the tree: stacked
 * operators ("a+++...") or large or nested bounds take exponential time and
 * memory. Glob rules need none of that, so such expressions are refused
 * before regcomp sees them (found by fuzz_apparmor_globs). Returns the
 * 0-based offset of the problem, or -1. */
#define MAX_REGEX_LEN 512
#define MAX_REPEAT    16

static long regex_too_complex(const char *re, size_t len, const char **why)
{
        if (len > MAX_REGEX_LEN) {
                *why = "longer than 512 bytes";
                return MAX_REGEX_LEN;
        }
        bool after_repeat = false; /* the previous token was a repetition */
        int bounded = 0;           /* {n,m} repetitions so far */
        for (size_t i = 0; i < len; i++) {
                char c = re[i];
                if (c == '\\' && i + 1 < len) {
                        i++;
                        after_repeat = false;
                } else if (c == '[') {
                        /* skip the bracket expression: its characters are literal */
                        size_t j = i + 1;
                        if (j < len && re[j] == '^')
                                j++;
                        if (j < len && re[j] == ']')
                                j++;
                        while (j < len && re[j] != ']')
                                j++;
                        i = j;
                        after_repeat = false;
                } else if (c == '*' || c == '+' || c == '?' || c == '{') {
                        if (after_repeat) {
                                *why = "stacked repetition operators";
                                return (long)i;
                        }
                        if (c == '{') {
                                char *end;
                                long lo = strtol(re + i + 1, &end, 10), hi = lo;
                                if (*end == ',')
                                        hi = end[1] == '}' ? MAX_REPEAT + 1 : strtol(end + 1, &end, 10);
                                if (lo > MAX_REPEAT || hi > MAX_REPEAT || ++bounded > 4) {
                                        *why = "repetition bounds above 16, or more than four bounded repetitions";
                                        return (long)i;
                                }
                                const char *close = memchr(re + i, '}', len - i);
                                if (close)
                                        i = (size_t)(close - re);
                        }
                        after_repeat = true;
                } else {
                        after_repeat = false;
                }
        }
        return -1;
}

static int parse_rule(mp_aa_globs *g, const char *line, size_t len, const char *name, int lineno, mp_error *err)
{
        /* REGEX (may hold spaces) up to the first "->" between blanks, then
         * PATTERN and the optional perms= */
        size_t start = 0;
        while (start < len && is_space(line[start]))
                start++;
        size_t arrow = 0;
        for (size_t i = start + 1; i + 2 < len + 1; i++) {
                if (line[i] == '-' && i + 1 < len && line[i + 1] == '>' && is_space(line[i - 1]) &&
                    (i + 2 == len || is_space(line[i + 2]))) {
                        arrow = i;
                        break;
                }
        }
        if (!arrow)
                return table_error(err, name, lineno, (int)start + 1, "expected 'REGEX -> PATTERN [perms=LETTERS]'");
        size_t re_end = arrow;
        while (re_end > start && is_space(line[re_end - 1]))
                re_end--;
        field f[5];
        f[0] = (field){ line + start, re_end - start, (int)start + 1 };
        f[1] = (field){ line + arrow, 2, (int)arrow + 1 };
        size_t n = 2 + split(line + arrow + 2, len - arrow - 2, f + 2, 3);
        for (size_t i = 2; i < n && i < 5; i++)
                f[i].col += (int)arrow + 2;
        if (n < 3)
                return table_error(err, name, lineno, f[1].col, "expected 'REGEX -> PATTERN [perms=LETTERS]'");
        if (n > 4)
                return table_error(err, name, lineno, f[4].col,
                                   "unexpected field (write a space in a pattern as \\040)");
        glob_rule r = { 0 };
        _cleanup_free_ char *re = xstrndup(f[0].s, f[0].len);
        const char *why = NULL;
        long at = regex_too_complex(re, f[0].len, &why);
        if (at >= 0)
                return table_error(err, name, lineno, f[0].col + (int)at, "regular expression too complex (%s)", why);
        int rc = regcomp(&r.re, re, REG_EXTENDED);
        if (rc != 0) {
                char msg[200];
                regerror(rc, &r.re, msg, sizeof msg);
                return table_error(err, name, lineno, f[0].col, "bad regular expression: %s", msg);
        }
        int max_group = -1;
        int ret = parse_template(&r, &f[2], name, lineno, &max_group, err);
        if (ret < 0)
                goto fail;
        if (max_group > (int)r.re.re_nsub) {
                ret = table_error(err, name, lineno, f[2].col, "$%d refers to a group the expression does not have",
                                  max_group);
                goto fail;
        }
        if (n == 4) {
                if (f[3].len < 7 || memcmp(f[3].s, "perms=", 6) != 0) {
                        ret = table_error(err, name, lineno, f[3].col, "expected perms=LETTERS");
                        goto fail;
                }
                char mode[4];
                size_t bad = 0;
                if (mp_aa_perms_parse(f[3].s + 6, f[3].len - 6, &r.perms, mode, &bad) < 0) {
                        ret = table_error(err, name, lineno, f[3].col + 6 + (int)bad, "bad permission letters");
                        goto fail;
                }
                if (r.perms & AA_PERM_WRITE)
                        r.perms |= AA_PERM_APPEND;
        }
        /* The pattern must compile whatever the groups hold: try it with
         * a plain stand-in for each group. */
        {
                regmatch_t m[10];
                for (int i = 0; i < 10; i++)
                        m[i].rm_so = m[i].rm_eo = -1;
                static const char sample[] = "x";
                for (int i = 0; i <= max_group && i < 10; i++) {
                        m[i].rm_so = 0;
                        m[i].rm_eo = 1;
                }
                _cleanup_free_ char *pat = instantiate(&r, sample, m);
                _cleanup_mp_aa_vars_ mp_aa_vars *vars = mp_aa_vars_new_default();
                aaglob *gl = NULL;
                mp_error e = { 0 };
                if (aaglob_compile(pat, vars, &gl, &e) < 0) {
                        ret = table_error(err, name, lineno, f[2].col, "bad pattern: %s", e.text);
                        goto fail;
                }
                aaglob_free(gl);
        }
        r.origin = xasprintf("%s:%d", name, lineno);
        g->rules = xrealloc(g->rules, (g->n + 1) * sizeof *g->rules);
        g->rules[g->n++] = r;
        return 0;
fail:
        rule_free(&r);
        return ret;
}

int mp_aa_globs_parse(mp_aa_globs *g, const char *data, size_t size, const char *name, mp_error *err)
{
        if (memchr(data, 0, size))
                return table_error(err, name, 0, 0, "NUL byte in the glob table");
        bool have_version = false;
        int lineno = 0;
        size_t before = g->n;
        for (size_t pos = 0; pos < size;) {
                const char *line = data + pos;
                const char *nl = memchr(line, '\n', size - pos);
                size_t len = nl ? (size_t)(nl - line) : size - pos;
                pos += len + 1;
                lineno++;
                size_t i = 0;
                while (i < len && is_space(line[i]))
                        i++;
                if (i == len || line[i] == '#')
                        continue;
                if (!have_version) {
                        field f[3];
                        size_t n = split(line, len, f, 3);
                        if (n != 2 || f[0].len != 7 || memcmp(f[0].s, "version", 7) != 0)
                                return table_error(err, name, lineno, (int)i + 1,
                                                   "the table must start with 'version %d'", AA_GLOBS_VERSION);
                        char num[16];
                        snprintf(num, sizeof num, "%.*s", (int)(f[1].len < 15 ? f[1].len : 15), f[1].s);
                        char *end;
                        long v = strtol(num, &end, 10);
                        if (*end || f[1].len > 15 || v < 1)
                                return table_error(err, name, lineno, f[1].col, "bad version '%s'", num);
                        if (v > AA_GLOBS_VERSION)
                                return table_error(err, name, lineno, f[1].col,
                                                   "table version %ld is newer than this minpriv reads (%d)", v,
                                                   AA_GLOBS_VERSION);
                        have_version = true;
                        continue;
                }
                field cf[3];
                size_t cn = split(line, len, cf, 3);
                if (cf[0].len == 8 && memcmp(cf[0].s, "collapse", 8) == 0) {
                        char num[16];
                        snprintf(num, sizeof num, "%.*s", (int)(cn >= 2 && cf[1].len < 15 ? cf[1].len : 15),
                                 cn >= 2 ? cf[1].s : "");
                        char *end;
                        long v = strtol(num, &end, 10);
                        if (cn != 2 || !num[0] || *end || v < 0 || v > 1000000)
                                return table_error(err, name, lineno, cn >= 2 ? cf[1].col : cf[0].col,
                                                   "expected 'collapse N' with N from 0 to 1000000");
                        if (g->collapse < 0) {
                                g->collapse = (int)v;
                                g->collapse_origin = xasprintf("%s:%d", name, lineno);
                        }
                        continue;
                }
                int r = parse_rule(g, line, len, name, lineno, err);
                if (r < 0) {
                        while (g->n > before)
                                rule_free(&g->rules[--g->n]);
                        return r;
                }
        }
        if (!have_version)
                return table_error(err, name, lineno ? lineno : 1, 1, "the table must start with 'version %d'",
                                   AA_GLOBS_VERSION);
        return 0;
}

int mp_aa_globs_load(mp_aa_globs *g, const char *path, mp_error *err)
{
        _cleanup_free_ char *data = NULL;
        size_t size = 0;
        int r = read_file_full(path, GLOBS_MAX_BYTES, &data, &size);
        if (r < 0)
                return mp_error_set(err, r, path, "cannot read the glob table: %s", strerror(-r));
        return mp_aa_globs_parse(g, data, size, path, err);
}

int mp_aa_globs_apply(const mp_aa_globs *g, const char *raw, size_t len, unsigned perms, char **ret_pattern,
                      const char **ret_origin)
{
        if (memchr(raw, 0, len))
                return 0;
        unsigned p = perms;
        if (p & AA_PERM_WRITE)
                p |= AA_PERM_APPEND;
        for (size_t i = 0; i < g->n; i++) {
                const glob_rule *r = &g->rules[i];
                if (r->perms && (p & ~r->perms))
                        continue;
                regmatch_t m[10];
                if (regexec(&r->re, raw, 10, m, 0) != 0)
                        continue;
                *ret_pattern = instantiate(r, raw, m);
                if (ret_origin)
                        *ret_origin = r->origin;
                return 1;
        }
        return 0;
}
