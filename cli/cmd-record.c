/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <signal.h>

#include "cli/cli.h"
#include "common/fileio.h"
#include "trace/trace.h"
#include "tracer/tracer.h"
#include "cli/baseline.h"
#include "trace/read.h"
#include "trace/seen.h"
#include "cli/record-image.h"

/* The checkout around the current directory: the nearest ancestor holding
 * .git (a directory, or a file for worktrees). NULL when there is none. */
static char *git_toplevel(void)
{
        _cleanup_free_ char *dir = realpath(".", NULL);
        if (!dir)
                return NULL;
        for (;;) {
                _cleanup_free_ char *g = xasprintf("%s/.git", dir);
                if (access(g, F_OK) == 0)
                        return steal_pointer(&dir);
                char *slash = strrchr(dir, '/');
                if (!slash || slash == dir)
                        return NULL;
                *slash = '\0';
        }
}

/* --workspace DIR|auto -> the absolute checkout path, or NULL after a
 * message. */
static char *resolve_workspace(const char *arg)
{
        if (streq(arg, "auto")) {
                char *top = git_toplevel();
                if (!top)
                        log_error("--workspace auto: no git checkout (.git) in the current directory or above");
                return top;
        }
        char *real = realpath(arg, NULL);
        if (!real) {
                _cleanup_free_ char *q = quote_for_message(arg);
                log_error("--workspace %s: %s", q, strerror(errno));
                return NULL;
        }
        if (streq(real, "/")) {
                free(real);
                log_error("--workspace: / is not a checkout");
                return NULL;
        }
        return real;
}

static void summarize(const trace *t, const char *path, int status)
{
        size_t nsys = 0;
        for (int abi = 0; abi < _TRACE_ABI_MAX; abi++)
                nsys += trace_syscall_count(t, (trace_abi)abi);
        size_t nfiles = trace_file_count(t);
        trace_resources res;
        trace_resources_get(t, &res);
        log_notice("recorded %zu distinct syscalls, %zu paths, %lld processes; exit status %d; trace in %s", nsys,
                   nfiles, (long long)(res.processes < 0 ? 0 : res.processes), status, path);
        size_t nu;
        json_int_t runs;
        trace_unstable *u = trace_unstable_list((trace *)t, &nu, &runs);
        if (runs > 1)
                log_notice("%lld runs: %zu items were seen in only some of them (minpriv explain, report and "
                           "hardening.md name them)",
                           (long long)runs, nu);
        trace_unstable_free(u, nu);
}

int cli_trace_run(const tracer_options *opts, trace *t, int *ret_status)
{
        mp_error err = { 0 };
        int r = tracer_run(opts, t, ret_status, &err);
        if (r == -ENOENT || r == -EACCES) {
                log_mp_error(&err);
                return *ret_status;
        }
        if (r < 0)
                log_mp_error(&err);
        if (r < 0 && trace_runs(t) == 0)
                return EXIT_INTERNAL;
        return 0;
}

int cmd_record(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "output", required_argument, NULL, 'o' },
                { "stacks", no_argument, NULL, 'S' },
                { "baseline", required_argument, NULL, 'b' },
                { "no-seccomp", no_argument, NULL, 'N' },
                { "no-kernel-count", no_argument, NULL, 'K' },
                { "no-bpf", no_argument, NULL, 'P' },
                { "quiet", no_argument, NULL, 'q' },
                { "image", required_argument, NULL, 'I' },
                { "engine", required_argument, NULL, 'E' },
                { "user", required_argument, NULL, 'u' },
                { "engine-arg", required_argument, NULL, 'A' },
                { "workspace", required_argument, NULL, 'W' },
                { "repeat", required_argument, NULL, 'R' },
                { NULL, 0, NULL, 0 },
        };
        const char *output = "minpriv-trace.json";
        const char *baseline_path = NULL, *workspace = NULL;
        record_image_options img = { .engine = "docker" };
        /* what the record inside the container gets (at most 4 options) */
        char *inner[8] = { 0 }, *engine_args[64] = { 0 };
        size_t ninner = 0, nengine = 0;
        tracer_options opts = { 0 };
        long repeat = 1;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "+o:q", longopts, NULL)) != -1) {
                switch (c) {
                case 'o':
                        output = optarg;
                        break;
                case 'S':
                        opts.stacks = true;
                        inner[ninner++] = "--stacks";
                        break;
                case 'N':
                        opts.no_seccomp = true;
                        inner[ninner++] = "--no-seccomp";
                        break;
                case 'I':
                        img.image = optarg;
                        break;
                case 'E':
                        img.engine = optarg;
                        break;
                case 'u':
                        img.user = optarg;
                        break;
                case 'A':
                        if (nengine + 1 >= sizeof engine_args / sizeof *engine_args)
                                return usage_error("record", "too many --engine-arg");
                        engine_args[nengine++] = optarg;
                        break;
                case 'W':
                        workspace = optarg;
                        break;
                case 'K':
                        opts.no_kernel_count = true;
                        inner[ninner++] = "--no-kernel-count";
                        break;
                case 'P':
                        opts.no_bpf = true;
                        inner[ninner++] = "--no-bpf";
                        break;
                case 'b':
                        baseline_path = optarg;
                        break;
                case 'q':
                        opts.quiet = true;
                        img.quiet = true;
                        break;
                case 'R': {
                        char *end;
                        errno = 0;
                        repeat = strtol(optarg, &end, 10);
                        if (errno || end == optarg || *end || repeat < 1 || repeat > 1000)
                                return usage_error("record", "--repeat takes a number of runs from 1 to 1000");
                        break;
                }
                default:
                        return usage_error("record", "bad option");
                }
        }
        if (optind >= argc)
                return usage_error("record", "no command given");
        if (!*output)
                return usage_error("record", "empty output path");
        opts.argv = argv + optind;
        if (repeat > 1 && baseline_path)
                return usage_error("record", "--repeat and --baseline do not combine (an incremental recording does "
                                             "not count runs)");
        if (ninner > 3)
                return usage_error("record", "an option was given twice");
        if (img.image) {
                if (baseline_path)
                        return usage_error("record", "--baseline cannot be combined with --image");
                if (repeat > 1)
                        return usage_error("record", "--repeat cannot be combined with --image");
                if (workspace) {
                        inner[ninner++] = "--workspace";
                        inner[ninner++] = (char *)workspace;
                }
                inner[ninner++] = "-q"; /* the summary comes from here, with the host's path */
                img.record_args = inner;
                img.engine_args = engine_args;
                return record_in_image(&img, opts.argv, output);
        }
        if (img.user || nengine || !streq(img.engine, "docker"))
                return usage_error("record", "--user, --engine and --engine-arg go with --image");
        _cleanup_free_ char *ws = NULL;
        if (workspace && !(ws = resolve_workspace(workspace)))
                return EXIT_BADINPUT;

        _cleanup_baseline_ baseline bl = { 0 };
        if (baseline_path) {
                mp_error berr = { 0 };
                if (baseline_load(baseline_path, &bl, &berr) < 0) {
                        log_mp_error(&berr);
                        return EXIT_BADINPUT;
                }
                for (int a = 0; a < _TRACE_ABI_MAX; a++)
                        opts.baseline[a] = bl.names[a];
                opts.baseline_trace = bl.trace;
                opts.baseline_label = baseline_path;
        }

        /* Claim the output before the workload runs: an unwritable path is
         * reported now, and a previous trace stays intact until the new one
         * is complete. */
        _cleanup_atomic_file_ atomic_file af = { .fd = -1 };
        int r = atomic_file_open(&af, output, 0644);
        if (r < 0) {
                _cleanup_free_ char *q = quote_for_message(output);
                log_error("cannot write the trace to %s: %s", q, strerror(-r));
                return EXIT_BADINPUT;
        }

        _cleanup_trace_ trace *t = NULL;
        int status = 0;
        if (repeat == 1) {
                t = trace_new();
                r = cli_trace_run(&opts, t, &status);
                if (r > 0)
                        return r;
        } else {
                /* --repeat: every run into a trace of its own, merged: each
                 * item then says in how many of the runs it was seen. The
                 * status is the first failing run's. */
                t = trace_new();
                for (long i = 0; i < repeat; i++) {
                        _cleanup_trace_ trace *one = trace_new();
                        int st = 0;
                        r = cli_trace_run(&opts, one, &st);
                        if (r > 0)
                                return r;
                        if (status == 0)
                                status = st;
                        trace_merge(t, one);
                }
        }
        /* An incremental trace holds what the baseline knew plus what was
         * new: the same facts as a full recording merged with the baseline. */
        if (bl.trace)
                trace_merge_uncounted(t, bl.trace);
        baseline_add_profile_names(&bl, t);
        /* The checkout becomes a variable: recordings of the same code in
         * two checkouts (a laptop's, CI's) give the same paths. */
        if (ws)
                trace_replace_prefix(t, ws, TRACE_WORKSPACE_VAR);

        /* Streamed straight into the file: a trace of 100,000 paths is tens
         * of megabytes of text. */
        r = trace_write_fd(t, af.fd);
        if (r == 0)
                r = atomic_file_commit(&af);
        if (r < 0) {
                _cleanup_free_ char *q = quote_for_message(output);
                log_error("cannot write the trace to %s: %s (any previous file there is unchanged)", q, strerror(-r));
                return EXIT_INTERNAL;
        }
        if (!opts.quiet)
                summarize(t, output, status);
        return status;
}
