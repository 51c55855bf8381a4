/* SPDX-License-Identifier: MIT */
/* The AppArmor part of `minpriv diff`: two profiles compared rule by rule,
 * with the glob matcher deciding whether an added rule grants anything new.
 *
 * Rules are matched by what they mean: qualifiers (deny, owner), the kind,
 * and for file rules the pattern after variable expansion, the permissions,
 * the exec mode and the target (so quoting, spacing, order, comments and a
 * variable renamed to the same value show nothing; a variable redefined
 * shows the rules whose meaning changed). A rule only in NEW:
 *
 *  - an allow file rule widens by the permissions no allow rule of OLD with
 *    a pattern covering it (aaglob_covers: every path the new pattern
 *    matches is matched by the old one) already gave (an owner rule of OLD
 *    only covers owner rules; exec needs the same exec mode). Fully covered
 *    it is listed as a change, naming the rules that covered it;
 *  - capability and network rules widen unless OLD allowed the same
 *    capability / family and type already;
 *  - a deny rule narrows;
 *  - an include (its file is not read) widens, added or removed;
 *  - other rules (unix, signal, ptrace, mount, dbus) widen when allow,
 *    narrow when deny.
 *
 * A rule only in OLD is the mirror image (an allow rule narrows by what NEW
 * no longer covers, a deny rule that went widens). A rule whose only change
 * is `audit` is a change. Profile flags: complain, kill-less modes
 * (`complain`, `unconfined`) added widen, removed narrow; other flags, the
 * name and the attachment are changes. The preamble (compare_preamble):
 * an `abi` or an include before the profile added or removed widens, an
 * alias added widens (and the rule copies it makes are compared as rules),
 * a variable definition changed widens when included files could use it
 * (otherwise the rules using it show the change, and it is not listed). Deny rules are not subtracted when
 * deciding coverage: a changed deny rule is an item of its own. */
#include "policy/aaglob.h"
#include "policy/apparmor-profile.h"
#include "review/diff-internal.h"
#include "common/hashmap.h"

static unsigned with_append(unsigned p)
{
        return (p & AA_PERM_WRITE) ? p | AA_PERM_APPEND : p;
}

static bool str_equal(const char *a, const char *b)
{
        return (!a && !b) || (a && b && streq(a, b));
}

static bool is_file(const mp_aa_rule *r)
{
        return r->kind == AA_RULE_FILE || r->kind == AA_RULE_LINK;
}

/* What a rule means, for matching rules of the two profiles (audit is
 * left out: it changes logging, not access). */
static char *rule_key(const mp_aa_rule *r)
{
        if (is_file(r)) {
                _cleanup_free_ char *perms = mp_aa_perms_format(r->perms, r->exec_mode);
                return xasprintf("%d|%d|%d|%s|%s|%s|%d", r->kind, r->deny, r->owner,
                                 r->glob ? aaglob_expanded(r->glob) : "(every path)", perms, r->target ? r->target : "",
                                 r->subset);
        }
        /* the text has the qualifiers in front: take them out */
        const char *t = r->text;
        for (;;) {
                if (startswith(t, "audit "))
                        t += 6;
                else if (startswith(t, "allow "))
                        t += 6;
                else
                        break;
        }
        return xasprintf("%d|%d|%s", r->kind, r->deny, t);
}

static char *rule_text(const mp_aa_rule *r)
{
        return xasprintf("%s,", r->text);
}

/* The bytes every path a rule's pattern matches starts with (up to the
 * first glob character, escapes undone); "" for `file,`. */
static char *literal_prefix(const mp_aa_rule *r)
{
        strbuf sb = STRBUF_INIT;
        const char *p = r->glob ? aaglob_expanded(r->glob) : "";
        for (size_t i = 0; p[i]; i++) {
                if (p[i] == '\\' && p[i + 1]) {
                        strbuf_putc(&sb, p[++i]);
                        continue;
                }
                if (strchr("*?[{@", p[i]))
                        break;
                strbuf_putc(&sb, p[i]);
        }
        return strbuf_steal(&sb);
}

/* Two patterns whose literal prefixes disagree match no common path, so
 * one cannot cover the other: a cheap filter before aaglob_covers(). */
static bool prefixes_agree(const char *a, const char *b)
{
        size_t la = strlen(a), lb = strlen(b);
        return strncmp(a, b, la < lb ? la : lb) == 0;
}

/* The permissions of `r` (a file rule of one profile) that the allow
 * rules of `other` cover; *ret_by gets the covering rules. prefixes: the
 * literal prefix of each rule of `other`. */
static unsigned covered_perms(const mp_aa_rule *r, const mp_aa_profile *other, char *const *prefixes, char ***ret_by)
{
        _cleanup_free_ char *mine = literal_prefix(r);
        unsigned want = with_append(r->perms), got = 0;
        for (size_t i = 0; i < other->n_rules; i++) {
                const mp_aa_rule *o = &other->rules[i];
                if (!is_file(o) || o->deny || (o->owner && !r->owner))
                        continue;
                unsigned op = with_append(o->perms);
                if ((want & AA_PERM_EXEC) && (op & AA_PERM_EXEC) && strcmp(o->exec_mode, r->exec_mode) != 0)
                        op &= ~(unsigned)AA_PERM_EXEC;
                if (!(op & want & ~got) || !prefixes_agree(prefixes[i], mine))
                        continue;
                bool covers;
                if (!o->glob)
                        covers = true; /* `file,` */
                else if (!r->glob)
                        covers = false;
                else
                        covers = aaglob_covers(o->glob, r->glob) == AAGLOB_COVERS_YES;
                if (!covers)
                        continue;
                got |= op & want;
                if (ret_by)
                        strv_push(ret_by, xasprintf("line %d: %s,", o->line, o->text));
        }
        return got;
}

static bool other_allows(const mp_aa_rule *r, const mp_aa_profile *other)
{
        if (r->kind == AA_RULE_CAPABILITY) {
                if (r->capability)
                        return mp_aa_profile_allows_capability(other, r->capability);
                for (size_t i = 0; i < other->n_rules; i++)
                        if (other->rules[i].kind == AA_RULE_CAPABILITY && !other->rules[i].capability &&
                            !other->rules[i].deny)
                                return true;
                return false;
        }
        if (r->kind == AA_RULE_NETWORK && !r->protocol && !r->access && !r->n_conds) {
                if (r->family && r->type)
                        return mp_aa_profile_allows_network(other, r->family, r->type);
                /* a wider rule: OLD must have one at least as wide */
                for (size_t i = 0; i < other->n_rules; i++) {
                        const mp_aa_rule *o = &other->rules[i];
                        if (o->kind != AA_RULE_NETWORK || o->deny || o->protocol || o->access || o->n_conds)
                                continue;
                        if ((!o->family || (r->family && streq(o->family, r->family))) &&
                            (!o->type || (r->type && streq(o->type, r->type))))
                                return true;
                }
        }
        return false;
}

static void add_rule_item(diff_result *d, const mp_aa_profile *own, diff_class cls, const mp_aa_rule *r, bool in_new,
                          const char *how, unsigned perms, char **by)
{
        _cleanup_free_ char *text = rule_text(r);
        _cleanup_free_ char *sort = xasprintf("3|%s|%08d|%s", in_new ? "new" : "old", r->line, text);
        diff_item *it = diff_add(d, cls, DIFF_FILE_APPARMOR, sort);
        _cleanup_free_ char *pre = xasprintf("%s line %d: ", in_new ? "NEW" : "OLD", r->line);
        strbuf post = STRBUF_INIT;
        if (how)
                strbuf_printf(&post, "  (%s)", how);
        diff_item_line(it, pre, text, strbuf_str(&post));
        strbuf_free(&post);
        const char *by_what = cls == DIFF_CHANGE ? (in_new ? "already allowed in OLD" : "still allowed in NEW")
                                                 : (in_new ? "partly allowed in OLD" : "partly still allowed in NEW");
        if (r->alias)
                diff_item_note(it, xasprintf("the rule at line %d as `alias %s -> %s,` rewrites it", r->line,
                                             own->alias_from[r->alias - 1], own->alias_to[r->alias - 1]));
        for (char **b = by; b && *b; b++)
                diff_item_note(it, xasprintf("%s by %s", by_what, *b));
        json_t *det = json_pack("{s:s,s:s,s:s,s:s,s:i}", "kind", "rule", "rule_kind", mp_aa_rule_kind_name(r->kind),
                                "rule", text, "side", in_new ? "new" : "old", "line", r->line);
        if (is_file(r) && perms) {
                _cleanup_free_ char *p = mp_aa_perms_format(perms, (perms & AA_PERM_EXEC) ? r->exec_mode : "");
                json_object_set_new(det, in_new ? "perms_added" : "perms_removed", json_string(p));
        }
        if (by)
                json_object_set_new(det, "covered_by", strv_to_json(by));
        it->detail = det;
}

/* A rule present on one side only. */
static void one_side(diff_result *d, const mp_aa_profile *own, const mp_aa_rule *r, const mp_aa_profile *other,
                     char *const *prefixes, bool in_new)
{
        diff_class grant = in_new ? DIFF_WIDEN : DIFF_NARROW, take = in_new ? DIFF_NARROW : DIFF_WIDEN;
        if (r->deny) {
                add_rule_item(d, own, take, r, in_new, in_new ? "a deny rule added" : "a deny rule removed", 0, NULL);
                return;
        }
        if (is_file(r)) {
                char **by = NULL;
                unsigned want = with_append(r->perms);
                unsigned got = covered_perms(r, other, prefixes, &by);
                unsigned rest = want & ~got;
                if (rest & AA_PERM_WRITE)
                        rest &= ~(unsigned)AA_PERM_APPEND; /* w implies a */
                if (!rest) {
                        add_rule_item(d, own, DIFF_CHANGE, r, in_new,
                                      in_new ? "OLD already allowed this" : "NEW still allows this", 0, by);
                } else {
                        _cleanup_free_ char *p = mp_aa_perms_format(rest, (rest & AA_PERM_EXEC) ? r->exec_mode : "");
                        _cleanup_free_ char *how =
                                rest == r->perms ? NULL : xasprintf("%s %s", in_new ? "adds" : "takes away", p);
                        add_rule_item(d, own, grant, r, in_new, how, rest, by);
                }
                strv_free(by);
                return;
        }
        if (r->kind == AA_RULE_INCLUDE) {
                /* its rules (deny rules too) are not read: either way unknown */
                add_rule_item(d, own, DIFF_WIDEN, r, in_new,
                              in_new ? "an included file: its rules are not compared"
                                     : "an included file removed: its rules (deny rules too) are not compared",
                              0, NULL);
                return;
        }
        if (other_allows(r, other)) {
                add_rule_item(d, own, DIFF_CHANGE, r, in_new,
                              in_new ? "OLD already allowed this" : "NEW still allows this", 0, NULL);
                return;
        }
        add_rule_item(d, own, grant, r, in_new, NULL, 0, NULL);
}

static bool has_flag(const mp_aa_profile *p, const char *f)
{
        return strv_contains(p->flags, f);
}

static void header_item(diff_result *d, diff_class cls, const char *what, const char *subject, const char *post,
                        json_t *det)
{
        _cleanup_free_ char *sort = xasprintf("0|%s|%s", what, subject);
        diff_item *it = diff_add(d, cls, DIFF_FILE_APPARMOR, sort);
        diff_item_line(it, what, subject, post);
        it->detail = det;
}

static void compare_header(diff_result *d, const mp_aa_profile *po, const mp_aa_profile *pn)
{
        if (!streq(po->name, pn->name)) {
                _cleanup_free_ char *post = xasprintf(" (was %s)", po->name);
                header_item(d, DIFF_CHANGE, "profile name ", pn->name, post,
                            json_pack("{s:s,s:s,s:s}", "kind", "name", "old", po->name, "new", pn->name));
        }
        if (!str_equal(po->attachment, pn->attachment)) {
                _cleanup_free_ char *post = xasprintf(" (was %s)", po->attachment ? po->attachment : "none");
                header_item(d, DIFF_CHANGE, "attachment ", pn->attachment ? pn->attachment : "none", post,
                            json_pack("{s:s,s:s?,s:s?}", "kind", "attachment", "old", po->attachment, "new",
                                      pn->attachment));
        }
        /* flags: complain and unconfined stop enforcing */
        for (int side = 0; side < 2; side++) {
                const mp_aa_profile *a = side ? pn : po, *b = side ? po : pn;
                for (char **f = a->flags; f && *f; f++) {
                        if (has_flag(b, *f))
                                continue;
                        bool lax = streq(*f, "complain") || streq(*f, "unconfined");
                        diff_class cls = !lax ? DIFF_CHANGE : side ? DIFF_WIDEN : DIFF_NARROW;
                        header_item(d, cls, side ? "flag added: " : "flag removed: ", *f,
                                    lax ? (side ? " (the profile no longer enforces)" : " (the profile enforces again)")
                                        : NULL,
                                    json_pack("{s:s,s:s,s:b}", "kind", "flag", "flag", *f, "added", side == 1));
                }
        }
}

static bool has_includes(const mp_aa_profile *p)
{
        if (p->includes[0])
                return true;
        for (size_t i = 0; i < p->n_rules; i++)
                if (p->rules[i].kind == AA_RULE_INCLUDE)
                        return true;
        return false;
}

/* What comes before the profile line (apparmor_parser applies it to the
 * whole policy): `abi` (which kernel features the rules are enforced
 * against), includes (not read: anything may be in them), aliases (which
 * copy rules to other paths; the copies are compared as rules) and
 * variable definitions (compared through the rules that use them, but not
 * through included files). Whatever this reader cannot weigh widens both
 * ways. */
static void compare_preamble(diff_result *d, const mp_aa_profile *po, const mp_aa_profile *pn)
{
        bool includes = has_includes(po) || has_includes(pn);
        for (int side = 0; side < 2; side++) {
                const mp_aa_profile *a = side ? pn : po, *b = side ? po : pn;
                const char *verb = side ? "added: " : "removed: ";
                for (char **x = a->abis; *x; x++) {
                        if (strv_contains(b->abis, *x))
                                continue;
                        _cleanup_free_ char *what = xasprintf("abi %s", verb);
                        header_item(d, DIFF_WIDEN, what, *x,
                                    " (another feature ABI: what the kernel mediates may differ; not compared)",
                                    json_pack("{s:s,s:s,s:b}", "kind", "abi", "abi", *x, "added", side == 1));
                }
                for (char **x = a->includes; *x; x++) {
                        if (strv_contains(b->includes, *x))
                                continue;
                        _cleanup_free_ char *what = xasprintf("include before the profile %s", verb);
                        header_item(d, DIFF_WIDEN, what, *x,
                                    " (an included file: its aliases, variables and rules are not compared)",
                                    json_pack("{s:s,s:s,s:b}", "kind", "include", "include", *x, "added", side == 1));
                }
                for (size_t i = 0; a->alias_from[i]; i++) {
                        bool same = false;
                        for (size_t j = 0; b->alias_from[j] && !same; j++)
                                same = streq(a->alias_from[i], b->alias_from[j]) &&
                                       streq(a->alias_to[i], b->alias_to[j]);
                        if (same)
                                continue;
                        _cleanup_free_ char *what = xasprintf("alias %s", verb);
                        _cleanup_free_ char *subject = xasprintf("%s -> %s", a->alias_from[i], a->alias_to[i]);
                        header_item(d, side ? DIFF_WIDEN : DIFF_NARROW, what, subject,
                                    side ? " (the rules under the first path now also apply under the second)"
                                         : " (the rules under the first path no longer apply under the second)",
                                    json_pack("{s:s,s:s,s:s,s:b}", "kind", "alias", "from", a->alias_from[i], "to",
                                              a->alias_to[i], "added", side == 1));
                }
                /* without includes the rules that use a variable show its change */
                for (char **x = a->var_defs; includes && *x; x++) {
                        if (strv_contains(b->var_defs, *x))
                                continue;
                        _cleanup_free_ char *what = xasprintf("variable definition %s", verb);
                        header_item(
                                d, DIFF_WIDEN, what, *x, " (included files, not read, may use it)",
                                json_pack("{s:s,s:s,s:b}", "kind", "variable", "definition", *x, "added", side == 1));
                }
        }
}

/* Rule indexes by key, for pairing equal rules. */
typedef struct slots {
        size_t *idx;
        size_t n, next;
} slots;

static void slots_free(void *p)
{
        slots *s = p;
        free(s->idx);
        free(s);
}

int diff_apparmor_profiles(diff_result *d, const mp_aa_profile *po, const mp_aa_profile *pn)
{
        compare_header(d, po, pn);
        compare_preamble(d, po, pn);
        char **ko = xcalloc(po->n_rules + 1, sizeof *ko), **kn = xcalloc(pn->n_rules + 1, sizeof *kn);
        char **pfo = xcalloc(po->n_rules + 1, sizeof *pfo), **pfn = xcalloc(pn->n_rules + 1, sizeof *pfn);
        bool *used_o = xcalloc(po->n_rules + 1, sizeof *used_o), *used_n = xcalloc(pn->n_rules + 1, sizeof *used_n);
        hashmap *old_keys = hashmap_new();
        for (size_t i = 0; i < po->n_rules; i++) {
                ko[i] = rule_key(&po->rules[i]);
                pfo[i] = literal_prefix(&po->rules[i]);
                slots *sl = hashmap_get(old_keys, ko[i]);
                if (!sl) {
                        sl = xcalloc(1, sizeof *sl);
                        hashmap_put(old_keys, ko[i], sl);
                }
                sl->idx = xrealloc(sl->idx, (sl->n + 1) * sizeof *sl->idx);
                sl->idx[sl->n++] = i;
        }
        for (size_t i = 0; i < pn->n_rules; i++) {
                kn[i] = rule_key(&pn->rules[i]);
                pfn[i] = literal_prefix(&pn->rules[i]);
        }
        /* pair equal rules, in order (a rule written twice pairs twice) */
        for (size_t i = 0; i < pn->n_rules; i++) {
                slots *sl = hashmap_get(old_keys, kn[i]);
                if (!sl || sl->next == sl->n)
                        continue;
                size_t j = sl->idx[sl->next++];
                used_o[j] = used_n[i] = true;
                if (po->rules[j].audit != pn->rules[i].audit) {
                        _cleanup_free_ char *text = rule_text(&pn->rules[i]);
                        _cleanup_free_ char *sort = xasprintf("3|new|%08d|%s", pn->rules[i].line, text);
                        diff_item *it = diff_add(d, DIFF_CHANGE, DIFF_FILE_APPARMOR, sort);
                        _cleanup_free_ char *pre = xasprintf("NEW line %d: ", pn->rules[i].line);
                        diff_item_line(it, pre, text, pn->rules[i].audit ? "  (now audited)" : "  (no longer audited)");
                        it->detail = json_pack("{s:s,s:s,s:i,s:b}", "kind", "audit", "rule", text, "line",
                                               pn->rules[i].line, "audit", pn->rules[i].audit);
                }
        }
        for (size_t i = 0; i < pn->n_rules; i++)
                if (!used_n[i])
                        one_side(d, pn, &pn->rules[i], po, pfo, true);
        for (size_t j = 0; j < po->n_rules; j++)
                if (!used_o[j])
                        one_side(d, po, &po->rules[j], pn, pfn, false);
        hashmap_free(old_keys, slots_free);
        for (size_t i = 0; i < po->n_rules; i++) {
                free(ko[i]);
                free(pfo[i]);
        }
        for (size_t i = 0; i < pn->n_rules; i++) {
                free(kn[i]);
                free(pfn[i]);
        }
        free(ko);
        free(kn);
        free(pfo);
        free(pfn);
        free(used_o);
        free(used_n);
        return 0;
}
