/* SPDX-License-Identifier: MIT */
#include <getopt.h>

#include "cli/cli.h"
#include "review/explain.h"
#include "trace/trace.h"

int cmd_explain(int argc, char **argv)
{
        optind = 1;
        if (getopt(argc, argv, "+") != -1)
                return usage_error("explain", "bad option");
        if (argc - optind != 2)
                return usage_error("explain", "expected a trace and an item");
        const char *path = argv[optind], *item = argv[optind + 1];
        mp_error err = { 0 };
        _cleanup_trace_ trace *t = NULL;
        if (trace_load(path, &t, &err) < 0) {
                log_mp_error(&err);
                return EXIT_BADINPUT;
        }
        _cleanup_strbuf_ strbuf out = STRBUF_INIT;
        int r = explain_item(t, item, &out, &err);
        if (r == -EINVAL) {
                log_mp_error(&err);
                return EXIT_BADINPUT;
        }
        if (r == -ENOENT) {
                _cleanup_free_ char *q = quote_for_message(item);
                printf("%s is not in %s: the recorded workload never used it\n", q, path);
                return EXIT_FINDING;
        }
        fputs(strbuf_str(&out), stdout);
        return 0;
}
