/* SPDX-License-Identifier: MIT */
/* The coverage-gap report and portable siblings (see gaps.h and
 * docs/gaps-format.md). */
#include "analysis/gaps.h"

#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/elfinfo.h"
#include "common/fileio.h"
#include "common/hashmap.h"
#include "common/strbuf.h"
#include "trace/read.h"

/* Append to a NULL-terminated vector whose length the caller keeps. */
static void vec_push(char ***v, size_t *n, char *s)
{
        *v = xrealloc(*v, (*n + 2) * sizeof **v);
        (*v)[(*n)++] = s;
        (*v)[*n] = NULL;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool name_valid(trace_abi abi, const char *name)
{
        return seccomp_syscall_resolve_name_arch(trace_abi_scmp_arch(abi), name) >= 0;
}

/* ------------------------------------------------------------ objects */

static bool is_libc(const char *path)
{
        const char *b = strrchr(path, '/');
        b = b ? b + 1 : path;
        return strncmp(b, "libc.so", 7) == 0 || strncmp(b, "ld-linux", 8) == 0 || strncmp(b, "ld-musl", 7) == 0 ||
               strncmp(b, "libc.musl", 9) == 0;
}

/* Some call of `kind` succeeded (an "ok" outcome is recorded). */
static bool access_ok(const trace_file *file, const char *kind)
{
        return trace_result(trace_file_results(file, kind), "ok") != NULL;
}

typedef struct builder {
        hashmap *table;                 /* libc function -> char ** (x86_64 names) */
        char **relations;               /* "recorded\trelated\twhy" lines */
        hashmap *items[_TRACE_ABI_MAX]; /* name -> gaps_item * */
        const trace *t;                 /* the trace */
} builder;

static bool was_recorded(const builder *b, trace_abi abi, const char *name)
{
        return trace_has_syscall(b->t, abi, name);
}

static void add_source(builder *b, trace_abi abi, const char *name, const char *object, const char *via)
{
        gaps_item *it = hashmap_get(b->items[abi], name);
        if (!it) {
                it = xcalloc(1, sizeof *it);
                it->abi = abi;
                it->name = xstrdup(name);
                hashmap_put(b->items[abi], name, it);
        }
        it->sources = xrealloc(it->sources, (it->nsources + 1) * sizeof *it->sources);
        it->sources[it->nsources++] = (gaps_source){ .object = xstrdup(object), .via = xstrdup(via) };
}

static void inspect(builder *b, gaps_object *o, const char *real)
{
        elf_info e;
        mp_error err = { 0 };
        if (elf_inspect(real, &e, &err) < 0) {
                o->error = xstrdup(err.text);
                return;
        }
        o->abi = e.abi;
        o->dynamic = e.dynamic;
        /* reachable name -> the first way there (imports in sorted order,
         * then the object's own syscall instructions) */
        hashmap *reach = hashmap_new();
        for (size_t i = 0; e.imports[i]; i++) {
                char **names = hashmap_get(b->table, e.imports[i]);
                o->nimports++;
                for (size_t j = 0; names && names[j]; j++)
                        if ((e.abi == TRACE_ABI_X86_64 || name_valid(e.abi, names[j])) && !hashmap_get(reach, names[j]))
                                hashmap_put(reach, names[j], e.imports[i]);
        }
        for (size_t i = 0; i < e.ndirect; i++) {
                uint64_t nr = e.direct[i] | (e.abi == TRACE_ABI_X32 ? 0x40000000u : 0);
                _cleanup_free_ char *name = seccomp_syscall_resolve_num_arch(trace_abi_scmp_arch(e.abi), (int)nr);
                if (name && !hashmap_get(reach, name))
                        hashmap_put(reach, name, "syscall instruction");
        }
        o->nreachable = hashmap_size(reach);
        size_t pos = 0, ng = 0;
        const char *name;
        void *via;
        o->gaps = xcalloc(1, sizeof *o->gaps);
        while (hashmap_next(reach, &pos, &name, &via)) {
                if (was_recorded(b, e.abi, name))
                        continue;
                vec_push(&o->gaps, &ng, xstrdup(name));
                add_source(b, e.abi, name, o->path, via);
        }
        if (ng)
                qsort(o->gaps, ng, sizeof *o->gaps, cmp_str);
        hashmap_free(reach, NULL);
        elf_info_free(&e);
}

static void rank(builder *b, gaps_item *it)
{
        for (size_t i = 0; b->relations[i]; i++) {
                char *line = b->relations[i];
                char *t1 = strchr(line, '\t');
                char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
                if (!t2 || (size_t)(t2 - t1 - 1) != strlen(it->name) || strncmp(t1 + 1, it->name, t2 - t1 - 1))
                        continue;
                _cleanup_free_ char *rec = xstrndup(line, (size_t)(t1 - line));
                if (!was_recorded(b, it->abi, rec))
                        continue;
                if (it->related && strcmp(rec, it->related_to) >= 0)
                        continue;
                free(it->related_to);
                free(it->why);
                it->related = true;
                it->related_to = steal_pointer(&rec);
                it->why = xstrdup(t2 + 1);
        }
}

static int cmp_source(const void *a, const void *b)
{
        const gaps_source *x = a, *y = b;
        int c = strcmp(x->object, y->object);
        return c ? c : strcmp(x->via, y->via);
}

static int cmp_item(const void *a, const void *b)
{
        const gaps_item *x = a, *y = b;
        if (x->abi != y->abi)
                return (int)x->abi - (int)y->abi;
        if (x->related != y->related)
                return x->related ? -1 : 1;
        return strcmp(x->name, y->name);
}

static int cmp_object(const void *a, const void *b)
{
        return strcmp(((const gaps_object *)a)->path, ((const gaps_object *)b)->path);
}

static void table_free(void *v)
{
        strv_free(v);
}

/* The programs and libraries the trace shows executed or mapped. */
typedef struct object_scan {
        builder *b;
        gaps_report *g;
} object_scan;

static int add_object(const trace_file *f, void *ud)
{
        object_scan *os = ud;
        gaps_report *g = os->g;
        bool exec = access_ok(f, "exec"), mapped = access_ok(f, "mmap_exec");
        if (!exec && !mapped)
                return 0;
        _cleanup_free_ char *raw = trace_path_decode(f->resolved ? f->resolved : f->path, NULL);
        if (!raw)
                return 0;
        g->objects = xrealloc(g->objects, (g->nobjects + 1) * sizeof *g->objects);
        gaps_object *o = &g->objects[g->nobjects++];
        *o = (gaps_object){ .path = xstrdup(f->path), .kind = exec ? "program" : "library" };
        if (is_libc(raw))
                o->skipped = true;
        else
                inspect(os->b, o, raw);
        return 0;
}

int gaps_compute(trace *t, const char *templates_dir, gaps_report *ret, mp_error *err)
{
        gaps_report g = { 0 };
        builder b = { .table = hashmap_new(), .t = t };
        _cleanup_strv_free_ char **lines = NULL;
        int r = read_table_file(templates_dir, "libc-syscalls.tsv", &lines, &g.table_origin, err);
        if (r >= 0)
                r = read_table_file(templates_dir, "syscall-relations.tsv", &b.relations, NULL, err);
        if (r < 0) {
                hashmap_free(b.table, table_free);
                strv_free(b.relations);
                free(g.table_origin);
                return r;
        }
        for (size_t i = 0; lines[i]; i++) {
                char *tab = strchr(lines[i], '\t');
                *tab = '\0';
                char **names = NULL;
                size_t n = 0;
                vec_push(&names, &n, NULL);
                n = 0;
                char *save = NULL;
                for (char *s = strtok_r(tab + 1, ",", &save); s; s = strtok_r(NULL, ",", &save))
                        vec_push(&names, &n, xstrdup(s));
                strv_free(hashmap_put(b.table, lines[i], names));
        }
        for (int a = 0; a < _TRACE_ABI_MAX; a++)
                b.items[a] = hashmap_new();

        trace_materialize(t);
        object_scan os = { &b, &g };
        trace_foreach_file(t, add_object, &os);
        if (g.nobjects)
                qsort(g.objects, g.nobjects, sizeof *g.objects, cmp_object);
        for (int a = 0; a < _TRACE_ABI_MAX; a++) {
                size_t pos = 0;
                const char *name;
                void *v;
                while (hashmap_next(b.items[a], &pos, &name, &v)) {
                        gaps_item *it = v;
                        rank(&b, it);
                        qsort(it->sources, it->nsources, sizeof *it->sources, cmp_source);
                        g.items = xrealloc(g.items, (g.nitems + 1) * sizeof *g.items);
                        g.items[g.nitems++] = *it;
                        free(it);
                }
                hashmap_free(b.items[a], NULL);
        }
        if (g.nitems)
                qsort(g.items, g.nitems, sizeof *g.items, cmp_item);
        hashmap_free(b.table, table_free);
        strv_free(b.relations);
        *ret = g;
        return 0;
}

void gaps_report_free(gaps_report *g)
{
        for (size_t i = 0; i < g->nobjects; i++) {
                free(g->objects[i].path);
                free(g->objects[i].error);
                strv_free(g->objects[i].gaps);
        }
        for (size_t i = 0; i < g->nitems; i++) {
                gaps_item *it = &g->items[i];
                free(it->name);
                free(it->related_to);
                free(it->why);
                for (size_t j = 0; j < it->nsources; j++) {
                        free(it->sources[j].object);
                        free(it->sources[j].via);
                }
                free(it->sources);
        }
        free(g->objects);
        free(g->items);
        free(g->table_origin);
        memset(g, 0, sizeof *g);
}

/* ------------------------------------------------------------ output */

static void count_ranks(const gaps_report *g, trace_abi abi, size_t *related, size_t *other)
{
        *related = *other = 0;
        for (size_t i = 0; i < g->nitems; i++)
                if (g->items[i].abi == abi)
                        (*(g->items[i].related ? related : other))++;
}

static void put_sources(strbuf *sb, const gaps_item *it, size_t max)
{
        strbuf_puts(sb, "reachable from ");
        for (size_t j = 0; j < it->nsources && j < max; j++) {
                _cleanup_free_ char *raw = trace_path_decode(it->sources[j].object, NULL);
                _cleanup_free_ char *q = quote_for_message(raw ? raw : it->sources[j].object);
                strbuf_printf(sb, "%s%s (%s)", j ? ", " : "", q, it->sources[j].via);
        }
        if (it->nsources > max)
                strbuf_printf(sb, " and %zu more", it->nsources - max);
}

char *gaps_format_text(const gaps_report *g)
{
        strbuf sb = STRBUF_INIT;
        size_t inspected = 0;
        for (size_t i = 0; i < g->nobjects; i++)
                inspected += !g->objects[i].skipped && !g->objects[i].error;
        strbuf_printf(&sb, "%zu programs and libraries executed or mapped, %zu inspected (libc table: %s)\n",
                      g->nobjects, inspected, g->table_origin ? g->table_origin : "?");
        for (int a = 0; a < _TRACE_ABI_MAX; a++) {
                size_t rel, oth;
                count_ranks(g, (trace_abi)a, &rel, &oth);
                if (!rel && !oth)
                        continue;
                const char *abi = trace_abi_name((trace_abi)a);
                strbuf_printf(&sb, "\n%s: %zu syscalls reachable but never recorded: %zu related, %zu other\n", abi,
                              rel + oth, rel, oth);
                bool header_rel = false, header_oth = false;
                for (size_t i = 0; i < g->nitems; i++) {
                        const gaps_item *it = &g->items[i];
                        if (it->abi != (trace_abi)a)
                                continue;
                        if (it->related && !header_rel) {
                                strbuf_printf(&sb,
                                              "\nrelated to recorded syscalls (%s) - another run is most likely "
                                              "to need these:\n",
                                              abi);
                                header_rel = true;
                        }
                        if (!it->related && !header_oth) {
                                strbuf_printf(&sb, "\nother (%s):\n", abi);
                                header_oth = true;
                        }
                        strbuf_printf(&sb, "  %-18s ", it->name);
                        if (it->related)
                                strbuf_printf(&sb, "%s was recorded: %s\n  %-18s ", it->related_to, it->why, "");
                        put_sources(&sb, it, 3);
                        strbuf_putc(&sb, '\n');
                }
        }
        strbuf_puts(&sb, "\nobjects:\n");
        for (size_t i = 0; i < g->nobjects; i++) {
                const gaps_object *o = &g->objects[i];
                _cleanup_free_ char *raw = trace_path_decode(o->path, NULL);
                _cleanup_free_ char *q = quote_for_message(raw ? raw : o->path);
                strbuf_printf(&sb, "  %s %s: ", o->kind, q);
                if (o->skipped)
                        strbuf_puts(&sb, "the C library or loader, not inspected (what of it is reachable is what "
                                         "the others import)\n");
                else if (o->error)
                        strbuf_printf(&sb, "not inspected: %s\n", o->error);
                else
                        strbuf_printf(&sb, "%s, %s, %zu imports, %zu reachable syscalls, %zu never recorded\n",
                                      trace_abi_name(o->abi), o->dynamic ? "dynamic" : "static", o->nimports,
                                      o->nreachable, strv_length(o->gaps));
        }
        return strbuf_steal(&sb);
}

char *gaps_format_json(const gaps_report *g)
{
        json_t *root = json_object();
        json_object_set_new(root, "format", json_string("minpriv-gaps"));
        json_object_set_new(root, "version", json_integer(1));
        json_object_set_new(root, "libc_table", json_string(g->table_origin ? g->table_origin : ""));
        json_t *summary = json_object(), *gaps = json_array(), *objects = json_array();
        for (int a = 0; a < _TRACE_ABI_MAX; a++) {
                size_t rel, oth;
                count_ranks(g, (trace_abi)a, &rel, &oth);
                if (rel || oth)
                        json_object_set_new(
                                summary, trace_abi_name((trace_abi)a),
                                json_pack("{s:I,s:I}", "related", (json_int_t)rel, "other", (json_int_t)oth));
        }
        for (size_t i = 0; i < g->nitems; i++) {
                const gaps_item *it = &g->items[i];
                json_t *e = json_pack("{s:s,s:s,s:s}", "abi", trace_abi_name(it->abi), "syscall", it->name, "rank",
                                      it->related ? "related" : "other");
                if (it->related) {
                        json_object_set_new(e, "related_to", json_string(it->related_to));
                        json_object_set_new(e, "why", json_string(it->why));
                }
                json_t *src = json_array();
                for (size_t j = 0; j < it->nsources; j++)
                        json_array_append_new(src, json_pack("{s:s,s:s}", "object", it->sources[j].object, "via",
                                                             it->sources[j].via));
                json_object_set_new(e, "sources", src);
                json_array_append_new(gaps, e);
        }
        for (size_t i = 0; i < g->nobjects; i++) {
                const gaps_object *o = &g->objects[i];
                json_t *e = json_pack("{s:s,s:s}", "path", o->path, "kind", o->kind);
                if (o->skipped) {
                        json_object_set_new(e, "status", json_string("skipped"));
                } else if (o->error) {
                        json_object_set_new(e, "status", json_string("error"));
                        json_object_set_new(e, "error", json_string(o->error));
                } else {
                        json_object_set_new(e, "status", json_string("inspected"));
                        json_object_set_new(e, "abi", json_string(trace_abi_name(o->abi)));
                        json_object_set_new(e, "linkage", json_string(o->dynamic ? "dynamic" : "static"));
                        json_object_set_new(e, "imports", json_integer((json_int_t)o->nimports));
                        json_object_set_new(e, "reachable", json_integer((json_int_t)o->nreachable));
                        json_t *nr = json_array();
                        for (size_t j = 0; o->gaps[j]; j++)
                                json_array_append_new(nr, json_string(o->gaps[j]));
                        json_object_set_new(e, "never_recorded", nr);
                }
                json_array_append_new(objects, e);
        }
        json_object_set_new(root, "summary", summary);
        json_object_set_new(root, "gaps", gaps);
        json_object_set_new(root, "objects", objects);
        char *s = json_dumps(root, JSON_SORT_KEYS | JSON_INDENT(1));
        json_decref(root);
        if (!s)
                abort();
        strbuf sb = STRBUF_INIT;
        strbuf_puts(&sb, s);
        strbuf_putc(&sb, '\n');
        free(s);
        return strbuf_steal(&sb);
}

/* ------------------------------------------------------------ portable siblings */

static int cmp_sibling(const void *a, const void *b)
{
        const gaps_sibling *x = a, *y = b;
        if (x->abi != y->abi)
                return (int)x->abi - (int)y->abi;
        return strcmp(x->name, y->name);
}

int gaps_siblings(const trace *t, const char *templates_dir, gaps_sibling **ret, size_t *ret_n, mp_error *err)
{
        _cleanup_strv_free_ char **lines = NULL;
        int r = read_table_file(templates_dir, "portable-siblings.tsv", &lines, NULL, err);
        if (r < 0)
                return r;
        gaps_sibling *v = NULL;
        size_t n = 0;
        for (int a = 0; a < _TRACE_ABI_MAX; a++) {
                if (!trace_syscall_count(t, (trace_abi)a))
                        continue;
                for (size_t i = 0; lines[i]; i++) {
                        _cleanup_free_ char *line = xstrdup(lines[i]);
                        char *tab = strchr(line, '\t');
                        *tab = '\0';
                        bool carry = streq(tab + 1, "flags");
                        char *names[16];
                        size_t m = 0;
                        char *save = NULL;
                        for (char *s = strtok_r(line, " ", &save); s && m < 16; s = strtok_r(NULL, " ", &save))
                                names[m++] = s;
                        const char *first = NULL;
                        for (size_t j = 0; j < m; j++)
                                if (trace_has_syscall(t, (trace_abi)a, names[j]) &&
                                    (!first || strcmp(names[j], first) < 0))
                                        first = names[j];
                        if (!first)
                                continue;
                        for (size_t j = 0; j < m; j++) {
                                if (trace_has_syscall(t, (trace_abi)a, names[j]) || streq(names[j], "clone3") ||
                                    !name_valid((trace_abi)a, names[j]))
                                        continue;
                                bool dup = false;
                                for (size_t k = 0; k < n && !dup; k++)
                                        dup = v[k].abi == (trace_abi)a && streq(v[k].name, names[j]);
                                if (dup)
                                        continue;
                                v = xrealloc(v, (n + 1) * sizeof *v);
                                v[n++] = (gaps_sibling){ .abi = (trace_abi)a,
                                                         .name = xstrdup(names[j]),
                                                         .recorded = xstrdup(first),
                                                         .carry_flags = carry };
                        }
                }
        }
        if (n)
                qsort(v, n, sizeof *v, cmp_sibling);
        *ret = v;
        *ret_n = n;
        return 0;
}

void gaps_siblings_free(gaps_sibling *s, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(s[i].name);
                free(s[i].recorded);
        }
        free(s);
}
