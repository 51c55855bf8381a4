/* SPDX-License-Identifier: MIT */
#include <getopt.h>

#include "cli/aa-enforce.h"
#include "cli/cli.h"
#include "trace/trace.h"
#include "tracer/tracer.h"
#include "review/verify.h"

/* Stacks only for what the profiles refuse: they cost about a
 * millisecond each. */
static bool want_stack(const tracer_stack_query *q, void *ud)
{
        verify_profiles *p = ud;
        switch (q->kind) {
        case TRACER_STACK_SYSCALL:
                return verify_denies_syscall(p, q->abi, q->name, q->args);
        case TRACER_STACK_FILE:
                return verify_denies_file(p, q->path, q->resolved, q->type, q->access, q->result, q->by_owner);
        case TRACER_STACK_CAPABILITY:
                return verify_denies_capability(p, q->name);
        }
        return false;
}

int cmd_verify(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "profiles", required_argument, NULL, 'p' },
                { "enforce", no_argument, NULL, 'e' },
                { "report", required_argument, NULL, 'o' },
                { NULL, 0, NULL, 0 },
        };
        const char *dir = "profiles", *report_path = NULL;
        bool enforce = false;
        int c;
        optind = 1;
        opterr = 0; /* one message: ours */
        while ((c = getopt_long(argc, argv, "+p:o:", longopts, NULL)) != -1) {
                switch (c) {
                case 'p':
                        dir = optarg;
                        break;
                case 'e':
                        enforce = true;
                        break;
                case 'o':
                        report_path = optarg;
                        break;
                default:
                        return usage_error("verify", "unknown option or missing argument '%s'", argv[optind - 1]);
                }
        }
        if (optind >= argc)
                return usage_error("verify", "no command given");

        mp_error err = { 0 };
        _cleanup_verify_profiles_ verify_profiles *p = NULL;
        if (verify_profiles_load(dir, &p, &err) < 0) {
                log_mp_error(&err);
                return EXIT_BADINPUT;
        }
        _cleanup_fclose_ FILE *report = NULL;
        if (report_path && !(report = fopen(report_path, "we"))) {
                _cleanup_free_ char *q = quote_for_message(report_path);
                log_error("cannot write the report to %s: %s", q, strerror(errno));
                return EXIT_BADINPUT;
        }
        _cleanup_free_ struct sock_filter *insns = NULL;
        size_t len = 0;
        struct sock_fprog prog = { 0, NULL };
        tracer_options opts = {
                .argv = argv + optind, .stacks = true, .quiet = true, .want_stack = want_stack, .want_stack_ud = p
        };
        if (enforce) {
                if (verify_enforce_filter(p, &insns, &len, &err) < 0) {
                        log_mp_error(&err);
                        return EXIT_BADINPUT;
                }
                prog.len = (unsigned short)len;
                prog.filter = insns;
                opts.enforce_filter = &prog;
                opts.no_seccomp = true;
        }
        /* AppArmor: the kernel enforces the profile where it can; otherwise
         * one line says why, and the profile is matched against the trace. */
        _cleanup_mp_aa_enforce_ mp_aa_enforce *aae = NULL;
        if (enforce && p->aa) {
                _cleanup_free_ char *why = NULL;
                if (mp_aa_enforce_start(p->dir, &aae, &why) < 0)
                        log_notice("%s", why);
                else
                        opts.aa_onexec = aae->name;
        }

        _cleanup_trace_ trace *t = trace_new();
        int status = 0;
        int r = cli_trace_run(&opts, t, &status);
        if (aae)
                mp_aa_enforce_finish(aae); /* unloads the profile */
        if (r > 0)
                return r; /* otherwise what was recorded is checked */

        _cleanup_verify_report_ verify_report *rep = NULL;
        if (verify_check(p, t, &rep, &err) < 0) {
                log_mp_error(&err);
                return EXIT_INTERNAL;
        }
        _cleanup_strbuf_ strbuf out = STRBUF_INIT;
        verify_report_text(&out, rep, p, enforce);
        if (aae)
                mp_aa_enforce_report(&out, aae);
        fputs(strbuf_str(&out), report ? report : stderr);
        /* Violations win over the workload's own status (under --enforce
         * the workload usually fails because of them): exit status 3 means
         * violations, anything else is the workload's, as for record. */
        size_t nviol = rep->n + (aae ? aae->n : 0);
        if (nviol && status != 0)
                fprintf(report ? report : stderr,
                        "minpriv verify: exit status %d for the violations; the workload's own status was %d\n",
                        EXIT_VIOLATIONS, status);
        if (report && fflush(report) != 0) {
                log_error("cannot write the report: %s", strerror(errno));
                return EXIT_INTERNAL;
        }
        return nviol ? EXIT_VIOLATIONS : status;
}
