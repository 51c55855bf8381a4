/* SPDX-License-Identifier: MIT */
/* minpriv gaps: the syscalls the recorded programs and libraries can reach
 * that no run recorded (analysis/gaps.h). */
#include <getopt.h>

#include "cli/cli.h"
#include "analysis/gaps.h"
#include "generator/generator.h"
#include "trace/trace.h"

int cmd_gaps(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "format", required_argument, NULL, 'f' },
                { NULL, 0, NULL, 0 },
        };
        bool json = false;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        if (streq(optarg, "json"))
                                json = true;
                        else if (!streq(optarg, "text"))
                                return usage_error("gaps", "unknown --format '%s' (text or json)", optarg);
                        break;
                default:
                        return usage_error("gaps", "bad option");
                }
        }
        if (optind >= argc)
                return usage_error("gaps", "no trace given");
        mp_error err = { 0 };
        _cleanup_trace_ trace *t = NULL;
        if (trace_load_merged(argv + optind, (size_t)(argc - optind), &t, &err) < 0) {
                log_mp_error(&err);
                return EXIT_BADINPUT;
        }
        gen_options opts = { 0 };
        gaps_report g;
        if (gaps_compute(t, gen_templates_dir(&opts), &g, &err) < 0) {
                log_mp_error(&err);
                return EXIT_BADINPUT;
        }
        _cleanup_free_ char *out = json ? gaps_format_json(&g) : gaps_format_text(&g);
        gaps_report_free(&g);
        fputs(out, stdout);
        return 0;
}
