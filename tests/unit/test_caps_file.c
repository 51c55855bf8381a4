/* SPDX-License-Identifier: MIT */
/* Unit tests of caps.txt: the reader (valid files, every refusal with its
 * line:column) and the round trip emitter -> reader; files-used.txt lines
 * decode back to the recorded paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "policy/caps-file.h"
#include "generator/emitters.h"
#include "generator/generator.h"
#include "trace/trace.h"

static caps_file *parse_ok(const char *text)
{
        caps_file *cf = NULL;
        mp_error err = { 0 };
        int r = caps_file_parse(text, strlen(text), "caps.txt", &cf, &err);
        if (r < 0)
                fail_msg("unexpected error: %d:%d: %s", err.line, err.column, err.text);
        assert_non_null(cf);
        return cf;
}

static void parse_bad(const char *text, size_t len, int line, int col, const char *needle)
{
        caps_file *cf = (caps_file *)0x1;
        mp_error err = { 0 };
        int r = caps_file_parse(text, len, "caps.txt", &cf, &err);
        assert_int_equal(r, -EINVAL);
        assert_ptr_equal(cf, (caps_file *)0x1); /* untouched on failure */
        assert_string_equal(err.where, "caps.txt");
        if (err.line != line || err.column != col || !strstr(err.text, needle))
                fail_msg("got %d:%d '%s', expected %d:%d '%s'", err.line, err.column, err.text, line, col, needle);
}

static void test_parse_valid(void **state)
{
        caps_file *cf = parse_ok("# Capabilities for x (minpriv).\n"
                                 "# header comments are not reasons\n"
                                 "CAP_SETUID\n"
                                 "CAP_CHOWN\n"
                                 "#   chown /tmp/f: owner 0:0 -> 1:1 [/bin/x]\n"
                                 "#\n"
                                 "\t#   second reason   \n"
                                 "\n"
                                 "  net_bind_service   # bind 0.0.0.0:80\r\n"
                                 "Cap_Kill");
        assert_int_equal(cf->n, 4);
        assert_string_equal(cf->caps[0].name, "CAP_CHOWN");
        assert_int_equal(cf->caps[0].line, 4);
        assert_string_equal(cf->caps[0].reasons[0], "chown /tmp/f: owner 0:0 -> 1:1 [/bin/x]");
        assert_string_equal(cf->caps[0].reasons[1], "second reason");
        assert_null(cf->caps[0].reasons[2]);
        assert_string_equal(cf->caps[1].name, "CAP_KILL");
        assert_null(cf->caps[1].reasons[0]);
        assert_string_equal(cf->caps[2].name, "CAP_NET_BIND_SERVICE");
        assert_int_equal(cf->caps[2].line, 9);
        assert_string_equal(cf->caps[2].reasons[0], "bind 0.0.0.0:80");
        assert_string_equal(cf->caps[3].name, "CAP_SETUID");
        assert_null(cf->caps[3].reasons[0]);
        assert_true(caps_file_has(cf, "CAP_KILL"));
        assert_true(caps_file_has(cf, "setuid"));
        assert_false(caps_file_has(cf, "CAP_SYS_ADMIN"));
        assert_false(caps_file_has(cf, "NOT_A_CAP"));
        caps_file_free(cf);

        /* No capability lines at all: nothing needed. */
        cf = parse_ok("# Capabilities for x (minpriv).\n# None needed.\n");
        assert_int_equal(cf->n, 0);
        caps_file_free(cf);
        cf = parse_ok("");
        assert_int_equal(cf->n, 0);
        caps_file_free(cf);
        caps_file_free(NULL);
}

static void test_parse_errors(void **state)
{
        const char *t;
        t = "CAP_CHOWN\n  CAP_FOO\n";
        parse_bad(t, strlen(t), 2, 3, "unknown capability 'CAP_FOO'");
        t = "# x\nALL\n";
        parse_bad(t, strlen(t), 2, 1, "not allowed");
        t = "CAP_CHOWN\n# r\nchown\n";
        parse_bad(t, strlen(t), 3, 1, "CAP_CHOWN is listed twice (first on line 1)");
        t = "CAP_CHOWN CAP_KILL\n";
        parse_bad(t, strlen(t), 1, 11, "unexpected text after the capability");
        t = "CAP_CHOWN,\n";
        parse_bad(t, strlen(t), 1, 1, "unknown capability 'CAP_CHOWN,'");
        static const char nul[] = "CAP_CHOWN\nCAP_\0KILL\n";
        parse_bad(nul, sizeof nul - 1, 2, 5, "NUL byte");
}

/* Mutations of a valid file: never a crash or a leak (ASan in CI), and
 * either a sorted, duplicate-free list of known names or an error with a
 * position inside the input. */
static void test_parse_mutations(void **state)
{
        static const char base[] = "# Capabilities for x (minpriv).\nCAP_CHOWN\n#   chown /a: owner 0:0 [/bin/x]\n"
                                   "net_raw # raw\n\nCAP_SETUID\n#   setuid: to uid 5 [/bin/x]\n";
        static const char alphabet[] = "#\n\r\t \0CAP_ALLchownsetuidNET_RAW,x";
        uint64_t rng = 0x9e3779b97f4a7c15ULL;
        char buf[256];
        for (int iter = 0; iter < 20000; iter++) {
                size_t len = sizeof base - 1;
                memcpy(buf, base, len);
                int edits = 1 + (int)(rng % 4);
                for (int e = 0; e < edits; e++) {
                        rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
                        size_t pos = (size_t)(rng % (len + 1));
                        char c = alphabet[(rng >> 20) % (sizeof alphabet - 1)];
                        switch ((rng >> 40) % 4) {
                        case 0: /* replace */
                                if (pos < len)
                                        buf[pos] = c;
                                break;
                        case 1: /* insert */
                                if (len < sizeof buf - 1) {
                                        memmove(buf + pos + 1, buf + pos, len - pos);
                                        buf[pos] = c;
                                        len++;
                                }
                                break;
                        case 2: /* delete */
                                if (pos < len) {
                                        memmove(buf + pos, buf + pos + 1, len - pos - 1);
                                        len--;
                                }
                                break;
                        default: /* truncate */
                                len = pos;
                        }
                }
                caps_file *cf = NULL;
                mp_error err = { 0 };
                int r = caps_file_parse(buf, len, "m", &cf, &err);
                if (r < 0) {
                        assert_null(cf);
                        assert_true(err.line >= 1 && err.column >= 1);
                        continue;
                }
                for (size_t i = 0; i < cf->n; i++) {
                        assert_true(startswith(cf->caps[i].name, "CAP_"));
                        if (i)
                                assert_true(strcmp(cf->caps[i - 1].name, cf->caps[i].name) < 0);
                }
                caps_file_free(cf);
        }
}

static void test_load(void **state)
{
        caps_file *cf = NULL;
        mp_error err = { 0 };
        assert_int_equal(caps_file_load("/nonexistent/caps.txt", &cf, &err), -ENOENT);
        assert_null(cf);
        assert_string_equal(err.where, "/nonexistent/caps.txt");
}

static const char trace_json[] =
        "{\"format\": \"minpriv-trace\", \"version\": 1,"
        " \"runs\": [{\"command\": [\"/bin/x\"], \"mode\": \"seccomp\", \"no_new_privs\": false}],"
        " \"syscalls\": {\"x86_64\": {\"chown\": {\"first\": \"/bin/x\", \"programs\": {\"/bin/x\": {\"count\": 2}}}}},"
        " \"files\": {\"/data/new\\nline\": {\"type\": \"file\", \"uid\": 0, \"gid\": 0, \"mode\": 420,"
        "   \"access\": {\"read\": {\"ok\": {\"programs\": {\"/bin/x\": {\"count\": 1}}}}}},"
        "   \"/data/\\\\xff\": {\"type\": \"file\", \"uid\": 0, \"gid\": 0, \"mode\": 420,"
        "   \"access\": {\"stat\": {\"ok\": {\"programs\": {\"/bin/x\": {\"count\": 1}}}}}}},"
        " \"capabilities\": {"
        "  \"CAP_CHOWN\": {\"chown /data/a\\nb: owner 0:0 -> 1:1\": {\"syscall\": \"chown\","
        "     \"results\": {\"ok\": {\"programs\": {\"/bin/x\": {\"count\": 1}, \"/bin/y\": {\"count\": 1}}}}}},"
        "  \"CAP_KILL\": {\"kill: sending SIGTERM to a process of uid 5\": {\"syscall\": \"kill\","
        "     \"results\": {\"EPERM\": {\"programs\": {\"/bin/x\": {\"count\": 3}}}}}},"
        "  \"CAP_SETUID\": {\"setuid: to uid 5\": {\"syscall\": \"setuid\","
        "     \"results\": {\"ok\": {\"programs\": {\"/bin/x\": {\"count\": 1}}},"
        "                   \"EPERM\": {\"programs\": {\"/bin/x\": {\"count\": 1}}}}}}}}";

static void test_roundtrip(void **state)
{
        trace *t = NULL;
        mp_error err = { 0 };
        assert_int_equal(trace_load_buffer(trace_json, strlen(trace_json), "t.json", &t, &err), 0);
        gen_options opts = { .runtime = GEN_RUNTIME_RUNC };
        gen_context ctx;
        assert_int_equal(gen_context_init(&ctx, t, &opts, &err), 0);
        /* CAP_KILL only failed: not needed. */
        assert_string_equal(ctx.caps[0], "CAP_CHOWN");
        assert_string_equal(ctx.caps[1], "CAP_SETUID");
        assert_null(ctx.caps[2]);

        char *text = NULL;
        assert_int_equal(emit_caps_txt(&ctx, &text, &err), 0);
        assert_non_null(strstr(text, "CAP_CHOWN\n#   chown /data/a\\x0ab: owner 0:0 -> 1:1 [/bin/x and /bin/y]\n"));
        assert_non_null(strstr(text, "# 2 kinds of call were refused a capability while recorded"));
        assert_null(strstr(text, "CAP_KILL"));
        caps_file *cf = parse_ok(text);
        assert_int_equal(cf->n, 2);
        assert_string_equal(cf->caps[0].name, "CAP_CHOWN");
        assert_string_equal(cf->caps[0].reasons[0], "chown /data/a\\x0ab: owner 0:0 -> 1:1 [/bin/x and /bin/y]");
        assert_string_equal(cf->caps[1].name, "CAP_SETUID");
        caps_file_free(cf);
        free(text);

        /* files-used.txt: one path a line, decodable back to the bytes. */
        assert_int_equal(emit_files_used_txt(&ctx, &text, &err), 0);
        char *nl = strchr(text, '\n');
        assert_non_null(nl);
        const char *lines = nl + 1;
        assert_string_equal(lines, "/data/\\xff\n/data/new\\x0aline\n");
        size_t len = 0;
        char *raw = trace_path_decode("/data/new\\x0aline", &len);
        assert_non_null(raw);
        assert_memory_equal(raw, "/data/new\nline", len);
        free(raw);
        free(text);

        gen_context_free(&ctx);
        trace_free(t);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_valid),     cmocka_unit_test(test_parse_errors),
                cmocka_unit_test(test_parse_mutations), cmocka_unit_test(test_load),
                cmocka_unit_test(test_roundtrip),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
