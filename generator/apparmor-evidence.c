/* SPDX-License-Identifier: MIT */
/* Evidence-based generalisation of AppArmor file rules (contract in
 * apparmor-evidence.h). Three passes over the sorted paths: name
 * components are classified (random part, number, hash), ambiguous ones
 * take a matching sibling's pattern, then the subtree and traversal
 * collapses. Every decision depends only on the set of paths, so the same
 * trace always gives the same patterns. */
#include <stdint.h>
#include <string.h>

#include "aaglob.h"
#include "apparmor-evidence.h"
#include "apparmor-profile.h"
#include "hashmap.h"
#include "strbuf.h"

enum {
        K_RAND = 1u << 0,   /* mkstemp / tempfile random part */
        K_NUM = 1u << 1,    /* pid, counter, port, date */
        K_HASH = 1u << 2,   /* content hash */
        K_FANOUT = 1u << 3, /* objects/XX/ fan-out directory */
        K_SHAPE = 1u << 4,  /* took a sibling's pattern */
};

enum {
        C_LOWER = 1u << 0,
        C_UPPER = 1u << 1,
        C_DIGIT = 1u << 2,
        C_UNDER = 1u << 3,
};

static bool is_word(unsigned char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static bool is_digit(unsigned char c)
{
        return c >= '0' && c <= '9';
}

static bool all_hex(const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (!is_digit((unsigned char)s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
                        return false;
        return true;
}

/* The character classes of a run of word characters. */
static unsigned classes(const char *s, size_t n)
{
        unsigned c = 0;
        for (size_t i = 0; i < n; i++) {
                unsigned char ch = (unsigned char)s[i];
                c |= ch >= 'a' && ch <= 'z' ? C_LOWER : ch >= 'A' && ch <= 'Z' ? C_UPPER : is_digit(ch) ? C_DIGIT : C_UNDER;
        }
        return c;
}

static unsigned popcount3(unsigned c)
{
        return !!(c & C_LOWER) + !!(c & C_UPPER) + !!(c & C_DIGIT);
}

static void put_lit(strbuf *sb, const char *s, size_t n)
{
        _cleanup_free_ char *e = aa_escape_literal(s, n);
        strbuf_puts(sb, e);
}

static void put_qmarks(strbuf *sb, size_t n)
{
        for (size_t i = 0; i < n; i++)
                strbuf_putc(sb, '?');
}

/* One run of [A-Za-z0-9_] of a name the workload made: its pattern into
 * sb; returns the kinds of generalisation (0: literal). *ambiguous: the
 * run may be random but its shape does not say how (a sibling decides). */
static unsigned run_pattern(strbuf *sb, const char *r, size_t n, bool fanout_parent, bool under_fanout, bool *ambiguous)
{
        size_t tail = 0, head = 0;
        while (tail < n && is_digit((unsigned char)r[n - 1 - tail]))
                tail++;
        while (head < n && is_digit((unsigned char)r[head]))
                head++;
        if (fanout_parent && n == 2 && all_hex(r, 2)) {
                strbuf_puts(sb, "[0-9a-f][0-9a-f]");
                return K_FANOUT;
        }
        if (n >= 32 && all_hex(r, n) && (n == 32 || n == 40 || n == 64 || (n == 38 && under_fanout))) {
                strbuf_puts(sb, "[0-9a-f]*");
                return K_HASH;
        }
        if (tail == n) {
                strbuf_puts(sb, "[0-9]*");
                return K_NUM;
        }
        /* a number at the end (pid, counter): 4 digits or more make a
         * random draw very unlikely (0.07% of mkstemp names) */
        if (tail >= 4) {
                put_lit(sb, r, n - tail);
                strbuf_puts(sb, "[0-9]*");
                return K_NUM;
        }
        /* NNNN_fsm: a number with a fixed suffix (postgres relation forks) */
        if (head >= 3 && r[head] == '_' && !(classes(r + head + 1, n - head - 1) & (C_DIGIT | C_UNDER))) {
                strbuf_puts(sb, "[0-9]*");
                put_lit(sb, r + head, n - head);
                return K_NUM;
        }
        unsigned c6 = n >= 6 ? classes(r + n - 6, 6) : 0, c8 = n >= 8 ? classes(r + n - 8, 8) : 0;
        /* glibc mkstemp: the last 6 of [A-Za-z0-9], mixed classes */
        bool r6 = n >= 6 && !(c6 & C_UNDER) && popcount3(c6) >= 2;
        /* Python tempfile: 8 of [a-z0-9_] with a digit or underscore */
        bool r8 = n >= 8 && !(c8 & C_UPPER) && (c8 & C_LOWER) && (c8 & (C_DIGIT | C_UNDER));
        size_t rnd = 0;
        if (r6 && r8) {
                if (n == 8 || (n == 11 && memcmp(r, "tmp", 3) == 0)) {
                        rnd = 8;
                } else {
                        rnd = 6;
                        *ambiguous = true;
                }
        } else if (r6) {
                rnd = 6;
        } else if (r8) {
                rnd = 8;
        }
        if (rnd) {
                put_lit(sb, r, n - rnd);
                put_qmarks(sb, rnd);
                return K_RAND;
        }
        if (tail >= 1) {
                put_lit(sb, r, n - tail);
                strbuf_puts(sb, "[0-9]*");
                return K_NUM;
        }
        if (n >= 6)
                *ambiguous = true;
        put_lit(sb, r, n);
        return 0;
}

/* The pattern of one component of a name the workload made (NULL when it
 * stays literal). */
static char *component_pattern(const char *c, size_t n, const char *parent, size_t plen, unsigned *kinds,
                               bool *ambiguous)
{
        strbuf sb = STRBUF_INIT;
        bool fanout_parent = plen == 7 && memcmp(parent, "objects", 7) == 0;
        bool under_fanout = plen == 2 && all_hex(parent, 2);
        unsigned k = 0;
        for (size_t i = 0; i < n;) {
                if (!is_word((unsigned char)c[i])) {
                        put_lit(&sb, c + i, 1);
                        i++;
                        continue;
                }
                size_t j = i;
                while (j < n && is_word((unsigned char)c[j]))
                        j++;
                k |= run_pattern(&sb, c + i, j - i, fanout_parent, under_fanout, ambiguous);
                i = j;
        }
        *kinds |= k;
        if (!k) {
                strbuf_free(&sb);
                return NULL;
        }
        return strbuf_steal(&sb);
}

typedef struct strv {
        char **v;
        size_t n;
} strv;

typedef struct ev {
        const aa_evpath *paths;
        size_t n;
        hashmap *index;    /* raw name -> aa_evpath */
        hashmap *siblings; /* parent pattern -> strv of confident component patterns */
} ev;

static void strv_free_cb(void *p)
{
        strv *s = p;
        for (size_t i = 0; i < s->n; i++)
                free(s->v[i]);
        free(s->v);
        free(s);
}

static void sibling_add(ev *e, const char *parent, const char *pat)
{
        strv *s = hashmap_get(e->siblings, parent);
        if (!s) {
                s = xcalloc(1, sizeof *s);
                hashmap_put(e->siblings, parent, s);
        }
        for (size_t i = 0; i < s->n; i++)
                if (streq(s->v[i], pat))
                        return;
        s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
        s->v[s->n++] = xstrdup(pat);
}

/* The first (in byte order) sibling pattern matching the component. */
static char *sibling_match(ev *e, const char *parent, const char *c, size_t n)
{
        strv *s = hashmap_get(e->siblings, parent);
        if (!s)
                return NULL;
        qsort(s->v, s->n, sizeof *s->v, strcmp_ptr);
        _cleanup_free_ char *path = xasprintf("/%.*s", (int)n, c);
        for (size_t i = 0; i < s->n; i++) {
                _cleanup_free_ char *pat = xasprintf("/%s", s->v[i]);
                _cleanup_aaglob_ aaglob *g = NULL;
                if (aaglob_compile(pat, NULL, &g, NULL) < 0)
                        continue;
                if (aaglob_match(g, path, n + 1))
                        return xstrdup(s->v[i]);
        }
        return NULL;
}

static bool named(ev *e, const char *raw, size_t len)
{
        _cleanup_free_ char *k = xstrndup(raw, len);
        const aa_evpath *p = hashmap_get(e->index, k);
        return p && p->named;
}

/* The generalised pattern of a path (pass 1 collects confident sibling
 * patterns, pass 2 lets ambiguous components adopt them). Returns the
 * kinds used (0: the path stays literal); *ret is always the full pattern.
 * ancestors (pass 2): the patterns of the named directories above the
 * path, outermost first. */
static unsigned path_pattern(ev *e, const aa_evpath *p, int pass, char **ret, strv *ancestors)
{
        strbuf pat = STRBUF_INIT;
        strbuf_putc(&pat, '/');
        bool on = false;
        unsigned kinds = 0;
        const char *parent = "";
        size_t plen = 0;
        for (size_t i = 1; i < p->len;) {
                size_t j = i;
                while (j < p->len && p->name[j] != '/')
                        j++;
                bool dir = j < p->len;
                const char *c = p->name + i;
                size_t n = j - i;
                bool here = named(e, p->name, dir ? j + 1 : j);
                on = on || here;
                char *cp = NULL;
                if (on && n) {
                        bool amb = false;
                        unsigned k = 0;
                        cp = component_pattern(c, n, parent, plen, &k, &amb);
                        if (pass == 1 && cp && !amb)
                                sibling_add(e, strbuf_str(&pat), cp);
                        if (pass == 2 && amb) {
                                char *s = sibling_match(e, strbuf_str(&pat), c, n);
                                if (s) {
                                        free(cp);
                                        cp = s;
                                        k |= K_SHAPE;
                                }
                        }
                        if (cp)
                                kinds |= k;
                }
                if (cp)
                        strbuf_puts(&pat, cp);
                else
                        put_lit(&pat, c, n);
                free(cp);
                if (dir)
                        strbuf_putc(&pat, '/');
                if (ancestors && dir && here && j + 1 < p->len) {
                        ancestors->v = xrealloc(ancestors->v, (ancestors->n + 1) * sizeof *ancestors->v);
                        ancestors->v[ancestors->n++] = xstrdup(strbuf_str(&pat));
                }
                parent = c;
                plen = n;
                i = j + 1;
        }
        *ret = strbuf_steal(&pat);
        return kinds;
}

static char *why_names(unsigned kinds)
{
        strbuf sb = STRBUF_INIT;
        strbuf_puts(&sb, "names the workload created:");
        const char *sep = " ";
        if (kinds & K_RAND) {
                strbuf_printf(&sb, "%srandom part (mkstemp/tempfile) -> ?", sep);
                sep = "; ";
        }
        if (kinds & K_NUM) {
                strbuf_printf(&sb, "%snumber (pid, counter, port, date) -> [0-9]*", sep);
                sep = "; ";
        }
        if (kinds & K_HASH) {
                strbuf_printf(&sb, "%scontent hash -> [0-9a-f]*", sep);
                sep = "; ";
        }
        if (kinds & K_FANOUT) {
                strbuf_printf(&sb, "%shash fan-out directory -> [0-9a-f][0-9a-f]", sep);
                sep = "; ";
        }
        if (kinds & K_SHAPE)
                strbuf_printf(&sb, "%sa name of its siblings' shape", sep);
        return strbuf_steal(&sb);
}

typedef struct subtree {
        size_t count;
        bool bad; /* something under it was executed or mapped */
} subtree;

/* Directories the workload listed with at least `collapse` read-only
 * subdirectories: every read-only directory under them becomes DIR**. */
static void traversal_collapse(ev *e, int collapse, char **pats, char **why)
{
        if (collapse <= 0)
                return;
        hashmap *count = hashmap_new();
        for (size_t i = 0; i < e->n; i++) {
                const aa_evpath *p = &e->paths[i];
                if (p->skip || p->named || p->perms != AA_PERM_READ || p->len < 2 || p->name[p->len - 1] != '/')
                        continue;
                size_t k = p->len - 1;
                while (k > 0 && p->name[k - 1] != '/')
                        k--;
                _cleanup_free_ char *parent = xstrndup(p->name, k);
                const aa_evpath *pp = hashmap_get(e->index, parent);
                if (!pp || !pp->listed || streq(parent, "/"))
                        continue;
                hashmap_put(count, parent, (void *)((uintptr_t)hashmap_get(count, parent) + 1));
        }
        for (size_t i = 0; i < e->n; i++) {
                const aa_evpath *p = &e->paths[i];
                if (p->skip || p->named || pats[i] || p->perms != AA_PERM_READ || p->name[p->len - 1] != '/')
                        continue;
                for (size_t k = 1; k < p->len - 1; k++) {
                        if (p->name[k] != '/')
                                continue;
                        _cleanup_free_ char *anc = xstrndup(p->name, k + 1);
                        uintptr_t c = (uintptr_t)hashmap_get(count, anc);
                        if (c < (uintptr_t)collapse)
                                continue;
                        _cleanup_free_ char *lit = aa_escape_literal(anc, k + 1);
                        _cleanup_free_ char *shown = aa_render_pattern(lit);
                        pats[i] = xasprintf("%s**/", lit);
                        why[i] = xasprintf("directories under %s, which the workload walked (%zu subdirectories "
                                           "listed): each run visits a different subset",
                                           shown, (size_t)c);
                        break;
                }
        }
        hashmap_free(count, NULL);
}

void aa_evidence_globs(const aa_evpath *paths, size_t n, int collapse, char **ret_patterns, char **ret_why)
{
        ev e = { .paths = paths, .n = n, .index = hashmap_new(), .siblings = hashmap_new() };
        for (size_t i = 0; i < n; i++) {
                ret_patterns[i] = ret_why[i] = NULL;
                _cleanup_free_ char *k = xstrndup(paths[i].name, paths[i].len);
                hashmap_put(e.index, k, (void *)&paths[i]);
        }
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *pat = NULL;
                path_pattern(&e, &paths[i], 1, &pat, NULL);
        }
        strv *anc = xcalloc(n + 1, sizeof *anc);
        hashmap *subtrees = hashmap_new();
        for (size_t i = 0; i < n; i++) {
                char *pat = NULL;
                unsigned kinds = path_pattern(&e, &paths[i], 2, &pat, &anc[i]);
                if (kinds && !paths[i].skip) {
                        ret_patterns[i] = pat;
                        ret_why[i] = why_names(kinds);
                } else {
                        free(pat);
                }
                for (size_t a = 0; a < anc[i].n; a++) {
                        subtree *s = hashmap_get(subtrees, anc[i].v[a]);
                        if (!s) {
                                s = xcalloc(1, sizeof *s);
                                hashmap_put(subtrees, anc[i].v[a], s);
                        }
                        s->count++;
                        if (paths[i].perms & (AA_PERM_EXEC | AA_PERM_MMAP))
                                s->bad = true;
                }
        }
        for (size_t i = 0; i < n; i++) {
                for (size_t a = 0; a < anc[i].n; a++) {
                        subtree *s = hashmap_get(subtrees, anc[i].v[a]);
                        if (s->count < 2 || s->bad)
                                continue;
                        free(ret_patterns[i]);
                        free(ret_why[i]);
                        ret_patterns[i] = xasprintf("%s**", anc[i].v[a]);
                        _cleanup_free_ char *shown = aa_render_pattern(anc[i].v[a]);
                        ret_why[i] = xasprintf("everything under %s, a directory the workload created (%zu paths "
                                               "recorded under it, none executed or mapped)",
                                               shown, s->count);
                        break;
                }
                for (size_t a = 0; a < anc[i].n; a++)
                        free(anc[i].v[a]);
                free(anc[i].v);
        }
        free(anc);
        traversal_collapse(&e, collapse, ret_patterns, ret_why);
        hashmap_free(subtrees, free);
        hashmap_free(e.siblings, strv_free_cb);
        hashmap_free(e.index, NULL);
}
