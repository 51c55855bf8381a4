/* SPDX-License-Identifier: MIT */
#include <getopt.h>

#include "cli/cli.h"
#include "trace/trace.h"

int cmd_merge(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "output", required_argument, NULL, 'o' },
                { NULL, 0, NULL, 0 },
        };
        const char *output = NULL;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
                if (c != 'o')
                        return usage_error("merge", "bad option");
                output = optarg;
        }
        if (!output)
                return usage_error("merge", "-o FILE is required");
        if (optind >= argc)
                return usage_error("merge", "no trace given");
        mp_error err = { 0 };
        _cleanup_trace_ trace *t = NULL;
        if (trace_load_merged(argv + optind, (size_t)(argc - optind), &t, &err) < 0) {
                log_mp_error(&err);
                return EXIT_BADINPUT;
        }
        if (trace_save(t, output, &err) < 0) {
                log_mp_error(&err);
                return EXIT_BADINPUT;
        }
        return 0;
}
