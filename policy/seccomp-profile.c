/* SPDX-License-Identifier: MIT */
/* Docker seccomp profiles: parse (jansson), compile (libseccomp, the way
 * podman + runc do), evaluate (a classic-BPF interpreter). See
 * seccomp-profile.h for the contracts. */
#include "policy/seccomp-profile.h"

#include <ctype.h>
#include <jansson.h>
#include <stddef.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/utsname.h>

#include "common/fileio.h"
#include "trace/names.h"
#include "common/strbuf.h"

/* ------------------------------------------------------------ small helpers */

static inline void scmp_releasep(scmp_filter_ctx *c)
{
        if (*c)
                seccomp_release(*c);
}
#define _cleanup_scmp_ _cleanup_(scmp_releasep)

const char *const mp_seccomp_docker_default_caps[] = {
        "CAP_CHOWN",
        "CAP_DAC_OVERRIDE",
        "CAP_FSETID",
        "CAP_FOWNER",
        "CAP_MKNOD",
        "CAP_NET_RAW",
        "CAP_SETGID",
        "CAP_SETUID",
        "CAP_SETFCAP",
        "CAP_SETPCAP",
        "CAP_NET_BIND_SERVICE",
        "CAP_SYS_CHROOT",
        "CAP_KILL",
        "CAP_AUDIT_WRITE",
        NULL,
};

/* ------------------------------------------------------------ actions */

static const struct {
        const char *name;
        uint32_t action; /* with the default data runc uses */
} actions[] = {
        { "SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD },
        { "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD },
        { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS },
        { "SCMP_ACT_TRAP", SCMP_ACT_TRAP },
        { "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(EPERM) },
        { "SCMP_ACT_TRACE", SCMP_ACT_TRACE(EPERM) },
        { "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW },
        { "SCMP_ACT_LOG", SCMP_ACT_LOG },
        { "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY },
};

uint32_t mp_seccomp_action_base(uint32_t action)
{
        uint32_t full = action & SECCOMP_RET_ACTION_FULL;
        return full;
}

const char *mp_seccomp_action_name(uint32_t action)
{
        switch (mp_seccomp_action_base(action)) {
        case SCMP_ACT_KILL_PROCESS:
                return "SCMP_ACT_KILL_PROCESS";
        case SCMP_ACT_KILL_THREAD:
                return "SCMP_ACT_KILL_THREAD";
        case SCMP_ACT_TRAP:
                return "SCMP_ACT_TRAP";
        case SCMP_ACT_ERRNO(0):
                return "SCMP_ACT_ERRNO";
        case SCMP_ACT_TRACE(0):
                return "SCMP_ACT_TRACE";
        case SCMP_ACT_LOG:
                return "SCMP_ACT_LOG";
        case SCMP_ACT_ALLOW:
                return "SCMP_ACT_ALLOW";
        case SCMP_ACT_NOTIFY:
                return "SCMP_ACT_NOTIFY";
        default:
                return NULL;
        }
}

int mp_seccomp_action_errno(uint32_t action)
{
        uint32_t base = mp_seccomp_action_base(action);
        if (base == SCMP_ACT_ERRNO(0) || base == SCMP_ACT_TRACE(0))
                return (int)(action & SECCOMP_RET_DATA);
        return -1;
}

char *mp_seccomp_action_describe(uint32_t action)
{
        const char *name = mp_seccomp_action_name(action);
        int e = mp_seccomp_action_errno(action);
        if (!name)
                return xasprintf("0x%08x", action);
        if (e >= 0 && mp_seccomp_action_base(action) == SCMP_ACT_ERRNO(0)) {
                const char *en = errno_name(e);
                return en ? xasprintf("%s(%s)", name, en) : xasprintf("%s(%d)", name, e);
        }
        return e >= 0 ? xasprintf("%s(%d)", name, e) : xstrdup(name);
}

static const struct {
        const char *name;
        enum scmp_compare op;
} operators[] = {
        { "SCMP_CMP_NE", SCMP_CMP_NE },
        { "SCMP_CMP_LT", SCMP_CMP_LT },
        { "SCMP_CMP_LE", SCMP_CMP_LE },
        { "SCMP_CMP_EQ", SCMP_CMP_EQ },
        { "SCMP_CMP_GE", SCMP_CMP_GE },
        { "SCMP_CMP_GT", SCMP_CMP_GT },
        { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

static const char *const known_flags[] = {
        "SECCOMP_FILTER_FLAG_TSYNC",
        "SECCOMP_FILTER_FLAG_LOG",
        "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
        "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
        NULL,
};

/* "SCMP_ARCH_X86_64" -> the libseccomp token (0 when unknown). */
static uint32_t arch_token(const char *docker_name)
{
        if (!startswith(docker_name, "SCMP_ARCH_") || !docker_name[10])
                return 0;
        char buf[32];
        size_t n = strlen(docker_name + 10);
        if (n >= sizeof buf)
                return 0;
        for (size_t i = 0; i <= n; i++)
                buf[i] = (char)tolower((unsigned char)docker_name[10 + i]);
        return seccomp_arch_resolve_name(buf);
}

/* ------------------------------------------------------------ parsing */

typedef struct parser {
        const char *name; /* the source, for messages */
        strbuf path;      /* the JSON path of the value being read */
        mp_seccomp_profile *p;
        mp_error *err;
} parser;

static int perr(parser *ps, const char *fmt, ...) _printf_(2, 3);
static int perr(parser *ps, const char *fmt, ...)
{
        char text[400];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(text, sizeof text, fmt, ap);
        va_end(ap);
        return mp_error_set(ps->err, -EINVAL, ps->name, "%s: %s", ps->path.len ? strbuf_str(&ps->path) : "top level",
                            text);
}

static void pwarn(parser *ps, const char *fmt, ...) _printf_(2, 3);
static void pwarn(parser *ps, const char *fmt, ...)
{
        char text[400];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(text, sizeof text, fmt, ap);
        va_end(ap);
        strv_push(&ps->p->warnings, xasprintf("%s: %s", ps->path.len ? strbuf_str(&ps->path) : "top level", text));
}

/* Descend into a member or element for messages; returns the old length to
 * restore with pop(). */
static size_t push_member(parser *ps, const char *key)
{
        size_t old = ps->path.len;
        strbuf_printf(&ps->path, "%s%s", old ? "." : "", key);
        return old;
}

static size_t push_index(parser *ps, size_t i)
{
        size_t old = ps->path.len;
        strbuf_printf(&ps->path, "[%zu]", i);
        return old;
}

static void pop(parser *ps, size_t old)
{
        ps->path.len = old;
        if (ps->path.buf)
                ps->path.buf[old] = '\0';
}

/* Pick the members of an object the way Go's encoding/json does: an exact
 * name first, else a case-insensitive match. Unknown members are warnings
 * (Docker ignores them); two members for the same field are an error. JSON
 * null counts as absent. */
static int members(parser *ps, json_t *obj, const char *const *names, json_t **slots, size_t n)
{
        for (size_t i = 0; i < n; i++)
                slots[i] = NULL;
        const char *key;
        json_t *v;
        json_object_foreach (obj, key, v) {
                size_t hit = n;
                for (size_t i = 0; i < n && hit == n; i++)
                        if (streq(names[i], key))
                                hit = i;
                for (size_t i = 0; i < n && hit == n; i++)
                        if (strcasecmp(names[i], key) == 0)
                                hit = i;
                if (hit == n) {
                        _cleanup_free_ char *q = quote_for_message(key);
                        pwarn(ps, "unknown member %s ignored", q);
                        continue;
                }
                if (slots[hit]) {
                        _cleanup_free_ char *q = quote_for_message(key);
                        return perr(ps, "member %s given twice (as '%s' and %s)", q, names[hit], q);
                }
                slots[hit] = json_is_null(v) ? json_null() : v;
        }
        for (size_t i = 0; i < n; i++)
                if (slots[i] && json_is_null(slots[i]))
                        slots[i] = NULL;
        return 0;
}

static int get_string(parser *ps, json_t *v, const char *key, char **ret)
{
        size_t old = push_member(ps, key);
        if (!json_is_string(v)) {
                int r = perr(ps, "expected a string");
                pop(ps, old);
                return r;
        }
        pop(ps, old);
        *ret = xstrdup(json_string_value(v));
        return 0;
}

static int get_uint(parser *ps, json_t *v, const char *key, uint64_t max, uint64_t *ret)
{
        size_t old = push_member(ps, key);
        int r = 0;
        if (!json_is_integer(v) || json_integer_value(v) < 0)
                r = perr(ps, "expected an unsigned integer");
        else if ((uint64_t)json_integer_value(v) > max)
                r = perr(ps, "%lld is out of range (at most %llu)", (long long)json_integer_value(v),
                         (unsigned long long)max);
        else
                *ret = (uint64_t)json_integer_value(v);
        pop(ps, old);
        return r;
}

static int get_strings(parser *ps, json_t *v, const char *key, char ***ret)
{
        size_t old = push_member(ps, key);
        if (!json_is_array(v)) {
                int r = perr(ps, "expected an array of strings");
                pop(ps, old);
                return r;
        }
        char **out = xcalloc(1, sizeof *out);
        size_t i;
        json_t *e;
        json_array_foreach (v, i, e) {
                if (!json_is_string(e)) {
                        size_t o2 = push_index(ps, i);
                        int r = perr(ps, "expected a string");
                        pop(ps, o2);
                        pop(ps, old);
                        strv_free(out);
                        return r;
                }
                strv_push(&out, xstrdup(json_string_value(e)));
        }
        pop(ps, old);
        *ret = out;
        return 0;
}

/* Architecture names are checked for their form only: podman passes on the
 * native architecture's archMap entry alone, so an entry this libseccomp
 * does not know (SCMP_ARCH_LOONGARCH64 in Docker's default, for libseccomp
 * 2.5) is fine until it is used; mp_seccomp_program_compile() checks those. */
static int check_arch_names(parser *ps, char **v, const char *key, bool single)
{
        size_t old = push_member(ps, key);
        for (size_t i = 0; v && v[i]; i++) {
                const char *s = v[i];
                bool ok = startswith(s, "SCMP_ARCH_") && s[10];
                for (const char *c = s; ok && *c; c++)
                        ok = isupper((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '_';
                if (ok)
                        continue;
                size_t o2 = single ? old : push_index(ps, i);
                _cleanup_free_ char *q = quote_for_message(s);
                int r = perr(ps, "%s is not an architecture name (expected SCMP_ARCH_X86_64, SCMP_ARCH_X86, ...)", q);
                pop(ps, o2);
                pop(ps, old);
                return r;
        }
        pop(ps, old);
        return 0;
}

static int parse_action(parser *ps, json_t *v, const char *key, uint32_t *ret)
{
        size_t old = push_member(ps, key);
        int r = 0;
        if (!json_is_string(v)) {
                r = perr(ps, "expected an action name such as \"SCMP_ACT_ALLOW\"");
        } else {
                size_t i = 0;
                while (i < ELEMENTSOF(actions) && !streq(actions[i].name, json_string_value(v)))
                        i++;
                if (i == ELEMENTSOF(actions)) {
                        _cleanup_free_ char *q = quote_for_message(json_string_value(v));
                        r = perr(ps, "unknown action %s", q);
                } else {
                        *ret = actions[i].action;
                }
        }
        pop(ps, old);
        return r;
}

/* With errnoRet: SCMP_ACT_ERRNO and SCMP_ACT_TRACE take it as their data;
 * other actions ignore it (runc does), which is worth a warning. */
static uint32_t apply_errno(parser *ps, uint32_t action, bool has, unsigned errnum, const char *key)
{
        if (!has)
                return action;
        uint32_t base = mp_seccomp_action_base(action);
        if (base == SCMP_ACT_ERRNO(0))
                return SCMP_ACT_ERRNO(errnum);
        if (base == SCMP_ACT_TRACE(0))
                return SCMP_ACT_TRACE(errnum);
        pwarn(ps, "%s only applies to SCMP_ACT_ERRNO and SCMP_ACT_TRACE; ignored", key);
        return action;
}

static int parse_kernel_version(parser *ps, json_t *v, int *ret_major, int *ret_minor)
{
        size_t old = push_member(ps, "minKernel");
        int r = 0;
        *ret_major = *ret_minor = -1;
        if (!json_is_string(v)) {
                r = perr(ps, "expected a string \"MAJOR.MINOR\"");
        } else if (*json_string_value(v)) {
                const char *s = json_string_value(v);
                unsigned a, b;
                int end = 0;
                if (sscanf(s, "%3u.%3u%n", &a, &b, &end) != 2 || s[end] || !isdigit((unsigned char)s[0]) || a > 255 ||
                    b > 255 || (a == 0 && b == 0) || strchr(s, '+') || strchr(s, '-') || strchr(s, ' ')) {
                        _cleanup_free_ char *q = quote_for_message(s);
                        r = perr(ps, "invalid kernel version %s (expected \"MAJOR.MINOR\", such as \"5.8\")", q);
                } else {
                        *ret_major = (int)a;
                        *ret_minor = (int)b;
                }
        }
        pop(ps, old);
        return r;
}

static int parse_cond(parser *ps, json_t *v, const char *key, mp_seccomp_profile_cond *c)
{
        c->min_kernel_major = c->min_kernel_minor = -1;
        if (!v)
                return 0;
        size_t old = push_member(ps, key);
        int r;
        if (!json_is_object(v)) {
                r = perr(ps, "expected an object");
                goto out;
        }
        static const char *const names[] = { "caps", "arches", "minKernel" };
        json_t *m[3];
        r = members(ps, v, names, m, 3);
        if (r < 0)
                goto out;
        if (m[0] && (r = get_strings(ps, m[0], "caps", &c->caps)) < 0)
                goto out;
        if (m[1] && (r = get_strings(ps, m[1], "arches", &c->arches)) < 0)
                goto out;
        if (m[2] && (r = parse_kernel_version(ps, m[2], &c->min_kernel_major, &c->min_kernel_minor)) < 0)
                goto out;
        for (size_t i = 0; c->caps && c->caps[i]; i++)
                if (cap_from_name(c->caps[i]) < 0 || !startswith(c->caps[i], "CAP_")) {
                        _cleanup_free_ char *q = quote_for_message(c->caps[i]);
                        pwarn(ps, "%s is not a capability in Docker's spelling (CAP_...); it never matches", q);
                }
out:
        pop(ps, old);
        return r;
}

static int parse_arg(parser *ps, json_t *v, mp_seccomp_profile_arg *a)
{
        if (!json_is_object(v))
                return perr(ps, "expected an object with index, value, valueTwo and op");
        static const char *const names[] = { "index", "value", "valueTwo", "op" };
        json_t *m[4];
        int r = members(ps, v, names, m, 4);
        if (r < 0)
                return r;
        uint64_t u = 0;
        if (m[0] && (r = get_uint(ps, m[0], "index", 5, &u)) < 0)
                return r;
        a->index = (unsigned)u;
        if (m[1] && (r = get_uint(ps, m[1], "value", UINT64_MAX, &a->value)) < 0)
                return r;
        if (m[2] && (r = get_uint(ps, m[2], "valueTwo", UINT64_MAX, &a->value_two)) < 0)
                return r;
        if (!m[3])
                return perr(ps, "missing member 'op'");
        size_t old = push_member(ps, "op");
        if (!json_is_string(m[3])) {
                r = perr(ps, "expected an operator name such as \"SCMP_CMP_EQ\"");
        } else {
                size_t i = 0;
                while (i < ELEMENTSOF(operators) && !streq(operators[i].name, json_string_value(m[3])))
                        i++;
                if (i == ELEMENTSOF(operators)) {
                        _cleanup_free_ char *q = quote_for_message(json_string_value(m[3]));
                        r = perr(ps, "unknown operator %s", q);
                } else {
                        a->op = operators[i].op;
                }
        }
        pop(ps, old);
        return r;
}

static int parse_rule(parser *ps, json_t *v, mp_seccomp_profile_rule *rule)
{
        rule->includes.min_kernel_major = rule->includes.min_kernel_minor = -1;
        rule->excludes.min_kernel_major = rule->excludes.min_kernel_minor = -1;
        if (!json_is_object(v))
                return perr(ps, "expected an object");
        static const char *const names[] = { "names", "name",    "action",   "errnoRet",
                                             "args",  "comment", "includes", "excludes" };
        json_t *m[8];
        int r = members(ps, v, names, m, 8);
        if (r < 0)
                return r;
        if (m[0] && m[1])
                return perr(ps, "'name' and 'names' given together; use one of them");
        if (m[0] && (r = get_strings(ps, m[0], "names", &rule->names)) < 0)
                return r;
        if (m[1]) {
                char *s;
                if ((r = get_string(ps, m[1], "name", &s)) < 0)
                        return r;
                strv_push(&rule->names, s);
        }
        if (!rule->names)
                rule->names = xcalloc(1, sizeof *rule->names);
        rule->n_names = strv_length(rule->names);
        for (size_t i = 0; i < rule->n_names; i++)
                if (!rule->names[i][0]) {
                        size_t old = push_member(ps, m[0] ? "names" : "name");
                        r = perr(ps, "empty syscall name");
                        pop(ps, old);
                        return r;
                }
        if (rule->n_names == 0)
                pwarn(ps, "no syscall names: the rule does nothing");
        if (!m[2])
                return perr(ps, "missing member 'action'");
        if ((r = parse_action(ps, m[2], "action", &rule->action)) < 0)
                return r;
        if (m[3]) {
                uint64_t u;
                if ((r = get_uint(ps, m[3], "errnoRet", 4095, &u)) < 0)
                        return r;
                rule->has_errno_ret = true;
                rule->errno_ret = (unsigned)u;
                rule->action = apply_errno(ps, rule->action, true, rule->errno_ret, "errnoRet");
        }
        if (m[4]) {
                size_t old = push_member(ps, "args");
                if (!json_is_array(m[4])) {
                        r = perr(ps, "expected an array");
                        pop(ps, old);
                        return r;
                }
                rule->n_args = json_array_size(m[4]);
                rule->args = xcalloc(rule->n_args ? rule->n_args : 1, sizeof *rule->args);
                for (size_t i = 0; i < rule->n_args; i++) {
                        size_t o2 = push_index(ps, i);
                        r = parse_arg(ps, json_array_get(m[4], i), &rule->args[i]);
                        pop(ps, o2);
                        if (r < 0) {
                                pop(ps, old);
                                return r;
                        }
                }
                pop(ps, old);
        }
        if (m[5] && (r = get_string(ps, m[5], "comment", &rule->comment)) < 0)
                return r;
        if ((r = parse_cond(ps, m[6], "includes", &rule->includes)) < 0)
                return r;
        if ((r = parse_cond(ps, m[7], "excludes", &rule->excludes)) < 0)
                return r;
        return 0;
}

static int parse_archmap(parser *ps, json_t *v, mp_seccomp_profile_archmap *am)
{
        if (!json_is_object(v))
                return perr(ps, "expected an object with architecture and subArchitectures");
        static const char *const names[] = { "architecture", "subArchitectures" };
        json_t *m[2];
        int r = members(ps, v, names, m, 2);
        if (r < 0)
                return r;
        if (!m[0])
                return perr(ps, "missing member 'architecture'");
        if ((r = get_string(ps, m[0], "architecture", &am->arch)) < 0)
                return r;
        char *one[] = { am->arch, NULL };
        if ((r = check_arch_names(ps, one, "architecture", true)) < 0)
                return r;
        if (m[1] && (r = get_strings(ps, m[1], "subArchitectures", &am->sub_arches)) < 0)
                return r;
        if (!am->sub_arches)
                am->sub_arches = xcalloc(1, sizeof *am->sub_arches);
        return check_arch_names(ps, am->sub_arches, "subArchitectures", false);
}

static int parse_profile(parser *ps, json_t *root)
{
        mp_seccomp_profile *p = ps->p;
        if (!json_is_object(root))
                return perr(ps, "expected a JSON object (a Docker seccomp profile)");
        static const char *const names[] = { "defaultAction", "defaultErrnoRet", "architectures", "archMap",
                                             "syscalls",      "flags",           "listenerPath",  "listenerMetadata" };
        json_t *m[8];
        int r = members(ps, root, names, m, 8);
        if (r < 0)
                return r;
        if (!m[0])
                return perr(ps, "missing member 'defaultAction'");
        if ((r = parse_action(ps, m[0], "defaultAction", &p->default_action)) < 0)
                return r;
        if (m[1]) {
                uint64_t u;
                if ((r = get_uint(ps, m[1], "defaultErrnoRet", 4095, &u)) < 0)
                        return r;
                p->has_default_errno_ret = true;
                p->default_errno_ret = (unsigned)u;
                p->default_action = apply_errno(ps, p->default_action, true, p->default_errno_ret, "defaultErrnoRet");
        }
        if (m[2]) {
                if ((r = get_strings(ps, m[2], "architectures", &p->architectures)) < 0)
                        return r;
                if ((r = check_arch_names(ps, p->architectures, "architectures", false)) < 0)
                        return r;
        }
        if (m[3]) {
                size_t old = push_member(ps, "archMap");
                if (!json_is_array(m[3])) {
                        r = perr(ps, "expected an array");
                        pop(ps, old);
                        return r;
                }
                p->n_arch_map = json_array_size(m[3]);
                p->arch_map = xcalloc(p->n_arch_map ? p->n_arch_map : 1, sizeof *p->arch_map);
                for (size_t i = 0; i < p->n_arch_map; i++) {
                        size_t o2 = push_index(ps, i);
                        r = parse_archmap(ps, json_array_get(m[3], i), &p->arch_map[i]);
                        pop(ps, o2);
                        if (r < 0) {
                                pop(ps, old);
                                return r;
                        }
                }
                pop(ps, old);
        }
        if (strv_length(p->architectures) > 0 && p->n_arch_map > 0)
                return perr(ps, "'architectures' and 'archMap' given together; use one of them");
        if (m[4]) {
                size_t old = push_member(ps, "syscalls");
                if (!json_is_array(m[4])) {
                        r = perr(ps, "expected an array");
                        pop(ps, old);
                        return r;
                }
                p->n_rules = json_array_size(m[4]);
                p->rules = xcalloc(p->n_rules ? p->n_rules : 1, sizeof *p->rules);
                for (size_t i = 0; i < p->n_rules; i++) {
                        size_t o2 = push_index(ps, i);
                        r = parse_rule(ps, json_array_get(m[4], i), &p->rules[i]);
                        pop(ps, o2);
                        if (r < 0) {
                                pop(ps, old);
                                return r;
                        }
                }
                pop(ps, old);
        }
        if (m[5]) {
                if ((r = get_strings(ps, m[5], "flags", &p->flags)) < 0)
                        return r;
                for (size_t i = 0; p->flags[i]; i++)
                        if (!strv_contains((char *const *)known_flags, p->flags[i])) {
                                _cleanup_free_ char *q = quote_for_message(p->flags[i]);
                                size_t old = push_member(ps, "flags");
                                pwarn(ps, "unknown flag %s", q);
                                pop(ps, old);
                        }
        }
        char *s = NULL;
        if (m[6] && (r = get_string(ps, m[6], "listenerPath", &s)) < 0)
                return r;
        free(s);
        s = NULL;
        if (m[7] && (r = get_string(ps, m[7], "listenerMetadata", &s)) < 0)
                return r;
        free(s);
        return 0;
}

int mp_seccomp_profile_load_buffer(const char *data, size_t size, const char *name, mp_seccomp_profile **ret,
                                   mp_error *err)
{
        if (!name)
                name = "(profile)";
        if (size > SECCOMP_PROFILE_MAX_BYTES)
                return mp_error_set(err, -E2BIG, name, "too large for a seccomp profile (%zu bytes)", size);
        if (size == 0)
                return mp_error_set(err, -EINVAL, name, "empty file, not a seccomp profile");
        json_error_t jerr;
        json_auto_t *root = json_loadb(data, size, JSON_REJECT_DUPLICATES, &jerr);
        if (!root) {
                const char *hint =
                        strstr(jerr.text, "too big") ? " (values above 9223372036854775807 are not supported)" : "";
                return mp_error_set_json(err, name, &jerr, hint);
        }
        mp_seccomp_profile *p = xcalloc(1, sizeof *p);
        p->source = xstrdup(name);
        parser ps = { .name = name, .path = STRBUF_INIT, .p = p, .err = err };
        int r = parse_profile(&ps, root);
        strbuf_free(&ps.path);
        if (r < 0) {
                mp_seccomp_profile_free(p);
                return r;
        }
        *ret = p;
        return 0;
}

int mp_seccomp_profile_load(const char *path, mp_seccomp_profile **ret, mp_error *err)
{
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r = read_file_full(path, SECCOMP_PROFILE_MAX_BYTES, &data, &size);
        if (r < 0)
                return mp_error_set(err, r, path, "cannot read seccomp profile: %s", strerror(-r));
        return mp_seccomp_profile_load_buffer(data, size, path, ret, err);
}

static void cond_free(mp_seccomp_profile_cond *c)
{
        strv_free(c->caps);
        strv_free(c->arches);
}

void mp_seccomp_profile_free(mp_seccomp_profile *p)
{
        if (!p)
                return;
        free(p->source);
        strv_free(p->architectures);
        for (size_t i = 0; i < p->n_arch_map; i++) {
                free(p->arch_map[i].arch);
                strv_free(p->arch_map[i].sub_arches);
        }
        free(p->arch_map);
        strv_free(p->flags);
        for (size_t i = 0; i < p->n_rules; i++) {
                mp_seccomp_profile_rule *r = &p->rules[i];
                strv_free(r->names);
                free(r->args);
                free(r->comment);
                cond_free(&r->includes);
                cond_free(&r->excludes);
        }
        free(p->rules);
        strv_free(p->warnings);
        free(p);
}

/* ------------------------------------------------------------ compiling */

#define MAX_ARCHES 24

struct mp_seccomp_program {
        struct sock_filter *insns;
        size_t len;
        char **unknown_names;
        size_t *skipped;
        size_t n_skipped;
        /* runc's -ENOSYS stub: per architecture in the profile, the largest
         * syscall number it names (0: none). */
        bool stub;
        uint32_t stub_arch[MAX_ARCHES];
        int stub_last[MAX_ARCHES];
        size_t n_stub;
};

/* Go's name for the architecture podman and Docker match archMap and
 * includes.arches against. */
static const struct {
        const char *goarch;
        const char *docker;
} native_arches[] = {
        { "amd64", "SCMP_ARCH_X86_64" },      { "arm64", "SCMP_ARCH_AARCH64" },
        { "mips64", "SCMP_ARCH_MIPS64" },     { "mips64n32", "SCMP_ARCH_MIPS64N32" },
        { "mipsel64", "SCMP_ARCH_MIPSEL64" }, { "mipsel64n32", "SCMP_ARCH_MIPSEL64N32" },
        { "s390x", "SCMP_ARCH_S390X" },       { "ppc64le", "SCMP_ARCH_PPC64LE" },
        { "riscv64", "SCMP_ARCH_RISCV64" },
};

static void running_kernel(int *major, int *minor)
{
        struct utsname u;
        *major = *minor = 0;
        if (uname(&u) == 0 && sscanf(u.release, "%d.%d", major, minor) != 2)
                *major = *minor = 0;
}

static bool rule_applies(const mp_seccomp_profile_rule *r, const char *arch, const char *const *caps, int kmaj,
                         int kmin)
{
        const mp_seccomp_profile_cond *ex = &r->excludes, *in = &r->includes;
        if (ex->arches && strv_contains(ex->arches, arch))
                return false;
        for (size_t i = 0; ex->caps && ex->caps[i]; i++)
                if (strv_contains((char *const *)caps, ex->caps[i]))
                        return false;
        if (ex->min_kernel_major >= 0 &&
            (kmaj > ex->min_kernel_major || (kmaj == ex->min_kernel_major && kmin >= ex->min_kernel_minor)))
                return false;
        if (in->arches && in->arches[0] && !strv_contains(in->arches, arch))
                return false;
        for (size_t i = 0; in->caps && in->caps[i]; i++)
                if (!strv_contains((char *const *)caps, in->caps[i]))
                        return false;
        if (in->min_kernel_major >= 0 &&
            (kmaj < in->min_kernel_major || (kmaj == in->min_kernel_major && kmin < in->min_kernel_minor)))
                return false;
        return true;
}

/* runc's matchCall(): one name of one rule. */
static int add_name(scmp_filter_ctx ctx, const mp_seccomp_profile_rule *r, const char *name, uint32_t def,
                    mp_seccomp_program *prog, const char *source, size_t idx, mp_error *err)
{
        /* runc skips a rule with the default's action before resolving its
         * name; an unknown name is reported either way */
        int nr = seccomp_syscall_resolve_name(name);
        if (nr == __NR_SCMP_ERROR) {
                if (!strv_contains(prog->unknown_names, name))
                        strv_push(&prog->unknown_names, xstrdup(name));
                return 0;
        }
        if (r->action == def)
                return 0; /* redundant: runc skips it, libseccomp would refuse it */
        int rc;
        if (r->n_args == 0) {
                rc = seccomp_rule_add(ctx, r->action, nr, 0);
        } else {
                struct scmp_arg_cmp conds[64];
                unsigned count[6] = { 0 };
                bool split = false;
                size_t n = r->n_args < ELEMENTSOF(conds) ? r->n_args : ELEMENTSOF(conds);
                if (r->n_args > ELEMENTSOF(conds))
                        return mp_error_set(err, -EINVAL, source, "syscalls[%zu]: more than %zu argument conditions",
                                            idx, ELEMENTSOF(conds));
                for (size_t i = 0; i < n; i++) {
                        conds[i] = (struct scmp_arg_cmp){ .arg = r->args[i].index,
                                                          .op = r->args[i].op,
                                                          .datum_a = r->args[i].value,
                                                          .datum_b = r->args[i].value_two };
                        if (++count[r->args[i].index] > 1)
                                split = true;
                }
                rc = 0;
                if (split) {
                        /* runc: conditions on the same argument become separate rules (OR) */
                        for (size_t i = 0; i < n && rc == 0; i++)
                                rc = seccomp_rule_add_array(ctx, r->action, nr, 1, &conds[i]);
                } else {
                        rc = seccomp_rule_add_array(ctx, r->action, nr, (unsigned)n, conds);
                }
        }
        if (rc < 0) {
                _cleanup_free_ char *q = quote_for_message(name);
                return mp_error_set(err, -EINVAL, source, "syscalls[%zu]: runc would refuse the rule for %s: %s", idx,
                                    q, strerror(-rc));
        }
        return 0;
}

static int export_bpf(scmp_filter_ctx ctx, mp_seccomp_program *prog, const char *source, mp_error *err)
{
        _cleanup_close_ int fd = memfd_create("minpriv-bpf", MFD_CLOEXEC);
        if (fd < 0)
                return mp_error_set(err, -errno, source, "cannot create a memory file: %s", strerror(errno));
        int rc = seccomp_export_bpf(ctx, fd);
        if (rc < 0)
                return mp_error_set(err, -EINVAL, source, "libseccomp cannot generate the filter: %s", strerror(-rc));
        off_t size = lseek(fd, 0, SEEK_END);
        if (size < 0 || size % (off_t)sizeof(struct sock_filter) != 0 || size == 0)
                return mp_error_set(err, -EIO, source, "libseccomp exported a malformed program");
        prog->len = (size_t)size / sizeof(struct sock_filter);
        prog->insns = xmalloc((size_t)size);
        if (pread(fd, prog->insns, (size_t)size, 0) != size)
                return mp_error_set(err, -EIO, source, "cannot read back the exported program");
        return 0;
}

/* What the kernel's seccomp_check_filter() and bpf_check_classic() accept;
 * the evaluator relies on it (every jump in range, every path ends in a
 * return, loads inside struct seccomp_data). */
static bool bpf_valid(const struct sock_filter *f, size_t len)
{
        if (len == 0 || len > BPF_MAXINSNS)
                return false;
        for (size_t pc = 0; pc < len; pc++) {
                const struct sock_filter *i = &f[pc];
                switch (i->code) {
                case BPF_LD | BPF_W | BPF_ABS:
                        if (i->k & 3 || i->k >= sizeof(struct seccomp_data))
                                return false;
                        break;
                case BPF_LD | BPF_W | BPF_LEN:
                case BPF_LDX | BPF_W | BPF_LEN:
                case BPF_LD | BPF_IMM:
                case BPF_LDX | BPF_IMM:
                case BPF_MISC | BPF_TAX:
                case BPF_MISC | BPF_TXA:
                case BPF_RET | BPF_K:
                case BPF_RET | BPF_A:
                case BPF_ALU | BPF_ADD | BPF_K:
                case BPF_ALU | BPF_ADD | BPF_X:
                case BPF_ALU | BPF_SUB | BPF_K:
                case BPF_ALU | BPF_SUB | BPF_X:
                case BPF_ALU | BPF_MUL | BPF_K:
                case BPF_ALU | BPF_MUL | BPF_X:
                case BPF_ALU | BPF_DIV | BPF_X:
                case BPF_ALU | BPF_MOD | BPF_X:
                case BPF_ALU | BPF_AND | BPF_K:
                case BPF_ALU | BPF_AND | BPF_X:
                case BPF_ALU | BPF_OR | BPF_K:
                case BPF_ALU | BPF_OR | BPF_X:
                case BPF_ALU | BPF_XOR | BPF_K:
                case BPF_ALU | BPF_XOR | BPF_X:
                case BPF_ALU | BPF_LSH | BPF_X:
                case BPF_ALU | BPF_RSH | BPF_X:
                case BPF_ALU | BPF_NEG:
                        break;
                case BPF_ALU | BPF_DIV | BPF_K:
                case BPF_ALU | BPF_MOD | BPF_K:
                        if (i->k == 0)
                                return false;
                        break;
                case BPF_ALU | BPF_LSH | BPF_K:
                case BPF_ALU | BPF_RSH | BPF_K:
                        if (i->k >= 32)
                                return false;
                        break;
                case BPF_LD | BPF_MEM:
                case BPF_LDX | BPF_MEM:
                case BPF_ST:
                case BPF_STX:
                        if (i->k >= BPF_MEMWORDS)
                                return false;
                        break;
                case BPF_JMP | BPF_JA:
                        if (i->k >= len - pc - 1)
                                return false;
                        break;
                case BPF_JMP | BPF_JEQ | BPF_K:
                case BPF_JMP | BPF_JEQ | BPF_X:
                case BPF_JMP | BPF_JGE | BPF_K:
                case BPF_JMP | BPF_JGE | BPF_X:
                case BPF_JMP | BPF_JGT | BPF_K:
                case BPF_JMP | BPF_JGT | BPF_X:
                case BPF_JMP | BPF_JSET | BPF_K:
                case BPF_JMP | BPF_JSET | BPF_X:
                        if (pc + 1 + i->jt >= len || pc + 1 + i->jf >= len)
                                return false;
                        break;
                default:
                        return false;
                }
        }
        uint16_t last = f[len - 1].code;
        return last == (BPF_RET | BPF_K) || last == (BPF_RET | BPF_A);
}

int mp_seccomp_program_compile(const mp_seccomp_profile *p, const mp_seccomp_env *env, mp_seccomp_program **ret,
                               mp_error *err)
{
        const char *source = p->source ? p->source : "(profile)";
        const char *arch = env && env->arch ? env->arch : "amd64";
        const char *const *caps = env && env->caps ? env->caps : mp_seccomp_docker_default_caps;
        int kmaj = env ? env->kernel_major : 0, kmin = env ? env->kernel_minor : 0;
        if (kmaj == 0 && kmin == 0)
                running_kernel(&kmaj, &kmin);

        if (mp_seccomp_action_base(p->default_action) == SCMP_ACT_NOTIFY)
                return mp_error_set(err, -EINVAL, source, "defaultAction: runc refuses SCMP_ACT_NOTIFY as the default");

        /* podman: "architectures" as given, or the archMap entry of the
         * native architecture with its sub-architectures. */
        const char *arch_names[MAX_ARCHES];
        size_t n_arch = 0;
        for (size_t i = 0; p->architectures && p->architectures[i] && n_arch < MAX_ARCHES; i++)
                arch_names[n_arch++] = p->architectures[i];
        const char *native_docker = NULL;
        for (size_t i = 0; i < ELEMENTSOF(native_arches); i++)
                if (streq(native_arches[i].goarch, arch))
                        native_docker = native_arches[i].docker;
        for (size_t i = 0; native_docker && i < p->n_arch_map; i++) {
                if (!streq(p->arch_map[i].arch, native_docker))
                        continue;
                arch_names[n_arch++] = p->arch_map[i].arch;
                for (size_t j = 0; p->arch_map[i].sub_arches[j] && n_arch < MAX_ARCHES; j++)
                        arch_names[n_arch++] = p->arch_map[i].sub_arches[j];
                break;
        }

        _cleanup_scmp_ scmp_filter_ctx ctx = seccomp_init(p->default_action);
        if (!ctx)
                return mp_error_set(err, -EINVAL, source, "defaultAction: libseccomp refuses the action");
        mp_seccomp_program *prog = xcalloc(1, sizeof *prog);
        _cleanup_(mp_seccomp_program_freep) mp_seccomp_program *owned = prog;
        uint32_t tokens[MAX_ARCHES];
        for (size_t i = 0; i < n_arch; i++) {
                tokens[i] = arch_token(arch_names[i]);
                if (!tokens[i])
                        return mp_error_set(err, -EINVAL, source,
                                            "architecture %s is unknown to libseccomp %u.%u.%u; runc would refuse it",
                                            arch_names[i], seccomp_version()->major, seccomp_version()->minor,
                                            seccomp_version()->micro);
                int rc = seccomp_arch_add(ctx, tokens[i]);
                if (rc < 0 && rc != -EEXIST)
                        return mp_error_set(err, -EINVAL, source, "libseccomp cannot add architecture %s: %s",
                                            arch_names[i], strerror(-rc));
        }

        /* runc turns on libseccomp's binary tree when the config has more
         * than 32 syscalls (one per name); same semantics, other layout. */
        size_t total_names = 0;
        _cleanup_free_ bool *applies = xcalloc(p->n_rules ? p->n_rules : 1, sizeof *applies);
        for (size_t i = 0; i < p->n_rules; i++) {
                applies[i] = rule_applies(&p->rules[i], arch, caps, kmaj, kmin);
                if (applies[i])
                        total_names += p->rules[i].n_names;
                else {
                        prog->skipped = xrealloc(prog->skipped, (prog->n_skipped + 1) * sizeof *prog->skipped);
                        prog->skipped[prog->n_skipped++] = i;
                }
        }
        if (total_names > 32)
                (void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
        (void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);

        int r = 0;
        for (size_t i = 0; i < p->n_rules && r == 0; i++) {
                if (!applies[i])
                        continue;
                for (size_t j = 0; j < p->rules[i].n_names && r == 0; j++)
                        r = add_name(ctx, &p->rules[i], p->rules[i].names[j], p->default_action, prog, source, i, err);
        }
        if (r < 0)
                return r;
        r = export_bpf(ctx, prog, source, err);
        if (r < 0)
                return r;
        if (prog->len > BPF_MAXINSNS)
                return mp_error_set(err, -E2BIG, source,
                                    "the filter has %zu instructions; the kernel accepts at most %d", prog->len,
                                    BPF_MAXINSNS);
        if (!bpf_valid(prog->insns, prog->len))
                return mp_error_set(err, -EINVAL, source, "libseccomp generated a program the kernel would refuse");
        if (prog->unknown_names)
                qsort(prog->unknown_names, strv_length(prog->unknown_names), sizeof(char *), strcmp_ptr);

        /* runc's -ENOSYS stub (patchbpf): not for permissive defaults, not
         * when the default is already ENOSYS. The largest number counts every
         * name of the rules podman passed on, whatever their action. */
        uint32_t defbase = mp_seccomp_action_base(p->default_action);
        if (env && env->runc_enosys && defbase != SCMP_ACT_ALLOW && defbase != SCMP_ACT_LOG &&
            defbase != SCMP_ACT_TRACE(0) && !(p->has_default_errno_ret && p->default_errno_ret == ENOSYS)) {
                prog->stub = true;
                for (size_t a = 0; a < n_arch; a++) {
                        bool dup = false;
                        for (size_t k = 0; k < prog->n_stub; k++)
                                dup |= prog->stub_arch[k] == tokens[a];
                        if (dup)
                                continue;
                        int last = 0;
                        for (size_t i = 0; i < p->n_rules; i++) {
                                if (!applies[i])
                                        continue;
                                for (size_t j = 0; j < p->rules[i].n_names; j++) {
                                        int nr = seccomp_syscall_resolve_name_arch(tokens[a], p->rules[i].names[j]);
                                        if (nr > last)
                                                last = nr;
                                }
                        }
                        prog->stub_arch[prog->n_stub] = tokens[a];
                        prog->stub_last[prog->n_stub++] = last;
                }
        }
        *ret = steal_pointer(&owned);
        return 0;
}

void mp_seccomp_program_free(mp_seccomp_program *prog)
{
        if (!prog)
                return;
        free(prog->insns);
        strv_free(prog->unknown_names);
        free(prog->skipped);
        free(prog);
}

const char *const *mp_seccomp_program_unknown_names(const mp_seccomp_program *prog)
{
        static const char *const none[] = { NULL };
        return prog->unknown_names ? (const char *const *)prog->unknown_names : none;
}

const size_t *mp_seccomp_program_skipped_rules(const mp_seccomp_program *prog, size_t *ret_n)
{
        *ret_n = prog->n_skipped;
        return prog->skipped;
}

const struct sock_filter *mp_seccomp_program_bpf(const mp_seccomp_program *prog, size_t *ret_len)
{
        *ret_len = prog->len;
        return prog->insns;
}

/* ------------------------------------------------------------ evaluating */

static int abi_audit_arch(trace_abi abi, uint32_t *ret_audit, uint32_t *ret_token)
{
        switch (abi) {
        case TRACE_ABI_X86_64:
                *ret_audit = AUDIT_ARCH_X86_64;
                *ret_token = SCMP_ARCH_X86_64;
                return 0;
        case TRACE_ABI_X32:
                *ret_audit = AUDIT_ARCH_X86_64;
                *ret_token = SCMP_ARCH_X32;
                return 0;
        case TRACE_ABI_I386:
                *ret_audit = AUDIT_ARCH_I386;
                *ret_token = SCMP_ARCH_X86;
                return 0;
        default:
                return -EINVAL;
        }
}

#define X32_SYSCALL_BIT 0x40000000

/* The syscall as the filter sees it; false when runc's stub answers it
 * (then *ret_stub holds the answer). */
static int prepare(const mp_seccomp_program *prog, trace_abi abi, int nr, const uint64_t args[6],
                   struct seccomp_data *d, uint32_t *ret_stub)
{
        uint32_t audit, token;
        if (abi_audit_arch(abi, &audit, &token) < 0)
                return -EINVAL;
        if (abi == TRACE_ABI_X32)
                nr |= X32_SYSCALL_BIT;
        memset(d, 0, sizeof *d);
        d->nr = nr;
        d->arch = audit;
        for (int i = 0; i < 6; i++) {
                uint64_t a = args ? args[i] : 0;
                d->args[i] = abi == TRACE_ABI_I386 ? (a & 0xffffffffu) : a;
        }
        if (prog->stub) {
                for (size_t k = 0; k < prog->n_stub; k++)
                        if (prog->stub_arch[k] == token && prog->stub_last[k] > 0 && nr > prog->stub_last[k]) {
                                *ret_stub = SCMP_ACT_ERRNO(ENOSYS);
                                return 1;
                        }
        }
        return 0;
}

static uint32_t load_word(const struct seccomp_data *d, uint32_t off)
{
        uint32_t w;
        memcpy(&w, (const char *)d + off, sizeof w);
        return w;
}

static uint32_t alu(uint16_t code, uint32_t a, uint32_t operand)
{
        switch (BPF_OP(code)) {
        case BPF_ADD:
                return a + operand;
        case BPF_SUB:
                return a - operand;
        case BPF_MUL:
                return a * operand;
        case BPF_DIV:
                return operand ? a / operand : 0;
        case BPF_MOD:
                return operand ? a % operand : 0;
        case BPF_AND:
                return a & operand;
        case BPF_OR:
                return a | operand;
        case BPF_XOR:
                return a ^ operand;
        case BPF_LSH:
                return operand < 32 ? a << operand : 0;
        case BPF_RSH:
                return operand < 32 ? a >> operand : 0;
        case BPF_NEG:
                return (uint32_t)-a;
        default:
                return 0;
        }
}

static bool jump_taken(uint16_t code, uint32_t a, uint32_t operand)
{
        switch (BPF_OP(code)) {
        case BPF_JEQ:
                return a == operand;
        case BPF_JGT:
                return a > operand;
        case BPF_JGE:
                return a >= operand;
        case BPF_JSET:
                return (a & operand) != 0;
        default:
                return false;
        }
}

/* Classic BPF as the kernel runs a seccomp filter; the program was checked
 * by bpf_valid(), so every path ends in a return. A division by zero in BPF_X
 * makes the kernel return 0 (kill). */
static uint32_t bpf_run(const struct sock_filter *f, size_t len, const struct seccomp_data *d)
{
        uint32_t A = 0, X = 0, M[BPF_MEMWORDS] = { 0 };
        for (size_t pc = 0; pc < len; pc++) {
                const struct sock_filter *i = &f[pc];
                switch (BPF_CLASS(i->code)) {
                case BPF_LD:
                        if (BPF_MODE(i->code) == BPF_ABS)
                                A = load_word(d, i->k);
                        else if (BPF_MODE(i->code) == BPF_LEN)
                                A = sizeof *d;
                        else if (BPF_MODE(i->code) == BPF_IMM)
                                A = i->k;
                        else
                                A = M[i->k];
                        break;
                case BPF_LDX:
                        if (BPF_MODE(i->code) == BPF_LEN)
                                X = sizeof *d;
                        else if (BPF_MODE(i->code) == BPF_IMM)
                                X = i->k;
                        else
                                X = M[i->k];
                        break;
                case BPF_ST:
                        M[i->k] = A;
                        break;
                case BPF_STX:
                        M[i->k] = X;
                        break;
                case BPF_ALU: {
                        uint32_t operand = BPF_SRC(i->code) == BPF_X ? X : i->k;
                        if ((BPF_OP(i->code) == BPF_DIV || BPF_OP(i->code) == BPF_MOD) && operand == 0)
                                return 0;
                        A = alu(i->code, A, operand);
                        break;
                }
                case BPF_JMP:
                        if (BPF_OP(i->code) == BPF_JA)
                                pc += i->k;
                        else
                                pc += jump_taken(i->code, A, BPF_SRC(i->code) == BPF_X ? X : i->k) ? i->jt : i->jf;
                        break;
                case BPF_RET:
                        return BPF_RVAL(i->code) == BPF_A ? A : i->k;
                case BPF_MISC:
                        if (BPF_MISCOP(i->code) == BPF_TAX)
                                X = A;
                        else
                                A = X;
                        break;
                }
        }
        return 0;
}

static void fill_verdict(uint32_t r, mp_seccomp_verdict *ret)
{
        ret->ret = r;
        ret->action = mp_seccomp_action_base(r);
        ret->errnum = mp_seccomp_action_errno(r);
}

int mp_seccomp_program_eval_nr(const mp_seccomp_program *prog, trace_abi abi, int nr, const uint64_t args[6],
                               mp_seccomp_verdict *ret)
{
        struct seccomp_data d;
        uint32_t stub;
        int r = prepare(prog, abi, nr, args, &d, &stub);
        if (r < 0)
                return r;
        fill_verdict(r > 0 ? stub : bpf_run(prog->insns, prog->len, &d), ret);
        return 0;
}

static uint32_t abi_token(trace_abi abi)
{
        uint32_t audit, token = 0;
        (void)abi_audit_arch(abi, &audit, &token);
        return token;
}

int mp_seccomp_program_eval(const mp_seccomp_program *prog, trace_abi abi, const char *name, const uint64_t args[6],
                            mp_seccomp_verdict *ret)
{
        if (abi >= _TRACE_ABI_MAX)
                return -EINVAL;
        uint32_t token = abi_token(abi);
        int nr = seccomp_syscall_resolve_name_arch(token, name);
        if (nr < 0) {
                /* libseccomp gives i386's socket calls (socket, bind, ...)
                 * the pseudo numbers of their socketcall form; the direct
                 * syscalls (socket = 359 since Linux 4.3) are found the
                 * other way round. */
                int base = abi == TRACE_ABI_X32 ? X32_SYSCALL_BIT : 0;
                for (int n = 0; n < 1024 && nr < 0; n++) {
                        char *s = seccomp_syscall_resolve_num_arch(token, base + n);
                        if (s && streq(s, name))
                                nr = base + n;
                        free(s);
                }
        }
        if (nr < 0)
                return -ENOENT;
        return mp_seccomp_program_eval_nr(prog, abi, nr, args, ret);
}

/* --- every outcome over unknown arguments ---
 * A depth-first walk that follows both branches of a jump whose operand is
 * not known. Values remember which word of struct seccomp_data they were
 * loaded from, so that a word a path has found equal to K stays K on that
 * path (libseccomp compares each argument's high and low words, rules on the
 * same argument compare them again). */

typedef struct aval {
        bool known;
        uint32_t v;
        int word; /* index of the seccomp_data word it is, or -1 */
} aval;

#define DATA_WORDS  (sizeof(struct seccomp_data) / 4)
#define WALK_BUDGET 2000000

typedef struct walk {
        const struct sock_filter *f;
        size_t len;
        size_t steps;
        uint32_t *outs;
        size_t max, n;
        bool overflow;
} walk;

typedef struct astate {
        aval A, X, M[BPF_MEMWORDS];
        bool word_known[DATA_WORDS];
        uint32_t word_val[DATA_WORDS];
} astate;

static aval word_value(const astate *s, int w)
{
        if (s->word_known[w])
                return (aval){ true, s->word_val[w], w };
        return (aval){ false, 0, w };
}

static void add_outcome(walk *w, uint32_t r)
{
        for (size_t i = 0; i < w->n; i++)
                if (w->outs[i] == r)
                        return;
        if (w->n == w->max) {
                w->overflow = true;
                return;
        }
        w->outs[w->n++] = r;
}

static void walk_from(walk *w, size_t pc, astate s)
{
        for (; pc < w->len; pc++) {
                if (++w->steps > WALK_BUDGET) {
                        w->overflow = true;
                        return;
                }
                const struct sock_filter *i = &w->f[pc];
                switch (BPF_CLASS(i->code)) {
                case BPF_LD:
                        if (BPF_MODE(i->code) == BPF_ABS)
                                s.A = word_value(&s, (int)(i->k / 4));
                        else if (BPF_MODE(i->code) == BPF_LEN)
                                s.A = (aval){ true, sizeof(struct seccomp_data), -1 };
                        else if (BPF_MODE(i->code) == BPF_IMM)
                                s.A = (aval){ true, i->k, -1 };
                        else
                                s.A = s.M[i->k];
                        break;
                case BPF_LDX:
                        if (BPF_MODE(i->code) == BPF_LEN)
                                s.X = (aval){ true, sizeof(struct seccomp_data), -1 };
                        else if (BPF_MODE(i->code) == BPF_IMM)
                                s.X = (aval){ true, i->k, -1 };
                        else
                                s.X = s.M[i->k];
                        break;
                case BPF_ST:
                        s.M[i->k] = s.A;
                        break;
                case BPF_STX:
                        s.M[i->k] = s.X;
                        break;
                case BPF_ALU: {
                        aval op = BPF_SRC(i->code) == BPF_X ? s.X : (aval){ true, i->k, -1 };
                        if (BPF_OP(i->code) == BPF_NEG)
                                op = (aval){ true, 0, -1 };
                        if ((BPF_OP(i->code) == BPF_DIV || BPF_OP(i->code) == BPF_MOD) && op.known && op.v == 0) {
                                add_outcome(w, 0);
                                return;
                        }
                        if (s.A.known && op.known) {
                                s.A = (aval){ true, alu(i->code, s.A.v, op.v), -1 };
                        } else {
                                if ((BPF_OP(i->code) == BPF_DIV || BPF_OP(i->code) == BPF_MOD) && !op.known)
                                        add_outcome(w, 0); /* a zero divisor is possible */
                                s.A = (aval){ false, 0, -1 };
                        }
                        break;
                }
                case BPF_JMP: {
                        if (BPF_OP(i->code) == BPF_JA) {
                                pc += i->k;
                                break;
                        }
                        aval op = BPF_SRC(i->code) == BPF_X ? s.X : (aval){ true, i->k, -1 };
                        if (s.A.known && op.known) {
                                pc += jump_taken(i->code, s.A.v, op.v) ? i->jt : i->jf;
                                break;
                        }
                        if (i->jt == i->jf) {
                                pc += i->jt;
                                break;
                        }
                        /* both ways; on the equal branch the word becomes known */
                        astate t = s;
                        if (BPF_OP(i->code) == BPF_JEQ && op.known && s.A.word >= 0) {
                                t.word_known[s.A.word] = true;
                                t.word_val[s.A.word] = op.v;
                                t.A = (aval){ true, op.v, s.A.word };
                        }
                        walk_from(w, pc + 1 + i->jt, t);
                        if (w->overflow)
                                return;
                        pc += i->jf;
                        break;
                }
                case BPF_RET:
                        if (BPF_RVAL(i->code) == BPF_A && !s.A.known) {
                                w->overflow = true; /* any value: not something libseccomp generates */
                                return;
                        }
                        add_outcome(w, BPF_RVAL(i->code) == BPF_A ? s.A.v : i->k);
                        return;
                case BPF_MISC:
                        if (BPF_MISCOP(i->code) == BPF_TAX)
                                s.X = s.A;
                        else
                                s.A = s.X;
                        break;
                }
        }
}

static int cmp_u32(const void *a, const void *b)
{
        uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
        return x < y ? -1 : x > y;
}

int mp_seccomp_program_outcomes(const mp_seccomp_program *prog, trace_abi abi, int nr, uint32_t *ret_rets, size_t max,
                                size_t *ret_n)
{
        struct seccomp_data d;
        uint32_t stub;
        int r = prepare(prog, abi, nr, NULL, &d, &stub);
        if (r < 0)
                return r;
        if (r > 0) {
                if (max < 1)
                        return -E2BIG;
                ret_rets[0] = stub;
                *ret_n = 1;
                return 0;
        }
        astate s;
        memset(&s, 0, sizeof s);
        s.A = s.X = (aval){ true, 0, -1 };
        for (size_t k = 0; k < BPF_MEMWORDS; k++)
                s.M[k] = (aval){ true, 0, -1 };
        /* nr and arch are known; the instruction pointer and the arguments are not */
        s.word_known[0] = s.word_known[1] = true;
        s.word_val[0] = (uint32_t)d.nr;
        s.word_val[1] = d.arch;
        walk w = { .f = prog->insns, .len = prog->len, .outs = ret_rets, .max = max };
        walk_from(&w, 0, s);
        if (w.overflow)
                return -E2BIG;
        qsort(ret_rets, w.n, sizeof *ret_rets, cmp_u32);
        *ret_n = w.n;
        return 0;
}

int mp_seccomp_program_allows(const mp_seccomp_program *prog, trace_abi abi, int nr, bool *ret_always)
{
        uint32_t outs[64];
        size_t n;
        int r = mp_seccomp_program_outcomes(prog, abi, nr, outs, ELEMENTSOF(outs), &n);
        if (r < 0)
                return r;
        bool some = false, all = n > 0;
        for (size_t i = 0; i < n; i++) {
                uint32_t base = mp_seccomp_action_base(outs[i]);
                bool ok = base == SCMP_ACT_ALLOW || base == SCMP_ACT_LOG;
                some |= ok;
                all &= ok;
        }
        if (ret_always)
                *ret_always = all;
        return some ? 1 : 0;
}

/* ------------------------------------------------------------ what runc loads */

int mp_seccomp_bpf_eval(const struct sock_filter *f, size_t len, trace_abi abi, int nr, const uint64_t args[6],
                        mp_seccomp_verdict *ret)
{
        if (!bpf_valid(f, len))
                return -EINVAL;
        mp_seccomp_program tmp = { .insns = (struct sock_filter *)f, .len = len };
        struct seccomp_data d;
        uint32_t stub;
        int r = prepare(&tmp, abi, nr, args, &d, &stub);
        if (r < 0)
                return r;
        fill_verdict(bpf_run(f, len, &d), ret);
        return 0;
}

/* The stub's largest number for an architecture token; 0 when it has none. */
static int stub_last_of(const mp_seccomp_program *prog, uint32_t token)
{
        for (size_t k = 0; k < prog->n_stub; k++)
                if (prog->stub_arch[k] == token)
                        return prog->stub_last[k];
        return 0;
}

/* runc's patchbpf stub for the x86 architectures, in the shape of the model
 * in prepare(): an architecture with no named syscall (or none in the
 * profile) goes straight to the filter, as do x32 calls when only x86_64
 * has a stub and the other way round.
 *
 *    ld arch
 *    jeq AUDIT_ARCH_X86_64 ? next : I386
 *    ld nr
 *    jset X32_SYSCALL_BIT ? X32 : next
 *    jgt LAST_X86_64 ? ENOSYS : FILTER        (or ja FILTER)
 *  X32: jgt LAST_X32 ? ENOSYS : FILTER        (or ja FILTER)
 *  I386: jeq AUDIT_ARCH_I386 ? next : FILTER
 *    ld nr
 *    jgt LAST_I386 ? ENOSYS : FILTER          (or ja FILTER)
 *  ENOSYS: ret ERRNO(ENOSYS)
 *  FILTER: the program */
int mp_seccomp_program_runc_bpf(const mp_seccomp_program *prog, struct sock_filter **ret, size_t *ret_len)
{
        enum { STUB_LEN = 11 };
        size_t pre = prog->stub ? STUB_LEN : 0;
        if (prog->len + pre > BPF_MAXINSNS)
                return -E2BIG;
        struct sock_filter *f = xcalloc(prog->len + pre, sizeof *f);
        if (pre) {
                int l64 = stub_last_of(prog, SCMP_ARCH_X86_64), l32 = stub_last_of(prog, SCMP_ARCH_X32),
                    l386 = stub_last_of(prog, SCMP_ARCH_X86);
                /* indexes: 0 ld arch, 1 jeq, 2 ld nr, 3 jset, 4 x86_64, 5 x32,
                 * 6 jeq i386, 7 ld nr, 8 i386, 9 ret ENOSYS, 10 filter start */
                const unsigned enosys = 9, filter = 10;
                size_t off_nr = offsetof(struct seccomp_data, nr), off_arch = offsetof(struct seccomp_data, arch);
                f[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)off_arch);
                f[1] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 6 - 2);
                f[2] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)off_nr);
                f[3] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT, 5 - 4, 0);
                if (l64 > 0)
                        f[4] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (uint32_t)l64, enosys - 5,
                                                            filter - 5);
                else
                        f[4] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, filter - 5);
                if (l32 > 0)
                        f[5] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (uint32_t)l32, enosys - 6,
                                                            filter - 6);
                else
                        f[5] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, filter - 6);
                f[6] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, 0, filter - 7);
                f[7] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)off_nr);
                if (l386 > 0)
                        f[8] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (uint32_t)l386, enosys - 9,
                                                            filter - 9);
                else
                        f[8] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, filter - 9);
                f[9] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SCMP_ACT_ERRNO(ENOSYS));
        }
        memcpy(f + pre, prog->insns, prog->len * sizeof *f);
        *ret = f;
        *ret_len = prog->len + pre;
        return 0;
}
