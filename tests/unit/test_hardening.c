/* SPDX-License-Identifier: MIT */
/* Unit tests of hardening.md: the figures other emitters leave in the
 * context (seccomp, AppArmor) are quoted and flagged when present, and the
 * report reads sensibly when they are absent (-1). The golden cases in
 * tests/golden pin the rest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "generator/emitters.h"
#include "generator/generator.h"
#include "trace/trace.h"

static const char trace_json[] =
        "{\"format\": \"minpriv-trace\", \"version\": 1,"
        " \"runs\": [{\"command\": [\"/usr/bin/app\"], \"mode\": \"seccomp\", \"no_new_privs\": false,"
        "   \"credentials\": {\"uid\": 0, \"euid\": 0, \"suid\": 0, \"fsuid\": 0, \"gid\": 0, \"egid\": 0,"
        "   \"sgid\": 0, \"fsgid\": 0, \"groups\": [], \"cap_eff\": \"000001ffffffffff\"}}],"
        " \"syscalls\": {\"x86_64\": {\"read\": {\"first\": \"/usr/bin/app\", \"programs\": {\"/usr/bin/app\": "
        "{\"count\": 2}}}}},"
        " \"files\": {\"/usr/bin/app\": {\"type\": \"file\", \"uid\": 0, \"gid\": 0, \"mode\": 493,"
        "   \"access\": {\"exec\": {\"ok\": {\"programs\": {\"/usr/bin/app\": {\"count\": 1}}}}}}},"
        " \"resources\": {\"sum_rss_kib\": 40000, \"max_rss_kib\": 30000, \"max_threads\": 3}}";

static char *report(int seccomp, int aa_rules, int aa_paths, gen_default_action act)
{
        trace *t = NULL;
        mp_error err = { 0 };
        assert_int_equal(trace_load_buffer(trace_json, strlen(trace_json), "t.json", &t, &err), 0);
        gen_options opts = { .runtime = GEN_RUNTIME_RUNC, .default_action = act };
        gen_context ctx;
        assert_int_equal(gen_context_init(&ctx, t, &opts, &err), 0);
        ctx.figures.seccomp_syscalls = seccomp;
        ctx.figures.apparmor_rules = aa_rules;
        ctx.figures.apparmor_raw_paths = aa_paths;
        char *text = NULL;
        assert_int_equal(gen_emit_hardening_md(&ctx, &text, &err), 0);
        gen_context_free(&ctx);
        trace_free(t);
        return text;
}

static void test_with_profiles(void **state)
{
        char *md = report(123, 45, 67, GEN_DEFAULT_ERRNO);
        assert_non_null(strstr(md, "| 6 | seccomp | 123 syscalls | `--security-opt seccomp=seccomp.json` |"));
        assert_non_null(strstr(md, "| 6 | AppArmor | 45 rules | `--security-opt apparmor=minpriv-app` |"));
        assert_non_null(strstr(md, "allows 123 syscall names"));
        assert_non_null(strstr(md, "other calls fail with EPERM"));
        assert_non_null(strstr(md, "profile `minpriv-app` with 45 rules from 67 recorded paths"));
        assert_non_null(
                strstr(md, "  --security-opt seccomp=seccomp.json \\\n  --security-opt apparmor=minpriv-app \\\n"));
        assert_non_null(strstr(md, "      - \"seccomp:seccomp.json\"\n      - \"apparmor:minpriv-app\"\n"));
        /* 1.5 x 40000 KiB = 58.6 MiB -> 64 MiB; pids 2 x 3 + 8. */
        assert_non_null(strstr(md, "  --memory 64m \\\n  --pids-limit 14 \\\n  IMAGE\n"));
        assert_non_null(strstr(md, "    mem_limit: 64m\n    pids_limit: 14\n"));
        /* Root, no capability, world-readable files: non-root is feasible. */
        assert_non_null(strstr(md, "  --user 65534:65534 \\\n"));
        free(md);

        md = report(7, -1, -1, GEN_DEFAULT_LOG);
        assert_non_null(strstr(md, "other calls are only logged"));
        assert_null(strstr(md, "apparmor="));
        free(md);
}

static void test_without_profiles(void **state)
{
        char *md = report(-1, -1, -1, GEN_DEFAULT_ERRNO);
        assert_non_null(strstr(md, "| 6 | seccomp | no profile generated | — |"));
        assert_non_null(strstr(md, "| 6 | AppArmor | no profile generated | — |"));
        assert_non_null(strstr(md, "no `seccomp.json` was generated with this report"));
        assert_null(strstr(md, "seccomp=seccomp.json"));
        assert_null(strstr(md, "seccomp:seccomp.json"));
        assert_null(strstr(md, "apparmor="));
        assert_null(strstr(md, "-1"));
        free(md);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_with_profiles),
                cmocka_unit_test(test_without_profiles),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
