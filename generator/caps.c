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

caps_reason *caps_reasons(const trace *t, size_t *ret_n)
{
        json_t *caps = json_object_get(t->root, "capabilities");
        size_t n = 0, cap = 0;
        caps_reason *out = NULL;
        const char *cn, *rt;
        json_t *reasons, *node;
        json_object_foreach (caps, cn, reasons) {
                json_object_foreach (reasons, rt, node) {
                        if (n == cap) {
                                cap = cap ? cap * 2 : 8;
                                out = xrealloc(out, cap * sizeof *out);
                        }
                        caps_reason *r = &out[n++];
                        *r = (caps_reason){ .cap = cn,
                                            .text = rt,
                                            .node = node,
                                            .preexisting = json_is_true(json_object_get(node, "preexisting")) };
                        const char *res;
                        json_t *u;
                        json_object_foreach (json_object_get(node, "results"), res, u) {
                                if (streq(res, "ok"))
                                        r->ok += trace_usage_count(u);
                                else if (streq(res, "EPERM") || streq(res, "EACCES"))
                                        r->failed += trace_usage_count(u);
                        }
                        /* only other errors (ENOTDIR, ENOENT...): the kernel
                         * refused it for another reason, no capability
                         * question (traces of older minpriv versions have them) */
                        if (!r->ok && !r->failed)
                                n--;
                }
        }
        if (n)
                qsort(out, n, sizeof *out, cmp_reason);
        *ret_n = n;
        return out ? out : xcalloc(1, sizeof *out);
}

void caps_reason_programs(strbuf *sb, const json_t *node, bool ok_only, size_t max)
{
        /* The union of the programs under the chosen results. */
        json_t *set = json_object();
        const char *res, *prog;
        json_t *u, *pv;
        json_object_foreach (json_object_get(node, "results"), res, u) {
                if (streq(res, "ok") != ok_only)
                        continue;
                json_object_foreach (json_object_get(u, "programs"), prog, pv)
                        json_object_set_new(set, prog, json_true());
        }
        size_t n;
        const char **keys = trace_sorted_keys(set, &n);
        for (size_t i = 0; i < n && i < max; i++) {
                if (i)
                        strbuf_puts(sb, i + 1 == n ? " and " : ", ");
                gen_put_escaped(sb, keys[i]);
        }
        if (n > max)
                strbuf_printf(sb, " and %zu more", n - max);
        free(keys);
        json_decref(set);
}

void caps_reason_failures(strbuf *sb, const json_t *node)
{
        const json_t *results = json_object_get(node, "results");
        size_t n;
        const char **keys = trace_sorted_keys(results, &n);
        bool first = true;
        for (size_t i = 0; i < n; i++) {
                if (!streq(keys[i], "EPERM") && !streq(keys[i], "EACCES"))
                        continue;
                json_int_t c = trace_usage_count(json_object_get(results, keys[i]));
                strbuf_printf(sb, "%s%s x%lld", first ? "" : ", ", keys[i], (long long)c);
                first = false;
        }
        free(keys);
}

int emit_caps_txt(gen_context *ctx, char **ret, mp_error *err)
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
                        caps_reason_programs(&sb, reasons[i].node, true, CAPS_MAX_PROGRAMS);
                        strbuf_puts(&sb, reasons[i].preexisting ? "] (pre-existing state)\n" : "]\n");
                }
                if (total > shown)
                        strbuf_printf(&sb, "#   ... and %zu more (minpriv explain TRACE %s)\n", total - shown, *c);
        }
        *ret = strbuf_steal(&sb);
        return 0;
}
