/* SPDX-License-Identifier: MIT */
/* The AppArmor profile reader: hand-written profiles with every rule type
 * minpriv reads, the access questions, and errors with line:column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "policy/apparmor-profile.h"

static const char PROFILE[] = "# a hand-edited profile\n"
                              "abi <abi/3.0>,\n"
                              "include <tunables/global>\n"
                              "#include <tunables/home>\n"
                              "@{APP} = /opt/app /srv/app\n"
                              "@{APP} += \"/data/my app\"\n"
                              "@{LOGS}=@{APP}/logs # a comment after values\n"
                              "\n"
                              "profile my-app /usr/bin/my-app flags=(attach_disconnected, mediate_deleted) {\n"
                              "  include <abstractions/base>\n"
                              "  include if exists <local/my-app>\n"
                              "  capability net_bind_service setuid,\n"
                              "  network inet stream,\n"
                              "  network inet6 tcp,\n"
                              "  network netlink,\n"
                              "  unix (create, send, receive) type=stream,\n"
                              "  unix (bind, listen) addr=\"@my-app\",\n"
                              "  unix (connect) peer=(addr=\"@other\", label=unconfined),\n"
                              "  signal (receive) peer=unconfined,\n"
                              "  signal (send, receive) set=(term, hup) peer=my-app,\n"
                              "  ptrace (read) peer=my-app,\n"
                              "  mount -> /mnt/,\n"
                              "  deny umount,\n"
                              "  dbus send bus=session,\n"
                              "\n"
                              "  /usr/bin/my-app mrix,\n"
                              "  /usr/lib/**.so* mr,\n"
                              "  @{PROC}/@{pid}/maps r,   # trailing comment\n"
                              "  owner @{APP}/data/** rwk,\n"
                              "  audit owner @{LOGS}/*.log a,\n"
                              "  allow /etc/my-app/{a,b}.conf r,\n"
                              "  deny /etc/my-app/secret* rw,\n"
                              "  \"/tmp/with space\\042quote\" rw,\n"
                              "  /tmp/esc\\ aped r,\n"
                              "  rw /var/lib/my-app/state,\n"
                              "  file /var/cache/my-app/ r,\n"
                              "  link subset /tmp/link -> /tmp/target,\n"
                              "  deny /usr/bin/** x,\n"
                              "  /usr/bin/helper px -> helper-profile,\n"
                              "}\n"
                              "# done\n";

static mp_aa_profile *parse_ok(const char *text)
{
        mp_aa_profile *p = NULL;
        mp_error err = { 0 };
        if (mp_aa_profile_parse(text, strlen(text), "t.profile", &p, &err) < 0)
                fail_msg("parse: %s:%d:%d: %s", err.where, err.line, err.column, err.text);
        return p;
}

static bool file_ok(const mp_aa_profile *p, const char *path, const char *perms, bool owner)
{
        unsigned pm;
        char mode[4];
        assert_int_equal(mp_aa_perms_parse(perms, strlen(perms), &pm, mode, NULL), 0);
        return mp_aa_profile_allows_file(p, path, strlen(path), pm, owner);
}

static void test_parse_model(void **state)
{
        mp_aa_profile *p = parse_ok(PROFILE);
        assert_string_equal(p->name, "my-app");
        assert_string_equal(p->attachment, "/usr/bin/my-app");
        assert_string_equal(p->flags[0], "attach_disconnected");
        assert_string_equal(p->flags[1], "mediate_deleted");
        assert_null(p->flags[2]);
        assert_string_equal(p->abis[0], "<abi/3.0>");
        assert_string_equal(p->includes[0], "<tunables/global>");
        assert_string_equal(p->includes[1], "<tunables/home>");
        assert_int_equal(p->line, 9);
        assert_int_equal(p->column, 1);

        size_t kinds[_AA_RULE_MAX] = { 0 };
        for (size_t i = 0; i < p->n_rules; i++)
                kinds[p->rules[i].kind]++;
        assert_int_equal(kinds[AA_RULE_INCLUDE], 2);
        assert_int_equal(kinds[AA_RULE_CAPABILITY], 2);
        assert_int_equal(kinds[AA_RULE_NETWORK], 3);
        assert_int_equal(kinds[AA_RULE_UNIX], 3);
        assert_int_equal(kinds[AA_RULE_SIGNAL], 2);
        assert_int_equal(kinds[AA_RULE_PTRACE], 1);
        assert_int_equal(kinds[AA_RULE_MOUNT], 2);
        assert_int_equal(kinds[AA_RULE_OTHER], 1);
        assert_int_equal(kinds[AA_RULE_LINK], 1);
        assert_int_equal(kinds[AA_RULE_FILE], 13);

        /* positions and texts */
        const mp_aa_rule *r = &p->rules[2];
        assert_int_equal(r->kind, AA_RULE_CAPABILITY);
        assert_int_equal(r->line, 12);
        assert_int_equal(r->column, 3);
        assert_string_equal(r->capability, "net_bind_service");
        assert_string_equal(r->text, "capability net_bind_service setuid");
        assert_string_equal(p->rules[3].capability, "setuid");
        for (size_t i = 0; i < p->n_rules; i++) {
                r = &p->rules[i];
                if (r->kind == AA_RULE_FILE && r->audit) {
                        assert_true(r->owner);
                        assert_int_equal(r->perms, AA_PERM_APPEND);
                        assert_string_equal(r->text, "audit owner @{LOGS}/*.log a");
                }
                if (r->kind == AA_RULE_FILE && r->target) {
                        assert_string_equal(r->target, "helper-profile");
                        assert_string_equal(r->exec_mode, "p");
                }
                if (r->kind == AA_RULE_LINK) {
                        assert_true(r->subset);
                        assert_string_equal(r->path, "/tmp/link");
                        assert_string_equal(r->target, "/tmp/target");
                }
                if (r->kind == AA_RULE_MOUNT && r->deny)
                        assert_string_equal(r->keyword, "umount");
                if (r->kind == AA_RULE_OTHER)
                        assert_string_equal(r->keyword, "dbus");
                if (r->kind == AA_RULE_INCLUDE && r->line == 11)
                        assert_string_equal(r->include, "if exists <local/my-app>");
        }
        mp_aa_profile_free(p);
}

static void test_file_questions(void **state)
{
        mp_aa_profile *p = parse_ok(PROFILE);
        /* the deny x rule on /usr/bin takes the exec of mrix away */
        assert_true(file_ok(p, "/usr/bin/my-app", "rm", false));
        assert_false(file_ok(p, "/usr/bin/my-app", "ix", false));
        assert_false(file_ok(p, "/usr/bin/my-app", "w", false));
        assert_true(file_ok(p, "/usr/lib/x86_64-linux-gnu/libc.so.6", "rm", false));
        assert_true(file_ok(p, "/proc/42/maps", "r", false));
        assert_false(file_ok(p, "/proc/self/maps", "r", false));
        /* owner rules apply to the owner only; variables with several values */
        assert_true(file_ok(p, "/opt/app/data/x/y", "rwk", true));
        assert_true(file_ok(p, "/data/my app/data/z", "rw", true));
        assert_false(file_ok(p, "/opt/app/data/x", "r", false));
        /* a: append only; w would be more */
        assert_true(file_ok(p, "/srv/app/logs/web.log", "a", true));
        assert_false(file_ok(p, "/srv/app/logs/web.log", "w", true));
        assert_false(file_ok(p, "/srv/app/logs/sub/web.log", "a", true));
        /* w implies a */
        assert_true(file_ok(p, "/var/lib/my-app/state", "a", false));
        assert_true(file_ok(p, "/etc/my-app/a.conf", "r", false));
        assert_true(file_ok(p, "/etc/my-app/b.conf", "r", false));
        assert_false(file_ok(p, "/etc/my-app/c.conf", "r", false));
        /* quoted and escaped paths */
        assert_true(file_ok(p, "/tmp/with space\"quote", "rw", false));
        assert_true(file_ok(p, "/tmp/esc aped", "r", false));
        assert_true(file_ok(p, "/var/cache/my-app/", "r", false));
        assert_true(file_ok(p, "/tmp/link", "l", false));
        /* deny wins, also over an exec rule */
        assert_false(file_ok(p, "/usr/bin/helper", "px", false));
        mp_aa_profile_free(p);

        p = parse_ok("profile d {\n  /etc/** r,\n  deny /etc/shadow r,\n  deny /etc/x w,\n  /etc/x w,\n}\n");
        assert_true(file_ok(p, "/etc/passwd", "r", false));
        assert_false(file_ok(p, "/etc/shadow", "r", false));
        assert_false(file_ok(p, "/etc/x", "a", false)); /* deny w takes a too */
        mp_aa_profile_free(p);

        p = parse_ok("profile all {\n  file,\n  deny /secret/** r,\n}\n");
        assert_true(file_ok(p, "/anything", "rwlkmix", false));
        assert_false(file_ok(p, "/secret/x", "r", false));
        mp_aa_profile_free(p);
}

static void test_other_questions(void **state)
{
        mp_aa_profile *p = parse_ok(PROFILE);
        assert_true(mp_aa_profile_allows_capability(p, "net_bind_service"));
        assert_true(mp_aa_profile_allows_capability(p, "setuid"));
        assert_false(mp_aa_profile_allows_capability(p, "sys_admin"));
        assert_true(mp_aa_profile_allows_network(p, "inet", "stream"));
        assert_false(mp_aa_profile_allows_network(p, "inet", "dgram"));
        assert_true(mp_aa_profile_allows_network(p, "inet6", "stream")); /* tcp */
        assert_false(mp_aa_profile_allows_network(p, "inet6", "dgram"));
        assert_true(mp_aa_profile_allows_network(p, "netlink", "raw"));
        assert_false(mp_aa_profile_allows_network(p, "packet", "raw"));
        assert_true(mp_aa_profile_allows_unix(p, "create", "stream", NULL));
        assert_false(mp_aa_profile_allows_unix(p, "create", "dgram", NULL));
        assert_true(mp_aa_profile_allows_unix(p, "bind", NULL, "@my-app"));
        assert_false(mp_aa_profile_allows_unix(p, "bind", NULL, "@other"));
        assert_true(mp_aa_profile_allows_unix(p, "connect", NULL, "@other"));
        assert_false(mp_aa_profile_allows_unix(p, "connect", NULL, "@my-app"));
        assert_true(mp_aa_profile_allows_signal(p, "receive", "kill", "unconfined"));
        assert_false(mp_aa_profile_allows_signal(p, "send", "kill", "unconfined"));
        assert_true(mp_aa_profile_allows_signal(p, "send", "term", "my-app"));
        assert_false(mp_aa_profile_allows_signal(p, "send", "usr1", "my-app"));
        assert_false(mp_aa_profile_allows_signal(p, "send", "term", NULL));
        assert_true(mp_aa_profile_allows_ptrace(p, "read", "my-app"));
        assert_false(mp_aa_profile_allows_ptrace(p, "trace", "my-app"));
        assert_true(mp_aa_profile_allows_mount(p, "mount"));
        assert_false(mp_aa_profile_allows_mount(p, "umount"));
        assert_false(mp_aa_profile_allows_mount(p, "pivot_root"));
        mp_aa_profile_free(p);

        p = parse_ok("profile x {\n  capability,\n  deny capability sys_admin,\n  network,\n  signal,\n}\n");
        assert_true(mp_aa_profile_allows_capability(p, "chown"));
        assert_false(mp_aa_profile_allows_capability(p, "sys_admin"));
        assert_true(mp_aa_profile_allows_network(p, "packet", "raw"));
        assert_true(mp_aa_profile_allows_signal(p, "send", "kill", NULL));
        mp_aa_profile_free(p);
}

static void test_path_form(void **state)
{
        mp_aa_profile *p = parse_ok("/usr/bin/foo flags=(complain) {\n  /etc/foo r,\n}\n");
        assert_string_equal(p->name, "/usr/bin/foo");
        assert_string_equal(p->attachment, "/usr/bin/foo");
        assert_string_equal(p->flags[0], "complain");
        mp_aa_profile_free(p);
        p = parse_ok("profile \"q name\" {\n}\n");
        assert_string_equal(p->name, "q name");
        assert_int_equal(p->n_rules, 0);
        mp_aa_profile_free(p);
}

/* alias FROM -> TO: rules under FROM also apply under TO, as
 * apparmor_parser makes them (issue 12, item 2). */
static void test_alias(void **state)
{
        mp_aa_profile *p = parse_ok("include <tunables/global>\n"
                                    "alias /usr/lib/locale/ -> /,\n"
                                    "alias \"/srv/\" -> /mnt/srv/ ,\n"
                                    "profile p {\n  /usr/lib/locale/** r,\n  deny /srv/secret w,\n  /srv/** rw,\n}\n");
        assert_string_equal(p->alias_from[0], "/usr/lib/locale/");
        assert_string_equal(p->alias_to[1], "/mnt/srv/");
        assert_null(p->alias_from[2]);
        assert_true(file_ok(p, "/usr/lib/locale/C.utf8/LC_CTYPE", "r", false));
        assert_true(file_ok(p, "/etc/shadow", "r", false)); /* what the alias really grants */
        assert_false(file_ok(p, "/etc/shadow", "w", false));
        assert_true(file_ok(p, "/mnt/srv/x", "rw", false));
        assert_false(file_ok(p, "/mnt/srv/secret", "w", false)); /* deny rules are copied too */
        assert_int_equal(p->n_rules, 6);
        assert_int_equal(p->rules[3].alias, 1);
        mp_aa_profile_free(p);
        p = parse_ok("profile p {\n  /usr/lib/locale/** r,\n}\n");
        assert_false(file_ok(p, "/etc/shadow", "r", false));
        mp_aa_profile_free(p);
}

static void check_error(const char *text, int line, int column, const char *msg)
{
        mp_aa_profile *p = NULL;
        mp_error err = { 0 };
        int r = mp_aa_profile_parse(text, strlen(text), "bad.profile", &p, &err);
        if (r >= 0)
                fail_msg("should not parse:\n%s", text);
        assert_null(p);
        assert_string_equal(err.where, "bad.profile");
        if (err.line != line || err.column != column || !strstr(err.text, msg))
                fail_msg("got %d:%d: %s; want %d:%d: ...%s...", err.line, err.column, err.text, line, column, msg);
}

static void test_errors(void **state)
{
        check_error("", 1, 1, "no profile");
        check_error("# only a comment\n", 2, 1, "no profile");
        check_error("profile p {\n  /etc/x r,\n", 1, 1, "not closed");
        check_error("profile p {\n  \"/etc/x r,\n}\n", 2, 3, "unterminated");
        check_error("profile p {\n  /etc/x rq,\n}\n", 2, 11, "bad permissions");
        check_error("profile p {\n  /etc/x aw,\n}\n", 2, 11, "bad permissions");
        check_error("profile p {\n  /etc/x x,\n}\n", 2, 10, "exec mode");
        check_error("profile p {\n  /etc/x r\n}\n", 3, 1, "expected ','");
        check_error("profile p {\n  /etc/x,\n}\n", 2, 9, "permissions");
        check_error("profile p {\n  capability sys_foo,\n}\n", 2, 14, "unknown capability 'sys_foo'");
        check_error("profile p {\n  network inet bogus,\n}\n", 2, 16, "unknown network argument");
        check_error("profile p {\n  signal (send) set=(term, nosig),\n}\n", 2, 3, "unknown signal 'nosig'");
        check_error("profile p {\n  unix (frob),\n}\n", 2, 9, "unknown access 'frob'");
        check_error("profile p {\n  frobnicate /x,\n}\n", 2, 3, "unknown rule 'frobnicate'");
        check_error("profile p {\n  ^hat {\n  }\n}\n", 2, 3, "hats");
        check_error("profile p {\n  profile q {\n  }\n}\n", 2, 3, "child profiles");
        check_error("profile p {\n}\nprofile q {\n}\n", 3, 1, "more than one profile");
        check_error("profile p {\n  /x/@{nope} r,\n}\n", 2, 6, "undefined variable @{nope}");
        check_error("alias /a/ /b/,\nprofile p {\n}\n", 1, 11, "expected '->'");
        check_error("alias a -> /b/,\nprofile p {\n}\n", 1, 7, "must start with '/'");
        check_error("profile p {\n  /x/{a} r,\n}\n", 2, 6, "alternatives");
        check_error("profile p {\n  relative r,\n}\n", 2, 3, "unknown rule");
        check_error("profile p {\n  r relative,\n}\n", 2, 5, "must start with '/'");
        check_error("@{V}=/a,\nprofile p {\n}\n", 1, 8, "trailing ','");
        check_error("@{V /a\nprofile p {\n}\n", 1, 1, "unterminated variable");
        check_error("abi <abi/3.0>\nprofile p {\n}\n", 2, 1, "expected ','");
        check_error("profile p {\n  allow deny /x r,\n}\n", 2, 9, "'allow' and 'deny'");
        check_error("profile p {\n  signal (send) set=(term,\n}\n", 3, 1, "expected ','");
        check_error("if $x {\n}\n", 1, 1, "conditionals");
        check_error("garbage here\n", 1, 1, "unexpected 'garbage'");
        const char nul[] = "profile p {\n  /x r,\n\0}\n";
        mp_aa_profile *p = NULL;
        mp_error err = { 0 };
        assert_true(mp_aa_profile_parse(nul, sizeof nul - 1, "nul.profile", &p, &err) < 0);
        assert_int_equal(err.line, 3);
        assert_int_equal(err.column, 1);
        assert_non_null(strstr(err.text, "NUL"));
}

static void test_perms(void **state)
{
        unsigned p;
        char mode[4];
        size_t bad = 0;
        assert_int_equal(mp_aa_perms_parse("rwlkm", 5, &p, mode, NULL), 0);
        assert_int_equal(p, AA_PERM_READ | AA_PERM_WRITE | AA_PERM_LINK | AA_PERM_LOCK | AA_PERM_MMAP);
        assert_int_equal(mp_aa_perms_parse("mrix", 4, &p, mode, NULL), 0);
        assert_string_equal(mode, "i");
        assert_int_equal(mp_aa_perms_parse("Pix", 3, &p, mode, NULL), 0);
        assert_string_equal(mode, "Pi");
        assert_int_equal(mp_aa_perms_parse("cux", 3, &p, mode, NULL), 0);
        assert_string_equal(mode, "cu");
        assert_int_equal(mp_aa_perms_parse("ixpx", 4, &p, mode, &bad), -EINVAL);
        assert_int_equal(bad, 2);
        assert_int_equal(mp_aa_perms_parse("", 0, &p, mode, NULL), -EINVAL);
        assert_int_equal(mp_aa_perms_parse("pz", 2, &p, mode, &bad), -EINVAL);
        char *s = mp_aa_perms_format(AA_PERM_READ | AA_PERM_WRITE | AA_PERM_APPEND | AA_PERM_MMAP | AA_PERM_EXEC, "i");
        assert_string_equal(s, "rwmix");
        free(s);
        s = mp_aa_perms_format(AA_PERM_APPEND | AA_PERM_LOCK, "");
        assert_string_equal(s, "ak");
        free(s);
}

static void test_names(void **state)
{
        assert_true(mp_aa_capability_known("checkpoint_restore"));
        assert_false(mp_aa_capability_known("CAP_CHOWN"));
        assert_true(mp_aa_network_family_known("inet6"));
        assert_true(mp_aa_socket_type_known("seqpacket"));
        assert_true(mp_aa_signal_known("rtmin+0"));
        assert_true(mp_aa_signal_known("rtmin+32"));
        assert_false(mp_aa_signal_known("rtmin+33"));
        assert_false(mp_aa_signal_known("rtmin+01"));
        assert_true(mp_aa_signal_known("stp"));
        assert_false(mp_aa_signal_known("tstp"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_model),     cmocka_unit_test(test_file_questions),
                cmocka_unit_test(test_other_questions), cmocka_unit_test(test_path_form),
                cmocka_unit_test(test_errors),          cmocka_unit_test(test_perms),
                cmocka_unit_test(test_names),           cmocka_unit_test(test_alias),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
