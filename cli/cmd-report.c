/* SPDX-License-Identifier: MIT */
#include <getopt.h>

#include "cli/cli.h"
#include "common/fileio.h"
#include "generator/generator.h"
#include "report/report.h"
#include "trace/trace.h"

/* The errors of the profiles gen_context_init could not build, one line
 * each (the report shows what it can without them). */
static void profile_errors(const gen_context *ctx, strbuf *errors)
{
        const struct {
                int rc;
                const mp_error *err;
                const char *file;
        } p[] = { { ctx->seccomp_rc, &ctx->seccomp_err, "seccomp.json" },
                  { ctx->apparmor_rc, &ctx->apparmor_err, "apparmor.profile" } };
        for (size_t i = 0; i < ELEMENTSOF(p); i++) {
                if (p[i].rc >= 0)
                        continue;
                mp_error err = *p[i].err;
                char buf[1024];
                if (!err.where[0])
                        snprintf(err.where, sizeof err.where, "%s", p[i].file);
                mp_error_format(&err, buf, sizeof buf);
                strbuf_printf(errors, "%s\n", buf);
        }
}

int cmd_report(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "output", required_argument, NULL, 'o' },
                { "name", required_argument, NULL, 'n' },
                { "runtime", required_argument, NULL, 'r' },
                { "quiet", no_argument, NULL, 'q' },
                { "dockerfile", required_argument, NULL, 'D' },
                { "image", required_argument, NULL, 'I' },
                { NULL, 0, NULL, 0 },
        };
        const char *output = "minpriv-report.html", *image = NULL;
        gen_options opts = { .runtime = GEN_RUNTIME_RUNC, .default_action = GEN_DEFAULT_ERRNO };
        bool quiet = false;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "o:n:q", longopts, NULL)) != -1) {
                switch (c) {
                case 'o':
                        output = optarg;
                        break;
                case 'n':
                        opts.name = optarg;
                        break;
                case 'r':
                        if (cli_parse_runtime("report", optarg, &opts) < 0)
                                return EXIT_BADINPUT;
                        break;
                case 'D':
                        opts.dockerfile = optarg;
                        break;
                case 'I':
                        image = optarg;
                        break;
                case 'q':
                        quiet = true;
                        break;
                default:
                        return usage_error("report", "bad option");
                }
        }
        if (optind >= argc)
                return usage_error("report", "no trace given");
        if (!*output)
                return usage_error("report", "empty output path");

        mp_error err = { 0 };
        image_findings img = { 0 };
        if (image && image_findings_load(image, &img, &err) < 0) {
                log_mp_error(&err);
                return EXIT_BADINPUT;
        }
        _cleanup_trace_ trace *t = NULL;
        gen_context ctx;
        if (cli_generator_context(argv + optind, (size_t)(argc - optind), &opts, &t, &ctx) < 0) {
                image_findings_free(&img);
                return EXIT_BADINPUT;
        }
        report_docker docker = { 0 };
        const char *tdir = gen_templates_dir(&opts);
        int r = report_docker_load(tdir, &docker, &err);
        if (r < 0 && r != -ENOENT) {
                log_mp_error(&err);
                gen_context_free(&ctx);
                image_findings_free(&img);
                return EXIT_BADINPUT;
        }
        bool have_docker = r == 0;
        if (!have_docker && !quiet)
                log_notice("no %s/docker-default.json: the report leaves out the comparison with Docker's default",
                           tdir);

        _cleanup_strbuf_ strbuf errors = STRBUF_INIT;
        profile_errors(&ctx, &errors);
        _cleanup_free_ char *page = NULL;
        r = report_build(&ctx, have_docker ? &docker : NULL, image ? &img : NULL, strbuf_str(&errors), &page, &err);
        report_docker_free(&docker);
        image_findings_free(&img);
        if (r < 0) {
                log_mp_error(&err);
                gen_context_free(&ctx);
                return EXIT_BADINPUT;
        }
        int rc = 0;
        if (streq(output, "-")) {
                if (fputs(page, stdout) == EOF || fflush(stdout) != 0) {
                        log_error("cannot write the report to stdout: %s", strerror(errno));
                        rc = EXIT_BADINPUT;
                }
        } else {
                r = write_file_atomic(output, page, strlen(page), 0644);
                if (r < 0) {
                        _cleanup_free_ char *q = quote_for_message(output);
                        log_error("cannot write %s: %s", q, strerror(-r));
                        rc = EXIT_BADINPUT;
                }
        }
        if (rc == 0 && !quiet) {
                if (errors.len)
                        fputs(strbuf_str(&errors), stderr);
                if (!streq(output, "-"))
                        log_notice("report for '%s' written to %s (%zu bytes)", ctx.name, output, strlen(page));
        }
        gen_context_free(&ctx);
        return rc;
}
