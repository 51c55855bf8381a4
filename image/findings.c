/* SPDX-License-Identifier: MIT */
/* image.json both ways, and the proof's diagnosis from outputs and
 * traces. */
#include "image/findings.h"

#include <ctype.h>

#include "common/fileio.h"
#include "common/hashmap.h"
#include "trace/read.h"

/* image.json is small; a larger file is not one. */
#define MAX_FINDINGS_BYTES (64u * 1024 * 1024)

const char *image_proof_result_name(image_proof_result r)
{
        static const char *const names[_IMAGE_PROOF_MAX] = {
                [IMAGE_PROOF_NOT_RUN] = "not run",
                [IMAGE_PROOF_PASSED] = "passed",
                [IMAGE_PROOF_FAILED] = "failed",
        };
        return (unsigned)r < _IMAGE_PROOF_MAX ? names[r] : "?";
}

/* --- writing --- */

static json_t *encoded(const char *raw)
{
        _cleanup_free_ char *e = trace_path_encode(raw, strlen(raw));
        return json_string(e);
}

static json_t *encoded_array(char *const *v)
{
        json_t *a = json_array();
        for (char *const *s = v; s && *s; s++)
                json_array_append_new(a, encoded(*s));
        return a;
}

static json_t *totals_json(const image_totals *t)
{
        return json_pack("{sIsIsIsI}", "files", (json_int_t)t->files, "directories", (json_int_t)t->dirs, "symlinks",
                         (json_int_t)t->symlinks, "bytes", (json_int_t)t->bytes);
}

static json_t *notes_json(const image_note *v, size_t n)
{
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++) {
                json_t *o = json_object();
                json_object_set_new(o, "path", encoded(v[i].path));
                json_object_set_new(o, "why", encoded(v[i].why));
                json_array_append_new(a, o);
        }
        return a;
}

char *image_findings_json(const image_findings *f)
{
        json_t *root = json_object();
        json_object_set_new(root, "format", json_string(IMAGE_FINDINGS_FORMAT));
        json_object_set_new(root, "version", json_integer(IMAGE_FINDINGS_VERSION));
        json_t *src = totals_json(&f->before);
        json_object_set_new(src, "path", encoded(f->source));
        json_object_set_new(src, "kind", json_string(f->source_kind));
        json_object_set_new(root, "source", src);
        json_t *img = totals_json(&f->after);
        json_object_set_new(img, "tarball", encoded(f->tarball));
        json_object_set_new(img, "tarball_bytes", json_integer((json_int_t)f->tarball_bytes));
        json_object_set_new(img, "sha256", json_string(f->sha256));
        json_object_set_new(img, "tag", f->tag ? json_string(f->tag) : json_null());
        json_object_set_new(root, "image", img);
        json_object_set_new(root, "missing", notes_json(f->missing, f->nmissing));
        json_object_set_new(root, "excluded", notes_json(f->excluded, f->nexcluded));
        json_object_set_new(root, "workspace_paths", json_integer((json_int_t)f->workspace_paths));
        json_t *proof = json_object();
        json_object_set_new(proof, "result", json_string(image_proof_result_name(f->proof)));
        if (f->proof_note)
                json_object_set_new(proof, "note", encoded(f->proof_note));
        json_object_set_new(proof, "options", encoded_array(f->options));
        json_t *runs = json_array();
        for (size_t i = 0; i < f->nruns; i++) {
                const image_proof_run *r = &f->runs[i];
                json_t *o = json_object();
                json_object_set_new(o, "command", encoded_array(r->argv));
                json_object_set_new(o, "expected", json_integer(r->expected));
                json_object_set_new(o, "status", json_integer(r->status));
                json_object_set_new(o, "timed_out", json_boolean(r->timed_out));
                json_object_set_new(o, "passed", json_boolean(r->passed));
                json_object_set_new(o, "missing", encoded_array(r->missing));
                if (r->diagnosis)
                        json_object_set_new(o, "diagnosis", encoded(r->diagnosis));
                json_array_append_new(runs, o);
        }
        json_object_set_new(proof, "runs", runs);
        json_object_set_new(root, "proof", proof);
        char *text = json_dumps(root, JSON_INDENT(1) | JSON_SORT_KEYS);
        json_decref(root);
        char *out = xasprintf("%s\n", text);
        free(text);
        return out;
}

/* --- reading --- */

typedef struct rd {
        const char *name;
        mp_error *err;
        int rc;
} rd;

static void bad(rd *r, const char *where, const char *what)
{
        if (r->rc == 0)
                r->rc = mp_error_set(r->err, -EINVAL, r->name, "%s: %s", where, what);
}

static const json_t *get(rd *r, const json_t *obj, const char *where, const char *key, json_type type)
{
        const json_t *v = json_object_get(obj, key);
        char path[160];
        snprintf(path, sizeof path, "%s.%s", where, key);
        if (!v || json_typeof(v) != type) {
                static const char *const names[] = {
                        [JSON_OBJECT] = "an object",   [JSON_ARRAY] = "an array", [JSON_STRING] = "a string",
                        [JSON_INTEGER] = "an integer", [JSON_REAL] = "a number",  [JSON_TRUE] = "a boolean",
                        [JSON_FALSE] = "a boolean",    [JSON_NULL] = "null"
                };
                char msg[64];
                snprintf(msg, sizeof msg, "%s %s", v ? "must be" : "missing; must be", names[type]);
                bad(r, path, msg);
                return NULL;
        }
        return v;
}

static bool get_bool(rd *r, const json_t *obj, const char *where, const char *key)
{
        const json_t *v = json_object_get(obj, key);
        if (!json_is_boolean(v)) {
                char path[160];
                snprintf(path, sizeof path, "%s.%s", where, key);
                bad(r, path, "must be a boolean");
                return false;
        }
        return json_is_true(v);
}

static uint64_t get_count(rd *r, const json_t *obj, const char *where, const char *key)
{
        const json_t *v = get(r, obj, where, key, JSON_INTEGER);
        if (v && json_integer_value(v) < 0) {
                char path[160];
                snprintf(path, sizeof path, "%s.%s", where, key);
                bad(r, path, "must not be negative");
        }
        return v ? (uint64_t)json_integer_value(v) : 0;
}

static char *decoded(rd *r, const json_t *v, const char *where)
{
        size_t len;
        char *raw = json_is_string(v) ? trace_path_decode(json_string_value(v), &len) : NULL;
        if (!raw)
                bad(r, where, "must be a string in the trace's path encoding");
        return raw;
}

static char *get_decoded(rd *r, const json_t *obj, const char *where, const char *key)
{
        char path[160];
        snprintf(path, sizeof path, "%s.%s", where, key);
        const json_t *v = get(r, obj, where, key, JSON_STRING);
        return v ? decoded(r, v, path) : NULL;
}

static char **decoded_array(rd *r, const json_t *obj, const char *where, const char *key)
{
        const json_t *a = get(r, obj, where, key, JSON_ARRAY);
        char **v = NULL;
        size_t i;
        const json_t *e;
        json_array_foreach (a, i, e) {
                char path[200];
                snprintf(path, sizeof path, "%s.%s[%zu]", where, key, i);
                char *s = decoded(r, e, path);
                if (!s)
                        break;
                strv_push(&v, s);
        }
        return v;
}

static void totals_read(rd *r, const json_t *o, const char *where, image_totals *t)
{
        t->files = get_count(r, o, where, "files");
        t->dirs = get_count(r, o, where, "directories");
        t->symlinks = get_count(r, o, where, "symlinks");
        t->bytes = get_count(r, o, where, "bytes");
}

static image_note *notes_read(rd *r, const json_t *root, const char *key, size_t *ret_n)
{
        const json_t *a = get(r, root, "$", key, JSON_ARRAY);
        size_t n = json_array_size(a);
        image_note *v = xcalloc(n + 1, sizeof *v);
        for (size_t i = 0; i < n; i++) {
                char where[64];
                snprintf(where, sizeof where, "$.%s[%zu]", key, i);
                const json_t *o = json_array_get(a, i);
                if (!json_is_object(o)) {
                        bad(r, where, "must be an object");
                        break;
                }
                v[i].path = get_decoded(r, o, where, "path");
                v[i].why = get_decoded(r, o, where, "why");
        }
        *ret_n = n;
        return v;
}

static void proof_read(rd *r, const json_t *root, image_findings *f)
{
        const json_t *p = get(r, root, "$", "proof", JSON_OBJECT);
        if (!p)
                return;
        const json_t *res = get(r, p, "$.proof", "result", JSON_STRING);
        f->proof = _IMAGE_PROOF_MAX;
        for (int i = 0; res && i < _IMAGE_PROOF_MAX; i++)
                if (streq(json_string_value(res), image_proof_result_name((image_proof_result)i)))
                        f->proof = (image_proof_result)i;
        if (res && f->proof == _IMAGE_PROOF_MAX)
                bad(r, "$.proof.result", "must be \"passed\", \"failed\" or \"not run\"");
        if (json_object_get(p, "note"))
                f->proof_note = get_decoded(r, p, "$.proof", "note");
        f->options = decoded_array(r, p, "$.proof", "options");
        const json_t *runs = get(r, p, "$.proof", "runs", JSON_ARRAY);
        f->nruns = json_array_size(runs);
        f->runs = xcalloc(f->nruns + 1, sizeof *f->runs);
        for (size_t i = 0; i < f->nruns && r->rc == 0; i++) {
                char where[64];
                snprintf(where, sizeof where, "$.proof.runs[%zu]", i);
                const json_t *o = json_array_get(runs, i);
                if (!json_is_object(o)) {
                        bad(r, where, "must be an object");
                        break;
                }
                image_proof_run *run = &f->runs[i];
                run->argv = decoded_array(r, o, where, "command");
                const json_t *e = get(r, o, where, "expected", JSON_INTEGER);
                const json_t *s = get(r, o, where, "status", JSON_INTEGER);
                run->expected = e ? (int)json_integer_value(e) : 0;
                run->status = s ? (int)json_integer_value(s) : 0;
                run->timed_out = get_bool(r, o, where, "timed_out");
                run->passed = get_bool(r, o, where, "passed");
                run->missing = decoded_array(r, o, where, "missing");
                if (json_object_get(o, "diagnosis"))
                        run->diagnosis = get_decoded(r, o, where, "diagnosis");
        }
}

int image_findings_parse(const char *data, size_t size, const char *name, image_findings *ret, mp_error *err)
{
        json_error_t jerr;
        json_t *root = json_loadb(data, size, JSON_REJECT_DUPLICATES, &jerr);
        if (!root)
                return mp_error_set_json(err, name, &jerr, NULL);
        rd r = { .name = name, .err = err };
        image_findings f = { 0 };
        const json_t *fmt = get(&r, root, "$", "format", JSON_STRING);
        if (fmt && !streq(json_string_value(fmt), IMAGE_FINDINGS_FORMAT))
                bad(&r, "$.format", "not \"" IMAGE_FINDINGS_FORMAT "\" (is this the image.json minpriv image writes?)");
        const json_t *ver = get(&r, root, "$", "version", JSON_INTEGER);
        if (ver && json_integer_value(ver) != IMAGE_FINDINGS_VERSION)
                bad(&r, "$.version", "unsupported version (this minpriv reads version 1)");
        const json_t *src = get(&r, root, "$", "source", JSON_OBJECT);
        if (src && r.rc == 0) {
                f.source = get_decoded(&r, src, "$.source", "path");
                const json_t *kind = get(&r, src, "$.source", "kind", JSON_STRING);
                if (kind && !streq(json_string_value(kind), "directory") && !streq(json_string_value(kind), "tar"))
                        bad(&r, "$.source.kind", "must be \"directory\" or \"tar\"");
                f.source_kind = xstrdup(kind ? json_string_value(kind) : "");
                totals_read(&r, src, "$.source", &f.before);
        }
        const json_t *img = get(&r, root, "$", "image", JSON_OBJECT);
        if (img && r.rc == 0) {
                f.tarball = get_decoded(&r, img, "$.image", "tarball");
                f.tarball_bytes = get_count(&r, img, "$.image", "tarball_bytes");
                const json_t *sha = get(&r, img, "$.image", "sha256", JSON_STRING);
                if (sha) {
                        const char *s = json_string_value(sha);
                        bool ok = strlen(s) == 64;
                        for (const char *c = s; ok && *c; c++)
                                ok = isdigit((unsigned char)*c) || (*c >= 'a' && *c <= 'f');
                        if (!ok)
                                bad(&r, "$.image.sha256", "must be 64 lowercase hex digits");
                        else
                                memcpy(f.sha256, s, 65);
                }
                const json_t *tag = json_object_get(img, "tag");
                if (json_is_string(tag))
                        f.tag = xstrdup(json_string_value(tag));
                else if (!json_is_null(tag))
                        bad(&r, "$.image.tag", "must be a string or null");
                totals_read(&r, img, "$.image", &f.after);
        }
        if (r.rc == 0)
                f.missing = notes_read(&r, root, "missing", &f.nmissing);
        if (r.rc == 0)
                f.excluded = notes_read(&r, root, "excluded", &f.nexcluded);
        if (r.rc == 0)
                f.workspace_paths = (size_t)get_count(&r, root, "$", "workspace_paths");
        if (r.rc == 0)
                proof_read(&r, root, &f);
        json_decref(root);
        if (r.rc < 0) {
                image_findings_free(&f);
                return r.rc;
        }
        *ret = f;
        return 0;
}

int image_findings_load(const char *path, image_findings *ret, mp_error *err)
{
        _cleanup_free_ char *data = NULL;
        size_t size;
        _cleanup_free_ char *q = quote_for_message(path);
        int rc = read_file_full(path, MAX_FINDINGS_BYTES, &data, &size);
        if (rc < 0)
                return mp_error_set(err, rc, q, "cannot read: %s", strerror(-rc));
        return image_findings_parse(data, size, q, ret, err);
}

void image_findings_free(image_findings *f)
{
        if (!f)
                return;
        free(f->source);
        free(f->source_kind);
        free(f->tarball);
        free(f->tag);
        for (size_t i = 0; f->missing && i < f->nmissing; i++)
                free(f->missing[i].path), free(f->missing[i].why);
        free(f->missing);
        for (size_t i = 0; f->excluded && i < f->nexcluded; i++)
                free(f->excluded[i].path), free(f->excluded[i].why);
        free(f->excluded);
        free(f->proof_note);
        strv_free(f->options);
        for (size_t i = 0; f->runs && i < f->nruns; i++) {
                strv_free(f->runs[i].argv);
                strv_free(f->runs[i].missing);
                free(f->runs[i].diagnosis);
        }
        free(f->runs);
        *f = (image_findings){ 0 };
}

/* --- the proof's diagnosis --- */

char *image_loader_missing(const char *output)
{
        static const char marker[] = "error while loading shared libraries: ";
        const char *p = output ? strstr(output, marker) : NULL;
        if (!p)
                return NULL;
        p += sizeof marker - 1;
        size_t n = strcspn(p, ":\n");
        return n && p[n] == ':' ? xstrndup(p, n) : NULL;
}

typedef struct find_name {
        const char *name;
        char *found;
} find_name;

static int match_name(const trace_file_access *a, void *ud)
{
        find_name *fn = ud;
        if (fn->found || !streq(a->result, "ok") || (!streq(a->kind, "read") && !streq(a->kind, "mmap_exec")))
                return 0;
        size_t len;
        _cleanup_free_ char *raw = trace_path_decode(a->path, &len);
        const char *base = raw ? strrchr(raw, '/') : NULL;
        if (base && streq(base + 1, fn->name))
                fn->found = steal_pointer(&raw);
        return 0;
}

char *image_recorded_path(const trace *t, const char *name)
{
        find_name fn = { .name = name };
        trace_foreach_file_access(t, match_name, &fn);
        return fn.found;
}

typedef struct between {
        hashmap *used;  /* encoded path -> 1: ok in the original */
        hashmap *found; /* encoded path -> 1: ok in the rerun */
        hashmap *lost;  /* encoded path -> 1: missing in the rerun */
} between;

static int original_used(const trace_file_access *a, void *ud)
{
        between *b = ud;
        static const char *const kinds[] = { "read", "exec", "mmap_exec", "stat", "list", "chdir", "lock" };
        if (!streq(a->result, "ok"))
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(kinds); i++)
                if (streq(a->kind, kinds[i]))
                        hashmap_put(b->used, a->path, (void *)1);
        return 0;
}

static int rerun_result(const trace_file_access *a, void *ud)
{
        between *b = ud;
        if (streq(a->result, "ok"))
                hashmap_put(b->found, a->path, (void *)1);
        else if (streq(a->result, "ENOENT") || streq(a->result, "ENOTDIR") || streq(a->result, "ELOOP"))
                hashmap_put(b->lost, a->path, (void *)1);
        return 0;
}

char **image_missing_between(const trace *original, const trace *rerun)
{
        between b = { hashmap_new(), hashmap_new(), hashmap_new() };
        trace_foreach_file_access(original, original_used, &b);
        trace_foreach_file_access(rerun, rerun_result, &b);
        char **v = NULL;
        size_t pos = 0;
        const char *k;
        void *val;
        while (hashmap_next(b.lost, &pos, &k, &val)) {
                if (!hashmap_get(b.used, k) || hashmap_get(b.found, k))
                        continue;
                size_t len;
                char *raw = trace_path_decode(k, &len);
                if (raw)
                        strv_push(&v, raw);
        }
        strv_sort(v);
        hashmap_free(b.used, NULL);
        hashmap_free(b.found, NULL);
        hashmap_free(b.lost, NULL);
        return v;
}

/* The absolute path that ends right before `end` in line (bounded by a
 * quote, a blank or the start of the line), or NULL. */
static char *path_before(const char *line, const char *end)
{
        const char *e = end;
        if (e > line && (e[-1] == '\'' || e[-1] == '"'))
                e--;
        const char *s = e;
        while (s > line && s[-1] != ' ' && s[-1] != '\'' && s[-1] != '"' && s[-1] != '\t' && s[-1] != '(')
                s--;
        if (s >= e || *s != '/')
                return NULL;
        return xstrndup(s, (size_t)(e - s));
}

char **image_output_missing(const char *output)
{
        static const char *const suffixes[] = { ": No such file or directory", ": not found" };
        char **v = NULL;
        for (const char *line = output; line && *line;) {
                const char *nl = strchr(line, '\n');
                size_t len = nl ? (size_t)(nl - line) : strlen(line);
                _cleanup_free_ char *l = xstrndup(line, len);
                for (size_t i = 0; i < ELEMENTSOF(suffixes); i++)
                        for (const char *p = strstr(l, suffixes[i]); p; p = strstr(p + 1, suffixes[i])) {
                                char *path = path_before(l, p);
                                if (path) {
                                        strv_add(&v, path);
                                        free(path);
                                }
                        }
                /* busybox and dash: "can't open 'PATH'" */
                for (const char *p = strstr(l, "can't open '"); p; p = strstr(p + 1, "can't open '")) {
                        const char *s = p + strlen("can't open '");
                        const char *q = strchr(s, '\'');
                        if (q && *s == '/') {
                                _cleanup_free_ char *path = xstrndup(s, (size_t)(q - s));
                                strv_add(&v, path);
                        }
                }
                line = nl ? nl + 1 : NULL;
        }
        strv_sort(v);
        return v;
}
