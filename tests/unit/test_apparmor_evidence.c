/* SPDX-License-Identifier: MIT */
/* The evidence rules against many draws of the temporary-name generators
 * that workloads use: every draw of a generator must give the same pattern,
 * or two recordings of one workload give two profiles (CI saw ccpK1234.res
 * become ccpK[0-9]*.res). Each name alone in its directory (no sibling to
 * learn from, the hardest case), kept and removed; the draws that looked
 * least random before (one class of characters, digits at the end, all
 * digits) by hand, then seeded pseudo-random ones, the same on every run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "policy/apparmor-evidence.h"
#include "policy/apparmor-profile.h"

#define DRAWS 20000

static const char MKSTEMP[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
static const char PYTHON[] = "abcdefghijklmnopqrstuvwxyz0123456789_";

static uint64_t state;

static uint64_t next(void)
{
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
}

/* How the workload made a name: created, then removed (REMOVED), created
 * as mkstemp creates (PRIVATE: O_EXCL with an owner-only mode). */
enum { KEPT = 0, REMOVED = 1, PRIVATE = 2 };

/* The patterns of paths[0..n) (sorted), all in one directory, each created
 * by the workload as `how` says; NULL: literal. */
static void patterns(const char *const *paths, size_t n, unsigned how, const long *pids, size_t npids, char **ret_pat,
                     char **ret_why)
{
        mp_aa_evpath p[4];
        assert_true(n <= ELEMENTSOF(p));
        for (size_t i = 0; i < n; i++)
                p[i] = (mp_aa_evpath){ .name = paths[i],
                                       .len = strlen(paths[i]),
                                       .perms = AA_PERM_READ | AA_PERM_WRITE,
                                       .named = true,
                                       .owner_ok = true,
                                       .removed = how & REMOVED,
                                       .private_new = how & PRIVATE };
        mp_aa_evidence_globs(p, n, 4, pids, npids, ret_pat, ret_why);
}

/* The pattern of one path alone in its directory. */
static char *pattern_of(const char *path, unsigned how, char **ret_why)
{
        char *pat = NULL, *why = NULL;
        patterns(&path, 1, how, NULL, 0, &pat, &why);
        if (ret_why)
                *ret_why = why;
        else
                free(why);
        return pat;
}

static void expect(const char *path, unsigned how, const char *want)
{
        char *why = NULL;
        char *got = pattern_of(path, how, &why);
        if (!want ? got != NULL : !got || !streq(got, want))
                fail_msg("%s (%s%s): got %s, want %s", path, how & REMOVED ? "removed" : "kept",
                         how & PRIVATE ? ", private" : "", got ? got : "(literal)", want ? want : "(literal)");
        if (want && strchr(want, '?') && !strstr(why, "random part"))
                fail_msg("%s: reason %s", path, why);
        free(got);
        free(why);
}

typedef struct gen {
        const char *prefix;   /* before the draw */
        const char *alphabet; /* of the draw */
        size_t len;           /* of the draw */
        const char *suffix;   /* after it */
        int kept;             /* also when the file stays: 0 no, 1 yes, PRIVATE when made private */
        const char *edges[8]; /* draws by hand */
} gen;

/* One draw of g as the name `path`: removed, and kept where g says; each
 * also as recorded from the tool, which makes its names as mkstemp does
 * (PRIVATE), as every generator here does. */
static void check_draw(const gen *g, const char *path, const char *draw, const char *want, const char *number)
{
        expect(path, REMOVED | PRIVATE, want);
        if (g->kept != PRIVATE)
                expect(path, REMOVED, want);
        /* a private name kept whose draw came out all digits stays a number
         * (Go's draws are numbers of up to 10 digits), unless a tool's */
        bool digits = strspn(draw, "0123456789") == g->len;
        if (g->kept)
                expect(path, PRIVATE, g->kept == PRIVATE && digits ? number : want);
        if (g->kept == 1)
                expect(path, KEPT, want);
}

static void check_gen(const gen *g)
{
        char want[128], path[128], draw[32];
        char number[128];
        snprintf(want, sizeof want, "/srv/job/%s%.*s%s", g->prefix, (int)g->len, "????????????????", g->suffix);
        snprintf(number, sizeof number, "/srv/job/%s[0-9]*%s", g->prefix, g->suffix);
        for (size_t e = 0; e < ELEMENTSOF(g->edges) && g->edges[e]; e++) {
                assert_int_equal(strlen(g->edges[e]), g->len);
                snprintf(path, sizeof path, "/srv/job/%s%s%s", g->prefix, g->edges[e], g->suffix);
                check_draw(g, path, g->edges[e], want, number);
        }
        size_t na = strlen(g->alphabet);
        state = 0x9e3779b97f4a7c15ull ^ strlen(g->prefix) ^ ((uint64_t)g->len << 8);
        for (int d = 0; d < DRAWS; d++) {
                for (size_t i = 0; i < g->len; i++)
                        draw[i] = g->alphabet[next() % na];
                draw[g->len] = '\0';
                snprintf(path, sizeof path, "/srv/job/%s%s%s", g->prefix, draw, g->suffix);
                check_draw(g, path, draw, want, number);
        }
}

/* Tools whose names have a fixed shape: every draw, kept or removed. */
static void test_tools(void **state_)
{
        (void)state_;
        static const gen gens[] = {
                /* gcc (make_temp_file) */
                { "cc", MKSTEMP, 6, ".res", 1, { "pK1234", "ab1234", "123456", "abcdef", "QWERTY", "4bcd1f" } },
                { "cc", MKSTEMP, 6, ".cdtor.o", 1, { "x91234", "zzzzzz" } },
                /* GNU sort, GNU sed -i */
                { "sort", MKSTEMP, 6, "", 1, { "lvbtei", "ABCDEF", "ab1234", "000000" } },
                { "sed", MKSTEMP, 6, "", 1, { "qzycey", "Xy1234" } },
                /* mktemp(1), mktemp --suffix */
                { "tmp.", MKSTEMP, 10, "", 1, { "B4jpGhlMfC", "abcdefghij", "0123456789", "abcdef1234" } },
                { "tmp.", MKSTEMP, 10, ".json", 1, { "KjMgLdFQIn" } },
                /* Rust's tempfile crate (NamedTempFile, TempDir) */
                { ".tmp", MKSTEMP, 6, "", 1, { "abcdef", "XYZ123", "a12345", "000000" } },
                { ".tmp", MKSTEMP, 6, ".toml", 1, { "qwerty" } },
                /* Python's tempfile default (mkstemp, mkdtemp, NamedTemporaryFile) */
                { "tmp", PYTHON, 8, "", 1, { "99568976", "abcdefgh", "ab_cd_ef", "cs2g1234", "________" } },
                { "tmp", PYTHON, 8, ".txt", 1, { "78462069", "k2j_x9a0" } },
        };
        for (size_t i = 0; i < ELEMENTSOF(gens); i++)
                check_gen(&gens[i]);
}

/* Python's 8 after a prefix of the workload's own, or alone: a temporary
 * (created and removed) whatever the draw. */
static void test_python_temporaries(void **state_)
{
        (void)state_;
        static const gen gens[] = {
                { "test-temp-", PYTHON, 8, "", 0, { "45900_vv", "29283508", "ntsg1234", "abcdefgh", "66984_as" } },
                /* also tempfile's probe of a directory (private: 1_k2jq9x was
                 * 1_??????) */
                { "", PYTHON, 8, "", 0, { "111781_n", "0459_asp", "12345678", "l8qv1234", "1_k2jq9x" } },
                { "test_logging-2-", PYTHON, 8, ".log", 0, { "ccq4w8e2", "1234_abc" } },
        };
        for (size_t i = 0; i < ELEMENTSOF(gens); i++)
                check_gen(&gens[i]);
}

/* Names made as mkstemp makes them (O_EXCL, an owner-only mode: the
 * trace's private_new), kept after the run: the draw after the workload's
 * own prefix, even one that reads as a word. Without that evidence such a
 * draw stays literal (1 in 12 of Python's 8 have no digit, 1 in 89 of
 * mkstemp's 6 one class). */
static void test_private_names(void **state_)
{
        (void)state_;
        static const gen gens[] = {
                /* NamedTemporaryFile(prefix="test-temp-", delete=False) */
                { "test-temp-",
                  PYTHON,
                  8,
                  "",
                  PRIVATE,
                  { "abcdefgh", "ab_cd_ef", "45900_vv", "1234_abc", "ntsg1234", "________" } },
                { "report_", PYTHON, 8, ".json", PRIVATE, { "qwertyui", "ab12cd34", "xy_12345" } },
                /* mkstemps("foo_XXXXXX.log"), mktemp build.XXXXXX */
                { "foo_", MKSTEMP, 6, ".log", PRIVATE, { "cbjgqj", "ABCDEF", "ab1234", "x12345", "Qwerty" } },
                { "build.", MKSTEMP, 6, "", PRIVATE, { "abcdef", "ZZZZZZ", "ab1234" } },
        };
        for (size_t i = 0; i < ELEMENTSOF(gens); i++)
                check_gen(&gens[i]);
        /* Python's 8 glued to a prefix of 3 or more (mkdtemp(prefix="rpt")):
         * 8 when it has no capital and a digit (a draw with an underscore
         * just before its last 6, 1 in 37, is taken for mkstemp's 6) */
        expect("/srv/job/rptk2j4x9a0", PRIVATE | REMOVED, "/srv/job/rpt????????");
        expect("/srv/job/rptk2jq_xya", PRIVATE, "/srv/job/rpt????????");
        /* a directory made 0700 is as often an application's own: only a
         * draw that looks random */
        expect("/srv/job/work_k2j4x9a3/", PRIVATE,
               "/srv/job/work_????????"
               "/");
        expect("/srv/job/build.aB3xYz/", PRIVATE,
               "/srv/job/build.??????"
               "/");
        expect("/srv/job/work_qwertyui/", PRIVATE, NULL);
        expect("/srv/job/pg_notify/", PRIVATE, NULL);
        expect("/srv/job/pg_commit_ts/", PRIVATE, NULL);
        expect("/srv/job/archive_status/", PRIVATE, NULL);
        expect("/srv/job/rptab1234_x", PRIVATE, "/srv/job/rpt????????");
        expect("/srv/job/rptabcd1234", PRIVATE, "/srv/job/rpt????????");
        /* without the evidence, a word-like draw kept stays literal */
        expect("/srv/job/test-temp-abcdefgh", KEPT, NULL);
        expect("/srv/job/foo_cbjgqj.log", KEPT, NULL);
        /* a private name that is not a draw: the whole name, or all of it
         * after a leading dot */
        static const char *const names[] = {
                "/srv/job/secret",         "/srv/job/settings",    "/srv/job/id_rsa",
                "/srv/job/.config/",       "/srv/job/app.lock",    "/srv/job/password.txt",
                "/srv/job/postmaster.pid", "/srv/job/credentials", "/srv/job/my_config_db",
        };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                expect(names[i], PRIVATE, NULL);
}

/* Siblings of one shape: Python's 8 whose draws agree by chance in their
 * first or last columns stay its 8 (CI saw l7?????? beside ????????); a
 * family with capitals is mkstemp's 6 after its prefix. */
static void test_families(void **state_)
{
        (void)state_;
        static const struct {
                const char *paths[2];
                const char *want;
        } cases[] = {
                { { "/srv/job/l7abc_12", "/srv/job/l7x9_q0z" }, "/srv/job/????????" },
                { { "/srv/job/k2j4x9a3", "/srv/job/q0zmw1b3" }, "/srv/job/????????" },
                { { "/srv/job/test_ab9xk2m1", "/srv/job/test_ab4qz7w0" }, "/srv/job/test_????????" },
                { { "/srv/job/abQ3xYz1", "/srv/job/abK9pLm2" }, "/srv/job/ab??????" },
        };
        for (size_t c = 0; c < ELEMENTSOF(cases); c++) {
                char *pat[2], *why[2];
                patterns(cases[c].paths, 2, KEPT, NULL, 0, pat, why);
                for (size_t i = 0; i < 2; i++) {
                        if (!pat[i] || !streq(pat[i], cases[c].want))
                                fail_msg("%s: got %s, want %s", cases[c].paths[i], pat[i] ? pat[i] : "(literal)",
                                         cases[c].want);
                        free(pat[i]);
                        free(why[i]);
                }
        }
}

/* What the tool rules must leave alone: words and names of other shapes.
 * (A removed name of 8 after a separator is Python's, whatever it spells:
 * sortkeys.txt removed is ????????.txt, by the temporary rule. And a
 * name the workload made of mktemp's shape is mktemp's, whatever it
 * spells: tmp.properties is tmp.??????????.) */
static void test_literal(void **state_)
{
        (void)state_;
        static const char *const kept[] = {
                "/srv/job/sortkeys.txt", "/srv/job/.tmpfiles",    "/srv/job/sediment",
                "/srv/job/cc_flags.o",   "/srv/job/test_logging",
        };
        static const char *const both[] = {
                "/srv/job/sorted", "/srv/job/tmp.conf", "/srv/job/tmpdir", "/srv/job/output", "/srv/job/config.json",
        };
        for (size_t i = 0; i < ELEMENTSOF(kept); i++)
                expect(kept[i], KEPT, NULL);
        for (size_t i = 0; i < ELEMENTSOF(both); i++) {
                expect(both[i], KEPT, NULL);
                expect(both[i], REMOVED, NULL);
        }
        /* a process id stays a number; postgres' relation forks, counted
         * among their siblings, stay numbers with their suffix */
        long pids[] = { 4242 };
        const char *pidname = "/srv/job/4242_tmp";
        char *pat = NULL, *why = NULL;
        patterns(&pidname, 1, KEPT, pids, 1, &pat, &why);
        assert_non_null(pat);
        assert_string_equal(pat, "/srv/job/[0-9]*_tmp");
        free(pat);
        free(why);
        const char *forks[] = { "/srv/pg/16384_vm", "/srv/pg/16385_vm" };
        char *fpat[2], *fwhy[2];
        patterns(forks, 2, REMOVED, NULL, 0, fpat, fwhy);
        for (size_t i = 0; i < 2; i++) {
                assert_non_null(fpat[i]);
                assert_string_equal(fpat[i], "/srv/pg/[0-9]*_vm");
                free(fpat[i]);
                free(fwhy[i]);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_tools),         cmocka_unit_test(test_python_temporaries),
                cmocka_unit_test(test_private_names), cmocka_unit_test(test_families),
                cmocka_unit_test(test_literal),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
