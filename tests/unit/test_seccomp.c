/* SPDX-License-Identifier: MIT */
/* Unit tests of the Docker seccomp profile reader/compiler/evaluator
 * (policy/seccomp-profile.c) and of the seccomp.json emitter
 * (generator/seccomp.c). The evaluator is also checked against the real
 * kernel: a child loads the compiled filter and makes every call the
 * evaluator says is denied; for i386 (int $0x80) only as `unit_seccomp
 * kernel-i386`, its own ctest entry, which skips where the kernel does not
 * run i386 code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "tests/tools/i386-probe.h"

#include "generator/emitters.h"
#include "generator/generator.h"
#include "policy/seccomp-profile.h"

#define DOCKER_DEFAULT MINPRIV_TEST_DATA "/docker-default-seccomp.json"

/* ------------------------------------------------------------ helpers */

static mp_seccomp_profile *parse_ok(const char *json)
{
        mp_seccomp_profile *p = NULL;
        mp_error err = { 0 };
        int r = mp_seccomp_profile_load_buffer(json, strlen(json), "p.json", &p, &err);
        if (r < 0)
                fail_msg("unexpected error: %s:%d:%d: %s", err.where, err.line, err.column, err.text);
        return p;
}

/* Parsing must fail with a message containing `text` (and at line:column
 * when line > 0). */
static void parse_bad(const char *json, const char *text, int line, int column)
{
        mp_seccomp_profile *p = NULL;
        mp_error err = { 0 };
        int r = mp_seccomp_profile_load_buffer(json, strlen(json), "p.json", &p, &err);
        if (r >= 0) {
                mp_seccomp_profile_free(p);
                fail_msg("accepted, expected an error containing '%s': %s", text, json);
        }
        assert_null(p);
        assert_string_equal(err.where, "p.json");
        if (!strstr(err.text, text))
                fail_msg("error '%s' does not contain '%s'", err.text, text);
        if (line > 0) {
                assert_int_equal(err.line, line);
                if (column >= 0)
                        assert_int_equal(err.column, column);
        }
}

static mp_seccomp_program *compile_ok(const mp_seccomp_profile *p, const mp_seccomp_env *env)
{
        mp_seccomp_program *prog = NULL;
        mp_error err = { 0 };
        if (mp_seccomp_program_compile(p, env, &prog, &err) < 0)
                fail_msg("compile: %s: %s", err.where, err.text);
        return prog;
}

static uint32_t verdict(const mp_seccomp_program *prog, trace_abi abi, const char *name, uint64_t a0, uint64_t a1)
{
        uint64_t args[6] = { a0, a1, 0, 0, 0, 0 };
        mp_seccomp_verdict v;
        int r = mp_seccomp_program_eval(prog, abi, name, args, &v);
        if (r < 0)
                fail_msg("eval %s: %s", name, strerror(-r));
        assert_int_equal(v.action, mp_seccomp_action_base(v.ret));
        return v.ret;
}

/* ------------------------------------------------------------ the reader */

static void test_parse_fields(void **state)
{
        mp_seccomp_profile *p = parse_ok(
                "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,\n"
                " \"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\", \"subArchitectures\": [\"SCMP_ARCH_X86\"]}],\n"
                " \"syscalls\": [\n"
                "  {\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\", \"comment\": \"io\"},\n"
                "  {\"name\": \"socket\", \"action\": \"SCMP_ACT_ALLOW\",\n"
                "   \"args\": [{\"index\": 0, \"value\": 2, \"op\": \"SCMP_CMP_EQ\"},\n"
                "            {\"index\": 1, \"value\": 255, \"valueTwo\": 1, \"op\": \"SCMP_CMP_MASKED_EQ\"}],\n"
                "   \"includes\": {\"caps\": [\"CAP_NET_RAW\"], \"arches\": [\"amd64\"], \"minKernel\": \"4.8\"},\n"
                "   \"excludes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}},\n"
                "  {\"names\": [\"clone3\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38},\n"
                "  {\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_TRACE\"}\n"
                " ]}");
        assert_int_equal(p->default_action, SCMP_ACT_ERRNO(38));
        assert_true(p->has_default_errno_ret);
        assert_int_equal(p->n_arch_map, 1);
        assert_string_equal(p->arch_map[0].arch, "SCMP_ARCH_X86_64");
        assert_string_equal(p->arch_map[0].sub_arches[0], "SCMP_ARCH_X86");
        assert_int_equal(p->n_rules, 4);
        assert_int_equal(p->rules[0].n_names, 2);
        assert_string_equal(p->rules[0].comment, "io");
        assert_int_equal(p->rules[0].action, SCMP_ACT_ALLOW);
        assert_string_equal(p->rules[1].names[0], "socket");
        assert_int_equal(p->rules[1].n_args, 2);
        assert_int_equal(p->rules[1].args[1].op, SCMP_CMP_MASKED_EQ);
        assert_int_equal(p->rules[1].args[1].value, 255);
        assert_int_equal(p->rules[1].args[1].value_two, 1);
        assert_string_equal(p->rules[1].includes.caps[0], "CAP_NET_RAW");
        assert_int_equal(p->rules[1].includes.min_kernel_major, 4);
        assert_int_equal(p->rules[1].includes.min_kernel_minor, 8);
        assert_string_equal(p->rules[1].excludes.caps[0], "CAP_SYS_ADMIN");
        assert_int_equal(p->rules[1].excludes.min_kernel_major, -1);
        assert_int_equal(p->rules[2].action, SCMP_ACT_ERRNO(38));
        /* runc: SCMP_ACT_TRACE without errnoRet gets EPERM */
        assert_int_equal(p->rules[3].action, SCMP_ACT_TRACE(EPERM));
        assert_null(p->warnings);
        mp_seccomp_profile_free(p);
}

static void test_parse_go_decoder_rules(void **state)
{
        /* Go's decoder matches member names case-insensitively and ignores
         * unknown members; we do the same, with a warning for the latter. */
        mp_seccomp_profile *p = parse_ok("{\"DefaultAction\": \"SCMP_ACT_ALLOW\", \"comment\": \"x\",\n"
                                         " \"Syscalls\": [{\"Names\": [\"reboot\"], \"Action\": \"SCMP_ACT_ERRNO\","
                                         " \"nmaes\": 1}], \"defaultErrnoRet\": null}");
        assert_int_equal(p->default_action, SCMP_ACT_ALLOW);
        assert_false(p->has_default_errno_ret);
        assert_int_equal(p->n_rules, 1);
        assert_string_equal(p->rules[0].names[0], "reboot");
        assert_non_null(p->warnings);
        assert_non_null(strstr(p->warnings[0], "top level: unknown member 'comment'"));
        assert_non_null(strstr(p->warnings[1], "syscalls[0]: unknown member 'nmaes'"));
        mp_seccomp_profile_free(p);
}

static void test_parse_errors(void **state)
{
        parse_bad("", "empty", 0, 0);
        parse_bad("{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n \"syscalls\": [}", "", 2, 15);
        parse_bad("{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n \"defaultAction\": \"SCMP_ACT_LOG\"}", "duplicate", 2, 16);
        parse_bad("[]", "top level: expected a JSON object", 0, 0);
        parse_bad("{}", "top level: missing member 'defaultAction'", 0, 0);
        parse_bad("{\"defaultAction\": \"SCMP_ACT_DENY\"}", "defaultAction: unknown action 'SCMP_ACT_DENY'", 0, 0);
        parse_bad("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": -1}",
                  "defaultErrnoRet: expected an unsigned integer", 0, 0);
        parse_bad("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 5000}", "defaultErrnoRet: 5000 is out",
                  0, 0);
        parse_bad("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": {}}", "syscalls: expected an array", 0, 0);
        parse_bad("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"]}]}",
                  "syscalls[0]: missing member 'action'", 0, 0);
        parse_bad("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\", 3], "
                  "\"action\": \"SCMP_ACT_ALLOW\"}]}",
                  "syscalls[0].names[1]: expected a string", 0, 0);
        parse_bad("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"\"], "
                  "\"action\": \"SCMP_ACT_ALLOW\"}]}",
                  "syscalls[0].names: empty syscall name", 0, 0);
        parse_bad("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"name\": \"a\", \"names\": [\"b\"], "
                  "\"action\": \"SCMP_ACT_ALLOW\"}]}",
                  "syscalls[0]: 'name' and 'names' given together", 0, 0);
        parse_bad("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{}, {\"names\": [\"socket\"], "
                  "\"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"},"
                  "{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
                  "syscalls[0]: missing member 'action'", 0, 0);
        parse_bad("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"socket\"], "
                  "\"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"},"
                  "{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
                  "syscalls[0].args[1].index: 6 is out of range (at most 5)", 0, 0);
        parse_bad(
                "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"socket\"], "
                "\"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_FOO\"}]}]}",
                "syscalls[0].args[0].op: unknown operator 'SCMP_CMP_FOO'", 0, 0);
        parse_bad("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"socket\"], "
                  "\"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 1}]}]}",
                  "syscalls[0].args[0]: missing member 'op'", 0, 0);
        parse_bad("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"socket\"], "
                  "\"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 1.5, \"op\": "
                  "\"SCMP_CMP_EQ\"}]}]}",
                  "syscalls[0].args[0].value: expected an unsigned integer", 0, 0);
        parse_bad("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"], "
                  "\"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"minKernel\": \"5\"}}]}",
                  "syscalls[0].includes.minKernel: invalid kernel version '5'", 0, 0);
        parse_bad("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [\"SCMP_ARCH_X86\"], "
                  "\"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\"}]}",
                  "'architectures' and 'archMap' given together", 0, 0);
        parse_bad("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"archMap\": [{\"architecture\": \"x86_64\"}]}",
                  "archMap[0].architecture: 'x86_64' is not an architecture name", 0, 0);
        parse_bad("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"Syscalls\": [], \"syscalls\": []}",
                  "member 'syscalls' given twice", 0, 0);
        /* a limitation of the JSON library, reported clearly */
        parse_bad("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"a\"], \"action\": "
                  "\"SCMP_ACT_ALLOW\", \"args\": [{\"value\": 18446744073709551615, \"op\": \"SCMP_CMP_EQ\"}]}]}",
                  "values above 9223372036854775807", 1, -1);
}

static void test_parse_file_errors(void **state)
{
        mp_seccomp_profile *p = NULL;
        mp_error err = { 0 };
        assert_int_equal(mp_seccomp_profile_load("/nonexistent/seccomp.json", &p, &err), -ENOENT);
        assert_string_equal(err.where, "/nonexistent/seccomp.json");
        assert_non_null(strstr(err.text, "cannot read"));
        assert_int_equal(mp_seccomp_profile_load(DOCKER_DEFAULT, &p, &err), 0);
        assert_null(p->warnings);
        assert_true(p->n_rules > 20);
        mp_seccomp_profile_free(p);
}

/* ------------------------------------------------------------ Docker's semantics */

static void test_docker_default(void **state)
{
        mp_seccomp_profile *p = NULL;
        mp_error err = { 0 };
        assert_int_equal(mp_seccomp_profile_load(DOCKER_DEFAULT, &p, &err), 0);
        mp_seccomp_env env = { .kernel_major = 6, .kernel_minor = 1 };
        mp_seccomp_program *prog = compile_ok(p, &env);

        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "read", 0, 0), SCMP_ACT_ALLOW);
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "reboot", 0, 0), SCMP_ACT_ERRNO(EPERM));
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "arch_prctl", 0, 0), SCMP_ACT_ALLOW);   /* includes amd64 */
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "ptrace", 0, 0), SCMP_ACT_ALLOW);       /* minKernel 4.8 */
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "mount", 0, 0), SCMP_ACT_ERRNO(EPERM)); /* CAP_SYS_ADMIN */
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "chroot", 0, 0), SCMP_ACT_ALLOW);       /* CAP_SYS_CHROOT */
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "clone3", 0, 0), SCMP_ACT_ERRNO(ENOSYS));
        /* socket: families below 38, 39 and above 40 */
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "socket", AF_INET, 0), SCMP_ACT_ALLOW);
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "socket", 38, 0), SCMP_ACT_ERRNO(EPERM));
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "socket", 40, 0), SCMP_ACT_ERRNO(EPERM));
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "socket", 41, 0), SCMP_ACT_ALLOW);
        /* clone: no namespace flags without CAP_SYS_ADMIN */
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "clone", 0x3d0f00, 0), SCMP_ACT_ALLOW);
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "clone", CLONE_NEWUSER | 0x11, 0), SCMP_ACT_ERRNO(EPERM));
        /* the upper half of a 64-bit argument counts */
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "personality", 8, 0), SCMP_ACT_ALLOW);
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "personality", 0x100000008ull, 0), SCMP_ACT_ERRNO(EPERM));
        /* the same names on i386 (archMap's sub-architecture) */
        assert_int_equal(verdict(prog, TRACE_ABI_I386, "mmap2", 0, 0), SCMP_ACT_ALLOW);
        assert_int_equal(verdict(prog, TRACE_ABI_I386, "reboot", 0, 0), SCMP_ACT_ERRNO(EPERM));
        /* i386's direct socket syscall follows the socket rules; socketcall(SYS_SOCKET) is allowed whole */
        assert_int_equal(verdict(prog, TRACE_ABI_I386, "socket", AF_INET, 0), SCMP_ACT_ALLOW);
        assert_int_equal(verdict(prog, TRACE_ABI_I386, "socket", 40, 0), SCMP_ACT_ERRNO(EPERM));
        assert_int_equal(verdict(prog, TRACE_ABI_I386, "socketcall", 1, 0), SCMP_ACT_ALLOW);
        /* i386 only sees the low 32 bits of an argument */
        assert_int_equal(verdict(prog, TRACE_ABI_I386, "personality", 0x100000008ull, 0), SCMP_ACT_ALLOW);

        /* every outcome of a call over all argument values */
        uint32_t outs[8];
        size_t n;
        assert_int_equal(mp_seccomp_program_outcomes(prog, TRACE_ABI_X86_64, SCMP_SYS(socket), outs, 8, &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(outs[0], SCMP_ACT_ERRNO(EPERM));
        assert_int_equal(outs[1], SCMP_ACT_ALLOW);
        bool always;
        assert_int_equal(mp_seccomp_program_allows(prog, TRACE_ABI_X86_64, SCMP_SYS(read), &always), 1);
        assert_true(always);
        assert_int_equal(mp_seccomp_program_allows(prog, TRACE_ABI_X86_64, SCMP_SYS(clone), &always), 1);
        assert_false(always);
        assert_int_equal(mp_seccomp_program_allows(prog, TRACE_ABI_X86_64, SCMP_SYS(reboot), &always), 0);
        mp_seccomp_program_free(prog);

        /* with CAP_SYS_ADMIN: mount and namespaces; an old kernel: no ptrace */
        static const char *const admin[] = { "CAP_SYS_ADMIN", NULL };
        mp_seccomp_env env2 = { .caps = admin, .kernel_major = 4, .kernel_minor = 4 };
        prog = compile_ok(p, &env2);
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "mount", 0, 0), SCMP_ACT_ALLOW);
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "clone", CLONE_NEWUSER, 0), SCMP_ACT_ALLOW);
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "clone3", 0, 0), SCMP_ACT_ALLOW);
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "ptrace", 0, 0), SCMP_ACT_ERRNO(EPERM));
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "chroot", 0, 0), SCMP_ACT_ERRNO(EPERM));
        size_t nskip;
        mp_seccomp_program_skipped_rules(prog, &nskip);
        assert_true(nskip > 5);
        mp_seccomp_program_free(prog);
        mp_seccomp_profile_free(p);
}

static void test_runc_semantics(void **state)
{
        mp_seccomp_profile *p = parse_ok(
                "{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
                " \"syscalls\": [\n"
                "  {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [\n"
                "    {\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 0, \"value\": 2, \"op\": "
                "\"SCMP_CMP_EQ\"}]},\n"
                "  {\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [\n"
                "    {\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 1, \"value\": 15, \"op\": "
                "\"SCMP_CMP_EQ\"}]},\n"
                "  {\"names\": [\"write\", \"no_such_call\"], \"action\": \"SCMP_ACT_ERRNO\"},\n"
                "  {\"names\": [\"read\"], \"action\": \"SCMP_ACT_LOG\"},\n"
                "  {\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_KILL\"},\n"
                "  {\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 0}\n"
                " ]}");
        mp_seccomp_program *prog = compile_ok(p, NULL);
        /* same index: separate rules (OR) */
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "personality", 1, 0), SCMP_ACT_ALLOW);
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "personality", 2, 0), SCMP_ACT_ALLOW);
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "personality", 3, 0), SCMP_ACT_ERRNO(EPERM));
        /* different indexes: one rule (AND) */
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "kill", 1, 15), SCMP_ACT_ALLOW);
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "kill", 1, 9), SCMP_ACT_ERRNO(EPERM));
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "kill", 2, 15), SCMP_ACT_ERRNO(EPERM));
        /* the default's own action is skipped, unknown names are listed */
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "write", 0, 0), SCMP_ACT_ERRNO(EPERM));
        assert_string_equal(mp_seccomp_program_unknown_names(prog)[0], "no_such_call");
        assert_null(mp_seccomp_program_unknown_names(prog)[1]);
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "read", 0, 0), SCMP_ACT_LOG);
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "getpid", 0, 0), SCMP_ACT_KILL_THREAD);
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "getppid", 0, 0), SCMP_ACT_ERRNO(0));
        /* no archMap: only the native architecture; others get the bad-arch action */
        assert_int_equal(verdict(prog, TRACE_ABI_I386, "read", 0, 0), SCMP_ACT_KILL_THREAD);
        assert_int_equal(verdict(prog, TRACE_ABI_X32, "read", 0, 0), SCMP_ACT_KILL_THREAD);
        mp_seccomp_verdict v;
        assert_int_equal(mp_seccomp_program_eval(prog, TRACE_ABI_X86_64, "mmap2", NULL, &v), -ENOENT);
        mp_seccomp_program_free(prog);
        mp_seccomp_profile_free(p);
}

static void test_runc_enosys_stub(void **state)
{
        mp_seccomp_profile *p = parse_ok(
                "{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
                " \"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\", \"subArchitectures\": [\"SCMP_ARCH_X32\"]}],\n"
                " \"syscalls\": [{\"names\": [\"read\", \"openat\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
        mp_seccomp_env env = { .runc_enosys = true };
        mp_seccomp_program *prog = compile_ok(p, &env);
        mp_seccomp_verdict v;
        /* openat (257) is the largest number named: above it ENOSYS, below EPERM */
        assert_int_equal(mp_seccomp_program_eval_nr(prog, TRACE_ABI_X86_64, 258, NULL, &v), 0);
        assert_int_equal(v.ret, SCMP_ACT_ERRNO(ENOSYS));
        assert_int_equal(v.errnum, ENOSYS);
        assert_int_equal(mp_seccomp_program_eval_nr(prog, TRACE_ABI_X86_64, 200, NULL, &v), 0);
        assert_int_equal(v.ret, SCMP_ACT_ERRNO(EPERM));
        assert_int_equal(verdict(prog, TRACE_ABI_X32, "read", 0, 0), SCMP_ACT_ALLOW);
        assert_int_equal(verdict(prog, TRACE_ABI_X32, "clone3", 0, 0), SCMP_ACT_ERRNO(ENOSYS));
        mp_seccomp_program_free(prog);
        env.runc_enosys = false;
        prog = compile_ok(p, &env);
        assert_int_equal(mp_seccomp_program_eval_nr(prog, TRACE_ABI_X86_64, 258, NULL, &v), 0);
        assert_int_equal(v.ret, SCMP_ACT_ERRNO(EPERM));
        mp_seccomp_program_free(prog);
        mp_seccomp_profile_free(p);
}

static void test_compile_errors(void **state)
{
        mp_seccomp_profile *p = parse_ok("{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}");
        mp_seccomp_program *prog = NULL;
        mp_error err = { 0 };
        assert_int_equal(mp_seccomp_program_compile(p, NULL, &prog, &err), -EINVAL);
        assert_non_null(strstr(err.text, "SCMP_ACT_NOTIFY"));
        assert_null(prog);
        mp_seccomp_profile_free(p);

        /* unknown architectures matter only when podman would use them */
        p = parse_ok("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"archMap\": [{\"architecture\": "
                     "\"SCMP_ARCH_NOSUCH\"}, {\"architecture\": \"SCMP_ARCH_X86_64\"}]}");
        prog = compile_ok(p, NULL);
        mp_seccomp_program_free(prog);
        mp_seccomp_profile_free(p);
        p = parse_ok("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [\"SCMP_ARCH_NOSUCH\"]}");
        assert_int_equal(mp_seccomp_program_compile(p, NULL, &prog, &err), -EINVAL);
        assert_non_null(strstr(err.text, "SCMP_ARCH_NOSUCH"));
        mp_seccomp_profile_free(p);
}

/* ------------------------------------------------------------ evaluator vs kernel */

/* A child loads the program and makes every call the evaluator says is
 * answered with an errno (with zero arguments; denied calls never run);
 * returns the number of disagreements. */
static int kernel_disagreements(const mp_seccomp_program *prog, trace_abi abi, int max_nr, int *ret_checked)
{
        int *want = calloc((size_t)max_nr + 1, sizeof *want);
        int checked = 0;
        for (int nr = 0; nr <= max_nr; nr++) {
                mp_seccomp_verdict v;
                want[nr] = -1;
                /* Linux >= 6.14 runs x86_64's uretprobe (335) and uprobe (336)
                 * without consulting seccomp at all (and they raise SIGILL
                 * outside a probe trampoline): kernel policy, not the filter's. */
                if (abi == TRACE_ABI_X86_64 && (nr == 335 || nr == 336))
                        continue;
                if (mp_seccomp_program_eval_nr(prog, abi, nr, NULL, &v) == 0 && v.action == SCMP_ACT_ERRNO(0) &&
                    v.errnum > 0) {
                        want[nr] = v.errnum;
                        checked++;
                }
        }
        *ret_checked = checked;
        size_t len;
        const struct sock_filter *insns = mp_seccomp_program_bpf(prog, &len);
        int pfd[2];
        assert_int_equal(pipe(pfd), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                /* a crash must end the child, not resume cmocka in it */
                static const int sigs[] = { SIGILL, SIGSEGV, SIGBUS, SIGFPE, SIGSYS, SIGABRT };
                for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
                        signal(sigs[i], SIG_DFL);
                struct sock_fprog fp = { .len = (unsigned short)len, .filter = (struct sock_filter *)insns };
                int bad = 0;
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
                    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp))
                        bad = 10000;
                for (int nr = 0; nr <= max_nr && !bad; nr++) {
                        if (want[nr] < 0)
                                continue;
                        long r = abi == TRACE_ABI_I386 ? i386_probe_int80(nr) : syscall(nr, 0, 0, 0, 0, 0, 0);
                        int got = abi == TRACE_ABI_I386 ? (int)-r : (r == -1 ? errno : 0);
                        if (got != want[nr])
                                bad++;
                }
                (void)!write(pfd[1], &bad, sizeof bad);
                _exit(0);
        }
        close(pfd[1]);
        int bad = -1;
        assert_int_equal(read(pfd[0], &bad, sizeof bad), sizeof bad);
        close(pfd[0]);
        int st;
        waitpid(pid, &st, 0);
        free(want);
        return bad;
}

static void test_evaluator_matches_kernel(void **state)
{
        mp_seccomp_profile *p = NULL;
        mp_error err = { 0 };
        assert_int_equal(mp_seccomp_profile_load(DOCKER_DEFAULT, &p, &err), 0);
        mp_seccomp_program *prog = compile_ok(p, NULL);
        int checked;
        assert_int_equal(kernel_disagreements(prog, TRACE_ABI_X86_64, 460, &checked), 0);
        assert_true(checked > 50);
        mp_seccomp_program_free(prog);
        mp_seccomp_profile_free(p);
}

/* The same for i386 through int $0x80 (run only by `unit_seccomp
 * kernel-i386`, when the kernel runs i386 code). */
static void test_evaluator_matches_kernel_i386(void **state)
{
        mp_seccomp_profile *p = NULL;
        mp_error err = { 0 };
        assert_int_equal(mp_seccomp_profile_load(DOCKER_DEFAULT, &p, &err), 0);
        mp_seccomp_program *prog = compile_ok(p, NULL);
        int checked;
        assert_int_equal(kernel_disagreements(prog, TRACE_ABI_I386, 460, &checked), 0);
        assert_true(checked > 50);
        mp_seccomp_program_free(prog);
        mp_seccomp_profile_free(p);
}

/* What runc loads (mp_seccomp_program_runc_bpf): the stub in front of the
 * filter answers every syscall of every x86 ABI as the model does, and the
 * kernel agrees on the stub's ENOSYS. */
static void test_runc_bpf_matches_model(void **state)
{
        static const char *const profiles[] = {
                "{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
                " \"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\", \"subArchitectures\": [\"SCMP_ARCH_X86\", "
                "\"SCMP_ARCH_X32\"]}],\n"
                " \"syscalls\": [{\"names\": [\"read\", \"openat\", \"getpid\", \"exit_group\", \"exit\"], \"action\": "
                "\"SCMP_ACT_ALLOW\"},\n"
                "              {\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, "
                "\"value\": 2, \"op\": \"SCMP_CMP_EQ\"}]}]}",
                "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 13,\n"
                " \"syscalls\": [{\"names\": [\"read\", \"write\", \"getpid\"], \"action\": \"SCMP_ACT_ALLOW\"}]}",
                "{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\",\n"
                " \"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\", \"subArchitectures\": [\"SCMP_ARCH_X32\"]}],\n"
                " \"syscalls\": [{\"names\": [\"clone3\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38}]}",
                "{\"defaultAction\": \"SCMP_ACT_LOG\",\n"
                " \"syscalls\": [{\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
        };
        static const uint64_t argsets[][6] = { { 0 }, { 2, 1, 0 }, { 10, 0xffffffffffffffffULL } };
        for (size_t i = 0; i < ELEMENTSOF(profiles); i++) {
                mp_seccomp_profile *p = parse_ok(profiles[i]);
                mp_seccomp_env env = { .runc_enosys = true };
                mp_seccomp_program *prog = compile_ok(p, &env);
                struct sock_filter *f = NULL;
                size_t len = 0, plain_len;
                mp_seccomp_program_bpf(prog, &plain_len);
                assert_int_equal(mp_seccomp_program_runc_bpf(prog, &f, &len), 0);
                /* the stub is there exactly when runc adds one */
                assert_true(i < 3 ? len > plain_len : len == plain_len);
                for (int abi = 0; abi < _TRACE_ABI_MAX; abi++)
                        for (int nr = 0; nr < 1024; nr++)
                                for (size_t a = 0; a < ELEMENTSOF(argsets); a++) {
                                        mp_seccomp_verdict want, got;
                                        assert_int_equal(mp_seccomp_program_eval_nr(prog, abi, nr, argsets[a], &want),
                                                         0);
                                        assert_int_equal(mp_seccomp_bpf_eval(f, len, abi, nr, argsets[a], &got), 0);
                                        if (want.ret != got.ret)
                                                fail_msg("profile %zu %s nr %d: model 0x%x, runc bpf 0x%x", i,
                                                         trace_abi_name(abi), nr, want.ret, got.ret);
                                }
                free(f);
                mp_seccomp_program_free(prog);
                mp_seccomp_profile_free(p);
        }
        /* the kernel, on Docker's default profile (permissive enough for a
         * sanitizer runtime in the child): the stub answers a number above
         * every named one with ENOSYS, the filter a denied one with EPERM */
        mp_seccomp_profile *p = NULL;
        mp_error err = { 0 };
        assert_int_equal(mp_seccomp_profile_load(DOCKER_DEFAULT, &p, &err), 0);
        mp_seccomp_env env = { .runc_enosys = true };
        mp_seccomp_program *prog = compile_ok(p, &env);
        struct sock_filter *f = NULL;
        size_t len = 0;
        assert_int_equal(mp_seccomp_program_runc_bpf(prog, &f, &len), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct sock_fprog fp = { .len = (unsigned short)len, .filter = f };
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
                    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp))
                        _exit(10);
                if (syscall(SYS_getpid) <= 0)
                        _exit(11);
                if (syscall(1000, 0, 0, 0, 0, 0, 0) != -1 || errno != ENOSYS)
                        _exit(12);
                if (syscall(SYS_kexec_load, 0, 0, 0, 0, 0, 0) != -1 || errno != EPERM)
                        _exit(13);
                _exit(0);
        }
        int st;
        waitpid(pid, &st, 0);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
        free(f);
        mp_seccomp_program_free(prog);
        mp_seccomp_profile_free(p);
        /* a program the kernel would refuse */
        struct sock_filter bad = BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 1);
        mp_seccomp_verdict v;
        assert_int_equal(mp_seccomp_bpf_eval(&bad, 1, TRACE_ABI_X86_64, 0, NULL, &v), -EINVAL);
}

/* ------------------------------------------------------------ the emitter */

static void add_sys(trace *t, const char *abi, const char *name)
{
        json_t *n = trace_node(t->root, "syscalls", abi, name, NULL);
        json_object_set_new(n, "first", json_string("/bin/prog"));
        trace_usage_add(n, "/bin/prog", 1, NULL);
}

static void add_arg(trace *t, const char *kind, const char *key, json_t *values)
{
        json_t *n = trace_node(t->root, "arguments", kind, key, NULL);
        json_object_set_new(n, "values", values);
        trace_usage_add(n, "/bin/prog", 1, NULL);
}

static trace *basic_trace(void)
{
        trace *t = trace_new();
        add_sys(t, "x86_64", "read");
        add_sys(t, "x86_64", "write");
        add_sys(t, "x86_64", "exit_group");
        return t;
}

/* Build the context and run the emitter; returns the text (or NULL with *ret_err filled). */
static char *emit(trace *t, gen_options *opts, char **ret_notes, int *ret_count, mp_error *ret_err)
{
        gen_context ctx;
        mp_error err = { 0 };
        assert_int_equal(gen_context_init(&ctx, t, opts, &err), 0);
        char *text = NULL;
        int r = gen_emit_seccomp_json(&ctx, &text, &err);
        if (ret_err)
                *ret_err = err;
        if (r < 0 && !ret_err)
                fail_msg("emit: %s: %s", err.where, err.text);
        if (ret_notes) { /* the seccomp.json builder's notes (the context has AppArmor's too) */
                strbuf sb = STRBUF_INIT;
                const char *n = strbuf_str(&ctx.notes);
                for (const char *l = n; *l;) {
                        const char *end = strchr(l, '\n');
                        size_t len = end ? (size_t)(end - l + 1) : strlen(l);
                        if (strncmp(l, "minpriv: seccomp.json: ", 23) == 0)
                                strbuf_add(&sb, l, len);
                        l += len;
                }
                *ret_notes = strbuf_steal(&sb);
        }
        if (ret_count)
                *ret_count = ctx.figures.seccomp_syscalls;
        gen_context_free(&ctx);
        return r < 0 ? NULL : text;
}

static mp_seccomp_program *compile_text(const char *text)
{
        mp_seccomp_profile *p = parse_ok(text);
        assert_null(p->warnings);
        mp_seccomp_program *prog = compile_ok(p, NULL);
        mp_seccomp_profile_free(p);
        return prog;
}

static void test_emit_basic(void **state)
{
        trace *t = basic_trace();
        gen_options opts = { .runtime = GEN_RUNTIME_NONE };
        int count;
        char *notes;
        char *text = emit(t, &opts, &notes, &count, NULL);
        assert_int_equal(count, 3);
        assert_string_equal(notes, "");
        assert_non_null(strstr(text, "\"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"defaultErrnoRet\": 1,"));
        assert_non_null(strstr(text, "\"subArchitectures\": []"));
        /* one name a line, sorted */
        assert_non_null(strstr(text, "        \"exit_group\",\n        \"read\",\n        \"write\"\n"));
        mp_seccomp_program *prog = compile_text(text);
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "read", 0, 0), SCMP_ACT_ALLOW);
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "openat", 0, 0), SCMP_ACT_ERRNO(EPERM));
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "clone3", 0, 0), SCMP_ACT_ERRNO(ENOSYS));
        assert_int_equal(verdict(prog, TRACE_ABI_I386, "read", 0, 0), SCMP_ACT_KILL_THREAD);
        mp_seccomp_program_free(prog);
        free(text);
        free(notes);

        /* the other default actions */
        static const struct {
                gen_default_action a;
                const char *text;
                uint32_t clone3;
        } defs[] = {
                { GEN_DEFAULT_ENOSYS, "\"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"defaultErrnoRet\": 38,",
                  SCMP_ACT_ERRNO(ENOSYS) },
                { GEN_DEFAULT_KILL, "\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\",\n  \"archMap\"",
                  SCMP_ACT_ERRNO(ENOSYS) },
                { GEN_DEFAULT_LOG, "\"defaultAction\": \"SCMP_ACT_LOG\",\n  \"archMap\"", SCMP_ACT_ERRNO(ENOSYS) },
        };
        for (size_t i = 0; i < ELEMENTSOF(defs); i++) {
                opts.default_action = defs[i].a;
                text = emit(t, &opts, NULL, NULL, NULL);
                assert_non_null(strstr(text, defs[i].text));
                prog = compile_text(text);
                assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "clone3", 0, 0), defs[i].clone3);
                assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "write", 0, 0), SCMP_ACT_ALLOW);
                mp_seccomp_program_free(prog);
                free(text);
        }
        trace_free(t);
}

static void test_emit_argument_groups(void **state)
{
        trace *t = basic_trace();
        add_sys(t, "x86_64", "socket");
        add_arg(t, "socket", "AF_INET SOCK_STREAM 6", json_pack("[iii]", AF_INET, SOCK_STREAM, 6));
        add_arg(t, "socket", "AF_UNIX SOCK_DGRAM 0", json_pack("[iii]", AF_UNIX, SOCK_DGRAM, 0));
        add_sys(t, "x86_64", "clone");
        add_arg(t, "clone", "0x3d0f00", json_pack("[I]", (json_int_t)0x3d0f00));
        add_arg(t, "clone", "0x30020011", json_pack("[I]", (json_int_t)(CLONE_NEWUSER | CLONE_NEWNS | 0x11)));
        add_sys(t, "x86_64", "clone3");
        add_arg(t, "clone3", "0x3d0f00", json_pack("[I]", (json_int_t)0x3d0f00));
        add_sys(t, "x86_64", "personality");
        add_arg(t, "personality", "0xffffffff", json_pack("[I]", (json_int_t)0xffffffff));
        add_arg(t, "personality", "0x8", json_pack("[i]", 8));
        gen_options opts = { .runtime = GEN_RUNTIME_NONE };
        int count;
        char *text = emit(t, &opts, NULL, &count, NULL);
        assert_int_equal(count, 3 + 4);
        assert_non_null(strstr(text, "socket: address family AF_INET (2) only; recorded: AF_INET SOCK_STREAM 6"));
        assert_non_null(strstr(text, "clone: namespace flags CLONE_NEWNS|CLONE_NEWUSER as recorded"));
        assert_non_null(strstr(text, "{ \"index\": 0, \"value\": 2114060288, \"valueTwo\": 0, \"op\": "
                                     "\"SCMP_CMP_MASKED_EQ\" }"));
        assert_non_null(strstr(text, "clone3: recorded (flags 0x3d0f00; namespace flags: none)"));
        mp_seccomp_program *prog = compile_text(text);
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "socket", AF_INET, SOCK_DGRAM), SCMP_ACT_ALLOW);
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "socket", AF_UNIX, SOCK_STREAM), SCMP_ACT_ALLOW);
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "socket", AF_INET6, SOCK_STREAM), SCMP_ACT_ERRNO(EPERM));
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "socket", AF_NETLINK, 0), SCMP_ACT_ERRNO(EPERM));
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "clone", 0x1200011, 0), SCMP_ACT_ALLOW);
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "clone", CLONE_NEWUSER | CLONE_NEWNS, 0), SCMP_ACT_ALLOW);
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "clone", CLONE_NEWUSER, 0), SCMP_ACT_ERRNO(EPERM));
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "clone", CLONE_NEWNET | 0x11, 0), SCMP_ACT_ERRNO(EPERM));
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "clone3", 0, 0), SCMP_ACT_ALLOW);
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "personality", 8, 0), SCMP_ACT_ALLOW);
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "personality", 0xffffffff, 0), SCMP_ACT_ALLOW);
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "personality", 0, 0), SCMP_ACT_ERRNO(EPERM));
        mp_seccomp_program_free(prog);
        free(text);
        trace_free(t);
}

static void test_emit_abis_and_unknown(void **state)
{
        trace *t = basic_trace();
        add_sys(t, "i386", "mmap2");
        add_sys(t, "i386", "write");
        add_sys(t, "i386", "socketcall");
        add_arg(t, "socketcall", "1", json_pack("[i]", 1));
        add_sys(t, "x32", "getpid");
        /* the direct i386 socket syscall (359), recorded with its family */
        add_sys(t, "i386", "socket");
        add_arg(t, "socket", "AF_INET SOCK_STREAM 0", json_pack("[iii]", AF_INET, SOCK_STREAM, 0));
        json_t *u = trace_node(t->root, "unknown_syscalls", "i386", "999", NULL);
        trace_usage_add(u, "/bin/prog", 2, NULL);
        gen_options opts = { .runtime = GEN_RUNTIME_NONE };
        char *notes;
        char *text = emit(t, &opts, &notes, NULL, NULL);
        assert_non_null(
                strstr(text, "\"subArchitectures\": [\n        \"SCMP_ARCH_X32\",\n        \"SCMP_ARCH_X86\"\n"));
        assert_non_null(strstr(text, "syscalls only 32-bit (i386) code made"));
        assert_non_null(strstr(text, "socketcall (i386 multiplexer): SYS_SOCKET (1)"));
        assert_null(strstr(text, "999"));
        assert_non_null(strstr(notes, "minpriv: seccomp.json: i386 syscall number 999 has no name in libseccomp"));
        mp_seccomp_program *prog = compile_text(text);
        assert_int_equal(verdict(prog, TRACE_ABI_I386, "mmap2", 0, 0), SCMP_ACT_ALLOW);
        assert_int_equal(verdict(prog, TRACE_ABI_I386, "write", 0, 0), SCMP_ACT_ALLOW);
        assert_int_equal(verdict(prog, TRACE_ABI_I386, "socketcall", 1, 0), SCMP_ACT_ALLOW);
        assert_int_equal(verdict(prog, TRACE_ABI_I386, "socketcall", 2, 0), SCMP_ACT_ERRNO(EPERM));
        assert_int_equal(verdict(prog, TRACE_ABI_X32, "getpid", 0, 0), SCMP_ACT_ALLOW);
        assert_int_equal(verdict(prog, TRACE_ABI_I386, "socket", AF_INET, 0), SCMP_ACT_ALLOW);
        assert_int_equal(verdict(prog, TRACE_ABI_I386, "socket", AF_INET6, 0), SCMP_ACT_ERRNO(EPERM));
        /* a name applies to every architecture: the union */
        assert_int_equal(verdict(prog, TRACE_ABI_I386, "read", 0, 0), SCMP_ACT_ALLOW);
        mp_seccomp_verdict v;
        assert_int_equal(mp_seccomp_program_eval_nr(prog, TRACE_ABI_I386, 999, NULL, &v), 0);
        assert_int_equal(v.ret, SCMP_ACT_ERRNO(EPERM));
        mp_seccomp_program_free(prog);
        free(text);
        free(notes);
        trace_free(t);
}

static char *write_template(const char *dir, const char *rt, const char *body)
{
        char *path = xasprintf("%s/%s.json", dir, rt);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(body, f);
        fclose(f);
        return path;
}

static void test_emit_runtime_template(void **state)
{
        char dir[] = "/tmp/minpriv-unit-XXXXXX";
        assert_non_null(mkdtemp(dir));
        char *p1 = write_template(dir, "runc",
                                  "{\"format\": \"minpriv-runtime-syscalls\", \"runtime\": \"runc\", "
                                  "\"runtime_version\": \"1.1.5\", \"syscalls\": [\"capset\", \"read\", \"clone\"]}");
        trace *t = basic_trace();
        gen_options opts = { .runtime = GEN_RUNTIME_RUNC, .templates_dir = dir };
        int count;
        char *text = emit(t, &opts, NULL, &count, NULL);
        assert_int_equal(count, 5); /* exit_group read write + capset clone */
        assert_non_null(strstr(text, "runc 1.1.5 needs these between loading the filter and starting the workload"));
        assert_non_null(strstr(text, "clone: no namespace flags"));
        mp_seccomp_program *prog = compile_text(text);
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "capset", 0, 0), SCMP_ACT_ALLOW);
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "clone", 0x11, 0), SCMP_ACT_ALLOW);
        assert_int_equal(verdict(prog, TRACE_ABI_X86_64, "clone", CLONE_NEWPID, 0), SCMP_ACT_ERRNO(EPERM));
        mp_seccomp_program_free(prog);
        free(text);

        /* broken templates are errors naming the file */
        static const char *const bad[] = {
                "{\"format\": \"minpriv-runtime-syscalls\", \"runtime\": \"runc\", \"runtime_version\": \"1\", "
                "\"syscalls\": [\"mmap2\"]}",
                "{\"format\": \"other\"}",
                "{\"format\": \"minpriv-runtime-syscalls\", \"runtime\": \"crun\", \"runtime_version\": \"1\", "
                "\"syscalls\": []}",
                "{\"format\": ",
        };
        static const char *const msg[] = { "syscalls[0]: not an x86_64 syscall name", "not a runtime template",
                                           "runtime: expected \"runc\"", "" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                free(write_template(dir, "runc", bad[i]));
                mp_error err = { 0 };
                assert_null(emit(t, &opts, NULL, NULL, &err));
                assert_string_equal(err.where, p1);
                if (!strstr(err.text, msg[i]))
                        fail_msg("'%s' does not contain '%s'", err.text, msg[i]);
        }
        unlink(p1);
        mp_error err = { 0 };
        assert_null(emit(t, &opts, NULL, NULL, &err));
        assert_non_null(strstr(err.text, "cannot read the runc template"));
        rmdir(dir);
        free(p1);
        trace_free(t);
}

static void test_emit_order_independent(void **state)
{
        trace *a = basic_trace(), *b = trace_new();
        add_sys(a, "x86_64", "socket");
        add_arg(a, "socket", "AF_INET SOCK_STREAM 0", json_pack("[iii]", AF_INET, SOCK_STREAM, 0));
        add_sys(b, "x86_64", "socket");
        add_sys(b, "x86_64", "openat");
        add_sys(b, "i386", "read");
        add_arg(b, "socket", "AF_UNIX SOCK_STREAM 0", json_pack("[iii]", AF_UNIX, SOCK_STREAM, 0));
        trace *ab = trace_new(), *ba = trace_new();
        trace_merge(ab, a);
        trace_merge(ab, b);
        trace_merge(ba, b);
        trace_merge(ba, a);
        gen_options opts = { .runtime = GEN_RUNTIME_NONE };
        char *x = emit(ab, &opts, NULL, NULL, NULL), *y = emit(ba, &opts, NULL, NULL, NULL);
        assert_string_equal(x, y);
        assert_non_null(strstr(x, "AF_UNIX (1)"));
        assert_non_null(strstr(x, "AF_INET (2)"));
        free(x);
        free(y);
        trace_free(a);
        trace_free(b);
        trace_free(ab);
        trace_free(ba);
}

int main(int argc, char **argv)
{
        /* `unit_seccomp kernel-i386`: only the kernel's i386 entry, skipped
         * (exit 77, ctest's skip) where the kernel has no IA32 emulation */
        if (argc > 1 && strcmp(argv[1], "kernel-i386") == 0) {
                char why[200];
                if (!i386_probe(why, sizeof why)) {
                        printf("SKIP: %s\n", why);
                        return 77;
                }
                const struct CMUnitTest i386_tests[] = {
                        cmocka_unit_test(test_evaluator_matches_kernel_i386),
                };
                return cmocka_run_group_tests(i386_tests, NULL, NULL);
        }
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_fields),
                cmocka_unit_test(test_parse_go_decoder_rules),
                cmocka_unit_test(test_parse_errors),
                cmocka_unit_test(test_parse_file_errors),
                cmocka_unit_test(test_docker_default),
                cmocka_unit_test(test_runc_semantics),
                cmocka_unit_test(test_runc_enosys_stub),
                cmocka_unit_test(test_compile_errors),
                cmocka_unit_test(test_evaluator_matches_kernel),
                cmocka_unit_test(test_runc_bpf_matches_model),
                cmocka_unit_test(test_emit_basic),
                cmocka_unit_test(test_emit_argument_groups),
                cmocka_unit_test(test_emit_abis_and_unknown),
                cmocka_unit_test(test_emit_runtime_template),
                cmocka_unit_test(test_emit_order_independent),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
