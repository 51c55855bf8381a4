/* SPDX-License-Identifier: MIT */
/* Run counts of trace items (see seen.h and docs/trace-format.md, "Runs
 * and stability"). */
#include "trace/seen.h"

#include "common/strbuf.h"

static const struct {
        const char *section;
        bool two_levels;
} seen_sections[_TRACE_SEEN_KIND_MAX] = {
        [TRACE_SEEN_SYSCALL] = { "syscalls", true },        [TRACE_SEEN_UNKNOWN] = { "unknown_syscalls", true },
        [TRACE_SEEN_ARGUMENT] = { "arguments", true },      [TRACE_SEEN_FILE] = { "files", false },
        [TRACE_SEEN_CAPABILITY] = { "capabilities", true },
};

json_int_t trace_runs(const trace *t)
{
        return (json_int_t)json_array_size(json_object_get(t->root, "runs"));
}

json_int_t trace_item_seen(const json_t *item, json_int_t runs)
{
        json_t *s = json_object_get(item, "seen");
        return json_is_integer(s) ? json_integer_value(s) : runs;
}

/* A loaded trace shares identical file nodes between paths (reference-
 * counted, see trace.c). Changes made to every item alike (a count made
 * explicit, dropped, cleared) may touch a shared node in place: its
 * holders stay identical. A change to one item (add_implicit) first gives
 * it a copy of its own. */
static json_t *own_item(json_t *map, const char *key, json_t *item)
{
        if (!item || item->refcount <= 1)
                return item;
        json_t *copy = json_deep_copy(item);
        json_object_set_new(map, key, copy);
        return copy;
}

static void visit_map(json_t *map, trace_seen_kind kind, const char *outer, trace_seen_fn fn, void *ud)
{
        size_t n;
        _cleanup_free_ const char **keys = trace_sorted_keys(map, &n);
        for (size_t i = 0; i < n; i++) {
                json_t *item = json_object_get(map, keys[i]);
                if (json_is_object(item))
                        fn(ud, kind, outer, keys[i], item);
        }
}

void trace_seen_foreach(json_t *root, trace_seen_fn fn, void *ud)
{
        for (int k = 0; k < _TRACE_SEEN_KIND_MAX; k++) {
                json_t *sec = json_object_get(root, seen_sections[k].section);
                if (!json_is_object(sec))
                        continue;
                if (!seen_sections[k].two_levels) {
                        visit_map(sec, (trace_seen_kind)k, NULL, fn, ud);
                        continue;
                }
                size_t n;
                _cleanup_free_ const char **outer = trace_sorted_keys(sec, &n);
                for (size_t i = 0; i < n; i++) {
                        json_t *map = json_object_get(sec, outer[i]);
                        if (json_is_object(map))
                                visit_map(map, (trace_seen_kind)k, outer[i], fn, ud);
                }
        }
}

/* The item at the same place in another tree, or NULL; its own copy when
 * it was shared (it is about to change). */
static json_t *item_in(json_t *root, trace_seen_kind kind, const char *outer, const char *key)
{
        json_t *sec = json_object_get(root, seen_sections[kind].section);
        if (outer)
                sec = json_object_get(sec, outer);
        return own_item(sec, key, json_object_get(sec, key));
}

typedef struct validate_ctx {
        json_int_t max;
        const char *name;
        mp_error *err;
        int r;
} validate_ctx;

static void validate_one(void *ud, trace_seen_kind kind, const char *outer, const char *key, json_t *item)
{
        validate_ctx *c = ud;
        json_t *s = json_object_get(item, "seen");
        if (!s || c->r < 0)
                return;
        json_int_t v = json_integer_value(s);
        if (v >= 1 && v <= c->max)
                return;
        _cleanup_free_ char *q = quote_for_message(key);
        c->r = mp_error_set(c->err, -EINVAL, c->name, "%s%s%s.%s.seen: %lld is not between 1 and the %lld runs",
                            seen_sections[kind].section, outer ? "." : "", outer ? outer : "", q, (long long)v,
                            (long long)c->max);
}

int trace_seen_validate(json_t *root, const char *name, mp_error *err)
{
        json_int_t runs = (json_int_t)json_array_size(json_object_get(root, "runs"));
        validate_ctx c = { .max = runs > 1 ? runs : 1, .name = name, .err = err, .r = 0 };
        trace_seen_foreach(root, validate_one, &c);
        return c.r;
}

static void clear_one(void *ud, trace_seen_kind kind, const char *outer, const char *key, json_t *item)
{
        (void)ud, (void)kind, (void)outer, (void)key;
        json_object_del(item, "seen");
}

void trace_seen_clear(trace *t)
{
        trace_seen_foreach(t->root, clear_one, NULL);
}

/* --- merging (called by trace_merge) --- */

static void make_explicit(void *ud, trace_seen_kind kind, const char *outer, const char *key, json_t *item)
{
        (void)kind, (void)outer, (void)key;
        if (!json_object_get(item, "seen"))
                json_object_set_new(item, "seen", json_integer(*(json_int_t *)ud));
}

void trace_seen_merge_begin(json_t *into, json_int_t runs)
{
        trace_seen_foreach(into, make_explicit, &runs);
}

typedef struct add_ctx {
        json_t *into;
        json_int_t runs;
} add_ctx;

/* `from` items without `seen` count all of from's runs: the generic merge
 * has summed the explicit ones (or copied the item without one). */
static void add_implicit(void *ud, trace_seen_kind kind, const char *outer, const char *key, json_t *item)
{
        add_ctx *c = ud;
        if (json_object_get(item, "seen"))
                return;
        json_t *mine = item_in(c->into, kind, outer, key);
        if (mine)
                json_object_set_new(mine, "seen", json_integer(trace_item_seen(mine, 0) + c->runs));
}

static void drop_full(void *ud, trace_seen_kind kind, const char *outer, const char *key, json_t *item)
{
        (void)kind, (void)outer, (void)key;
        if (trace_item_seen(item, -1) >= *(json_int_t *)ud)
                json_object_del(item, "seen");
}

void trace_seen_merge_end(json_t *into, json_t *from, json_int_t from_runs, json_int_t total)
{
        add_ctx c = { .into = into, .runs = from_runs };
        trace_seen_foreach(from, add_implicit, &c);
        trace_seen_foreach(into, drop_full, &total);
}

/* --- unstable items --- */

typedef struct list_ctx {
        json_int_t runs;
        trace_unstable *v;
        size_t n, cap;
} list_ctx;

static void push(list_ctx *c, trace_seen_kind kind, char *label, json_int_t seen)
{
        if (c->n == c->cap) {
                c->cap = c->cap ? c->cap * 2 : 16;
                c->v = xrealloc(c->v, c->cap * sizeof *c->v);
        }
        c->v[c->n++] = (trace_unstable){ .kind = kind, .label = label, .seen = seen };
}

static void list_one(void *ud, trace_seen_kind kind, const char *outer, const char *key, json_t *item)
{
        list_ctx *c = ud;
        if (kind == TRACE_SEEN_CAPABILITY)
                return; /* per capability, below */
        json_int_t seen = trace_item_seen(item, c->runs);
        if (seen >= c->runs)
                return;
        char *label;
        switch (kind) {
        case TRACE_SEEN_SYSCALL:
                label = streq(outer, "x86_64") ? xstrdup(key) : xasprintf("%s (%s)", key, outer);
                break;
        case TRACE_SEEN_UNKNOWN:
                label = xasprintf("syscall %s (%s)", key, outer);
                break;
        case TRACE_SEEN_ARGUMENT:
                label = xasprintf("%s %s", outer, key);
                break;
        default:
                label = xstrdup(key);
        }
        push(c, kind, label, seen);
}

static int cmp_unstable(const void *a, const void *b)
{
        const trace_unstable *x = a, *y = b;
        if (x->kind != y->kind)
                return (int)x->kind - (int)y->kind;
        return strcmp(x->label, y->label);
}

static size_t dir_len(const char *path)
{
        const char *slash = strrchr(path, '/');
        return slash ? (size_t)(slash - path) + 1 : 0;
}

/* Per-run names (mktemp files, pid-named paths) make many unstable paths
 * in one directory, each seen in few runs: three or more files of one
 * directory become one item, counted by the most frequent of them. The
 * list is sorted, so they are adjacent. */
static void group_files(list_ctx *c)
{
        size_t out = 0;
        for (size_t i = 0; i < c->n;) {
                size_t j = i + 1;
                if (c->v[i].kind == TRACE_SEEN_FILE) {
                        size_t dl = dir_len(c->v[i].label);
                        while (j < c->n && c->v[j].kind == TRACE_SEEN_FILE && dir_len(c->v[j].label) == dl &&
                               strncmp(c->v[j].label, c->v[i].label, dl) == 0)
                                j++;
                }
                if (j - i < 3) {
                        for (; i < j; i++)
                                c->v[out++] = c->v[i];
                        continue;
                }
                json_int_t best = 0;
                for (size_t k = i; k < j; k++)
                        if (c->v[k].seen > best)
                                best = c->v[k].seen;
                char *label = xasprintf("%.*s* (%zu names, e.g. %s: per-run names such as temporary files)",
                                        (int)dir_len(c->v[i].label), c->v[i].label, j - i, c->v[i].label);
                for (size_t k = i; k < j; k++)
                        free(c->v[k].label);
                c->v[out++] = (trace_unstable){ .kind = TRACE_SEEN_FILE, .label = label, .seen = best };
                i = j;
        }
        c->n = out;
}

trace_unstable *trace_unstable_list(trace *t, size_t *ret_n, json_int_t *ret_runs)
{
        list_ctx c = { .runs = trace_runs(t) };
        *ret_runs = c.runs;
        *ret_n = 0;
        if (c.runs < 2)
                return NULL;
        trace_materialize(t);
        trace_seen_foreach(t->root, list_one, &c);
        json_t *caps = json_object_get(t->root, "capabilities");
        size_t n;
        _cleanup_free_ const char **names = trace_sorted_keys(caps, &n);
        for (size_t i = 0; i < n; i++) {
                json_int_t best = 0;
                const char *reason;
                json_t *node;
                json_object_foreach (json_object_get(caps, names[i]), reason, node) {
                        if (!json_object_get(json_object_get(node, "results"), "ok"))
                                continue;
                        json_int_t s = trace_item_seen(node, c.runs);
                        if (s > best)
                                best = s;
                }
                if (best > 0 && best < c.runs)
                        push(&c, TRACE_SEEN_CAPABILITY, xstrdup(names[i]), best);
        }
        if (c.n)
                qsort(c.v, c.n, sizeof *c.v, cmp_unstable);
        group_files(&c);
        *ret_n = c.n;
        return c.v;
}

void trace_unstable_free(trace_unstable *u, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(u[i].label);
        free(u);
}

bool trace_runs_same_command(const trace *t)
{
        json_t *runs = json_object_get(t->root, "runs");
        size_t i;
        json_t *r;
        json_t *first = json_object_get(json_array_get(runs, 0), "command");
        json_array_foreach (runs, i, r)
                if (!json_equal(json_object_get(r, "command"), first))
                        return false;
        return true;
}

char *trace_unstable_sentence(const trace_unstable *u, json_int_t runs)
{
        static const char *const why[_TRACE_SEEN_KIND_MAX] = {
                [TRACE_SEEN_SYSCALL] = "a timing- or input-dependent path; more like it may exist",
                [TRACE_SEEN_UNKNOWN] = "a timing- or input-dependent path; more like it may exist",
                [TRACE_SEEN_ARGUMENT] = "a value some runs did not use; others may exist",
                [TRACE_SEEN_FILE] = "a file some runs did not touch; others may exist",
                [TRACE_SEEN_CAPABILITY] = "needed on a path some runs did not take",
        };
        return xasprintf("%s: seen in %lld of %lld runs — %s", u->label, (long long)u->seen, (long long)runs,
                         why[u->kind]);
}
