/* SPDX-License-Identifier: MIT */
/* caps.txt: the capabilities the workload used, for --cap-drop ALL plus
 * one --cap-add each. The format (read back by caps-file.c):
 *
 *   # header comment lines
 *   CAP_CHOWN
 *   #   <reason> [<programs>]
 *   CAP_NET_BIND_SERVICE
 *   #   <reason> [<programs>]
 *
 * One capability a line in Docker's spelling, sorted; under each, one
 * comment line per reason whose call succeeded (the syscall, the object
 * and the deciding values, as the tracer wrote them, and the programs),
 * at most CAPS_MAX_REASONS of them. Reasons whose calls only failed are
 * not capabilities the workload needs: hardening.md lists them for review.
 * No capability line at all when nothing is needed. */
#include "generator/caps.h"
#include "generator/emitters.h"
#include "trace/read.h"

#define CAPS_MAX_REASONS  10
#define CAPS_MAX_PROGRAMS 3

void gen_put_escaped(strbuf *sb, const char *s)
{
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                if (*p < 0x20 || *p == 0x7f)
                        strbuf_printf(sb, "\\x%02x", *p);
                else
                        strbuf_putc(sb, (char)*p);
        }
}

static int cmp_reason(const void *a, const void *b)
{
        const caps_reason *x = a, *y = b;
        int c = strcmp(x->cap, y->cap);
        return c ? c : strcmp(x->text, y->text);
}

typedef struct reason_list {
        caps_reason *v;
        size_t n, cap;
} reason_list;

static int collect_reason(const trace_cap_reason *cr, void *ud)
{
        reason_list *rs = ud;
        /* only other errors (ENOTDIR, ENOENT...): the kernel refused it for
         * another reason, no capability question (traces of older minpriv
         * versions have them) */
        if (!cr->ok && !cr->denied)
                return 0;
        if (rs->n == rs->cap) {
                rs->cap = rs->cap ? rs->cap * 2 : 8;
                rs->v = xrealloc(rs->v, rs->cap * sizeof *rs->v);
        }
        rs->v[rs->n++] = (caps_reason){ .cap = cr->cap,
                                        .text = cr->reason,
                                        .results = cr->results,
                                        .preexisting = cr->preexisting,
                                        .ok = cr->ok,
                                        .failed = cr->denied };
        return 0;
}

caps_reason *caps_reasons(const trace *t, size_t *ret_n)
{
        reason_list rs = { 0 };
        trace_foreach_cap_reason(t, NULL, collect_reason, &rs);
        if (rs.n)
                qsort(rs.v, rs.n, sizeof *rs.v, cmp_reason);
        *ret_n = rs.n;
        return rs.v ? rs.v : xcalloc(1, sizeof *rs.v);
}

typedef struct program_union {
        bool ok_only;
        char **names;
} program_union;

static int union_programs(const char *result, const trace_usage *u, void *ud)
{
        program_union *pu = ud;
        if (streq(result, "ok") != pu->ok_only)
                return 0;
        size_t n;
        _cleanup_free_ const char **progs = trace_usage_programs(u, &n);
        for (size_t i = 0; i < n; i++)
                strv_add(&pu->names, progs[i]);
        return 0;
}

void caps_reason_programs(strbuf *sb, const trace_results *results, bool ok_only, size_t max)
{
        program_union pu = { .ok_only = ok_only };
        trace_foreach_result(results, union_programs, &pu);
        strv_sort(pu.names);
        size_t n = strv_length(pu.names);
        for (size_t i = 0; i < n && i < max; i++) {
                if (i)
                        strbuf_puts(sb, i + 1 == n ? " and " : ", ");
                gen_put_escaped(sb, pu.names[i]);
        }
        if (n > max)
                strbuf_printf(sb, " and %zu more", n - max);
        strv_free(pu.names);
}

static int put_refusal(const char *result, const trace_usage *u, void *ud)
{
        strbuf *sb = ud;
        if (!streq(result, "EPERM") && !streq(result, "EACCES"))
                return 0;
        strbuf_printf(sb, "%s%s x%lld", sb->len ? ", " : "", result, (long long)trace_usage_total(u));
        return 0;
}

void caps_reason_failures(strbuf *sb, const trace_results *results)
{
        strbuf part = STRBUF_INIT;
        trace_foreach_result(results, put_refusal, &part);
        strbuf_puts(sb, strbuf_str(&part));
        strbuf_free(&part);
}

int gen_emit_caps_txt(const gen_context *ctx, char **ret, mp_error *err)
{
        strbuf sb = STRBUF_INIT;
        size_t n;
        _cleanup_free_ caps_reason *reasons = caps_reasons(ctx->t, &n);
        size_t denied = 0, preexisting = 0;
        for (size_t i = 0; i < n; i++) {
                if (reasons[i].failed)
                        denied++;
                if (reasons[i].ok && reasons[i].preexisting)
                        preexisting++;
        }

        strbuf_printf(&sb, "# Capabilities for %s (minpriv).\n", ctx->name);
        if (!ctx->caps[0]) {
                strbuf_puts(&sb, "# None needed: run with --cap-drop ALL and no --cap-add.\n");
        } else {
                strbuf_puts(&sb, "# Run with --cap-drop ALL and one --cap-add for each line below (compose:\n"
                                 "# cap_drop [ALL], cap_add). Under each, the calls that used it: the syscall,\n"
                                 "# the object and the deciding values, and [the programs].\n");
        }
        if (denied)
                strbuf_printf(&sb,
                              "# %zu kind%s of call %s refused a capability while recorded (not listed for that): see\n"
                              "# \"Denied during recording\" in hardening.md.\n",
                              denied, denied == 1 ? "" : "s", denied == 1 ? "was" : "were");

        if (preexisting) {
                strbuf_printf(
                        &sb,
                        "# %zu reason%s marked (pre-existing state) depend%s on state from before the recording:\n",
                        preexisting, preexisting == 1 ? "" : "s", preexisting == 1 ? "s" : "");
                /* the advice, wrapped as comment lines */
                const char *adv = CAPS_PREEXISTING_ADVICE ".";
                size_t col = 0;
                strbuf_puts(&sb, "#");
                for (const char *w = adv; *w;) {
                        size_t len = strcspn(w, " ");
                        if (col && col + 1 + len > 96) {
                                strbuf_puts(&sb, "\n#");
                                col = 0;
                        }
                        strbuf_putc(&sb, ' ');
                        strbuf_add(&sb, w, len);
                        col += 1 + len;
                        w += len;
                        while (*w == ' ')
                                w++;
                }
                strbuf_putc(&sb, '\n');
        }
        for (char **c = ctx->caps; *c; c++) {
                strbuf_printf(&sb, "%s\n", *c);
                size_t shown = 0, total = 0;
                for (size_t i = 0; i < n; i++) {
                        if (!streq(reasons[i].cap, *c) || !reasons[i].ok)
                                continue;
                        total++;
                        if (shown == CAPS_MAX_REASONS)
                                continue;
                        shown++;
                        strbuf_puts(&sb, "#   ");
                        gen_put_escaped(&sb, reasons[i].text);
                        strbuf_puts(&sb, " [");
                        caps_reason_programs(&sb, reasons[i].results, true, CAPS_MAX_PROGRAMS);
                        strbuf_puts(&sb, reasons[i].preexisting ? "] (pre-existing state)\n" : "]\n");
                }
                if (total > shown)
                        strbuf_printf(&sb, "#   ... and %zu more (minpriv explain TRACE %s)\n", total - shown, *c);
        }
        *ret = strbuf_steal(&sb);
        return 0;
}
