/* SPDX-License-Identifier: MIT */
/* Unit tests of `minpriv diff` (review/diff*.c): what counts as a
 * widening, a narrowing and a change, for seccomp (regrouping is nothing,
 * argument values, errno, the default action), AppArmor (glob coverage,
 * owner, exec modes, variables, the union of several rules) and caps.txt,
 * and the three formats (markdown code spans, the json document). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/stat.h>

#include "review/diff.h"
#include "common/fileio.h"

static char tmpdir[64];

static int setup(void **state)
{
        snprintf(tmpdir, sizeof tmpdir, "/tmp/minpriv-unit-diff-XXXXXX");
        assert_non_null(mkdtemp(tmpdir));
        return 0;
}

static int teardown(void **state)
{
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
        return system(cmd);
}

/* Diff two texts written to files called `name` in old/ and new/. */
static diff_result *diff_texts(const char *name, const char *old, const char *new)
{
        static int n;
        char op[256], np[256];
        snprintf(op, sizeof op, "%s/%d-old-%s", tmpdir, n, name);
        snprintf(np, sizeof np, "%s/%d-new-%s", tmpdir, n++, name);
        assert_int_equal(write_file_atomic(op, old, strlen(old), 0644), 0);
        assert_int_equal(write_file_atomic(np, new, strlen(new), 0644), 0);
        diff_result *d = NULL;
        mp_error err = { 0 };
        if (diff_paths(op, np, &d, &err) < 0)
                fail_msg("diff: %s:%d:%d: %s", err.where, err.line, err.column, err.text);
        return d;
}

/* The item whose subject is `subject` (and class cls); NULL if none. */
static const diff_item *find(const diff_result *d, diff_class cls, const char *subject)
{
        for (size_t i = 0; i < d->n; i++)
                if (d->items[i].cls == cls && streq(d->items[i].subject, subject))
                        return &d->items[i];
        return NULL;
}

static void assert_counts(const diff_result *d, size_t widen, size_t narrow, size_t change)
{
        if (diff_count(d, DIFF_WIDEN) != widen || diff_count(d, DIFF_NARROW) != narrow ||
            diff_count(d, DIFF_CHANGE) != change) {
                char *text = diff_format_text(d, false);
                fail_msg("counts %zu/%zu/%zu, expected %zu/%zu/%zu:\n%s", diff_count(d, DIFF_WIDEN),
                         diff_count(d, DIFF_NARROW), diff_count(d, DIFF_CHANGE), widen, narrow, change, text);
        }
}

#define SECCOMP(rules) "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [" rules "]}"

static void test_seccomp_regrouped_is_nothing(void **state)
{
        diff_result *d = diff_texts(
                "p.json",
                SECCOMP("{\"names\": [\"read\", \"write\", \"close\"], \"action\": \"SCMP_ACT_ALLOW\"},"
                        "{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, "
                        "\"value\": 8, \"op\": \"SCMP_CMP_EQ\"}]}"),
                SECCOMP("{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, "
                        "\"value\": 8, \"op\": \"SCMP_CMP_EQ\"}], \"comment\": \"moved\"},"
                        "{\"name\": \"close\", \"action\": \"SCMP_ACT_ALLOW\"},"
                        "{\"names\": [\"write\", \"read\", \"read\"], \"action\": \"SCMP_ACT_ALLOW\"},"
                        "{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ERRNO\"}"));
        assert_int_equal(d->n, 0);
        assert_false(diff_widens(d));
        char *text = diff_format_text(d, false);
        assert_non_null(strstr(text, "no differences"));
        free(text);
        diff_result_free(d);
}

static void test_seccomp_arguments(void **state)
{
        /* personality: 0 only -> 0 and 8; socket: AF_UNIX -> AF_UNIX, AF_INET6; clone: the
         * namespace mask loses CLONE_NEWNET */
        const char *old = SECCOMP(
                "{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, "
                "\"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]},"
                "{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 1, "
                "\"op\": \"SCMP_CMP_EQ\"}]},"
                "{\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": "
                "2114060288, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}");
        const char *new = SECCOMP(
                "{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, "
                "\"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]},"
                "{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, "
                "\"value\": 8, \"op\": \"SCMP_CMP_EQ\"}]},"
                "{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 1, "
                "\"op\": \"SCMP_CMP_EQ\"}]},"
                "{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 10, "
                "\"op\": \"SCMP_CMP_EQ\"}]},"
                "{\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": "
                "1073741824, \"op\": \"SCMP_CMP_MASKED_EQ\", \"valueTwo\": 0}]}");
        diff_result *d = diff_texts("a.json", old, new);
        assert_counts(d, 3, 0, 0);
        const diff_item *it = find(d, DIFF_WIDEN, "personality");
        assert_non_null(it);
        assert_string_equal(json_string_value(json_array_get(json_object_get(it->detail, "args"), 0)), "8");
        assert_string_equal(json_string_value(json_object_get(it->detail, "how")), "now also allowed for");
        it = find(d, DIFF_WIDEN, "socket");
        assert_non_null(it);
        assert_string_equal(json_string_value(json_array_get(json_object_get(it->detail, "args"), 0)), "AF_INET6 (10)");
        assert_int_equal(json_array_size(json_object_get(it->detail, "args")), 1);
        /* the new mask only covers CLONE_NEWNET: every other namespace flag is now allowed */
        it = find(d, DIFF_WIDEN, "clone");
        assert_non_null(it);
        json_t *args = json_object_get(it->detail, "args");
        assert_int_equal(json_array_size(args), 6); /* the six other namespace flags, one at a time */
        assert_string_equal(json_string_value(json_array_get(args, 0)), "CLONE_NEWNS");
        diff_result_free(d);
        /* and the other way round: the same items, narrowing */
        d = diff_texts("b.json", new, old);
        assert_counts(d, 0, 3, 0);
        assert_string_equal(json_string_value(json_object_get(find(d, DIFF_NARROW, "socket")->detail, "how")),
                            "no longer allowed for");
        diff_result_free(d);
}

static void test_seccomp_actions_and_default(void **state)
{
        /* errnoRet only: a change; LOG as default: a widening that folds the calls it allows */
        diff_result *d =
                diff_texts("c.json",
                           SECCOMP("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"},"
                                   "{\"names\": [\"clone3\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38}"),
                           "{\"defaultAction\": \"SCMP_ACT_LOG\", \"syscalls\": ["
                           "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"},"
                           "{\"names\": [\"clone3\"], \"action\": \"SCMP_ACT_ERRNO\"},"
                           "{\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
        assert_counts(d, 1, 0, 1);
        const diff_item *def = find(d, DIFF_WIDEN, "defaultAction");
        assert_non_null(def);
        json_t *follow = json_object_get(json_object_get(def->detail, "follow"), "x86_64");
        assert_true(json_array_size(follow) > 300);
        /* ptrace stays denied: not among the calls that follow the default */
        for (size_t i = 0; i < json_array_size(follow); i++) {
                assert_string_not_equal(json_string_value(json_array_get(follow, i)), "ptrace");
                assert_string_not_equal(json_string_value(json_array_get(follow, i)), "clone3");
        }
        const diff_item *c3 = find(d, DIFF_CHANGE, "clone3");
        assert_non_null(c3);
        assert_string_equal(json_string_value(json_object_get(c3->detail, "old")), "SCMP_ACT_ERRNO(ENOSYS)");
        assert_string_equal(json_string_value(json_object_get(c3->detail, "new")), "SCMP_ACT_ERRNO(EPERM)");
        assert_true(diff_widens(d));
        diff_result_free(d);
}

/* "flags" (issue 12, item 7): SPEC_ALLOW turns a Spectre mitigation off. */
static void test_seccomp_flags(void **state)
{
#define FLAGGED(flags)                                                                                                 \
        "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"flags\": [" flags "], \"syscalls\": "                               \
        "[{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}"
        const char *plain = SECCOMP("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}");
        diff_result *d = diff_texts("f.json", plain, FLAGGED("\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\""));
        assert_counts(d, 1, 0, 0);
        const diff_item *it = find(d, DIFF_WIDEN, "SECCOMP_FILTER_FLAG_SPEC_ALLOW");
        assert_non_null(it);
        assert_string_equal(it->pre, "flag added: ");
        assert_true(diff_widens(d));
        diff_result_free(d);
        d = diff_texts("f.json", FLAGGED("\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\""), plain);
        assert_counts(d, 0, 1, 0);
        diff_result_free(d);
        /* LOG and TSYNC change logging and loading, not access */
        d = diff_texts("f.json", FLAGGED("\"SECCOMP_FILTER_FLAG_TSYNC\""),
                       FLAGGED("\"SECCOMP_FILTER_FLAG_LOG\", \"SECCOMP_FILTER_FLAG_SPEC_ALLOW\""));
        assert_counts(d, 1, 0, 2);
        assert_non_null(find(d, DIFF_CHANGE, "SECCOMP_FILTER_FLAG_LOG"));
        assert_non_null(find(d, DIFF_CHANGE, "SECCOMP_FILTER_FLAG_TSYNC"));
        diff_result_free(d);
        /* the same flags in another order, or [] against none: nothing */
        d = diff_texts("f.json", FLAGGED("\"SECCOMP_FILTER_FLAG_LOG\", \"SECCOMP_FILTER_FLAG_SPEC_ALLOW\""),
                       FLAGGED("\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\", \"SECCOMP_FILTER_FLAG_LOG\""));
        assert_counts(d, 0, 0, 0);
        diff_result_free(d);
        d = diff_texts("f.json", plain, FLAGGED(""));
        assert_counts(d, 0, 0, 0);
        diff_result_free(d);
#undef FLAGGED
}

#define AA(body) "profile p {\n" body "}\n"

static void test_apparmor_coverage(void **state)
{
        diff_result *d = diff_texts("p.profile",
                                    AA("  /srv/** r,\n"
                                       "  /srv/data/x w,\n"
                                       "  owner /home/*/.cache/** rw,\n"
                                       "  /usr/bin/tool ix,\n"
                                       "  /var/log/app.log w,\n"),
                                    AA("  /srv/** r,\n"
                                       "  /srv/data/x rw,\n"         /* r from the glob, w from the literal: covered */
                                       "  /srv/data/{a,b}.conf r,\n" /* covered by the glob */
                                       "  /home/*/.cache/** r,\n"    /* owner no longer required: widens */
                                       "  owner /home/*/.cache/x w,\n" /* covered by the old owner rule */
                                       "  /usr/bin/tool ux,\n"         /* another exec mode: widens */
                                       "  /var/log/app.log a,\n"));    /* w covered a; w is gone */
        assert_counts(d, 2, 3, 5);
        assert_non_null(find(d, DIFF_WIDEN, "/home/*/.cache/** r,"));
        assert_non_null(find(d, DIFF_WIDEN, "/usr/bin/tool ux,"));
        assert_non_null(find(d, DIFF_CHANGE, "/srv/data/x rw,"));
        assert_non_null(find(d, DIFF_CHANGE, "/srv/data/{a,b}.conf r,"));
        assert_non_null(find(d, DIFF_CHANGE, "owner /home/*/.cache/x w,"));
        assert_non_null(find(d, DIFF_CHANGE, "/var/log/app.log a,"));
        /* old rules: w on the whole cache tree is gone, ix is gone, w on the log is gone */
        assert_non_null(find(d, DIFF_NARROW, "owner /home/*/.cache/** rw,"));
        assert_non_null(find(d, DIFF_NARROW, "/usr/bin/tool ix,"));
        const diff_item *log = find(d, DIFF_NARROW, "/var/log/app.log w,");
        assert_non_null(log);
        assert_string_equal(log->notes[0], "partly still allowed in NEW by line 8: /var/log/app.log a,");
        diff_result_free(d);
}

static void test_apparmor_variables_and_widening_perms(void **state)
{
        /* the same text, another variable value: the rule's meaning changed */
        diff_result *d = diff_texts("v.profile", "@{D} = /opt/a\n" AA("  @{D}/** r,\n  /etc/x r,\n"),
                                    "@{D} = /opt/a /opt/b\n" AA("  @{D}/** r,\n  /etc/x rwk,\n"));
        assert_counts(d, 2, 0, 2);
        const diff_item *it = find(d, DIFF_WIDEN, "/etc/x rwk,");
        assert_non_null(it);
        assert_string_equal(json_string_value(json_object_get(it->detail, "perms_added")), "wk");
        assert_non_null(strstr(it->post, "adds wk"));
        assert_non_null(find(d, DIFF_WIDEN, "@{D}/** r,"));
        diff_result_free(d);
}

/* The preamble (issue 12, item 2): an alias makes rules apply to other
 * paths, an include or an abi before the profile is not understood; none
 * may pass as "no differences". */
#define PRE    "abi <abi/3.0>,\ninclude <tunables/global>\n"
#define LOCALE AA("  /usr/lib/locale/** r,\n  /etc/hostname r,\n")

static void test_apparmor_preamble(void **state)
{
        /* the alias that turns the locale tree rule into one for every path */
        diff_result *d = diff_texts("a.profile", PRE LOCALE, PRE "alias /usr/lib/locale/ -> /,\n" LOCALE);
        assert_counts(d, 2, 0, 0);
        const diff_item *it = find(d, DIFF_WIDEN, "/usr/lib/locale/ -> /");
        assert_non_null(it);
        assert_string_equal(it->pre, "alias added: ");
        it = find(d, DIFF_WIDEN, "/** r,");
        assert_non_null(it);
        assert_string_equal(it->notes[0], "the rule at line 5 as `alias /usr/lib/locale/ -> /,` rewrites it");
        assert_true(diff_widens(d));
        diff_result_free(d);
        /* and back: the alias and its copy go */
        d = diff_texts("a.profile", PRE "alias /usr/lib/locale/ -> /,\n" LOCALE, PRE LOCALE);
        assert_counts(d, 0, 2, 0);
        diff_result_free(d);
        /* an alias no rule starts with still widens (included files may) */
        d = diff_texts("a.profile", PRE LOCALE, PRE "alias /opt/ -> /,\n" LOCALE);
        assert_counts(d, 1, 0, 0);
        diff_result_free(d);

        /* an include before the profile, added or removed */
        d = diff_texts("i.profile", PRE LOCALE, PRE "include \"/tmp/x\"\n" LOCALE);
        assert_counts(d, 1, 0, 0);
        assert_non_null(find(d, DIFF_WIDEN, "\"/tmp/x\""));
        diff_result_free(d);
        d = diff_texts("i.profile", PRE LOCALE, "abi <abi/3.0>,\n" LOCALE);
        assert_counts(d, 1, 0, 0);
        assert_non_null(find(d, DIFF_WIDEN, "<tunables/global>"));
        diff_result_free(d);
        /* an include in the profile removed: its deny rules may go with it */
        d = diff_texts("i.profile", PRE AA("  include <abstractions/base>\n  /etc/hostname r,\n"),
                       PRE AA("  /etc/hostname r,\n"));
        assert_counts(d, 1, 0, 0);
        diff_result_free(d);

        /* abi: another one, or none */
        d = diff_texts("b.profile", PRE LOCALE, "abi <abi/4.0>,\ninclude <tunables/global>\n" LOCALE);
        assert_counts(d, 2, 0, 0);
        assert_non_null(find(d, DIFF_WIDEN, "<abi/4.0>"));
        assert_non_null(find(d, DIFF_WIDEN, "<abi/3.0>"));
        diff_result_free(d);
        d = diff_texts("b.profile", PRE LOCALE, "include <tunables/global>\n" LOCALE);
        assert_counts(d, 1, 0, 0);
        diff_result_free(d);

        /* variables: included files may use them (widens); without includes
         * the rules that use them carry the change */
        d = diff_texts("v.profile", PRE "@{X} = /a\n" LOCALE, PRE "@{X} = /a /\n" LOCALE);
        assert_counts(d, 2, 0, 0);
        assert_non_null(find(d, DIFF_WIDEN, "@{X} = /a /"));
        diff_result_free(d);
        d = diff_texts("v.profile", "@{X} = /a\n" AA("  @{X}/** r,\n"), "@{X} = /a /b\n" AA("  @{X}/** r,\n"));
        assert_counts(d, 1, 0, 1);
        assert_non_null(find(d, DIFF_WIDEN, "@{X}/** r,"));
        diff_result_free(d);
        /* the same preamble written differently is nothing */
        d = diff_texts(
                "s.profile", PRE "alias /usr/lib/locale/ -> /srv/,\n" LOCALE,
                "# c\nabi <abi/3.0>,\n\ninclude <tunables/global>\n\nalias  /usr/lib/locale/  ->  /srv/ ,\n" LOCALE);
        assert_counts(d, 0, 0, 0);
        diff_result_free(d);
}

static void test_caps(void **state)
{
        diff_result *d = diff_texts("caps.txt", "CAP_CHOWN\nCAP_KILL\n", "chown\nnet_raw\n#   raw ping\n");
        assert_counts(d, 1, 1, 0);
        const diff_item *it = find(d, DIFF_WIDEN, "CAP_NET_RAW");
        assert_non_null(it);
        assert_string_equal(it->notes[0], "CAP_NET_RAW: raw ping");
        assert_non_null(find(d, DIFF_NARROW, "CAP_KILL"));
        diff_result_free(d);
}

static void test_formats(void **state)
{
        diff_result *d = diff_texts("f.profile", AA("  /tmp/a r,\n"), AA("  /tmp/a r,\n  \"/tmp/b`c\" w,\n"));
        char *md = diff_format_markdown(d, 0, NULL);
        /* a backtick inside a code span: a longer fence */
        assert_non_null(strstr(md, "``/tmp/b`c w,``") ? strstr(md, "``/tmp/b`c w,``")
                                                      : strstr(md, "`` \"/tmp/b`c\" w, ``"));
        assert_non_null(strstr(md, "**1 widening**"));
        free(md);
        char *js = diff_format_json(d);
        json_error_t e;
        json_t *doc = json_loads(js, 0, &e);
        assert_non_null(doc);
        assert_string_equal(json_string_value(json_object_get(doc, "format")), "minpriv-diff");
        assert_int_equal(json_integer_value(json_object_get(doc, "version")), 1);
        assert_true(json_is_true(json_object_get(doc, "widens")));
        assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "counts"), "widen")), 1);
        json_t *c = json_array_get(json_object_get(doc, "changes"), 0);
        assert_string_equal(json_string_value(json_object_get(c, "class")), "widen");
        assert_string_equal(json_string_value(json_object_get(c, "file")), "apparmor.profile");
        assert_int_equal(json_integer_value(json_object_get(c, "line")), 3);
        json_decref(doc);
        free(js);
        char *tx = diff_format_text(d, true);
        assert_non_null(strstr(tx, "\033[31m+\033[0m"));
        free(tx);
        diff_result_free(d);
}

static void test_bad_inputs(void **state)
{
        char a[256], b[256];
        snprintf(a, sizeof a, "%s/x.json", tmpdir);
        snprintf(b, sizeof b, "%s/x.profile", tmpdir);
        assert_int_equal(write_file_atomic(a, "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}", 35, 0644), 0);
        assert_int_equal(write_file_atomic(b, "profile x {}\n", 13, 0644), 0);
        diff_result *d = NULL;
        mp_error err = { 0 };
        assert_int_equal(diff_paths(a, b, &d, &err), -EINVAL);
        assert_non_null(strstr(err.text, "compare two of the same kind"));
        assert_null(d);
        memset(&err, 0, sizeof err);
        assert_true(diff_paths("/nonexistent/x", a, &d, &err) < 0);
        assert_string_equal(err.where, "/nonexistent/x");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_seccomp_regrouped_is_nothing),
                cmocka_unit_test(test_seccomp_arguments),
                cmocka_unit_test(test_seccomp_actions_and_default),
                cmocka_unit_test(test_seccomp_flags),
                cmocka_unit_test(test_apparmor_coverage),
                cmocka_unit_test(test_apparmor_variables_and_widening_perms),
                cmocka_unit_test(test_apparmor_preamble),
                cmocka_unit_test(test_caps),
                cmocka_unit_test(test_formats),
                cmocka_unit_test(test_bad_inputs),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
