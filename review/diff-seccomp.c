/* SPDX-License-Identifier: MIT */
/* The seccomp part of `minpriv diff`: two Docker seccomp profiles compared
 * by what they do, not by their text.
 *
 * Both profiles are compiled the way podman + runc do (seccomp-profile.c)
 * for a container with Docker's default capabilities, and every syscall
 * libseccomp names on x86_64, i386 and x32 is evaluated in both programs.
 * So rules that were regrouped, reordered, split or merged, names moved
 * between groups and includes/excludes that cancel out show nothing; only
 * a change in what a call gets shows.
 *
 * Arguments. Whether a call can be allowed at all, or for every argument
 * value, comes from exploring every path of the program
 * (mp_seccomp_program_outcomes: exact). Which argument values changed is
 * found by trying representative values: every value either profile
 * compares that argument with, its neighbours (v-1, v+1), 0, and for
 * masked comparisons the expected value with each bit of the mask flipped
 * and the whole mask. For a socket family, a clone namespace flag or a
 * personality value that one profile allows and the other does not, the
 * value itself is among those tried; a region of values between two
 * compared values is represented by a neighbour. i386's socketcall and ipc
 * multiplexers are tried with every call number.
 *
 * Capabilities. Rules with includes/excludes on capabilities apply or not
 * depending on the container's capabilities. Each capability named there
 * (in either profile) is toggled in turn (added to Docker's default set,
 * or removed from it) and what differs only then is reported "with CAP_X" /
 * "without CAP_X". Architectures: the x86_64 machine (amd64 archMap entry);
 * minKernel: the running kernel.
 *
 * Folding. When an ABI is in one profile's architectures only, the calls
 * that only change from the bad-architecture kill to a denial are folded
 * into one "architecture" item; when the default action changed, the
 * calls that only follow it are folded into the "defaultAction" item (with
 * their names in the json). "flags" (emit_flags): SPEC_ALLOW added widens. */
#include <linux/net.h>
#include <seccomp.h>

#include "review/diff-internal.h"
#include "trace/names.h"
#include "policy/seccomp-profile.h"

#define NR_MAX       1024
#define MAX_CANDS    64
#define MAX_VECTORS  4096
#define MAX_OUTCOMES 64
#define MAX_LISTED   12

static const char *const abi_docker[_TRACE_ABI_MAX] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32" };

/* ------------------------------------------------------------ verdicts */

static bool allowed(uint32_t ret)
{
        uint32_t b = mp_seccomp_action_base(ret);
        return b == SCMP_ACT_ALLOW || b == SCMP_ACT_LOG;
}

/* ------------------------------------------------------------ environments */

typedef struct env {
        char *label; /* NULL: Docker's default capabilities; else "with CAP_X" / "without CAP_X" */
        char **caps;
        mp_seccomp_program *po, *pn;
} env;

static bool default_cap(const char *cap)
{
        for (size_t i = 0; mp_seccomp_docker_default_caps[i]; i++)
                if (streq(mp_seccomp_docker_default_caps[i], cap))
                        return true;
        return false;
}

static void cond_caps(const mp_seccomp_profile *p, char ***out)
{
        for (size_t i = 0; i < p->n_rules; i++) {
                const mp_seccomp_profile_cond *cs[2] = { &p->rules[i].includes, &p->rules[i].excludes };
                for (int k = 0; k < 2; k++)
                        for (size_t j = 0; cs[k]->caps && cs[k]->caps[j]; j++)
                                if (!strv_contains(*out, cs[k]->caps[j]))
                                        strv_push(out, xstrdup(cs[k]->caps[j]));
        }
}

/* ------------------------------------------------------------ candidates */

typedef struct cands {
        uint64_t v[6][MAX_CANDS];
        size_t n[6];
} cands;

static void cand_add(cands *c, unsigned idx, uint64_t v)
{
        if (idx > 5)
                return;
        for (size_t i = 0; i < c->n[idx]; i++)
                if (c->v[idx][i] == v)
                        return;
        if (c->n[idx] < MAX_CANDS)
                c->v[idx][c->n[idx]++] = v;
}

static bool rule_names(const mp_seccomp_profile_rule *r, const char *name)
{
        for (size_t i = 0; i < r->n_names; i++)
                if (streq(r->names[i], name))
                        return true;
        return false;
}

static void gather(const mp_seccomp_profile *p, const char *name, cands *c)
{
        for (size_t i = 0; i < p->n_rules; i++) {
                const mp_seccomp_profile_rule *r = &p->rules[i];
                if (!r->n_args || !rule_names(r, name))
                        continue;
                /* rules for other architectures (s390's clone) never apply here */
                if ((r->includes.arches && r->includes.arches[0] && !strv_contains(r->includes.arches, "amd64")) ||
                    strv_contains(r->excludes.arches, "amd64"))
                        continue;
                for (size_t j = 0; j < r->n_args; j++) {
                        const mp_seccomp_profile_arg *a = &r->args[j];
                        cand_add(c, a->index, 0);
                        switch (a->op) {
                        case SCMP_CMP_MASKED_EQ: {
                                cand_add(c, a->index, a->value_two);
                                cand_add(c, a->index, a->value);
                                for (int b = 0; b < 64; b++)
                                        if (a->value & (1ULL << b))
                                                cand_add(c, a->index, a->value_two ^ (1ULL << b));
                                break;
                        }
                        default:
                                cand_add(c, a->index, a->value);
                                if (a->value > 0)
                                        cand_add(c, a->index, a->value - 1);
                                if (a->value < UINT64_MAX)
                                        cand_add(c, a->index, a->value + 1);
                                break;
                        }
                }
        }
}

static int cmp_u64(const void *a, const void *b)
{
        uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
        return x < y ? -1 : x > y;
}

typedef struct vectors {
        uint64_t (*v)[6];
        size_t n;
        bool used[6];
        unsigned n_used;
} vectors;

static void vec_push(vectors *vs, const uint64_t a[6])
{
        vs->v = xrealloc(vs->v, (vs->n + 1) * sizeof *vs->v);
        memcpy(vs->v[vs->n++], a, 6 * sizeof(uint64_t));
}

/* The argument vectors to try for one syscall. */
static void build_vectors(const mp_seccomp_profile *po, const mp_seccomp_profile *pn, trace_abi abi, const char *name,
                          vectors *vs)
{
        cands c;
        memset(&c, 0, sizeof c);
        gather(po, name, &c);
        gather(pn, name, &c);
        /* libseccomp turns rules on socket(), bind(), semop()... into
         * rules on i386's multiplexers: try every call number */
        if (abi == TRACE_ABI_I386 && streq(name, "socketcall"))
                for (uint64_t k = 0; k <= 20; k++)
                        cand_add(&c, 0, k);
        if (abi == TRACE_ABI_I386 && streq(name, "ipc"))
                for (uint64_t k = 0; k <= 24; k++)
                        cand_add(&c, 0, k);
        memset(vs, 0, sizeof *vs);
        size_t product = 1;
        for (unsigned i = 0; i < 6; i++) {
                if (!c.n[i])
                        continue;
                qsort(c.v[i], c.n[i], sizeof c.v[i][0], cmp_u64);
                vs->used[i] = true;
                vs->n_used++;
                product = product * c.n[i] > MAX_VECTORS ? MAX_VECTORS + 1 : product * c.n[i];
        }
        uint64_t a[6] = { 0 };
        if (!vs->n_used) {
                vec_push(vs, a);
                return;
        }
        if (product <= MAX_VECTORS) {
                size_t pos[6] = { 0 };
                for (;;) {
                        for (unsigned i = 0; i < 6; i++)
                                a[i] = c.n[i] ? c.v[i][pos[i]] : 0;
                        vec_push(vs, a);
                        unsigned i = 0;
                        while (i < 6 && (!c.n[i] || ++pos[i] == c.n[i])) {
                                if (c.n[i])
                                        pos[i] = 0;
                                i++;
                        }
                        if (i == 6)
                                break;
                }
                return;
        }
        /* too many combinations: one argument at a time, the others 0 */
        for (unsigned i = 0; i < 6; i++)
                for (size_t k = 0; k < c.n[i]; k++) {
                        memset(a, 0, sizeof a);
                        a[i] = c.v[i][k];
                        vec_push(vs, a);
                }
}

static const char *socketcall_call(uint64_t call)
{
        static const char *const names[] = { NULL,
                                             "SYS_SOCKET",
                                             "SYS_BIND",
                                             "SYS_CONNECT",
                                             "SYS_LISTEN",
                                             "SYS_ACCEPT",
                                             "SYS_GETSOCKNAME",
                                             "SYS_GETPEERNAME",
                                             "SYS_SOCKETPAIR",
                                             "SYS_SEND",
                                             "SYS_RECV",
                                             "SYS_SENDTO",
                                             "SYS_RECVFROM",
                                             "SYS_SHUTDOWN",
                                             "SYS_SETSOCKOPT",
                                             "SYS_GETSOCKOPT",
                                             "SYS_SENDMSG",
                                             "SYS_RECVMSG",
                                             "SYS_ACCEPT4",
                                             "SYS_RECVMMSG",
                                             "SYS_SENDMMSG" };
        return call < ELEMENTSOF(names) ? names[call] : NULL;
}

/* One argument value, readably. */
static void put_value(strbuf *sb, const char *name, unsigned idx, uint64_t v)
{
        bool sock = streq(name, "socket") || streq(name, "socketpair");
        if (sock && idx == 0 && family_name((int)v) && v < 64) {
                strbuf_printf(sb, "%s (%llu)", family_name((int)v), (unsigned long long)v);
        } else if (sock && idx == 1 && v < 16 && socktype_name((int)v)) {
                strbuf_printf(sb, "%s (%llu)", socktype_name((int)v), (unsigned long long)v);
        } else if ((streq(name, "clone") || streq(name, "unshare")) && idx == 0 && !(v & ~CLONE_NS_MASK)) {
                if (v)
                        strbuf_printf(sb, "%s", clone_ns_flags_describe(v));
                else
                        strbuf_puts(sb, "no namespace flags");
        } else if (streq(name, "socketcall") && idx == 0 && socketcall_call(v)) {
                strbuf_printf(sb, "%s (%llu)", socketcall_call(v), (unsigned long long)v);
        } else if (v < 4096) {
                strbuf_printf(sb, "%llu", (unsigned long long)v);
        } else {
                strbuf_printf(sb, "0x%llx", (unsigned long long)v);
        }
}

static char *describe_vector(const vectors *vs, size_t k, const char *name)
{
        strbuf sb = STRBUF_INIT;
        if (vs->n_used > 1)
                strbuf_putc(&sb, '(');
        for (unsigned i = 0; i < 6; i++) {
                if (!vs->used[i])
                        continue;
                if (sb.len)
                        strbuf_puts(&sb, ", ");
                if (vs->n_used > 1 || !(i == 0 || ((streq(name, "socket") || streq(name, "socketpair")) && i == 1)))
                        strbuf_printf(&sb, "arg%u=", i);
                put_value(&sb, name, i, vs->v[k][i]);
        }
        if (vs->n_used > 1)
                strbuf_putc(&sb, ')');
        return strbuf_steal(&sb);
}

/* ------------------------------------------------------------ records */

typedef struct sc_rec {
        diff_class cls;
        size_t env;
        unsigned abis; /* bit per trace_abi */
        char *name;
        char **args; /* the argument values concerned (NULL: the call as a whole) */
        char *how;   /* "allowed", "no longer allowed for", ... */
        char *oldv, *newv;
        bool dropped;
} sc_rec;

typedef struct sc_ctx {
        diff_result *d;
        const mp_seccomp_profile *po, *pn;
        env *envs;
        size_t n_envs;
        sc_rec *recs;
        size_t n_recs;
        bool has_o[_TRACE_ABI_MAX], has_n[_TRACE_ABI_MAX];
        bool default_changed;
        char **default_follow[_TRACE_ABI_MAX]; /* names folded into the default item */
        size_t arch_folded[_TRACE_ABI_MAX];
} sc_ctx;

static void rec_add(sc_ctx *c, diff_class cls, size_t e, trace_abi abi, const char *name, char **args, const char *how,
                    uint32_t *oldv, uint32_t *newv)
{
        c->recs = xrealloc(c->recs, (c->n_recs + 1) * sizeof *c->recs);
        sc_rec *r = &c->recs[c->n_recs++];
        memset(r, 0, sizeof *r);
        r->cls = cls;
        r->env = e;
        r->abis = 1u << abi;
        r->name = xstrdup(name);
        r->args = args;
        r->how = xstrdup(how);
        r->oldv = oldv ? mp_seccomp_action_describe(*oldv) : NULL;
        r->newv = newv ? mp_seccomp_action_describe(*newv) : NULL;
}

static void rec_free(sc_rec *r)
{
        free(r->name);
        strv_free(r->args);
        free(r->how);
        free(r->oldv);
        free(r->newv);
}

static bool str_eq(const char *a, const char *b)
{
        return (!a && !b) || (a && b && streq(a, b));
}

static bool rec_same(const sc_rec *a, const sc_rec *b)
{
        return a->cls == b->cls && streq(a->name, b->name) && strv_equal(a->args, b->args) && streq(a->how, b->how) &&
               str_eq(a->oldv, b->oldv) && str_eq(a->newv, b->newv);
}

/* The vectors (indexes into vs) selected by a predicate, described. */
static char **list_vectors(const vectors *vs, const bool *sel, const char *name)
{
        char **out = NULL;
        for (size_t k = 0; k < vs->n; k++)
                if (sel[k])
                        strv_push(&out, describe_vector(vs, k, name));
        return out;
}

/* The one value v[k] takes over the selected k; false when it varies. */
static bool unique_ret(const uint32_t *v, const bool *sel, size_t n, uint32_t *ret)
{
        bool have = false;
        for (size_t k = 0; k < n; k++) {
                if (!sel[k])
                        continue;
                if (have && v[k] != *ret)
                        return false;
                *ret = v[k];
                have = true;
        }
        return have;
}

static void some_all(const uint32_t *outs, size_t n, bool *some, bool *all)
{
        *some = false;
        *all = n > 0;
        for (size_t i = 0; i < n; i++) {
                *some |= allowed(outs[i]);
                *all &= allowed(outs[i]);
        }
}

/* The call only follows the default action, which changed. */
static bool follows_default(const sc_ctx *c, uint32_t o, uint32_t n)
{
        return c->default_changed && o == c->po->default_action && n == c->pn->default_action;
}

static void compare_call(sc_ctx *c, size_t e, trace_abi abi, int nr, const char *name)
{
        const env *en = &c->envs[e];
        uint32_t oo[MAX_OUTCOMES], on[MAX_OUTCOMES];
        size_t noo = 0, non = 0;
        int ro = mp_seccomp_program_outcomes(en->po, abi, nr, oo, MAX_OUTCOMES, &noo);
        int rn = mp_seccomp_program_outcomes(en->pn, abi, nr, on, MAX_OUTCOMES, &non);
        if (ro == 0 && rn == 0 && noo == 1 && non == 1 && oo[0] == on[0])
                return;
        vectors vs;
        build_vectors(c->po, c->pn, abi, name, &vs);
        uint32_t *vo = xcalloc(vs.n, sizeof *vo), *vn = xcalloc(vs.n, sizeof *vn);
        bool any_diff = false;
        for (size_t k = 0; k < vs.n; k++) {
                mp_seccomp_verdict a, b;
                if (mp_seccomp_program_eval_nr(en->po, abi, nr, vs.v[k], &a) < 0 ||
                    mp_seccomp_program_eval_nr(en->pn, abi, nr, vs.v[k], &b) < 0)
                        a.ret = b.ret = 0;
                vo[k] = a.ret;
                vn[k] = b.ret;
                any_diff |= vo[k] != vn[k];
        }
        bool o_some, o_all, n_some, n_all;
        if (ro == 0)
                some_all(oo, noo, &o_some, &o_all);
        else
                some_all(vo, vs.n, &o_some, &o_all);
        if (rn == 0)
                some_all(on, non, &n_some, &n_all);
        else
                some_all(vn, vs.n, &n_some, &n_all);
        bool conds = vs.n_used > 0;
        bool *sel = xcalloc(vs.n, sizeof *sel);
        uint32_t ov = 0, nv = 0;
        bool ou, nu;

        /* allowed at all, always, for which values */
        if (!conds && noo == 1 && non == 1 && (o_some != n_some || o_all != n_all) &&
            follows_default(c, oo[0], on[0])) {
                if (e == 0)
                        strv_push(&c->default_follow[abi], xstrdup(name));
        } else if (o_some != n_some) {
                bool widen = n_some;
                for (size_t k = 0; k < vs.n; k++)
                        sel[k] = widen ? allowed(vn[k]) : allowed(vo[k]);
                bool every = widen ? n_all : o_all;
                char **args = every ? NULL : list_vectors(&vs, sel, name);
                if (!every && !args)
                        strv_push(&args, xstrdup("(argument values the values tried do not show)"));
                ou = unique_ret(vo, sel, vs.n, &ov) || (noo == 1 && (ov = oo[0], true));
                nu = unique_ret(vn, sel, vs.n, &nv) || (non == 1 && (nv = on[0], true));
                rec_add(c, widen ? DIFF_WIDEN : DIFF_NARROW, e, abi, name, args,
                        widen ? (every ? "allowed" : "allowed for")
                              : (every ? "no longer allowed" : "no longer allowed for"),
                        ou ? &ov : NULL, nu ? &nv : NULL);
        } else if (o_some && n_some && !(o_all && n_all)) {
                /* allowed on both sides for some values: the values that came and went */
                for (int w = 1; w >= 0; w--) {
                        for (size_t k = 0; k < vs.n; k++)
                                sel[k] = w ? allowed(vn[k]) && !allowed(vo[k]) : allowed(vo[k]) && !allowed(vn[k]);
                        char **args = list_vectors(&vs, sel, name);
                        if (!args && (w ? n_all && !o_all : o_all && !n_all))
                                strv_push(&args, xstrdup("(argument values the values tried do not show)"));
                        if (!args)
                                continue;
                        const char *how =
                                w ? (n_all ? "now allowed for every argument value, newly for" : "now also allowed for")
                                  : (o_all ? "no longer allowed for every argument value, not for"
                                           : "no longer allowed for");
                        ou = unique_ret(vo, sel, vs.n, &ov);
                        nu = unique_ret(vn, sel, vs.n, &nv);
                        rec_add(c, w ? DIFF_WIDEN : DIFF_NARROW, e, abi, name, args, how, ou ? &ov : NULL,
                                nu ? &nv : NULL);
                }
        }

        /* other changes: same allowedness, another action or errno */
        if (any_diff) {
                bool *done = xcalloc(vs.n, sizeof *done);
                bool counted = false;
                for (size_t k = 0; k < vs.n; k++) {
                        if (done[k] || vo[k] == vn[k] || allowed(vo[k]) != allowed(vn[k]))
                                continue;
                        for (size_t j = k; j < vs.n; j++) {
                                sel[j] = !done[j] && vo[j] == vo[k] && vn[j] == vn[k];
                                done[j] |= sel[j];
                        }
                        for (size_t j = 0; j < k; j++)
                                sel[j] = false;
                        /* a denial that only follows the missing architecture
                         * or the default action is folded into their items */
                        if (c->has_o[abi] != c->has_n[abi]) {
                                if (e == 0 && !counted)
                                        c->arch_folded[abi]++;
                                counted = true;
                                continue;
                        }
                        if (!conds && follows_default(c, vo[k], vn[k])) {
                                if (e == 0)
                                        strv_push(&c->default_follow[abi], xstrdup(name));
                                continue;
                        }
                        char **args = conds ? list_vectors(&vs, sel, name) : NULL;
                        rec_add(c, DIFF_CHANGE, e, abi, name, args, args ? "changed for" : "changed", &vo[k], &vn[k]);
                }
                free(done);
        }
        free(sel);
        free(vo);
        free(vn);
        free(vs.v);
}

/* ------------------------------------------------------------ items */

static bool profile_has_abi(const mp_seccomp_profile *p, trace_abi abi)
{
        if (abi == TRACE_ABI_X86_64)
                return true; /* the native architecture is always in the filter */
        for (size_t i = 0; p->architectures && p->architectures[i]; i++)
                if (streq(p->architectures[i], abi_docker[abi]))
                        return true;
        for (size_t i = 0; i < p->n_arch_map; i++) {
                if (!streq(p->arch_map[i].arch, "SCMP_ARCH_X86_64"))
                        continue;
                for (size_t j = 0; p->arch_map[i].sub_arches[j]; j++)
                        if (streq(p->arch_map[i].sub_arches[j], abi_docker[abi]))
                                return true;
        }
        return false;
}

static char *abis_text(unsigned abis)
{
        strbuf sb = STRBUF_INIT;
        for (int a = 0; a < _TRACE_ABI_MAX; a++)
                if (abis & (1u << a))
                        strbuf_printf(&sb, "%s%s", sb.len ? ", " : "", trace_abi_name((trace_abi)a));
        return strbuf_steal(&sb);
}

static json_t *abis_json(unsigned abis)
{
        json_t *a = json_array();
        for (int i = 0; i < _TRACE_ABI_MAX; i++)
                if (abis & (1u << i))
                        json_array_append_new(a, json_string(trace_abi_name((trace_abi)i)));
        return a;
}

static void emit_rec(sc_ctx *c, const sc_rec *r)
{
        const char *label = c->envs[r->env].label;
        _cleanup_free_ char *abis = abis_text(r->abis);
        _cleanup_free_ char *args = r->args ? strv_join(r->args, ", ", MAX_LISTED) : NULL;
        /* " allowed for X (was A, now B) with CAP_Y" */
        strbuf post = STRBUF_INIT, gpost = STRBUF_INIT;
        strbuf_printf(&post, " %s", r->how);
        if (args)
                strbuf_printf(&post, " %s", args);
        strbuf_puts(&gpost, r->cls == DIFF_CHANGE ? ":" : "");
        if (r->cls == DIFF_CHANGE) {
                strbuf_reset(&post);
                if (args)
                        strbuf_printf(&post, " for %s", args);
                strbuf_printf(&post, ": %s -> %s", r->oldv, r->newv);
                strbuf_printf(&gpost, " %s -> %s", r->oldv, r->newv);
        } else {
                strbuf_printf(&gpost, " %s", r->how);
                if (r->oldv && r->newv) {
                        strbuf_printf(&post, " (%s, was %s)", r->newv, r->oldv);
                        strbuf_printf(&gpost, " (%s, was %s)", r->newv, r->oldv);
                }
        }
        if (label) {
                strbuf_printf(&post, " [%s]", label);
                strbuf_printf(&gpost, " [%s]", label);
        }
        _cleanup_free_ char *pre = xasprintf("%s: ", abis);
        _cleanup_free_ char *sort =
                xasprintf("1|%s|%s|%d|%s|%s|%s|%s|%s", label ? label : "", abis, args ? 1 : 0, r->how,
                          r->oldv ? r->oldv : "", r->newv ? r->newv : "", r->name, args ? args : "");
        diff_item *it = diff_add(c->d, r->cls, DIFF_FILE_SECCOMP, sort);
        diff_item_line(it, pre, r->name, strbuf_str(&post));
        if (!args)
                diff_item_group(it, pre, strbuf_str(&gpost));
        json_t *det = json_pack("{s:s,s:s,s:o,s:s}", "kind", "syscall", "name", r->name, "abis", abis_json(r->abis),
                                "how", r->how);
        if (r->args)
                json_object_set_new(det, "args", strv_to_json(r->args));
        if (r->oldv)
                json_object_set_new(det, "old", json_string(r->oldv));
        if (r->newv)
                json_object_set_new(det, "new", json_string(r->newv));
        if (label)
                json_object_set_new(det, "capabilities", json_string(label));
        it->detail = det;
        strbuf_free(&post);
        strbuf_free(&gpost);
}

static void emit_default(sc_ctx *c)
{
        uint32_t o = c->po->default_action, n = c->pn->default_action;
        if (o == n)
                return;
        _cleanup_free_ char *ov = mp_seccomp_action_describe(o), *nv = mp_seccomp_action_describe(n);
        diff_class cls = allowed(n) && !allowed(o) ? DIFF_WIDEN : allowed(o) && !allowed(n) ? DIFF_NARROW : DIFF_CHANGE;
        diff_item *it = diff_add(c->d, cls, DIFF_FILE_SECCOMP, "0|default");
        _cleanup_free_ char *post = xasprintf(": %s -> %s", ov, nv);
        diff_item_line(it, NULL, "defaultAction", post);
        json_t *follow = json_object();
        for (int a = 0; a < _TRACE_ABI_MAX; a++) {
                size_t n_f = strv_length(c->default_follow[a]);
                if (!n_f)
                        continue;
                qsort(c->default_follow[a], n_f, sizeof(char *), strcmp_ptr);
                _cleanup_free_ char *names = strv_join(c->default_follow[a], ", ", 8);
                diff_item_note(it, xasprintf("%s: %zu syscalls named by neither profile follow it: %s",
                                             trace_abi_name((trace_abi)a), n_f, names));
                json_object_set_new(follow, trace_abi_name((trace_abi)a), strv_to_json(c->default_follow[a]));
        }
        it->detail = json_pack("{s:s,s:s,s:s,s:o}", "kind", "default_action", "old", ov, "new", nv, "follow", follow);
}

static void emit_arches(sc_ctx *c)
{
        for (int a = 0; a < _TRACE_ABI_MAX; a++) {
                if (c->has_o[a] == c->has_n[a])
                        continue;
                bool added = c->has_n[a];
                diff_item *it = diff_add(c->d, added ? DIFF_WIDEN : DIFF_NARROW, DIFF_FILE_SECCOMP, "0|arch");
                _cleanup_free_ char *pre = xasprintf("architecture %s (", added ? "added" : "removed");
                _cleanup_free_ char *post =
                        xasprintf(" code, %s): its syscalls %s the bad-architecture kill%s", abi_docker[a],
                                  added ? "now get the profile's rules instead of" : "now get",
                                  added ? "; those it allows are listed" : "; those it allowed are listed");
                diff_item_line(it, pre, trace_abi_name((trace_abi)a), post);
                if (c->arch_folded[a])
                        diff_item_note(
                                it, xasprintf("%zu more only change between the kill and a denial", c->arch_folded[a]));
                it->detail = json_pack("{s:s,s:s,s:s,s:b}", "kind", "architecture", "abi", trace_abi_name((trace_abi)a),
                                       "arch", abi_docker[a], "added", added);
        }
}

static void emit_unknown(sc_ctx *c, const mp_seccomp_program *po, const mp_seccomp_program *pn)
{
        const char *const *un = mp_seccomp_program_unknown_names(pn);
        const char *const *uo = mp_seccomp_program_unknown_names(po);
        const struct scmp_version *ver = seccomp_version();
        for (size_t i = 0; un[i]; i++) {
                bool old = false;
                for (size_t j = 0; uo[j]; j++)
                        old |= streq(uo[j], un[i]);
                if (old)
                        continue;
                _cleanup_free_ char *sort = xasprintf("2|%s", un[i]);
                diff_item *it = diff_add(c->d, DIFF_CHANGE, DIFF_FILE_SECCOMP, sort);
                _cleanup_free_ char *post = xasprintf(", unknown to libseccomp %u.%u.%u: runc ignores it", ver->major,
                                                      ver->minor, ver->micro);
                diff_item_line(it, "NEW names ", un[i], post);
                it->detail = json_pack("{s:s,s:s}", "kind", "unknown_name", "name", un[i]);
        }
}

/* "flags": SECCOMP_FILTER_FLAG_SPEC_ALLOW turns the kernel's Speculative
 * Store Bypass mitigation off for the container (widens, or narrows when
 * it goes); TSYNC, LOG and WAIT_KILLABLE_RECV change how the filter is
 * loaded, logged or waited for, not what it allows (a change). */
static void emit_flags(sc_ctx *c)
{
        for (int side = 0; side < 2; side++) {
                const mp_seccomp_profile *a = side ? c->pn : c->po, *b = side ? c->po : c->pn;
                for (char **f = a->flags; f && *f; f++) {
                        if (b->flags && strv_contains(b->flags, *f))
                                continue;
                        bool spec = streq(*f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW");
                        diff_class cls = !spec ? DIFF_CHANGE : side ? DIFF_WIDEN : DIFF_NARROW;
                        _cleanup_free_ char *sort = xasprintf("0|flags|%s", *f);
                        diff_item *it = diff_add(c->d, cls, DIFF_FILE_SECCOMP, sort);
                        const char *post = !spec  ? NULL
                                           : side ? " (the Speculative Store Bypass mitigation is turned off)"
                                                  : " (the Speculative Store Bypass mitigation is on again)";
                        diff_item_line(it, side ? "flag added: " : "flag removed: ", *f, post);
                        it->detail = json_pack("{s:s,s:s,s:b}", "kind", "flag", "flag", *f, "added", side == 1);
                }
        }
}

/* ------------------------------------------------------------ the driver */

static int compile(const mp_seccomp_profile *p, const char *const *caps, mp_seccomp_program **ret, mp_error *err)
{
        mp_seccomp_env se = { .caps = caps };
        return mp_seccomp_program_compile(p, &se, ret, err);
}

int diff_seccomp_profiles(diff_result *d, const mp_seccomp_profile *po, const mp_seccomp_profile *pn, mp_error *err)
{
        sc_ctx c = { .d = d, .po = po, .pn = pn };
        char **extra = NULL;
        cond_caps(po, &extra);
        cond_caps(pn, &extra);
        size_t n_extra = strv_length(extra);
        if (n_extra)
                qsort(extra, n_extra, sizeof *extra, strcmp_ptr);
        c.n_envs = 1 + n_extra;
        c.envs = xcalloc(c.n_envs, sizeof *c.envs);
        for (size_t i = 0; mp_seccomp_docker_default_caps[i]; i++)
                strv_push(&c.envs[0].caps, xstrdup(mp_seccomp_docker_default_caps[i]));
        for (size_t k = 0; k < n_extra; k++) {
                env *e = &c.envs[k + 1];
                bool in = default_cap(extra[k]);
                e->label = xasprintf("%s %s", in ? "without" : "with", extra[k]);
                for (size_t i = 0; mp_seccomp_docker_default_caps[i]; i++)
                        if (!streq(mp_seccomp_docker_default_caps[i], extra[k]))
                                strv_push(&e->caps, xstrdup(mp_seccomp_docker_default_caps[i]));
                if (!in)
                        strv_push(&e->caps, xstrdup(extra[k]));
        }
        strv_free(extra);
        int r = 0;
        for (size_t k = 0; k < c.n_envs && r == 0; k++) {
                r = compile(po, (const char *const *)c.envs[k].caps, &c.envs[k].po, err);
                if (r == 0)
                        r = compile(pn, (const char *const *)c.envs[k].caps, &c.envs[k].pn, err);
        }
        if (r == 0) {
                for (int a = 0; a < _TRACE_ABI_MAX; a++) {
                        c.has_o[a] = profile_has_abi(po, (trace_abi)a);
                        c.has_n[a] = profile_has_abi(pn, (trace_abi)a);
                }
                c.default_changed = po->default_action != pn->default_action;
                for (size_t k = 0; k < c.n_envs; k++) {
                        size_t first = c.n_recs;
                        for (int a = 0; a < _TRACE_ABI_MAX; a++) {
                                int base = a == TRACE_ABI_X32 ? 0x40000000 : 0;
                                for (int i = 0; i < NR_MAX; i++) {
                                        char *name = seccomp_syscall_resolve_num_arch(trace_abi_scmp_arch(a), base + i);
                                        if (!name)
                                                continue;
                                        compare_call(&c, k, (trace_abi)a, base + i, name);
                                        free(name);
                                }
                        }
                        /* what differs with a capability the same way as without is not news */
                        for (size_t i = first; k > 0 && i < c.n_recs; i++)
                                for (size_t j = 0; j < first && !c.recs[i].dropped; j++)
                                        if (c.recs[j].env == 0 && c.recs[j].abis == c.recs[i].abis &&
                                            rec_same(&c.recs[j], &c.recs[i]))
                                                c.recs[i].dropped = true;
                }
                /* one record per change, with every ABI it concerns */
                for (size_t i = 0; i < c.n_recs; i++) {
                        if (c.recs[i].dropped)
                                continue;
                        for (size_t j = i + 1; j < c.n_recs; j++)
                                if (!c.recs[j].dropped && c.recs[j].env == c.recs[i].env &&
                                    rec_same(&c.recs[i], &c.recs[j])) {
                                        c.recs[i].abis |= c.recs[j].abis;
                                        c.recs[j].dropped = true;
                                }
                }
                for (size_t i = 0; i < c.n_recs; i++)
                        if (!c.recs[i].dropped)
                                emit_rec(&c, &c.recs[i]);
                emit_default(&c);
                emit_arches(&c);
                emit_flags(&c);
                emit_unknown(&c, c.envs[0].po, c.envs[0].pn);
        }
        for (size_t i = 0; i < c.n_recs; i++)
                rec_free(&c.recs[i]);
        free(c.recs);
        for (int a = 0; a < _TRACE_ABI_MAX; a++)
                strv_free(c.default_follow[a]);
        for (size_t k = 0; k < c.n_envs; k++) {
                free(c.envs[k].label);
                strv_free(c.envs[k].caps);
                mp_seccomp_program_free(c.envs[k].po);
                mp_seccomp_program_free(c.envs[k].pn);
        }
        free(c.envs);
        return r;
}
