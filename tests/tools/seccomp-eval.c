/* SPDX-License-Identifier: MIT */
/* What a Docker seccomp profile allows, through minpriv's reader and
 * evaluator (policy/seccomp-profile.h): used by bench/profile-sizes and
 * the container tests.
 *
 *   seccomp-eval [OPTIONS] PROFILE count [ABI]      allowed / always allowed / known numbers
 *   seccomp-eval [OPTIONS] PROFILE names [ABI]      one allowed name a line ("name always|some")
 *   seccomp-eval [OPTIONS] PROFILE eval ABI NAME [ARG...]   the verdict for one call
 *
 * OPTIONS: --caps CAP,CAP (the container's bounding set; default Docker's),
 * --no-caps (cap-drop ALL), --kernel MAJOR.MINOR, --runc (runc's -ENOSYS
 * stub). Exit status 2 on bad input, with the reader's message. */
#include <getopt.h>

#include "policy/seccomp-profile.h"

static int usage(void)
{
        fprintf(stderr, "usage: seccomp-eval [--caps LIST|--no-caps] [--kernel X.Y] [--runc] PROFILE "
                        "count|names [ABI] | eval ABI NAME [ARG...]\n");
        return 2;
}

/* The highest syscall number libseccomp names for the ABI, scanning a range
 * well above today's tables. */
static int max_nr(trace_abi abi, uint32_t token)
{
        int base = abi == TRACE_ABI_X32 ? 0x40000000 : 0, max = -1;
        for (int nr = 0; nr < 1024; nr++) {
                char *n = seccomp_syscall_resolve_num_arch(token, base + nr);
                if (n)
                        max = nr;
                free(n);
        }
        return max;
}

int main(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "caps", required_argument, NULL, 'c' },
                { "no-caps", no_argument, NULL, 'n' },
                { "kernel", required_argument, NULL, 'k' },
                { "runc", no_argument, NULL, 'r' },
                { NULL, 0, NULL, 0 },
        };
        mp_seccomp_env env = { 0 };
        _cleanup_strv_free_ char **caps = NULL;
        int c;
        while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
                switch (c) {
                case 'c': {
                        size_t n = 0;
                        _cleanup_free_ char *copy = xstrdup(optarg);
                        caps = xcalloc(strlen(optarg) + 2, sizeof *caps);
                        for (char *s = strtok(copy, ","); s; s = strtok(NULL, ","))
                                caps[n++] = xstrdup(s);
                        env.caps = (const char *const *)caps;
                        break;
                }
                case 'n':
                        strv_free(caps);
                        caps = xcalloc(1, sizeof *caps);
                        env.caps = (const char *const *)caps;
                        break;
                case 'k':
                        if (sscanf(optarg, "%d.%d", &env.kernel_major, &env.kernel_minor) != 2)
                                return usage();
                        break;
                case 'r':
                        env.runc_enosys = true;
                        break;
                default:
                        return usage();
                }
        }
        if (argc - optind < 2)
                return usage();
        mp_error err = { 0 };
        char msg[1024];
        _cleanup_mp_seccomp_profile_ mp_seccomp_profile *p = NULL;
        if (mp_seccomp_profile_load(argv[optind], &p, &err) < 0) {
                mp_error_format(&err, msg, sizeof msg);
                fprintf(stderr, "seccomp-eval: %s\n", msg);
                return 2;
        }
        for (size_t i = 0; p->warnings && p->warnings[i]; i++)
                fprintf(stderr, "seccomp-eval: warning: %s: %s\n", argv[optind], p->warnings[i]);
        _cleanup_mp_seccomp_program_ mp_seccomp_program *prog = NULL;
        if (mp_seccomp_program_compile(p, &env, &prog, &err) < 0) {
                mp_error_format(&err, msg, sizeof msg);
                fprintf(stderr, "seccomp-eval: %s\n", msg);
                return 2;
        }
        const char *cmd = argv[optind + 1];
        int abi = TRACE_ABI_X86_64;
        if (argc - optind > 2) {
                abi = trace_abi_from_name(argv[optind + 2]);
                if (abi < 0)
                        return usage();
        }
        uint32_t token = trace_abi_scmp_arch((trace_abi)abi);
        if (streq(cmd, "count") || streq(cmd, "names")) {
                int max = max_nr((trace_abi)abi, token), allowed = 0, always = 0, known = 0;
                int base = abi == TRACE_ABI_X32 ? 0x40000000 : 0;
                for (int nr = 0; nr <= max; nr++) {
                        _cleanup_free_ char *name = seccomp_syscall_resolve_num_arch(token, base + nr);
                        if (!name)
                                continue;
                        known++;
                        bool all;
                        int r = mp_seccomp_program_allows(prog, (trace_abi)abi, base + nr, &all);
                        if (r < 0) {
                                fprintf(stderr, "seccomp-eval: %s: cannot explore: %s\n", name, strerror(-r));
                                return 1;
                        }
                        if (r > 0) {
                                allowed++;
                                always += all;
                                if (streq(cmd, "names"))
                                        printf("%s %s\n", name, all ? "always" : "some");
                        }
                }
                if (streq(cmd, "count"))
                        printf("allowed %d always %d known %d\n", allowed, always, known);
                return 0;
        }
        if (streq(cmd, "eval") && argc - optind >= 4) {
                uint64_t args[6] = { 0 };
                for (int i = optind + 4, k = 0; i < argc && k < 6; i++, k++)
                        args[k] = strtoull(argv[i], NULL, 0);
                mp_seccomp_verdict v;
                int r = mp_seccomp_program_eval(prog, (trace_abi)abi, argv[optind + 3], args, &v);
                if (r < 0) {
                        fprintf(stderr, "seccomp-eval: %s: %s\n", argv[optind + 3], strerror(-r));
                        return 2;
                }
                if (v.errnum >= 0)
                        printf("%s %d\n", mp_seccomp_action_name(v.ret), v.errnum);
                else
                        printf("%s\n", mp_seccomp_action_name(v.ret));
                return 0;
        }
        return usage();
}
