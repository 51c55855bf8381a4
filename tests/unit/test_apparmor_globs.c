/* SPDX-License-Identifier: MIT */
/* The AppArmor glob table: the shipped table on typical paths, the rule
 * format, and errors with file:line:column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "policy/aaglob.h"
#include "policy/apparmor-globs.h"
#include "policy/apparmor-profile.h"

static mp_aa_globs *shipped(void)
{
        mp_aa_globs *g = mp_aa_globs_new();
        mp_error err = { 0 };
        if (mp_aa_globs_load(g, MINPRIV_TEMPLATES_BUILD_DIR "/apparmor-globs.conf", &err) < 0)
                fail_msg("%s:%d:%d: %s", err.where, err.line, err.column, err.text);
        return g;
}

static void expect(const mp_aa_globs *g, const char *path, unsigned perms, const char *pattern)
{
        char *out = NULL;
        int r = mp_aa_globs_apply(g, path, strlen(path), perms, &out, NULL);
        if (!pattern) {
                if (r != 0)
                        fail_msg("%s should stay literal, got %s", path, out);
                return;
        }
        if (r != 1 || !streq(out, pattern))
                fail_msg("%s: got %s, want %s", path, r == 1 ? out : "(no rule)", pattern);
        /* the pattern matches the path it came from */
        mp_aa_vars *vars = mp_aa_vars_new_default();
        aaglob *gl = NULL;
        mp_error err = { 0 };
        if (aaglob_compile(out, vars, &gl, &err) < 0)
                fail_msg("%s: %s", out, err.text);
        /* /proc/self and thread-self become @{pid}: the path a process
         * reaches through them has a number */
        if (!strstr(path, "self") && !aaglob_match(gl, path, strlen(path)))
                fail_msg("%s does not match %s (expanded %s)", out, path, aaglob_expanded(gl));
        /* and never everything */
        aaglob *all = NULL;
        assert_int_equal(aaglob_compile("/**", NULL, &all, NULL), 0);
        assert_int_not_equal(aaglob_covers(gl, all), AAGLOB_COVERS_YES);
        aaglob_free(all);
        aaglob_free(gl);
        mp_aa_vars_free(vars);
        free(out);
}

#define R AA_PERM_READ
#define W AA_PERM_WRITE
#define M AA_PERM_MMAP

static void test_shipped_table(void **state)
{
        mp_aa_globs *g = shipped();
        const char *origin = NULL;
        assert_int_equal(mp_aa_globs_collapse(g, &origin), 4);
        assert_non_null(strstr(origin, "apparmor-globs.conf:"));
        expect(g, "/proc/1234/maps", R, "@{PROC}/@{pid}/maps");
        expect(g, "/proc/1234/", R, "@{PROC}/@{pid}/");
        expect(g, "/proc/self/status", R, "@{PROC}/@{pid}/status");
        expect(g, "/proc/1234/task/1240/comm", R | W, "@{PROC}/@{pid}/task/@{tid}/comm");
        expect(g, "/proc/thread-self/attr/current", R, "@{PROC}/@{pid}/task/@{tid}/attr/current");
        expect(g, "/proc/1234/fd/17", R, "@{PROC}/@{pid}/fd/[0-9]*");
        expect(g, "/proc/1234/fd/", R, "@{PROC}/@{pid}/fd/");
        expect(g, "/proc/filesystems", R, "@{PROC}/filesystems");
        expect(g, "/proc/sys/kernel/ngroups_max", R, "@{PROC}/sys/kernel/ngroups_max");
        expect(g, "/sys/devices/system/cpu/online", R, "@{sys}/devices/system/cpu/online");
        expect(g, "/dev/pts/3", R | W, "/dev/pts/[0-9]*");
        expect(g, "/run/user/1000/bus", R | W, "/run/user/@{uid}/bus");
        expect(g, "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13", R | M, "/usr/lib/x86_64-linux-gnu/libz.so.[0-9]*");
        expect(g, "/usr/lib/x86_64-linux-gnu/libc.so.6", M, "/usr/lib/x86_64-linux-gnu/libc.so.[0-9]*");
        expect(g, "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", R | M,
               "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.[0-9]*");
        /* perms=rm: a library written or executed stays literal */
        expect(g, "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13", R | W, NULL);
        expect(g, "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", M | AA_PERM_EXEC, NULL);
        expect(g, "/usr/lib/x86_64-linux-gnu/libc.so", R, NULL);
        expect(g, "/usr/lib/python3.11/__pycache__/socket.cpython-311.pyc", R, "/usr/lib/python3.11/__pycache__/*.pyc");
        expect(g, "/app/__pycache__/main.cpython-311.pyc.140234", W, "/app/__pycache__/*.pyc.[0-9]*");
        expect(g, "/tmp/tmpjhlxg2g3", R | W, "/tmp/tmp????????");
        expect(g, "/tmp/tmpjhlxg2g3/", W,
               "/tmp/tmp????????"
               "/");
        expect(g, "/var/tmp/tmpab_d1234/inner file", W,
               "/var/tmp/tmp????????"
               "/inner file");
        expect(g, "/tmp/d7ss3ttu", R | W, "/tmp/????????");
        expect(g, "/tmp/tmp.AbC123xYz0", W, "/tmp/tmp.??????????");
        expect(g, "/tmp/ccBhNAS1.cdtor.o", R | W, "/tmp/cc??????.cdtor.o");
        expect(g, "/tmp/ccBhNAS1", W, "/tmp/cc??????");
        expect(g, "/tmp/pymp-k2j3h4g5/listener-x", W,
               "/tmp/pymp-????????"
               "/listener-x");
        expect(g, "/tmp/sh-thd.Ab12Cd", W, "/tmp/sh-thd?*");
        expect(g, "/usr/share/zoneinfo/Europe/Paris", R, "/usr/share/zoneinfo/**");
        expect(g, "/usr/share/zoneinfo/Europe/Paris", R | W, NULL);
        expect(g, "/usr/lib/locale/C.utf8/LC_CTYPE", R, "/usr/lib/locale/**");
        expect(g, "/usr/lib/x86_64-linux-gnu/gconv/UTF-16.so", R | M, "/usr/lib/x86_64-linux-gnu/gconv/**");
        /* captured text is escaped: glob characters in names stay literal */
        expect(g, "/tmp/tmpabcdefgh/a*b[c]{d,e}", W,
               "/tmp/tmp????????"
               "/a\\*b\\[c\\]\\{d\\,e\\}");
        expect(g, "/proc/77/attr/x?y", R, "@{PROC}/@{pid}/attr/x\\?y");
        expect(g, "/etc/passwd", R, NULL);
        expect(g, "/tmp/notes.txt", R | W, NULL);
        mp_aa_globs_free(g);
}

static mp_aa_globs *parse_ok(const char *text)
{
        mp_aa_globs *g = mp_aa_globs_new();
        mp_error err = { 0 };
        if (mp_aa_globs_parse(g, text, strlen(text), "user.conf", &err) < 0)
                fail_msg("%s:%d:%d: %s", err.where, err.line, err.column, err.text);
        return g;
}

static void test_user_rules(void **state)
{
        mp_aa_globs *g = parse_ok("# my rules\n"
                                  "\n"
                                  "version 1\n"
                                  "collapse 0\n"
                                  "^/srv/(app)/cache/[0-9a-f]+$   ->  /srv/$1/cache/*   perms=rw\n"
                                  "^/data/(.*)\\.log$  ->  /data/$1.{log,log.[0-9]}\n"
                                  "^/money/.*$  ->  /money/$$*\n"
                                  "^/whole/.*$  ->  $0\n"
                                  "^/with[ ]space/(.*)$  ->  /with\\040space/$1*\n");
        const char *origin = NULL;
        assert_int_equal(mp_aa_globs_collapse(g, &origin), 0);
        assert_string_equal(origin, "user.conf:4");
        expect(g, "/srv/app/cache/deadbeef", R, "/srv/app/cache/*");
        expect(g, "/srv/app/cache/deadbeef", R | W | AA_PERM_LOCK, NULL);
        expect(g, "/data/a,b.log", W, "/data/a\\,b.{log,log.[0-9]}");
        expect(g, "/money/$x", R, "/money/$*");
        expect(g, "/whole/x*", R, "/whole/x\\*");
        expect(g, "/with space/y", R, "/with space/y*");
        char *out = NULL;
        const char *o = NULL;
        assert_int_equal(mp_aa_globs_apply(g, "/srv/app/cache/0a", 17, R, &out, &o), 1);
        assert_string_equal(o, "user.conf:5");
        free(out);
        /* a second table: its rules come after, its collapse is ignored */
        mp_error err = { 0 };
        const char more[] = "version 1\ncollapse 9\n^/srv/.*$ -> /srv/**\n";
        assert_int_equal(mp_aa_globs_parse(g, more, strlen(more), "more.conf", &err), 0);
        assert_int_equal(mp_aa_globs_count(g), 6);
        assert_int_equal(mp_aa_globs_collapse(g, NULL), 0);
        expect(g, "/srv/app/cache/deadbeef", R, "/srv/app/cache/*");
        expect(g, "/srv/other", R, "/srv/**");
        mp_aa_globs_free(g);
}

static void check_error(const char *text, int line, int column, const char *msg)
{
        mp_aa_globs *g = mp_aa_globs_new();
        mp_error err = { 0 };
        int r = mp_aa_globs_parse(g, text, strlen(text), "bad.conf", &err);
        if (r >= 0)
                fail_msg("should not parse:\n%s", text);
        assert_int_equal(mp_aa_globs_count(g), 0);
        assert_string_equal(err.where, "bad.conf");
        if (err.line != line || err.column != column || !strstr(err.text, msg))
                fail_msg("got %d:%d: %s; want %d:%d: ...%s...", err.line, err.column, err.text, line, column, msg);
        mp_aa_globs_free(g);
}

static void test_errors(void **state)
{
        check_error("", 1, 1, "must start with 'version 1'");
        check_error("# comment\n^/a$ -> /a\n", 2, 1, "must start with 'version 1'");
        check_error("version 2\n", 1, 9, "newer");
        check_error("version x\n", 1, 9, "bad version");
        check_error("version 1\n^/a( -> /a\n", 2, 1, "bad regular expression");
        check_error("version 1\n^/a$ => /a\n", 2, 1, "expected 'REGEX -> PATTERN");
        check_error("version 1\n^/a$\n", 2, 1, "expected 'REGEX -> PATTERN");
        check_error("version 1\n^/(a)$ -> /$2\n", 2, 11, "group");
        check_error("version 1\n^/(a)$ -> /$x\n", 2, 12, "'$' must be followed");
        check_error("version 1\n^/a$ -> /{a}\n", 2, 9, "bad pattern");
        check_error("version 1\n^/a$ -> /@{nope}\n", 2, 9, "undefined variable");
        check_error("version 1\n^/a$ -> /a perms=rq\n", 2, 19, "bad permission letters");
        check_error("version 1\n^/a$ -> /a mode=r\n", 2, 12, "expected perms=");
        check_error("version 1\n^/a b$ ->\n", 2, 8, "expected 'REGEX -> PATTERN");
        check_error("version 1\n^/a$ -> /a b\n", 2, 12, "expected perms=");
        check_error("version 1\n^/a$ -> /a perms=r extra\n", 2, 20, "unexpected field");
        check_error("version 1\ncollapse\n", 2, 1, "collapse N");
        check_error("version 1\ncollapse -3\n", 2, 10, "collapse N");
        check_error("version 1\n  ^/ok$ -> /ok\n\n^/(a$ -> /a\n", 4, 1, "bad regular expression");
        /* expressions that would make regcomp explode are refused up front */
        check_error("version 1\n^/a++$ -> /a\n", 2, 5, "stacked repetition");
        check_error("version 1\n^/a{1,99}$ -> /a\n", 2, 4, "repetition bounds");
        check_error("version 1\n^/(a{2}){3}b{2}c{2}d{2}$ -> /a\n", 2, 21, "bounded repetitions");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_shipped_table),
                cmocka_unit_test(test_user_rules),
                cmocka_unit_test(test_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
