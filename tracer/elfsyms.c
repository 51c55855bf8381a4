/* SPDX-License-Identifier: MIT */
/* See elfsyms.h. The file is read once per module path (the recorder
 * caches the result); only the symbol and string tables and the program
 * headers are read, with pread. */
#include "tracer/elfsyms.h"

#include <elf.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"

typedef struct sym {
        uint64_t lo, hi; /* virtual addresses */
        char *name;
} sym;

struct elf_syms {
        sym *v;
        size_t n;
        struct {
                uint64_t off, filesz, vaddr;
        } load[16];
        int nload;
        int symtab;
};

static int cmp_sym(const void *a, const void *b)
{
        const sym *x = a, *y = b;
        if (x->lo != y->lo)
                return x->lo < y->lo ? -1 : 1;
        return strcmp(x->name, y->name);
}

static void *read_at(int fd, uint64_t off, uint64_t size, uint64_t file_size)
{
        if (size == 0 || off > file_size || size > file_size - off || size > (256u << 20))
                return NULL;
        char *buf = malloc(size + 1);
        if (!buf)
                return NULL;
        if (pread(fd, buf, size, (off_t)off) != (ssize_t)size) {
                free(buf);
                return NULL;
        }
        buf[size] = '\0';
        return buf;
}

elf_syms *elf_syms_load(const char *path)
{
        elf_syms *s = xcalloc(1, sizeof *s);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        Elf64_Ehdr eh;
        if (fd < 0 || fstat(fd, &st) < 0 || pread(fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh ||
            memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
            eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_phentsize != sizeof(Elf64_Phdr))
                return s; /* unreadable or not ELF64: no names */
        uint64_t fsize = (uint64_t)st.st_size;
        _cleanup_free_ Elf64_Phdr *ph = read_at(fd, eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr), fsize);
        for (unsigned i = 0; ph && i < eh.e_phnum && s->nload < 16; i++)
                if (ph[i].p_type == PT_LOAD) {
                        s->load[s->nload].off = ph[i].p_offset;
                        s->load[s->nload].filesz = ph[i].p_filesz;
                        s->load[s->nload].vaddr = ph[i].p_vaddr;
                        s->nload++;
                }
        _cleanup_free_ Elf64_Shdr *sh = read_at(fd, eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr), fsize);
        const Elf64_Shdr *tab = NULL;
        for (unsigned i = 0; sh && i < eh.e_shnum; i++)
                if (sh[i].sh_type == SHT_SYMTAB)
                        tab = &sh[i];
        s->symtab = tab != NULL;
        for (unsigned i = 0; sh && !tab && i < eh.e_shnum; i++)
                if (sh[i].sh_type == SHT_DYNSYM)
                        tab = &sh[i];
        if (!tab || tab->sh_link >= eh.e_shnum || tab->sh_entsize != sizeof(Elf64_Sym))
                return s; /* no symbols: every frame stays module+offset */
        _cleanup_free_ Elf64_Sym *syms = read_at(fd, tab->sh_offset, tab->sh_size, fsize);
        const Elf64_Shdr *strh = &sh[tab->sh_link];
        _cleanup_free_ char *strs = read_at(fd, strh->sh_offset, strh->sh_size, fsize);
        if (!syms || !strs)
                return s;
        size_t n = tab->sh_size / sizeof(Elf64_Sym);
        s->v = xcalloc(n ? n : 1, sizeof *s->v);
        for (size_t i = 0; i < n; i++) {
                const Elf64_Sym *y = &syms[i];
                int type = ELF64_ST_TYPE(y->st_info);
                if ((type != STT_FUNC && type != STT_GNU_IFUNC) || y->st_shndx == SHN_UNDEF || y->st_size == 0 ||
                    y->st_name >= strh->sh_size || !strs[y->st_name])
                        continue;
                s->v[s->n].lo = y->st_value;
                s->v[s->n].hi = y->st_value + y->st_size;
                s->v[s->n].name = xstrdup(strs + y->st_name);
                s->n++;
        }
        qsort(s->v, s->n, sizeof *s->v, cmp_sym);
        return s;
}

void elf_syms_free(elf_syms *s)
{
        if (!s)
                return;
        for (size_t i = 0; i < s->n; i++)
                free(s->v[i].name);
        free(s->v);
        free(s);
}

const char *elf_syms_lookup(const elf_syms *s, uint64_t file_off, uint64_t *ret_off, int *from_symtab)
{
        if (!s || !s->n)
                return NULL;
        uint64_t addr = 0;
        bool mapped = false;
        for (int i = 0; i < s->nload && !mapped; i++)
                if (file_off >= s->load[i].off && file_off - s->load[i].off < s->load[i].filesz) {
                        addr = file_off - s->load[i].off + s->load[i].vaddr;
                        mapped = true;
                }
        if (!mapped)
                return NULL;
        /* the last symbol starting at or below addr, then back over the
         * ones that do not reach it (aliases and nested symbols) */
        size_t lo = 0, hi = s->n;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (s->v[mid].lo <= addr)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        for (size_t i = lo; i > 0; i--) {
                const sym *y = &s->v[i - 1];
                if (addr < y->hi) {
                        *ret_off = addr - y->lo;
                        if (from_symtab)
                                *from_symtab = s->symtab;
                        return y->name;
                }
                if (lo - i > 64)
                        break;
        }
        return NULL;
}
