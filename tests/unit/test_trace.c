/* SPDX-License-Identifier: MIT */
/* Unit tests of the trace model: path encoding, validation, merging. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/strbuf.h"
#include "trace/read.h"
#include "trace/trace.h"
#include "trace/seen.h"

static void roundtrip(const char *raw, size_t len, const char *expect_enc)
{
        char *enc = trace_path_encode(raw, len);
        if (expect_enc)
                assert_string_equal(enc, expect_enc);
        assert_true(utf8_valid(enc, strlen(enc)));
        size_t dlen = 0;
        char *dec = trace_path_decode(enc, &dlen);
        assert_non_null(dec);
        assert_int_equal(dlen, len);
        assert_memory_equal(dec, raw, len);
        free(enc);
        free(dec);
}

static void test_path_encoding(void **state)
{
        roundtrip("/etc/passwd", 11, "/etc/passwd");
        roundtrip("/tmp/a b\"c\n", 11, "/tmp/a b\"c\n");
        roundtrip("/tmp/\xff\xfe", 7, "/tmp/\\xff\\xfe");
        roundtrip("/tmp/back\\slash", 15, "/tmp/back\\\\slash");
        roundtrip("/tmp/\\x41", 9, "/tmp/\\\\x41"); /* a literal "\x41" stays distinct from "A" */
        roundtrip("/tmp/caf\xc3\xa9", 10, "/tmp/caf\xc3\xa9");
        roundtrip("/tmp/\xc3", 6, "/tmp/\\xc3");                   /* truncated sequence */
        roundtrip("/tmp/\xe0\x80\x80", 8, "/tmp/\\xe0\\x80\\x80"); /* overlong */
        roundtrip("/tmp/\xed\xa0\x80", 8, "/tmp/\\xed\\xa0\\x80"); /* surrogate */
        /* malformed encodings are refused */
        assert_null(trace_path_decode("/tmp/\\q", NULL));
        assert_null(trace_path_decode("/tmp/\\x4", NULL));
        assert_null(trace_path_decode("/tmp/\\x00", NULL));
}

static void test_path_encoding_exhaustive(void **state)
{
        /* every byte value in every position of a short name */
        char raw[4] = { '/', 0, 'a', 0 };
        for (int b = 1; b < 256; b++) {
                raw[1] = (char)b;
                roundtrip(raw, 3, NULL);
        }
}

static trace *load(const char *json, int expect_rc, const char *expect_text)
{
        trace *t = NULL;
        mp_error err = { 0 };
        int r = trace_load_buffer(json, strlen(json), "t.json", &t, &err);
        if (expect_rc == 0) {
                if (r < 0)
                        fail_msg("unexpected error: %s", err.text);
                return t;
        }
        assert_int_equal(r, expect_rc);
        assert_null(t);
        assert_string_equal(err.where, "t.json");
        if (expect_text && !strstr(err.text, expect_text))
                fail_msg("error %s does not mention %s", err.text, expect_text);
        return NULL;
}

#define HDR "{\"format\":\"minpriv-trace\",\"version\":1,\"runs\":[],"

static void test_validation(void **state)
{
        trace *t = load(
                HDR
                "\"syscalls\":{\"x86_64\":{\"read\":{\"first\":\"/bin/x\",\"programs\":{\"/bin/x\":{\"count\":2}}}}}}",
                0, NULL);
        assert_false(trace_is_empty(t));
        trace_free(t);
        load("", -EINVAL, "empty");
        load("{", -EINVAL, NULL);
        load("[1,2]", -EINVAL, "not a minpriv trace");
        load("{\"format\":\"other\"}", -EINVAL, "not a minpriv trace");
        load("{\"format\":\"minpriv-trace\",\"version\":99}", -EPROTONOSUPPORT, "newer");
        load(HDR "\"syscalls\":{\"x86_64\":{\"no_such_call\":{\"first\":\"/x\",\"programs\":{}}}}}", -EINVAL,
             "no_such_call");
        load(HDR "\"syscalls\":{\"x86_64\":{\"socketcall\":{\"first\":\"/x\",\"programs\":{}}}}}", -EINVAL,
             "socketcall"); /* an i386 name on x86_64 */
        trace_free(load(HDR "\"syscalls\":{\"i386\":{\"socketcall\":{\"first\":\"/x\",\"programs\":{}}}}}", 0, NULL));
        /* i386 has socket both behind socketcall and as syscall 359 */
        trace_free(load(HDR "\"syscalls\":{\"i386\":{\"socket\":{\"first\":\"/x\",\"programs\":{}}}}}", 0, NULL));
        load(HDR "\"syscalls\":{\"x32\":{\"socketcall\":{\"first\":\"/x\",\"programs\":{}}}}}", -EINVAL, "socketcall");
        load(HDR "\"syscalls\":{\"mips\":{}}}", -EINVAL, "mips");
        load(HDR "\"syscalls\":{},\"syscalls\":{}}", -EINVAL, "duplicate");
        load(HDR "\"syscalls\":{},\"extra\":1}", -EINVAL, "extra");
        load(HDR "\"syscalls\":{\"x86_64\":{\"read\":{\"first\":\"/x\",\"programs\":{\"/x\":{\"count\":-1}}}}}}",
             -EINVAL, "count");
        load(HDR "\"syscalls\":{\"x86_64\":{\"read\":{\"first\":\"/x\",\"programs\":{\"/"
                 "x\":{\"count\":99999999999999999999999}}}}}}",
             -EINVAL, NULL);
        load(HDR "\"syscalls\":{},\"files\":{\"/a\":{\"access\":{\"frobnicate\":{}}}}}", -EINVAL, "frobnicate");
        load(HDR "\"syscalls\":{},\"files\":{\"/a\":{\"access\":{\"read\":{\"EWHAT\":{\"programs\":{}}}}}}}", -EINVAL,
             "EWHAT");
        load(HDR "\"syscalls\":{},\"files\":{\"/a\\\\q\":{\"access\":{}}}}", -EINVAL, NULL);
        load(HDR "\"syscalls\":{},\"files\":{\"/a\":{\"type\":\"weird\",\"access\":{}}}}", -EINVAL, "weird");
        load("{\"format\":\"minpriv-trace\",\"version\":1,\"runs\":[],\"syscalls\":{\"x86_64\":\"\xff\"}}", -EINVAL,
             NULL);
        load(HDR "\"syscalls\":{},\"capabilities\":{\"CAP_FLY\":{}}}", -EINVAL, "CAP_FLY");
        /* deep nesting is refused, not a crash */
        char deep[20000];
        size_t o = 0;
        for (int i = 0; i < 5000; i++)
                deep[o++] = '[';
        deep[o] = '\0';
        load(deep, -EINVAL, NULL);
        /* line:column on syntax errors */
        trace *t2 = NULL;
        mp_error err = { 0 };
        assert_int_equal(trace_load_buffer("{\n  \"format\": ,\n}", 17, "x.json", &t2, &err), -EINVAL);
        assert_int_equal(err.line, 2);
        assert_true(err.column > 0);
}

static trace *sample_trace(const char *prog, int n, const char *file, int rss)
{
        trace *t = trace_new();
        json_t *sc = trace_node(t->root, "syscalls", "x86_64", "openat", NULL);
        trace_usage_add(sc, prog, n, NULL);
        json_object_set_new(sc, "first", json_string(prog));
        json_t *f = trace_node(t->root, "files", file, NULL);
        json_object_set_new(f, "by_owner", json_boolean(n % 2));
        trace_usage_add(trace_node(f, "access", "read", "ok", NULL), prog, n, NULL);
        trace_counter_max(trace_child(t->root, "resources"), "max_rss_kib", rss);
        json_array_append_new(json_object_get(t->root, "runs"),
                              json_pack("{s:[s],s:s,s:b}", "command", prog, "mode", "seccomp", "no_new_privs", 0));
        return t;
}

/* Run counts: an item only in one of three single-run traces is seen in 1
 * of 3, one in all three carries no count; merging in any grouping gives
 * the same bytes; an explicit count outside 1..runs is refused. */
static void test_merge_seen(void **state)
{
        (void)state;
        trace *a = sample_trace("/bin/a", 1, "/etc/a", 1);
        trace *b = sample_trace("/bin/a", 1, "/etc/b", 1);
        trace *c = sample_trace("/bin/a", 1, "/etc/b", 1);
        /* a capability needed in one run (a), refused in another (b) */
        json_t *ra = trace_node(a->root, "capabilities", "CAP_KILL", "kill 1: other uid", NULL);
        json_object_set_new(ra, "syscall", json_string("kill"));
        trace_usage_add(trace_node(ra, "results", "ok", NULL), "/bin/a", 1, NULL);
        json_t *rb = trace_node(b->root, "capabilities", "CAP_KILL", "kill 2: other uid", NULL);
        json_object_set_new(rb, "syscall", json_string("kill"));
        trace_usage_add(trace_node(rb, "results", "EPERM", NULL), "/bin/a", 1, NULL);
        trace *x = trace_new(), *y = trace_new(), *bc = trace_new();
        trace_merge(x, a);
        trace_merge(x, b);
        trace_merge(x, c);
        trace_merge(bc, c);
        trace_merge(bc, b);
        trace_merge(y, bc);
        trace_merge(y, a);
        char *sx = trace_dumps(x), *sy = trace_dumps(y);
        assert_string_equal(sx, sy);
        assert_int_equal(trace_runs(x), 3);
        json_t *files = json_object_get(x->root, "files");
        assert_int_equal(json_integer_value(json_object_get(json_object_get(files, "/etc/a"), "seen")), 1);
        assert_int_equal(json_integer_value(json_object_get(json_object_get(files, "/etc/b"), "seen")), 2);
        assert_null(json_object_get(trace_node(x->root, "syscalls", "x86_64", "openat", NULL), "seen"));
        size_t n;
        json_int_t runs;
        trace_unstable *u = trace_unstable_list(x, &n, &runs);
        assert_int_equal(n, 3);
        assert_int_equal(runs, 3);
        assert_string_equal(u[0].label, "/etc/a");
        assert_string_equal(u[2].label, "CAP_KILL"); /* by its one "ok" reason */
        assert_int_equal(u[2].seen, 1);
        char *line = trace_unstable_sentence(&u[2], runs);
        assert_string_equal(line, "CAP_KILL: seen in 1 of 3 runs — needed on a path some runs did not take");
        free(line);
        trace_unstable_free(u, n);
        /* a count above the runs is refused on load */
        json_object_set_new(trace_node(x->root, "syscalls", "x86_64", "openat", NULL), "seen", json_integer(4));
        char *bad = trace_dumps(x);
        trace *t = NULL;
        mp_error err = { 0 };
        assert_true(trace_load_buffer(bad, strlen(bad), "bad.json", &t, &err) < 0);
        assert_non_null(strstr(err.text, "seen"));
        free(bad);
        free(sx);
        free(sy);
        trace_free(a);
        trace_free(b);
        trace_free(c);
        trace_free(x);
        trace_free(y);
        trace_free(bc);
}

static void test_merge_order_independent(void **state)
{
        trace *a = sample_trace("/bin/a", 3, "/etc/a", 100);
        trace *b = sample_trace("/bin/b", 4, "/etc/a", 300);
        trace *c = sample_trace("/bin/a", 5, "/etc/c", 200);
        trace *x = trace_new(), *y = trace_new();
        trace_merge(x, a);
        trace_merge(x, b);
        trace_merge(x, c);
        trace_merge(y, c);
        trace_merge(y, b);
        trace_merge(y, a);
        char *sx = trace_dumps(x), *sy = trace_dumps(y);
        assert_string_equal(sx, sy);
        json_t *sc = trace_node(x->root, "syscalls", "x86_64", "openat", NULL);
        assert_int_equal(trace_usage_count(sc), 12);
        assert_string_equal(json_string_value(json_object_get(sc, "first")), "/bin/a");
        assert_int_equal(json_integer_value(json_object_get(json_object_get(x->root, "resources"), "max_rss_kib")),
                         300);
        assert_int_equal(json_array_size(json_object_get(x->root, "runs")), 3);
        /* by_owner: true only if true everywhere (3 and 5 are odd, 4 even) */
        assert_false(json_is_true(json_object_get(trace_node(x->root, "files", "/etc/a", NULL), "by_owner")));
        assert_true(json_is_true(json_object_get(trace_node(x->root, "files", "/etc/c", NULL), "by_owner")));
        /* the merged document is a valid trace */
        trace *back = NULL;
        mp_error err = { 0 };
        assert_int_equal(trace_load_buffer(sx, strlen(sx), "m", &back, &err), 0);
        trace_free(back);
        free(sx);
        free(sy);
        trace_free(a);
        trace_free(b);
        trace_free(c);
        trace_free(x);
        trace_free(y);
}

static void test_dump_is_canonical(void **state)
{
        trace *t = sample_trace("/bin/z", 1, "/z", 1);
        char *s1 = trace_dumps(t);
        trace *t2 = NULL;
        mp_error err = { 0 };
        assert_int_equal(trace_load_buffer(s1, strlen(s1), "s1", &t2, &err), 0);
        char *s2 = trace_dumps(t2);
        assert_string_equal(s1, s2);
        assert_true(s1[strlen(s1) - 1] == '\n');
        free(s1);
        free(s2);
        trace_free(t);
        trace_free(t2);
}

/* The typed read side: every item once, in byte order, with its counts. */
static int collect(strbuf *sb, const char *fmt, ...) _printf_(2, 3);
static int collect(strbuf *sb, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        char *s = NULL;
        assert_true(vasprintf(&s, fmt, ap) >= 0);
        va_end(ap);
        strbuf_printf(sb, "%s;", s);
        free(s);
        return 0;
}

static int on_syscall(const trace_syscall *s, void *ud)
{
        return collect(ud, "%s %s %lld", trace_abi_name(s->abi), s->name, (long long)s->count);
}

static int on_group(const trace_arg_group *g, void *ud)
{
        json_int_t v = -1;
        bool have = trace_arg_value(g, 1, &v);
        return collect(ud, "%s %s %d %lld", g->kind, g->key, have, (long long)v);
}

static int on_access(const trace_file_access *a, void *ud)
{
        return collect(ud, "%s %s %s %lld", a->path, a->kind, a->result, (long long)a->count);
}

static int on_reason(const trace_cap_reason *r, void *ud)
{
        return collect(ud, "%s %s ok=%lld denied=%lld other=%lld pre=%d", r->cap, r->reason, (long long)r->ok,
                       (long long)r->denied, (long long)r->other, r->preexisting);
}

static int on_run(const trace_run *r, void *ud)
{
        return collect(ud, "%zu %s %d %s", r->index, r->program ? r->program : "-", r->status,
                       r->signal ? r->signal : "-");
}

static int stop_at_second(const trace_syscall *s, void *ud)
{
        return ++*(int *)ud == 2 ? 7 : 0;
}

static void test_read_side(void **state)
{
        trace *t = trace_new();
        trace_usage_add(trace_node(t->root, "syscalls", "x86_64", "write", NULL), "/bin/b", 2, NULL);
        trace_usage_add(trace_node(t->root, "syscalls", "x86_64", "read", NULL), "/bin/a", 3, NULL);
        trace_usage_add(trace_node(t->root, "syscalls", "x86_64", "read", NULL), "/bin/b", 1, NULL);
        trace_usage_add(trace_node(t->root, "syscalls", "i386", "socketcall", NULL), "/bin/c", 1, NULL);
        json_t *g = trace_node(t->root, "arguments", "socket", "AF_INET SOCK_STREAM 6", NULL);
        json_object_set_new(g, "values", json_pack("[i,i,i]", 2, 1, 6));
        g = trace_node(t->root, "arguments", "socket", "AF_UNIX SOCK_DGRAM 0", NULL);
        json_object_set_new(g, "values", json_pack("[i]", 1));
        trace_usage_add(trace_node(t->root, "files", "/etc/b", "access", "read", "ENOENT", NULL), "/bin/a", 1, NULL);
        trace_usage_add(trace_node(t->root, "files", "/etc/b", "access", "read", "ok", NULL), "/bin/a", 4, NULL);
        trace_usage_add(trace_node(t->root, "files", "/etc/a", "access", "write", "ok", NULL), "/bin/a", 1, NULL);
        json_t *r = trace_node(t->root, "capabilities", "CAP_KILL", "kill of uid 0", NULL);
        trace_usage_add(trace_node(r, "results", "ok", NULL), "/bin/a", 2, NULL);
        trace_usage_add(trace_node(r, "results", "EPERM", NULL), "/bin/a", 1, NULL);
        trace_usage_add(trace_node(r, "results", "ESRCH", NULL), "/bin/a", 5, NULL);
        json_object_set_new(r, "preexisting", json_true());
        r = trace_node(t->root, "capabilities", "CAP_CHOWN", "chown", NULL);
        trace_usage_add(trace_node(r, "results", "EACCES", NULL), "/bin/a", 1, NULL);
        json_array_append_new(json_object_get(t->root, "runs"),
                              json_pack("{s:[s,s],s:{s:i,s:s}}", "command", "/bin/a", "-x", "exit", "status", 137,
                                        "signal", "SIGKILL"));
        json_array_append_new(json_object_get(t->root, "runs"), json_pack("{s:{s:i}}", "exit", "status", 0));

        strbuf sb = STRBUF_INIT;
        assert_int_equal(trace_foreach_syscall(t, TRACE_ABI_X86_64, on_syscall, &sb), 0);
        assert_int_equal(trace_foreach_syscall(t, TRACE_ABI_I386, on_syscall, &sb), 0);
        assert_int_equal(trace_foreach_syscall(t, TRACE_ABI_X32, on_syscall, &sb), 0);
        assert_string_equal(strbuf_str(&sb), "x86_64 read 4;x86_64 write 2;i386 socketcall 1;");
        assert_true(trace_has_syscall(t, TRACE_ABI_X86_64, "write"));
        assert_false(trace_has_syscall(t, TRACE_ABI_I386, "write"));
        int n = 0;
        assert_int_equal(trace_foreach_syscall(t, TRACE_ABI_X86_64, stop_at_second, &n), 7);

        strbuf_free(&sb);
        assert_int_equal(trace_foreach_arg_group(t, "socket", on_group, &sb), 0);
        assert_int_equal(trace_foreach_arg_group(t, "clone", on_group, &sb), 0);
        assert_string_equal(strbuf_str(&sb), "socket AF_INET SOCK_STREAM 6 1 1;socket AF_UNIX SOCK_DGRAM 0 0 -1;");

        strbuf_free(&sb);
        assert_int_equal(trace_foreach_file_access(t, on_access, &sb), 0);
        assert_string_equal(strbuf_str(&sb), "/etc/a write ok 1;/etc/b read ENOENT 1;/etc/b read ok 4;");

        strbuf_free(&sb);
        assert_int_equal(trace_foreach_cap_reason(t, NULL, on_reason, &sb), 0);
        assert_string_equal(strbuf_str(&sb), "CAP_CHOWN chown ok=0 denied=1 other=0 pre=0;"
                                             "CAP_KILL kill of uid 0 ok=2 denied=1 other=5 pre=1;");

        strbuf_free(&sb);
        assert_int_equal(trace_foreach_run(t, on_run, &sb), 0);
        assert_string_equal(strbuf_str(&sb), "0 /bin/a 137 SIGKILL;1 - 0 -;");
        strbuf_free(&sb);
        trace_free(t);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_path_encoding), cmocka_unit_test(test_path_encoding_exhaustive),
                cmocka_unit_test(test_validation),    cmocka_unit_test(test_merge_order_independent),
                cmocka_unit_test(test_merge_seen),    cmocka_unit_test(test_dump_is_canonical),
                cmocka_unit_test(test_read_side),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
