/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "common/fileio.h"
#include "analysis/gaps.h"
#include "generator/generator.h"
#include "trace/trace.h"

int cli_load_traces(char **paths, size_t n, trace **ret_t)
{
        mp_error err = { 0 };
        if (trace_load_merged(paths, n, ret_t, &err) < 0) {
                log_mp_error(&err);
                return -EXIT_BADINPUT;
        }
        return 0;
}

int cli_parse_runtime(const char *cmd, const char *arg, gen_options *opts)
{
        int v = gen_runtime_from_name(arg);
        if (v < 0)
                return -usage_error(cmd, "unknown --runtime '%s' (runc, crun or none)", arg);
        opts->runtime = (gen_runtime)v;
        return 0;
}

static void extra_push(gen_extra **v, size_t *n, trace_abi abi, const char *name, char *comment, bool carry)
{
        *v = xrealloc(*v, (*n + 1) * sizeof **v);
        (*v)[(*n)++] = (gen_extra){ .abi = abi, .name = xstrdup(name), .comment = comment, .carry_flags = carry };
}

static void extras_free(gen_extra *v, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(v[i].name);
                free(v[i].comment);
        }
        free(v);
}

/* --allow-gaps=related: the gaps report's related group; --portable: the
 * siblings of recorded calls. Errors (a missing table) are printed. */
static int extras_build(trace *t, const gen_options *opts, bool related, bool portable, gen_extra **ret, size_t *ret_n)
{
        mp_error err = { 0 };
        const char *tdir = gen_templates_dir(opts);
        gen_extra *v = NULL;
        size_t n = 0;
        if (related) {
                gaps_report g;
                if (gaps_compute(t, tdir, &g, &err) < 0) {
                        log_mp_error(&err);
                        return -EINVAL;
                }
                for (size_t i = 0; i < g.nitems; i++) {
                        const gaps_item *it = &g.items[i];
                        if (!it->related)
                                continue;
                        _cleanup_free_ char *obj = trace_path_decode(it->sources[0].object, NULL);
                        extra_push(
                                &v, &n, it->abi, it->name,
                                xasprintf("%s: not recorded, allowed by --allow-gaps related: the recorded %s relates "
                                          "to it (%s); reachable from %s (%s)",
                                          it->name, it->related_to, it->why, obj ? obj : it->sources[0].object,
                                          it->sources[0].via),
                                false);
                }
                gaps_report_free(&g);
        }
        if (portable) {
                gaps_sibling *s = NULL;
                size_t ns = 0;
                if (gaps_siblings(t, tdir, &s, &ns, &err) < 0) {
                        extras_free(v, n);
                        log_mp_error(&err);
                        return -EINVAL;
                }
                for (size_t i = 0; i < ns; i++)
                        extra_push(&v, &n, s[i].abi, s[i].name,
                                   xasprintf("%s: not recorded (--portable); a sibling of the recorded %s that "
                                             "another libc or kernel uses for the same call",
                                             s[i].name, s[i].recorded),
                                   s[i].carry_flags);
                gaps_siblings_free(s, ns);
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

int cmd_generate(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "output", required_argument, NULL, 'o' },
                { "name", required_argument, NULL, 'n' },
                { "runtime", required_argument, NULL, 'r' },
                { "default-action", required_argument, NULL, 'a' },
                { "globs", required_argument, NULL, 'g' },
                { "format", required_argument, NULL, 'f' },
                { "quiet", no_argument, NULL, 'q' },
                { "workspace-at", required_argument, NULL, 'W' },
                { "spo-layout", required_argument, NULL, 'L' },
                { "dockerfile", required_argument, NULL, 'D' },
                { "allow-gaps", required_argument, NULL, 'G' },
                { "portable", no_argument, NULL, 'P' },
                { NULL, 0, NULL, 0 },
        };
        const char *dir = "profiles";
        gen_options opts = { .runtime = GEN_RUNTIME_RUNC, .default_action = GEN_DEFAULT_ERRNO };
        bool quiet = false, allow_related = false, portable = false;
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "o:n:q", longopts, NULL)) != -1) {
                switch (c) {
                case 'o':
                        dir = optarg;
                        break;
                case 'n':
                        opts.name = optarg;
                        break;
                case 'r':
                        if (cli_parse_runtime("generate", optarg, &opts) < 0)
                                return EXIT_BADINPUT;
                        break;
                case 'a': {
                        int v = gen_default_action_from_name(optarg);
                        if (v < 0)
                                return usage_error("generate",
                                                   "unknown --default-action '%s' (errno, enosys, kill or log)",
                                                   optarg);
                        opts.default_action = (gen_default_action)v;
                        break;
                }
                case 'g':
                        opts.globs_file = optarg;
                        break;
                case 'f':
                        if (streq(optarg, "k8s"))
                                opts.k8s = true;
                        else if (!streq(optarg, "docker"))
                                return usage_error("generate", "unknown --format '%s' (docker or k8s)", optarg);
                        break;
                case 'D':
                        opts.dockerfile = optarg;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'G':
                        if (streq(optarg, "related"))
                                allow_related = true;
                        else if (!streq(optarg, "none"))
                                return usage_error("generate", "unknown --allow-gaps '%s' (related or none)", optarg);
                        break;
                case 'P':
                        portable = true;
                        break;
                case 'L':
                        if (streq(optarg, "namespaced"))
                                opts.spo_namespaced = true;
                        else if (!streq(optarg, "cluster"))
                                return usage_error("generate", "unknown --spo-layout '%s' (cluster or namespaced)",
                                                   optarg);
                        break;
                case 'W':
                        if (optarg[0] != '/' || strpbrk(optarg, " \t\n\"{}*?[],"))
                                return usage_error("generate",
                                                   "--workspace-at needs an absolute path without spaces "
                                                   "or glob characters, not '%s'",
                                                   optarg);
                        opts.workspace_at = optarg;
                        break;
                default:
                        return usage_error("generate", "bad option");
                }
        }
        if (optind >= argc)
                return usage_error("generate", "no trace given");
        if (!*dir)
                return usage_error("generate", "empty output directory");

        mp_error err = { 0 };
        _cleanup_trace_ trace *t = NULL;
        if (cli_load_traces(argv + optind, (size_t)(argc - optind), &t) < 0)
                return EXIT_BADINPUT;
        /* Beyond the recording: computed from the merged trace, before the
         * context builds seccomp.json from opts. */
        gen_extra *extras = NULL;
        size_t nextras = 0;
        if (extras_build(t, &opts, allow_related, portable, &extras, &nextras) < 0)
                return EXIT_BADINPUT;
        opts.extras = extras;
        opts.nextras = nextras;
        /* Every file in memory first, then written all or nothing. */
        gen_output out;
        int rc = 0;
        size_t n = (size_t)(argc - optind);
        if (gen_generate(t, &opts, n == 1 ? argv[optind] : NULL, dir, &out, &err) < 0) {
                log_mp_error(&err);
                rc = EXIT_BADINPUT;
        }
        if (rc == 0 && !quiet) {
                fputs(out.notes, stderr);
                log_notice("profiles for '%s' written to %s/", out.name, dir);
        }
        gen_output_free(&out);
        extras_free(extras, nextras);
        return rc;
}
