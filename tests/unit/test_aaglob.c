/* SPDX-License-Identifier: MIT */
/* The AppArmor pattern matcher against AppArmor's documented semantics
 * (apparmor.d(5) "Globbing", the tunables of Debian 12), the escaping
 * round trip and pattern inclusion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "policy/aaglob.h"

static aaglob *compile_ok(const char *pat, const mp_aa_vars *vars)
{
        aaglob *g = NULL;
        mp_error err = { 0 };
        if (aaglob_compile(pat, vars, &g, &err) < 0)
                fail_msg("pattern %s: %s (column %d)", pat, err.text, err.column);
        return g;
}

static void check_match(const char *pat, const char *path, bool expect)
{
        mp_aa_vars *vars = mp_aa_vars_new_default();
        aaglob *g = compile_ok(pat, vars);
        bool m = aaglob_match(g, path, strlen(path));
        if (m != expect)
                fail_msg("%s %s %s (expanded %s)", pat, expect ? "should match" : "should not match", path,
                         aaglob_expanded(g));
        aaglob_free(g);
        mp_aa_vars_free(vars);
}

#define YES(p, s) check_match(p, s, true)
#define NO(p, s)  check_match(p, s, false)

static void test_literal(void **state)
{
        YES("/etc/passwd", "/etc/passwd");
        NO("/etc/passwd", "/etc/passwd2");
        NO("/etc/passwd", "/etc/passw");
        NO("/etc/passwd", "/etc/passwd/");
        YES("/etc/", "/etc/");
        NO("/etc/", "/etc");
        /* characters special to regexes but not to AppArmor */
        YES("/a.b+c|d(e)^$", "/a.b+c|d(e)^$");
        NO("/a.b", "/axb");
        /* a comma outside {} is literal */
        YES("/a,b", "/a,b");
        /* repeated slashes collapse */
        YES("/usr//lib///x", "/usr/lib/x");
        NO("/usr//lib", "/usr//lib");
}

static void test_star(void **state)
{
        YES("/tmp/*", "/tmp/a");
        YES("/tmp/*", "/tmp/abc.def");
        NO("/tmp/*", "/tmp/a/b");
        /* `*` as a whole component needs at least one byte */
        NO("/tmp/*", "/tmp/");
        NO("/tmp/*/x", "/tmp//x");
        YES("/tmp/*/x", "/tmp/a/x");
        /* not a whole component: may be empty */
        YES("/tmp/*bar", "/tmp/bar");
        YES("/tmp/foo*", "/tmp/foo");
        YES("/tmp/a*b*c", "/tmp/abc");
        YES("/tmp/a*b*c", "/tmp/axxbyyc");
        NO("/tmp/a*b*c", "/tmp/ax/bc");
        YES("/tmp/*.pyc", "/tmp/x.pyc");
        YES("/tmp/*.pyc", "/tmp/.pyc");
        NO("/tmp/*.pyc", "/tmp/x.py");
        /* trailing slash of a directory */
        YES("/tmp/*/", "/tmp/d/");
        NO("/tmp/*/", "/tmp/d");
        NO("/tmp/*", "/tmp/d/");
}

static void test_double_star(void **state)
{
        YES("/usr/**", "/usr/a");
        YES("/usr/**", "/usr/a/b/c");
        YES("/usr/**", "/usr/a/b/");
        NO("/usr/**", "/usr/");
        NO("/usr/**", "/usr");
        NO("/usr/**", "/usrx/a");
        YES("/usr/**/", "/usr/a/b/");
        NO("/usr/**/", "/usr/a/b");
        YES("/usr/lib/**.so*", "/usr/lib/x/libz.so.1");
        YES("/usr/lib/**.so*", "/usr/lib/libz.so");
        NO("/**", "/"); /* a whole-component ** needs a byte too */
        YES("/**", "/x/y");
        YES("/a/**/b", "/a/x/y/b");
        NO("/a/**/b", "/a/b");
        /* a third star adds nothing */
        YES("/a/***", "/a/x/y");
        YES("/a/x**", "/a/x");
        YES("/a/x**", "/a/xyz/w");
}

static void test_question(void **state)
{
        YES("/tmp/tmp????????", "/tmp/tmpabc_1234");
        NO("/tmp/tmp????????", "/tmp/tmpabc_123");
        NO("/tmp/tmp????????", "/tmp/tmpabc_12345");
        NO("/tmp/a?b", "/tmp/a/b");
        YES("/tmp/a?b", "/tmp/a.b");
        NO("/tmp/?", "/tmp/");
}

static void test_class(void **state)
{
        YES("/dev/tty[0-9]", "/dev/tty5");
        NO("/dev/tty[0-9]", "/dev/ttyS");
        YES("/dev/tty[0-9a-fS]", "/dev/ttyS");
        YES("/dev/tty[0-9a-fS]", "/dev/ttyc");
        NO("/dev/tty[0-9a-fS]", "/dev/ttyz");
        YES("/x/[^0-9]", "/x/a");
        NO("/x/[^0-9]", "/x/5");
        /* a negated class is any byte but those listed, '/' included */
        YES("/x[^a]y", "/x/y");
        YES("/x/[a-]", "/x/-");
        YES("/x/[\\]]", "/x/]");
        YES("/x/[{},]", "/x/,");
        YES("/x/[{},]", "/x/{");
        YES("/proc/[1-9]*[0-9]", "/proc/1234");
        YES("/proc/[1-9]*[0-9]", "/proc/12");
        NO("/proc/[1-9]*[0-9]", "/proc/1");
}

static void test_alternation(void **state)
{
        YES("/usr/{lib,lib64}/x", "/usr/lib/x");
        YES("/usr/{lib,lib64}/x", "/usr/lib64/x");
        NO("/usr/{lib,lib64}/x", "/usr/lib32/x");
        YES("/usr/lib/libz.so{,.[0-9]*}", "/usr/lib/libz.so");
        YES("/usr/lib/libz.so{,.[0-9]*}", "/usr/lib/libz.so.1.2.13");
        NO("/usr/lib/libz.so{,.[0-9]*}", "/usr/lib/libz.so.x");
        /* nested */
        YES("/{a,b{c,d{e,f}}}/x", "/bdf/x");
        YES("/{a,b{c,d{e,f}}}/x", "/a/x");
        NO("/{a,b{c,d{e,f}}}/x", "/bd/x");
        YES("/{usr/,}bin/sh", "/bin/sh");
        YES("/{usr/,}bin/sh", "/usr/bin/sh");
        /* the special case of a component glob does not apply after '{' */
        YES("/a/{*,x}", "/a/");
}

static void test_variables(void **state)
{
        YES("@{PROC}/@{pid}/maps", "/proc/1/maps");
        YES("@{PROC}/@{pid}/maps", "/proc/4194303/maps");
        YES("@{PROC}/@{pid}/maps", "/proc/32768/maps");
        NO("@{PROC}/@{pid}/maps", "/proc/0/maps");
        NO("@{PROC}/@{pid}/maps", "/proc/01/maps");
        NO("@{PROC}/@{pid}/maps", "/proc/self/maps");
        NO("@{PROC}/@{pid}/maps", "/proc/5000000/maps");
        NO("@{PROC}/@{pid}/maps", "/proc/12345678/maps");
        YES("@{PROC}/@{pid}/task/@{tid}/stat", "/proc/10/task/11/stat");
        YES("@{PROC}/sys/kernel/**", "/proc/sys/kernel/shmmax");
        YES("@{sys}/devices/**", "/sys/devices/system/cpu/online");
        YES("@{run}/x.sock", "/run/x.sock");
        YES("@{run}/x.sock", "/var/run/x.sock");
        YES("@{HOME}/.config/", "/home/alice/.config/");
        YES("@{HOME}/.config/", "/root/.config/");
        YES("@{PROC}", "/proc/");
        NO("@{PROC}", "/proc");
        NO("@{HOME}/.config/", "/home/.config/");
        YES("/usr/lib/@{multiarch}/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6");
        YES("@{uid}", "0");
        YES("@{system_share_dirs}/x", "/usr/local/share/x");
        YES("@{apparmorfs}/x", "/sys/kernel/security/apparmor/x");
        /* an escaped brace is not a variable */
        YES("/x/@\\{pid\\}", "/x/@{pid}");
}

static void test_user_variables(void **state)
{
        mp_aa_vars *v = mp_aa_vars_new();
        assert_int_equal(mp_aa_vars_set(v, "APP", "/opt/app"), 0);
        assert_int_equal(mp_aa_vars_append(v, "APP", "/srv/app"), 0);
        assert_int_equal(mp_aa_vars_set(v, "DATA", "@{APP}/data"), 0);
        assert_int_equal(mp_aa_vars_set(v, "bad-name", "/x"), -EINVAL);
        assert_int_equal(mp_aa_vars_set(v, "9x", "/x"), -EINVAL);
        aaglob *g = compile_ok("@{DATA}/**", v);
        assert_true(aaglob_match(g, "/opt/app/data/x", 15));
        assert_true(aaglob_match(g, "/srv/app/data/y/z", 17));
        assert_false(aaglob_match(g, "/opt/app/other/x", 16));
        aaglob_free(g);
        /* self reference */
        assert_int_equal(mp_aa_vars_set(v, "LOOP", "/a/@{LOOP}"), 0);
        mp_error err = { 0 };
        aaglob *bad = NULL;
        assert_true(aaglob_compile("@{LOOP}", v, &bad, &err) < 0);
        assert_null(bad);
        mp_aa_vars *c = mp_aa_vars_copy(v);
        assert_true(mp_aa_vars_has(c, "DATA"));
        mp_aa_vars_free(c);
        mp_aa_vars_free(v);
}

static void check_error(const char *pat, int column, const char *text)
{
        mp_aa_vars *vars = mp_aa_vars_new_default();
        aaglob *g = NULL;
        mp_error err = { 0 };
        int r = aaglob_compile(pat, vars, &g, &err);
        if (r >= 0)
                fail_msg("%s should not compile", pat);
        assert_null(g);
        if (column)
                assert_int_equal(err.column, column);
        if (text && !strstr(err.text, text))
                fail_msg("%s: error '%s' does not mention '%s'", pat, err.text, text);
        mp_aa_vars_free(vars);
}

static void test_errors(void **state)
{
        check_error("/a/{b}", 4, "alternatives");
        check_error("/a/{b,c", 4, "unclosed");
        check_error("/a/b}", 5, "without");
        check_error("/a/[bc", 4, "unclosed");
        check_error("/a/b]", 5, "without");
        check_error("/a/[]", 5, "empty");
        check_error("/a/[z-a]", 0, "range");
        check_error("/a/b\\", 5, "trailing");
        check_error("/a/@{nope}", 4, "undefined variable @{nope}");
        check_error("/a/@{bad name}", 4, "invalid variable");
        check_error("/a/[*]", 0, "inside [...]");
        char deep[200] = "/";
        for (int i = 0; i < 60; i++)
                strcat(deep, "{");
        check_error(deep, 0, "nested");
}

static void test_nul_never_matches(void **state)
{
        mp_aa_vars *vars = mp_aa_vars_new_default();
        aaglob *g = compile_ok("/**", vars);
        assert_true(aaglob_match(g, "/a", 2));
        assert_false(aaglob_match(g, "/a\0b", 4));
        aaglob_free(g);
        mp_aa_vars_free(vars);
}

/* Raw bytes -> pattern -> profile text -> pattern -> match of exactly
 * those bytes. */
static void roundtrip(const char *raw, size_t len)
{
        char *pat = mp_aa_escape_literal(raw, len);
        char *text = mp_aa_render_pattern(pat);
        /* a profile token: quoted, or unquoted plain characters */
        const char *inner = text;
        size_t ilen = strlen(text);
        if (text[0] == '"') {
                assert_true(ilen >= 2 && text[ilen - 1] == '"');
                inner = text + 1;
                ilen -= 2;
                /* no raw '"', '\' before the closing quote, or control
                 * bytes inside */
                for (size_t i = 0; i < ilen; i++) {
                        assert_true(inner[i] != '"');
                        assert_true((unsigned char)inner[i] >= 0x20 && inner[i] != 0x7f);
                }
                assert_true(ilen == 0 || inner[ilen - 1] != '\\');
        } else {
                for (size_t i = 0; i < ilen; i++)
                        assert_true(strchr(" \t\n\"!#\\", text[i]) == NULL);
        }
        char *back = NULL;
        assert_int_equal(mp_aa_unescape(inner, ilen, &back, NULL), 0);
        assert_string_equal(back, pat);
        aaglob *g = NULL;
        mp_error err = { 0 };
        if (aaglob_compile(back, NULL, &g, &err) < 0)
                fail_msg("%s: %s", text, err.text);
        assert_true(aaglob_match(g, raw, len));
        const char *lit;
        size_t llen;
        assert_true(aaglob_is_literal(g, &lit, &llen));
        assert_int_equal(llen, len);
        assert_memory_equal(lit, raw, len);
        aaglob_free(g);
        free(back);
        free(text);
        free(pat);
}

static void test_escaping(void **state)
{
        const char *cases[] = {
                "/etc/passwd",      "/tmp/a b",         "/tmp/quote\"d",  "/tmp/single'q",
                "/tmp/back\\slash", "/tmp/back\\",      "/tmp/*?[]{},",   "/tmp/@{HOME}",
                "/tmp/@{",          "/tmp/new\nline",   "/tmp/tab\there", "/tmp/bell\a\x1b\x7f",
                "/tmp/caf\xc3\xa9", "/tmp/bad\xff\xfe", "/tmp/\xc3",      "/tmp/#hash!bang=eq:colon",
                "/tmp/-> arrow,",   "/tmp/\\101",       "/tmp/x\\x41",    "/tmp/^$",
                "/tmp/123",
        };
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
                roundtrip(cases[i], strlen(cases[i]));
        /* every byte value */
        char raw[4] = { '/', 0, 'z', 0 };
        for (int b = 1; b < 256; b++) {
                raw[1] = (char)b;
                roundtrip(raw, 3);
        }
        /* octal escapes are three digits: a digit after one stays a digit */
        char *t = mp_aa_render_pattern("/a\n1");
        assert_string_equal(t, "\"/a\\0121\"");
        free(t);
        t = mp_aa_render_pattern("/usr/lib/{a,b}/*.so");
        assert_string_equal(t, "/usr/lib/{a,b}/*.so");
        free(t);
        t = mp_aa_render_pattern("@{PROC}/@{pid}/maps");
        assert_string_equal(t, "@{PROC}/@{pid}/maps");
        free(t);
        char *e = mp_aa_escape_literal("/a*b", 4);
        assert_string_equal(e, "/a\\*b");
        t = mp_aa_render_pattern(e);
        assert_string_equal(t, "\"/a\\*b\"");
        free(t);
        free(e);
}

static void test_unescape(void **state)
{
        struct {
                const char *in, *out;
        } cases[] = {
                { "/a\\040b", "/a b" },  { "/a\\x41", "/aA" },     { "/a\\d065", "/aA" },  { "/a\\052", "/a\\*" },
                { "/a\\134", "/a\\\\" }, { "/a\\\\", "/a\\\\" },   { "/a\\\"", "/a\"" },   { "/a\\n", "/a\n" },
                { "/a\\t", "/a\t" },     { "/a\\*", "/a\\*" },     { "/a\\@", "/a\\@" },   { "/a\\ b", "/a\\ b" },
                { "/a\\777", "/a\\?7" }, { "/a\\x4g", "/a\x04g" }, { "/a\\xg", "/a\\xg" }, { "/a\\e", "/a\x1b" },
                { "/a\\,", "/a\\," },
        };
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
                char *out = NULL;
                assert_int_equal(mp_aa_unescape(cases[i].in, strlen(cases[i].in), &out, NULL), 0);
                if (!streq(out, cases[i].out))
                        fail_msg("unescape %s: got %s, want %s", cases[i].in, out, cases[i].out);
                free(out);
        }
        char *out = NULL;
        size_t col = 0;
        assert_int_equal(mp_aa_unescape("/a\\000", 6, &out, &col), -EINVAL);
        assert_int_equal(col, 3);
        /* \052 in a profile is a literal '*' that matches only '*' */
        assert_int_equal(mp_aa_unescape("/a\\052", 6, &out, NULL), 0);
        check_match(out, "/a*", true);
        check_match(out, "/ab", false);
        free(out);
}

static aaglob_cover covers(const char *a, const char *b)
{
        mp_aa_vars *vars = mp_aa_vars_new_default();
        aaglob *ga = compile_ok(a, vars), *gb = compile_ok(b, vars);
        aaglob_cover c = aaglob_covers(ga, gb);
        aaglob_free(ga);
        aaglob_free(gb);
        mp_aa_vars_free(vars);
        return c;
}

#define COVERS(a, b)     assert_int_equal(covers(a, b), AAGLOB_COVERS_YES)
#define NOT_COVERS(a, b) assert_int_equal(covers(a, b), AAGLOB_COVERS_NO)

static void test_covers(void **state)
{
        COVERS("/etc/passwd", "/etc/passwd");
        NOT_COVERS("/etc/passwd", "/etc/shadow");
        COVERS("/etc/*", "/etc/passwd");
        COVERS("/etc/**", "/etc/*");
        NOT_COVERS("/etc/*", "/etc/**");
        COVERS("/**", "/etc/**");
        NOT_COVERS("/etc/**", "/**");
        COVERS("/usr/{lib,lib64}/*.so*", "/usr/lib/*.so.[0-9]*");
        NOT_COVERS("/usr/lib/*.so.[0-9]*", "/usr/{lib,lib64}/*.so*");
        COVERS("@{PROC}/*/maps", "@{PROC}/@{pid}/maps");
        NOT_COVERS("@{PROC}/@{pid}/maps", "@{PROC}/*/maps");
        COVERS("@{PROC}/[0-9]*/maps", "@{PROC}/@{pid}/maps");
        COVERS("/tmp/tmp*", "/tmp/tmp????????");
        NOT_COVERS("/tmp/tmp????????", "/tmp/tmp*");
        /* a whole-component star needs a byte, a star before "x" does not */
        COVERS("/a/*", "/a/*x");
        NOT_COVERS("/a/*x", "/a/*");
        COVERS("/a/*x", "/a/?x");
        COVERS("/a/{,x}", "/a/");
        NOT_COVERS("/a/*", "/a/{,x}");
        COVERS("/a/[a-z]*", "/a/{abc,xyz}*");
        NOT_COVERS("/a/[a-w]*", "/a/{abc,xyz}*");
        COVERS("/x/[^/]", "/x/?");
        COVERS("/x/?", "/x/[^/]"); /* '/' is excluded; equal languages */
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_literal),     cmocka_unit_test(test_star),
                cmocka_unit_test(test_double_star), cmocka_unit_test(test_question),
                cmocka_unit_test(test_class),       cmocka_unit_test(test_alternation),
                cmocka_unit_test(test_variables),   cmocka_unit_test(test_user_variables),
                cmocka_unit_test(test_errors),      cmocka_unit_test(test_nul_never_matches),
                cmocka_unit_test(test_escaping),    cmocka_unit_test(test_unescape),
                cmocka_unit_test(test_covers),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
