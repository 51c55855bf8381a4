/* SPDX-License-Identifier: MIT */
/* Evidence-based generalisation of AppArmor file rules (contract in
 * apparmor-evidence.h). Rounds over the sorted paths: name components
 * are classified (random part, number, hash), by families of same-shaped
 * siblings from the round before, ambiguous ones take a matching
 * sibling's pattern; then the subtree and traversal collapses. Every decision depends only on the set of paths, so the
 * same trace always gives the same patterns. */
#include <stdint.h>
#include <string.h>

#include "policy/aaglob.h"
#include "policy/apparmor-evidence.h"
#include "policy/apparmor-profile.h"
#include "common/hashmap.h"
#include "common/strbuf.h"

enum {
        K_RAND = 1u << 0,   /* mkstemp / tempfile random part */
        K_NUM = 1u << 1,    /* pid, counter, port, date */
        K_HASH = 1u << 2,   /* content hash */
        K_FANOUT = 1u << 3, /* objects/XX/ fan-out directory */
        K_SHAPE = 1u << 4,  /* took a sibling's pattern */
        K_FAMILY = 1u << 5, /* the random part the siblings of its shape vary in */
        K_DATE = 1u << 6,   /* a date or time */
        K_PID = 1u << 7,    /* the number is one of the recorded process ids */
};

/* The random part of a run, as its family of siblings shows it: runs of
 * the same length at the same place in names of the same shape in the
 * same directory, which vary in rnd characters from start. */
typedef struct family {
        size_t len, start, rnd;
} family;

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
                c |= ch >= 'a' && ch <= 'z'   ? C_LOWER
                     : ch >= 'A' && ch <= 'Z' ? C_UPPER
                     : is_digit(ch)           ? C_DIGIT
                                              : C_UNDER;
        }
        return c;
}

static unsigned popcount3(unsigned c)
{
        return !!(c & C_LOWER) + !!(c & C_UPPER) + !!(c & C_DIGIT);
}

static void put_lit(strbuf *sb, const char *s, size_t n)
{
        _cleanup_free_ char *e = mp_aa_escape_literal(s, n);
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
/* The numbers of a component: which of its digit sequences vary among
 * the names of its numbered family (same parent, same text apart from the
 * digits). */
typedef struct numbers {
        const bool *vary; /* per digit sequence; NULL: no family */
        size_t n;
        size_t base;      /* digit sequences before the current run */
        const long *pids; /* the recorded process ids, sorted */
        size_t npids;
} numbers;

static int cmp_long(const void *a, const void *b)
{
        long x = *(const long *)a, y = *(const long *)b;
        return (x > y) - (x < y);
}

/* A number of 3 digits or more that is one of the workload's process ids
 * (smaller ones are too often counters). */
static bool is_pid(const numbers *nums, const char *d, size_t len)
{
        if (!nums || !nums->npids || len < 3 || len > 9 || d[0] == '0')
                return false;
        long v = 0;
        for (size_t i = 0; i < len; i++)
                v = v * 10 + (d[i] - '0');
        return bsearch(&v, nums->pids, nums->npids, sizeof *nums->pids, cmp_long) != NULL;
}

static bool num_varies(const numbers *nums, size_t idx)
{
        return nums && nums->vary && idx < nums->n && nums->vary[idx];
}

static size_t count_digit_seqs(const char *s, size_t n)
{
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
                if (is_digit((unsigned char)s[i]) && (i == 0 || !is_digit((unsigned char)s[i - 1])))
                        k++;
        return k;
}

/* How a name was made, for run_pattern: TEMPORARY, created and removed
 * again; PRIVATE_NEW, created as mkstemp creates (O_EXCL, an owner-only
 * mode: the trace's private_new); PREFIXED, the run has something before
 * it in the name other than a leading '.' (build.abcdef, not .config);
 * DIRECTORY, the name is a directory's. */
enum { TEMPORARY = 1, PRIVATE_NEW = 2, PREFIXED = 4, DIRECTORY = 8 };

/* The draw at the end of the run r[0..n) of a name made as mkstemp makes
 * names (PRIVATE_NEW): its length, 0 when none. Python's 8 ([a-z0-9_], no
 * capital), then mkstemp's 6 ([A-Za-z0-9]), each after an underscore in the
 * run or as the whole run after a prefix (report-abcdefgh, foo_cbjgqj.log,
 * build.abcdef), whatever a file's draw spells; then glued to a prefix of 3
 * or more (mkdtemp(prefix="rpt"): rptk2j4x9a0), Python's 8 with a digit or
 * else mkstemp's 6 of two classes (a word glued to nothing, or with an
 * underscore, is a name: postgres makes its lock postmaster.pid so). A
 * directory made 0700 is as often an application's own (postgres:
 * pg_notify, archive_status, pg_commit_ts): its draw must look random
 * (Python's 8 with a digit, mkstemp's 6 of two classes) wherever it is.
 * Never the whole name (secret, settings), nor all of it after a leading
 * '.' (.config): names, not draws. */
static size_t private_draw(const char *r, size_t n, unsigned made)
{
        if (!(made & PRIVATE_NEW))
                return 0;
        bool prefixed = made & PREFIXED, dir = made & DIRECTORY;
        unsigned c8 = n >= 8 ? classes(r + n - 8, 8) : 0, c6 = n >= 6 ? classes(r + n - 6, 6) : 0;
        bool py = n >= 8 && !(c8 & C_UPPER), mk = n >= 6 && !(c6 & C_UNDER);
        bool py_random = py && (c8 & C_DIGIT), mk_random = mk && popcount3(c6) >= 2;
        if ((dir ? py_random : py) && (n == 8 ? prefixed : r[n - 9] == '_'))
                return 8;
        /* the whole name, and of Python's 8 shape: its 8 itself, not a prefix
         * and mkstemp's 6 (the directory probe of Python's tempfile makes
         * 1_k2jq9x, which became 1_??????): the rules for names decide */
        if (n == 8 && !prefixed && py)
                return 0;
        if ((dir ? mk_random : mk) && (n == 6 ? prefixed : r[n - 7] == '_'))
                return 6;
        return py_random && n >= 11 ? 8 : mk_random && n >= 9 ? 6 : 0;
}

static unsigned run_pattern(strbuf *sb, const char *r, size_t n, bool fanout_parent, bool under_fanout,
                            const family *fam, const numbers *nums, unsigned made, size_t tool, bool *ambiguous)
{
        bool temporary = made & TEMPORARY;
        size_t pdraw = private_draw(r, n, made);
        size_t seqs = count_digit_seqs(r, n), base = nums ? nums->base : 0;
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
        /* the random part of a name whose shape the tool that made it fixes
         * (tool_random), whatever the draw: before the rules for numbers,
         * which took a draw ending in 4 digits (ccpK1234.res became
         * ccpK[0-9]*.res in one run of a compile), and before the rules
         * for the classes of a draw's characters */
        if (tool) {
                put_lit(sb, r, n - tool);
                put_qmarks(sb, tool);
                return K_RAND;
        }
        /* a draw of a random family that came out all digits (1 in 57,000
         * of mkstemp's six; a test suite makes hundreds) is still one of
         * the family, unless it is a process id */
        if (tail == n && fam && fam->len == n && fam->start == 0 && fam->rnd == n && !is_pid(nums, r, n)) {
                put_qmarks(sb, fam->rnd);
                return K_RAND | K_FAMILY;
        }
        /* a temporary name (created and removed) of 8 all digits: Python's
         * 8 that came out so (1 in 36,000), unless a counter or a pid */
        if (tail == n && temporary && n == 8 && !num_varies(nums, base) && !is_pid(nums, r, n)) {
                put_qmarks(sb, 8);
                return K_RAND;
        }
        /* a number of 4 digits or more (pid, port, date), or one that
         * varies among its numbered siblings (counter) */
        if (tail == n && (n >= 4 || num_varies(nums, base) || is_pid(nums, r, n))) {
                strbuf_puts(sb, "[0-9]*");
                return is_pid(nums, r, n) ? K_NUM | K_PID : K_NUM;
        }
        if (tail == n) {
                put_lit(sb, r, n);
                return 0;
        }
        if (fam && fam->len == n) {
                put_lit(sb, r, fam->start);
                put_qmarks(sb, fam->rnd);
                put_lit(sb, r + fam->start + fam->rnd, n - fam->start - fam->rnd);
                return K_RAND | K_FAMILY;
        }
        /* Python's random 8 ending in 4 digits (1 draw in 190) is still
         * random, not a number: tmp + 8 (tmpcs2g1234 was tmpcs2g[0-9]* in
         * one run, tmp???????? in the next), or a temporary name (created
         * and removed) of exactly 8 (l8qv1234) - unless the number is a
         * counter among its siblings or a pid. */
        if (tail >= 4 && tail < 8 && !num_varies(nums, base + seqs - 1) && !is_pid(nums, r + n - tail, tail)) {
                if (n == 11 && memcmp(r, "tmp", 3) == 0 && !(classes(r + 3, 8) & C_UPPER)) {
                        strbuf_puts(sb, "tmp????????");
                        return K_RAND;
                }
                if (temporary && n == 8 && !(classes(r, n) & C_UPPER)) {
                        put_qmarks(sb, 8);
                        return K_RAND;
                }
                /* a private name's draw ending in digits (foo_ab1234), not all
                 * digits (Go's draws are numbers: [0-9]*) */
                if (pdraw > tail) {
                        put_lit(sb, r, n - pdraw);
                        put_qmarks(sb, pdraw);
                        return K_RAND;
                }
        }
        /* a number at the end (pid, counter): 4 digits or more make a
         * random draw very unlikely (0.07% of mkstemp names) */
        if (tail >= 4) {
                put_lit(sb, r, n - tail);
                strbuf_puts(sb, "[0-9]*");
                return K_NUM;
        }
        /* NNNN_fsm: a number with a fixed suffix (postgres relation forks);
         * not a temporary or private name of 8 (Python's draw 45900_vv, 1 in
         * 9,000), unless the number is a counter among its siblings */
        bool py_temp = (temporary || pdraw == 8) && n == 8 && !(classes(r, n) & C_UPPER) && !num_varies(nums, base);
        if (head >= 3 && r[head] == '_' && !(classes(r + head + 1, n - head - 1) & (C_DIGIT | C_UNDER)) &&
            (head >= 4 || num_varies(nums, base)) && !py_temp) {
                strbuf_puts(sb, "[0-9]*");
                put_lit(sb, r + head, n - head);
                return K_NUM;
        }
        /* Python's default prefix: tmp + 8 of [a-z0-9_], then any suffix
         * glued on (mkdtemp(suffix="dest") -> tmpk2j_x9a0dest) */
        if (n >= 11 && memcmp(r, "tmp", 3) == 0 && !(classes(r + 3, 8) & C_UPPER)) {
                strbuf_puts(sb, "tmp????????");
                put_lit(sb, r + 11, n - 11);
                return K_RAND;
        }
        unsigned c6 = n >= 6 ? classes(r + n - 6, 6) : 0, c8 = n >= 8 ? classes(r + n - 8, 8) : 0;
        /* glibc mkstemp: the last 6 of [A-Za-z0-9], mixed classes */
        bool r6 = n >= 6 && !(c6 & C_UNDER) && popcount3(c6) >= 2;
        /* Python tempfile: 8 of [a-z0-9_] with a digit (an underscore alone
         * is as common in words: test_logging) */
        bool r8 = n >= 8 && !(c8 & C_UPPER) && (c8 & C_LOWER) && (c8 & C_DIGIT);
        size_t rnd = 0;
        if (pdraw) {
                rnd = pdraw; /* a private name's draw: how it was made says where it is */
        } else if (r6 && r8) {
                /* Python's names have their 8 after a separator or "tmp" */
                if (n == 8 || r[n - 9] == '_' || (n == 11 && memcmp(r, "tmp", 3) == 0)) {
                        rnd = 8;
                } else {
                        rnd = 6;
                        *ambiguous = true;
                }
        } else if (r6) {
                rnd = 6;
        } else if (r8) {
                rnd = 8;
        } else if (n == 11 && memcmp(r, "tmp", 3) == 0 && !(c8 & C_UPPER)) {
                rnd = 8; /* Python's default: tmp + 8 of [a-z0-9_] */
        } else if (temporary) {
                /* created and removed again: a Python temporary name even
                 * when this draw has no digit (8 of [a-z0-9_] after a
                 * separator). Not for 6: "tmpdir", "output" are words. */
                if (n >= 8 && !(c8 & C_UPPER) && (n == 8 || r[n - 9] == '_'))
                        rnd = 8;
        }
        if (rnd) {
                put_lit(sb, r, n - rnd);
                put_qmarks(sb, rnd);
                return K_RAND;
        }
        if (tail >= 1 && (num_varies(nums, base + seqs - 1) || is_pid(nums, r + n - tail, tail))) {
                put_lit(sb, r, n - tail);
                strbuf_puts(sb, "[0-9]*");
                return is_pid(nums, r + n - tail, tail) ? K_NUM | K_PID : K_NUM;
        }
        if (n >= 6)
                *ambiguous = true;
        put_lit(sb, r, n);
        return 0;
}

/* Temporary names whose shape the tool that makes them fixes: how many
 * characters at the end of the run c[i..j) of component c[0..n) are its
 * random draw (0: no such tool's). Its draw may look like anything: no
 * capital letter (4% of mkstemp's), 4 digits at the end (1 in 1,478),
 * one class of characters (1 in 90). */
static size_t tool_random(const char *c, size_t n, size_t i, size_t j)
{
        enum { END = 1, DOT = 2 }; /* what may follow the run: the name's end, a '.' suffix */
        static const struct {
                const char *before; /* the component before the run */
                const char *start;  /* the run's fixed start, the draw after it */
                size_t rnd;         /* the draw's length */
                unsigned never;     /* classes the draw never has */
                unsigned then;      /* END, DOT */
        } tools[] = {
                /* gcc (make_temp_file): cc + mkstemp's 6 as the whole name
                 * before a suffix (.s, .o, .res). Without a suffix, or after a
                 * prefix (test_logging-2-ccz0k1xy.log), it is Python's 8 that
                 * began with "cc" (1 in 1,369). */
                { "", "cc", 6, C_UNDER, DOT },
                /* GNU sort's spill files and GNU sed -i's output, the whole name */
                { "", "sort", 6, C_UNDER, END },
                { "", "sed", 6, C_UNDER, END },
                /* mktemp(1)'s default (mktemp --suffix may follow) */
                { "tmp.", "", 10, C_UNDER, END | DOT },
                /* Rust's tempfile crate: .tmp + 6 of [A-Za-z0-9] */
                { ".", "tmp", 6, C_UNDER, END | DOT },
                /* Python's tempfile default: tmp + 8 of [a-z0-9_] (an all-digit
                 * draw, 1 in 36,000, was tmp[0-9]*) */
                { "", "tmp", 8, C_UPPER, END | DOT },
        };
        unsigned then = j == n ? END : c[j] == '.' ? DOT : 0;
        for (size_t t = 0; t < ELEMENTSOF(tools); t++) {
                size_t bl = strlen(tools[t].before), sl = strlen(tools[t].start);
                if (i == bl && memcmp(c, tools[t].before, bl) == 0 && j - i == sl + tools[t].rnd &&
                    memcmp(c + i, tools[t].start, sl) == 0 && !(classes(c + i + sl, tools[t].rnd) & tools[t].never) &&
                    (tools[t].then & then))
                        return tools[t].rnd;
        }
        return 0;
}

/* The pattern of one component of a name the workload made (NULL when it
 * stays literal). */
typedef const family *(*family_fn)(void *ud, size_t run_index);

/* A date or time in a name: YYYY-MM-DD, then optionally [_T ]HH[-:.]MM[-:.]SS
 * (rotated logs, backups). Returns its length at c (0: none). */
static size_t date_at(const char *c, size_t n)
{
        static const char *const shapes[] = { "dddd-dd-dd?dd?dd?dd", "dddd-dd-dd", "dddddddd?dddddd" };
        for (size_t s = 0; s < ELEMENTSOF(shapes); s++) {
                size_t len = strlen(shapes[s]), i = 0;
                if (len > n)
                        continue;
                for (; i < len; i++) {
                        char want = shapes[s][i], have = c[i];
                        if (want == 'd'   ? !is_digit((unsigned char)have)
                            : want == '?' ? !(have == '_' || have == 'T' || have == '-' || have == ':' || have == '.' ||
                                              have == ' ')
                                          : have != want)
                                break;
                }
                if (i == len && (len == n || !is_digit((unsigned char)c[len])))
                        return len;
        }
        return 0;
}

static bool is_alnum(unsigned char ch)
{
        return is_word(ch) && ch != '_';
}

/* A process id at c[i] standing apart from letters and digits
 * (`@test_4242_tmp`, `worker.4242`): its length, else 0. */
static size_t pid_at(const numbers *nums, const char *c, size_t n, size_t i)
{
        if (!is_digit((unsigned char)c[i]) || (i > 0 && is_alnum((unsigned char)c[i - 1])))
                return 0;
        size_t j = i;
        while (j < n && is_digit((unsigned char)c[j]))
                j++;
        if (j < n && is_alnum((unsigned char)c[j]))
                return 0;
        return is_pid(nums, c + i, j - i) ? j - i : 0;
}

static char *component_pattern(const char *c, size_t n, const char *parent, size_t plen, family_fn fam, void *fam_ud,
                               const numbers *nums0, unsigned made, unsigned *kinds, bool *ambiguous)
{
        size_t ri = 0;
        numbers nums = nums0 ? *nums0 : (numbers){ 0 };
        strbuf sb = STRBUF_INIT;
        bool fanout_parent = plen == 7 && memcmp(parent, "objects", 7) == 0;
        bool under_fanout = plen == 2 && all_hex(parent, 2);
        unsigned k = 0;
        for (size_t i = 0; i < n;) {
                size_t d = (i == 0 || !is_digit((unsigned char)c[i - 1])) ? date_at(c + i, n - i) : 0;
                if (d) {
                        for (size_t x = 0; x < d; x++) {
                                if (is_digit((unsigned char)c[i + x]))
                                        strbuf_puts(&sb, "[0-9]");
                                else
                                        put_lit(&sb, c + i + x, 1);
                        }
                        k |= K_DATE;
                        i += d;
                        /* the rest of a run the date ends inside */
                        while (i < n && is_word((unsigned char)c[i]) && i > 0 && is_word((unsigned char)c[i - 1])) {
                                put_lit(&sb, c + i, 1);
                                i++;
                        }
                        continue;
                }
                size_t pl = pid_at(&nums, c, n, i);
                if (pl) {
                        strbuf_puts(&sb, "[0-9]*");
                        k |= K_NUM | K_PID;
                        i += pl;
                        continue;
                }
                if (!is_word((unsigned char)c[i])) {
                        put_lit(&sb, c + i, 1);
                        i++;
                        continue;
                }
                size_t j = i;
                while (j < n && is_word((unsigned char)c[j]) &&
                       !(j > i && is_digit((unsigned char)c[j]) && !is_digit((unsigned char)c[j - 1]) &&
                         (date_at(c + j, n - j) || pid_at(&nums, c, n, j))))
                        j++;
                nums.base = count_digit_seqs(c, i);
                bool prefixed = i > 1 || (i == 1 && c[0] != '.');
                k |= run_pattern(&sb, c + i, j - i, fanout_parent, under_fanout, fam ? fam(fam_ud, ri) : NULL, &nums,
                                 made | (prefixed ? PREFIXED : 0), tool_random(c, n, i, j), ambiguous);
                ri++;
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
        const mp_aa_evpath *paths;
        size_t n;
        hashmap *index;    /* raw name -> mp_aa_evpath */
        hashmap *siblings; /* parent pattern -> strv of confident component patterns */
        hashmap *memo1;    /* raw directory -> its pattern in this round */
        hashmap *groups;   /* family key -> strv of runs */
        hashmap *families; /* family key -> family */
        hashmap *seen;     /* raw components collected into groups */
        hashmap *numbered; /* numbered-family key -> numbered */
        const long *pids;  /* sorted */
        size_t npids;
} ev;

typedef struct numbered {
        char **names; /* distinct components */
        size_t nnames;
        bool *vary; /* per digit sequence */
        size_t n;
} numbered;

static void numbered_free(void *p)
{
        numbered *f = p;
        for (size_t i = 0; i < f->nnames; i++)
                free(f->names[i]);
        free(f->names);
        free(f->vary);
        free(f);
}

/* parent pattern + the component with each digit sequence as '#' */
static char *numbered_key(const char *parent1, const char *c, size_t n)
{
        strbuf sb = STRBUF_INIT;
        strbuf_printf(&sb, "%s\n", parent1);
        for (size_t i = 0; i < n; i++) {
                if (is_digit((unsigned char)c[i])) {
                        if (i == 0 || !is_digit((unsigned char)c[i - 1]))
                                strbuf_putc(&sb, '#');
                        continue;
                }
                strbuf_putc(&sb, c[i] == '#' ? '\1' : c[i]);
        }
        return strbuf_steal(&sb);
}

static void numbered_collect(ev *e, const char *parent1, const char *c, size_t n)
{
        if (!count_digit_seqs(c, n))
                return;
        _cleanup_free_ char *k = numbered_key(parent1, c, n);
        numbered *f = hashmap_get(e->numbered, k);
        if (!f) {
                f = xcalloc(1, sizeof *f);
                hashmap_put(e->numbered, k, f);
        }
        for (size_t i = 0; i < f->nnames; i++)
                if (strlen(f->names[i]) == n && memcmp(f->names[i], c, n) == 0)
                        return;
        f->names = xrealloc(f->names, (f->nnames + 1) * sizeof *f->names);
        f->names[f->nnames++] = xstrndup(c, n);
}

/* The i-th digit sequence of s as [start, end). */
static bool digit_seq(const char *s, size_t idx, size_t *ret_start, size_t *ret_end)
{
        size_t k = 0, n = strlen(s);
        for (size_t i = 0; i < n; i++) {
                if (!is_digit((unsigned char)s[i]) || (i > 0 && is_digit((unsigned char)s[i - 1])))
                        continue;
                size_t j = i;
                while (j < n && is_digit((unsigned char)s[j]))
                        j++;
                if (k++ == idx) {
                        *ret_start = i;
                        *ret_end = j;
                        return true;
                }
        }
        return false;
}

/* Which digit sequences vary in each numbered family of two names or more. */
static void numbered_decide(ev *e)
{
        size_t pos = 0;
        const char *key;
        void *val;
        while (hashmap_next(e->numbered, &pos, &key, &val)) {
                numbered *f = val;
                if (f->nnames < 2)
                        continue;
                f->n = count_digit_seqs(f->names[0], strlen(f->names[0]));
                f->vary = xcalloc(f->n + 1, sizeof *f->vary);
                for (size_t d = 0; d < f->n; d++) {
                        size_t s0, e0;
                        digit_seq(f->names[0], d, &s0, &e0);
                        for (size_t i = 1; i < f->nnames && !f->vary[d]; i++) {
                                size_t s1, e1;
                                if (!digit_seq(f->names[i], d, &s1, &e1) || e1 - s1 != e0 - s0 ||
                                    memcmp(f->names[i] + s1, f->names[0] + s0, e0 - s0) != 0)
                                        f->vary[d] = true;
                        }
                }
        }
}

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

/* The skeleton of a component: each run of word characters replaced by
 * its length ("tmp1a2b3c4d.txt" -> "11.3"). */
static char *skeleton(const char *c, size_t n)
{
        strbuf sb = STRBUF_INIT;
        for (size_t i = 0; i < n;) {
                if (!is_word((unsigned char)c[i])) {
                        strbuf_putc(&sb, c[i] ? c[i] : '\1');
                        i++;
                        continue;
                }
                size_t j = i;
                while (j < n && is_word((unsigned char)c[j]))
                        j++;
                strbuf_printf(&sb, "%zu", j - i);
                i = j;
        }
        return strbuf_steal(&sb);
}

typedef struct fam_query {
        ev *e;
        const char *parent1; /* the parent's pattern in the previous round */
        const char *skel;
} fam_query;

static char *family_key(const char *parent1, const char *skel, size_t ri)
{
        return xasprintf("%s\n%s\n%zu", parent1, skel, ri);
}

static const family *family_lookup(void *ud, size_t ri)
{
        fam_query *q = ud;
        _cleanup_free_ char *k = family_key(q->parent1, q->skel, ri);
        return hashmap_get(q->e->families, k);
}

/* Each round: remember the runs of a named component that may be random, by
 * family (parent pattern, skeleton, run index), each component once. */
static void family_collect(ev *e, const char *parent1, const char *rawprefix, const char *c, size_t n)
{
        if (hashmap_get(e->seen, rawprefix))
                return;
        hashmap_put(e->seen, rawprefix, (void *)1);
        _cleanup_free_ char *skel = skeleton(c, n);
        size_t ri = 0;
        for (size_t i = 0; i < n;) {
                if (!is_word((unsigned char)c[i])) {
                        i++;
                        continue;
                }
                size_t j = i;
                while (j < n && is_word((unsigned char)c[j]))
                        j++;
                /* Python's default names (tmp + 8) have a rule of their own;
                 * in a family they made a same-length word beside them
                 * (test_shutil's link_to_dir) random too, in the runs whose
                 * draw had a digit. */
                bool py = j - i >= 11 && memcmp(c + i, "tmp", 3) == 0 && !(classes(c + i + 3, 8) & C_UPPER);
                if (j - i >= 6 && !py) {
                        _cleanup_free_ char *k = family_key(parent1, skel, ri);
                        _cleanup_free_ char *run = xstrndup(c + i, j - i);
                        strv *s = hashmap_get(e->groups, k);
                        if (!s) {
                                s = xcalloc(1, sizeof *s);
                                hashmap_put(e->groups, k, s);
                        }
                        s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
                        s->v[s->n++] = steal_pointer(&run);
                }
                ri++;
                i = j;
        }
}

/* A family's random part: the columns in which its runs differ, widened to
 * the length of a known generator (6 mkstemp, 8 Python, 10 mktemp) since
 * random draws may agree in a column by chance. None when fewer than two
 * distinct runs, when they differ only in digits (numbers) or in fewer
 * than 5 columns. */
static void family_decide(ev *e)
{
        size_t pos = 0;
        const char *key;
        void *val;
        while (hashmap_next(e->groups, &pos, &key, &val)) {
                strv *s = val;
                size_t n = strlen(s->v[0]), cp = n, cs = n;
                bool distinct = false;
                for (size_t i = 1; i < s->n; i++) {
                        const char *a = s->v[0], *b = s->v[i];
                        size_t p = 0, q = 0;
                        while (p < cp && a[p] == b[p])
                                p++;
                        while (q < cs && q < n && a[n - 1 - q] == b[n - 1 - q])
                                q++;
                        cp = p;
                        cs = q;
                        distinct = distinct || p < n;
                }
                if (!distinct || cp + cs >= n)
                        continue;
                /* with few names, one equal column at an edge is likely
                 * chance (1 in 37 per pair) */
                if (s->n < 4 && cp == 1)
                        cp = 0;
                if (s->n < 4 && cs == 1)
                        cs = 0;
                size_t m = n - cp - cs;
                bool digits = true;
                for (size_t i = 0; i < s->n && digits; i++)
                        for (size_t k = cp; k < n - cs; k++)
                                if (!is_digit((unsigned char)s->v[i][k]))
                                        digits = false;
                /* and at least one draw that looks random (two character
                 * classes): "global" and "pg_wal" are two words */
                bool random = false;
                for (size_t i = 0; i < s->n && !random; i++)
                        random = popcount3(classes(s->v[i] + cp, m)) >= 2;
                if (digits || m < 5 || !random)
                        continue;
                size_t want = m <= 6 ? 6 : m <= 8 ? 8 : m <= 10 ? 10 : m;
                if (want > n)
                        want = n;
                size_t end = n - cs, start = end >= want ? end - want : 0;
                if (start + want > n)
                        start = n - want;
                /* Python's 8 ([a-z0-9_]; the whole run or after an
                 * underscore): draws that agree by chance in their first
                 * columns (l7abc_12, l7x9_q0z: 1 in 1,369 for two) are
                 * still its 8, not mkstemp's 6 */
                bool upper = false;
                for (size_t i = 0; i < s->n && n >= 8 && !upper; i++)
                        upper = classes(s->v[i] + n - 8, 8) & C_UPPER;
                if (n >= 8 && !upper && cp >= n - 8 && (n == 8 || s->v[0][n - 9] == '_')) {
                        start = n - 8;
                        want = 8;
                }
                family *f = xcalloc(1, sizeof *f);
                *f = (family){ .len = n, .start = start, .rnd = want };
                hashmap_put(e->families, key, f);
        }
}

static ev *ev_new(const mp_aa_evpath *paths, size_t n, hashmap *index, const long *pids, size_t npids)
{
        ev *e = xcalloc(1, sizeof *e);
        *e = (ev){ .paths = paths,
                   .n = n,
                   .index = index,
                   .siblings = hashmap_new(),
                   .memo1 = hashmap_new(),
                   .groups = hashmap_new(),
                   .families = hashmap_new(),
                   .seen = hashmap_new(),
                   .numbered = hashmap_new(),
                   .pids = pids,
                   .npids = npids };
        return e;
}

/* Frees the state of a round (not the shared index). */
static void ev_free(ev *e)
{
        if (!e)
                return;
        hashmap_free(e->siblings, strv_free_cb);
        hashmap_free(e->memo1, free);
        hashmap_free(e->groups, strv_free_cb);
        hashmap_free(e->families, free);
        hashmap_free(e->seen, NULL);
        hashmap_free(e->numbered, numbered_free);
        free(e);
}

/* The generalised pattern of a path: per name alone (prev NULL), or with
 * the families, numbered families and sibling patterns of the previous
 * round (prev), keyed by the parents' patterns of that round. With e, the
 * facts for the next round are collected into it, keyed by this round's
 * parent patterns. Returns the kinds used (0: the path stays literal);
 * *ret is always the full pattern; ancestors (if given): the patterns of
 * the named directories above the path, outermost first. */
static unsigned path_pattern(ev *e, ev *prev, const mp_aa_evpath *p, char **ret, strv *ancestors)
{
        ev *ix = e ? e : prev; /* for the index */
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
                _cleanup_free_ char *rawparent = xstrndup(p->name, i);
                _cleanup_free_ char *rawprefix = xstrndup(p->name, dir ? j + 1 : j);
                const mp_aa_evpath *self = hashmap_get(ix->index, rawprefix); /* this name, if recorded */
                bool here = self && self->named;
                unsigned made = (here && self->removed ? TEMPORARY : 0) |
                                (here && self->private_new ? PRIVATE_NEW : 0) | (dir ? DIRECTORY : 0);
                on = on || here;
                char *cp = NULL;
                if (on && n) {
                        bool amb = false;
                        unsigned k = 0;
                        if (!prev) {
                                numbers nums1 = { .pids = e->pids, .npids = e->npids };
                                cp = component_pattern(c, n, parent, plen, NULL, NULL, &nums1, made, &k, &amb);
                        } else {
                                const char *pkey = hashmap_get(prev->memo1, rawparent);
                                if (!pkey)
                                        pkey = strbuf_str(&pat);
                                _cleanup_free_ char *skel = skeleton(c, n);
                                fam_query q = { .e = prev, .parent1 = pkey, .skel = skel };
                                _cleanup_free_ char *nk = numbered_key(pkey, c, n);
                                const numbered *nf = hashmap_get(prev->numbered, nk);
                                numbers nums = { .vary = nf ? nf->vary : NULL,
                                                 .n = nf ? nf->n : 0,
                                                 .pids = prev->pids,
                                                 .npids = prev->npids };
                                cp = component_pattern(c, n, parent, plen, family_lookup, &q, &nums, made, &k, &amb);
                                if (amb && !(k & K_FAMILY)) {
                                        char *s = sibling_match(prev, pkey, c, n);
                                        if (s) {
                                                free(cp);
                                                cp = s;
                                                k |= K_SHAPE;
                                                amb = false;
                                        }
                                }
                        }
                        if (e) {
                                /* collect, keyed by this iteration's parent pattern */
                                const char *parent1 = strbuf_str(&pat);
                                numbered_collect(e, parent1, c, n);
                                family_collect(e, parent1, rawprefix, c, n);
                                if (cp && !amb)
                                        sibling_add(e, parent1, cp);
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
                if (e && dir && !hashmap_get(e->memo1, rawprefix))
                        hashmap_put(e->memo1, rawprefix, xstrdup(strbuf_str(&pat)));
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
                strbuf_printf(&sb, "%snumber (%s) -> [0-9]*", sep,
                              kinds & K_PID ? "a process id of the recorded run" : "pid, counter, port, date");
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
        if (kinds & K_FAMILY) {
                strbuf_printf(&sb, "%sthe part in which names of the same shape differ", sep);
                sep = "; ";
        }
        if (kinds & K_DATE) {
                strbuf_printf(&sb, "%sdate or time -> [0-9]", sep);
                sep = "; ";
        }
        if (kinds & K_SHAPE)
                strbuf_printf(&sb, "%sa name of its siblings' shape", sep);
        return strbuf_steal(&sb);
}

typedef struct subtree {
        size_t count, files;
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
                const mp_aa_evpath *p = &e->paths[i];
                if (p->skip || p->named || p->perms != AA_PERM_READ || p->len < 2 || p->name[p->len - 1] != '/')
                        continue;
                size_t k = p->len - 1;
                while (k > 0 && p->name[k - 1] != '/')
                        k--;
                _cleanup_free_ char *parent = xstrndup(p->name, k);
                const mp_aa_evpath *pp = hashmap_get(e->index, parent);
                if (!pp || !pp->listed || streq(parent, "/"))
                        continue;
                hashmap_put(count, parent, (void *)((uintptr_t)hashmap_get(count, parent) + 1));
        }
        for (size_t i = 0; i < e->n; i++) {
                const mp_aa_evpath *p = &e->paths[i];
                if (p->skip || p->named || pats[i] || p->perms != AA_PERM_READ || p->name[p->len - 1] != '/')
                        continue;
                for (size_t k = 1; k < p->len - 1; k++) {
                        if (p->name[k] != '/')
                                continue;
                        _cleanup_free_ char *anc = xstrndup(p->name, k + 1);
                        uintptr_t c = (uintptr_t)hashmap_get(count, anc);
                        if (c < (uintptr_t)collapse)
                                continue;
                        _cleanup_free_ char *lit = mp_aa_escape_literal(anc, k + 1);
                        _cleanup_free_ char *shown = mp_aa_render_pattern(lit);
                        pats[i] = xasprintf("%s**/", lit);
                        why[i] = xasprintf("directories under %s, which the workload walked (%zu subdirectories "
                                           "listed): each run visits a different subset",
                                           shown, (size_t)c);
                        break;
                }
        }
        hashmap_free(count, NULL);
}

void mp_aa_evidence_globs(const mp_aa_evpath *paths, size_t n, int collapse, const long *pids, size_t npids,
                          char **ret_patterns, char **ret_why)
{
        hashmap *index = hashmap_new();
        for (size_t i = 0; i < n; i++) {
                ret_patterns[i] = ret_why[i] = NULL;
                _cleanup_free_ char *k = xstrndup(paths[i].name, paths[i].len);
                hashmap_put(index, k, (void *)&paths[i]);
        }
        /* Families are keyed by their parent's pattern, which families
         * decide in turn: a few rounds, each from the previous one's
         * families, settle the patterns of nested random directories. */
        ev *prev = NULL;
        for (int round = 0; round < 3; round++) {
                ev *cur = ev_new(paths, n, index, pids, npids);
                for (size_t i = 0; i < n; i++) {
                        _cleanup_free_ char *pat = NULL;
                        path_pattern(cur, prev, &paths[i], &pat, NULL);
                }
                family_decide(cur);
                numbered_decide(cur);
                ev_free(prev);
                prev = cur;
        }
        ev e = *prev;
        strv *anc = xcalloc(n + 1, sizeof *anc);
        hashmap *subtrees = hashmap_new();
        for (size_t i = 0; i < n; i++) {
                char *pat = NULL;
                unsigned kinds = path_pattern(NULL, &e, &paths[i], &pat, &anc[i]);
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
                        if (paths[i].name[paths[i].len - 1] != '/')
                                s->files++;
                        if ((paths[i].perms & (AA_PERM_EXEC | AA_PERM_MMAP)) ||
                            (!paths[i].owner_ok && !paths[i].probe_only))
                                s->bad = true;
                }
        }
        for (size_t i = 0; i < n; i++) {
                for (size_t a = 0; a < anc[i].n; a++) {
                        subtree *s = hashmap_get(subtrees, anc[i].v[a]);
                        if (s->files < 2 || s->bad)
                                continue;
                        free(ret_patterns[i]);
                        free(ret_why[i]);
                        ret_patterns[i] = xasprintf("%s**", anc[i].v[a]);
                        _cleanup_free_ char *shown = mp_aa_render_pattern(anc[i].v[a]);
                        ret_why[i] = xasprintf("everything under %s, a directory the workload created (all of it "
                                               "accessed by its owner, nothing executed or mapped)",
                                               shown);
                        break;
                }
                for (size_t a = 0; a < anc[i].n; a++)
                        free(anc[i].v[a]);
                free(anc[i].v);
        }
        free(anc);
        traversal_collapse(&e, collapse, ret_patterns, ret_why);
        hashmap_free(subtrees, free);
        ev_free(prev);
        hashmap_free(index, NULL);
}

typedef struct pid_list {
        long *v;
        size_t n;
} pid_list;

static int add_pids(const trace_run *r, void *ud)
{
        pid_list *l = ud;
        for (size_t j = 0; j < r->npids; j++) {
                l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
                l->v[l->n++] = (long)trace_run_pid(r, j);
        }
        return 0;
}

long *mp_aa_evidence_pids(const trace *t, size_t *ret_n)
{
        pid_list l = { 0 };
        trace_foreach_run(t, add_pids, &l);
        if (l.n)
                qsort(l.v, l.n, sizeof *l.v, cmp_long);
        *ret_n = l.n;
        return l.v;
}
