/* SPDX-License-Identifier: MIT */
/* Struct member offsets from the kernel's BTF, without libbpf's parser.
 *
 * The eBPF recorder reads a few kernel structures (a task's open files) at
 * offsets that differ between kernels. libbpf's CO-RE would find them by
 * parsing all of /sys/kernel/btf/vmlinux: 45 ms and 9 MiB of peak memory
 * per recording here, for five numbers. This reads the file in pieces,
 * twice (the names in the string section, then the struct types), keeping
 * 256 KiB at a time. */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef struct btf_member_query {
        const char *type;   /* a struct's name */
        const char *member; /* one of its members, directly or in an anonymous member (one level) */
        int32_t offset;     /* out: the member's byte offset, -1 when not found (or a bit field) */
} btf_member_query;

/* Fill in q[i].offset for each query from the BTF file at path (the first
 * struct of that name with members). 0, or -errno when the file cannot be
 * read or is not BTF. */
int btf_member_offsets(const char *path, btf_member_query *q, size_t n);
