/* SPDX-License-Identifier: MIT */
/* A minimal ELF reader for the coverage-gap report (see elfinfo.h). Every offset
 * read from the file is checked against its size: the files are whatever
 * the trace named, possibly hostile. */
#include "analysis/elfinfo.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "common/fileio.h"

#define ELF_MAX_BYTES (1024u * 1024u * 1024u)

typedef struct reader {
        const unsigned char *d;
        size_t n;
        bool is64;
} reader;

static bool in_range(const reader *r, uint64_t off, uint64_t len)
{
        return off <= r->n && len <= r->n - off;
}

static uint64_t rd(const reader *r, uint64_t off, unsigned size)
{
        uint64_t v = 0;
        if (!in_range(r, off, size))
                return 0;
        for (unsigned i = 0; i < size; i++)
                v |= (uint64_t)r->d[off + i] << (8 * i);
        return v;
}

/* Field readers for the class: (offset in ELF32, offset in ELF64, size in
 * ELF32, size in ELF64). */
#define F(r, base, o32, o64, s32, s64) rd(r, (base) + ((r)->is64 ? (o64) : (o32)), (r)->is64 ? (s64) : (s32))

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_u64(const void *a, const void *b)
{
        uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
        return x < y ? -1 : x > y;
}

static void read_imports(const reader *r, elf_info *e)
{
        uint64_t shoff = F(r, 0, 32, 40, 4, 8);
        uint64_t shentsize = F(r, 0, 46, 58, 2, 2), shnum = F(r, 0, 48, 60, 2, 2);
        if (!shoff || shentsize < (r->is64 ? 64u : 40u) || !in_range(r, shoff, shnum * shentsize))
                return;
        size_t n = 0, cap = 0;
        char **v = NULL;
        for (uint64_t i = 0; i < shnum; i++) {
                uint64_t sh = shoff + i * shentsize;
                if (F(r, sh, 4, 4, 4, 4) != SHT_DYNSYM)
                        continue;
                e->dynamic = true;
                uint64_t off = F(r, sh, 16, 24, 4, 8), size = F(r, sh, 20, 32, 4, 8);
                uint64_t link = F(r, sh, 24, 40, 4, 4), entsize = F(r, sh, 36, 56, 4, 8);
                if (link >= shnum || entsize < (r->is64 ? 24u : 16u) || !in_range(r, off, size))
                        continue;
                uint64_t str = shoff + link * shentsize;
                uint64_t stroff = F(r, str, 16, 24, 4, 8), strsize = F(r, str, 20, 32, 4, 8);
                if (!in_range(r, stroff, strsize))
                        continue;
                for (uint64_t s = off + entsize; s + entsize <= off + size; s += entsize) {
                        uint64_t name = rd(r, s, 4);
                        unsigned info = (unsigned)rd(r, s + (r->is64 ? 4 : 12), 1);
                        uint64_t shndx = rd(r, s + (r->is64 ? 6 : 14), 2);
                        unsigned type = info & 0xf, bind = info >> 4;
                        if (shndx != SHN_UNDEF || (type != STT_FUNC && type != STT_NOTYPE) ||
                            (bind != STB_GLOBAL && bind != STB_WEAK) || name == 0 || name >= strsize)
                                continue;
                        const char *nm = (const char *)r->d + stroff + name;
                        size_t len = strnlen(nm, strsize - name);
                        if (len == 0 || len == strsize - name)
                                continue;
                        if (n + 1 >= cap) {
                                cap = cap ? cap * 2 : 64;
                                v = xrealloc(v, cap * sizeof *v);
                        }
                        v[n++] = xstrndup(nm, len);
                }
        }
        if (n)
                qsort(v, n, sizeof *v, cmp_str);
        size_t u = 0;
        for (size_t i = 0; i < n; i++) {
                if (u && streq(v[u - 1], v[i])) {
                        free(v[i]);
                        continue;
                }
                v[u++] = v[i];
        }
        v = xrealloc(v, (u + 1) * sizeof *v);
        v[u] = NULL;
        e->imports = v;
}

/* `mov $N,%eax` (b8 imm32) shortly before each syscall instruction: the
 * closest one within 16 bytes whose number is plausible. A byte-level
 * heuristic, not a disassembly: an immediate elsewhere may look alike. */
static void scan_segment(const reader *r, uint64_t off, uint64_t size, elf_info *e, size_t *cap)
{
        const unsigned char *p = r->d + off;
        bool i386 = e->abi == TRACE_ABI_I386;
        for (uint64_t i = 5; i + 1 < size; i++) {
                if (!(i386 ? (p[i] == 0xcd && p[i + 1] == 0x80) : (p[i] == 0x0f && p[i + 1] == 0x05)))
                        continue;
                for (uint64_t back = 5; back <= 16 && back <= i; back++) {
                        if (p[i - back] != 0xb8)
                                continue;
                        uint64_t nr = rd(r, off + i - back + 1, 4);
                        if (e->abi == TRACE_ABI_X32)
                                nr &= ~(uint64_t)0x40000000;
                        if (nr >= 1024)
                                continue;
                        if (e->ndirect == *cap) {
                                *cap = *cap ? *cap * 2 : 64;
                                e->direct = xrealloc(e->direct, *cap * sizeof *e->direct);
                        }
                        e->direct[e->ndirect++] = nr;
                        break;
                }
        }
}

static void read_direct(const reader *r, elf_info *e)
{
        uint64_t phoff = F(r, 0, 28, 32, 4, 8), phentsize = F(r, 0, 42, 54, 2, 2), phnum = F(r, 0, 44, 56, 2, 2);
        if (phentsize < (r->is64 ? 56u : 32u) || !in_range(r, phoff, phnum * phentsize))
                return;
        size_t cap = 0;
        for (uint64_t i = 0; i < phnum; i++) {
                uint64_t ph = phoff + i * phentsize;
                if (rd(r, ph, 4) != PT_LOAD)
                        continue;
                uint64_t flags = r->is64 ? rd(r, ph + 4, 4) : rd(r, ph + 24, 4);
                uint64_t off = F(r, ph, 4, 8, 4, 8), filesz = F(r, ph, 16, 32, 4, 8);
                if (!(flags & PF_X) || !in_range(r, off, filesz))
                        continue;
                scan_segment(r, off, filesz, e, &cap);
        }
        if (e->ndirect)
                qsort(e->direct, e->ndirect, sizeof *e->direct, cmp_u64);
        size_t u = 0;
        for (size_t i = 0; i < e->ndirect; i++)
                if (!u || e->direct[u - 1] != e->direct[i])
                        e->direct[u++] = e->direct[i];
        e->ndirect = u;
}

int elf_inspect(const char *path, elf_info *ret, mp_error *err)
{
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r = read_file_full(path, ELF_MAX_BYTES, &data, &size);
        if (r < 0)
                return mp_error_set(err, r, path, "cannot read: %s", strerror(-r));
        reader rr = { .d = (const unsigned char *)data, .n = size };
        if (size < 52 || memcmp(data, ELFMAG, SELFMAG) != 0 || rr.d[EI_DATA] != ELFDATA2LSB)
                return mp_error_set(err, -ENOEXEC, path, "not a little-endian ELF file");
        rr.is64 = rr.d[EI_CLASS] == ELFCLASS64;
        if (rr.is64 && size < 64)
                return mp_error_set(err, -ENOEXEC, path, "truncated ELF header");
        unsigned machine = (unsigned)rd(&rr, 18, 2);
        elf_info e = { 0 };
        if (machine == EM_X86_64)
                e.abi = rr.is64 ? TRACE_ABI_X86_64 : TRACE_ABI_X32;
        else if (machine == EM_386 && !rr.is64)
                e.abi = TRACE_ABI_I386;
        else
                return mp_error_set(err, -ENOEXEC, path, "not an x86 ELF file (machine %u)", machine);
        read_imports(&rr, &e);
        read_direct(&rr, &e);
        if (!e.imports)
                e.imports = xcalloc(1, sizeof *e.imports);
        *ret = e;
        return 0;
}

void elf_info_free(elf_info *e)
{
        strv_free(e->imports);
        free(e->direct);
        memset(e, 0, sizeof *e);
}
