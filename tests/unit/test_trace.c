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

/* A loaded trace with a bit of every section; programs are listed out of
 * order on purpose (trace_foreach_program_stored keeps the file's order). */
static const char rich_trace[] =
        "{\"format\": \"minpriv-trace\", \"version\": 2,\n"
        " \"runs\": [{\"command\": [\"/usr/bin/app\", \"-m\", \"64\"], \"mode\": \"seccomp\", \"no_new_privs\": true,\n"
        "           \"exit\": {\"status\": 130, \"signal\": \"SIGINT\"},\n"
        "           \"credentials\": {\"uid\": 1000, \"euid\": 0, \"suid\": 0, \"fsuid\": 0, \"gid\": 100,\n"
        "                           \"egid\": 0, \"sgid\": 0, \"fsgid\": 0, \"groups\": [], \"cap_eff\": \"0\"},\n"
        "           \"recorder\": \"minpriv 9\", \"started\": \"2026-01-01T00:00:00Z\", \"host\": \"h\",\n"
        "           \"pids\": [42, 7]},\n"
        "          {\"command\": [], \"mode\": \"ptrace\", \"no_new_privs\": false}],\n"
        " \"syscalls\": {\"x86_64\": {\"openat\": {\"first\": \"/usr/bin/app\", \"seen\": 1,\n"
        "     \"programs\": {\"/usr/bin/zz\": {\"count\": 1}, \"/usr/bin/app\": {\"count\": 5,\n"
        "        \"stack\": [{\"function\": \"main\", \"offset\": 26, \"module\": \"/usr/bin/app\", \"ip\": 4660},\n"
        "                  {\"module\": \"/lib/libc.so.6\", \"ip\": 99}, {}]}},\n"
        "     \"results\": {\"ok\": 4, \"ENOENT\": 2}},\n"
        "   \"read\": {\"first\": \"kernel:counted\", \"programs\": {\"kernel:counted\": {\"count\": 9}}}}},\n"
        " \"unknown_syscalls\": {\"i386\": {\"999\": {\"first\": \"/usr/bin/app\",\n"
        "     \"programs\": {\"/usr/bin/app\": {\"count\": 1}}}}},\n"
        " \"arguments\": {\"socket\": {\"AF_INET SOCK_STREAM 6\": {\"values\": [2, 1, 6], \"seen\": 1,\n"
        "                                                  \"programs\": {\"/usr/bin/app\": {\"count\": 1}}}},\n"
        "               \"clone\": {\"0x0\": {\"values\": [0], \"programs\": {\"/usr/bin/app\": {\"count\": 2}}}}},\n"
        " \"files\": {\"/etc/link\": {\"type\": \"symlink\", \"uid\": 0, \"gid\": 0, \"mode\": 511, \"by_owner\": "
        "false,\n"
        "                           \"resolved\": \"/etc/real\",\n"
        "                           \"target\": {\"type\": \"file\", \"uid\": 0, \"gid\": 42, \"mode\": 416},\n"
        "                           \"access\": {\"read\": {\"ok\": {\"programs\": {\"/usr/bin/app\": {\"count\": "
        "3}}},\n"
        "                                               \"EACCES\": {\"programs\": {\"/usr/bin/app\": {\"count\": "
        "1}}}},\n"
        "                                      \"exec\": {\"ok\": {\"programs\": {}}}}},\n"
        "           \"/tmp/new\": {\"by_owner\": true, \"seen\": 1,\n"
        "                          \"access\": {\"create\": {\"ok\": {\"programs\": {\"/usr/bin/app\": {\"count\": "
        "1}}}}}}},\n"
        " \"network\": {\"connect\": {\"AF_UNIX\": {\"/run/a.sock\": {\"ok\": {\"programs\": {\"/usr/bin/app\": "
        "{\"count\": 1}}}}},\n"
        "                           \"AF_INET\": {\"127.0.0.1:80\": {\"ECONNREFUSED\": {\"programs\": "
        "{\"/usr/bin/app\": {\"count\": 2}}}}}},\n"
        "             \"bind\": {\"AF_UNIX\": {\"@x\": {\"ok\": {\"programs\": {\"/usr/bin/app\": {\"count\": "
        "1}}}}}}},\n"
        " \"credentials\": {\"setuid\": {\"65534\": {\"ok\": {\"programs\": {\"/usr/bin/app\": {\"count\": 1}}}}},\n"
        "                 \"setgroups\": {\"1:10\": {\"EPERM\": {\"programs\": {\"/usr/bin/app\": {\"count\": "
        "1}}}}}},\n"
        " \"signals\": {\"SIGTERM\": {\"self\": {\"ok\": {\"programs\": {\"/usr/bin/app\": {\"count\": 1}}}}}},\n"
        " \"ptrace\": {\"PTRACE_TRACEME\": {\"EPERM\": {\"programs\": {\"/usr/bin/app\": {\"count\": 1}}}}},\n"
        " \"capabilities\": {\"CAP_CHOWN\": {\"fchownat /tmp/new: owner 0:0 -> 70000:0\": {\"syscall\": \"fchownat\",\n"
        "     \"object\": \"/tmp/new\", \"preexisting\": true, \"seen\": 1,\n"
        "     \"inputs\": {\"new_uid\": 70000, \"file_mode\": \"0644\", \"fsuid\": 0, \"flag\": true},\n"
        "     \"results\": {\"ok\": {\"programs\": {\"/usr/bin/app\": {\"count\": 1}}},\n"
        "                 \"EPERM\": {\"programs\": {\"/usr/bin/app\": {\"count\": 2}}}}}},\n"
        "                  \"CAP_KILL\": {\"kill 1\": {\"syscall\": \"kill\",\n"
        "     \"results\": {\"ESRCH\": {\"programs\": {\"/usr/bin/app\": {\"count\": 1}}}}}}},\n"
        " \"resources\": {\"max_rss_kib\": 2048, \"processes\": 3},\n"
        " \"io_uring\": {\"rings\": {\"none\": {\"programs\": {\"/usr/bin/app\": {\"count\": 1}},\n"
        "                                   \"opcodes\": {\"IORING_OP_STATX\": {\"programs\": {\"/usr/bin/app\": "
        "{\"count\": 2}}},\n"
        "                                               \"IORING_OP_OPENAT\": {\"programs\": {\"/usr/bin/app\": "
        "{\"count\": 1}}}}},\n"
        "                        \"IORING_SETUP_SQE128\": {\"programs\": {\"/usr/bin/b\": {\"count\": 1}},\n"
        "                                   \"opcodes\": {\"IORING_OP_OPENAT\": {\"programs\": {\"/usr/bin/b\": "
        "{\"count\": 4}}}}}},\n"
        "              \"unrecordable\": {\"IORING_SETUP_SQPOLL: a kernel thread submits the entries\":\n"
        "                                {\"programs\": {\"/usr/bin/app\": {\"count\": 1}}}}}}\n";

static trace *rich(void)
{
        trace *t = NULL;
        mp_error err = { 0 };
        int r = trace_load_buffer(rich_trace, strlen(rich_trace), "rich.json", &t, &err);
        if (r < 0)
                fail_msg("%s: %s", err.where, err.text);
        return t;
}

static int on_program(const trace_program *p, void *ud)
{
        return collect(ud, "%s %lld %s", p->program, (long long)p->count, p->stack ? "stack" : "-");
}

static int on_frame(size_t i, const trace_frame *f, void *ud)
{
        return collect(ud, "%zu %s %s %lld %lld", i, f->function ? f->function : "-", f->module ? f->module : "-",
                       (long long)f->offset, (long long)f->ip);
}

static int on_count(const char *result, json_int_t count, void *ud)
{
        return collect(ud, "%s=%lld", result, (long long)count);
}

static int first_stack(const trace_program *p, void *ud)
{
        if (!p->stack)
                return 0;
        *(const trace_stack **)ud = p->stack;
        return 1;
}

/* Syscalls, numbers, programs in both orders, stacks, counted results. */
static void test_read_syscalls(void **state)
{
        trace *t = rich();
        trace_syscall sc;
        assert_false(trace_syscall_get(t, TRACE_ABI_I386, "openat", &sc));
        assert_true(trace_syscall_get(t, TRACE_ABI_X86_64, "openat", &sc));
        assert_string_equal(sc.name, "openat");
        assert_string_equal(sc.first, "/usr/bin/app");
        assert_int_equal(sc.count, 6);
        assert_int_equal(sc.seen, 1);
        assert_int_equal(trace_usage_total(sc.usage), 6);
        strbuf sb = STRBUF_INIT;
        assert_int_equal(trace_foreach_program(sc.usage, on_program, &sb), 0);
        assert_string_equal(strbuf_str(&sb), "/usr/bin/app 5 stack;/usr/bin/zz 1 -;");
        strbuf_free(&sb);
        assert_int_equal(trace_foreach_program_stored(sc.usage, on_program, &sb), 0);
        assert_string_equal(strbuf_str(&sb), "/usr/bin/zz 1 -;/usr/bin/app 5 stack;");
        strbuf_free(&sb);
        size_t n;
        const char **progs = trace_usage_programs(sc.usage, &n);
        assert_int_equal(n, 2);
        assert_string_equal(progs[0], "/usr/bin/app");
        assert_string_equal(progs[1], "/usr/bin/zz");
        assert_null(progs[2]);
        free(progs);
        const trace_stack *st = NULL;
        assert_int_equal(trace_foreach_program(sc.usage, first_stack, &st), 1);
        assert_int_equal(trace_foreach_frame(st, on_frame, &sb), 0);
        assert_string_equal(strbuf_str(&sb), "0 main /usr/bin/app 26 4660;1 - /lib/libc.so.6 0 99;2 - - 0 0;");
        strbuf_free(&sb);
        assert_int_equal(trace_syscall_foreach_result(&sc, on_count, &sb), 0);
        assert_string_equal(strbuf_str(&sb), "ENOENT=2;ok=4;");
        strbuf_free(&sb);

        /* read: no results, seen in every run (the trace's two) */
        assert_true(trace_syscall_get(t, TRACE_ABI_X86_64, "read", &sc));
        assert_int_equal(sc.seen, 2);
        assert_int_equal(trace_syscall_foreach_result(&sc, on_count, &sb), 0);
        assert_int_equal(sb.len, 0);
        assert_true(trace_has_syscall_any_abi(t, "read"));
        assert_false(trace_has_syscall_any_abi(t, "write"));
        assert_int_equal(trace_syscall_count(t, TRACE_ABI_X86_64), 2);
        assert_int_equal(trace_syscall_count(t, TRACE_ABI_I386), 0);
        assert_int_equal(trace_unknown_syscall_count(t, TRACE_ABI_I386), 1);
        assert_int_equal(trace_foreach_unknown_syscall(t, TRACE_ABI_I386, on_syscall, &sb), 0);
        assert_string_equal(strbuf_str(&sb), "i386 999 1;");
        strbuf_free(&sb);
        trace_free(t);
}

static int on_any_group(const trace_arg_group *g, void *ud)
{
        json_int_t v = -1;
        trace_arg_value(g, 2, &v);
        return collect(ud, "%s/%s n=%zu v2=%lld seen=%lld usage=%lld", g->kind, g->key, g->nvalues, (long long)v,
                       (long long)g->seen, (long long)trace_usage_total(g->usage));
}

static int on_file(const trace_file *f, void *ud)
{
        return collect(ud, "%s res=%s type=%s uid=%d:%lld mode=%d:%llo target=%d:%s:%lld owner=%d/%d seen=%lld",
                       f->path, f->resolved ? f->resolved : "-", f->stat.type ? f->stat.type : "-", f->stat.has_uid,
                       (long long)f->stat.uid, f->stat.has_mode, (unsigned long long)f->stat.mode, f->has_target,
                       f->has_target ? f->target.type : "-", (long long)f->target.gid, f->by_owner, f->by_owner_known,
                       (long long)f->seen);
}

static int on_kind(const char *kind, const trace_results *r, void *ud)
{
        size_t n;
        const char **names = trace_result_names(r, &n);
        collect(ud, "%s:%zu:%s", kind, n, n ? names[0] : "-");
        free(names);
        return 0;
}

/* Argument groups of every kind, files with their stat data and outcomes. */
static void test_read_arguments_files(void **state)
{
        trace *t = rich();
        strbuf sb = STRBUF_INIT;
        assert_int_equal(trace_foreach_arg_group(t, NULL, on_any_group, &sb), 0);
        assert_string_equal(strbuf_str(&sb), "clone/0x0 n=1 v2=-1 seen=2 usage=2;"
                                             "socket/AF_INET SOCK_STREAM 6 n=3 v2=6 seen=1 usage=1;");
        strbuf_free(&sb);
        assert_int_equal(trace_arg_group_count(t, "socket"), 1);
        assert_int_equal(trace_arg_group_count(t, "prctl"), 0);
        assert_true(trace_has_arg_group(t, "clone", "0x0"));
        assert_false(trace_has_arg_group(t, "clone", "0x10000000"));

        assert_int_equal(trace_file_count(t), 2);
        assert_int_equal(trace_foreach_file(t, on_file, &sb), 0);
        assert_string_equal(strbuf_str(&sb),
                            "/etc/link res=/etc/real type=symlink uid=1:0 mode=1:777 target=1:file:42 owner=0/1 "
                            "seen=2;/tmp/new res=- type=- uid=0:0 mode=0:0 target=0:-:0 owner=1/1 seen=1;");
        strbuf_free(&sb);
        trace_file f;
        assert_false(trace_file_get(t, "/etc/real", &f));
        assert_true(trace_file_get(t, "/etc/link", &f));
        assert_int_equal(trace_file_foreach_kind(&f, on_kind, &sb), 0);
        assert_string_equal(strbuf_str(&sb), "exec:1:ok;read:2:EACCES;");
        strbuf_free(&sb);
        /* "ok" with no call is recorded, but no call succeeded */
        assert_non_null(trace_result(trace_file_results(&f, "exec"), "ok"));
        assert_false(trace_file_ok(&f, "exec"));
        assert_true(trace_file_ok(&f, "read"));
        assert_false(trace_file_ok(&f, "write"));
        assert_null(trace_file_results(&f, "write"));
        assert_int_equal(trace_result_count(trace_file_results(&f, "read"), "EACCES"), 1);
        assert_int_equal(trace_result_count(trace_file_results(&f, "write"), "ok"), 0);
        assert_true(trace_results_any(trace_file_results(&f, "read")));
        assert_false(trace_results_any(NULL));
        assert_null(f.stack);
        trace_free(t);
}

static int on_endpoint(const trace_endpoint *e, void *ud)
{
        return collect(ud, "%s %s %s ok=%lld", e->op, e->family, e->address,
                       (long long)trace_result_count(e->results, "ok"));
}

static int on_cred(const trace_cred_change *c, void *ud)
{
        return collect(ud, "%s(%s) ok=%lld", c->syscall, c->args, (long long)trace_result_count(c->results, "ok"));
}

static int on_signal(const trace_signal *s, void *ud)
{
        return collect(ud, "%s %s", s->signal, s->target);
}

static int on_request(const trace_ptrace_request *p, void *ud)
{
        return collect(ud, "%s EPERM=%lld", p->request, (long long)trace_result_count(p->results, "EPERM"));
}

static int on_input(const trace_input *in, void *ud)
{
        if (in->type == TRACE_INPUT_STRING)
                return collect(ud, "%s=s:%s", in->name, in->string);
        if (in->type == TRACE_INPUT_BOOL)
                return collect(ud, "%s=b:%d", in->name, in->boolean);
        return collect(ud, "%s=n:%lld", in->name, (long long)in->number);
}

static int on_full_reason(const trace_cap_reason *r, void *ud)
{
        return collect(ud, "%s|%s|%s|%s|ok=%lld denied=%lld other=%lld pre=%d seen=%lld", r->cap, r->reason, r->syscall,
                       r->object ? r->object : "-", (long long)r->ok, (long long)r->denied, (long long)r->other,
                       r->preexisting, (long long)r->seen);
}

/* Network, credentials, signals, ptrace and capabilities, with filters. */
static void test_read_sections(void **state)
{
        trace *t = rich();
        strbuf sb = STRBUF_INIT;
        assert_int_equal(trace_foreach_endpoint(t, NULL, NULL, on_endpoint, &sb), 0);
        assert_string_equal(strbuf_str(&sb), "bind AF_UNIX @x ok=1;connect AF_INET 127.0.0.1:80 ok=0;"
                                             "connect AF_UNIX /run/a.sock ok=1;");
        strbuf_free(&sb);
        assert_int_equal(trace_foreach_endpoint(t, NULL, "AF_UNIX", on_endpoint, &sb), 0);
        assert_string_equal(strbuf_str(&sb), "bind AF_UNIX @x ok=1;connect AF_UNIX /run/a.sock ok=1;");
        strbuf_free(&sb);
        assert_int_equal(trace_foreach_endpoint(t, "sendto", NULL, on_endpoint, &sb), 0);
        assert_int_equal(sb.len, 0);
        assert_non_null(trace_endpoint_results(t, "connect", "AF_INET", "127.0.0.1:80"));
        assert_null(trace_endpoint_results(t, "connect", "AF_INET", "127.0.0.1:81"));

        assert_int_equal(trace_foreach_cred_change(t, NULL, on_cred, &sb), 0);
        assert_string_equal(strbuf_str(&sb), "setgroups(1:10) ok=0;setuid(65534) ok=1;");
        strbuf_free(&sb);
        assert_int_equal(trace_foreach_cred_change(t, "setuid", on_cred, &sb), 0);
        assert_string_equal(strbuf_str(&sb), "setuid(65534) ok=1;");
        strbuf_free(&sb);
        assert_true(trace_has_cred_change(t, "setgroups", "1:10"));
        assert_false(trace_has_cred_change(t, "setgid", "1"));
        assert_int_equal(trace_foreach_signal(t, on_signal, &sb), 0);
        assert_int_equal(trace_foreach_ptrace_request(t, on_request, &sb), 0);
        assert_string_equal(strbuf_str(&sb), "SIGTERM self;PTRACE_TRACEME EPERM=1;");
        strbuf_free(&sb);

        assert_int_equal(trace_foreach_cap_reason(t, "CAP_KILL", on_full_reason, &sb), 0);
        assert_string_equal(strbuf_str(&sb), "CAP_KILL|kill 1|kill|-|ok=0 denied=0 other=1 pre=0 seen=2;");
        strbuf_free(&sb);
        assert_int_equal(trace_foreach_cap_reason(t, "CAP_SYS_ADMIN", on_full_reason, &sb), 0);
        assert_int_equal(sb.len, 0);
        assert_true(trace_has_cap(t, "CAP_CHOWN"));
        assert_false(trace_has_cap(t, "CAP_SYS_ADMIN"));
        trace_cap_reason r;
        assert_false(trace_cap_reason_get(t, "CAP_CHOWN", "kill 1", &r));
        assert_true(trace_cap_reason_get(t, "CAP_CHOWN", "fchownat /tmp/new: owner 0:0 -> 70000:0", &r));
        assert_int_equal(on_full_reason(&r, &sb), 0);
        assert_string_equal(strbuf_str(&sb), "CAP_CHOWN|fchownat /tmp/new: owner 0:0 -> 70000:0|fchownat|/tmp/new|"
                                             "ok=1 denied=2 other=0 pre=1 seen=1;");
        strbuf_free(&sb);
        assert_int_equal(trace_foreach_cap_input(&r, on_input, &sb), 0);
        assert_string_equal(strbuf_str(&sb), "file_mode=s:0644;flag=b:1;fsuid=n:0;new_uid=n:70000;");
        strbuf_free(&sb);
        assert_int_equal(trace_cap_input_int(&r, TRACE_INPUT_NEW_UID, -1), 70000);
        assert_int_equal(trace_cap_input_int(&r, TRACE_INPUT_NEW_GID, -1), -1);
        assert_int_equal(trace_cap_input_int(&r, "file_mode", -1), -1); /* a string */
        assert_null(r.stack);
        trace_free(t);
}

static int on_full_run(const trace_run *r, void *ud)
{
        strbuf *sb = ud;
        collect(sb, "%zu %s n=%zu exit=%d:%d:%s mode=%s nnp=%d cred=%d:%lld:%lld:%lld rec=%s start=%s fin=%s host=%s",
                r->index, r->program ? r->program : "-", r->ncommand, r->has_exit, r->status,
                r->signal ? r->signal : "-", r->mode ? r->mode : "-", r->no_new_privs, r->has_credentials,
                (long long)r->uid, (long long)r->euid, (long long)r->gid, r->recorder ? r->recorder : "-",
                r->started ? r->started : "-", r->finished ? r->finished : "-", r->host ? r->host : "-");
        for (size_t i = 0; i <= r->ncommand; i++)
                collect(sb, "w%zu=%s", i, trace_run_word(r, i) ? trace_run_word(r, i) : "-");
        for (size_t i = 0; i < r->npids; i++)
                collect(sb, "pid=%lld", (long long)trace_run_pid(r, i));
        return 0;
}

static int on_ring(const char *ring, const trace_usage *setups, void *ud)
{
        return collect(ud, "%s x%lld", ring, (long long)trace_usage_total(setups));
}

static int on_op(const trace_uring_op *op, void *ud)
{
        return collect(ud, "%s %s x%lld", op->ring, op->opcode, (long long)op->count);
}

static int on_unrecordable(const char *reason, const trace_usage *u, void *ud)
{
        return collect(ud, "%s x%lld", reason, (long long)trace_usage_total(u));
}

/* Runs, resources (unrecorded peaks are -1), io_uring, documents, and the
 * write side a profile baseline uses. */
static void test_read_runs_resources_uring(void **state)
{
        trace *t = rich();
        strbuf sb = STRBUF_INIT;
        assert_int_equal(trace_foreach_run(t, on_full_run, &sb), 0);
        assert_string_equal(strbuf_str(&sb),
                            "0 /usr/bin/app n=3 exit=1:130:SIGINT mode=seccomp nnp=1 cred=1:1000:0:100 rec=minpriv 9 "
                            "start=2026-01-01T00:00:00Z fin=- host=h;w0=/usr/bin/app;w1=-m;w2=64;w3=-;pid=42;pid=7;"
                            "1 - n=0 exit=0:0:- mode=ptrace nnp=0 cred=0:-1:-1:-1 rec=- start=- fin=- host=-;w0=-;");
        strbuf_free(&sb);

        trace_resources res;
        trace_resources_get(t, &res);
        assert_int_equal(res.max_rss_kib, 2048);
        assert_int_equal(res.processes, 3);
        assert_int_equal(res.sum_rss_kib, -1);
        assert_int_equal(res.cpu_ms, -1);
        assert_int_equal(res.max_fds, -1);

        assert_true(trace_uses_uring(t));
        assert_int_equal(trace_foreach_uring_ring(t, on_ring, &sb), 0);
        assert_int_equal(trace_foreach_uring_op(t, on_op, &sb), 0);
        assert_int_equal(trace_foreach_uring_unrecordable(t, on_unrecordable, &sb), 0);
        assert_string_equal(strbuf_str(&sb), "IORING_SETUP_SQE128 x1;none x1;"
                                             "IORING_SETUP_SQE128 IORING_OP_OPENAT x4;none IORING_OP_OPENAT x1;"
                                             "none IORING_OP_STATX x2;"
                                             "IORING_SETUP_SQPOLL: a kernel thread submits the entries x1;");
        strbuf_free(&sb);

        assert_true(trace_json_names_format(t->root));
        json_t *other = json_pack("{s:s}", "defaultAction", "SCMP_ACT_ERRNO");
        assert_false(trace_json_names_format(other));
        assert_false(trace_json_names_format(NULL));
        json_decref(other);

        /* a profile baseline's names: added with a count of 0, never over
         * a recorded syscall */
        trace_syscall_add_unrecorded(t, TRACE_ABI_X86_64, "read", "baseline:p.json");
        trace_syscall_add_unrecorded(t, TRACE_ABI_X86_64, "getpid", "baseline:p.json");
        trace_syscall sc;
        assert_true(trace_syscall_get(t, TRACE_ABI_X86_64, "read", &sc));
        assert_string_equal(sc.first, "kernel:counted");
        assert_true(trace_syscall_get(t, TRACE_ABI_X86_64, "getpid", &sc));
        assert_string_equal(sc.first, "baseline:p.json");
        assert_int_equal(sc.count, 0);
        assert_int_equal(trace_foreach_program(sc.usage, on_program, &sb), 0);
        assert_string_equal(strbuf_str(&sb), "baseline:p.json 0 -;");
        strbuf_free(&sb);
        mp_error err = { 0 };
        assert_int_equal(trace_validate(t->root, "t", &err), 0);

        /* an empty trace: every iterator visits nothing */
        trace *e = trace_new();
        assert_int_equal(trace_foreach_file(e, on_file, &sb), 0);
        assert_int_equal(trace_foreach_endpoint(e, NULL, NULL, on_endpoint, &sb), 0);
        assert_int_equal(trace_foreach_uring_op(e, on_op, &sb), 0);
        assert_int_equal(trace_foreach_cap_reason(e, "CAP_CHOWN", on_full_reason, &sb), 0);
        assert_int_equal(sb.len, 0);
        assert_false(trace_uses_uring(e));
        trace_resources_get(e, &res);
        assert_int_equal(res.processes, -1);
        trace_free(e);
        trace_free(t);
}

/* Counts beyond 2^63-1 in sum saturate instead of wrapping. */
static void test_read_counts_saturate(void **state)
{
        static const char text[] =
                "{\"format\": \"minpriv-trace\", \"version\": 2, \"runs\": [],\n"
                " \"syscalls\": {\"x86_64\": {\"read\": {\"first\": \"/bin/a\", \"programs\": {\n"
                "   \"/bin/a\": {\"count\": 6000000000000000000}, \"/bin/b\": {\"count\": 6000000000000000000}}}}},\n"
                " \"capabilities\": {\"CAP_KILL\": {\"kill 1\": {\"syscall\": \"kill\", \"results\": {\n"
                "   \"EPERM\": {\"programs\": {\"/bin/a\": {\"count\": 9223372036854775807}}},\n"
                "   \"EACCES\": {\"programs\": {\"/bin/a\": {\"count\": 7}}}}}}}}\n";
        trace *t = NULL;
        mp_error err = { 0 };
        assert_int_equal(trace_load_buffer(text, strlen(text), "big.json", &t, &err), 0);
        trace_syscall sc;
        assert_true(trace_syscall_get(t, TRACE_ABI_X86_64, "read", &sc));
        assert_int_equal(sc.count, INT64_MAX);
        assert_int_equal(trace_usage_total(sc.usage), INT64_MAX);
        trace_cap_reason r;
        assert_true(trace_cap_reason_get(t, "CAP_KILL", "kill 1", &r));
        assert_int_equal(r.denied, INT64_MAX);
        assert_int_equal(r.ok, 0);
        assert_int_equal(trace_count_add(INT64_MAX, 1), INT64_MAX);
        assert_int_equal(trace_count_add(2, 3), 5);
        trace_free(t);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_path_encoding),
                cmocka_unit_test(test_path_encoding_exhaustive),
                cmocka_unit_test(test_validation),
                cmocka_unit_test(test_merge_order_independent),
                cmocka_unit_test(test_merge_seen),
                cmocka_unit_test(test_dump_is_canonical),
                cmocka_unit_test(test_read_side),
                cmocka_unit_test(test_read_syscalls),
                cmocka_unit_test(test_read_arguments_files),
                cmocka_unit_test(test_read_sections),
                cmocka_unit_test(test_read_runs_resources_uring),
                cmocka_unit_test(test_read_counts_saturate),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
