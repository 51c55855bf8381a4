/* SPDX-License-Identifier: MIT */
/* Atomic output files: a regular file is replaced whole or not at all; a
 * device, FIFO or socket (-o /dev/null, a pipe) is written in place and
 * stays what it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/util.h"

static char *dir;

static int setup(void **state)
{
        (void)state;
        char tmpl[] = "/tmp/minpriv-fileio-XXXXXX";
        dir = xstrdup(mkdtemp(tmpl));
        return 0;
}

static int teardown(void **state)
{
        (void)state;
        _cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", dir);
        (void)!system(cmd);
        free(dir);
        return 0;
}

static size_t entries(void)
{
        DIR *d = opendir(dir);
        size_t n = 0;
        struct dirent *e;
        while ((e = readdir(d)))
                if (e->d_name[0] != '.')
                        n++;
        closedir(d);
        return n;
}

static void test_regular_replaced_whole(void **state)
{
        (void)state;
        _cleanup_free_ char *p = xasprintf("%s/out.json", dir);
        assert_int_equal(write_file_atomic(p, "old\n", 4, 0644), 0);
        {
                _cleanup_atomic_file_ atomic_file af = { .fd = -1 };
                assert_int_equal(atomic_file_open(&af, p, 0644), 0);
                assert_int_equal(atomic_file_write(&af, "half", 4), 0);
                /* abandoned: the cleanup removes the temporary */
        }
        char buf[16] = { 0 };
        int fd = open(p, O_RDONLY);
        assert_true(read(fd, buf, sizeof buf - 1) == 4);
        close(fd);
        assert_string_equal(buf, "old\n");
        assert_int_equal(entries(), 1);
        assert_int_equal(write_file_atomic(p, "new\n", 4, 0644), 0);
        fd = open(p, O_RDONLY);
        assert_true(read(fd, buf, sizeof buf - 1) == 4);
        close(fd);
        assert_string_equal(buf, "new\n");
        assert_int_equal(entries(), 1);
}

static void test_device_written_in_place(void **state)
{
        (void)state;
        struct stat before, after;
        assert_int_equal(stat("/dev/null", &before), 0);
        assert_int_equal(write_file_atomic("/dev/null", "x\n", 2, 0644), 0);
        assert_int_equal(stat("/dev/null", &after), 0);
        assert_true(S_ISCHR(after.st_mode));
        assert_true(before.st_ino == after.st_ino && before.st_rdev == after.st_rdev);
        /* abandoned: nothing to remove, the device stays */
        {
                _cleanup_atomic_file_ atomic_file af = { .fd = -1 };
                assert_int_equal(atomic_file_open(&af, "/dev/null", 0644), 0);
                assert_int_equal(atomic_file_write(&af, "y", 1), 0);
        }
        assert_int_equal(stat("/dev/null", &after), 0);
        assert_true(S_ISCHR(after.st_mode) && before.st_ino == after.st_ino);
}

static void test_fifo_written_in_place(void **state)
{
        (void)state;
        _cleanup_free_ char *p = xasprintf("%s/pipe", dir);
        assert_int_equal(mkfifo(p, 0600), 0);
        int rd = open(p, O_RDONLY | O_NONBLOCK);
        assert_true(rd >= 0);
        assert_int_equal(write_file_atomic(p, "through\n", 8, 0644), 0);
        char buf[16] = { 0 };
        assert_true(read(rd, buf, sizeof buf - 1) == 8);
        close(rd);
        assert_string_equal(buf, "through\n");
        struct stat st;
        assert_int_equal(stat(p, &st), 0);
        assert_true(S_ISFIFO(st.st_mode));
        assert_int_equal(entries(), 1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_regular_replaced_whole, setup, teardown),
                cmocka_unit_test_setup_teardown(test_device_written_in_place, setup, teardown),
                cmocka_unit_test_setup_teardown(test_fifo_written_in_place, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
