/* SPDX-License-Identifier: MIT */
#include "trace/trace.h"

#include <seccomp.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "common/fileio.h"
#include "common/hashmap.h"
#include "trace/names.h"
#include "common/strbuf.h"
#include "trace/seen.h"

static const char *const abi_names[_TRACE_ABI_MAX] = {
        [TRACE_ABI_X86_64] = "x86_64",
        [TRACE_ABI_I386] = "i386",
        [TRACE_ABI_X32] = "x32",
};

const char *trace_abi_name(trace_abi abi)
{
        return abi < _TRACE_ABI_MAX ? abi_names[abi] : NULL;
}

int trace_abi_from_name(const char *name)
{
        for (int i = 0; i < _TRACE_ABI_MAX; i++)
                if (streq(abi_names[i], name))
                        return i;
        return -1;
}

uint32_t trace_abi_scmp_arch(trace_abi abi)
{
        switch (abi) {
        case TRACE_ABI_I386:
                return SCMP_ARCH_X86;
        case TRACE_ABI_X32:
                return SCMP_ARCH_X32;
        default:
                return SCMP_ARCH_X86_64;
        }
}

/* The sections every trace has, in the order they are created. */
static const char *const sections[] = {
        "syscalls",    "unknown_syscalls", "arguments", "files",  "network",
        "credentials", "capabilities",     "signals",   "ptrace", "resources",
};

trace *trace_new(void)
{
        trace *t = xcalloc(1, sizeof *t);
        t->root = json_object();
        json_object_set_new(t->root, "format", json_string(TRACE_FORMAT));
        json_object_set_new(t->root, "version", json_integer(TRACE_VERSION));
        json_object_set_new(t->root, "runs", json_array());
        for (size_t i = 0; i < ELEMENTSOF(sections); i++)
                json_object_set_new(t->root, sections[i], json_object());
        return t;
}

void trace_free(trace *t)
{
        if (!t)
                return;
        if (t->stream) {
                t->stream->free(t->stream->ud);
                free(t->stream);
        }
        json_decref(t->root);
        free(t);
}

void trace_set_stream(trace *t, trace_stream *s)
{
        if (t->stream) {
                t->stream->free(t->stream->ud);
                free(t->stream);
        }
        t->stream = s;
        json_object_del(t->root, s->key);
}

size_t trace_section_size(const trace *t, const char *key)
{
        if (t->stream && streq(t->stream->key, key))
                return t->stream->size(t->stream->ud);
        return json_object_size(json_object_get(t->root, key));
}

void trace_materialize(trace *t)
{
        if (!t->stream)
                return;
        trace_stream *s = t->stream;
        t->stream = NULL;
        json_object_set_new(t->root, s->key, s->materialize(s->ud));
        s->free(s->ud);
        free(s);
}

/* prefix-rewritten copy of s, or NULL when s is not under prefix */
static char *under_prefix(const char *s, const char *prefix, size_t plen, const char *replacement)
{
        if (strncmp(s, prefix, plen) != 0 || (s[plen] != '\0' && s[plen] != '/'))
                return NULL;
        size_t rlen = strlen(replacement), slen = strlen(s + plen);
        char *out = xmalloc(rlen + slen + 1);
        memcpy(out, replacement, rlen);
        memcpy(out + rlen, s + plen, slen + 1);
        return out;
}

static size_t replace_in(json_t *v, const char *prefix, size_t plen, const char *replacement)
{
        size_t n = 0;
        if (json_is_string(v)) {
                _cleanup_free_ char *r = under_prefix(json_string_value(v), prefix, plen, replacement);
                if (r) {
                        json_string_set(v, r);
                        n++;
                }
        } else if (json_is_array(v)) {
                size_t i;
                json_t *e;
                json_array_foreach (v, i, e)
                        n += replace_in(e, prefix, plen, replacement);
        } else if (json_is_object(v)) {
                /* Keys change: collect the renamed members first, then move
                 * them (jansson's iteration does not allow inserting). */
                json_t *moved = json_object();
                const char *k;
                json_t *e;
                void *tmp;
                json_object_foreach_safe(v, tmp, k, e)
                {
                        n += replace_in(e, prefix, plen, replacement);
                        _cleanup_free_ char *r = under_prefix(k, prefix, plen, replacement);
                        if (r) {
                                json_object_set(moved, r, e);
                                json_object_del(v, k);
                                n++;
                        }
                }
                json_object_update(v, moved);
                json_decref(moved);
        }
        return n;
}

size_t trace_replace_prefix(trace *t, const char *prefix, const char *replacement)
{
        trace_materialize(t);
        return replace_in(t->root, prefix, strlen(prefix), replacement);
}

json_t *trace_child(json_t *obj, const char *key)
{
        json_t *c = json_object_get(obj, key);
        if (!c) {
                c = json_object();
                json_object_set_new(obj, key, c);
        }
        return c;
}

json_t *trace_node(json_t *obj, ...)
{
        va_list ap;
        va_start(ap, obj);
        for (const char *k; (k = va_arg(ap, const char *));)
                obj = trace_child(obj, k);
        va_end(ap);
        return obj;
}

json_int_t trace_count_add(json_int_t a, json_int_t b)
{
        json_int_t r;
        return __builtin_add_overflow(a, b, &r) ? (a < 0 ? INT64_MIN : INT64_MAX) : r;
}

static json_int_t sat_add(json_int_t a, json_int_t b)
{
        return trace_count_add(a, b);
}

void trace_counter_add(json_t *obj, const char *key, json_int_t n)
{
        json_t *v = json_object_get(obj, key);
        if (v)
                json_integer_set(v, sat_add(json_integer_value(v), n));
        else
                json_object_set_new(obj, key, json_integer(n));
}

void trace_counter_max(json_t *obj, const char *key, json_int_t n)
{
        json_t *v = json_object_get(obj, key);
        if (!v)
                json_object_set_new(obj, key, json_integer(n));
        else if (json_integer_value(v) < n)
                json_integer_set(v, n);
}

json_t *trace_usage_add(json_t *node, const char *program, json_int_t count, bool *ret_new)
{
        json_t *programs = trace_child(node, "programs");
        json_t *p = json_object_get(programs, program);
        if (ret_new)
                *ret_new = p == NULL;
        if (!p) {
                p = json_object();
                json_object_set_new(p, "count", json_integer(count));
                json_object_set_new(programs, program, p);
        } else {
                trace_counter_add(p, "count", count);
        }
        return p;
}

void trace_syscall_add_unrecorded(trace *t, trace_abi abi, const char *name, const char *program)
{
        json_t *calls = trace_child(trace_child(t->root, "syscalls"), trace_abi_name(abi));
        if (json_object_get(calls, name))
                return;
        json_t *node = trace_child(calls, name);
        trace_usage_add(node, program, 0, NULL);
        json_object_set_new(node, "first", json_string(program));
}

json_int_t trace_usage_count(const json_t *node)
{
        json_int_t n = 0;
        const char *k;
        json_t *v;
        json_object_foreach ((json_t *)json_object_get(node, "programs"), k, v)
                n = sat_add(n, json_integer_value(json_object_get(v, "count")));
        return n;
}

const char **trace_sorted_keys(const json_t *obj, size_t *ret_n)
{
        size_t n = json_object_size(obj), i = 0;
        const char **keys = xcalloc(n + 1, sizeof *keys);
        const char *k;
        json_t *v;
        json_object_foreach ((json_t *)obj, k, v)
                keys[i++] = k;
        qsort(keys, n, sizeof *keys, strcmp_ptr);
        *ret_n = n;
        return keys;
}

bool trace_is_empty(const trace *t)
{
        const char *k;
        json_t *v;
        json_object_foreach (json_object_get(t->root, "syscalls"), k, v)
                if (json_object_size(v) > 0)
                        return false;
        json_object_foreach (json_object_get(t->root, "unknown_syscalls"), k, v)
                if (json_object_size(v) > 0)
                        return false;
        return true;
}

/* ---------------------------------------------------------------- paths */

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. Rejects
 * overlong forms, surrogates and code points above U+10FFFF, as jansson
 * does. */
size_t utf8_seq_len(const unsigned char *s, size_t len)
{
        unsigned c = s[0];
        if (c < 0x80)
                return c ? 1 : 0;
        size_t n;
        unsigned cp;
        if (c >= 0xc2 && c <= 0xdf) {
                n = 2;
                cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
                n = 3;
                cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
                n = 4;
                cp = c & 0x07;
        } else {
                return 0;
        }
        if (len < n)
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
                return 0;
        if (cp >= 0xd800 && cp <= 0xdfff)
                return 0;
        return n;
}

bool utf8_valid(const char *s, size_t len)
{
        const unsigned char *p = (const unsigned char *)s;
        size_t i = 0;
        while (i < len) {
                size_t n = utf8_seq_len(p + i, len - i);
                if (!n)
                        return false;
                i += n;
        }
        return true;
}

char *trace_path_encode(const char *raw, size_t len)
{
        const unsigned char *p = (const unsigned char *)raw;
        strbuf sb = STRBUF_INIT;
        strbuf_grow(&sb, len);
        size_t i = 0;
        while (i < len) {
                /* a run of ASCII other than NUL and the backslash, as it is */
                size_t run = i;
                while (run < len && p[run] && p[run] < 0x80 && p[run] != '\\')
                        run++;
                if (run > i) {
                        strbuf_add(&sb, p + i, run - i);
                        i = run;
                        continue;
                }
                size_t n = utf8_seq_len(p + i, len - i);
                if (n == 1 && p[i] == '\\') {
                        strbuf_puts(&sb, "\\\\");
                } else if (n) {
                        strbuf_add(&sb, p + i, n);
                } else {
                        strbuf_printf(&sb, "\\x%02x", p[i]);
                        n = 1;
                }
                i += n;
        }
        return strbuf_steal(&sb);
}

static int hexval(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

static char *decode_bytes(const char *enc, size_t *ret_len, bool allow_nul);

char *trace_path_decode(const char *enc, size_t *ret_len)
{
        return decode_bytes(enc, ret_len, false);
}

char *trace_bytes_decode(const char *enc, size_t *ret_len)
{
        return decode_bytes(enc, ret_len, true);
}

static char *decode_bytes(const char *enc, size_t *ret_len, bool allow_nul)
{
        size_t len = strlen(enc);
        char *out = xmalloc(len + 1);
        size_t o = 0;
        for (size_t i = 0; i < len; i++) {
                if (enc[i] != '\\') {
                        out[o++] = enc[i];
                        continue;
                }
                if (enc[i + 1] == '\\') {
                        out[o++] = '\\';
                        i++;
                } else if (enc[i + 1] == 'x' && hexval(enc[i + 2]) >= 0 && hexval(enc[i + 3]) >= 0) {
                        int b = hexval(enc[i + 2]) * 16 + hexval(enc[i + 3]);
                        if (b == 0 && !allow_nul) {
                                free(out);
                                return NULL;
                        }
                        out[o++] = (char)b;
                        i += 3;
                } else {
                        free(out);
                        return NULL;
                }
        }
        out[o] = '\0';
        if (ret_len)
                *ret_len = o;
        return out;
}

/* ---------------------------------------------------------- validation */

typedef enum {
        S_INT,    /* integer >= 0 */
        S_ANYINT, /* any integer */
        S_STR,
        S_BOOL,
        S_SCALAR, /* string, integer or boolean */
        S_ARR,
        S_MAP, /* object with arbitrary keys, every value of `elem` */
        S_OBJ, /* object with the listed fields only */
} stype;

typedef struct field field;
typedef struct schema {
        stype type;
        const struct schema *elem;
        const field *fields;
        /* For maps: what the keys must be. */
        int (*check_key)(const char *key, const char *parent_key);
        /* For strings: the allowed values (NULL-terminated), or NULL. */
        const char *const *values;
        /* For S_INT: the largest value a real recording can hold (0: no
         * bound), and what bounds it, for the message. */
        json_int_t max;
        const char *max_why;
        /* For maps: what a key check_key refuses is (default "unknown name"). */
        const char *bad_key;
} schema;

struct field {
        const char *name;
        const schema *s;
        bool required;
};

static const char *const access_kinds[] = {
        "read", "write",     "append", "create", "delete", "rename", "link",  "attr",
        "exec", "mmap_exec", "lock",   "list",   "stat",   "chdir",  "mount",
};

bool trace_access_kind_valid(const char *kind)
{
        for (size_t i = 0; i < ELEMENTSOF(access_kinds); i++)
                if (streq(access_kinds[i], kind))
                        return true;
        return false;
}

static const char *const file_types[] = { "file", "dir", "symlink", "socket", "fifo", "char", "block", NULL };

static int key_any(const char *k, const char *parent)
{
        return 0;
}

static int key_path(const char *k, const char *parent)
{
        _cleanup_free_ char *raw = trace_path_decode(k, NULL);
        return raw ? 0 : -EINVAL;
}

/* A path as the tracer writes it (docs/trace-format.md): absolute and
 * lexically normal, i.e. no empty, "." or ".." component and no final '/'
 * ("/" itself aside), or the same below the workspace variable. Anything else in a trace was not recorded, and would
 * become rules apparmor_parser refuses or that mean more than was done. */
static bool path_normal(const char *raw, size_t len)
{
        /* A checkout recorded with record --workspace starts with the
         * workspace variable instead of its absolute path. */
        size_t wl = strlen(TRACE_WORKSPACE_VAR);
        if (len >= wl && memcmp(raw, TRACE_WORKSPACE_VAR, wl) == 0) {
                if (len == wl)
                        return true;
                raw += wl;
                len -= wl;
        }
        if (len == 0 || raw[0] != '/')
                return false;
        if (len == 1)
                return true;
        for (size_t i = 1, start = 1; i <= len; i++) {
                if (i < len && raw[i] != '/')
                        continue;
                size_t n = i - start;
                if (n == 0 || (n == 1 && raw[start] == '.') || (n == 2 && raw[start] == '.' && raw[start + 1] == '.'))
                        return false;
                start = i + 1;
        }
        return true;
}

static int key_file_path(const char *k, const char *parent)
{
        size_t len;
        _cleanup_free_ char *raw = trace_path_decode(k, &len);
        return raw && path_normal(raw, len) ? 0 : -EINVAL;
}

static int key_abi(const char *k, const char *parent)
{
        return trace_abi_from_name(k) >= 0 ? 0 : -EINVAL;
}

/* Names libseccomp gives to the numbers of an ABI: a name is valid on an
 * ABI when some number of that ABI has it. (Resolving the name alone is not
 * enough: on i386, libseccomp answers "socket" with a pseudo number because
 * of the socketcall multiplexer, although the kernel also has socket as
 * syscall 359.) */
static bool name_on_abi(trace_abi abi, const char *name)
{
        static char **names[_TRACE_ABI_MAX];
        static size_t counts[_TRACE_ABI_MAX];
        if (!names[abi]) {
                size_t n = 0;
                char **v = xcalloc(1024, sizeof *v);
                for (int nr = 0; nr < 1024; nr++) {
                        int num = abi == TRACE_ABI_X32 ? nr | 0x40000000 : nr;
                        char *s = seccomp_syscall_resolve_num_arch(trace_abi_scmp_arch(abi), num);
                        if (s)
                                v[n++] = s;
                }
                qsort(v, n, sizeof *v, strcmp_ptr);
                counts[abi] = n;
                names[abi] = v;
        }
        return bsearch(&name, names[abi], counts[abi], sizeof *names[abi], strcmp_ptr) != NULL;
}

static int key_syscall(const char *k, const char *abi)
{
        int a = trace_abi_from_name(abi);
        if (a < 0)
                return -EINVAL;
        return name_on_abi((trace_abi)a, k) ? 0 : -EINVAL;
}

static int key_number(const char *k, const char *parent)
{
        if (!*k || strlen(k) > 10)
                return -EINVAL;
        for (const char *p = k; *p; p++)
                if (*p < '0' || *p > '9')
                        return -EINVAL;
        return 0;
}

static int key_result(const char *k, const char *parent)
{
        return streq(k, "ok") || errno_from_name(k) > 0 ? 0 : -EINVAL;
}

static int key_kind(const char *k, const char *parent)
{
        return trace_access_kind_valid(k) ? 0 : -EINVAL;
}

static int key_cap(const char *k, const char *parent)
{
        return startswith(k, "CAP_") && cap_from_name(k) >= 0 ? 0 : -EINVAL;
}

static int key_signal(const char *k, const char *parent)
{
        return signal_from_name(k) > 0 ? 0 : -EINVAL;
}

#define SCALAR(t)                                                                                                      \
        {                                                                                                              \
                .type = (t)                                                                                            \
        }
static const schema s_int = SCALAR(S_INT), s_anyint = SCALAR(S_ANYINT), s_str = SCALAR(S_STR), s_bool = SCALAR(S_BOOL),
                    s_scalar = SCALAR(S_SCALAR);

static const field f_frame[] = {
        { "function", &s_str, false }, { "module", &s_str, false }, { "offset", &s_int, false },
        { "ip", &s_int, false },       { NULL, NULL, false },
};
static const schema s_frame = { .type = S_OBJ, .fields = f_frame };
static const schema s_stack = { .type = S_ARR, .elem = &s_frame };
static const field f_prog[] = {
        { "count", &s_int, true },
        { "stack", &s_stack, false },
        { NULL, NULL, false },
};
static const schema s_prog = { .type = S_OBJ, .fields = f_prog };
static const schema s_programs = { .type = S_MAP, .elem = &s_prog, .check_key = key_path };
static const field f_usage[] = { { "programs", &s_programs, true }, { NULL, NULL, false } };
static const schema s_usage = { .type = S_OBJ, .fields = f_usage };
static const schema s_results = { .type = S_MAP, .elem = &s_usage, .check_key = key_result };

static const schema s_result_counts = { .type = S_MAP, .elem = &s_int, .check_key = key_result };
static const field f_sys[] = {
        { "programs", &s_programs, true }, { "first", &s_str, true }, { "results", &s_result_counts, false },
        { "seen", &s_int, false },         { NULL, NULL, false },
};
static const schema s_sys = { .type = S_OBJ, .fields = f_sys };
static const schema s_sys_by_name = { .type = S_MAP, .elem = &s_sys, .check_key = key_syscall };
static const schema s_syscalls = { .type = S_MAP, .elem = &s_sys_by_name, .check_key = key_abi };
static const schema s_sys_by_nr = { .type = S_MAP, .elem = &s_sys, .check_key = key_number };
static const schema s_unknown = { .type = S_MAP, .elem = &s_sys_by_nr, .check_key = key_abi };

static const schema s_values = { .type = S_ARR, .elem = &s_anyint };
static const field f_argval[] = {
        { "values", &s_values, true },
        { "programs", &s_programs, true },
        { "seen", &s_int, false },
        { NULL, NULL, false },
};
static const schema s_argval = { .type = S_OBJ, .fields = f_argval };
static const schema s_argvals = { .type = S_MAP, .elem = &s_argval, .check_key = key_any };
static const schema s_arguments = { .type = S_MAP, .elem = &s_argvals, .check_key = key_any };

static const schema s_access = { .type = S_MAP, .elem = &s_results, .check_key = key_kind };
static const schema s_file_type = { .type = S_STR, .values = file_types };
static const field f_target[] = {
        { "type", &s_file_type, true }, { "uid", &s_int, true }, { "gid", &s_int, true },
        { "mode", &s_int, true },       { NULL, NULL, false },
};
static const schema s_target = { .type = S_OBJ, .fields = f_target };
static const field f_file[] = {
        { "access", &s_access, true }, { "type", &s_file_type, false },   { "uid", &s_int, false },
        { "gid", &s_int, false },      { "mode", &s_int, false },         { "by_owner", &s_bool, false },
        { "resolved", &s_str, false }, { "stack", &s_stack, false },      { "target", &s_target, false },
        { "seen", &s_int, false },     { "private_new", &s_bool, false }, { NULL, NULL, false },
};
static const schema s_file = { .type = S_OBJ, .fields = f_file };
static const schema s_files = { .type = S_MAP,
                                .elem = &s_file,
                                .check_key = key_file_path,
                                .bad_key = "not a path as recorded (absolute, without empty, '.' or '..' components)" };

/* network: op -> family -> address -> result -> usage */
static const schema s_net_addr = { .type = S_MAP, .elem = &s_results, .check_key = key_any };
static const schema s_net_fam = { .type = S_MAP, .elem = &s_net_addr, .check_key = key_any };
static const schema s_network = { .type = S_MAP, .elem = &s_net_fam, .check_key = key_any };

/* credentials: syscall -> argument text -> result -> usage */
static const schema s_cred_args = { .type = S_MAP, .elem = &s_results, .check_key = key_any };
static const schema s_credentials = { .type = S_MAP, .elem = &s_cred_args, .check_key = key_any };

static const schema s_inputs = { .type = S_MAP, .elem = &s_scalar, .check_key = key_any };
static const field f_reason[] = {
        { "syscall", &s_str, true }, { "results", &s_results, true }, { "inputs", &s_inputs, false },
        { "object", &s_str, false }, { "stack", &s_stack, false },    { "preexisting", &s_bool, false },
        { "seen", &s_int, false },   { NULL, NULL, false },
};
static const schema s_reason = { .type = S_OBJ, .fields = f_reason };
static const schema s_reasons = { .type = S_MAP, .elem = &s_reason, .check_key = key_any };
static const schema s_caps = { .type = S_MAP, .elem = &s_reasons, .check_key = key_cap };

static const schema s_sig_targets = { .type = S_MAP, .elem = &s_results, .check_key = key_any };
static const schema s_signals = { .type = S_MAP, .elem = &s_sig_targets, .check_key = key_signal };
static const schema s_ptrace = { .type = S_MAP, .elem = &s_results, .check_key = key_any };

/* Peaks beyond what Linux can have are refused, so that the limits derived
 * from them (hardening.md: 1.5x the memory, twice the tasks) never wrap. */
static const schema s_kib = { .type = S_INT, .max = 1LL << 54, .max_why = "a 64-bit address space in KiB" };
static const schema s_tasks = { .type = S_INT, .max = 4194304, .max_why = "Linux's PID_MAX_LIMIT" };
static const schema s_fds = { .type = S_INT, .max = 1LL << 30, .max_why = "Linux's largest fs.nr_open" };
static const field f_resources[] = {
        { "max_rss_kib", &s_kib, false },   { "sum_rss_kib", &s_kib, false },
        { "cpu_ms", &s_int, false },        { "max_processes", &s_tasks, false },
        { "max_threads", &s_tasks, false }, { "max_fds", &s_fds, false },
        { "processes", &s_int, false },     { NULL, NULL, false },
};
static const schema s_resources = { .type = S_OBJ, .fields = f_resources };

static const schema s_strarr = { .type = S_ARR, .elem = &s_str };
static const schema s_intarr = { .type = S_ARR, .elem = &s_int };
static const field f_exit[] = {
        { "status", &s_int, true },
        { "code", &s_int, false },
        { "signal", &s_str, false },
        { NULL, NULL, false },
};
static const schema s_exit = { .type = S_OBJ, .fields = f_exit };
static const field f_creds[] = {
        { "uid", &s_int, true },
        { "euid", &s_int, true },
        { "suid", &s_int, true },
        { "fsuid", &s_int, true },
        { "gid", &s_int, true },
        { "egid", &s_int, true },
        { "sgid", &s_int, true },
        { "fsgid", &s_int, true },
        { "groups", &s_intarr, true },
        { "cap_eff", &s_str, true },
        { "cap_prm", &s_str, false },
        { "cap_bnd", &s_str, false },
        { "no_new_privs", &s_bool, false },
        { "seccomp", &s_int, false },
        { NULL, NULL, false },
};
static const schema s_creds = { .type = S_OBJ, .fields = f_creds };
static const field f_run[] = {
        { "command", &s_strarr, true },
        { "exit", &s_exit, false },
        { "mode", &s_str, true },
        { "no_new_privs", &s_bool, true },
        { "stacks", &s_bool, false },
        { "baseline", &s_str, false },
        { "credentials", &s_creds, false },
        { "recorder", &s_str, false },
        { "unprivileged_port_start", &s_int, false },
        { "root", &s_str, false },
        { "setuid_programs", &s_strarr, false },
        { "apparmor", &s_str, false },
        { "pids", &s_intarr, false },
        { "counted_in_kernel", &s_strarr, false },
        { "reported_by_bpf", &s_strarr, false },
        { "bpf_lost", &s_int, false },
        { "bpf_gone", &s_int, false },
        { "bpf_unused", &s_str, false },
        { "started", &s_str, false },
        { "finished", &s_str, false },
        { "host", &s_str, false },
        { "kernel", &s_str, false },
        { "syscall_info", &s_str, false },
        { NULL, NULL, false },
};
static const schema s_run = { .type = S_OBJ, .fields = f_run };
static const schema s_runs = { .type = S_ARR, .elem = &s_run };
static const schema s_format = SCALAR(S_STR);

/* io_uring: rings by setup flags, with the opcodes their submission
 * queues held; what could not be recorded, by reason */
static const schema s_uring_ops = { .type = S_MAP, .elem = &s_usage, .check_key = key_any };
static const field f_uring_ring[] = {
        { "programs", &s_programs, true },
        { "opcodes", &s_uring_ops, false },
        { NULL, NULL, false },
};
static const schema s_uring_ring = { .type = S_OBJ, .fields = f_uring_ring };
static const schema s_uring_rings = { .type = S_MAP, .elem = &s_uring_ring, .check_key = key_any };
static const schema s_uring_unrec = { .type = S_MAP, .elem = &s_usage, .check_key = key_any };
static const field f_uring[] = {
        { "rings", &s_uring_rings, false },
        { "unrecordable", &s_uring_unrec, false },
        { NULL, NULL, false },
};
static const schema s_uring = { .type = S_OBJ, .fields = f_uring };

static const field f_root[] = {
        { "format", &s_format, true },
        { "version", &s_int, true },
        { "runs", &s_runs, true },
        { "syscalls", &s_syscalls, true },
        { "unknown_syscalls", &s_unknown, false },
        { "arguments", &s_arguments, false },
        { "files", &s_files, false },
        { "network", &s_network, false },
        { "credentials", &s_credentials, false },
        { "capabilities", &s_caps, false },
        { "signals", &s_signals, false },
        { "ptrace", &s_ptrace, false },
        { "resources", &s_resources, false },
        { "io_uring", &s_uring, false },
        { NULL, NULL, false },
};
static const schema s_root = { .type = S_OBJ, .fields = f_root };

static const char *type_name(stype t)
{
        switch (t) {
        case S_INT:
                return "a non-negative integer";
        case S_ANYINT:
                return "an integer";
        case S_STR:
                return "a string";
        case S_BOOL:
                return "true or false";
        case S_SCALAR:
                return "a string, number or boolean";
        case S_ARR:
                return "an array";
        default:
                return "an object";
        }
}

/* Walk `v` against `s`; `jpath` is the JSON path so far, for messages. */
static int check(const json_t *v, const schema *s, strbuf *jpath, const char *parent_key, const char *name,
                 mp_error *err, int depth)
{
        bool ok;
        if (depth > 32)
                return mp_error_set(err, -EINVAL, name, "%s: nested too deeply", strbuf_str(jpath));
        switch (s->type) {
        case S_INT:
                ok = json_is_integer(v) && json_integer_value(v) >= 0;
                if (ok && s->max && json_integer_value(v) > s->max)
                        return mp_error_set(err, -EINVAL, name, "%s: %lld is more than %s (%lld)", strbuf_str(jpath),
                                            (long long)json_integer_value(v), s->max_why, (long long)s->max);
                break;
        case S_ANYINT:
                ok = json_is_integer(v);
                break;
        case S_STR:
                ok = json_is_string(v);
                if (ok && s->values) {
                        const char *const *p = s->values;
                        while (*p && !streq(*p, json_string_value(v)))
                                p++;
                        if (!*p) {
                                _cleanup_free_ char *q = quote_for_message(json_string_value(v));
                                return mp_error_set(err, -EINVAL, name, "%s: unknown value %s", strbuf_str(jpath), q);
                        }
                }
                break;
        case S_BOOL:
                ok = json_is_boolean(v);
                break;
        case S_SCALAR:
                ok = json_is_string(v) || json_is_integer(v) || json_is_boolean(v);
                break;
        case S_ARR:
                ok = json_is_array(v);
                break;
        default:
                ok = json_is_object(v);
        }
        if (!ok)
                return mp_error_set(err, -EINVAL, name, "%s: expected %s", jpath->len ? strbuf_str(jpath) : "top level",
                                    type_name(s->type));

        size_t base = jpath->len;
        int r = 0;
        if (s->type == S_ARR) {
                size_t i;
                json_t *e;
                json_array_foreach (v, i, e) {
                        strbuf_printf(jpath, "[%zu]", i);
                        r = check(e, s->elem, jpath, parent_key, name, err, depth + 1);
                        jpath->len = base;
                        if (r < 0)
                                return r;
                }
        } else if (s->type == S_MAP) {
                const char *k;
                json_t *e;
                json_object_foreach ((json_t *)v, k, e) {
                        strbuf_printf(jpath, "%s%s", base ? "." : "", k);
                        if (s->check_key && s->check_key(k, parent_key) < 0) {
                                _cleanup_free_ char *q = quote_for_message(k);
                                return mp_error_set(err, -EINVAL, name, "%s: %s %s", strbuf_str(jpath),
                                                    s->bad_key ? s->bad_key : "unknown name", q);
                        }
                        r = check(e, s->elem, jpath, k, name, err, depth + 1);
                        jpath->len = base;
                        if (r < 0)
                                return r;
                }
        } else if (s->type == S_OBJ) {
                const char *k;
                json_t *e;
                json_object_foreach ((json_t *)v, k, e) {
                        const field *f = s->fields;
                        while (f->name && !streq(f->name, k))
                                f++;
                        strbuf_printf(jpath, "%s%s", base ? "." : "", k);
                        if (!f->name) {
                                _cleanup_free_ char *q = quote_for_message(k);
                                return mp_error_set(err, -EINVAL, name, "%s: unexpected member %s",
                                                    base ? strbuf_str(jpath) : "top level", q);
                        }
                        r = check(e, f->s, jpath, parent_key, name, err, depth + 1);
                        jpath->len = base;
                        if (r < 0)
                                return r;
                }
                for (const field *f = s->fields; f->name; f++)
                        if (f->required && !json_object_get(v, f->name))
                                return mp_error_set(err, -EINVAL, name, "%s: missing member '%s'",
                                                    base ? strbuf_str(jpath) : "top level", f->name);
        }
        if (jpath->buf)
                jpath->buf[base] = '\0';
        return 0;
}

/* What the schema cannot say about `files`: a `resolved` name is a path as
 * recorded too, and the root directory cannot have been written, created,
 * removed, renamed, linked or executed (the kernel refuses all of them with
 * EISDIR, EEXIST, EBUSY...), so such a success was not recorded. */
static int check_files(const json_t *files, const char *name, mp_error *err)
{
        static const char *const never_on_root[] = { "write",  "append", "create",    "delete",
                                                     "rename", "link",   "mmap_exec", "exec" };
        const char *k;
        json_t *node;
        json_object_foreach ((json_t *)files, k, node) {
                const char *res = json_string_value(json_object_get(node, "resolved"));
                size_t len = 0;
                _cleanup_free_ char *raw = res ? trace_path_decode(res, &len) : NULL;
                if (res && (!raw || !path_normal(raw, len))) {
                        _cleanup_free_ char *q = quote_for_message(res);
                        return mp_error_set(err, -EINVAL, name,
                                            "files.%s.resolved: not a path as recorded (absolute, without empty, "
                                            "'.' or '..' components) %s",
                                            k, q);
                }
                bool root_dir = streq(k, "/") || (raw && streq(raw, "/"));
                for (size_t i = 0; root_dir && i < ELEMENTSOF(never_on_root); i++) {
                        json_t *results = json_object_get(json_object_get(node, "access"), never_on_root[i]);
                        if (json_object_get(results, "ok"))
                                return mp_error_set(err, -EINVAL, name,
                                                    "files.%s.access.%s.ok: the root directory cannot have been %s", k,
                                                    never_on_root[i],
                                                    streq(never_on_root[i], "write")    ? "written"
                                                    : streq(never_on_root[i], "append") ? "appended to"
                                                    : streq(never_on_root[i], "create") ? "created"
                                                    : streq(never_on_root[i], "delete") ? "removed"
                                                    : streq(never_on_root[i], "rename") ? "renamed"
                                                    : streq(never_on_root[i], "link")   ? "hard-linked"
                                                                                        : "executed");
                }
        }
        return 0;
}

int trace_validate(json_t *root, const char *name, mp_error *err)
{
        if (!json_is_object(root))
                return mp_error_set(err, -EINVAL, name, "not a minpriv trace (expected a JSON object)");
        json_t *fmt = json_object_get(root, "format");
        if (!json_is_string(fmt) || !streq(json_string_value(fmt), TRACE_FORMAT))
                return mp_error_set(err, -EINVAL, name, "not a minpriv trace (\"format\" is not \"%s\")", TRACE_FORMAT);
        json_t *ver = json_object_get(root, "version");
        if (!json_is_integer(ver) || json_integer_value(ver) < 1)
                return mp_error_set(err, -EINVAL, name, "not a minpriv trace (bad \"version\")");
        if (json_integer_value(ver) > TRACE_VERSION)
                return mp_error_set(
                        err, -EPROTONOSUPPORT, name,
                        "trace format version %lld is newer than this minpriv understands (%d); upgrade minpriv",
                        (long long)json_integer_value(ver), TRACE_VERSION);
        _cleanup_strbuf_ strbuf jpath = STRBUF_INIT;
        int r = check(root, &s_root, &jpath, NULL, name, err, 0);
        if (r < 0)
                return r;
        r = check_files(json_object_get(root, "files"), name, err);
        if (r < 0)
                return r;
        r = trace_seen_validate(root, name, err);
        if (r < 0)
                return r;
        /* Fill in optional sections so readers need not check. */
        for (size_t i = 0; i < ELEMENTSOF(sections); i++)
                trace_child(root, sections[i]);
        return 0;
}

/* ------------------------------------------------- loading big traces
 *
 * The files section is most of a trace, and as jansson objects a file node
 * costs a couple of kilobytes. Many nodes are identical (a probe flood:
 * 200,000 paths each with the same "read ENOENT by this program" node), so
 * the section is parsed member by member and nodes with the same text are
 * one shared (reference-counted) value. Shared values are read-only:
 * trace_merge copies a shared object before it changes it (unshare()).
 * Anything the scanner does not expect sends the document to the plain
 * parser, whose messages (line:column) stay the reference. */

#define SHARE_MAX_TEXT 4096 /* longer node texts (stacks) are not looked up */

static size_t skip_ws(const char *d, size_t n, size_t i)
{
        while (i < n && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r'))
                i++;
        return i;
}

/* The end of the string at d[i] == '"' (after its closing quote), 0 if none. */
static size_t skip_string(const char *d, size_t n, size_t i)
{
        for (i++; i < n; i++) {
                if (d[i] == '\\')
                        i++;
                else if (d[i] == '"')
                        return i + 1;
        }
        return 0;
}

/* The end of the value at d[i], 0 when it is not one the scanner knows. */
static size_t skip_value(const char *d, size_t n, size_t i)
{
        if (i >= n)
                return 0;
        if (d[i] == '"')
                return skip_string(d, n, i);
        if (d[i] == '{' || d[i] == '[') {
                size_t depth = 0;
                for (; i < n; i++) {
                        if (d[i] == '"') {
                                size_t e = skip_string(d, n, i);
                                if (!e)
                                        return 0;
                                i = e - 1;
                        } else if (d[i] == '{' || d[i] == '[') {
                                depth++;
                        } else if (d[i] == '}' || d[i] == ']') {
                                if (--depth == 0)
                                        return i + 1;
                        }
                }
                return 0;
        }
        size_t s = i;
        while (i < n && !strchr(",}] \t\r\n", d[i]))
                i++;
        return i > s ? i : 0;
}

/* Walk the members of the object at d[i] == '{': calls fn with each key's
 * text (quotes included) and value range. Returns the end of the object, 0
 * on anything unexpected or when fn returns false. */
static size_t each_member(const char *d, size_t n, size_t i,
                          bool (*fn)(void *ud, size_t ks, size_t ke, size_t vs, size_t ve), void *ud)
{
        if (i >= n || d[i] != '{')
                return 0;
        i = skip_ws(d, n, i + 1);
        if (i < n && d[i] == '}')
                return i + 1;
        for (;;) {
                if (i >= n || d[i] != '"')
                        return 0;
                size_t ks = i, ke = skip_string(d, n, i);
                if (!ke)
                        return 0;
                i = skip_ws(d, n, ke);
                if (i >= n || d[i] != ':')
                        return 0;
                size_t vs = skip_ws(d, n, i + 1), ve = skip_value(d, n, vs);
                if (!ve || !fn(ud, ks, ke, vs, ve))
                        return 0;
                i = skip_ws(d, n, ve);
                if (i < n && d[i] == '}')
                        return i + 1;
                if (i >= n || d[i] != ',')
                        return 0;
                i = skip_ws(d, n, i + 1);
        }
}

typedef struct files_scan {
        const char *d;
        size_t vs, ve; /* the top-level files value */
        json_t *files;
        hashmap *seen; /* node text -> json_t* (borrowed from files) */
} files_scan;

static bool find_files(void *ud, size_t ks, size_t ke, size_t vs, size_t ve)
{
        files_scan *fs = ud;
        if (ke - ks == 7 && memcmp(fs->d + ks, "\"files\"", 7) == 0 && !fs->ve) {
                fs->vs = vs;
                fs->ve = ve;
        }
        return true;
}

static bool add_file(void *ud, size_t ks, size_t ke, size_t vs, size_t ve)
{
        files_scan *fs = ud;
        json_t *key = json_loadb(fs->d + ks, ke - ks, JSON_DECODE_ANY, NULL);
        if (!json_is_string(key) || json_object_get(fs->files, json_string_value(key)) ||
            strlen(json_string_value(key)) != json_string_length(key)) {
                json_decref(key);
                return false; /* bad key, duplicate, NUL: the plain parser says which */
        }
        json_t *v = NULL;
        _cleanup_free_ char *text = ve - vs <= SHARE_MAX_TEXT ? xstrndup(fs->d + vs, ve - vs) : NULL;
        if (text && (v = hashmap_get(fs->seen, text))) {
                json_incref(v);
        } else {
                v = json_loadb(fs->d + vs, ve - vs, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
                if (v && text && json_is_object(v))
                        hashmap_put(fs->seen, text, v);
        }
        bool ok = v && json_object_set_new(fs->files, json_string_value(key), v) == 0;
        json_decref(key);
        return ok;
}

/* The document with its files section parsed by parts (NULL: use the plain
 * parser). */
static json_t *load_sharing(const char *data, size_t size)
{
        files_scan fs = { .d = data };
        size_t start = skip_ws(data, size, 0);
        size_t end = each_member(data, size, start, find_files, &fs);
        if (!end || skip_ws(data, size, end) != size || !fs.ve || data[fs.vs] != '{')
                return NULL;
        fs.files = json_object();
        fs.seen = hashmap_new();
        bool ok = each_member(data, size, fs.vs, add_file, &fs) == fs.ve;
        hashmap_free(fs.seen, NULL);
        if (!ok) {
                json_decref(fs.files);
                return NULL;
        }
        /* the rest, with an empty files object in place of the section */
        strbuf rest = STRBUF_INIT;
        strbuf_add(&rest, data, fs.vs);
        strbuf_puts(&rest, "{}");
        strbuf_add(&rest, data + fs.ve, size - fs.ve);
        json_t *root = json_loadb(rest.buf, rest.len, JSON_REJECT_DUPLICATES, NULL);
        strbuf_free(&rest);
        if (!json_is_object(root)) {
                json_decref(root);
                json_decref(fs.files);
                return NULL;
        }
        json_object_set_new(root, "files", fs.files);
        return root;
}

int trace_load_buffer(const char *data, size_t size, const char *name, trace **ret, mp_error *err)
{
        json_error_t jerr;
        if (size == 0)
                return mp_error_set(err, -EINVAL, name, "empty file, not a minpriv trace");
        json_t *root = load_sharing(data, size);
        if (root)
                return trace_from_json(root, name, ret, err);
        root = json_loadb(data, size, JSON_REJECT_DUPLICATES, &jerr);
        if (!root)
                return mp_error_set_json(err, name, &jerr, NULL);
        return trace_from_json(root, name, ret, err);
}

int trace_from_json(json_t *root, const char *name, trace **ret, mp_error *err)
{
        int r = trace_validate(root, name, err);
        if (r < 0) {
                json_decref(root);
                return r;
        }
        trace *t = xcalloc(1, sizeof *t);
        t->root = root;
        *ret = t;
        return 0;
}

int trace_load(const char *path, trace **ret, mp_error *err)
{
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r = read_file_full(path, TRACE_MAX_BYTES, &data, &size);
        if (r < 0)
                return mp_error_set(err, r, path, "cannot read trace: %s", strerror(-r));
        return trace_load_buffer(data, size, path, ret, err);
}

int trace_write(const trace *t, FILE *f)
{
        /* The top level by hand, so a streamed member slots in at its
         * sorted place; every other member through the same writer. */
        size_t n;
        const char **keys = trace_sorted_keys(t->root, &n);
        const char *skey = t->stream ? t->stream->key : NULL;
        jsonw w;
        jsonw_init(&w, f, 0);
        jsonw_object_begin(&w);
        bool streamed = false;
        for (size_t i = 0; i <= n; i++) {
                if (skey && !streamed && (i == n || strcmp(skey, keys[i]) < 0)) {
                        jsonw_key(&w, skey);
                        t->stream->write(t->stream->ud, &w);
                        streamed = true;
                }
                if (i == n)
                        break;
                jsonw_key(&w, keys[i]);
                jsonw_value(&w, json_object_get(t->root, keys[i]));
        }
        jsonw_object_end(&w);
        fputc('\n', f);
        free(keys);
        if (fflush(f) != 0 || ferror(f))
                return errno ? -errno : -EIO;
        return 0;
}

char *trace_dumps(const trace *t)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        if (!f)
                abort();
        trace_write(t, f);
        fclose(f);
        return buf;
}

int trace_write_fd(const trace *t, int fd)
{
        int dupfd = dup(fd);
        FILE *f = dupfd >= 0 ? fdopen(dupfd, "w") : NULL;
        if (!f) {
                int r = -errno;
                if (dupfd >= 0)
                        close(dupfd);
                return r;
        }
        errno = 0;
        int r = trace_write(t, f);
        if (fclose(f) != 0 && r == 0)
                r = -errno;
        return r;
}

int trace_save(const trace *t, const char *path, mp_error *err)
{
        _cleanup_atomic_file_ atomic_file af = { .fd = -1 };
        int r = atomic_file_open(&af, path, 0644);
        if (r == 0)
                r = trace_write_fd(t, af.fd);
        if (r == 0)
                r = atomic_file_commit(&af);
        if (r < 0)
                return mp_error_set(err, r, path, "cannot write trace: %s", strerror(-r));
        return 0;
}

/* --------------------------------------------------------------- merge */

char *trace_json_canonical(const json_t *v)
{
        char *s = json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);
        if (!s)
                abort();
        return s;
}

static int cmp_json(const void *a, const void *b)
{
        _cleanup_free_ char *x = trace_json_canonical(*(json_t *const *)a);
        _cleanup_free_ char *y = trace_json_canonical(*(json_t *const *)b);
        return strcmp(x, y);
}

static void merge_value(json_t *into, const char *key, json_t *from);

/* into[key] (== obj), made its own before a merge changes it: a loaded
 * trace shares identical file nodes (see load_sharing). */
static json_t *unshare(json_t *into, const char *key, json_t *obj)
{
        if (obj->refcount <= 1)
                return obj;
        json_t *copy = json_deep_copy(obj);
        json_object_set_new(into, key, copy);
        return copy;
}

static void merge_object(json_t *into, json_t *from)
{
        const char *k;
        json_t *v;
        json_object_foreach (from, k, v) {
                json_t *mine = json_object_get(into, k);
                if (!mine) {
                        json_object_set_new(into, k, json_deep_copy(v));
                        continue;
                }
                if (json_is_object(mine) && json_is_object(v)) {
                        merge_object(unshare(into, k, mine), v);
                        continue;
                }
                merge_value(into, k, v);
        }
}

/* Scalars and arrays: the rule depends on the member's name. */
static void merge_value(json_t *into, const char *key, json_t *from)
{
        json_t *mine = json_object_get(into, key);
        if (streq(key, "runs") && json_is_array(mine) && json_is_array(from)) {
                size_t i;
                json_t *e;
                json_array_foreach (from, i, e)
                        json_array_append_new(mine, json_deep_copy(e));
                size_t n = json_array_size(mine);
                json_t **items = xcalloc(n, sizeof *items);
                for (i = 0; i < n; i++)
                        items[i] = json_incref(json_array_get(mine, i));
                qsort(items, n, sizeof *items, cmp_json);
                json_array_clear(mine);
                for (i = 0; i < n; i++)
                        json_array_append_new(mine, items[i]);
                free(items);
                return;
        }
        if (json_is_integer(mine) && json_is_integer(from)) {
                json_int_t a = json_integer_value(mine), b = json_integer_value(from);
                if (streq(key, "count") || streq(key, "processes") || streq(key, "seen"))
                        json_integer_set(mine, sat_add(a, b));
                else if (b > a)
                        json_integer_set(mine, b);
                return;
        }
        if (json_is_boolean(mine) && json_is_boolean(from)) {
                bool a = json_is_true(mine), b = json_is_true(from);
                /* by_owner holds only if it held in every run. */
                bool v = streq(key, "by_owner") ? (a && b) : (a || b);
                json_object_set_new(into, key, json_boolean(v));
                return;
        }
        if (json_is_string(mine) && json_is_string(from)) {
                if (strcmp(json_string_value(from), json_string_value(mine)) < 0)
                        json_object_set_new(into, key, json_deep_copy(from));
                return;
        }
        /* Arrays (stacks, values) and mismatched types: keep the
         * byte-order-first serialisation, which does not depend on order. */
        _cleanup_free_ char *a = trace_json_canonical(mine);
        _cleanup_free_ char *b = trace_json_canonical(from);
        if (strcmp(b, a) < 0)
                json_object_set_new(into, key, json_deep_copy(from));
}

/* The recursive union of two roots (format stays `into`'s, version is the
 * newer); `skip` names a member merged elsewhere. */
static void union_roots(json_t *into, json_t *from, const char *skip)
{
        const char *k;
        json_t *v;
        json_object_foreach (from, k, v) {
                if (streq(k, "version")) {
                        /* the union holds what the newer one may have */
                        if (json_integer_value(v) > json_integer_value(json_object_get(into, k)))
                                json_object_set_new(into, k, json_integer(json_integer_value(v)));
                        continue;
                }
                if (streq(k, "format") || (skip && streq(k, skip)))
                        continue;
                json_t *mine = json_object_get(into, k);
                if (!mine)
                        json_object_set_new(into, k, json_deep_copy(v));
                else if (json_is_object(mine) && json_is_object(v))
                        merge_object(unshare(into, k, mine), v);
                else
                        merge_value(into, k, v);
        }
}

static void merge_impl(trace *into, const trace *from, bool count);

void trace_merge(trace *into, const trace *from)
{
        merge_impl(into, from, true);
}

void trace_merge_uncounted(trace *into, const trace *from)
{
        merge_impl(into, from, false);
        trace_seen_clear(into);
}

static void merge_impl(trace *into, const trace *from, bool count)
{
        json_int_t runs_into = trace_runs(into), runs_from = trace_runs(from);
        if (count && runs_into > 0 && runs_from > 0) {
                /* Run counts (seen.h): both sides as trees, every item of
                 * `into` explicit, the union sums them, then the items of
                 * `from` without a count add all of its runs. */
                trace_materialize(into);
                json_t *froot = from->root;
                json_auto_t *owned = NULL;
                if (from->stream) {
                        owned = json_copy(from->root);
                        json_object_set_new(owned, from->stream->key, from->stream->materialize(from->stream->ud));
                        froot = owned;
                }
                trace_seen_merge_begin(into->root, runs_into);
                union_roots(into->root, froot, NULL);
                trace_seen_merge_end(into->root, froot, runs_from, runs_into + runs_from);
                return;
        }
        /* A streamed member takes a tree member straight in (a trace of
         * 100,000 paths would take gigabytes as a tree); otherwise both
         * sides are trees. */
        const char *streamed = into->stream && into->stream->merge && !from->stream ? into->stream->key : NULL;
        if (streamed) {
                json_t *fv = json_object_get(from->root, streamed);
                if (fv)
                        into->stream->merge(into->stream->ud, fv);
        } else {
                trace_materialize(into);
                if (from->stream) {
                        trace tmp = { .root = json_object(), .stream = NULL };
                        json_object_set_new(tmp.root, from->stream->key, from->stream->materialize(from->stream->ud));
                        merge_impl(into, &tmp, false);
                        json_decref(tmp.root);
                }
        }
        union_roots(into->root, from->root, streamed);
}

int trace_load_merged(char **paths, size_t n, trace **ret, mp_error *err)
{
        _cleanup_trace_ trace *acc = NULL;
        for (size_t i = 0; i < n; i++) {
                _cleanup_trace_ trace *t = NULL;
                int r = trace_load(paths[i], &t, err);
                if (r < 0)
                        return r;
                if (!acc) {
                        /* The first trace is the union's start: the empty
                         * trace merged into it (the merge commutes), instead
                         * of it copied into an empty one, which would hold
                         * the whole tree twice. */
                        _cleanup_trace_ trace *empty = trace_new();
                        trace_merge(t, empty);
                        acc = steal_pointer(&t);
                        continue;
                }
                trace_merge(acc, t);
        }
        if (!acc)
                acc = trace_new();
        *ret = steal_pointer(&acc);
        return 0;
}
