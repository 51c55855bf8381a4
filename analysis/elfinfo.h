/* SPDX-License-Identifier: MIT */
/* What an ELF file can ask of the kernel, read from the file alone: the
 * functions it imports (undefined symbols of its dynamic symbol table, which
 * the libc table of templates/libc-syscalls.tsv maps to syscalls) and the
 * syscall numbers its own code passes in `mov $N,%eax` right before a
 * `syscall` (x86_64, x32) or `int $0x80` (i386) instruction. Parsed here,
 * without libelf: ELF32 and ELF64, little-endian x86 only. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace/trace.h"

typedef struct elf_info {
        trace_abi abi;
        bool dynamic;     /* has a dynamic symbol table */
        char **imports;   /* undefined function symbols, sorted, unique, NULL-terminated */
        uint64_t *direct; /* syscall numbers of `mov $N,%eax; syscall` patterns (sorted, unique) */
        size_t ndirect;
} elf_info;

/* Inspect `path`. -ENOEXEC (with err) for a file that is not an x86 ELF
 * object; other negative errnos when it cannot be read. */
int elf_inspect(const char *path, elf_info *ret, mp_error *err);
void elf_info_free(elf_info *e);
