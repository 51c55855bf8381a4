/* SPDX-License-Identifier: MIT */
/* The HTML report (see report.h). Layout, top to bottom:
 *
 *   header      the profile name, the recorded commands
 *   summary     cards: syscalls, capabilities, files, network, peaks
 *   sizes       SVG bars: this profile's syscalls and capabilities next to
 *               Docker's default and to everything there is; the recorded
 *               syscalls Docker's default would deny
 *   programs    syscalls by program: a bar per program, the names as chips
 *   files       the accessed paths as a tree of <details>, each path with
 *               its access kinds coloured by result
 *   caps        capabilities with their reasons, needed ones first
 *   image       with --dockerfile: the Dockerfile's findings; with --image:
 *               the minimal image's size and file count against its source,
 *               and its proof (image.json, written by `minpriv image`)
 *   network     endpoints bound, connected, sent to
 *   runs        the recordings the trace holds
 *
 * Everything is sorted by name (byte order); nothing depends on the order
 * of the input traces or on the time. */
#include <sys/stat.h>

#include "generator/caps.h"
#include "generator/dockerfile.h"
#include "generator/emitters.h"
#include "common/hashmap.h"
#include "trace/names.h"
#include "image/findings.h"
#include "report/report.h"
#include "policy/seccomp-profile.h"
#include "trace/read.h"
#include "trace/seen.h"

#define TREE_MAX_ENTRIES 500 /* entries shown in one directory */
#define TREE_OPEN_LEAVES 60  /* a directory with at most this many paths below starts open */
#define CHIPS_MAX        400 /* syscall chips per program before "and N more" */
#define REASONS_MAX      20  /* reasons shown per capability */

/* Docker's default capability set (seccomp-profile.c holds it), and all the
 * capabilities the system headers name. */
static size_t docker_caps_count(void)
{
        size_t n = 0;
        while (mp_seccomp_docker_default_caps[n])
                n++;
        return n;
}
#define ALL_CAPS (cap_last() + 1)

/* ------------------------------------------------------------ escaping */

/* The entity for a character HTML gives meaning to, or NULL. */
static const char *entity(unsigned char c)
{
        switch (c) {
        case '&':
                return "&amp;";
        case '<':
                return "&lt;";
        case '>':
                return "&gt;";
        case '"':
                return "&quot;";
        case '\'':
                return "&#39;";
        default:
                return NULL;
        }
}

/* Code points that reorder or hide text (bidi controls, zero-width
 * characters): shown escaped so a path cannot pretend to be another. */
static bool deceptive(const unsigned char *s, size_t n)
{
        if (n != 3 || s[0] != 0xe2)
                return false;
        unsigned cp = ((s[0] & 0x0fu) << 12) | ((s[1] & 0x3fu) << 6) | (s[2] & 0x3fu);
        return (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Append n bytes as HTML text: & < > " ' as entities; control characters,
 * bytes that are not UTF-8 and deceptive code points as visible escapes. */
static void html_bytes(strbuf *sb, const char *data, size_t len)
{
        const unsigned char *p = (const unsigned char *)data;
        size_t i = 0;
        while (i < len) {
                size_t n = utf8_seq_len(p + i, len - i);
                unsigned char c = p[i];
                if (n == 1 && c >= 0x20 && c != 0x7f) {
                        const char *e = entity(c);
                        if (e)
                                strbuf_puts(sb, e);
                        else
                                strbuf_putc(sb, (char)c);
                } else if (n > 1 && deceptive(p + i, n)) {
                        unsigned cp = ((p[i] & 0x0fu) << 12) | ((p[i + 1] & 0x3fu) << 6) | (p[i + 2] & 0x3fu);
                        strbuf_printf(sb, "<span class=\"esc\">\\u%04x</span>", cp);
                } else if (n > 1) {
                        strbuf_add(sb, p + i, n);
                } else {
                        /* a control character, or a byte that is not UTF-8 */
                        strbuf_printf(sb, "<span class=\"esc\">\\x%02x</span>", c);
                        n = 1;
                }
                i += n;
        }
}

static void html(strbuf *sb, const char *s)
{
        html_bytes(sb, s, strlen(s));
}

/* An attribute value (inside double quotes): the same escaping, without
 * markup, so control characters become \xHH text. */
static void attr(strbuf *sb, const char *s)
{
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                const char *e = entity(*p);
                if (e)
                        strbuf_puts(sb, e);
                else if (*p < 0x20 || *p == 0x7f)
                        strbuf_printf(sb, "\\x%02x", *p);
                else
                        strbuf_putc(sb, (char)*p);
        }
}

/* A path from the trace (its encoding, docs/trace-format.md): decoded to
 * bytes, then shown as HTML text. A malformed encoding is shown as is. */
static void html_path(strbuf *sb, const char *enc)
{
        size_t len;
        _cleanup_free_ char *raw = trace_path_decode(enc, &len);
        if (raw)
                html_bytes(sb, raw, len);
        else
                html(sb, enc);
}

/* ------------------------------------------------------------ helpers */

static bool docker_cap(const char *cap)
{
        for (size_t i = 0; mp_seccomp_docker_default_caps[i]; i++)
                if (streq(mp_seccomp_docker_default_caps[i], cap))
                        return true;
        return false;
}

static const char *plural(long long n)
{
        return n == 1 ? "" : "s";
}

/* 1234567 -> "1,234,567" */
static void put_count(strbuf *sb, long long n)
{
        char buf[32];
        snprintf(buf, sizeof buf, "%lld", n < 0 ? -n : n);
        size_t len = strlen(buf);
        if (n < 0)
                strbuf_putc(sb, '-');
        for (size_t i = 0; i < len; i++) {
                if (i && (len - i) % 3 == 0)
                        strbuf_putc(sb, ',');
                strbuf_putc(sb, buf[i]);
        }
}

static void put_kib(strbuf *sb, json_int_t kib)
{
        if (kib < 0)
                strbuf_puts(sb, "—");
        else if (kib >= 10240)
                strbuf_printf(sb, "%lld MiB", (long long)((kib + 512) / 1024));
        else
                strbuf_printf(sb, "%lld KiB", (long long)kib);
}

/* The programs of a usage, sorted: "a, b and 3 more". */
static void put_programs(strbuf *sb, const trace_usage *usage, size_t max)
{
        size_t n;
        _cleanup_free_ const char **progs = trace_usage_programs(usage, &n);
        for (size_t i = 0; i < n && i < max; i++) {
                if (i)
                        strbuf_puts(sb, i + 1 == n ? " and " : ", ");
                strbuf_puts(sb, "<code>");
                html_path(sb, progs[i]);
                strbuf_puts(sb, "</code>");
        }
        if (n > max)
                strbuf_printf(sb, " and %zu more", n - max);
}

/* ------------------------------------------------------------ figures */

typedef struct figures {
        size_t syscalls_recorded; /* distinct (ABI, name) pairs */
        size_t names_recorded;    /* distinct names, all ABIs */
        json_int_t calls;         /* syscalls made */
        size_t programs;
        size_t paths;
        size_t paths_written; /* with a successful write-like access */
        size_t paths_failed;  /* with only failed accesses */
        size_t endpoints;
        size_t caps_needed;
        size_t caps_refused;   /* with reasons, none successful */
        char **outside_docker; /* recorded names Docker's default would deny */
} figures;

static const char *const write_kinds[] = { "write", "append", "create", "delete", "rename", "link", "attr", NULL };

/* Whether the file has an "ok" outcome of one of the kinds (every kind:
 * NULL). */
static int kind_has_ok(const char *kind, const trace_results *r, void *ud)
{
        return trace_result(r, "ok") != NULL;
}

static bool has_ok(const trace_file *file, const char *const *kinds)
{
        if (!kinds)
                return trace_file_foreach_kind(file, kind_has_ok, NULL) != 0;
        for (const char *const *k = kinds; *k; k++)
                if (trace_result(trace_file_results(file, *k), "ok"))
                        return true;
        return false;
}

typedef struct figures_scan {
        figures *f;
        json_t *names, *progs; /* sets */
        const char *last_cap;
        char **caps;
} figures_scan;

static int count_program(const trace_program *p, void *ud)
{
        figures_scan *fs = ud;
        fs->f->calls += p->count > 0 ? p->count : 0;
        json_object_set_new(fs->progs, p->program, json_true());
        return 0;
}

static int count_syscall(const trace_syscall *sc, void *ud)
{
        figures_scan *fs = ud;
        fs->f->syscalls_recorded++;
        json_object_set_new(fs->names, sc->name, json_true());
        return trace_foreach_program(sc->usage, count_program, fs);
}

static int count_file(const trace_file *file, void *ud)
{
        figures *f = ud;
        f->paths++;
        if (has_ok(file, write_kinds))
                f->paths_written++;
        if (!has_ok(file, NULL))
                f->paths_failed++;
        return 0;
}

static int count_endpoint(const trace_endpoint *e, void *ud)
{
        ((figures *)ud)->endpoints++;
        return 0;
}

static int count_refused(const trace_cap_reason *r, void *ud)
{
        figures_scan *fs = ud;
        if (fs->last_cap && streq(fs->last_cap, r->cap))
                return 0;
        fs->last_cap = r->cap;
        if (!strv_contains(fs->caps, r->cap))
                fs->f->caps_refused++;
        return 0;
}

static void figures_compute(figures *f, const gen_context *ctx, const report_docker *docker)
{
        memset(f, 0, sizeof *f);
        figures_scan fs = { .f = f, .names = json_object(), .progs = json_object(), .caps = ctx->caps };
        for (int abi = 0; abi < _TRACE_ABI_MAX; abi++)
                trace_foreach_syscall(ctx->t, abi, count_syscall, &fs);
        f->names_recorded = json_object_size(fs.names);
        f->programs = json_object_size(fs.progs);
        if (docker) {
                size_t n;
                _cleanup_free_ const char **keys = trace_sorted_keys(fs.names, &n);
                f->outside_docker = xcalloc(n + 1, sizeof *f->outside_docker);
                size_t o = 0;
                for (size_t i = 0; i < n; i++)
                        if (!strv_contains(docker->names, keys[i]))
                                f->outside_docker[o++] = xstrdup(keys[i]);
        }
        json_decref(fs.names);
        json_decref(fs.progs);

        trace_foreach_file(ctx->t, count_file, f);
        trace_foreach_endpoint(ctx->t, NULL, NULL, count_endpoint, f);
        for (char **c = ctx->caps; *c; c++)
                f->caps_needed++;
        trace_foreach_cap_reason(ctx->t, NULL, count_refused, &fs);
}

/* The profile's syscall count: the figure gen_context_init computed when
 * seccomp.json could be built; else the distinct names recorded (the profile allows each of them, on
 * every ABI: Docker's format names syscalls). */
static int profile_syscalls(const gen_context *ctx, const figures *f, bool *ret_exact)
{
        *ret_exact = ctx->figures.seccomp_syscalls >= 0;
        return ctx->figures.seccomp_syscalls >= 0 ? ctx->figures.seccomp_syscalls : (int)f->names_recorded;
}

/* ------------------------------------------------------------ page parts */

static const char style[] =
        ":root{--fg:#1d2433;--muted:#5b6475;--line:#d9dee7;--bg:#f6f7fb;--card:#fff;--accent:#2f6fde;"
        "--ok:#1f8a4c;--okbg:#e3f4e9;--bad:#c0392b;--badbg:#fbe6e3;--warn:#a86400;--warnbg:#fdf0d9;--docker:#8a94a6}\n"
        "*{box-sizing:border-box}\n"
        "body{margin:0;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;"
        "color:var(--fg);background:var(--bg)}\n"
        "header{background:#1d2433;color:#fff;padding:22px 32px}\n"
        "header h1{margin:0 0 4px;font-size:24px}\n"
        "header p{margin:2px 0;color:#c5cbd8}\n"
        "header code{color:#fff;background:#2d3850}\n"
        "nav{padding:8px 32px;background:#fff;border-bottom:1px solid var(--line);position:sticky;top:0}\n"
        "nav a{margin-right:18px;color:var(--accent);text-decoration:none;font-weight:600}\n"
        "main{padding:8px 32px 40px;max-width:1200px}\n"
        "section{margin:26px 0}\n"
        "h2{font-size:19px;margin:0 0 10px;border-bottom:2px solid var(--line);padding-bottom:4px}\n"
        ".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:12px}\n"
        ".card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px}\n"
        ".card .big{font-size:28px;font-weight:700}\n"
        ".card .what{color:var(--muted);font-size:13px}\n"
        ".panel{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 16px}\n"
        "table{border-collapse:collapse;width:100%;background:var(--card)}\n"
        "th,td{border:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}\n"
        "th{background:#eef1f6;font-weight:600}\n"
        "td.num{text-align:right;white-space:nowrap}\n"
        "table.progs td:first-child{width:30%}\n"
        "code{font:13px/1.3 ui-monospace,'DejaVu Sans Mono',monospace;background:#eef1f6;padding:1px 4px;"
        "border-radius:3px;word-break:break-all}\n"
        ".esc{color:var(--bad);font-weight:700}\n"
        ".muted{color:var(--muted)}\n"
        ".chip{display:inline-block;font:12px/1.2 ui-monospace,'DejaVu Sans Mono',monospace;background:#eef1f6;"
        "border:1px solid var(--line);border-radius:10px;padding:1px 7px;margin:2px}\n"
        ".chip.out{background:var(--warnbg);border-color:var(--warn);color:var(--warn)}\n"
        ".k{display:inline-block;font-size:11px;border-radius:3px;padding:0 5px;margin-left:4px}\n"
        ".k.ok{background:var(--okbg);color:var(--ok)}\n"
        ".k.fail{background:var(--badbg);color:var(--bad)}\n"
        ".tag{display:inline-block;font-size:12px;font-weight:700;border-radius:4px;padding:1px 6px}\n"
        ".tag.need{background:var(--okbg);color:var(--ok)}\n"
        ".tag.refused{background:var(--badbg);color:var(--bad)}\n"
        ".tag.docker{background:#eef1f6;color:var(--muted)}\n"
        ".bar{height:10px;background:var(--accent);border-radius:3px;min-width:2px}\n"
        ".tree ul{list-style:none;margin:0;padding-left:18px;border-left:1px dotted var(--line)}\n"
        ".tree>ul{padding-left:0;border:0}\n"
        ".tree li{margin:1px 0}\n"
        ".tree summary{cursor:pointer}\n"
        ".tree .dir{font-weight:600}\n"
        ".tree .n{color:var(--muted);font-size:12px;margin-left:6px}\n"
        ".legend span{margin-right:10px}\n"
        "footer{padding:16px 32px;color:var(--muted);font-size:13px}\n";

/* A run's command line, its words decoded and escaped. */
static void put_command(strbuf *sb, const trace_run *run)
{
        for (size_t j = 0; j < run->ncommand; j++) {
                if (j)
                        strbuf_putc(sb, ' ');
                const char *w = trace_run_word(run, j);
                html_path(sb, w ? w : "");
        }
}

static int header_run(const trace_run *run, void *ud)
{
        strbuf *sb = ud;
        if (run->index >= 5)
                return 0;
        strbuf_puts(sb, "<p>Recorded: <code>");
        put_command(sb, run);
        strbuf_puts(sb, "</code></p>");
        return 0;
}

static void section_header(strbuf *sb, const gen_context *ctx, const image_findings *img)
{
        strbuf_puts(sb, "<header><h1>");
        html(sb, ctx->name);
        strbuf_puts(sb, "</h1><p>minpriv report: what the workload did, and the least privilege it needs.</p>");
        trace_foreach_run(ctx->t, header_run, sb);
        size_t nruns = (size_t)trace_runs(ctx->t);
        if (nruns > 5)
                strbuf_printf(sb, "<p>and %zu more recordings</p>", nruns - 5);
        strbuf_puts(sb, "</header>\n<nav><a href=\"#summary\">Summary</a><a href=\"#sizes\">Profile size</a>"
                        "<a href=\"#programs\">Programs</a><a href=\"#files\">Files</a>"
                        "<a href=\"#caps\">Capabilities</a><a href=\"#network\">Network</a>"
                        "<a href=\"#runs\">Recordings</a>");
        if (ctx->dockerfile)
                strbuf_puts(sb, "<a href=\"#image\">Image</a>");
        if (img)
                strbuf_puts(sb, "<a href=\"#minimal-image\">Minimal image</a>");
        strbuf_puts(sb, "</nav>\n<main>\n");
}

static void card(strbuf *sb, const char *big, const char *what)
{
        strbuf_puts(sb, "<div class=\"card\"><div class=\"big\">");
        strbuf_puts(sb, big);
        strbuf_puts(sb, "</div><div class=\"what\">");
        strbuf_puts(sb, what);
        strbuf_puts(sb, "</div></div>\n");
}

static void section_summary(strbuf *sb, const gen_context *ctx, const figures *f, const report_docker *docker)
{
        bool exact;
        int prof = profile_syscalls(ctx, f, &exact);
        strbuf big = STRBUF_INIT, what = STRBUF_INIT;
        strbuf_puts(sb, "<section id=\"summary\"><h2>Summary</h2><div class=\"cards\">\n");

        put_count(&big, prof);
        strbuf_printf(&what, "syscalls the seccomp profile allows%s", exact ? "" : " (the names recorded)");
        if (docker && docker->allowed > 0)
                strbuf_printf(&what, "; %d%% of the %d Docker's default allows",
                              (int)((prof * 100 + docker->allowed / 2) / docker->allowed), docker->allowed);
        card(sb, strbuf_str(&big), strbuf_str(&what));
        strbuf_reset(&big), strbuf_reset(&what);

        put_count(&big, (long long)f->caps_needed);
        strbuf_printf(&what, "capabilit%s needed (Docker gives %zu by default)", f->caps_needed == 1 ? "y" : "ies",
                      docker_caps_count());
        if (f->caps_refused)
                strbuf_printf(&what, "; %zu refused during recording", f->caps_refused);
        card(sb, strbuf_str(&big), strbuf_str(&what));
        strbuf_reset(&big), strbuf_reset(&what);

        put_count(&big, (long long)f->paths);
        strbuf_printf(&what, "paths accessed; %zu written, %zu only failed", f->paths_written, f->paths_failed);
        card(sb, strbuf_str(&big), strbuf_str(&what));
        strbuf_reset(&big), strbuf_reset(&what);

        put_count(&big, (long long)f->programs);
        strbuf_puts(&what, "programs made ");
        put_count(&what, (long long)f->calls);
        strbuf_printf(&what, " syscall%s (%zu distinct per ABI)", plural(f->calls), f->syscalls_recorded);
        card(sb, strbuf_str(&big), strbuf_str(&what));
        strbuf_reset(&big), strbuf_reset(&what);

        put_count(&big, (long long)f->endpoints);
        strbuf_printf(&what, "network endpoint%s bound, connected or sent to", plural((long long)f->endpoints));
        card(sb, strbuf_str(&big), strbuf_str(&what));
        strbuf_reset(&big), strbuf_reset(&what);

        trace_resources res;
        trace_resources_get(ctx->t, &res);
        json_int_t rss = res.sum_rss_kib > 0 ? res.sum_rss_kib : res.max_rss_kib;
        put_kib(&big, rss);
        strbuf_printf(&what, "peak memory (RSS); at most %lld task%s at once, %lld process%s created",
                      (long long)res.max_threads, plural((long long)res.max_threads), (long long)res.processes,
                      res.processes == 1 ? "" : "es");
        card(sb, strbuf_str(&big), strbuf_str(&what));

        if (ctx->figures.apparmor_rules >= 0) {
                strbuf_reset(&big), strbuf_reset(&what);
                put_count(&big, ctx->figures.apparmor_rules);
                strbuf_puts(&what, "AppArmor rules in the profile");
                card(sb, strbuf_str(&big), strbuf_str(&what));
        }
        strbuf_free(&big);
        strbuf_free(&what);
        strbuf_puts(sb, "</div></section>\n");
}

/* One horizontal bar of the size chart. */
static void svg_bar(strbuf *sb, int row, const char *label, long long value, long long max, const char *color)
{
        const int left = 250, width = 560, y = 14 + row * 34;
        int w = max > 0 ? (int)((value * width + max / 2) / max) : 0;
        if (value > 0 && w < 2)
                w = 2;
        strbuf_printf(sb, "<text x=\"0\" y=\"%d\" font-size=\"14\" fill=\"#1d2433\">", y + 15);
        html(sb, label);
        strbuf_printf(sb, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"22\" rx=\"3\" fill=\"%s\"/>", left, y,
                      w, color);
        strbuf_printf(sb, "<text x=\"%d\" y=\"%d\" font-size=\"14\" font-weight=\"700\" fill=\"#1d2433\">%lld</text>\n",
                      left + w + 8, y + 16, value);
}

static void section_sizes(strbuf *sb, const gen_context *ctx, const figures *f, const report_docker *docker)
{
        bool exact;
        int prof = profile_syscalls(ctx, f, &exact);
        strbuf_puts(sb, "<section id=\"sizes\"><h2>Profile size vs Docker's default</h2><div class=\"panel\">\n");
        long long max = docker && docker->known > 0 ? docker->known : prof;
        if (max < prof)
                max = prof;
        int rows = docker ? 3 : 1;
        strbuf_printf(sb,
                      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"880\" height=\"%d\" role=\"img\" "
                      "aria-label=\"seccomp profile size\">\n",
                      20 + rows * 34);
        int row = 0;
        if (docker) {
                svg_bar(sb, row++, "x86_64 syscalls (all known)", docker->known, max, "#c9d0dc");
                svg_bar(sb, row++, "Docker's default allows", docker->allowed, max, "#8a94a6");
        }
        svg_bar(sb, row++, exact ? "This profile allows" : "This workload's syscalls", prof, max, "#2f6fde");
        strbuf_puts(sb, "</svg>\n");
        if (!exact)
                strbuf_puts(sb, "<p class=\"muted\">The seccomp emitter is not part of this build: the bar counts the "
                                "distinct syscall names recorded, without the container runtime's own.</p>\n");
        else if (ctx->opts->runtime != GEN_RUNTIME_NONE)
                strbuf_printf(sb,
                              "<p class=\"muted\">Including the syscalls %s makes between loading the filter and "
                              "starting the workload.</p>\n",
                              gen_runtime_name(ctx->opts->runtime));

        strbuf_printf(sb,
                      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"880\" height=\"%d\" role=\"img\" "
                      "aria-label=\"capabilities\">\n",
                      20 + 3 * 34);
        svg_bar(sb, 0, "Linux capabilities", ALL_CAPS, ALL_CAPS, "#c9d0dc");
        svg_bar(sb, 1, "Docker's default set", (long long)docker_caps_count(), ALL_CAPS, "#8a94a6");
        svg_bar(sb, 2, "This workload needs", (long long)f->caps_needed, ALL_CAPS, "#1f8a4c");
        strbuf_puts(sb, "</svg>\n");

        if (docker) {
                size_t n = 0;
                while (f->outside_docker[n])
                        n++;
                if (n) {
                        strbuf_printf(sb,
                                      "<p><b>%zu recorded syscall%s Docker's default profile would deny</b> "
                                      "(with its default capabilities):</p><p>",
                                      n, plural((long long)n));
                        for (size_t i = 0; i < n; i++) {
                                strbuf_puts(sb, "<span class=\"chip out\">");
                                html(sb, f->outside_docker[i]);
                                strbuf_puts(sb, "</span>");
                        }
                        strbuf_puts(sb, "</p>\n");
                } else {
                        strbuf_puts(sb, "<p>Every recorded syscall is one Docker's default profile allows.</p>\n");
                }
                strbuf_puts(sb, "<p class=\"muted\">Docker's default: ");
                html(sb, docker->source);
                strbuf_puts(sb, ", measured with ");
                html(sb, docker->measured_with);
                strbuf_printf(sb, " (x86_64, default capabilities: %d of %d).</p>\n", docker->allowed, docker->known);
        } else {
                strbuf_puts(sb, "<p class=\"muted\">Docker's default figures were not found "
                                "(templates/docker-default.json).</p>\n");
        }
        strbuf_puts(sb, "</div></section>\n");
}

/* ------------------------------------------------------------ programs */

typedef struct prog_call {
        const char *abi;
        const char *name;
        json_int_t count;
} prog_call;

typedef struct prog_row {
        const char *program;
        prog_call *calls;
        size_t n, cap;
        json_int_t total;
} prog_row;

static int cmp_row(const void *a, const void *b)
{
        return strcmp(((const prog_row *)a)->program, ((const prog_row *)b)->program);
}

static int cmp_call(const void *a, const void *b)
{
        const prog_call *x = a, *y = b;
        int c = strcmp(x->name, y->name);
        return c ? c : strcmp(x->abi, y->abi);
}

typedef struct program_scan {
        hashmap *rows;
        const trace_syscall *sc;
} program_scan;

static int row_program(const trace_program *p, void *ud)
{
        program_scan *ps = ud;
        prog_row *r = hashmap_get(ps->rows, p->program);
        if (!r) {
                r = xcalloc(1, sizeof *r);
                r->program = p->program;
                hashmap_put(ps->rows, p->program, r);
        }
        if (r->n == r->cap) {
                r->cap = r->cap ? r->cap * 2 : 32;
                r->calls = xrealloc(r->calls, r->cap * sizeof *r->calls);
        }
        json_int_t c = p->count > 0 ? p->count : 0;
        r->calls[r->n++] = (prog_call){ trace_abi_name(ps->sc->abi), ps->sc->name, c };
        r->total += c;
        return 0;
}

static int row_syscall(const trace_syscall *sc, void *ud)
{
        program_scan *ps = ud;
        ps->sc = sc;
        return trace_foreach_program(sc->usage, row_program, ps);
}

static void section_programs(strbuf *sb, const gen_context *ctx, const report_docker *docker)
{
        hashmap *rows = hashmap_new();
        program_scan ps = { .rows = rows };
        for (int abi = 0; abi < _TRACE_ABI_MAX; abi++)
                trace_foreach_syscall(ctx->t, abi, row_syscall, &ps);
        size_t nrows = hashmap_size(rows), i = 0, pos = 0;
        prog_row *sorted = xcalloc(nrows + 1, sizeof *sorted);
        const char *key;
        void *val;
        size_t widest = 1;
        while (hashmap_next(rows, &pos, &key, &val)) {
                sorted[i] = *(prog_row *)val;
                if (sorted[i].n > widest)
                        widest = sorted[i].n;
                free(val);
                i++;
        }
        hashmap_free(rows, NULL);
        if (nrows)
                qsort(sorted, nrows, sizeof *sorted, cmp_row);

        strbuf_puts(sb, "<section id=\"programs\"><h2>Syscalls by program</h2>\n");
        if (docker)
                strbuf_puts(sb, "<p class=\"muted\">Highlighted: syscalls Docker's default profile would deny. "
                                "Hover a name for its count.</p>\n");
        strbuf_puts(
                sb,
                "<table class=\"progs\"><tr><th>program</th><th>distinct</th><th>calls</th><th>syscalls</th></tr>\n");
        for (i = 0; i < nrows; i++) {
                prog_row *r = &sorted[i];
                qsort(r->calls, r->n, sizeof *r->calls, cmp_call);
                strbuf_puts(sb, "<tr><td><code>");
                html_path(sb, r->program);
                strbuf_printf(sb,
                              "</code></td><td class=\"num\">%zu<div class=\"bar\" style=\"width:%dpx\"></div></td>"
                              "<td class=\"num\">",
                              r->n, (int)(r->n * 120 / widest));
                put_count(sb, (long long)r->total);
                strbuf_puts(sb, "</td><td>");
                for (size_t j = 0; j < r->n && j < CHIPS_MAX; j++) {
                        const prog_call *c = &r->calls[j];
                        bool out = docker && !strv_contains(docker->names, c->name);
                        strbuf_printf(sb, "<span class=\"chip%s\" title=\"", out ? " out" : "");
                        attr(sb, c->abi);
                        strbuf_putc(sb, ' ');
                        attr(sb, c->name);
                        strbuf_printf(sb, ": %lld call%s\">", (long long)c->count, plural((long long)c->count));
                        if (!streq(c->abi, "x86_64")) {
                                html(sb, c->abi);
                                strbuf_putc(sb, ':');
                        }
                        html(sb, c->name);
                        strbuf_puts(sb, "</span>");
                }
                if (r->n > CHIPS_MAX)
                        strbuf_printf(sb, " and %zu more", r->n - CHIPS_MAX);
                strbuf_puts(sb, "</td></tr>\n");
                free(r->calls);
        }
        if (!nrows)
                strbuf_puts(sb, "<tr><td colspan=\"4\" class=\"muted\">no syscalls</td></tr>\n");
        strbuf_puts(sb, "</table></section>\n");
        free(sorted);
}

/* ------------------------------------------------------------ file tree */

typedef struct tnode {
        char *name; /* one component, raw bytes */
        size_t len;
        const trace_file *file; /* when this is a recorded path */
        struct tnode **kids;
        size_t nkids, cap;
        size_t leaves; /* recorded paths at or below */
} tnode;

static void tnode_free(tnode *n)
{
        for (size_t i = 0; i < n->nkids; i++)
                tnode_free(n->kids[i]);
        free(n->kids);
        free(n->name);
        free(n);
}

typedef struct tpath {
        trace_file file;
        char *raw;
        size_t len;
} tpath;

/* Component order: '/' before every other byte, so that a directory's
 * paths are contiguous and in the order of their components. */
static int cmp_tpath(const void *a, const void *b)
{
        const tpath *x = a, *y = b;
        size_t n = x->len < y->len ? x->len : y->len;
        for (size_t i = 0; i < n; i++) {
                unsigned cx = (unsigned char)x->raw[i], cy = (unsigned char)y->raw[i];
                if (cx == '/')
                        cx = 0;
                if (cy == '/')
                        cy = 0;
                if (cx != cy)
                        return cx < cy ? -1 : 1;
        }
        return x->len < y->len ? -1 : x->len > y->len;
}

static tnode *tnode_child(tnode *parent, const char *name, size_t len)
{
        /* Paths come in component order: a new child always sorts after the
         * last one, so only the last needs comparing. */
        if (parent->nkids) {
                tnode *last = parent->kids[parent->nkids - 1];
                if (last->len == len && memcmp(last->name, name, len) == 0)
                        return last;
        }
        if (parent->nkids == parent->cap) {
                parent->cap = parent->cap ? parent->cap * 2 : 4;
                parent->kids = xrealloc(parent->kids, parent->cap * sizeof *parent->kids);
        }
        tnode *n = xcalloc(1, sizeof *n);
        n->name = xstrndup(name, len);
        n->len = len;
        parent->kids[parent->nkids++] = n;
        return n;
}

typedef struct tpaths {
        tpath *v;
        size_t n;
} tpaths;

static int add_tpath(const trace_file *f, void *ud)
{
        tpaths *tp = ud;
        size_t len;
        char *raw = trace_path_decode(f->path, &len);
        if (!raw) {
                raw = xstrdup(f->path);
                len = strlen(f->path);
        }
        tp->v = xrealloc(tp->v, (tp->n + 1) * sizeof *tp->v);
        tp->v[tp->n++] = (tpath){ *f, raw, len };
        return 0;
}

/* The tree of the recorded paths; its nodes point into `paths` (freed by
 * the caller after the tree). */
static tnode *tree_build(const trace *t, tpath **ret_paths)
{
        tpaths tp = { 0 };
        trace_foreach_file(t, add_tpath, &tp);
        size_t n = tp.n, i;
        tpath *paths = tp.v;
        if (n)
                qsort(paths, n, sizeof *paths, cmp_tpath);
        tnode *root = xcalloc(1, sizeof *root);
        for (i = 0; i < n; i++) {
                tnode *cur = root;
                const char *p = paths[i].raw, *end = p + paths[i].len;
                cur->leaves++;
                while (p < end) {
                        while (p < end && *p == '/')
                                p++;
                        if (p == end)
                                break;
                        const char *slash = memchr(p, '/', (size_t)(end - p));
                        const char *stop = slash ? slash : end;
                        cur = tnode_child(cur, p, (size_t)(stop - p));
                        cur->leaves++;
                        p = stop;
                }
                if (cur == root) { /* "/" itself */
                        cur = tnode_child(root, "/", 1);
                        cur->leaves++;
                }
                cur->file = &paths[i].file;
                free(paths[i].raw);
        }
        *ret_paths = paths;
        return root;
}

static int put_access_kind(const char *kind, const trace_results *results, void *ud)
{
        strbuf *sb = ud;
        size_t nr;
        _cleanup_free_ const char **res = trace_result_names(results, &nr);
        bool ok = trace_result(results, "ok") != NULL;
        strbuf title = STRBUF_INIT;
        strbuf errs = STRBUF_INIT;
        for (size_t j = 0; j < nr; j++) {
                const trace_usage *u = trace_result(results, res[j]);
                json_int_t c = trace_usage_total(u);
                strbuf_printf(&title, "%s%s %s x%lld", j ? "; " : "", kind, res[j], (long long)c);
                size_t np;
                _cleanup_free_ const char **progs = trace_usage_programs(u, &np);
                for (size_t k = 0; k < np && k < 3; k++) {
                        strbuf_puts(&title, k ? ", " : " by ");
                        strbuf_puts(&title, progs[k]);
                }
                if (np > 3)
                        strbuf_printf(&title, " and %zu more", np - 3);
                if (!streq(res[j], "ok"))
                        strbuf_printf(&errs, " %s", res[j]);
        }
        strbuf_printf(sb, "<span class=\"k %s\" title=\"", ok ? "ok" : "fail");
        attr(sb, strbuf_str(&title));
        strbuf_puts(sb, "\">");
        html(sb, kind);
        if (!ok)
                html(sb, strbuf_str(&errs));
        strbuf_puts(sb, "</span>");
        strbuf_free(&title);
        strbuf_free(&errs);
        return 0;
}

/* The access kinds of a path, each as a badge: green when some call
 * succeeded, red with the errnos otherwise; the title has the counts and
 * the programs. */
static void put_access(strbuf *sb, const trace_file *file)
{
        trace_file_foreach_kind(file, put_access_kind, sb);
        const char *resolved = file->resolved;
        if (resolved) {
                strbuf_puts(sb, " <span class=\"muted\">&rarr; <code>");
                html_path(sb, resolved);
                strbuf_puts(sb, "</code></span>");
        }
}

static void tree_render(strbuf *sb, const tnode *n, int depth)
{
        /* Collapse chains of directories with one child and no data of
         * their own: usr/lib/x86_64-linux-gnu/ on one line. */
        strbuf label = STRBUF_INIT;
        html_bytes(&label, n->name, n->len);
        while (n->nkids == 1 && !n->file && n->kids[0]->nkids > 0) {
                n = n->kids[0];
                strbuf_putc(&label, '/');
                html_bytes(&label, n->name, n->len);
        }
        if (!n->nkids) {
                strbuf_puts(sb, "<li><code>");
                strbuf_puts(sb, strbuf_str(&label));
                strbuf_puts(sb, "</code>");
                if (n->file)
                        put_access(sb, n->file);
                strbuf_puts(sb, "</li>\n");
        } else {
                strbuf_printf(sb, "<li><details%s><summary><span class=\"dir\">",
                              n->leaves <= TREE_OPEN_LEAVES ? " open" : "");
                strbuf_puts(sb, strbuf_str(&label));
                strbuf_printf(sb, "/</span><span class=\"n\">%zu path%s</span>", n->leaves,
                              plural((long long)n->leaves));
                if (n->file)
                        put_access(sb, n->file);
                strbuf_puts(sb, "</summary><ul>\n");
                /* A huge directory (a cache of 100,000 files) shows its
                 * first entries only: the page stays one a browser opens. */
                size_t shown = n->nkids > TREE_MAX_ENTRIES ? TREE_MAX_ENTRIES : n->nkids;
                for (size_t i = 0; i < shown; i++)
                        tree_render(sb, n->kids[i], depth + 1);
                if (shown < n->nkids)
                        strbuf_printf(sb,
                                      "<li class=\"muted\">... %zu more entries here (files-used.txt and the trace "
                                      "have them all)</li>\n",
                                      n->nkids - shown);
                strbuf_puts(sb, "</ul></details></li>\n");
        }
        strbuf_free(&label);
}

static void section_files(strbuf *sb, const gen_context *ctx, const figures *f)
{
        strbuf_printf(sb,
                      "<section id=\"files\"><h2>Files</h2>\n<p>%zu path%s accessed, as a tree. Each path shows how "
                      "it was accessed: <span class=\"k ok\">green</span> when a call succeeded, "
                      "<span class=\"k fail\">red</span> with the errors when every call failed; hover for "
                      "counts and programs. Non-UTF-8 bytes and control characters show as "
                      "<span class=\"esc\">\\xHH</span>.</p>\n",
                      f->paths, plural((long long)f->paths));
        strbuf_puts(sb, "<div class=\"panel tree\"><ul>\n");
        tpath *paths = NULL;
        tnode *root = tree_build(ctx->t, &paths);
        if (root->nkids) {
                /* The root directory's line, then its children. */
                /* a big tree starts folded below its first level */
                strbuf_printf(sb,
                              "<li><details open><summary><span class=\"dir\">/</span><span class=\"n\">%zu path%s"
                              "</span></summary><ul>\n",
                              root->leaves, plural((long long)root->leaves));
                for (size_t i = 0; i < root->nkids; i++)
                        tree_render(sb, root->kids[i], 1);
                strbuf_puts(sb, "</ul></details></li>\n");
        } else {
                strbuf_puts(sb, "<li class=\"muted\">no file accesses</li>\n");
        }
        tnode_free(root);
        free(paths);
        strbuf_puts(sb, "</ul></div></section>\n");
}

/* ------------------------------------------------------------ capabilities */

static void section_caps(strbuf *sb, const gen_context *ctx)
{
        size_t n;
        _cleanup_free_ caps_reason *reasons = caps_reasons(ctx->t, &n);
        strbuf_puts(sb, "<section id=\"caps\"><h2>Capabilities</h2>\n<p>");
        if (ctx->caps[0]) {
                strbuf_puts(sb, "Run with <code>--cap-drop ALL</code> and ");
                for (char **c = ctx->caps; *c; c++) {
                        strbuf_puts(sb, c == ctx->caps ? "" : " ");
                        strbuf_puts(sb, "<code>--cap-add ");
                        html(sb, *c);
                        strbuf_puts(sb, "</code>");
                }
                strbuf_puts(sb, ".");
        } else {
                strbuf_puts(sb, "No capability is needed: run with <code>--cap-drop ALL</code>.");
        }
        size_t dropped = 0;
        for (size_t i = 0; mp_seccomp_docker_default_caps[i]; i++)
                if (!strv_contains(ctx->caps, mp_seccomp_docker_default_caps[i]))
                        dropped++;
        strbuf_printf(sb, " Of Docker's %zu default capabilities, %zu can go.</p>\n", docker_caps_count(), dropped);
        if (!n) {
                strbuf_puts(sb, "<p class=\"muted\">The trace records no capability use.</p></section>\n");
                return;
        }
        strbuf_puts(sb, "<table><tr><th>capability</th><th>verdict</th><th>reasons (the call, the object, the deciding "
                        "values) and programs</th></tr>\n");
        /* Needed capabilities first, then the refused ones; each by name. */
        for (int pass = 0; pass < 2; pass++) {
                for (size_t i = 0; i < n;) {
                        const char *cap = reasons[i].cap;
                        size_t j = i;
                        while (j < n && streq(reasons[j].cap, cap))
                                j++;
                        bool needed = strv_contains(ctx->caps, cap);
                        if (needed != (pass == 0)) {
                                i = j;
                                continue;
                        }
                        strbuf_puts(sb, "<tr><td><code>");
                        html(sb, cap);
                        strbuf_printf(sb, "</code></td><td><span class=\"tag %s\">%s</span>%s</td><td><ul>",
                                      needed ? "need" : "refused", needed ? "needed" : "refused, not needed",
                                      docker_cap(cap) ? " <span class=\"tag docker\">in Docker's default</span>" : "");
                        for (size_t k = i; k < j && k < i + REASONS_MAX; k++) {
                                const caps_reason *r = &reasons[k];
                                strbuf_puts(sb, "<li>");
                                html(sb, r->text);
                                if (r->ok) {
                                        strbuf_printf(sb, " <span class=\"k ok\">ok x%lld</span>", (long long)r->ok);
                                        strbuf cap_progs = STRBUF_INIT;
                                        caps_reason_programs(&cap_progs, r->results, true, 3);
                                        strbuf_puts(sb, " <span class=\"muted\">");
                                        html(sb, strbuf_str(&cap_progs));
                                        strbuf_puts(sb, "</span>");
                                        strbuf_free(&cap_progs);
                                }
                                if (r->failed) {
                                        strbuf fails = STRBUF_INIT;
                                        caps_reason_failures(&fails, r->results);
                                        strbuf_puts(sb, " <span class=\"k fail\">");
                                        html(sb, strbuf_str(&fails));
                                        strbuf_puts(sb, "</span>");
                                        strbuf_free(&fails);
                                }
                                strbuf_puts(sb, "</li>");
                        }
                        if (j - i > REASONS_MAX)
                                strbuf_printf(sb, "<li class=\"muted\">and %zu more</li>", j - i - REASONS_MAX);
                        strbuf_puts(sb, "</ul></td></tr>\n");
                        i = j;
                }
        }
        strbuf_puts(sb, "</table></section>\n");
}

/* ------------------------------------------------------------ network, runs */

/* Linux's default ip_local_port_range: the ports the kernel picks for a
 * socket that did not bind one (a client's own end, what accept reports). */
#define EPHEMERAL_LO 32768
#define EPHEMERAL_HI 60999

/* The port of "HOST:PORT" when it is an ephemeral one, else -1; *hostlen
 * gets the length of HOST. */
static long ephemeral_port(const char *addr, size_t *hostlen)
{
        const char *colon = strrchr(addr, ':');
        if (!colon || !colon[1])
                return -1;
        char *end;
        long port = strtol(colon + 1, &end, 10);
        if (*end || port < EPHEMERAL_LO || port > EPHEMERAL_HI)
                return -1;
        *hostlen = (size_t)(colon - addr);
        return port;
}

static void network_row(strbuf *body, const char *op, const char *fam, const char *res, const trace_usage *u,
                        const char *addr_html, long long count)
{
        strbuf_puts(body, "<tr><td>");
        html(body, op);
        strbuf_puts(body, "</td><td>");
        html(body, fam);
        strbuf_puts(body, "</td><td>");
        strbuf_puts(body, addr_html);
        strbuf_printf(body, "</td><td><span class=\"k %s\">", streq(res, "ok") ? "ok" : "fail");
        html(body, res);
        strbuf_printf(body, " x%lld</span></td><td>", count);
        put_programs(body, u, 3);
        strbuf_puts(body, "</td></tr>\n");
}

typedef struct endpoints {
        trace_endpoint *v;
        size_t n;
} endpoints;

static int add_endpoint(const trace_endpoint *e, void *ud)
{
        endpoints *es = ud;
        es->v = xrealloc(es->v, (es->n + 1) * sizeof *es->v);
        es->v[es->n++] = *e;
        return 0;
}

/* The rows of one operation and family: addr[0..na), sorted. */
static void network_group(strbuf *body, const trace_endpoint *addr, size_t na, size_t *rows, size_t *folded)
{
        const char *op = addr[0].op, *fam = addr[0].family;
        /* Per result: the ephemeral ports of one host fold into one row. */
        hashmap *seen = hashmap_new();
        for (size_t k = 0; k < na; k++) {
                const trace_results *results = addr[k].results;
                size_t nr;
                _cleanup_free_ const char **res = trace_result_names(results, &nr);
                for (size_t l = 0; l < nr; l++) {
                        const trace_usage *u = trace_result(results, res[l]);
                        size_t hl = 0;
                        long port = ephemeral_port(addr[k].address, &hl);
                        size_t same = 0;
                        long long total = 0;
                        _cleanup_free_ char *key =
                                port >= 0 ? xasprintf("%.*s|%s", (int)hl, addr[k].address, res[l]) : NULL;
                        if (port >= 0 && hashmap_get(seen, key))
                                continue; /* folded into the row of the first one */
                        if (port >= 0)
                                for (size_t m = k; m < na; m++) {
                                        size_t hl2 = 0;
                                        const trace_usage *u2 = trace_result(addr[m].results, res[l]);
                                        if (u2 && ephemeral_port(addr[m].address, &hl2) >= 0 && hl2 == hl &&
                                            strncmp(addr[m].address, addr[k].address, hl) == 0) {
                                                same++;
                                                total += (long long)trace_usage_total(u2);
                                        }
                                }
                        strbuf cell = STRBUF_INIT;
                        if (same > 1) {
                                hashmap_put(seen, key, (void *)1);
                                _cleanup_free_ char *host = xstrndup(addr[k].address, hl);
                                strbuf_puts(&cell, "<details><summary><code>");
                                html_path(&cell, host);
                                strbuf_printf(&cell,
                                              ":%d-%d</code> <span class=\"n\">%zu ephemeral "
                                              "ports</span></summary><code>",
                                              EPHEMERAL_LO, EPHEMERAL_HI, same);
                                size_t shown = 0;
                                for (size_t m = k; m < na; m++) {
                                        size_t hl2 = 0;
                                        if (trace_result(addr[m].results, res[l]) &&
                                            ephemeral_port(addr[m].address, &hl2) >= 0 && hl2 == hl &&
                                            strncmp(addr[m].address, addr[k].address, hl) == 0)
                                                strbuf_printf(&cell, "%s%s", shown++ ? " " : "",
                                                              addr[m].address + hl + 1);
                                }
                                strbuf_puts(&cell, "</code></details>");
                                *folded += same - 1;
                        } else {
                                strbuf_puts(&cell, "<code>");
                                html_path(&cell, addr[k].address);
                                strbuf_puts(&cell, "</code>");
                                total = (long long)trace_usage_total(u);
                        }
                        network_row(body, op, fam, res[l], u, strbuf_str(&cell), total);
                        strbuf_free(&cell);
                        (*rows)++;
                }
        }
        hashmap_free(seen, NULL);
}

static void section_network(strbuf *sb, const gen_context *ctx)
{
        strbuf_puts(sb, "<section id=\"network\"><h2>Network</h2>\n");
        size_t rows = 0, folded = 0;
        strbuf body = STRBUF_INIT;
        endpoints es = { 0 };
        trace_foreach_endpoint(ctx->t, NULL, NULL, add_endpoint, &es);
        for (size_t i = 0, j; i < es.n; i = j) {
                for (j = i + 1; j < es.n && streq(es.v[j].op, es.v[i].op) && streq(es.v[j].family, es.v[i].family);)
                        j++;
                network_group(&body, &es.v[i], j - i, &rows, &folded);
        }
        free(es.v);
        if (rows) {
                if (folded)
                        strbuf_printf(sb,
                                      "<p>Ephemeral ports (%d-%d, the kernel's choice for a socket that bound none) "
                                      "of one host are folded into one row: %zu rows fewer.</p>\n",
                                      EPHEMERAL_LO, EPHEMERAL_HI, folded);
                strbuf_puts(sb, "<table><tr><th>operation</th><th>family</th><th>address</th><th>result</th>"
                                "<th>programs</th></tr>\n");
                strbuf_puts(sb, strbuf_str(&body));
                strbuf_puts(sb, "</table>\n");
        } else {
                strbuf_puts(sb, "<p class=\"muted\">No bind, connect or addressed send was recorded.</p>\n");
        }
        strbuf_free(&body);
        strbuf_puts(sb, "</section>\n");
}

static int uring_row(const trace_uring_op *op, void *ud)
{
        strbuf *sb = ud;
        strbuf_puts(sb, "<tr><td><code>");
        html(sb, op->ring);
        strbuf_puts(sb, "</code></td><td><code>");
        html(sb, op->opcode);
        strbuf_printf(sb, "</code></td><td>%lld</td><td>", (long long)op->count);
        put_programs(sb, op->usage, 3);
        strbuf_puts(sb, "</td></tr>\n");
        return 0;
}

static int uring_unrecordable(const char *reason, const trace_usage *u, void *ud)
{
        strbuf *sb = ud;
        strbuf_puts(sb, "<li>");
        html(sb, reason);
        strbuf_printf(sb, " x%lld</li>\n", (long long)trace_usage_total(u));
        return 0;
}

/* io_uring: the rings, their opcodes, what could not be recorded. */
static void section_uring(strbuf *sb, const gen_context *ctx)
{
        if (!trace_uses_uring(ctx->t))
                return;
        strbuf_puts(sb, "<section id=\"io_uring\"><h2>io_uring</h2>\n<p>The workload used io_uring. Operations "
                        "submitted through a ring are not syscalls: seccomp cannot mediate them (it sees only "
                        "io_uring_setup and io_uring_enter). AppArmor still applies to the files a ring opens; the "
                        "recorder read the submission queues, so those are in the profiles.</p>\n");
        strbuf_puts(sb,
                    "<table><tr><th>ring (setup flags)</th><th>opcode</th><th>entries</th><th>programs</th></tr>\n");
        trace_foreach_uring_op(ctx->t, uring_row, sb);
        strbuf_puts(sb, "</table>\n");
        strbuf items = STRBUF_INIT;
        trace_foreach_uring_unrecordable(ctx->t, uring_unrecordable, &items);
        if (items.len) {
                strbuf_puts(sb, "<p><strong>Not recorded:</strong></p><ul>\n");
                strbuf_puts(sb, strbuf_str(&items));
                strbuf_puts(sb, "</ul>\n");
        }
        strbuf_free(&items);
        strbuf_puts(sb, "</section>\n");
}

static int run_row(const trace_run *run, void *ud)
{
        strbuf *sb = ud;
        strbuf_puts(sb, "<tr><td><code>");
        put_command(sb, run);
        strbuf_printf(sb, "</code></td><td class=\"num\">%lld", run->has_exit ? (long long)run->status : -1LL);
        if (run->signal) {
                strbuf_puts(sb, " (");
                html(sb, run->signal);
                strbuf_putc(sb, ')');
        }
        strbuf_puts(sb, "</td><td>");
        html(sb, run->mode ?: "");
        if (run->has_credentials)
                strbuf_printf(sb, "</td><td>%lld:%lld", (long long)run->uid, (long long)run->gid);
        else
                strbuf_puts(sb, "</td><td>");
        strbuf_printf(sb, "</td><td>%s</td><td>", run->no_new_privs ? "yes" : "no");
        html(sb, run->recorder ?: "");
        strbuf_puts(sb, "</td><td>");
        const char *started = run->started, *finished = run->finished;
        if (started) {
                html(sb, started);
                if (finished && strcmp(finished, started)) {
                        strbuf_puts(sb, " to ");
                        html(sb, finished);
                }
        } else {
                strbuf_puts(sb, "not recorded");
        }
        strbuf_puts(sb, "</td><td>");
        const char *host = run->host, *kernel = run->kernel;
        if (host)
                html_path(sb, host);
        if (kernel) {
                strbuf_puts(sb, host ? " (" : "");
                html_path(sb, kernel);
                strbuf_puts(sb, host ? ")" : "");
        }
        if (!host && !kernel)
                strbuf_puts(sb, "not recorded");
        strbuf_puts(sb, "</td></tr>\n");
        return 0;
}

static void section_runs(strbuf *sb, const gen_context *ctx)
{
        strbuf_puts(sb, "<section id=\"runs\"><h2>Recordings</h2>\n<table><tr><th>command</th><th>exit</th>"
                        "<th>mode</th><th>user</th><th>no_new_privs</th><th>recorder</th><th>recorded (UTC)</th>"
                        "<th>host</th></tr>\n");
        trace_foreach_run(ctx->t, run_row, sb);
        strbuf_puts(sb, "</table>\n<p class=\"muted\">How each run was recorded: the mode (seccomp stops, "
                        "<code>+count</code> for calls counted in the kernel, ptrace stops), the user it ran as "
                        "(record as the production user: <code>minpriv record --image IMAGE --user UID:GID</code>), "
                        "the recorder's version, when (UTC) and on which host and kernel it ran (traces older than "
                        "these fields say not recorded); the profiles never depend on them. Paths under "
                        "<code>@{WORKSPACE}</code> came from a checkout recorded "
                        "with <code>--workspace</code>, paths of an image from <code>record --image</code>.</p>"
                        "</section>\n");
}

/* ------------------------------------------------------------ hardening and profiles */

/* One generated file's text (emitters are pure: nothing to take back);
 * NULL when it could not be made. */
static char *emitted(const gen_context *ctx, int (*emit)(const gen_context *, char **, mp_error *))
{
        char *text = NULL;
        mp_error err = { 0 };
        int r = emit(ctx, &text, &err);
        return r < 0 ? NULL : text;
}

/* Text for a <pre>: escaped line by line, the newlines kept. */
static void html_lines(strbuf *sb, const char *s)
{
        for (;;) {
                const char *nl = strchr(s, '\n');
                html_bytes(sb, s, nl ? (size_t)(nl - s) : strlen(s));
                if (!nl)
                        return;
                strbuf_putc(sb, '\n');
                s = nl + 1;
        }
}

/* Markdown inline text: `code` spans as <code>, the rest escaped. */
static void md_inline(strbuf *sb, const char *s, size_t n)
{
        bool code = false;
        size_t start = 0;
        for (size_t i = 0; i <= n; i++) {
                if (i == n || s[i] == '`') {
                        if (code)
                                strbuf_puts(sb, "<code>");
                        html_bytes(sb, s + start, i - start);
                        if (code)
                                strbuf_puts(sb, "</code>");
                        code = !code;
                        start = i + 1;
                }
        }
}

/* A fenced block of hardening.md (```lang ... ```), or NULL. */
static char *md_block(const char *md, const char *lang)
{
        _cleanup_free_ char *open = xasprintf("```%s\n", lang);
        const char *b = strstr(md, open);
        if (!b)
                return NULL;
        b += strlen(open);
        const char *e = strstr(b, "```");
        return e ? xstrndup(b, (size_t)(e - b)) : NULL;
}

static void section_hardening(strbuf *sb, const gen_context *ctx)
{
        _cleanup_free_ char *md = emitted(ctx, gen_emit_hardening_md);
        strbuf_puts(sb, "<section id=\"hardening\"><h2>Hardening checklist</h2>\n");
        if (!md) {
                strbuf_puts(sb, "<p class=\"muted\">hardening.md could not be generated.</p></section>\n");
                return;
        }
        /* the checklist table: the rows after "## Checklist" */
        const char *t = strstr(md, "## Checklist\n");
        if (t) {
                strbuf_puts(sb, "<table><tr><th>#</th><th>item</th><th>verdict</th><th>flag</th></tr>\n");
                const char *line = strchr(t, '\n') + 1;
                while (*line == '\n')
                        line++;
                for (; *line == '|'; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : line + strlen(line)) {
                        const char *end = strchr(line, '\n');
                        size_t n = end ? (size_t)(end - line) : strlen(line);
                        if (n > 2 && (strncmp(line, "| # ", 4) == 0 || strncmp(line, "|---", 4) == 0))
                                continue;
                        strbuf_puts(sb, "<tr>");
                        const char *c = line + 1;
                        while (c < line + n) {
                                const char *bar = memchr(c, '|', (size_t)(line + n - c));
                                if (!bar)
                                        break;
                                const char *a = c, *z = bar;
                                while (a < z && *a == ' ')
                                        a++;
                                while (z > a && z[-1] == ' ')
                                        z--;
                                strbuf_puts(sb, "<td>");
                                md_inline(sb, a, (size_t)(z - a));
                                strbuf_puts(sb, "</td>");
                                c = bar + 1;
                        }
                        strbuf_puts(sb, "</tr>\n");
                }
                strbuf_puts(sb, "</table>\n");
        }
        _cleanup_free_ char *run = md_block(md, "sh");
        _cleanup_free_ char *compose = md_block(md, "yaml");
        if (run) {
                strbuf_puts(sb, "<p>Ready to paste (<code>IMAGE</code> is the image; paths relative to the profiles' "
                                "directory):</p><pre>");
                html_lines(sb, run);
                strbuf_puts(sb, "</pre>\n");
        }
        if (compose) {
                strbuf_puts(sb, "<details><summary>docker-compose service</summary><pre>");
                html_lines(sb, compose);
                strbuf_puts(sb, "</pre></details>\n");
        }
        strbuf_puts(sb, "<details><summary>hardening.md in full (the evidence behind each verdict)</summary><pre>");
        html_lines(sb, md);
        strbuf_puts(sb, "</pre></details>\n</section>\n");
}

static void section_profiles(strbuf *sb, const gen_context *ctx)
{
        static const struct {
                const char *file;
                int (*emit)(const gen_context *, char **, mp_error *);
        } files[] = {
                { "seccomp.json", gen_emit_seccomp_json },
                { "apparmor.profile", gen_emit_apparmor_profile },
                { "caps.txt", gen_emit_caps_txt },
        };
        strbuf_puts(sb, "<section id=\"profiles\"><h2>The profiles</h2>\n<p>What <code>minpriv generate</code> "
                        "writes from the same traces, folded:</p>\n");
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *text = emitted(ctx, files[i].emit);
                strbuf_printf(sb, "<details><summary><code>%s</code>", files[i].file);
                if (text) {
                        size_t lines = 0;
                        for (const char *p = text; *p; p++)
                                lines += *p == '\n';
                        strbuf_printf(sb, " <span class=\"n\">%zu line%s</span></summary><pre>", lines,
                                      plural((long long)lines));
                        html_lines(sb, text);
                        strbuf_puts(sb, "</pre>");
                } else {
                        strbuf_puts(sb, "</summary><p class=\"muted\">not generated (see above)</p>");
                }
                strbuf_puts(sb, "</details>\n");
        }
        strbuf_puts(sb, "</section>\n");
}

/* Items seen in only some runs of one repeated workload (see seen.h). */
static void section_stability(strbuf *sb, const gen_context *ctx)
{
        trace *t = (trace *)ctx->t;
        if (trace_runs(t) < 2 || !trace_runs_same_command(t))
                return;
        size_t n;
        json_int_t runs;
        trace_unstable *u = trace_unstable_list(t, &n, &runs);
        strbuf_puts(sb, "<section id=\"stability\"><h2>Stability across runs</h2>\n");
        if (n == 0) {
                strbuf_printf(sb,
                              "<p>Every syscall, argument value, path and capability was seen in all %lld runs of "
                              "the same command.</p></section>\n",
                              (long long)runs);
                return;
        }
        strbuf_printf(sb,
                      "<p>%zu item%s seen in only some of the %lld runs of the same command: paths whose taking "
                      "depends on timing or input. A recording without one of them gives a profile that fails "
                      "now and then, and paths like them that no run took may exist.</p>\n<ul>\n",
                      n, n == 1 ? "" : "s", (long long)runs);
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *line = trace_unstable_sentence(&u[i], runs);
                strbuf_puts(sb, "<li><code>");
                if (u[i].kind == TRACE_SEEN_FILE)
                        html_path(sb, u[i].label);
                else
                        html(sb, u[i].label);
                strbuf_puts(sb, "</code>");
                html(sb, line + strlen(u[i].label));
                strbuf_puts(sb, "</li>\n");
        }
        strbuf_puts(sb, "</ul></section>\n");
        trace_unstable_free(u, n);
}

/* ------------------------------------------------------------ entry points */

void report_docker_free(report_docker *d)
{
        if (!d)
                return;
        strv_free(d->names);
        free(d->source);
        free(d->measured_with);
        memset(d, 0, sizeof *d);
}

int report_docker_load(const char *dir, report_docker *ret, mp_error *err)
{
        _cleanup_free_ char *path = xasprintf("%s/docker-default.json", dir);
        struct stat st;
        if (stat(path, &st) < 0)
                return -ENOENT;
        json_error_t jerr;
        json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
        if (!root)
                return mp_error_set_json(err, path, &jerr, NULL);
        const json_t *x = json_object_get(root, "x86_64");
        const json_t *names = json_object_get(x, "names");
        const char *format = json_string_value(json_object_get(root, "format"));
        int r = 0;
        if (!format || !streq(format, "minpriv-docker-default") || !json_is_integer(json_object_get(x, "allowed")) ||
            !json_is_integer(json_object_get(x, "known")) || !json_is_array(names) ||
            !json_is_string(json_object_get(root, "source")) ||
            !json_is_string(json_object_get(root, "measured_with"))) {
                r = mp_error_set(err, -EINVAL, path,
                                 "not a minpriv-docker-default file (format, source, measured_with, "
                                 "x86_64.allowed, x86_64.known, x86_64.names)");
                goto out;
        }
        report_docker d = { 0 };
        d.allowed = (int)json_integer_value(json_object_get(x, "allowed"));
        d.known = (int)json_integer_value(json_object_get(x, "known"));
        d.names = xcalloc(json_array_size(names) + 1, sizeof *d.names);
        size_t i;
        const json_t *v;
        json_array_foreach (names, i, v) {
                if (!json_is_string(v)) {
                        strv_free(d.names);
                        r = mp_error_set(err, -EINVAL, path, "x86_64.names[%zu] is not a string", i);
                        goto out;
                }
                d.names[i] = xstrdup(json_string_value(v));
        }
        if ((size_t)d.allowed != json_array_size(names) || d.allowed > d.known) {
                strv_free(d.names);
                r = mp_error_set(err, -EINVAL, path,
                                 "x86_64.allowed (%d) does not match its %zu names or exceeds known", d.allowed,
                                 json_array_size(names));
                goto out;
        }
        d.source = xstrdup(json_string_value(json_object_get(root, "source")));
        d.measured_with = xstrdup(json_string_value(json_object_get(root, "measured_with")));
        *ret = d;
out:
        json_decref(root);
        return r;
}

/* A finding's Markdown: `code` spans become <code>, the rest is escaped. */
static void html_md(strbuf *sb, const char *s)
{
        bool code = false;
        for (const char *p = s; *p;) {
                size_t n = strcspn(p, "`");
                _cleanup_free_ char *part = xstrndup(p, n);
                html(sb, part);
                p += n;
                if (*p == '`') {
                        strbuf_puts(sb, code ? "</code>" : "<code>");
                        code = !code;
                        p++;
                }
        }
        if (code)
                strbuf_puts(sb, "</code>");
}

/* The image half: the Dockerfile findings (generate --dockerfile), beside
 * the runtime sections. */
static void section_image(strbuf *sb, const gen_context *ctx)
{
        const gen_dockerfile *df = ctx->dockerfile;
        if (!df)
                return;
        size_t nf = gen_dockerfile_flagged(df);
        strbuf_puts(sb, "<section id=\"image\"><h2>Image (Dockerfile)</h2>\n<p><code>");
        html(sb, df->path);
        strbuf_printf(sb,
                      "</code>: %d stage%s; <b>%zu flagged</b>, %zu note%s. Scanning and signing are left to "
                      "scanners (Trivy, Grype, Docker Scout) and signers (cosign, Notation).</p>\n",
                      df->nstages, df->nstages == 1 ? "" : "s", nf, df->n - nf, df->n - nf == 1 ? "" : "s");
        if (df->n) {
                strbuf_puts(sb, "<table><tr><th>line</th><th>check</th><th>verdict</th><th>finding</th></tr>\n");
                for (size_t i = 0; i < df->n; i++) {
                        const gen_df_finding *f = &df->findings[i];
                        strbuf_printf(sb, "<tr><td>%d</td><td>", f->line);
                        html(sb, f->check);
                        strbuf_printf(sb, "</td><td>%s</td><td>", f->flagged ? "<b>flagged</b>" : "note");
                        html_md(sb, f->text);
                        strbuf_puts(sb, "</td></tr>\n");
                }
                strbuf_puts(sb, "</table>\n");
        }
        strbuf_puts(sb, "</section>\n");
}

/* "12.3 MiB" */
static void put_bytes(strbuf *sb, uint64_t bytes)
{
        _cleanup_free_ char *s = human_bytes(bytes);
        strbuf_puts(sb, s);
}

/* "0.0183%" of the source */
static void put_share(strbuf *sb, uint64_t part, uint64_t whole)
{
        if (whole)
                strbuf_printf(sb, "%.3g%%", 100.0 * (double)part / (double)whole);
        else
                strbuf_puts(sb, "-");
}

/* Two bars, the source and the image, on one scale. */
static void image_bars(strbuf *sb, const char *what, uint64_t before, uint64_t after, bool bytes)
{
        const int left = 250, width = 560;
        strbuf_printf(sb,
                      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"880\" height=\"88\" role=\"img\" "
                      "aria-label=\"%s\">\n",
                      what);
        const uint64_t v[2] = { before, after };
        const char *const label[2] = { "source", "minimal image" };
        const char *const color[2] = { "#8a94a6", "#1f8a4c" };
        for (int i = 0; i < 2; i++) {
                int y = 14 + i * 34;
                int w = before ? (int)((double)v[i] * width / (double)before + 0.5) : 0;
                if (v[i] && w < 2)
                        w = 2;
                strbuf_printf(sb, "<text x=\"0\" y=\"%d\" font-size=\"14\" fill=\"#1d2433\">%s, %s</text>", y + 15,
                              what, label[i]);
                strbuf_printf(sb, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"22\" rx=\"3\" fill=\"%s\"/>", left, y,
                              w, color[i]);
                strbuf_printf(sb, "<text x=\"%d\" y=\"%d\" font-size=\"14\" font-weight=\"700\" fill=\"#1d2433\">",
                              left + w + 8, y + 16);
                if (bytes)
                        put_bytes(sb, v[i]);
                else
                        put_count(sb, (long long)v[i]);
                strbuf_puts(sb, "</text>\n");
        }
        strbuf_puts(sb, "</svg>\n");
}

static void image_notes(strbuf *sb, const char *title, const image_note *v, size_t n)
{
        if (!n)
                return;
        strbuf_printf(sb, "<p><b>%zu %s:</b></p><ul>\n", n, title);
        for (size_t i = 0; i < n && i < 100; i++) {
                strbuf_puts(sb, "<li><code>");
                html(sb, v[i].path);
                strbuf_puts(sb, "</code>: ");
                html(sb, v[i].why);
                strbuf_puts(sb, "</li>\n");
        }
        if (n > 100)
                strbuf_printf(sb, "<li>and %zu more (image.json lists them all)</li>\n", n - 100);
        strbuf_puts(sb, "</ul>\n");
}

static void image_proof(strbuf *sb, const image_findings *img)
{
        strbuf_printf(sb, "<h3>Proof: %s</h3>\n", image_proof_result_name(img->proof));
        if (img->proof == IMAGE_PROOF_NOT_RUN) {
                strbuf_puts(sb, "<p>The workload was not run in the image");
                if (img->proof_note) {
                        strbuf_puts(sb, ": ");
                        html(sb, img->proof_note);
                }
                strbuf_puts(sb, ".</p>\n");
                return;
        }
        strbuf_puts(sb, "<p>Each recorded command, run in the image alone (no bind mount of the host's files) with "
                        "the generated profiles and hardening.md's mounts:</p>\n");
        for (size_t i = 0; i < img->nruns; i++) {
                const image_proof_run *r = &img->runs[i];
                strbuf_puts(sb, "<pre>docker run --rm");
                for (char **o = img->options; o && *o; o++) {
                        strbuf_puts(sb, " ");
                        html(sb, *o);
                }
                strbuf_puts(sb, " ");
                html(sb, img->tag ? img->tag : "IMAGE");
                for (char **a = r->argv; a && *a; a++) {
                        strbuf_puts(sb, " ");
                        html(sb, *a);
                }
                strbuf_puts(sb, "</pre>\n<p>");
                if (r->passed)
                        strbuf_printf(sb, "<span class=\"k ok\">passed</span> exit status %d, as recorded.", r->status);
                else if (r->timed_out)
                        strbuf_puts(sb, "<span class=\"chip out\">failed</span> it did not finish in time.");
                else
                        strbuf_printf(sb, "<span class=\"chip out\">failed</span> exit status %d, recorded %d.",
                                      r->status, r->expected);
                strbuf_puts(sb, "</p>\n");
                if (r->missing) {
                        strbuf_puts(sb, "<p>Missing in the image:</p><p>");
                        for (char **m = r->missing; *m; m++) {
                                strbuf_puts(sb, "<span class=\"chip out\">");
                                html(sb, *m);
                                strbuf_puts(sb, "</span>");
                        }
                        strbuf_puts(sb, "</p>\n");
                }
                if (r->diagnosis) {
                        strbuf_puts(sb, "<p class=\"muted\">");
                        html(sb, r->diagnosis);
                        strbuf_puts(sb, "</p>\n");
                }
        }
}

/* The minimal image beside the runtime findings (report --image). */
static void section_minimal_image(strbuf *sb, const image_findings *img)
{
        if (!img)
                return;
        strbuf_puts(sb, "<section id=\"minimal-image\"><h2>Minimal image</h2>\n<div class=\"cards\">\n");
        strbuf big = STRBUF_INIT, what = STRBUF_INIT;
        put_count(&big, (long long)img->after.files);
        strbuf_puts(&what, "files in the image (");
        put_count(&what, (long long)img->before.files);
        strbuf_puts(&what, " in the source), ");
        put_count(&what, (long long)img->after.dirs);
        strbuf_puts(&what, " directories");
        card(sb, strbuf_str(&big), strbuf_str(&what));
        strbuf_reset(&big), strbuf_reset(&what);
        put_bytes(&big, img->after.bytes);
        strbuf_puts(&what, "in the image: ");
        put_share(&what, img->after.bytes, img->before.bytes);
        strbuf_puts(&what, " of the source's ");
        put_bytes(&what, img->before.bytes);
        card(sb, strbuf_str(&big), strbuf_str(&what));
        strbuf_reset(&big), strbuf_reset(&what);
        strbuf_puts(&big, image_proof_result_name(img->proof));
        strbuf_puts(&what, "proof: the workload run in the image under its profiles");
        card(sb, strbuf_str(&big), strbuf_str(&what));
        strbuf_free(&big);
        strbuf_free(&what);
        strbuf_puts(sb, "</div>\n<div class=\"panel\">\n");
        image_bars(sb, "size", img->before.bytes, img->after.bytes, true);
        image_bars(sb, "files", img->before.files, img->after.files, false);
        strbuf_puts(sb, "<table><tr><th></th><th>source</th><th>minimal image</th></tr>\n");
        const struct {
                const char *name;
                uint64_t a, b;
        } rows[] = { { "files (not directories)", img->before.files, img->after.files },
                     { "of them symlinks", img->before.symlinks, img->after.symlinks },
                     { "directories", img->before.dirs, img->after.dirs },
                     { "bytes in regular files", img->before.bytes, img->after.bytes } };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                strbuf_printf(sb, "<tr><td>%s</td><td>", rows[i].name);
                put_count(sb, (long long)rows[i].a);
                strbuf_puts(sb, "</td><td>");
                put_count(sb, (long long)rows[i].b);
                strbuf_puts(sb, "</td></tr>\n");
        }
        strbuf_puts(sb, "</table>\n<p>Source <code>");
        html(sb, img->source);
        strbuf_printf(sb, "</code> (%s); tarball <code>",
                      streq(img->source_kind, "tar") ? "a tar archive" : "a directory");
        html(sb, img->tarball);
        strbuf_puts(sb, "</code> (");
        put_bytes(sb, img->tarball_bytes);
        strbuf_printf(sb, ", SHA-256 <code>%s</code>)", img->sha256);
        if (img->tag) {
                strbuf_puts(sb, ", imported as <code>");
                html(sb, img->tag);
                strbuf_puts(sb, "</code>");
        }
        strbuf_puts(sb, ".</p>\n");
        image_proof(sb, img);
        image_notes(sb, "recorded paths not in the source", img->missing, img->nmissing);
        image_notes(sb, "recorded paths left out (--exclude)", img->excluded, img->nexcluded);
        strbuf_puts(sb, "</div></section>\n");
}

int report_build(const gen_context *ctx, const report_docker *docker, const image_findings *img,
                 const char *emitter_errors, char **ret, mp_error *err)
{
        figures f;
        figures_compute(&f, ctx, docker);
        strbuf sb = STRBUF_INIT;
        strbuf_puts(&sb, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                         "<meta name=\"generator\" content=\"minpriv " MINPRIV_VERSION "\">\n<title>minpriv report: ");
        html(&sb, ctx->name);
        strbuf_puts(&sb, "</title>\n<style>\n");
        strbuf_puts(&sb, style);
        strbuf_puts(&sb, "</style>\n</head>\n<body>\n");
        section_header(&sb, ctx, img);
        if (emitter_errors && *emitter_errors) {
                strbuf_puts(&sb, "<section><div class=\"panel\" style=\"border-color:#c0392b\"><b>Some profiles could "
                                 "not be generated:</b><pre>");
                html(&sb, emitter_errors);
                strbuf_puts(&sb, "</pre></div></section>\n");
        }
        section_summary(&sb, ctx, &f, docker);
        section_sizes(&sb, ctx, &f, docker);
        section_programs(&sb, ctx, docker);
        section_files(&sb, ctx, &f);
        section_caps(&sb, ctx);
        section_image(&sb, ctx);
        section_minimal_image(&sb, img);
        section_network(&sb, ctx);
        section_uring(&sb, ctx);
        section_stability(&sb, ctx);
        section_hardening(&sb, ctx);
        section_profiles(&sb, ctx);
        section_runs(&sb, ctx);
        strbuf_puts(&sb, "</main>\n<footer>Generated by minpriv " MINPRIV_VERSION
                         " from the trace alone; the same traces always give the same page.</footer>\n"
                         "</body>\n</html>\n");
        strv_free(f.outside_docker);
        *ret = strbuf_steal(&sb);
        return 0;
}

/* The errors of the profiles gen_context_init could not build, one line
 * each (the report shows what it can without them). */
static char *profile_errors(const gen_context *ctx)
{
        const struct {
                const gen_profile *p;
                const char *file;
        } p[] = { { &ctx->seccomp, "seccomp.json" }, { &ctx->apparmor, "apparmor.profile" } };
        strbuf errors = STRBUF_INIT;
        for (size_t i = 0; i < ELEMENTSOF(p); i++) {
                if (p[i].p->rc >= 0)
                        continue;
                mp_error err = p[i].p->err;
                char buf[1024];
                if (!err.where[0])
                        snprintf(err.where, sizeof err.where, "%s", p[i].file);
                mp_error_format(&err, buf, sizeof buf);
                strbuf_printf(&errors, "%s\n", buf);
        }
        return strbuf_steal(&errors);
}

int report_generate(const trace *t, const gen_options *opts, const image_findings *img, const char *trace_name,
                    report_page *ret, mp_error *err)
{
        memset(ret, 0, sizeof *ret);
        gen_context ctx;
        int r = gen_context_init_named(&ctx, t, opts, trace_name, err);
        if (r < 0) {
                gen_context_free(&ctx);
                return r;
        }
        report_docker docker = { 0 };
        r = report_docker_load(gen_templates_dir(opts), &docker, err);
        if (r < 0 && r != -ENOENT) {
                gen_context_free(&ctx);
                return r;
        }
        ret->docker_missing = r == -ENOENT;
        ret->name = xstrdup(ctx.name);
        ret->errors = profile_errors(&ctx);
        r = report_build(&ctx, ret->docker_missing ? NULL : &docker, img, ret->errors, &ret->html, err);
        report_docker_free(&docker);
        gen_context_free(&ctx);
        return r;
}

void report_page_free(report_page *p)
{
        free(p->html);
        free(p->name);
        free(p->errors);
        memset(p, 0, sizeof *p);
}
