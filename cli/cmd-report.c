/* SPDX-License-Identifier: MIT */
#include <getopt.h>

#include "cli/cli.h"
#include "common/fileio.h"
#include "generator/generator.h"
#include "report/report.h"
#include "trace/trace.h"

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
        char **paths = argv + optind;
        size_t n = (size_t)(argc - optind);
        if (cli_load_traces(paths, n, &t) < 0) {
                image_findings_free(&img);
                return EXIT_BADINPUT;
        }
        report_page page;
        int r = report_generate(t, &opts, image ? &img : NULL, n == 1 ? paths[0] : NULL, &page, &err);
        image_findings_free(&img);
        if (r < 0) {
                log_mp_error(&err);
                report_page_free(&page);
                return EXIT_BADINPUT;
        }
        if (page.docker_missing && !quiet)
                log_notice("no %s/docker-default.json: the report leaves out the comparison with Docker's default",
                           gen_templates_dir(&opts));
        int rc = 0;
        if (streq(output, "-")) {
                if (fputs(page.html, stdout) == EOF || fflush(stdout) != 0) {
                        log_error("cannot write the report to stdout: %s", strerror(errno));
                        rc = EXIT_BADINPUT;
                }
        } else {
                r = write_file_atomic(output, page.html, strlen(page.html), 0644);
                if (r < 0) {
                        _cleanup_free_ char *q = quote_for_message(output);
                        log_error("cannot write %s: %s", q, strerror(-r));
                        rc = EXIT_BADINPUT;
                }
        }
        if (rc == 0 && !quiet) {
                if (*page.errors)
                        fputs(page.errors, stderr);
                if (!streq(output, "-"))
                        log_notice("report for '%s' written to %s (%zu bytes)", page.name, output, strlen(page.html));
        }
        report_page_free(&page);
        return rc;
}
