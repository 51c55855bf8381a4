/* SPDX-License-Identifier: MIT */
/* `minpriv verify`: see verify.h. */
#include "review/verify.h"

#include <ctype.h>
#include <seccomp.h>
#include <sys/stat.h>

#include "policy/aaglob.h"
#include "policy/apparmor-access.h"
#include "policy/apparmor-evidence.h"
#include "review/explain.h"
#include "generator/generator.h"
#include "common/hashmap.h"
#include "trace/names.h"

/* ------------------------------------------------------------ profiles */

void verify_profiles_free(verify_profiles *p)
{
        if (!p)
                return;
        free(p->dir);
        mp_seccomp_profile_free(p->sp);
        mp_seccomp_program_free(p->prog);
        mp_aa_profile_free(p->aa);
        caps_file_free(p->caps);
        strv_free(p->container_caps);
        for (int a = 0; a < _TRACE_ABI_MAX; a++)
                hashmap_free(p->sys_state[a], NULL);
        free(p);
}

static bool exists(const char *path)
{
        struct stat st;
        return stat(path, &st) == 0;
}

int verify_profiles_load(const char *dir, verify_profiles **ret, mp_error *err)
{
        struct stat st;
        if (stat(dir, &st) < 0)
                return mp_error_set(err, -errno, dir, "cannot read the profiles: %s", strerror(errno));
        if (!S_ISDIR(st.st_mode))
                return mp_error_set(err, -ENOTDIR, dir, "not a directory (-p names the directory generate wrote)");
        verify_profiles *p = xcalloc(1, sizeof *p);
        _cleanup_(verify_profiles_freep) verify_profiles *owned = p;
        p->dir = xstrdup(dir);
        _cleanup_free_ char *sc = xasprintf("%s/seccomp.json", dir);
        _cleanup_free_ char *aa = xasprintf("%s/apparmor.profile", dir);
        _cleanup_free_ char *caps = xasprintf("%s/caps.txt", dir);
        int r;
        if (exists(caps) && (r = caps_file_load(caps, &p->caps, err)) < 0)
                return r;
        if (exists(aa) && (r = mp_aa_profile_load(aa, &p->aa, err)) < 0)
                return r;
        if (exists(sc) && (r = mp_seccomp_profile_load(sc, &p->sp, err)) < 0)
                return r;
        if (!p->sp && !p->aa && !p->caps)
                return mp_error_set(err, -ENOENT, dir, "no seccomp.json, apparmor.profile or caps.txt here");
        /* the container the profile is for: --cap-drop ALL plus caps.txt */
        if (p->caps)
                for (size_t i = 0; i < p->caps->n; i++)
                        strv_push(&p->container_caps, xstrdup(p->caps->caps[i].name));
        else
                for (size_t i = 0; mp_seccomp_docker_default_caps[i]; i++)
                        strv_push(&p->container_caps, xstrdup(mp_seccomp_docker_default_caps[i]));
        if (!p->container_caps)
                p->container_caps = xcalloc(1, sizeof(char *));
        if (p->sp) {
                mp_seccomp_env env = { .caps = (const char *const *)p->container_caps, .runc_enosys = true };
                if ((r = mp_seccomp_program_compile(p->sp, &env, &p->prog, err)) < 0)
                        return r;
        }
        *ret = steal_pointer(&owned);
        return 0;
}

int verify_enforce_filter(const verify_profiles *p, struct sock_filter **ret, size_t *ret_len, mp_error *err)
{
        if (!p->prog)
                return mp_error_set(err, -ENOENT, p->dir, "--enforce needs a seccomp.json here");
        int r = mp_seccomp_program_runc_bpf(p->prog, ret, ret_len);
        if (r < 0)
                return mp_error_set(err, r, p->dir, "seccomp.json: the filter is too large for the kernel");
        return 0;
}

/* ------------------------------------------------------------ cheap questions */

static bool allowed(uint32_t ret);
static int resolve_nr(trace_abi abi, const char *name);

enum { SYS_ALLOWED = 1, SYS_DENIED = 2, SYS_DEPENDS = 3 };

bool verify_denies_syscall(verify_profiles *p, trace_abi abi, const char *name, const uint64_t args[6])
{
        if (!p->prog || abi >= _TRACE_ABI_MAX)
                return false;
        if (!p->sys_state[abi])
                p->sys_state[abi] = hashmap_new();
        uintptr_t v = (uintptr_t)hashmap_get(p->sys_state[abi], name);
        if (!v) {
                int nr = resolve_nr(abi, name);
                uint32_t outs[64];
                size_t n = 0;
                int state = SYS_ALLOWED;
                if (nr >= 0 && mp_seccomp_program_outcomes(p->prog, abi, nr, outs, ELEMENTSOF(outs), &n) == 0) {
                        bool some = false, all = true;
                        for (size_t i = 0; i < n; i++) {
                                some |= allowed(outs[i]);
                                all &= allowed(outs[i]);
                        }
                        state = all ? SYS_ALLOWED : some ? SYS_DEPENDS : SYS_DENIED;
                } else if (nr >= 0) {
                        state = SYS_DEPENDS;
                }
                v = ((uintptr_t)(nr < 0 ? 0 : nr) << 2) | (uintptr_t)state;
                hashmap_put(p->sys_state[abi], name, (void *)v);
        }
        if ((v & 3) != SYS_DEPENDS)
                return (v & 3) == SYS_DENIED;
        mp_seccomp_verdict vd;
        return mp_seccomp_program_eval_nr(p->prog, abi, (int)(v >> 2), args, &vd) == 0 && !allowed(vd.ret);
}

bool verify_denies_file(const verify_profiles *p, const char *path, const char *resolved, const char *type,
                        const char *kind, const char *result, bool by_owner)
{
        if (!p->aa)
                return false;
        mp_aa_access a = { .kind = kind, .result = result, .by_owner = by_owner };
        size_t plen, rlen;
        _cleanup_free_ char *raw = trace_path_decode(path, &plen);
        _cleanup_free_ char *res = resolved ? trace_path_decode(resolved, &rlen) : NULL;
        if (!raw || (resolved && !res))
                return false;
        a.path = raw;
        a.path_len = plen;
        a.resolved = res ? res : raw;
        a.resolved_len = res ? rlen : plen;
        _cleanup_free_ char *name = NULL;
        mp_aa_access_fill(&a, type, &name);
        return a.granted && a.perms && !mp_aa_profile_allows_file(p->aa, a.name, a.len, a.perms, by_owner);
}

static void aa_cap_name(const char *cap, char *buf, size_t size)
{
        size_t i = 0;
        for (const char *s = startswith(cap, "CAP_") ? cap + 4 : cap; *s && i + 1 < size; s++)
                buf[i++] = (char)tolower((unsigned char)*s);
        buf[i] = 0;
}

bool verify_denies_capability(const verify_profiles *p, const char *cap)
{
        char lower[64];
        aa_cap_name(cap, lower, sizeof lower);
        return (p->caps && !caps_file_has(p->caps, cap)) || (p->aa && !mp_aa_profile_allows_capability(p->aa, lower));
}

/* ------------------------------------------------------------ report */

void verify_report_free(verify_report *r)
{
        if (!r)
                return;
        for (size_t i = 0; i < r->n; i++) {
                free(r->v[i].what);
                free(r->v[i].why);
                free(r->v[i].fix);
                free(r->v[i].results);
                free(r->v[i].rule);
                free(r->v[i].rule_why);
                free(r->v[i].pattern);
                free(r->v[i].stacks);
        }
        free(r->v);
        strv_free(r->checked);
        strv_free(r->notes);
        free(r);
}

typedef struct stack_list {
        verify_stack *v;
        size_t n;
        const trace_stack *only; /* one stack, under the first program */
} stack_list;

static int add_stack(const trace_program *p, void *ud)
{
        stack_list *l = ud;
        const trace_stack *st = l->only ? l->only : p->stack;
        if (!st)
                return 0;
        l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
        l->v[l->n++] = (verify_stack){ p->program, st };
        return l->only != NULL; /* one is enough */
}

/* The first stack of each program of a usage, in the order the programs
 * were seen; with `only`, that stack under the first program. */
static stack_list stacks_of(const trace_usage *usage, const trace_stack *only)
{
        stack_list l = { .only = only };
        if (usage)
                trace_foreach_program_stored(usage, add_stack, &l);
        return l;
}

static verify_violation *add(verify_report *r, const char *file, char *what, char *why, char *fix,
                             const trace_usage *usage, stack_list stacks)
{
        r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
        verify_violation *v = &r->v[r->n++];
        memset(v, 0, sizeof *v);
        v->file = file;
        v->what = what;
        v->why = why;
        v->fix = fix;
        v->usage = usage;
        v->stacks = stacks.v;
        v->nstacks = stacks.n;
        return v;
}

static const stack_list no_stacks = { 0 };

/* ------------------------------------------------------------ seccomp */

static bool allowed(uint32_t ret)
{
        uint32_t b = mp_seccomp_action_base(ret);
        return b == SCMP_ACT_ALLOW || b == SCMP_ACT_LOG;
}

/* A syscall's number on an ABI (i386's direct socket calls included). */
static int resolve_nr(trace_abi abi, const char *name)
{
        int nr = seccomp_syscall_resolve_name_arch(trace_abi_scmp_arch(abi), name);
        if (nr >= 0)
                return nr;
        int base = abi == TRACE_ABI_X32 ? 0x40000000 : 0;
        for (int n = 0; n < 1024; n++) {
                char *s = seccomp_syscall_resolve_num_arch(trace_abi_scmp_arch(abi), base + n);
                bool hit = s && streq(s, name);
                free(s);
                if (hit)
                        return base + n;
        }
        return -1;
}

/* Where the trace's argument values go in the call: arguments[kind] values
 * i -> args[first + i]. */
static const struct {
        const char *syscall, *kind;
        unsigned first, count;
} arg_kinds[] = {
        { "socket", "socket", 0, 3 },         { "socketpair", "socketpair", 0, 3 },
        { "clone", "clone", 0, 1 },           { "unshare", "unshare", 0, 1 },
        { "setns", "setns", 1, 1 },           { "personality", "personality", 0, 1 },
        { "prctl", "prctl", 0, 1 },           { "ioctl", "ioctl", 1, 1 },
        { "setsockopt", "setsockopt", 1, 2 }, { "socketcall", "socketcall", 0, 1 },
};

static int result_text(const char *result, json_int_t count, void *ud)
{
        strbuf *sb = ud;
        strbuf_printf(sb, "%s%s %lld", sb->len ? ", " : "", result, (long long)count);
        return 0;
}

static char *seccomp_fix(const verify_profiles *p, const char *name, bool args)
{
        if (args)
                return xasprintf("the profile misses these argument values of %s: regenerate (minpriv record + "
                                 "generate), or allow them in %s/seccomp.json",
                                 name, p->dir);
        return xasprintf("the profile misses %s: regenerate (minpriv record + generate), or add \"%s\" to an "
                         "SCMP_ACT_ALLOW rule of %s/seccomp.json",
                         name, name, p->dir);
}

typedef struct seccomp_check {
        verify_report *r;
        const verify_profiles *p;
        const trace *t;
        size_t total;
        /* one call's argument groups */
        const trace_syscall *sc;
        size_t k;
        int nr;
        const char *results;
} seccomp_check;

static int check_group(const trace_arg_group *g, void *ud)
{
        seccomp_check *c = ud;
        const trace_syscall *sc = c->sc;
        uint64_t args[6] = { 0 };
        for (unsigned j = 0; j < arg_kinds[c->k].count && j < g->nvalues; j++) {
                json_int_t v = 0;
                trace_arg_value(g, j, &v);
                args[arg_kinds[c->k].first + j] = (uint64_t)v;
        }
        mp_seccomp_verdict v;
        if (mp_seccomp_program_eval_nr(c->p->prog, sc->abi, c->nr, args, &v) < 0 || allowed(v.ret))
                return 0;
        _cleanup_free_ char *vs = mp_seccomp_action_describe(v.ret);
        verify_violation *x =
                add(c->r, "seccomp.json", xasprintf("%s %s(%s)", trace_abi_name(sc->abi), sc->name, g->key),
                    xasprintf("denied with these arguments (%s)", vs), seccomp_fix(c->p, sc->name, true), g->usage,
                    stacks_of(sc->usage, NULL));
        x->results = c->results ? xstrdup(c->results) : NULL;
        return 0;
}

static int check_call(const trace_syscall *sc, void *ud)
{
        seccomp_check *c = ud;
        verify_report *r = c->r;
        const verify_profiles *p = c->p;
        trace_abi abi = sc->abi;
        const char *name = sc->name;
        c->total++;
        const char *an = trace_abi_name(abi);
        int nr = resolve_nr(abi, name);
        if (nr < 0)
                return 0; /* the trace reader refuses names an ABI does not have */
        uint32_t outs[64];
        size_t n = 0;
        int rc = mp_seccomp_program_outcomes(p->prog, abi, nr, outs, ELEMENTSOF(outs), &n);
        bool some = false, all = true;
        for (size_t i = 0; rc == 0 && i < n; i++) {
                some |= allowed(outs[i]);
                all &= allowed(outs[i]);
        }
        if (rc == 0 && all)
                return 0;
        strbuf res = STRBUF_INIT;
        trace_syscall_foreach_result(sc, result_text, &res);
        if (rc == 0 && !some) {
                mp_seccomp_verdict v;
                mp_seccomp_program_eval_nr(p->prog, abi, nr, NULL, &v);
                _cleanup_free_ char *vs = mp_seccomp_action_describe(n == 1 ? outs[0] : v.ret);
                verify_violation *x = add(r, "seccomp.json", xasprintf("%s %s", an, name), xasprintf("denied (%s)", vs),
                                          seccomp_fix(p, name, false), sc->usage, stacks_of(sc->usage, NULL));
                x->results = res.len ? strbuf_steal(&res) : NULL;
                strbuf_free(&res);
                return 0;
        }
        /* allowed for some argument values: the values the trace recorded */
        size_t k = 0;
        while (k < ELEMENTSOF(arg_kinds) && !streq(arg_kinds[k].syscall, name))
                k++;
        if (k == ELEMENTSOF(arg_kinds) || trace_arg_group_count(c->t, arg_kinds[k].kind) == 0) {
                strv_push(&r->notes, xasprintf("%s %s: the profile allows it for some argument values only and "
                                               "the trace has no values recorded for it; not checked",
                                               an, name));
                strbuf_free(&res);
                return 0;
        }
        c->sc = sc;
        c->k = k;
        c->nr = nr;
        c->results = res.len ? strbuf_str(&res) : NULL;
        trace_foreach_arg_group(c->t, arg_kinds[k].kind, check_group, c);
        strbuf_free(&res);
        return 0;
}

/* numbers libseccomp cannot name: by number */
static int check_number(const trace_syscall *sc, void *ud)
{
        seccomp_check *c = ud;
        c->total++;
        int nr = atoi(sc->name);
        mp_seccomp_verdict v;
        if (mp_seccomp_program_eval_nr(c->p->prog, sc->abi, nr, NULL, &v) < 0 || allowed(v.ret))
                return 0;
        _cleanup_free_ char *vs = mp_seccomp_action_describe(v.ret);
        add(c->r, "seccomp.json", xasprintf("%s syscall number %d", trace_abi_name(sc->abi), nr),
            xasprintf("denied (%s)", vs),
            xasprintf("libseccomp has no name for it, so a Docker profile cannot allow it; the "
                      "workload gets %s in production too",
                      vs),
            sc->usage, stacks_of(sc->usage, NULL));
        return 0;
}

static void check_seccomp(verify_report *r, const verify_profiles *p, const trace *t)
{
        seccomp_check c = { .r = r, .p = p, .t = t };
        for (int a = 0; a < _TRACE_ABI_MAX; a++)
                trace_foreach_syscall(t, (trace_abi)a, check_call, &c);
        for (int a = 0; a < _TRACE_ABI_MAX; a++)
                trace_foreach_unknown_syscall(t, (trace_abi)a, check_number, &c);
        size_t total = c.total;
        strv_push(&r->checked,
                  xasprintf("%zu syscalls against seccomp.json (as runc loads it for a container with "
                            "%s)",
                            total, p->caps ? "--cap-drop ALL plus caps.txt" : "Docker's default capabilities"));
}

/* ------------------------------------------------------------ AppArmor */

typedef struct aa_check {
        verify_report *r;
        const verify_profiles *p;
        size_t checked;
        hashmap *raw;   /* name -> ev_raw: every granted access, for the evidence rules */
        const trace *t; /* the trace */
} aa_check;

typedef struct ev_raw {
        mp_aa_evpath ev;
        char *name;
        char *pattern; /* evidence pattern (NULL: literal) */
        char *why;
} ev_raw;

static void ev_raw_free(void *p)
{
        ev_raw *e = p;
        free(e->name);
        free(e->pattern);
        free(e->why);
        free(e);
}

/* First pass: the facts the evidence rules need, per rule name. */
static int collect_ev(const mp_aa_access *a, void *ud)
{
        aa_check *c = ud;
        if (!a->granted || !a->perms)
                return 0;
        ev_raw *e = hashmap_get(c->raw, a->name);
        if (!e) {
                e = xcalloc(1, sizeof *e);
                e->name = xstrndup(a->name, a->len);
                e->ev = (mp_aa_evpath){ .name = e->name, .len = a->len, .owner_ok = true, .probe_only = true };
                hashmap_put(c->raw, a->name, e);
        }
        e->ev.perms |= a->perms;
        e->ev.owner_ok = e->ev.owner_ok && a->by_owner;
        e->ev.probe_only = e->ev.probe_only && a->probe;
        if (streq(a->kind, "list") && !a->probe)
                e->ev.listed = true;
        if (streq(a->result, "ok") && (streq(a->kind, "create") || streq(a->kind, "link") || streq(a->kind, "rename")))
                e->ev.named = true;
        if (streq(a->result, "ok") && streq(a->kind, "delete"))
                e->ev.removed = true;
        if (streq(a->result, "ok") && streq(a->kind, "create") && a->file && a->file->private_new)
                e->ev.private_new = true;
        return 0;
}

static int cmp_ev_raw(const void *a, const void *b)
{
        return strcmp((*(ev_raw *const *)a)->name, (*(ev_raw *const *)b)->name);
}

/* The evidence rules over every recorded path (the built-in table's
 * traversal threshold, 4). */
static void evidence_patterns(aa_check *c)
{
        size_t n = hashmap_size(c->raw), k = 0, pos = 0;
        ev_raw **list = xcalloc(n + 1, sizeof *list);
        const char *key;
        void *val;
        while (hashmap_next(c->raw, &pos, &key, &val))
                list[k++] = val;
        qsort(list, n, sizeof *list, cmp_ev_raw);
        mp_aa_evpath *ev = xcalloc(n + 1, sizeof *ev);
        char **pats = xcalloc(n + 1, sizeof *pats), **why = xcalloc(n + 1, sizeof *why);
        for (size_t i = 0; i < n; i++)
                ev[i] = list[i]->ev;
        size_t npids = 0;
        _cleanup_free_ long *pids = mp_aa_evidence_pids(c->t, &npids);
        mp_aa_evidence_globs(ev, n, 4, pids, npids, pats, why);
        for (size_t i = 0; i < n; i++) {
                list[i]->pattern = pats[i];
                list[i]->why = why[i];
        }
        free(pats);
        free(why);
        free(ev);
        free(list);
}

static int check_access(const mp_aa_access *a, void *ud)
{
        aa_check *c = ud;
        if (!a->granted || !a->perms)
                return 0;
        c->checked++;
        if (mp_aa_profile_allows_file(c->p->aa, a->name, a->len, a->perms, a->by_owner))
                return 0;
        /* one violation per name and kind, whatever the results */
        _cleanup_free_ char *shown_raw = quote_for_message(a->name);
        _cleanup_free_ char *what = xasprintf("%s %s", a->kind, shown_raw);
        for (size_t i = 0; i < c->r->n; i++)
                if (streq(c->r->v[i].file, "apparmor.profile") && streq(c->r->v[i].what, what))
                        return 0;
        _cleanup_free_ char *perms = mp_aa_perms_format(a->perms, (a->perms & AA_PERM_EXEC) ? "i" : "");
        const ev_raw *e = hashmap_get(c->raw, a->name);
        /* the file's first stack, under the first program that used it */
        const trace_stack *st = a->file ? a->file->stack : NULL;
        verify_violation *v = add(c->r, "apparmor.profile", xstrdup(what),
                                  xasprintf("not allowed (needs %s; result %s)", perms, a->result), NULL, a->usage,
                                  st ? stacks_of(a->usage, st) : no_stacks);
        v->pattern = e && e->pattern ? xstrdup(e->pattern) : mp_aa_escape_literal(a->name, a->len);
        v->rule_why = e && e->why ? xstrdup(e->why) : NULL;
        v->perms = a->perms;
        v->owner = e && e->ev.owner_ok && e->ev.named;
        return 0;
}

/* The file violations that share a pattern share one rule, with the
 * union of their permissions: the fix of each names it. */
static void group_file_rules(verify_report *r, const verify_profiles *p)
{
        hashmap *groups = hashmap_new(); /* pattern -> first violation */
        for (size_t i = 0; i < r->n; i++) {
                verify_violation *v = &r->v[i];
                if (!v->pattern)
                        continue;
                verify_violation *g = hashmap_get(groups, v->pattern);
                if (!g) {
                        hashmap_put(groups, v->pattern, v);
                        continue;
                }
                g->perms |= v->perms;
                g->owner = g->owner && v->owner;
        }
        for (size_t i = 0; i < r->n; i++) {
                verify_violation *v = &r->v[i];
                if (!v->pattern)
                        continue;
                const verify_violation *g = hashmap_get(groups, v->pattern);
                unsigned perms = g->perms;
                if ((perms & AA_PERM_WRITE) && (perms & AA_PERM_APPEND))
                        perms &= ~AA_PERM_APPEND; /* AppArmor refuses "aw" */
                _cleanup_free_ char *letters = mp_aa_perms_format(perms, (perms & AA_PERM_EXEC) ? "i" : "");
                _cleanup_free_ char *text = mp_aa_render_pattern(v->pattern);
                bool owner = g->owner && (perms & (AA_PERM_WRITE | AA_PERM_APPEND | AA_PERM_LINK | AA_PERM_LOCK));
                v->rule = xasprintf("%s%s %s", owner ? "owner " : "", text, letters);
                v->fix = xasprintf("the profile misses it: regenerate, or add `%s,` to %s/apparmor.profile", v->rule,
                                   p->dir);
        }
        hashmap_free(groups, NULL);
}

static const char *aa_family(int fam)
{
        switch (fam) {
        case 2:
                return "inet";
        case 10:
                return "inet6";
        case 16:
                return "netlink";
        case 17:
                return "packet";
        default:
                return NULL;
        }
}

static const char *aa_socktype(uint64_t type)
{
        switch (type & 0xf) {
        case 1:
                return "stream";
        case 2:
                return "dgram";
        case 3:
                return "raw";
        case 4:
                return "rdm";
        case 5:
                return "seqpacket";
        case 10:
                return "packet";
        default:
                return NULL;
        }
}

typedef struct net_check {
        verify_report *r;
        const verify_profiles *p;
        size_t n;
} net_check;

static int check_socket(const trace_arg_group *g, void *ud)
{
        net_check *c = ud;
        verify_report *r = c->r;
        json_int_t dom = 0, typ = 0;
        trace_arg_value(g, 0, &dom);
        trace_arg_value(g, 1, &typ);
        const char *fam = aa_family((int)dom);
        const char *type = aa_socktype((uint64_t)typ);
        if (!fam || !type)
                return 0;
        c->n++;
        if (mp_aa_profile_allows_network(c->p->aa, fam, type))
                return 0;
        _cleanup_free_ char *what = xasprintf("network %s %s", fam, type);
        bool dup = false;
        for (size_t j = 0; j < r->n; j++)
                dup |= streq(r->v[j].what, what);
        if (dup)
                return 0;
        add(r, "apparmor.profile", xstrdup(what), xasprintf("not allowed (%s(%s))", g->kind, g->key),
            xasprintf("regenerate, or add `network %s %s,` to %s/apparmor.profile", fam, type, c->p->dir), g->usage,
            no_stacks);
        return 0;
}

static int check_apparmor(verify_report *r, const verify_profiles *p, const trace *t, char **needed_caps, mp_error *err)
{
        aa_check c = { .r = r, .p = p, .raw = hashmap_new(), .t = t };
        int rc = mp_aa_trace_accesses(t, collect_ev, &c, err);
        if (rc == 0) {
                evidence_patterns(&c);
                rc = mp_aa_trace_accesses(t, check_access, &c, err);
        }
        if (rc == 0)
                group_file_rules(r, p);
        hashmap_free(c.raw, ev_raw_free);
        if (rc < 0)
                return rc;
        size_t ncaps = 0;
        for (char **cap = needed_caps; cap && *cap; cap++) {
                char lower[64];
                aa_cap_name(*cap, lower, sizeof lower);
                ncaps++;
                if (mp_aa_profile_allows_capability(p->aa, lower))
                        continue;
                add(r, "apparmor.profile", xasprintf("capability %s", lower),
                    xasprintf("not allowed (%s is used)", *cap),
                    xasprintf("regenerate, or add `capability %s,` to %s/apparmor.profile", lower, p->dir), NULL,
                    no_stacks);
        }
        net_check nc = { .r = r, .p = p };
        trace_foreach_arg_group(t, "socket", check_socket, &nc);
        trace_foreach_arg_group(t, "socketpair", check_socket, &nc);
        strv_push(&r->checked, xasprintf("%zu file accesses, %zu capabilities and %zu socket kinds against "
                                         "apparmor.profile",
                                         c.checked, ncaps, nc.n));
        return 0;
}

/* ------------------------------------------------------------ capabilities */

typedef struct caps_check {
        verify_report *r;
        const verify_profiles *p;
} caps_check;

static int check_reason(const trace_cap_reason *rn, void *ud)
{
        caps_check *c = ud;
        const trace_usage *ok = trace_result(rn->results, "ok");
        if (!ok || trace_usage_total(ok) <= 0)
                return 0;
        /* the reason's stack, under the first program that succeeded */
        add(c->r, "caps.txt", xasprintf("%s (%s)", rn->cap, rn->reason), xstrdup("used but not in caps.txt"),
            xasprintf("add %s to %s/caps.txt (--cap-add %s), or regenerate", rn->cap, c->p->dir, rn->cap), ok,
            rn->stack ? stacks_of(ok, rn->stack) : no_stacks);
        return 0;
}

static void check_caps(verify_report *r, const verify_profiles *p, const trace *t, char **needed)
{
        size_t n = 0;
        caps_check c = { r, p };
        for (char **cap = needed; cap && *cap; cap++) {
                n++;
                if (caps_file_has(p->caps, *cap))
                        continue;
                trace_foreach_cap_reason(t, *cap, check_reason, &c);
        }
        strv_push(&r->checked, xasprintf("%zu capabilities used against caps.txt", n));
}

int verify_check(const verify_profiles *p, const trace *t, verify_report **ret, mp_error *err)
{
        verify_report *r = xcalloc(1, sizeof *r);
        _cleanup_(verify_report_freep) verify_report *owned = r;
        trace_materialize((trace *)t);
        _cleanup_strv_free_ char **needed = gen_caps_needed(t);
        if (p->prog)
                check_seccomp(r, p, t);
        else
                strv_push(&r->notes, xstrdup("no seccomp.json: syscalls not checked"));
        if (p->aa) {
                int rc = check_apparmor(r, p, t, needed, err);
                if (rc < 0)
                        return rc;
        } else {
                strv_push(&r->notes, xstrdup("no apparmor.profile: file accesses not checked"));
        }
        if (p->caps)
                check_caps(r, p, t, needed);
        else
                strv_push(&r->notes, xstrdup("no caps.txt: capabilities not checked"));
        *ret = steal_pointer(&owned);
        return 0;
}

/* ------------------------------------------------------------ text */

typedef struct summary_row {
        const verify_violation *first;
        const char *key;
        size_t count;
} summary_row;

static int cmp_row(const void *a, const void *b)
{
        const summary_row *x = a, *y = b;
        if (x->count != y->count)
                return x->count > y->count ? -1 : 1;
        int c = strcmp(x->first->file, y->first->file);
        return c ? c : strcmp(x->key, y->key);
}

/* One line per rule to add, most violations first. */
static void summary_text(strbuf *out, const verify_report *r)
{
        if (!r->n)
                return;
        hashmap *rows = hashmap_new();
        summary_row *list = xcalloc(r->n + 1, sizeof *list);
        size_t n = 0;
        for (size_t i = 0; i < r->n; i++) {
                const verify_violation *v = &r->v[i];
                _cleanup_free_ char *key = xasprintf("%s\n%s", v->file, v->rule ? v->rule : v->what);
                uintptr_t k = (uintptr_t)hashmap_get(rows, key);
                if (!k) {
                        list[n] = (summary_row){ .first = v, .key = v->rule ? v->rule : v->what };
                        hashmap_put(rows, key, (void *)(uintptr_t)++n);
                        k = n;
                }
                list[k - 1].count++;
        }
        qsort(list, n, sizeof *list, cmp_row);
        strbuf_printf(out, "summary: %zu rule%s to add (violations each covers):\n", n, n == 1 ? "" : "s");
        for (size_t i = 0; i < n; i++) {
                const verify_violation *v = list[i].first;
                if (v->rule)
                        strbuf_printf(out, "  %6zu  %s: %s,\n", list[i].count, v->file, v->rule);
                else
                        strbuf_printf(out, "  %6zu  %s: %s (%s)\n", list[i].count, v->file, v->what, v->fix);
                if (v->rule_why)
                        strbuf_printf(out, "          (a glob: %s)\n", v->rule_why);
        }
        strbuf_puts(out, "details:\n");
        free(list);
        hashmap_free(rows, NULL);
}

void verify_report_text(strbuf *out, const verify_report *r, const verify_profiles *p, bool enforced)
{
        if (!r->n)
                strbuf_printf(out, "minpriv verify: no violations of the profiles in %s\n", p->dir);
        else
                strbuf_printf(out, "minpriv verify: %zu violation%s of the profiles in %s (%s)\n", r->n,
                              r->n == 1 ? "" : "s", p->dir,
                              enforced ? "seccomp.json was enforced: those calls failed; AppArmor and capabilities "
                                         "audited"
                                       : "audit: nothing was blocked");
        summary_text(out, r);
        for (size_t i = 0; i < r->n; i++) {
                const verify_violation *v = &r->v[i];
                strbuf_printf(out, "%s: %s %s", v->file, v->what, v->why);
                if (v->usage) {
                        strbuf_puts(out, ": ");
                        explain_usage_line(out, v->usage);
                }
                strbuf_putc(out, '\n');
                if (v->results)
                        strbuf_printf(out, "  results: %s\n", v->results);
                for (size_t k = 0; k < v->nstacks; k++) {
                        strbuf_printf(out, "  first in %s:\n", v->stacks[k].program);
                        explain_stack_lines(out, v->stacks[k].stack, "    ");
                }
                strbuf_printf(out, "  fix: %s\n", v->fix);
        }
        for (char **c = r->checked; c && *c; c++)
                strbuf_printf(out, "minpriv verify: checked %s\n", *c);
        for (char **n = r->notes; n && *n; n++)
                strbuf_printf(out, "minpriv verify: note: %s\n", *n);
}
