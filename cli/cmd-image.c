/* SPDX-License-Identifier: MIT */
/* `minpriv image`: a minimal root filesystem from the traces and a source
 * root (image/image.h), written as a deterministic tarball; then, where a
 * Docker daemon answers, imported and proved: the workload run in it
 * under the generated profiles (cli/image-proof.c). The findings go to
 * image.json next to the profiles, for `minpriv report --image`.
 *
 * Order: every input checked (traces, source, profiles, the command to
 * prove with) and both outputs claimed before anything is written; the
 * tarball is complete before the import; image.json last, also when the
 * proof failed (it says how). Exit status: 0 built (and proved, when a
 * daemon answers), 1 the proof failed, 2 bad input, 125 minpriv or the
 * engine failed (the import). */
#include <getopt.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/image-proof.h"
#include "common/fileio.h"
#include "common/strbuf.h"
#include "generator/generator.h"
#include "image/findings.h"
#include "image/image.h"
#include "policy/caps-file.h"
#include "policy/seccomp-profile.h"
#include "trace/read.h"

#define ENGINE "docker"
/* Notes listed one a line before "and N more". */
#define SHOW_NOTES 20

typedef struct image_args {
        const char *source, *output, *profiles, *tag;
        char **exclude;
        char **engine_args;
        bool no_import, no_proof, quiet;
        int timeout;
        char **traces;
        size_t ntraces;
        char **cmd; /* after --, or NULL */
} image_args;

static int parse_args(int argc, char **argv, image_args *a)
{
        static const struct option longopts[] = {
                { "source", required_argument, NULL, 's' },
                { "output", required_argument, NULL, 'o' },
                { "profiles", required_argument, NULL, 'p' },
                { "tag", required_argument, NULL, 't' },
                { "exclude", required_argument, NULL, 'x' },
                { "engine-arg", required_argument, NULL, 'E' },
                { "no-import", no_argument, NULL, 'I' },
                { "no-proof", no_argument, NULL, 'P' },
                { "timeout", required_argument, NULL, 'T' },
                { "quiet", no_argument, NULL, 'q' },
                { NULL, 0, NULL, 0 },
        };
        /* what follows "--" is the command to prove with */
        int end = argc;
        for (int i = 1; i < argc; i++)
                if (streq(argv[i], "--")) {
                        end = i;
                        break;
                }
        if (end < argc) {
                if (end + 1 >= argc)
                        return usage_error("image", "no command after '--'");
                a->cmd = argv + end + 1;
                argv[end] = NULL;
        }
        int c;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(end, argv, "s:o:p:t:q", longopts, NULL)) != -1) {
                switch (c) {
                case 's':
                        a->source = optarg;
                        break;
                case 'o':
                        a->output = optarg;
                        break;
                case 'p':
                        a->profiles = optarg;
                        break;
                case 't':
                        a->tag = optarg;
                        break;
                case 'x':
                        if (optarg[0] != '/' || !optarg[1])
                                return usage_error("image", "--exclude needs an absolute path other than /, not '%s'",
                                                   optarg);
                        strv_push(&a->exclude, xstrdup(optarg));
                        break;
                case 'E':
                        strv_push(&a->engine_args, xstrdup(optarg));
                        break;
                case 'I':
                        a->no_import = true;
                        break;
                case 'P':
                        a->no_proof = true;
                        break;
                case 'T': {
                        char *e;
                        long v = strtol(optarg, &e, 10);
                        if (*e || e == optarg || v < 1 || v > 86400)
                                return usage_error("image", "--timeout takes seconds (1 to 86400), not '%s'", optarg);
                        a->timeout = (int)v;
                        break;
                }
                case 'q':
                        a->quiet = true;
                        break;
                default:
                        return usage_error("image", "unknown option or missing argument '%s'", argv[optind - 1]);
                }
        }
        if (!a->source)
                return usage_error("image", "no source root given (--source DIR or an image exported to a tar file)");
        if (optind >= end)
                return usage_error("image", "no trace given");
        if (!*a->output)
                return usage_error("image", "empty output path");
        if (a->tag && (!*a->tag || strspn(a->tag, "abcdefghijklmnopqrstuvwxyz0123456789._-/:") != strlen(a->tag)))
                return usage_error("image", "--tag '%s': lowercase letters, digits and . _ - / : only", a->tag);
        a->traces = argv + optind;
        a->ntraces = (size_t)(end - optind);
        return 0;
}

/* The commands to prove with: the one given, else each distinct recorded
 * command (decoded) with the status it ended with. */
typedef struct proof_cmd {
        char **argv;
        int expected;
} proof_cmd;

typedef struct cmds {
        proof_cmd *v;
        size_t n;
        bool bad;
} cmds;

static int collect_run(const trace_run *r, void *ud)
{
        cmds *c = ud;
        if (!r->ncommand)
                return 0;
        char **argv = NULL;
        for (size_t i = 0; i < r->ncommand; i++) {
                size_t len;
                char *raw = trace_path_decode(trace_run_word(r, i), &len);
                if (!raw || strlen(raw) != len) {
                        free(raw);
                        strv_free(argv);
                        c->bad = true;
                        return 0;
                }
                strv_push(&argv, raw);
        }
        for (size_t i = 0; i < c->n; i++)
                if (strv_equal(c->v[i].argv, argv)) {
                        strv_free(argv);
                        return 0;
                }
        c->v = xrealloc(c->v, (c->n + 1) * sizeof *c->v);
        c->v[c->n++] = (proof_cmd){ .argv = argv, .expected = r->status };
        return 0;
}

static void cmds_free(cmds *c)
{
        for (size_t i = 0; i < c->n; i++)
                strv_free(c->v[i].argv);
        free(c->v);
}

/* The recorded user, when every run had the same one and it was not root. */
typedef struct user_of {
        json_int_t uid, gid;
        bool mixed, seen;
} user_of;

static int collect_user(const trace_run *r, void *ud)
{
        user_of *u = ud;
        if (u->seen && (u->uid != r->uid || u->gid != r->gid))
                u->mixed = true;
        u->uid = r->uid;
        u->gid = r->gid;
        u->seen = true;
        return 0;
}

/* Whether the workload talked to an address outside the container:
 * connect or sendto an internet address other than loopback. */
static int collect_network(const trace_endpoint *e, void *ud)
{
        bool *outside = ud;
        if (streq(e->op, "bind") || (!streq(e->family, "AF_INET") && !streq(e->family, "AF_INET6")) ||
            !trace_results_any(e->results))
                return 0;
        if (startswith(e->address, "127.") || startswith(e->address, "[::1]") || startswith(e->address, "[::ffff:127."))
                return 0;
        *outside = true;
        return 1;
}

static bool has_option(char **args, const char *name)
{
        size_t n = strlen(name);
        for (char **a = args; a && *a; a++)
                if (strncmp(*a, name, n) == 0 && ((*a)[n] == '\0' || (*a)[n] == '='))
                        return true;
        return false;
}

/* The docker tag: NAME:SHA (the first 16 hex digits of the tarball's
 * SHA-256), NAME the profile name in Docker's spelling. */
static char *default_tag(const char *name, const char *sha)
{
        strbuf sb = STRBUF_INIT;
        for (const char *p = name; *p; p++) {
                char ch = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
                bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
                if (ok)
                        strbuf_putc(&sb, ch);
                else if (sb.len && sb.buf[sb.len - 1] != '-')
                        strbuf_putc(&sb, '-');
        }
        while (sb.len && sb.buf[sb.len - 1] == '-')
                sb.buf[--sb.len] = '\0';
        if (!sb.len)
                strbuf_puts(&sb, "minpriv-image");
        strbuf_printf(&sb, ":%.16s", sha);
        return strbuf_steal(&sb);
}

static void print_notes(const char *what, const image_note *v, size_t n)
{
        for (size_t i = 0; i < n && i < SHOW_NOTES; i++) {
                _cleanup_free_ char *q = quote_for_message(v[i].path);
                log_notice("%s: %s (%s)", what, q, v[i].why);
        }
        if (n > SHOW_NOTES)
                log_notice("%s: ... and %zu more (image.json lists them all)", what, n - SHOW_NOTES);
}

typedef struct proof_inputs {
        char *seccomp; /* PROFILES/seccomp.json */
        caps_file *caps;
} proof_inputs;

static int load_profiles(const char *dir, proof_inputs *ret)
{
        mp_error err = { 0 };
        _cleanup_free_ char *sc = xasprintf("%s/seccomp.json", dir);
        _cleanup_free_ char *cp = xasprintf("%s/caps.txt", dir);
        _cleanup_mp_seccomp_profile_ mp_seccomp_profile *profile = NULL;
        if (access(sc, R_OK) < 0 || access(cp, R_OK) < 0) {
                _cleanup_free_ char *q = quote_for_message(access(sc, R_OK) < 0 ? sc : cp);
                log_error("%s: %s: the proof runs under the generated profiles (run `minpriv generate -o %s TRACE...` "
                          "first, or pass --no-proof)",
                          q, strerror(errno), dir);
                return -EXIT_BADINPUT;
        }
        if (mp_seccomp_profile_load(sc, &profile, &err) < 0 || caps_file_load(cp, &ret->caps, &err) < 0) {
                log_mp_error(&err);
                return -EXIT_BADINPUT;
        }
        ret->seccomp = steal_pointer(&sc);
        return 0;
}

/* The `docker run` options of the proof, and of its recorded rerun (the
 * same without the seccomp profile, which the recorder replaces). */
static void proof_options(const image_args *a, const trace *t, const gen_hardening *h, const proof_inputs *in,
                          const char *user, char ***ret_opts, char ***ret_diag)
{
        char **o = NULL, **d = NULL;
#define BOTH(s)                                                                                                        \
        do {                                                                                                           \
                strv_push(&o, xstrdup(s));                                                                             \
                strv_push(&d, xstrdup(s));                                                                             \
        } while (0)
        if (h->read_only)
                BOTH("--read-only");
        BOTH("--cap-drop=ALL");
        for (size_t i = 0; i < in->caps->n; i++) {
                _cleanup_free_ char *s = xasprintf("--cap-add=%s", in->caps->caps[i].name);
                BOTH(s);
        }
        strv_push(&o, xasprintf("--security-opt=seccomp=%s", in->seccomp));
        if (h->nnp)
                BOTH("--security-opt=no-new-privileges");
        for (size_t i = 0; h->read_only && i < h->n_mounts; i++) {
                const gen_hardening_mount *m = &h->mounts[i];
                /* an anonymous volume starts with the image's files there */
                _cleanup_free_ char *s = m->volume ? xasprintf("--volume=%s", m->path)
                                                   : xasprintf("--tmpfs=%s%s", m->path, m->exec ? ":exec" : "");
                BOTH(s);
        }
        if (user) {
                _cleanup_free_ char *s = xasprintf("--user=%s", user);
                strv_push(&o, steal_pointer(&s));
        }
        bool outside = false;
        trace_foreach_endpoint(t, NULL, NULL, collect_network, &outside);
        if (!outside && !has_option(a->engine_args, "--network") && !has_option(a->engine_args, "--net"))
                BOTH("--network=none");
        for (char **e = a->engine_args; e && *e; e++)
                BOTH(*e);
#undef BOTH
        *ret_opts = o;
        *ret_diag = d;
}

typedef struct image_run {
        image_args a;
        trace *t;
        gen_options opts; /* the context points to it */
        gen_context ctx;
        bool have_ctx;
        gen_hardening h;
        image_source *src;
        image_plan plan;
        proof_inputs in;
        cmds cmds;
        image_findings f;
        char *user;
        char **scratch;
} image_run;

static void image_run_free(image_run *r)
{
        strv_free(r->a.exclude);
        strv_free(r->a.engine_args);
        trace_free(r->t);
        if (r->have_ctx)
                gen_context_free(&r->ctx);
        gen_hardening_free(&r->h);
        image_source_free(r->src);
        image_plan_free(&r->plan);
        free(r->in.seccomp);
        caps_file_free(r->in.caps);
        cmds_free(&r->cmds);
        /* f borrows the plan's notes and the arguments */
        for (size_t i = 0; i < r->f.nruns; i++) {
                strv_free(r->f.runs[i].argv);
                strv_free(r->f.runs[i].missing);
                free(r->f.runs[i].diagnosis);
        }
        free(r->f.runs);
        free(r->f.tag);
        free(r->f.proof_note);
        strv_free(r->f.options);
        free(r->user);
        strv_free(r->scratch);
}

/* Import, then prove with every command. Returns the exit status. */
static int import_and_prove(image_run *r, char **diag)
{
        image_findings *f = &r->f;
        _cleanup_free_ char *why = NULL;
        if (r->a.no_import) {
                f->proof_note = xstrdup("--no-import");
                return 0;
        }
        if (!proof_engine_answers(ENGINE, &why)) {
                if (!r->a.quiet)
                        log_notice("%s: the image is not imported, nor proved", why);
                f->proof_note = steal_pointer(&why);
                return 0;
        }
        char *const *image_cmd = r->cmds.n == 1 ? r->cmds.v[0].argv : NULL;
        f->tag = r->a.tag ? xstrdup(r->a.tag) : default_tag(r->ctx.name, f->sha256);
        _cleanup_free_ char *error = NULL;
        if (proof_import(ENGINE, r->a.output, f->tag, image_cmd, &error) < 0) {
                log_error("%s import %s failed: %s", ENGINE, r->a.output, error);
                f->proof_note = xasprintf("%s import failed: %s", ENGINE, error);
                free(f->tag);
                f->tag = NULL;
                return EXIT_INTERNAL;
        }
        if (!r->a.quiet)
                log_notice("imported as %s", f->tag);
        if (r->a.no_proof) {
                f->proof_note = xstrdup("--no-proof");
                return 0;
        }
        proof_setup s = { .engine = ENGINE,
                          .tag = f->tag,
                          .options = f->options,
                          .diag_options = diag,
                          .user = r->user,
                          .tmpfs = r->scratch,
                          .timeout = r->a.timeout,
                          .recorded = r->t,
                          .quiet = r->a.quiet };
        f->runs = xcalloc(r->cmds.n + 1, sizeof *f->runs);
        f->proof = IMAGE_PROOF_PASSED;
        for (size_t i = 0; i < r->cmds.n; i++) {
                int rc = proof_run(&s, r->cmds.v[i].argv, r->cmds.v[i].expected, &f->runs[f->nruns]);
                if (rc < 0) {
                        log_error("cannot run %s: %s", ENGINE, strerror(-rc));
                        f->proof = IMAGE_PROOF_NOT_RUN;
                        f->proof_note = xasprintf("cannot run %s: %s", ENGINE, strerror(-rc));
                        return EXIT_INTERNAL;
                }
                if (!f->runs[f->nruns++].passed)
                        f->proof = IMAGE_PROOF_FAILED;
        }
        return f->proof == IMAGE_PROOF_FAILED ? EXIT_FINDING : 0;
}

/* Everything that can be checked before writing: traces, the profiles and
 * commands of the proof, the hardening plan (mounts, user), the source. */
static int prepare(image_run *r)
{
        image_args *a = &r->a;
        if (cli_load_traces(a->traces, a->ntraces, &r->t) < 0)
                return EXIT_BADINPUT;
        bool prove = !a->no_import && !a->no_proof;
        if (prove && load_profiles(a->profiles, &r->in) < 0)
                return EXIT_BADINPUT;
        if (a->cmd) {
                r->cmds.v = xcalloc(1, sizeof *r->cmds.v);
                r->cmds.n = 1;
                for (char **c = a->cmd; *c; c++)
                        strv_push(&r->cmds.v[0].argv, xstrdup(*c));
        } else {
                trace_foreach_run(r->t, collect_run, &r->cmds);
                if (prove && (r->cmds.bad || !r->cmds.n)) {
                        log_error("the traces record %s: give the command to prove with after '--'",
                                  r->cmds.bad ? "a command with a NUL byte" : "no command");
                        return EXIT_BADINPUT;
                }
        }
        r->opts = (gen_options){ .runtime = GEN_RUNTIME_RUNC, .default_action = GEN_DEFAULT_ERRNO };
        mp_error err = { 0 };
        r->have_ctx = true;
        if (gen_context_init_named(&r->ctx, r->t, &r->opts, a->ntraces == 1 ? a->traces[0] : NULL, &err) < 0) {
                log_mp_error(&err);
                return EXIT_BADINPUT;
        }
        gen_hardening_plan(&r->ctx, &r->h);
        for (size_t i = 0; r->h.read_only && i < r->h.n_mounts; i++)
                if (!r->h.mounts[i].volume)
                        strv_push(&r->scratch, xstrdup(r->h.mounts[i].path));
        user_of u = { 0 };
        trace_foreach_run(r->t, collect_user, &u);
        if (u.seen && !u.mixed && u.uid > 0 && u.gid >= 0)
                r->user = xasprintf("%lld:%lld", (long long)u.uid, (long long)u.gid);
        if (image_source_open(a->source, &r->src, &err) < 0) {
                log_mp_error(&err);
                return EXIT_BADINPUT;
        }
        return 0;
}

static int claim_outputs(const image_args *a, const char *json_path, atomic_file *tar, atomic_file *json)
{
        int rc = mkdir_parents(a->profiles, 0755);
        const char *failed = a->profiles;
        if (rc == 0 && (rc = atomic_file_open(tar, a->output, 0644)) < 0)
                failed = a->output;
        else if (rc == 0 && (rc = atomic_file_open(json, json_path, 0644)) < 0)
                failed = json_path;
        if (rc < 0) {
                _cleanup_free_ char *q = quote_for_message(failed);
                log_error("cannot write %s: %s", q, strerror(-rc));
        }
        return rc;
}

static void summary(const image_run *r)
{
        const image_findings *f = &r->f;
        _cleanup_free_ char *b0 = human_bytes(f->before.bytes), *b1 = human_bytes(f->after.bytes),
                            *tb = human_bytes(f->tarball_bytes);
        double pct = f->before.bytes ? 100.0 * (double)f->after.bytes / (double)f->before.bytes : 0;
        log_notice("image %s: %llu files, %llu directories, %s (%s archive); the source had %llu files, %llu "
                   "directories, %s: %.2f%% of its size",
                   r->a.output, (unsigned long long)f->after.files, (unsigned long long)f->after.dirs, b1, tb,
                   (unsigned long long)f->before.files, (unsigned long long)f->before.dirs, b0, pct);
}

int cmd_image(int argc, char **argv)
{
        image_run r = { .a = { .output = "minpriv-image.tar", .profiles = "profiles", .timeout = 300 } };
        int rc = parse_args(argc, argv, &r.a);
        if (rc) {
                image_run_free(&r);
                return rc;
        }
        rc = prepare(&r);
        if (rc) {
                image_run_free(&r);
                return rc;
        }
        image_args *a = &r.a;
        mp_error err = { 0 };
        /* Claim both outputs before any work. */
        _cleanup_atomic_file_ atomic_file tar = { .fd = -1 }, json = { .fd = -1 };
        _cleanup_free_ char *json_path = xasprintf("%s/image.json", a->profiles);
        if (claim_outputs(a, json_path, &tar, &json) < 0) {
                image_run_free(&r);
                return EXIT_BADINPUT;
        }

        image_options o = { .exclude = a->exclude, .scratch = r.scratch };
        image_findings *f = &r.f;
        uint8_t sha[32];
        if (image_plan_build(r.t, r.src, &o, &r.plan, &err) < 0 || image_source_totals(r.src, &f->before, &err) < 0 ||
            image_write_tar(&r.plan, r.src, tar.fd, sha, &f->tarball_bytes, &err) < 0) {
                log_mp_error(&err);
                image_run_free(&r);
                return EXIT_BADINPUT;
        }
        rc = atomic_file_commit(&tar);
        if (rc < 0) {
                _cleanup_free_ char *q = quote_for_message(a->output);
                log_error("cannot write %s: %s", q, strerror(-rc));
                image_run_free(&r);
                return EXIT_INTERNAL;
        }
        sha256_hex(sha, f->sha256);
        f->source = (char *)a->source;
        f->source_kind = (char *)image_source_kind(r.src);
        f->tarball = (char *)a->output;
        f->after = r.plan.totals;
        f->missing = r.plan.missing;
        f->nmissing = r.plan.nmissing;
        f->excluded = r.plan.excluded;
        f->nexcluded = r.plan.nexcluded;
        f->workspace_paths = r.plan.workspace_paths;
        if (!a->quiet) {
                print_notes("recorded, not in the source", r.plan.missing, r.plan.nmissing);
                print_notes("left out", r.plan.excluded, r.plan.nexcluded);
                if (r.plan.workspace_paths)
                        log_notice("%zu paths of a workspace (record --workspace) are not paths of the image",
                                   r.plan.workspace_paths);
                summary(&r);
        }

        _cleanup_strv_free_ char **diag = NULL;
        if (r.in.caps)
                proof_options(a, r.t, &r.h, &r.in, r.user, &f->options, &diag);
        rc = import_and_prove(&r, diag);

        _cleanup_free_ char *text = image_findings_json(f);
        int w = atomic_file_write(&json, text, strlen(text));
        if (w == 0)
                w = atomic_file_commit(&json);
        if (w < 0) {
                _cleanup_free_ char *q = quote_for_message(json_path);
                log_error("cannot write %s: %s", q, strerror(-w));
                rc = EXIT_INTERNAL;
        } else if (!a->quiet) {
                log_notice("proof: %s; findings in %s", image_proof_result_name(f->proof), json_path);
        }
        image_run_free(&r);
        return rc;
}
