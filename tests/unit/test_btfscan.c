/* SPDX-License-Identifier: MIT */
/* btfscan: the offsets it reads in pieces are libbpf's, on this kernel's
 * BTF and on a file written here; files that are not BTF are refused. */
#include <bpf/btf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tracer/btfscan.h"

#define VMLINUX "/sys/kernel/btf/vmlinux"

/* A member's byte offset in struct or union t, looking into anonymous
 * members `depth` levels deep; -1 when absent or a bit field. */
static int32_t member_offset(const struct btf *btf, const struct btf_type *t, const char *member, int depth)
{
        const struct btf_member *m = btf_members(t);
        for (int i = 0; i < btf_vlen(t); i++, m++) {
                uint32_t bits = btf_member_bit_offset(t, (uint32_t)i);
                bool whole = !btf_member_bitfield_size(t, (uint32_t)i) && bits % 8 == 0;
                if (strcmp(btf__name_by_offset(btf, m->name_off), member) == 0)
                        return whole ? (int32_t)(bits / 8) : -1;
        }
        m = btf_members(t);
        for (int i = 0; i < btf_vlen(t) && depth > 0; i++, m++) {
                const struct btf_type *a = btf__type_by_id(btf, m->type);
                uint32_t bits = btf_member_bit_offset(t, (uint32_t)i);
                if (m->name_off || !btf_is_composite(a) || btf_member_bitfield_size(t, (uint32_t)i) || bits % 8)
                        continue;
                int32_t in = member_offset(btf, a, member, depth - 1);
                if (in >= 0)
                        return (int32_t)(bits / 8) + in;
        }
        return -1;
}

/* libbpf's answer: the byte offset of a member of the first struct of that
 * name with members (directly or one anonymous member deep), -1 when there
 * is none. */
static int32_t libbpf_offset(const struct btf *btf, const char *type, const char *member)
{
        for (uint32_t id = 1; id < btf__type_cnt(btf); id++) {
                const struct btf_type *t = btf__type_by_id(btf, id);
                if (!btf_is_struct(t) || !btf_vlen(t) || strcmp(btf__name_by_offset(btf, t->name_off), type) != 0)
                        continue;
                return member_offset(btf, t, member, 1);
        }
        return -1;
}

static void test_vmlinux(void **state)
{
        (void)state;
        if (access(VMLINUX, R_OK) != 0) {
                print_message("SKIP: no %s\n", VMLINUX);
                skip();
        }
        btf_member_query q[] = {
                { "task_struct", "files", 0 },    { "files_struct", "fdt", 0 },  { "fdtable", "max_fds", 0 },
                { "fdtable", "fd", 0 },           { "file", "f_mode", 0 },       { "file", "f_inode", 0 },
                { "inode", "i_mode", 0 },         { "task_struct", "pid", 0 },   { "task_struct", "no_such_member", 0 },
                { "no_such_struct", "x", 0 },     { "file", "f_path", 0 },       { "dentry", "d_name", 0 },
                { "dentry", "d_parent", 0 },      { "mount", "mnt", 0 },         { "mount", "mnt_parent", 0 },
                { "mount", "mnt_mountpoint", 0 }, { "vfsmount", "mnt_root", 0 }, { "fs_struct", "root", 0 },
                { "path", "dentry", 0 },          { "path", "mnt", 0 },          { "qstr", "name", 0 },
                { "task_struct", "fs", 0 },       { "dentry", "d_op", 0 },       { "dentry_operations", "d_dname", 0 },
        };
        assert_int_equal(btf_member_offsets(VMLINUX, q, sizeof q / sizeof *q), 0);
        struct btf *btf = btf__parse(VMLINUX, NULL);
        assert_non_null(btf);
        for (size_t i = 0; i < sizeof q / sizeof *q; i++) {
                int32_t want = libbpf_offset(btf, q[i].type, q[i].member);
                if (q[i].offset != want)
                        fail_msg("%s.%s: %d, libbpf %d", q[i].type, q[i].member, q[i].offset, want);
        }
        assert_true(q[0].offset > 0 && q[4].offset >= 0);
        assert_int_equal(q[8].offset, -1);
        assert_int_equal(q[9].offset, -1);
        for (size_t i = 10; i < sizeof q / sizeof *q; i++) /* what the fd path walk needs: all there */
                if (q[i].offset < 0)
                        fail_msg("%s.%s not found", q[i].type, q[i].member);
        btf__free(btf);
}

/* A BTF of its own, written by libbpf: offsets that are not the first
 * member's, a bit field (refused), a struct declared without members
 * first (the one with members counts). */
static void test_written(void **state)
{
        (void)state;
        struct btf *b = btf__new_empty();
        assert_non_null(b);
        int u32 = btf__add_int(b, "unsigned int", 4, 0);
        int u64 = btf__add_int(b, "long unsigned int", 8, 0);
        assert_true(btf__add_fwd(b, "thing", BTF_FWD_STRUCT) > 0);
        assert_true(btf__add_struct(b, "thing", 0) > 0); /* no members */
        assert_true(btf__add_struct(b, "thing", 24) > 0);
        assert_int_equal(btf__add_field(b, "a", u32, 0, 0), 0);
        assert_int_equal(btf__add_field(b, "flags", u32, 32, 3), 0);
        assert_int_equal(btf__add_field(b, "b", u64, 64, 0), 0);
        assert_int_equal(btf__add_field(b, "c", u64, 128, 0), 0);
        assert_true(btf__add_enum(b, "e", 4) > 0);
        for (int i = 0; i < 3000; i++) { /* a record longer than a few pieces' worth of names */
                char name[32];
                snprintf(name, sizeof name, "E_%d", i);
                assert_int_equal(btf__add_enum_value(b, name, i), 0);
        }
        assert_true(btf__add_struct(b, "other", 8) > 0);
        assert_int_equal(btf__add_field(b, "c", u64, 0, 0), 0);
        /* a member inside an anonymous union, declared after the struct */
        assert_true(btf__add_struct(b, "holder", 32) > 0);
        assert_int_equal(btf__add_field(b, "first", u64, 0, 0), 0);
        assert_int_equal(btf__add_field(b, NULL, (int)btf__type_cnt(b), 128, 0), 0);
        assert_true(btf__add_union(b, NULL, 16) > 0);
        assert_int_equal(btf__add_field(b, "__inner", u64, 0, 0), 0);
        assert_int_equal(btf__add_field(b, "inner", u64, 0, 0), 0);
        uint32_t size;
        const void *raw = btf__raw_data(b, &size);
        char path[] = "/tmp/minpriv-btfscan-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, raw, size), (ssize_t)size);
        close(fd);
        btf_member_query q[] = { { "thing", "a", 0 },     { "thing", "b", 0 },      { "thing", "c", 0 },
                                 { "thing", "flags", 0 }, { "other", "c", 0 },      { "e", "E_1", 0 },
                                 { "thing", "d", 0 },     { "holder", "inner", 0 }, { "holder", "first", 0 } };
        assert_int_equal(btf_member_offsets(path, q, sizeof q / sizeof *q), 0);
        assert_int_equal(q[0].offset, 0);
        assert_int_equal(q[1].offset, 8);
        assert_int_equal(q[2].offset, 16);
        assert_int_equal(q[3].offset, -1); /* a bit field */
        assert_int_equal(q[4].offset, 0);
        assert_int_equal(q[5].offset, -1); /* not a struct */
        assert_int_equal(q[6].offset, -1);
        assert_int_equal(q[7].offset, 16);
        assert_int_equal(q[8].offset, 0);
        unlink(path);
        btf__free(b);
}

static void test_not_btf(void **state)
{
        (void)state;
        btf_member_query q[] = { { "task_struct", "files", 0 } };
        assert_int_equal(btf_member_offsets("/nonexistent/btf", q, 1), -ENOENT);
        assert_int_equal(q[0].offset, -1);
        assert_int_equal(btf_member_offsets("/etc/hostname", q, 1), -EINVAL);
        char path[] = "/tmp/minpriv-btfscan-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        /* a header whose type section claims more than the file has */
        uint32_t h[6] = { 0x0001eb9f, 24, 0, 1000000, 1000000, 10 };
        assert_int_equal(write(fd, h, sizeof h), (ssize_t)sizeof h);
        close(fd);
        assert_int_equal(btf_member_offsets(path, q, 1), -EINVAL);
        unlink(path);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_vmlinux),
                cmocka_unit_test(test_written),
                cmocka_unit_test(test_not_btf),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
