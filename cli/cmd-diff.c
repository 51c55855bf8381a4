/* SPDX-License-Identifier: MIT */
#include <getopt.h>

#include "cli/cli.h"
#include "review/diff.h"

int cmd_diff(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "format", required_argument, NULL, 'f' },
                { "fail-on-widen", no_argument, NULL, 'w' },
                { "max-chars", required_argument, NULL, 'm' },
                { "full-diff", required_argument, NULL, 'F' },
                { NULL, 0, NULL, 0 },
        };
        const char *fmt = "text";
        bool fail_on_widen = false;
        /* under GitHub's 65,536-character limit for a comment, with room
         * for a heading and a marker around it */
        unsigned long max_chars = 60000;
        const char *full = NULL;
        int c;
        optind = 1;
        opterr = 0; /* one message: ours */
        while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        if (!streq(optarg, "text") && !streq(optarg, "markdown") && !streq(optarg, "json"))
                                return usage_error("diff", "unknown --format '%s' (text, markdown or json)", optarg);
                        fmt = optarg;
                        break;
                case 'w':
                        fail_on_widen = true;
                        break;
                case 'm': {
                        char *end;
                        errno = 0;
                        max_chars = strtoul(optarg, &end, 10);
                        if (!*optarg || *end || errno || optarg[0] == '-' || (max_chars && max_chars < 1000))
                                return usage_error(
                                        "diff", "--max-chars needs 0 (no cap) or a number from 1000, not '%s'", optarg);
                        break;
                }
                case 'F':
                        full = optarg;
                        break;
                default:
                        return usage_error("diff", "unknown option or missing argument '%s'", argv[optind - 1]);
                }
        }
        if (argc - optind != 2)
                return usage_error("diff", "expected OLD and NEW");
        mp_error err = { 0 };
        _cleanup_diff_result_ diff_result *d = NULL;
        if (diff_paths(argv[optind], argv[optind + 1], &d, &err) < 0) {
                log_mp_error(&err);
                return EXIT_BADINPUT;
        }
        _cleanup_free_ char *out = NULL;
        if (streq(fmt, "json"))
                out = diff_format_json(d);
        else if (streq(fmt, "markdown"))
                out = diff_format_markdown(d, max_chars, full);
        else {
                /* colour for a terminal only, and never with NO_COLOR (no-color.org) */
                const char *nc = getenv("NO_COLOR");
                out = diff_format_text(d, isatty(STDOUT_FILENO) && !(nc && *nc));
        }
        fputs(out, stdout);
        if (fflush(stdout) != 0) {
                log_error("cannot write the diff: %s", strerror(errno));
                return EXIT_BADINPUT;
        }
        return fail_on_widen && diff_widens(d) ? EXIT_FINDING : 0;
}
