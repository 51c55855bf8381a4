/* SPDX-License-Identifier: MIT */
/* `minpriv diff`: inputs, capabilities, trace facts and the three output
 * formats. The seccomp and AppArmor comparisons are in diff-seccomp.c and
 * diff-apparmor.c, the result model in diff-result.c; docs/diff-format.md
 * documents the whole. */
#include <ctype.h>
#include <sys/stat.h>

#include "policy/apparmor-access.h"
#include "policy/apparmor-profile.h"
#include "policy/caps-file.h"
#include "review/diff-internal.h"
#include "common/fileio.h"
#include "generator/generator.h"
#include "common/hashmap.h"
#include "policy/seccomp-profile.h"
#include "trace/read.h"

static const char *const class_names[_DIFF_CLASS_MAX] = { "widen", "narrow", "change", "recorded" };
static const char *const file_names[_DIFF_FILE_MAX] = { "seccomp.json", "apparmor.profile", "caps.txt", "trace" };

static int cmp_item(const void *a, const void *b)
{
        const diff_item *x = a, *y = b;
        if (x->cls != y->cls)
                return x->cls < y->cls ? -1 : 1;
        if (x->file != y->file)
                return x->file < y->file ? -1 : 1;
        if (x->added != y->added)
                return x->added ? -1 : 1;
        int c = strcmp(x->sort, y->sort);
        if (c)
                return c;
        c = strcmp(x->subject, y->subject);
        if (c)
                return c;
        c = strcmp(x->pre, y->pre);
        return c ? c : strcmp(x->post, y->post);
}

static void finish(diff_result *d)
{
        if (d->n)
                qsort(d->items, d->n, sizeof *d->items, cmp_item);
        size_t nn = strv_length(d->notes);
        if (nn)
                qsort(d->notes, nn, sizeof *d->notes, strcmp_ptr);
}

/* ------------------------------------------------------------ capabilities */

void diff_caps_files(diff_result *d, const caps_file *co, const caps_file *cn)
{
        for (int side = 0; side < 2; side++) {
                const caps_file *a = side ? co : cn, *b = side ? cn : co;
                for (size_t i = 0; i < a->n; i++) {
                        if (caps_file_has(b, a->caps[i].name))
                                continue;
                        diff_item *it = diff_add(d, side ? DIFF_NARROW : DIFF_WIDEN, DIFF_FILE_CAPS, a->caps[i].name);
                        diff_item_line(it, NULL, a->caps[i].name, side ? " no longer added" : " added (--cap-add)");
                        diff_item_group(it, side ? "no longer added: " : "added (--cap-add): ", NULL);
                        json_t *reasons = json_array();
                        for (char **r = a->caps[i].reasons; r && *r; r++) {
                                json_array_append_new(reasons, json_string(*r));
                                if (!side)
                                        diff_item_note(it, xasprintf("%s: %s", a->caps[i].name, *r));
                        }
                        it->detail = json_pack("{s:s,s:s,s:o,s:i}", "kind", "capability", "name", a->caps[i].name,
                                               "reasons", reasons, "line", a->caps[i].line);
                }
        }
}

/* ------------------------------------------------------------ trace facts */

static void fact_item(diff_result *d, bool added, const char *sort, const char *pre, const char *subject,
                      const char *group_pre, json_t *detail)
{
        diff_item *it = diff_add(d, DIFF_RECORDED, DIFF_FILE_TRACE, sort);
        it->added = added;
        diff_item_line(it, pre, subject, NULL);
        if (group_pre)
                diff_item_group(it, group_pre, NULL);
        it->detail = detail;
}

static bool any_ok(const trace_results *results)
{
        return trace_result_count(results, "ok") > 0;
}

/* File accesses that need a permission: "kind\npath" -> (void *)1. Per-process
 * /proc entries (/proc/1234/...) are left out: their numbers differ from
 * run to run. */
typedef struct file_facts {
        hashmap *set;
        char **list; /* in the trace's sorted order */
} file_facts;

static int collect_file_fact(const mp_aa_access *a, void *ud)
{
        file_facts *ff = ud;
        if (!a->granted || !a->perms || (startswith(a->key, "/proc/") && a->key[6] >= '1' && a->key[6] <= '9'))
                return 0;
        _cleanup_free_ char *k = xasprintf("%s\n%s", a->kind, a->key);
        if (hashmap_get(ff->set, k))
                return 0;
        hashmap_put(ff->set, k, (void *)1);
        strv_push(&ff->list, xstrdup(k));
        return 0;
}

static void file_facts_side(diff_result *d, const file_facts *a, const file_facts *b, bool added)
{
        for (char **k = a->list; k && *k; k++) {
                if (hashmap_get(b->set, *k))
                        continue;
                const char *nl = strchr(*k, '\n');
                _cleanup_free_ char *kind = xstrndup(*k, (size_t)(nl - *k));
                _cleanup_free_ char *sort = xasprintf("6|%s|%s", kind, nl + 1);
                _cleanup_free_ char *pre = xasprintf("%s ", kind);
                _cleanup_free_ char *gpre = xasprintf("%s: ", kind);
                fact_item(d, added, sort, pre, nl + 1, gpre,
                          json_pack("{s:s,s:s,s:s}", "kind", "file", "access", kind, "path", nl + 1));
        }
}

static void add_file_facts(diff_result *d, const trace *to, const trace *tn)
{
        file_facts fo = { .set = hashmap_new() }, fn = { .set = hashmap_new() };
        /* the paths were checked by generate already; a malformed one is skipped */
        (void)mp_aa_trace_accesses(to, collect_file_fact, &fo, NULL);
        (void)mp_aa_trace_accesses(tn, collect_file_fact, &fn, NULL);
        file_facts_side(d, &fn, &fo, true);
        file_facts_side(d, &fo, &fn, false);
        hashmap_free(fo.set, NULL);
        hashmap_free(fn.set, NULL);
        strv_free(fo.list);
        strv_free(fn.list);
}

/* The facts of trace a that trace b lacks. */
typedef struct facts {
        diff_result *d;
        const trace *b;
        bool added;
} facts;

static int fact_syscall(const trace_syscall *sc, void *ud)
{
        facts *f = ud;
        if (trace_has_syscall(f->b, sc->abi, sc->name))
                return 0;
        const char *an = trace_abi_name(sc->abi);
        _cleanup_free_ char *sort = xasprintf("1|%d|%s", (int)sc->abi, sc->name);
        _cleanup_free_ char *pre = xasprintf("%s syscall ", an);
        _cleanup_free_ char *gpre = xasprintf("%s syscalls: ", an);
        fact_item(f->d, f->added, sort, pre, sc->name, gpre,
                  json_pack("{s:s,s:s,s:s}", "kind", "syscall", "abi", an, "name", sc->name));
        return 0;
}

static int fact_argument(const trace_arg_group *g, void *ud)
{
        facts *f = ud;
        if (trace_has_arg_group(f->b, g->kind, g->key))
                return 0;
        _cleanup_free_ char *sort = xasprintf("2|%s|%s", g->kind, g->key);
        _cleanup_free_ char *pre = xasprintf("%s argument ", g->kind);
        _cleanup_free_ char *gpre = xasprintf("%s arguments: ", g->kind);
        fact_item(f->d, f->added, sort, pre, g->key, gpre,
                  json_pack("{s:s,s:s,s:s}", "kind", "argument", "syscall", g->kind, "value", g->key));
        return 0;
}

static int fact_endpoint(const trace_endpoint *e, void *ud)
{
        facts *f = ud;
        if (trace_endpoint_results(f->b, e->op, e->family, e->address))
                return 0;
        _cleanup_free_ char *sort = xasprintf("3|%s|%s|%s", e->op, e->family, e->address);
        _cleanup_free_ char *pre = xasprintf("%s %s ", e->op, e->family);
        _cleanup_free_ char *gpre = xasprintf("%s %s: ", e->op, e->family);
        fact_item(f->d, f->added, sort, pre, e->address, gpre,
                  json_pack("{s:s,s:s,s:s,s:s,s:b}", "kind", "network", "operation", e->op, "family", e->family,
                            "address", e->address, "ok", any_ok(e->results)));
        return 0;
}

/* capability reasons whose call succeeded */
static int fact_reason(const trace_cap_reason *r, void *ud)
{
        facts *f = ud;
        if (!any_ok(r->results))
                return 0;
        trace_cap_reason other;
        if (trace_cap_reason_get(f->b, r->cap, r->reason, &other) && any_ok(other.results))
                return 0;
        _cleanup_free_ char *sort = xasprintf("4|%s|%s", r->cap, r->reason);
        _cleanup_free_ char *pre = xasprintf("%s used: ", r->cap);
        fact_item(f->d, f->added, sort, pre, r->reason, NULL,
                  json_pack("{s:s,s:s,s:s}", "kind", "capability_reason", "capability", r->cap, "reason", r->reason));
        return 0;
}

static int fact_credentials(const trace_cred_change *c, void *ud)
{
        facts *f = ud;
        if (trace_has_cred_change(f->b, c->syscall, c->args))
                return 0;
        _cleanup_free_ char *sort = xasprintf("5|%s|%s", c->syscall, c->args);
        _cleanup_free_ char *subject = xasprintf("%s(%s)", c->syscall, c->args);
        fact_item(f->d, f->added, sort, "credentials: ", subject, NULL,
                  json_pack("{s:s,s:s,s:s}", "kind", "credentials", "syscall", c->syscall, "arguments", c->args));
        return 0;
}

static void facts_side(diff_result *d, const trace *a, const trace *b, bool added)
{
        facts f = { d, b, added };
        for (int abi = 0; abi < _TRACE_ABI_MAX; abi++)
                trace_foreach_syscall(a, abi, fact_syscall, &f);
        trace_foreach_arg_group(a, NULL, fact_argument, &f);
        trace_foreach_endpoint(a, NULL, NULL, fact_endpoint, &f);
        trace_foreach_cap_reason(a, NULL, fact_reason, &f);
        trace_foreach_cred_change(a, NULL, fact_credentials, &f);
}

/* ------------------------------------------------------------ inputs */

typedef enum input_kind {
        IN_DIR,
        IN_SECCOMP,
        IN_APPARMOR,
        IN_CAPS,
        IN_TRACE,
        _IN_MAX,
} input_kind;

static const char *const input_names[_IN_MAX] = { "directory", "seccomp", "apparmor", "caps", "trace" };
static const char *const input_words[_IN_MAX] = { "a directory", "a seccomp profile", "an AppArmor profile",
                                                  "a caps.txt", "a trace" };

#define SNIFF_MAX (64u * 1024u * 1024u)

/* What a path holds: by name first (seccomp.json, *.profile, caps.txt),
 * else by content: JSON with "format": "minpriv-trace" is a trace, other
 * JSON a seccomp profile, text with a '{' an AppArmor profile, other text
 * a capability list. */
static int detect(const char *path, input_kind *ret, mp_error *err)
{
        struct stat st;
        if (stat(path, &st) < 0)
                return mp_error_set(err, -errno, path, "cannot read: %s", strerror(errno));
        if (S_ISDIR(st.st_mode)) {
                *ret = IN_DIR;
                return 0;
        }
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r = read_file_full(path, SNIFF_MAX, &data, &size);
        if (r < 0)
                return mp_error_set(err, r, path, "cannot read: %s", strerror(-r));
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        const char *p = data;
        while (p < data + size && isspace((unsigned char)*p))
                p++;
        if (*p == '{') {
                /* a trace names its format near the start; profiles do not */
                *ret = strstr(data, "\"minpriv-trace\"") ? IN_TRACE : IN_SECCOMP;
                return 0;
        }
        if (endswith(base, ".json")) {
                *ret = IN_SECCOMP;
                return 0;
        }
        if (streq(base, "caps.txt")) {
                *ret = IN_CAPS;
                return 0;
        }
        *ret = endswith(base, ".profile") || memchr(data, '{', size) ? IN_APPARMOR : IN_CAPS;
        return 0;
}

typedef struct side {
        mp_seccomp_profile *sp;
        mp_aa_profile *aa;
        caps_file *caps;
} side;

static void side_free(side *s)
{
        mp_seccomp_profile_free(s->sp);
        mp_aa_profile_free(s->aa);
        caps_file_free(s->caps);
        memset(s, 0, sizeof *s);
}

/* Stand-ins for a file one directory lacks: profiles that grant nothing. */
static int empty_seccomp(mp_seccomp_profile **ret)
{
        static const char text[] = "{\"defaultAction\": \"SCMP_ACT_ERRNO\"}";
        return mp_seccomp_profile_load_buffer(text, sizeof text - 1, "(no seccomp.json)", ret, NULL);
}

/* With the other's `abi` and preamble includes: the whole profile being
 * new is listed through its rules already. */
static int empty_apparmor(const mp_aa_profile *other, mp_aa_profile **ret)
{
        int r = mp_aa_profile_parse("profile none { }\n", strlen("profile none { }\n"), "(no apparmor.profile)", ret,
                                    NULL);
        if (r < 0 || !other)
                return r;
        free((*ret)->name);
        (*ret)->name = xstrdup(other->name);
        for (char **x = other->abis; *x; x++)
                strv_push(&(*ret)->abis, xstrdup(*x));
        for (char **x = other->includes; *x; x++)
                strv_push(&(*ret)->includes, xstrdup(*x));
        return 0;
}

static int empty_caps(caps_file **ret)
{
        return caps_file_parse("", 0, "(no caps.txt)", ret, NULL);
}

static bool exists(const char *path)
{
        struct stat st;
        return stat(path, &st) == 0;
}

/* Compare the profiles of two directories (files missing on one side are
 * compared with a profile that grants nothing). */
static int diff_dirs(diff_result *d, const char *od, const char *nd, mp_error *err)
{
        int found = 0, r = 0;
        for (int f = 0; f < DIFF_FILE_TRACE && r == 0; f++) {
                _cleanup_free_ char *op = xasprintf("%s/%s", od, file_names[f]);
                _cleanup_free_ char *np = xasprintf("%s/%s", nd, file_names[f]);
                bool oe = exists(op), ne = exists(np);
                if (!oe && !ne)
                        continue;
                found++;
                if (!oe)
                        diff_note(d, xasprintf("%s is only in NEW: it is compared with one that grants nothing, "
                                               "so everything it grants is listed",
                                               file_names[f]));
                if (!ne)
                        diff_note(d, xasprintf("%s is only in OLD: it is compared with one that grants nothing, "
                                               "so everything it granted is listed",
                                               file_names[f]));
                side o = { 0 }, n = { 0 };
                switch (f) {
                case DIFF_FILE_SECCOMP:
                        r = oe ? mp_seccomp_profile_load(op, &o.sp, err) : empty_seccomp(&o.sp);
                        if (r == 0)
                                r = ne ? mp_seccomp_profile_load(np, &n.sp, err) : empty_seccomp(&n.sp);
                        if (r == 0)
                                r = diff_seccomp_profiles(d, o.sp, n.sp, err);
                        break;
                case DIFF_FILE_APPARMOR:
                        r = oe ? mp_aa_profile_load(op, &o.aa, err) : 0;
                        if (r == 0)
                                r = ne ? mp_aa_profile_load(np, &n.aa, err) : 0;
                        if (r == 0 && !o.aa)
                                r = empty_apparmor(n.aa, &o.aa);
                        if (r == 0 && !n.aa)
                                r = empty_apparmor(o.aa, &n.aa);
                        if (r == 0)
                                r = diff_apparmor_profiles(d, o.aa, n.aa);
                        break;
                case DIFF_FILE_CAPS:
                        r = oe ? caps_file_load(op, &o.caps, err) : empty_caps(&o.caps);
                        if (r == 0)
                                r = ne ? caps_file_load(np, &n.caps, err) : empty_caps(&n.caps);
                        if (r == 0)
                                diff_caps_files(d, o.caps, n.caps);
                        break;
                default:
                        break;
                }
                side_free(&o);
                side_free(&n);
        }
        if (r == 0 && !found)
                return mp_error_set(err, -ENOENT, NULL,
                                    "neither %s nor %s has a seccomp.json, apparmor.profile or caps.txt", od, nd);
        return r;
}

/* The profiles `generate` would write for a trace (in memory). */
static int generate(const trace *t, const char *name, const char *path, side *ret, mp_error *err)
{
        gen_options opts = { .name = name, .runtime = GEN_RUNTIME_RUNC, .default_action = GEN_DEFAULT_ERRNO };
        _cleanup_(gen_output_free) gen_output out = { 0 };
        int r = gen_generate(t, &opts, NULL, NULL, &out, err);
        const char *sc = gen_output_get(&out, "seccomp.json"), *aa = gen_output_get(&out, "apparmor.profile"),
                   *caps = gen_output_get(&out, "caps.txt");
        if (r < 0) {
                /* an emitter's error names its file: say which trace */
                bool generated_file = false;
                for (const gen_emitter *e = gen_emitters; e->filename; e++)
                        generated_file |= streq(err->where, e->filename);
                if (generated_file) {
                        _cleanup_free_ char *where = xasprintf("%s (generated %s)", path, err->where);
                        snprintf(err->where, sizeof err->where, "%s", where);
                } else if (!err->where[0])
                        snprintf(err->where, sizeof err->where, "%s", path);
                return r;
        }
        _cleanup_free_ char *n1 = xasprintf("%s (generated seccomp.json)", path);
        _cleanup_free_ char *n2 = xasprintf("%s (generated apparmor.profile)", path);
        _cleanup_free_ char *n3 = xasprintf("%s (generated caps.txt)", path);
        r = mp_seccomp_profile_load_buffer(sc, strlen(sc), n1, &ret->sp, err);
        if (r == 0)
                r = mp_aa_profile_parse(aa, strlen(aa), n2, &ret->aa, err);
        if (r == 0)
                r = caps_file_parse(caps, strlen(caps), n3, &ret->caps, err);
        return r;
}

static int diff_traces(diff_result *d, const char *op, const char *np, mp_error *err)
{
        _cleanup_trace_ trace *to = NULL;
        _cleanup_trace_ trace *tn = NULL;
        int r = trace_load(op, &to, err);
        if (r == 0)
                r = trace_load(np, &tn, err);
        if (r < 0)
                return r;
        /* one profile name for both, so that renaming nothing shows */
        _cleanup_free_ char *name = gen_default_name(tn);
        side o = { 0 }, n = { 0 };
        r = generate(to, name, op, &o, err);
        if (r == 0)
                r = generate(tn, name, np, &n, err);
        if (r == 0)
                r = diff_seccomp_profiles(d, o.sp, n.sp, err);
        if (r == 0)
                r = diff_apparmor_profiles(d, o.aa, n.aa);
        if (r == 0) {
                diff_caps_files(d, o.caps, n.caps);
                facts_side(d, tn, to, true);
                facts_side(d, to, tn, false);
                add_file_facts(d, to, tn);
                diff_note(d, xstrdup("traces: the profiles `minpriv generate` would write from each trace are "
                                     "compared, then the recorded facts that came or went"));
        }
        side_free(&o);
        side_free(&n);
        return r;
}

int diff_paths(const char *old_path, const char *new_path, diff_result **ret, mp_error *err)
{
        input_kind ko, kn;
        int r = detect(old_path, &ko, err);
        if (r == 0)
                r = detect(new_path, &kn, err);
        if (r < 0)
                return r;
        if (ko != kn)
                return mp_error_set(err, -EINVAL, NULL, "%s is %s but %s is %s: compare two of the same kind", old_path,
                                    input_words[ko], new_path, input_words[kn]);
        diff_result *d = diff_result_new(old_path, new_path, input_names[ko]);
        _cleanup_diff_result_ diff_result *owned = d;
        side o = { 0 }, n = { 0 };
        switch (ko) {
        case IN_DIR:
                r = diff_dirs(d, old_path, new_path, err);
                break;
        case IN_SECCOMP:
                r = mp_seccomp_profile_load(old_path, &o.sp, err);
                if (r == 0)
                        r = mp_seccomp_profile_load(new_path, &n.sp, err);
                if (r == 0)
                        r = diff_seccomp_profiles(d, o.sp, n.sp, err);
                break;
        case IN_APPARMOR:
                r = mp_aa_profile_load(old_path, &o.aa, err);
                if (r == 0)
                        r = mp_aa_profile_load(new_path, &n.aa, err);
                if (r == 0)
                        r = diff_apparmor_profiles(d, o.aa, n.aa);
                break;
        case IN_CAPS:
                r = caps_file_load(old_path, &o.caps, err);
                if (r == 0)
                        r = caps_file_load(new_path, &n.caps, err);
                if (r == 0)
                        diff_caps_files(d, o.caps, n.caps);
                break;
        case IN_TRACE:
                r = diff_traces(d, old_path, new_path, err);
                break;
        default:
                break;
        }
        side_free(&o);
        side_free(&n);
        if (r < 0)
                return r;
        finish(d);
        *ret = steal_pointer(&owned);
        return 0;
}

/* ------------------------------------------------------------ formats */

static const char *const section_titles[_DIFF_CLASS_MAX] = {
        "Widens: NEW grants what OLD did not",
        "Narrows: OLD granted what NEW does not",
        "Other changes: nothing granted or taken away",
        "Recorded: facts of the traces that came (+) or went (-)",
};

static char sign_of(const diff_item *it)
{
        switch (it->cls) {
        case DIFF_WIDEN:
                return '+';
        case DIFF_NARROW:
                return '-';
        case DIFF_CHANGE:
                return '~';
        default:
                return it->added ? '+' : '-';
        }
}

static bool same_group(const diff_item *a, const diff_item *b)
{
        return a->group_pre && b->group_pre && a->cls == b->cls && a->file == b->file && a->added == b->added &&
               streq(a->group_pre, b->group_pre) && streq(a->group_post, b->group_post);
}

/* The summary table of a markdown diff: items per file and class. */
static void md_summary(strbuf *sb, const diff_result *d)
{
        if (!d->n)
                return;
        size_t n[_DIFF_FILE_MAX][_DIFF_CLASS_MAX] = { { 0 } };
        for (size_t i = 0; i < d->n; i++)
                n[d->items[i].file][d->items[i].cls]++;
        strbuf_puts(sb, "\n| file | widens | narrows | other | recorded |\n|---|---:|---:|---:|---:|\n");
        for (int f = 0; f < _DIFF_FILE_MAX; f++) {
                size_t any = 0;
                for (int c = 0; c < _DIFF_CLASS_MAX; c++)
                        any += n[f][c];
                if (!any)
                        continue;
                strbuf_printf(sb, "| %s |", file_names[f]);
                for (int c = 0; c < _DIFF_CLASS_MAX; c++)
                        strbuf_printf(sb, c == DIFF_WIDEN && n[f][c] ? " **%zu** |" : " %zu |", n[f][c]);
                strbuf_putc(sb, '\n');
        }
}

static void counts_line(strbuf *sb, const diff_result *d, bool md)
{
        static const char *const one[_DIFF_CLASS_MAX] = { "widening", "narrowing", "other change", "recorded fact" };
        static const char *const many[_DIFF_CLASS_MAX] = { "widenings", "narrowings", "other changes",
                                                           "recorded facts" };
        if (!d->n) {
                strbuf_puts(sb, "no differences");
                return;
        }
        bool first = true;
        for (int c = 0; c < _DIFF_CLASS_MAX; c++) {
                size_t n = diff_count(d, (diff_class)c);
                if (!n && c != DIFF_WIDEN)
                        continue;
                strbuf_printf(sb, "%s%s%zu %s%s", first ? "" : ", ", md && c == DIFF_WIDEN && n ? "**" : "", n,
                              n == 1 ? one[c] : many[c], md && c == DIFF_WIDEN && n ? "**" : "");
                first = false;
        }
}

/* Walk the items: for each line (an item, or a group of items shown as
 * one), call line() with the range [i, j). */
typedef struct emitter {
        strbuf *sb;
        bool colour;
        bool md;
} emitter;

static const char *colour_of(diff_class c)
{
        switch (c) {
        case DIFF_WIDEN:
                return "\033[31m";
        case DIFF_NARROW:
                return "\033[32m";
        case DIFF_CHANGE:
                return "\033[33m";
        default:
                return "\033[36m";
        }
}

static void md_text(strbuf *sb, const char *s)
{
        for (; *s; s++) {
                if (strchr("\\`*_[]<>#|~", *s))
                        strbuf_putc(sb, '\\');
                strbuf_putc(sb, *s);
        }
}

static void md_code(strbuf *sb, const char *s)
{
        /* a code span fence longer than any run of backticks inside */
        size_t run = 0, longest = 0;
        for (const char *p = s; *p; p++) {
                run = *p == '`' ? run + 1 : 0;
                if (run > longest)
                        longest = run;
        }
        for (size_t i = 0; i <= longest; i++)
                strbuf_putc(sb, '`');
        bool pad = longest || s[0] == '`' || (*s && s[strlen(s) - 1] == '`');
        if (pad)
                strbuf_putc(sb, ' ');
        for (const char *p = s; *p; p++)
                strbuf_putc(sb, *p == '\n' ? ' ' : *p);
        if (pad)
                strbuf_putc(sb, ' ');
        for (size_t i = 0; i <= longest; i++)
                strbuf_putc(sb, '`');
}

static void put_piece(const emitter *e, const char *s, bool code)
{
        if (!e->md)
                strbuf_puts(e->sb, s);
        else if (code)
                md_code(e->sb, s);
        else
                md_text(e->sb, s);
}

static void emit_line(const emitter *e, const diff_result *d, size_t i, size_t j)
{
        const diff_item *it = &d->items[i];
        strbuf *sb = e->sb;
        if (e->md)
                strbuf_puts(sb, it->cls != DIFF_RECORDED ? "- " : it->added ? "- + " : "- \\- ");
        else if (e->colour)
                strbuf_printf(sb, "    %s%c\033[0m ", colour_of(it->cls), sign_of(it));
        else
                strbuf_printf(sb, "    %c ", sign_of(it));
        if (j - i == 1) {
                put_piece(e, it->pre, false);
                put_piece(e, it->subject, true);
                put_piece(e, it->post, false);
        } else {
                put_piece(e, it->group_pre, false);
                for (size_t k = i; k < j; k++) {
                        if (k > i)
                                strbuf_puts(sb, ", ");
                        put_piece(e, d->items[k].subject, true);
                }
                put_piece(e, it->group_post, false);
        }
        strbuf_putc(sb, '\n');
        for (size_t k = i; k < j; k++)
                for (char **n = d->items[k].notes; n && *n; n++) {
                        if (e->md) {
                                strbuf_puts(sb, "  - ");
                                md_text(sb, *n);
                        } else {
                                strbuf_printf(sb, "        %s", *n);
                        }
                        strbuf_putc(sb, '\n');
                }
}

static char *format(const diff_result *d, bool colour, bool md)
{
        strbuf sb = STRBUF_INIT;
        emitter e = { &sb, colour, md };
        const char *bold = colour ? "\033[1m" : "", *off = colour ? "\033[0m" : "";
        if (md) {
                strbuf_puts(&sb, "### minpriv diff: ");
                md_code(&sb, d->old_name);
                strbuf_puts(&sb, " -> ");
                md_code(&sb, d->new_name);
                strbuf_puts(&sb, "\n\n");
                counts_line(&sb, d, true);
                strbuf_puts(&sb, d->n && !diff_widens(d) ? " (NEW grants nothing OLD did not)\n" : "\n");
                for (char **n = d->notes; n && *n; n++) {
                        strbuf_puts(&sb, "\n> ");
                        md_text(&sb, *n);
                        strbuf_putc(&sb, '\n');
                }
                md_summary(&sb, d);
        } else {
                strbuf_printf(&sb, "%sminpriv diff %s -> %s%s: ", bold, d->old_name, d->new_name, off);
                counts_line(&sb, d, false);
                strbuf_puts(&sb, d->n && !diff_widens(d) ? " (NEW grants nothing OLD did not)\n" : "\n");
                for (char **n = d->notes; n && *n; n++)
                        strbuf_printf(&sb, "note: %s\n", *n);
        }
        size_t i = 0;
        while (i < d->n) {
                diff_class cls = d->items[i].cls;
                /* Details folded: a pull-request comment shows the summary
                 * first; widenings, what a reviewer must look at, open. */
                if (md)
                        strbuf_printf(&sb, "\n<details%s><summary><b>%s</b> (%zu)</summary>\n",
                                      cls == DIFF_WIDEN ? " open" : "", section_titles[cls], diff_count(d, cls));
                else
                        strbuf_printf(&sb, "\n%s%s%s\n", colour ? colour_of(cls) : "", section_titles[cls], off);
                while (i < d->n && d->items[i].cls == cls) {
                        diff_file f = d->items[i].file;
                        if (md)
                                strbuf_printf(&sb, "\n**%s**\n\n", file_names[f]);
                        else
                                strbuf_printf(&sb, "  %s%s%s\n", bold, file_names[f], off);
                        while (i < d->n && d->items[i].cls == cls && d->items[i].file == f) {
                                size_t j = i + 1;
                                while (j < d->n && same_group(&d->items[i], &d->items[j]))
                                        j++;
                                emit_line(&e, d, i, j);
                                i = j;
                        }
                }
                if (md)
                        strbuf_puts(&sb, "\n</details>\n");
        }
        return strbuf_steal(&sb);
}

char *diff_format_text(const diff_result *d, bool colour)
{
        return format(d, colour, false);
}

char *diff_format_markdown(const diff_result *d, size_t max_chars, const char *full)
{
        char *all = format(d, false, true);
        size_t len = strlen(all);
        if (!max_chars || len <= max_chars)
                return all;
        const char *where =
                full && *full ? full : "the CI job's artifact (`minpriv diff --format markdown --max-chars 0`)";
        /* Cut at a line end, leaving room for the closing tag and the
         * pointer to the full diff; never inside a line (code spans,
         * UTF-8 sequences). */
        size_t room = strlen(where) + 200;
        size_t cut = max_chars > room ? max_chars - room : 0;
        while (cut > 0 && all[cut - 1] != '\n')
                cut--;
        /* inside a <details> section? (they are not nested) */
        bool open = false;
        for (const char *p = strchr(all, '<'); p && p < all + cut; p = strchr(p + 1, '<')) {
                if (strncmp(p, "<details", 8) == 0)
                        open = true;
                else if (strncmp(p, "</details>", 10) == 0)
                        open = false;
        }
        strbuf out = STRBUF_INIT;
        strbuf_add(&out, all, cut);
        if (open)
                strbuf_puts(&out, "\n</details>\n");
        strbuf_printf(&out,
                      "\n**Truncated:** the diff is %zu characters, the first %zu are shown (a comment holds at "
                      "most 65,536). The full diff: ",
                      len, cut);
        strbuf_puts(&out, where);
        strbuf_puts(&out, ".\n");
        free(all);
        return strbuf_steal(&out);
}

char *diff_format_json(const diff_result *d)
{
        json_t *root = json_object();
        json_object_set_new(root, "format", json_string("minpriv-diff"));
        json_object_set_new(root, "version", json_integer(1));
        json_object_set_new(root, "old", json_string(d->old_name));
        json_object_set_new(root, "new", json_string(d->new_name));
        json_object_set_new(root, "input", json_string(d->input));
        json_object_set_new(root, "widens", json_boolean(diff_widens(d)));
        json_t *counts = json_object();
        for (int c = 0; c < _DIFF_CLASS_MAX; c++)
                json_object_set_new(counts, class_names[c], json_integer((json_int_t)diff_count(d, (diff_class)c)));
        json_object_set_new(root, "counts", counts);
        json_object_set_new(root, "notes", strv_to_json(d->notes));
        json_t *changes = json_array();
        for (size_t i = 0; i < d->n; i++) {
                const diff_item *it = &d->items[i];
                json_t *o = it->detail ? json_deep_copy(it->detail) : json_object();
                json_object_set_new(o, "class", json_string(class_names[it->cls]));
                json_object_set_new(o, "file", json_string(file_names[it->file]));
                if (it->cls == DIFF_RECORDED)
                        json_object_set_new(o, "added", json_boolean(it->added));
                _cleanup_free_ char *text = xasprintf("%s%s%s", it->pre, it->subject, it->post);
                json_object_set_new(o, "text", json_string(text));
                if (it->notes)
                        json_object_set_new(o, "notes", strv_to_json(it->notes));
                json_array_append_new(changes, o);
        }
        json_object_set_new(root, "changes", changes);
        char *s = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
        json_decref(root);
        char *out = xasprintf("%s\n", s);
        free(s);
        return out;
}
