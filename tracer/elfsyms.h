/* SPDX-License-Identifier: MIT */
/* Function names for stack frames from a module's own ELF symbol table:
 * .symtab where the file has one (every function, local ones too), else
 * .dynsym (exported ones only). A frame is named only by a function symbol
 * whose [value, value + size) holds its address: the nearest preceding
 * symbol (what a lookup without sizes gives, e.g. `malloc_usable_size+
 * 0x6350b` for a static function deep inside a stripped libc) is refused,
 * and the frame stays module+offset. */
#pragma once

#include <stdint.h>

typedef struct elf_syms elf_syms;

/* Load the function symbols of the 64-bit ELF file at path; an empty set
 * when it cannot be read or is not one (its frames then have no name).
 * Never NULL. */
elf_syms *elf_syms_load(const char *path);
void elf_syms_free(elf_syms *s);
/* The function holding the byte at file offset `file_off` of the module
 * (the offset /proc/PID/maps gives: address - start + mapping offset), and
 * the offset into it; NULL when no function symbol covers it. Whether the
 * name came from .symtab: *from_symtab. */
const char *elf_syms_lookup(const elf_syms *s, uint64_t file_off, uint64_t *ret_off, int *from_symtab);
