/* SPDX-License-Identifier: MIT */
/* AppArmor patterns: variable expansion, a Thompson NFA per pattern,
 * matching by simulation and inclusion by a product with the lazily
 * determinised automaton of the covering pattern. See aaglob.h for the
 * semantics; they follow AppArmor 3's parser (parser_regex.c,
 * parser_variable.c, lib.c), re-implemented here. */
#include <stdint.h>

#include "policy/aaglob.h"
#include "trace/trace.h"
#include "common/hashmap.h"
#include "common/strbuf.h"

#define MAX_ALT_DEPTH    50 /* AppArmor refuses deeper {} nesting */
#define MAX_VAR_DEPTH    16 /* variables referring to variables */
#define MAX_EXPANDED     (1u << 20)
#define MAX_COVER_PAIRS  50000
#define MAX_COVER_STATES 16384 /* bigger automata: UNKNOWN (memory) */

/* ---------------------------------------------------------------- vars */

typedef struct aa_var {
        char *name;
        char **values;
        size_t n;
} aa_var;

struct mp_aa_vars {
        aa_var *v;
        size_t n;
};

mp_aa_vars *mp_aa_vars_new(void)
{
        return xcalloc(1, sizeof(mp_aa_vars));
}

void mp_aa_vars_free(mp_aa_vars *v)
{
        if (!v)
                return;
        for (size_t i = 0; i < v->n; i++) {
                free(v->v[i].name);
                for (size_t j = 0; j < v->v[i].n; j++)
                        free(v->v[i].values[j]);
                free(v->v[i].values);
        }
        free(v->v);
        free(v);
}

mp_aa_vars *mp_aa_vars_copy(const mp_aa_vars *v)
{
        mp_aa_vars *c = mp_aa_vars_new();
        if (!v)
                return c;
        c->v = xcalloc(v->n ? v->n : 1, sizeof *c->v);
        c->n = v->n;
        for (size_t i = 0; i < v->n; i++) {
                c->v[i].name = xstrdup(v->v[i].name);
                c->v[i].n = v->v[i].n;
                c->v[i].values = xcalloc(v->v[i].n ? v->v[i].n : 1, sizeof(char *));
                for (size_t j = 0; j < v->v[i].n; j++)
                        c->v[i].values[j] = xstrdup(v->v[i].values[j]);
        }
        return c;
}

static bool var_name_valid(const char *name, size_t len)
{
        if (len == 0 || !((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z')))
                return false;
        for (size_t i = 1; i < len; i++) {
                char c = name[i];
                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
                        return false;
        }
        return true;
}

static aa_var *var_find(const mp_aa_vars *v, const char *name, size_t len)
{
        if (!v)
                return NULL;
        for (size_t i = 0; i < v->n; i++)
                if (strlen(v->v[i].name) == len && memcmp(v->v[i].name, name, len) == 0)
                        return &v->v[i];
        return NULL;
}

static aa_var *var_get(mp_aa_vars *v, const char *name)
{
        aa_var *x = var_find(v, name, strlen(name));
        if (x)
                return x;
        v->v = xrealloc(v->v, (v->n + 1) * sizeof *v->v);
        x = &v->v[v->n++];
        x->name = xstrdup(name);
        x->values = NULL;
        x->n = 0;
        return x;
}

int mp_aa_vars_set(mp_aa_vars *v, const char *name, const char *value)
{
        if (!var_name_valid(name, strlen(name)))
                return -EINVAL;
        aa_var *x = var_get(v, name);
        for (size_t j = 0; j < x->n; j++)
                free(x->values[j]);
        x->n = 0;
        if (value)
                return mp_aa_vars_append(v, name, value);
        return 0;
}

int mp_aa_vars_append(mp_aa_vars *v, const char *name, const char *value)
{
        if (!var_name_valid(name, strlen(name)))
                return -EINVAL;
        aa_var *x = var_get(v, name);
        x->values = xrealloc(x->values, (x->n + 1) * sizeof(char *));
        x->values[x->n++] = xstrdup(value);
        return 0;
}

bool mp_aa_vars_has(const mp_aa_vars *v, const char *name)
{
        return var_find(v, name, strlen(name)) != NULL;
}

mp_aa_vars *mp_aa_vars_new_default(void)
{
        /* /etc/apparmor.d/tunables/ of Debian 12 (apparmor 3.0.8). */
        static const char *const defs[][2] = {
                { "PROC", "/proc/" },
                { "sys", "/sys/" },
                { "pid", "{[1-9],[1-9][0-9],[1-9][0-9][0-9],[1-9][0-9][0-9][0-9],[1-9][0-9][0-9][0-9][0-9],"
                         "[1-9][0-9][0-9][0-9][0-9][0-9],[1-4][0-9][0-9][0-9][0-9][0-9][0-9]}" },
                { "tid", "@{pid}" },
                { "pids", "@{pid}" },
                { "uid", "{[0-9],[1-9][0-9],[1-9][0-9][0-9],[1-9][0-9][0-9][0-9],[1-9][0-9][0-9][0-9][0-9],"
                         "[1-9][0-9][0-9][0-9][0-9][0-9],[1-9][0-9][0-9][0-9][0-9][0-9][0-9],"
                         "[1-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9],[1-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9],"
                         "[1-4][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]}" },
                { "uids", "@{uid}" },
                { "run", "/run/" },
                { "run", "/var/run/" },
                { "HOMEDIRS", "/home/" },
                { "HOME", "@{HOMEDIRS}/*/" },
                { "HOME", "/root/" },
                { "multiarch", "*-linux-gnu*" },
                { "etc_ro", "/etc/" },
                { "etc_ro", "/usr/etc/" },
                { "etc_rw", "/etc/" },
                { "securityfs", "@{sys}/kernel/security/" },
                { "apparmorfs", "@{securityfs}/apparmor/" },
                { "flatpak_exports_root", "{flatpak/exports,flatpak/{app,runtime}/*/*/*/*/export}" },
                { "system_share_dirs", "/{usr,usr/local,var/lib/@{flatpak_exports_root}}/share" },
                { "user_share_dirs", "@{HOME}/.local{,/share/@{flatpak_exports_root}}/share" },
                { "XDG_DESKTOP_DIR", "Desktop" },
                { "XDG_DOWNLOAD_DIR", "Downloads" },
                { "XDG_TEMPLATES_DIR", "Templates" },
                { "XDG_PUBLICSHARE_DIR", "Public" },
                { "XDG_DOCUMENTS_DIR", "Documents" },
                { "XDG_MUSIC_DIR", "Music" },
                { "XDG_PICTURES_DIR", "Pictures" },
                { "XDG_VIDEOS_DIR", "Videos" },
        };
        mp_aa_vars *v = mp_aa_vars_new();
        for (size_t i = 0; i < ELEMENTSOF(defs); i++)
                mp_aa_vars_append(v, defs[i][0], defs[i][1]);
        return v;
}

/* --------------------------------------------------------- expansion */

typedef struct expander {
        const mp_aa_vars *vars;
        size_t top_pos; /* position in the top-level pattern, for errors */
        char msg[200];
} expander;

/* Expand the variables of pat into out. As apparmor_parser does, a
 * variable directly followed by '/' has the trailing slashes of its values
 * removed (@{PROC}=/proc/: "@{PROC}/1" is "/proc/1"; @{run}=/run/ /var/run/:
 * "@{run}/x" is "{/run,/var/run}/x"). */
static int expand(expander *e, const char *pat, int depth, strbuf *out)
{
        for (size_t i = 0; pat[i];) {
                if (depth == 0)
                        e->top_pos = i;
                if (pat[i] == '\\' && pat[i + 1]) {
                        strbuf_add(out, pat + i, 2);
                        i += 2;
                        continue;
                }
                if (pat[i] == '@' && pat[i + 1] == '{') {
                        const char *name = pat + i + 2;
                        const char *end = strchr(name, '}');
                        if (!end || !var_name_valid(name, (size_t)(end - name))) {
                                snprintf(e->msg, sizeof e->msg, "invalid variable reference");
                                return -EINVAL;
                        }
                        size_t nlen = (size_t)(end - name);
                        const aa_var *v = var_find(e->vars, name, nlen);
                        if (!v) {
                                snprintf(e->msg, sizeof e->msg, "undefined variable @{%.*s}", (int)nlen, name);
                                return -ENOENT;
                        }
                        if (v->n == 0) {
                                snprintf(e->msg, sizeof e->msg, "variable @{%.*s} has no value", (int)nlen, name);
                                return -EINVAL;
                        }
                        if (depth >= MAX_VAR_DEPTH) {
                                snprintf(e->msg, sizeof e->msg, "variable @{%.*s} refers to itself", (int)nlen, name);
                                return -ELOOP;
                        }
                        bool strip = end[1] == '/';
                        if (v->n > 1)
                                strbuf_putc(out, '{');
                        for (size_t j = 0; j < v->n; j++) {
                                if (j)
                                        strbuf_putc(out, ',');
                                strbuf val = STRBUF_INIT;
                                int r = expand(e, v->values[j], depth + 1, &val);
                                if (r < 0) {
                                        strbuf_free(&val);
                                        return r;
                                }
                                while (strip && val.len > 0 && val.buf[val.len - 1] == '/' &&
                                       !(val.len > 1 && val.buf[val.len - 2] == '\\'))
                                        val.len--;
                                strbuf_add(out, val.buf ? val.buf : "", val.len);
                                strbuf_free(&val);
                        }
                        if (v->n > 1)
                                strbuf_putc(out, '}');
                        if (out->len > MAX_EXPANDED) {
                                snprintf(e->msg, sizeof e->msg, "pattern too long after variable expansion");
                                return -E2BIG;
                        }
                        i = (size_t)(end - pat) + 1;
                        continue;
                }
                strbuf_putc(out, pat[i]);
                i++;
        }
        return 0;
}

/* Collapse repeated slashes as apparmor_parser's filter_slashes does (a
 * leading "//" not followed by a third slash is kept). */
static void filter_slashes(char *path)
{
        if (!path || strlen(path) < 2)
                return;
        char *s = path, *d = path;
        if (s[0] == '/' && s[1] == '/' && s[2] != '/') {
                s += 2;
                d += 2;
        }
        bool seen = false;
        while (*s) {
                if (*s == '/') {
                        if (seen) {
                                s++;
                                continue;
                        }
                        seen = true;
                } else {
                        seen = false;
                }
                *d++ = *s++;
        }
        *d = 0;
}

/* --------------------------------------------------------------- NFA */

typedef struct byteset {
        uint64_t w[4];
} byteset;

static inline void bs_add(byteset *s, unsigned c)
{
        s->w[c >> 6] |= 1ull << (c & 63);
}
static inline bool bs_has(const byteset *s, unsigned c)
{
        return s->w[c >> 6] >> (c & 63) & 1;
}

typedef struct nstate {
        int32_t set;  /* index into sets; -1: epsilon state */
        int32_t out;  /* the next state (after the byte, or the first epsilon) */
        int32_t out2; /* a second epsilon edge, or -1 */
} nstate;

struct aaglob {
        char *expanded;
        nstate *st;
        size_t nst, stcap;
        byteset *sets;
        size_t nsets, setcap;
        int32_t start, accept;
        bool literal;
        char *lit;
        size_t litlen;
};

typedef struct frag {
        int32_t start, end; /* end: an epsilon state with no edge yet */
} frag;

static int32_t new_state(aaglob *g, int32_t set, int32_t out, int32_t out2)
{
        if (g->nst == g->stcap) {
                g->stcap = g->stcap ? g->stcap * 2 : 32;
                g->st = xrealloc(g->st, g->stcap * sizeof *g->st);
        }
        g->st[g->nst] = (nstate){ set, out, out2 };
        return (int32_t)g->nst++;
}

static int32_t set_index(aaglob *g, const byteset *s)
{
        for (size_t i = 0; i < g->nsets; i++)
                if (memcmp(&g->sets[i], s, sizeof *s) == 0)
                        return (int32_t)i;
        if (g->nsets == g->setcap) {
                g->setcap = g->setcap ? g->setcap * 2 : 8;
                g->sets = xrealloc(g->sets, g->setcap * sizeof *g->sets);
        }
        g->sets[g->nsets] = *s;
        return (int32_t)g->nsets++;
}

static frag f_empty(aaglob *g)
{
        int32_t e = new_state(g, -1, -1, -1);
        return (frag){ e, e };
}

static frag f_set(aaglob *g, const byteset *s)
{
        int32_t e = new_state(g, -1, -1, -1);
        int32_t b = new_state(g, set_index(g, s), e, -1);
        return (frag){ b, e };
}

static frag f_byte(aaglob *g, unsigned char c)
{
        byteset s = { { 0 } };
        bs_add(&s, c);
        return f_set(g, &s);
}

static frag f_star(aaglob *g, const byteset *s)
{
        int32_t end = new_state(g, -1, -1, -1);
        int32_t split = new_state(g, -1, -1, end);
        int32_t b = new_state(g, set_index(g, s), split, -1);
        g->st[split].out = b;
        return (frag){ split, end };
}

static frag f_cat(aaglob *g, frag a, frag b)
{
        g->st[a.end].out = b.start;
        return (frag){ a.start, b.end };
}

static void set_noslash(byteset *s)
{
        memset(s, 0xff, sizeof *s);
        s->w[0] &= ~1ull; /* NUL */
        s->w[0] &= ~(1ull << '/');
}

static void set_any(byteset *s)
{
        memset(s, 0xff, sizeof *s);
        s->w[0] &= ~1ull;
}

typedef struct gparser {
        aaglob *g;
        const char *src;
        size_t pos;
        int depth;
        bool prev_slash; /* the last thing emitted was a literal '/' */
        char msg[200];
} gparser;

static int parse_seq(gparser *p, frag *ret);

static int class_byte(gparser *p, unsigned char *ret)
{
        const char *s = p->src;
        if (s[p->pos] == '\\') {
                if (!s[p->pos + 1]) {
                        snprintf(p->msg, sizeof p->msg, "trailing '\\' in a character class");
                        return -EINVAL;
                }
                *ret = (unsigned char)s[p->pos + 1];
                p->pos += 2;
                return 0;
        }
        if (s[p->pos] == '*' || s[p->pos] == '?') {
                /* apparmor_parser expands these even inside [...], which
                 * breaks the class: refuse rather than guess. */
                snprintf(p->msg, sizeof p->msg, "unescaped '%c' inside [...]", s[p->pos]);
                return -EINVAL;
        }
        *ret = (unsigned char)s[p->pos++];
        return 0;
}

static int parse_class(gparser *p, frag *ret)
{
        const char *s = p->src;
        size_t open = p->pos;
        p->pos++; /* '[' */
        bool neg = false;
        if (s[p->pos] == '^') {
                neg = true;
                p->pos++;
        }
        byteset set = { { 0 } };
        bool any = false;
        for (;;) {
                if (!s[p->pos]) {
                        p->pos = open;
                        snprintf(p->msg, sizeof p->msg, "unclosed '['");
                        return -EINVAL;
                }
                if (s[p->pos] == ']') {
                        if (!any) {
                                snprintf(p->msg, sizeof p->msg, "empty character class");
                                return -EINVAL;
                        }
                        p->pos++;
                        break;
                }
                unsigned char lo, hi;
                int r = class_byte(p, &lo);
                if (r < 0)
                        return r;
                hi = lo;
                if (s[p->pos] == '-' && s[p->pos + 1] && s[p->pos + 1] != ']') {
                        p->pos++;
                        r = class_byte(p, &hi);
                        if (r < 0)
                                return r;
                        if (hi < lo) {
                                snprintf(p->msg, sizeof p->msg, "reversed range in a character class");
                                return -EINVAL;
                        }
                }
                for (unsigned c = lo; c <= hi; c++)
                        bs_add(&set, c);
                any = true;
        }
        if (neg)
                for (int i = 0; i < 4; i++)
                        set.w[i] = ~set.w[i];
        set.w[0] &= ~1ull;
        *ret = f_set(p->g, &set);
        return 0;
}

static int parse_alternation(gparser *p, frag *ret)
{
        aaglob *g = p->g;
        size_t open = p->pos;
        p->pos++; /* '{' */
        if (++p->depth >= MAX_ALT_DEPTH) {
                snprintf(p->msg, sizeof p->msg, "{} nested too deeply");
                return -EINVAL;
        }
        int32_t end = new_state(g, -1, -1, -1);
        int32_t first = -1, last_split = -1;
        size_t commas = 0;
        for (;;) {
                p->prev_slash = false; /* '(' or '|' was emitted last */
                frag alt;
                int r = parse_seq(p, &alt);
                if (r < 0)
                        return r;
                g->st[alt.end].out = end;
                int32_t split = new_state(g, -1, alt.start, -1);
                if (first < 0)
                        first = split;
                else
                        g->st[last_split].out2 = split;
                last_split = split;
                char c = p->src[p->pos];
                if (c == ',') {
                        commas++;
                        p->pos++;
                        continue;
                }
                if (c == '}') {
                        p->pos++;
                        break;
                }
                p->pos = open;
                snprintf(p->msg, sizeof p->msg, "unclosed '{'");
                return -EINVAL;
        }
        if (commas == 0) {
                p->pos = open;
                snprintf(p->msg, sizeof p->msg, "{...} needs at least two alternatives (a ',')");
                return -EINVAL;
        }
        p->depth--;
        p->prev_slash = false;
        *ret = (frag){ first, end };
        return 0;
}

static int parse_seq(gparser *p, frag *ret)
{
        aaglob *g = p->g;
        const char *s = p->src;
        frag acc = f_empty(g);
        for (;;) {
                char c = s[p->pos];
                if (!c)
                        break;
                if (p->depth > 0 && (c == ',' || c == '}'))
                        break;
                frag f;
                byteset set;
                int r;
                switch (c) {
                case '\\':
                        if (!s[p->pos + 1]) {
                                snprintf(p->msg, sizeof p->msg, "trailing '\\'");
                                return -EINVAL;
                        }
                        f = f_byte(g, (unsigned char)s[p->pos + 1]);
                        p->prev_slash = s[p->pos + 1] == '/';
                        p->pos += 2;
                        break;
                case '*': {
                        size_t run = 0;
                        while (s[p->pos + run] == '*')
                                run++;
                        char after = s[p->pos + run];
                        bool need_one = p->prev_slash && (after == '/' || after == '\0');
                        if (run >= 2)
                                set_any(&set);
                        else
                                set_noslash(&set);
                        f = f_star(g, &set);
                        if (need_one) {
                                byteset one;
                                set_noslash(&one);
                                f = f_cat(g, f_set(g, &one), f);
                        }
                        p->pos += run;
                        p->prev_slash = false;
                        break;
                }
                case '?':
                        set_noslash(&set);
                        f = f_set(g, &set);
                        p->pos++;
                        p->prev_slash = false;
                        break;
                case '[':
                        r = parse_class(p, &f);
                        if (r < 0)
                                return r;
                        p->prev_slash = false;
                        break;
                case ']':
                        snprintf(p->msg, sizeof p->msg, "']' without '['");
                        return -EINVAL;
                case '{':
                        r = parse_alternation(p, &f);
                        if (r < 0)
                                return r;
                        break;
                case '}':
                        snprintf(p->msg, sizeof p->msg, "'}' without '{'");
                        return -EINVAL;
                default:
                        f = f_byte(g, (unsigned char)c);
                        p->prev_slash = c == '/';
                        p->pos++;
                        break;
                }
                acc = f_cat(g, acc, f);
        }
        *ret = acc;
        return 0;
}

/* The unescaped bytes when the pattern has no glob syntax. */
static bool literal_of(const char *pat, char **ret, size_t *ret_len)
{
        strbuf sb = STRBUF_INIT;
        for (size_t i = 0; pat[i]; i++) {
                char c = pat[i];
                if (c == '\\' && pat[i + 1]) {
                        strbuf_putc(&sb, pat[++i]);
                        continue;
                }
                if (strchr("*?[]{}", c)) {
                        strbuf_free(&sb);
                        return false;
                }
                strbuf_putc(&sb, c);
        }
        *ret_len = sb.len;
        *ret = strbuf_steal(&sb);
        return true;
}

void aaglob_free(aaglob *g)
{
        if (!g)
                return;
        free(g->expanded);
        free(g->st);
        free(g->sets);
        free(g->lit);
        free(g);
}

int aaglob_compile(const char *pattern, const mp_aa_vars *vars, aaglob **ret, mp_error *err)
{
        expander e = { .vars = vars };
        strbuf out = STRBUF_INIT;
        int r = expand(&e, pattern, 0, &out);
        if (r < 0) {
                strbuf_free(&out);
                r = mp_error_set(err, r, NULL, "%s", e.msg);
                if (err)
                        err->column = (int)e.top_pos + 1;
                return r;
        }
        aaglob *g = xcalloc(1, sizeof *g);
        g->expanded = strbuf_steal(&out);
        filter_slashes(g->expanded);
        bool expanded_differs = !streq(g->expanded, pattern);

        gparser p = { .g = g, .src = g->expanded };
        frag f;
        r = parse_seq(&p, &f);
        if (r < 0) {
                r = mp_error_set(err, r, NULL, "%s%s", p.msg, expanded_differs ? " (after variable expansion)" : "");
                if (err)
                        err->column = (int)p.pos + 1;
                aaglob_free(g);
                return r;
        }
        g->accept = new_state(g, -1, -1, -1);
        g->st[f.end].out = g->accept;
        g->start = f.start;
        g->literal = literal_of(g->expanded, &g->lit, &g->litlen);
        *ret = g;
        return 0;
}

const char *aaglob_expanded(const aaglob *g)
{
        return g->expanded;
}

bool aaglob_is_literal(const aaglob *g, const char **ret_literal, size_t *ret_len)
{
        if (!g->literal)
                return false;
        if (ret_literal)
                *ret_literal = g->lit;
        if (ret_len)
                *ret_len = g->litlen;
        return true;
}

/* --------------------------------------------------------- simulation */

typedef struct sset {
        size_t words;
        uint64_t *w;
} sset;

static inline void ss_add(uint64_t *w, int32_t i)
{
        w[i >> 6] |= 1ull << (i & 63);
}
static inline bool ss_has(const uint64_t *w, int32_t i)
{
        return w[i >> 6] >> (i & 63) & 1;
}

/* Add the epsilon closure of state s to w. */
static void closure_add(const aaglob *g, uint64_t *w, int32_t s, int32_t *stack)
{
        size_t sp = 0;
        if (s < 0 || ss_has(w, s))
                return;
        ss_add(w, s);
        stack[sp++] = s;
        while (sp) {
                int32_t x = stack[--sp];
                const nstate *n = &g->st[x];
                if (n->set >= 0)
                        continue;
                if (n->out >= 0 && !ss_has(w, n->out)) {
                        ss_add(w, n->out);
                        stack[sp++] = n->out;
                }
                if (n->out2 >= 0 && !ss_has(w, n->out2)) {
                        ss_add(w, n->out2);
                        stack[sp++] = n->out2;
                }
        }
}

/* next = closure(step(cur, c)); returns whether next is non-empty. */
static bool step(const aaglob *g, const uint64_t *cur, uint64_t *next, size_t words, unsigned c, int32_t *stack)
{
        memset(next, 0, words * sizeof *next);
        bool any = false;
        for (size_t wi = 0; wi < words; wi++) {
                uint64_t bits = cur[wi];
                while (bits) {
                        int b = __builtin_ctzll(bits);
                        bits &= bits - 1;
                        int32_t s = (int32_t)(wi * 64 + (size_t)b);
                        const nstate *n = &g->st[s];
                        if (n->set >= 0 && bs_has(&g->sets[n->set], c)) {
                                closure_add(g, next, n->out, stack);
                                any = true;
                        }
                }
        }
        return any;
}

bool aaglob_match(const aaglob *g, const char *path, size_t len)
{
        if (memchr(path, 0, len))
                return false;
        if (g->literal)
                return len == g->litlen && memcmp(path, g->lit, len) == 0;
        size_t words = (g->nst + 63) / 64;
        uint64_t *a = xcalloc(words, sizeof *a);
        uint64_t *b = xcalloc(words, sizeof *b);
        int32_t *stack = xmalloc(g->nst * sizeof *stack);
        closure_add(g, a, g->start, stack);
        bool alive = true;
        for (size_t i = 0; i < len && alive; i++) {
                alive = step(g, a, b, words, (unsigned char)path[i], stack);
                uint64_t *t = a;
                a = b;
                b = t;
        }
        bool ok = alive && ss_has(a, g->accept);
        free(a);
        free(b);
        free(stack);
        return ok;
}

/* ----------------------------------------------------------- inclusion */

static char *pair_key(const uint64_t *x, size_t wx, const uint64_t *y, size_t wy)
{
        /* Hex of both bitsets: hashmap keys are C strings. */
        char *k = xmalloc((wx + wy) * 16 + 2);
        char *p = k;
        for (size_t i = 0; i < wx; i++, p += 16)
                snprintf(p, 17, "%016llx", (unsigned long long)x[i]);
        *p++ = ':';
        for (size_t i = 0; i < wy; i++, p += 16)
                snprintf(p, 17, "%016llx", (unsigned long long)y[i]);
        *p = 0;
        return k;
}

/* Representative bytes: bytes that every transition set of both automata
 * treats alike behave alike, so one of each class is enough. */
static size_t alphabet(const aaglob *a, const aaglob *b, unsigned char reps[256])
{
        size_t n = 0;
        for (unsigned c = 1; c < 256; c++) {
                bool found = false;
                for (size_t r = 0; r < n && !found; r++) {
                        unsigned d = reps[r];
                        bool same = true;
                        for (size_t i = 0; i < a->nsets && same; i++)
                                same = bs_has(&a->sets[i], c) == bs_has(&a->sets[i], d);
                        for (size_t i = 0; i < b->nsets && same; i++)
                                same = bs_has(&b->sets[i], c) == bs_has(&b->sets[i], d);
                        found = same;
                }
                if (!found)
                        reps[n++] = (unsigned char)c;
        }
        return n;
}

aaglob_cover aaglob_covers(const aaglob *a, const aaglob *b)
{
        if (b->literal)
                return aaglob_match(a, b->lit, b->litlen) ? AAGLOB_COVERS_YES : AAGLOB_COVERS_NO;
        if (a->nst + b->nst > MAX_COVER_STATES)
                return AAGLOB_COVERS_UNKNOWN;
        unsigned char reps[256];
        size_t nreps = alphabet(a, b, reps);
        size_t wa = (a->nst + 63) / 64, wb = (b->nst + 63) / 64;
        size_t pw = wa + wb; /* a pair: b's set then a's set */
        int32_t *stack = xmalloc((a->nst > b->nst ? a->nst : b->nst) * sizeof *stack);
        uint64_t *queue = NULL;
        size_t qlen = 0, qcap = 0, qhead = 0;
        hashmap *seen = hashmap_new();
        aaglob_cover result = AAGLOB_COVERS_YES;

        uint64_t *cur = xcalloc(pw, sizeof *cur);
        closure_add(b, cur, b->start, stack);
        closure_add(a, cur + wb, a->start, stack);
        uint64_t *nb = xcalloc(wb, sizeof *nb), *na = xcalloc(wa, sizeof *na);
        if (ss_has(cur, b->accept) && !ss_has(cur + wb, a->accept)) {
                result = AAGLOB_COVERS_NO;
                goto out;
        }
        qcap = 64;
        queue = xmalloc(qcap * pw * sizeof *queue);
        memcpy(queue, cur, pw * sizeof *queue);
        qlen = 1;
        {
                char *k = pair_key(cur, wb, cur + wb, wa);
                hashmap_put(seen, k, (void *)1);
                free(k);
        }
        while (qhead < qlen) {
                memcpy(cur, queue + qhead * pw, pw * sizeof *cur);
                qhead++;
                for (size_t r = 0; r < nreps; r++) {
                        if (!step(b, cur, nb, wb, reps[r], stack))
                                continue;
                        step(a, cur + wb, na, wa, reps[r], stack);
                        if (ss_has(nb, b->accept) && !ss_has(na, a->accept)) {
                                result = AAGLOB_COVERS_NO;
                                goto out;
                        }
                        char *k = pair_key(nb, wb, na, wa);
                        if (hashmap_get(seen, k)) {
                                free(k);
                                continue;
                        }
                        hashmap_put(seen, k, (void *)1);
                        free(k);
                        if (hashmap_size(seen) > MAX_COVER_PAIRS) {
                                result = AAGLOB_COVERS_UNKNOWN;
                                goto out;
                        }
                        if (qlen == qcap) {
                                qcap *= 2;
                                queue = xrealloc(queue, qcap * pw * sizeof *queue);
                        }
                        memcpy(queue + qlen * pw, nb, wb * sizeof *nb);
                        memcpy(queue + qlen * pw + wb, na, wa * sizeof *na);
                        qlen++;
                }
        }
out:
        hashmap_free(seen, NULL);
        free(queue);
        free(cur);
        free(nb);
        free(na);
        free(stack);
        return result;
}

/* ------------------------------------------------------------ escaping */

char *mp_aa_escape_literal(const char *raw, size_t len)
{
        strbuf sb = STRBUF_INIT;
        strbuf_grow(&sb, len + 8);
        size_t i = 0;
        /* A recorded checkout (record --workspace) stays a variable. */
        size_t wl = strlen(TRACE_WORKSPACE_VAR);
        if (len >= wl && memcmp(raw, TRACE_WORKSPACE_VAR, wl) == 0 && (len == wl || raw[wl] == '/')) {
                strbuf_add(&sb, raw, wl);
                i = wl;
        }
        for (; i < len; i++) {
                if (strchr("\\*?[]{},", raw[i]) && raw[i])
                        strbuf_putc(&sb, '\\');
                strbuf_putc(&sb, raw[i]);
        }
        return strbuf_steal(&sb);
}

static void put_octal(strbuf *sb, unsigned char c)
{
        strbuf_printf(sb, "\\%03o", c);
}

static bool plain_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("/._+~%@-", c);
}

char *mp_aa_render_pattern(const char *pattern)
{
        strbuf body = STRBUF_INIT;
        bool quote = !*pattern;
        const unsigned char *p = (const unsigned char *)pattern;
        size_t len = strlen(pattern);
        for (size_t i = 0; i < len;) {
                unsigned char c = p[i];
                if (c == '\\') {
                        quote = true;
                        if (i + 1 >= len) {
                                strbuf_puts(&body, "\\134");
                                i++;
                                continue;
                        }
                        unsigned char d = p[i + 1];
                        i += 2;
                        if (strchr("*?[]{},^@", d) && d) {
                                strbuf_putc(&body, '\\');
                                strbuf_putc(&body, (char)d);
                                continue;
                        }
                        if (d == '\\') {
                                strbuf_puts(&body, "\\134");
                                continue;
                        }
                        c = d; /* `\c` of an ordinary c is c */
                        if (c >= 0x80) {
                                /* a lone escaped byte of a multibyte
                                 * sequence: keep it a single byte */
                                put_octal(&body, c);
                                continue;
                        }
                } else {
                        i++;
                }
                if (c >= 0x80) {
                        size_t n = utf8_seq_len(p + i - 1, len - (i - 1));
                        quote = true;
                        if (n) {
                                strbuf_add(&body, p + i - 1, n);
                                i += n - 1;
                        } else {
                                put_octal(&body, c);
                        }
                } else if (c < 0x20 || c == 0x7f || c == '"') {
                        quote = true;
                        put_octal(&body, c);
                } else {
                        if (c == ',') {
                                /* unquoted, a comma must be followed by a
                                 * word character (AppArmor's lexer) */
                                if (i >= len || !(plain_char((char)p[i]) || strchr("*?[]{}^", p[i])))
                                        quote = true;
                        } else if (!plain_char((char)c) && !strchr("*?[]{}^", c)) {
                                quote = true;
                        }
                        strbuf_putc(&body, (char)c);
                }
        }
        if (!quote)
                return strbuf_steal(&body);
        strbuf out = STRBUF_INIT;
        strbuf_putc(&out, '"');
        strbuf_add(&out, body.buf ? body.buf : "", body.len);
        strbuf_putc(&out, '"');
        strbuf_free(&body);
        return strbuf_steal(&out);
}

static int digit_val(char c, int base)
{
        int v;
        if (c >= '0' && c <= '9')
                v = c - '0';
        else if (c >= 'a' && c <= 'z')
                v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'Z')
                v = c - 'A' + 10;
        else
                return -1;
        return v < base ? v : -1;
}

/* A number of at most maxdigits digits, stopping before it would exceed
 * 255 (AppArmor's strntol). Returns -1 when no digit was taken. */
static int escape_number(const char *s, size_t avail, int base, size_t maxdigits, size_t *used)
{
        int val = 0;
        size_t n = 0;
        while (n < maxdigits && n < avail) {
                int d = digit_val(s[n], base);
                if (d < 0 || val * base + d > 255)
                        break;
                val = val * base + d;
                n++;
        }
        *used = n;
        return n ? val : -1;
}

/* The escape sequence after a backslash at s[0..avail): the byte value and
 * its length, or -1 for an unsupported sequence. */
static int escape_seq(const char *s, size_t avail, size_t *used)
{
        if (avail == 0)
                return -1;
        char c = s[0];
        size_t n;
        int v;
        if (c >= '0' && c <= '7') {
                v = escape_number(s, avail, 8, 3, &n);
                *used = n;
                return v;
        }
        switch (c) {
        case '\\':
        case '"':
                *used = 1;
                return c;
        case 'd':
                v = escape_number(s + 1, avail - 1, 10, 3, &n);
                *used = n + 1;
                return v;
        case 'x':
                v = escape_number(s + 1, avail - 1, 16, 2, &n);
                *used = n + 1;
                return v;
        case 'a':
                *used = 1;
                return '\a';
        case 'e':
                *used = 1;
                return 033;
        case 'f':
                *used = 1;
                return '\f';
        case 'n':
                *used = 1;
                return '\n';
        case 'r':
                *used = 1;
                return '\r';
        case 't':
                *used = 1;
                return '\t';
        }
        return -1;
}

int mp_aa_unescape(const char *text, size_t len, char **ret, size_t *ret_col)
{
        strbuf sb = STRBUF_INIT;
        strbuf_grow(&sb, len);
        for (size_t i = 0; i < len;) {
                char c = text[i];
                if (c == '\0') {
                        strbuf_free(&sb);
                        if (ret_col)
                                *ret_col = i + 1;
                        return -EINVAL;
                }
                if (c == '\\' && i + 1 < len) {
                        size_t used = 0;
                        int v = escape_seq(text + i + 1, len - i - 1, &used);
                        if (v == 0) {
                                strbuf_free(&sb);
                                if (ret_col)
                                        *ret_col = i + 1;
                                return -EINVAL;
                        }
                        if (v > 0) {
                                if (strchr("*?[]{}^,\\", v))
                                        strbuf_putc(&sb, '\\');
                                strbuf_putc(&sb, (char)v);
                                i += 1 + used;
                                continue;
                        }
                }
                strbuf_putc(&sb, c);
                i++;
        }
        *ret = strbuf_steal(&sb);
        return 0;
}
