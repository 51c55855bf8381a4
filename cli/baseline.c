/* SPDX-License-Identifier: MIT */
#include "baseline.h"

#include "fileio.h"

static char **names_of(json_t *calls)
{
        size_t n;
        const char **keys = trace_sorted_keys(calls, &n);
        char **v = xcalloc(n + 1, sizeof *v);
        for (size_t i = 0; i < n; i++)
                v[i] = xstrdup(keys[i]);
        free(keys);
        return v;
}

int baseline_load(const char *path, baseline *ret, mp_error *err)
{
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r = read_file_full(path, TRACE_MAX_BYTES, &data, &size);
        if (r < 0)
                return mp_error_set(err, r, path, "cannot read the baseline: %s", strerror(-r));
        json_error_t jerr;
        json_t *probe = json_loadb(data, size, 0, &jerr);
        bool is_trace = probe && json_is_object(probe) && json_object_get(probe, "format");
        json_decref(probe);
        if (!is_trace)
                return mp_error_set(err, -EINVAL, path, "not a minpriv trace (a baseline is a previous trace)");
        trace *t = NULL;
        r = trace_load_buffer(data, size, path, &t, err);
        if (r < 0)
                return r;
        memset(ret, 0, sizeof *ret);
        json_t *sys = json_object_get(t->root, "syscalls");
        for (int a = 0; a < _TRACE_ABI_MAX; a++) {
                json_t *calls = json_object_get(sys, trace_abi_name((trace_abi)a));
                if (calls && json_object_size(calls))
                        ret->names[a] = names_of(calls);
        }
        ret->trace = t;
        return 0;
}

void baseline_free(baseline *b)
{
        for (int a = 0; a < _TRACE_ABI_MAX; a++)
                strv_free(b->names[a]);
        trace_free(b->trace);
        memset(b, 0, sizeof *b);
}
