/* SPDX-License-Identifier: MIT */
/* User-space stacks of a stopped tracee through libunwind-ptrace, for
 * `record --stacks`: each frame as function (+offset in it), module and the
 * address relative to the module (ready for addr2line). The function comes
 * from the module's own symbol table (elfsyms.c: .symtab, else .dynsym,
 * and only a symbol whose size covers the address), not from libunwind's
 * nearest preceding symbol; a frame no symbol covers has none. Without
 * --stacks nothing here runs. */
#include <libunwind-ptrace.h>
#include <stddef.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>

#include "tracer/elfsyms.h"
#include "tracer/internal.h"

#define MAX_FRAMES 24

/* libunwind-ptrace reads the tracee one word per PTRACE_PEEKDATA and one
 * register per PTRACE_PEEKUSER: thousands of syscalls for one stack. These
 * accessors wrap its own: memory comes in whole pages through
 * process_vm_readv (a stack walk touches a few), registers in one
 * PTRACE_GETREGS; everything else is delegated. */
#define PAGE         4096
#define CACHED_PAGES 8

typedef struct unwind_arg {
        void *upt; /* libunwind-ptrace's own argument */
        pid_t tid;
        bool have_regs;
        struct user_regs_struct regs;
        int npages, next;
        struct {
                unw_word_t addr;
                size_t len;
                unsigned char data[PAGE];
        } pages[CACHED_PAGES];
} unwind_arg;

/* libunwind-ptrace's own routines (find_proc_info) call back into the
 * address space's accessors with their own argument, not ours: tell them
 * apart by the one unwind in progress. */
static unwind_arg *current;

#define UPT_ARG(arg) ((arg) == current ? ((unwind_arg *)(arg))->upt : (arg))

static int cached_access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *val, int write, void *arg)
{
        if (arg != current)
                return _UPT_access_mem(as, addr, val, write, arg);
        unwind_arg *u = arg;
        if (write)
                return _UPT_access_mem(as, addr, val, write, u->upt);
        unw_word_t page = addr & ~(unw_word_t)(PAGE - 1);
        size_t off = (size_t)(addr - page);
        if (off + sizeof *val > PAGE) /* straddles two pages: rare, ask directly */
                return _UPT_access_mem(as, addr, val, 0, u->upt);
        for (int i = 0; i < u->npages; i++) {
                if (u->pages[i].addr == page && off + sizeof *val <= u->pages[i].len) {
                        memcpy(val, u->pages[i].data + off, sizeof *val);
                        return 0;
                }
        }
        int slot = u->npages < CACHED_PAGES ? u->npages++ : u->next++ % CACHED_PAGES;
        struct iovec local = { u->pages[slot].data, PAGE }, remote = { (void *)page, PAGE };
        ssize_t n = process_vm_readv(u->tid, &local, 1, &remote, 1, 0);
        if (n < (ssize_t)(off + sizeof *val)) {
                u->pages[slot].len = 0;
                u->pages[slot].addr = (unw_word_t)-1;
                return _UPT_access_mem(as, addr, val, 0, u->upt);
        }
        u->pages[slot].addr = page;
        u->pages[slot].len = (size_t)n;
        memcpy(val, u->pages[slot].data + off, sizeof *val);
        return 0;
}

static int cached_access_reg(unw_addr_space_t as, unw_regnum_t reg, unw_word_t *val, int write, void *arg)
{
        if (arg != current)
                return _UPT_access_reg(as, reg, val, write, arg);
        unwind_arg *u = arg;
        static const size_t offsets[] = {
                [UNW_X86_64_RAX] = offsetof(struct user_regs_struct, rax),
                [UNW_X86_64_RDX] = offsetof(struct user_regs_struct, rdx),
                [UNW_X86_64_RCX] = offsetof(struct user_regs_struct, rcx),
                [UNW_X86_64_RBX] = offsetof(struct user_regs_struct, rbx),
                [UNW_X86_64_RSI] = offsetof(struct user_regs_struct, rsi),
                [UNW_X86_64_RDI] = offsetof(struct user_regs_struct, rdi),
                [UNW_X86_64_RBP] = offsetof(struct user_regs_struct, rbp),
                [UNW_X86_64_RSP] = offsetof(struct user_regs_struct, rsp),
                [UNW_X86_64_R8] = offsetof(struct user_regs_struct, r8),
                [UNW_X86_64_R9] = offsetof(struct user_regs_struct, r9),
                [UNW_X86_64_R10] = offsetof(struct user_regs_struct, r10),
                [UNW_X86_64_R11] = offsetof(struct user_regs_struct, r11),
                [UNW_X86_64_R12] = offsetof(struct user_regs_struct, r12),
                [UNW_X86_64_R13] = offsetof(struct user_regs_struct, r13),
                [UNW_X86_64_R14] = offsetof(struct user_regs_struct, r14),
                [UNW_X86_64_R15] = offsetof(struct user_regs_struct, r15),
                [UNW_X86_64_RIP] = offsetof(struct user_regs_struct, rip),
        };
        if (write || reg < 0 || reg > UNW_X86_64_RIP)
                return _UPT_access_reg(as, reg, val, write, u->upt);
        if (!u->have_regs) {
                if (ptrace(PTRACE_GETREGS, u->tid, 0, &u->regs) < 0)
                        return _UPT_access_reg(as, reg, val, write, u->upt);
                u->have_regs = true;
        }
        memcpy(val, (const char *)&u->regs + offsets[reg], sizeof *val);
        return 0;
}

/* libunwind-ptrace finds the unwind info of an address by reading
 * /proc/PID/maps and opening the ELF file (and looking for its separate
 * debug files) every time, and names functions by reading the symbol table
 * every time. Both answers depend only on the program image, so they are
 * cached per image: an image id is given to a process at its creation and
 * at each exec, and inherited by fork (same code at the same addresses). */
static recorder *cur_rec;
static uint64_t cur_image;

typedef struct cached_name {
        char *name; /* NULL: no symbol */
        unw_word_t off;
} cached_name;

static int d_find_proc_info(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t *pi, int need, void *arg)
{
        return _UPT_find_proc_info(as, ip, pi, need, UPT_ARG(arg));
}

static void d_put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi, void *arg)
{
        _UPT_put_unwind_info(as, pi, UPT_ARG(arg));
}

static int d_get_dyn_info_list_addr(unw_addr_space_t as, unw_word_t *addr, void *arg)
{
        return _UPT_get_dyn_info_list_addr(as, addr, UPT_ARG(arg));
}

static int d_access_fpreg(unw_addr_space_t as, unw_regnum_t reg, unw_fpreg_t *val, int write, void *arg)
{
        return _UPT_access_fpreg(as, reg, val, write, UPT_ARG(arg));
}

static int d_resume(unw_addr_space_t as, unw_cursor_t *c, void *arg)
{
        return _UPT_resume(as, c, UPT_ARG(arg));
}

static int d_get_proc_name(unw_addr_space_t as, unw_word_t ip, char *buf, size_t len, unw_word_t *off, void *arg)
{
        if (arg != current || !cur_rec)
                return _UPT_get_proc_name(as, ip, buf, len, off, UPT_ARG(arg));
        char key[48];
        snprintf(key, sizeof key, "%llu:%llx", (unsigned long long)cur_image, (unsigned long long)ip);
        cached_name *c = hashmap_get(cur_rec->stack_names, key);
        if (!c) {
                c = xcalloc(1, sizeof *c);
                char name[256];
                if (_UPT_get_proc_name(as, ip, name, sizeof name, &c->off, UPT_ARG(arg)) == 0)
                        c->name = xstrdup(name);
                hashmap_put(cur_rec->stack_names, key, c);
        }
        if (!c->name)
                return -UNW_ENOINFO;
        snprintf(buf, len, "%s", c->name);
        *off = c->off;
        return 0;
}

static unw_accessors_t accessors = {
        .find_proc_info = d_find_proc_info,
        .put_unwind_info = d_put_unwind_info,
        .get_dyn_info_list_addr = d_get_dyn_info_list_addr,
        .access_mem = cached_access_mem,
        .access_reg = cached_access_reg,
        .access_fpreg = d_access_fpreg,
        .resume = d_resume,
        .get_proc_name = d_get_proc_name,
};

/* The function symbols of a module, loaded once per path (through the
 * tracee's root, so a recorder outside its mount namespace reads the same
 * file). */
static const elf_syms *module_syms(recorder *r, pid_t tid, const char *path)
{
        elf_syms *es = hashmap_get(r->stack_syms, path);
        if (!es) {
                _cleanup_free_ char *p = xasprintf("/proc/%d/root%s", (int)tid, path);
                es = elf_syms_load(p);
                hashmap_put(r->stack_syms, path, es);
        }
        return es;
}

static void elf_syms_freev(void *v)
{
        elf_syms_free(v);
}

int stacks_init(recorder *r)
{
        r->stack_syms = hashmap_new();
        r->stack_names = hashmap_new();
        r->stack_maps = hashmap_new();
        unw_addr_space_t as = unw_create_addr_space(&accessors, 0);
        if (!as)
                return -ENOMEM;
        unw_set_caching_policy(as, UNW_CACHE_GLOBAL);
        r->unwind = as;
        return 0;
}

static void cached_name_free(void *v)
{
        cached_name *c = v;
        free(c->name);
        free(c);
}

void stacks_free(recorder *r)
{
        hashmap_free(r->stack_names, cached_name_free);
        hashmap_free(r->stack_maps, free);
        hashmap_free(r->stack_syms, elf_syms_freev);
        r->stack_syms = NULL;
        r->stack_names = r->stack_maps = NULL;
        if (r->unwind)
                unw_destroy_addr_space((unw_addr_space_t)r->unwind);
        r->unwind = NULL;
}

typedef struct mapping {
        uint64_t start, end, offset;
        char path[512];
} mapping;

typedef struct maps_cache {
        size_t n;
        mapping m[512];
} maps_cache;

static size_t read_maps(pid_t pid, mapping *maps, size_t max);

/* The file mappings of an image, cached; read again when an address is not
 * in them (a library loaded since). */
static maps_cache *image_maps(recorder *r, pid_t tid, bool refresh)
{
        char key[24];
        snprintf(key, sizeof key, "%llu", (unsigned long long)cur_image);
        maps_cache *mc = hashmap_get(r->stack_maps, key);
        if (mc && !refresh)
                return mc;
        if (!mc) {
                mc = xcalloc(1, sizeof *mc);
                hashmap_put(r->stack_maps, key, mc);
        }
        mc->n = read_maps(tid, mc->m, ELEMENTSOF(mc->m));
        return mc;
}

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
        unwind_arg *ua = xcalloc(1, sizeof *ua);
        ua->tid = tid;
        ua->upt = _UPT_create(tid);
        if (!ua->upt) {
                free(ua);
                return NULL;
        }
        void *ui = ua;
        current = ua;
        cur_rec = r;
        cur_image = t ? t->p->image_id : 0;
        unw_cursor_t cur;
        if (unw_init_remote(&cur, (unw_addr_space_t)r->unwind, ui) < 0) {
                current = NULL;
                cur_rec = NULL;
                _UPT_destroy(ua->upt);
                free(ua);
                return NULL;
        }
        maps_cache *mc = image_maps(r, tid, false);
        bool refreshed = false;
        json_t *frames = json_array();
        for (int i = 0; i < MAX_FRAMES; i++) {
                unw_word_t ip = 0, off = 0;
                if (unw_get_reg(&cur, UNW_REG_IP, &ip) < 0 || ip == 0)
                        break;
                json_t *fr = json_object();
                (void)off;
                for (int attempt = 0; attempt < 2; attempt++) {
                        const mapping *hit = NULL;
                        for (size_t m = 0; m < mc->n && !hit; m++)
                                if (ip >= mc->m[m].start && ip < mc->m[m].end)
                                        hit = &mc->m[m];
                        if (hit) {
                                uint64_t fo = ip - hit->start + hit->offset, in_fn = 0;
                                const char *fn = elf_syms_lookup(module_syms(r, tid, hit->path), fo, &in_fn, NULL);
                                if (fn) {
                                        json_object_set_new(fr, "function", json_string(fn));
                                        json_object_set_new(fr, "offset", json_integer((json_int_t)in_fn));
                                }
                                _cleanup_free_ char *enc = trace_path_encode(hit->path, strlen(hit->path));
                                json_object_set_new(fr, "module", json_string(enc));
                                json_object_set_new(fr, "ip",
                                                    json_integer((json_int_t)(ip - hit->start + hit->offset)));
                                break;
                        }
                        if (refreshed)
                                break;
                        mc = image_maps(r, tid, true);
                        refreshed = true;
                }
                json_array_append_new(frames, fr);
                if (unw_step(&cur) <= 0)
                        break;
        }
        current = NULL;
        cur_rec = NULL;
        _UPT_destroy(ua->upt);
        free(ua);
        if (json_array_size(frames) == 0) {
                json_decref(frames);
                return NULL;
        }
        return frames;
}
