/* SPDX-License-Identifier: MIT */
#include "cli/baseline.h"

#include <stdlib.h>

#include <seccomp.h>

#include "common/fileio.h"
#include "policy/seccomp-profile.h"
#include "trace/read.h"

static int add_name(const trace_syscall *sc, void *ud)
{
        strv_add(ud, sc->name);
        return 0;
}

/* A Docker seccomp profile: the names it allows whatever their arguments,
 * per ABI, as runc would load it for a container with Docker's default
 * capabilities. */
static int load_profile(const char *path, const char *data, size_t size, baseline *ret, mp_error *err)
{
        _cleanup_mp_seccomp_profile_ mp_seccomp_profile *p = NULL;
        int r = mp_seccomp_profile_load_buffer(data, size, path, &p, err);
        if (r < 0)
                return r;
        _cleanup_mp_seccomp_program_ mp_seccomp_program *prog = NULL;
        r = mp_seccomp_program_compile(p, NULL, &prog, err);
        if (r < 0)
                return r;
        memset(ret, 0, sizeof *ret);
        for (int a = 0; a < _TRACE_ABI_MAX; a++) {
                size_t n = 0;
                char **names = xcalloc(1025, sizeof *names);
                for (int nr = 0; nr < 1024; nr++) {
                        int num = a == TRACE_ABI_X32 ? nr | 0x40000000 : nr;
                        char *name = seccomp_syscall_resolve_num_arch(trace_abi_scmp_arch(a), num);
                        bool always = false;
                        if (name && mp_seccomp_program_allows(prog, (trace_abi)a, num, &always) == 1 && always)
                                names[n++] = name;
                        else
                                free(name);
                }
                if (n)
                        ret->names[a] = names;
                else
                        free(names);
        }
        ret->profile = xstrdup(path);
        return 0;
}

int baseline_load(const char *path, baseline *ret, mp_error *err)
{
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r = read_file_full(path, TRACE_MAX_BYTES, &data, &size);
        if (r < 0)
                return mp_error_set(err, r, path, "cannot read the baseline: %s", strerror(-r));
        /* Parsed once: a trace of many paths takes a noticeable time to read. */
        json_error_t jerr;
        json_t *root = json_loadb(data, size, JSON_REJECT_DUPLICATES, &jerr);
        if (root && json_is_object(root) && json_object_get(root, "defaultAction")) {
                json_decref(root);
                return load_profile(path, data, size, ret, err);
        }
        if (!trace_json_names_format(root)) {
                json_decref(root);
                /* let the trace reader word the error (line:column for syntax) */
                trace *t = NULL;
                r = trace_load_buffer(data, size, path, &t, err);
                trace_free(t);
                if (r < 0)
                        return r;
                return mp_error_set(err, -EINVAL, path,
                                    "neither a minpriv trace nor a seccomp profile (a baseline is a previous trace "
                                    "or a seccomp.json)");
        }
        trace *t = NULL;
        r = trace_from_json(root, path, &t, err);
        if (r < 0)
                return r;
        memset(ret, 0, sizeof *ret);
        for (int a = 0; a < _TRACE_ABI_MAX; a++)
                if (trace_syscall_count(t, (trace_abi)a))
                        trace_foreach_syscall(t, (trace_abi)a, add_name, &ret->names[a]);
        ret->trace = t;
        return 0;
}

void baseline_free(baseline *b)
{
        for (int a = 0; a < _TRACE_ABI_MAX; a++)
                strv_free(b->names[a]);
        trace_free(b->trace);
        free(b->profile);
        memset(b, 0, sizeof *b);
}

void baseline_add_profile_names(const baseline *b, trace *t)
{
        if (!b->profile)
                return;
        _cleanup_free_ char *label = xasprintf("baseline:%s", b->profile);
        _cleanup_free_ char *enc = trace_path_encode(label, strlen(label));
        for (int a = 0; a < _TRACE_ABI_MAX; a++)
                for (char **n = b->names[a]; n && *n; n++)
                        trace_syscall_add_unrecorded(t, (trace_abi)a, *n, enc);
}
