/* SPDX-License-Identifier: MIT */
/* User-space stacks of a stopped tracee through libunwind-ptrace, for
 * `record --stacks`: each frame as function (+offset in it), module and the
 * address relative to the module (ready for addr2line). Without --stacks
 * nothing here runs. */
#include <libunwind-ptrace.h>

#include "internal.h"

#define MAX_FRAMES 24

int stacks_init(recorder *r)
{
        unw_addr_space_t as = unw_create_addr_space(&_UPT_accessors, 0);
        if (!as)
                return -ENOMEM;
        unw_set_caching_policy(as, UNW_CACHE_GLOBAL);
        r->unwind = as;
        return 0;
}

void stacks_free(recorder *r)
{
        if (r->unwind)
                unw_destroy_addr_space((unw_addr_space_t)r->unwind);
        r->unwind = NULL;
}

typedef struct mapping {
        uint64_t start, end, offset;
        char path[512];
} mapping;

static size_t read_maps(pid_t pid, mapping *maps, size_t max)
{
        char path[64], line[1024];
        snprintf(path, sizeof path, "/proc/%d/maps", pid);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return 0;
        size_t n = 0;
        while (n < max && fgets(line, sizeof line, f)) {
                unsigned long long s, e, off;
                int pos = 0;
                if (sscanf(line, "%llx-%llx %*s %llx %*x:%*x %*u %n", &s, &e, &off, &pos) < 3 || !pos)
                        continue;
                char *file = line + pos;
                file[strcspn(file, "\n")] = '\0';
                if (file[0] != '/')
                        continue;
                maps[n].start = s;
                maps[n].end = e;
                maps[n].offset = off;
                snprintf(maps[n].path, sizeof maps[n].path, "%s", file);
                n++;
        }
        return n;
}

json_t *stacks_capture(recorder *r, pid_t tid)
{
        if (!r->unwind)
                return NULL;
        task *t = intmap_get(r->tasks, tid);
        if (t && t->abi != TRACE_ABI_X86_64)
                return NULL; /* this libunwind unwinds x86_64 code only */
        if (t && t->pre_exec)
                return NULL; /* the workload's first execve: the stack would be minpriv's own */
        void *ui = _UPT_create(tid);
        if (!ui)
                return NULL;
        unw_cursor_t cur;
        if (unw_init_remote(&cur, (unw_addr_space_t)r->unwind, ui) < 0) {
                _UPT_destroy(ui);
                return NULL;
        }
        static mapping maps[512];
        size_t nmaps = read_maps(tid, maps, ELEMENTSOF(maps));
        json_t *frames = json_array();
        for (int i = 0; i < MAX_FRAMES; i++) {
                unw_word_t ip = 0, off = 0;
                if (unw_get_reg(&cur, UNW_REG_IP, &ip) < 0 || ip == 0)
                        break;
                json_t *fr = json_object();
                char name[256];
                if (unw_get_proc_name(&cur, name, sizeof name, &off) == 0) {
                        json_object_set_new(fr, "function", json_string(name));
                        json_object_set_new(fr, "offset", json_integer((json_int_t)off));
                }
                for (size_t m = 0; m < nmaps; m++) {
                        if (ip >= maps[m].start && ip < maps[m].end) {
                                _cleanup_free_ char *enc = trace_path_encode(maps[m].path, strlen(maps[m].path));
                                json_object_set_new(fr, "module", json_string(enc));
                                json_object_set_new(fr, "ip",
                                                    json_integer((json_int_t)(ip - maps[m].start + maps[m].offset)));
                                break;
                        }
                }
                json_array_append_new(frames, fr);
                if (unw_step(&cur) <= 0)
                        break;
        }
        _UPT_destroy(ui);
        if (json_array_size(frames) == 0) {
                json_decref(frames);
                return NULL;
        }
        return frames;
}
