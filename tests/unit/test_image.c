/* SPDX-License-Identifier: MIT */
/* Unit tests of the image library: SHA-256 against FIPS 180-4's vectors;
 * the tar writer read back by the tar reader (long names, long link
 * targets, large ids); the reader's refusals (checksum, truncation, "..",
 * hard links forward, sparse files, names below a file); the plan over a
 * directory source (symlinks resolved inside the root, absolute and
 * escaping targets, loops, ENOENT probes, /proc, scratch directories,
 * --exclude, the ELF interpreter); the tarball rebuilt from itself as a
 * tar source giving the same bytes; image.json both ways; the proof's
 * diagnosis helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>

#include "common/sha256.h"
#include "common/strbuf.h"
#include "image/findings.h"
#include "image/image.h"
#include "image/tar.h"

static void test_sha256(void **state)
{
        static const struct {
                const char *in;
                const char *hex;
        } v[] = {
                { "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
                { "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
                { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
        };
        for (size_t i = 0; i < ELEMENTSOF(v); i++) {
                sha256_ctx c;
                uint8_t d[32];
                char hex[65];
                sha256_init(&c);
                /* byte by byte, to cross the block boundaries */
                for (const char *p = v[i].in; *p; p++)
                        sha256_update(&c, p, 1);
                sha256_final(&c, d);
                sha256_hex(d, hex);
                assert_string_equal(hex, v[i].hex);
        }
        sha256_ctx c;
        uint8_t d[32];
        char hex[65];
        char *a = xmalloc(1000000);
        memset(a, 'a', 1000000);
        sha256_init(&c);
        sha256_update(&c, a, 1000000);
        sha256_final(&c, d);
        sha256_hex(d, hex);
        assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
        free(a);
}

/* --- an archive in memory --- */

typedef struct membuf {
        char *data;
        size_t size;
} membuf;

static ssize_t mem_pread(void *ud, void *buf, size_t n, uint64_t off)
{
        membuf *m = ud;
        if (off >= m->size)
                return 0;
        if (n > m->size - off)
                n = (size_t)(m->size - off);
        memcpy(buf, m->data + off, n);
        return (ssize_t)n;
}

static membuf read_fd_all(int fd)
{
        membuf m = { 0 };
        off_t end = lseek(fd, 0, SEEK_END);
        assert_true(end >= 0);
        m.size = (size_t)end;
        m.data = xmalloc(m.size + 1);
        assert_int_equal(pread(fd, m.data, m.size, 0), (ssize_t)m.size);
        return m;
}

static int tmpfile_fd(void)
{
        char path[] = "/tmp/minpriv-unit-image-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        unlink(path);
        return fd;
}

static void test_tar_roundtrip(void **state)
{
        char longdir[200], longname[400], longlink[300];
        memset(longdir, 'd', sizeof longdir - 1);
        longdir[sizeof longdir - 1] = '\0';
        /* 130 bytes: ustar splits it into prefix and name */
        snprintf(longname, sizeof longname, "/%.60s/%.68s", longdir, longdir);
        char verylong[400];
        snprintf(verylong, sizeof verylong, "/%.150s/%.150s/x", longdir, longdir);
        memset(longlink, 'l', sizeof longlink - 1);
        longlink[sizeof longlink - 1] = '\0';
        struct {
                const char *path;
                image_stat st;
                const char *data;
        } m[] = {
                { "/etc", { .type = IMAGE_DIR, .mode = 0755, .mtime = 1700000000 }, NULL },
                { "/etc/hosts", { .type = IMAGE_FILE, .mode = 0644, .size = 10, .mtime = 1 }, "127.0.0.1\n" },
                { "/etc/link", { .type = IMAGE_SYMLINK, .mode = 0777, .link = (char *)"hosts" }, NULL },
                { longname, { .type = IMAGE_FILE, .mode = 04755, .uid = 1000, .gid = 1000, .size = 3 }, "abc" },
                { verylong, { .type = IMAGE_FILE, .mode = 0600, .uid = 3000000, .gid = 7, .size = 0 }, "" },
                { "/etc/long", { .type = IMAGE_SYMLINK, .mode = 0777, .link = longlink, .mtime = -5 }, NULL },
                { "/run/fifo", { .type = IMAGE_FIFO, .mode = 0600 }, NULL },
                { "/dev-null", { .type = IMAGE_CHAR, .mode = 0666, .devmajor = 1, .devminor = 3 }, NULL },
        };
        int fd = tmpfile_fd();
        tar_writer w;
        tar_writer_init(&w, fd);
        for (size_t i = 0; i < ELEMENTSOF(m); i++) {
                assert_int_equal(tar_write_header(&w, m[i].path, &m[i].st), 0);
                if (m[i].st.type == IMAGE_FILE && m[i].st.size)
                        assert_int_equal(tar_write_data(&w, m[i].data, m[i].st.size), 0);
        }
        /* a member's data must be complete before the next header */
        image_stat f = { .type = IMAGE_FILE, .size = 2, .mode = 0644 };
        uint8_t sha[32];
        uint64_t bytes;
        assert_int_equal(tar_write_header(&w, "/partial", &f), 0);
        assert_int_equal(tar_write_data(&w, "x", 1), 0);
        assert_int_equal(tar_write_end(&w, sha, &bytes), -EINVAL);
        assert_int_equal(tar_write_data(&w, "yz", 2), -EINVAL);
        assert_int_equal(tar_write_data(&w, "y", 1), 0);
        assert_int_equal(tar_write_end(&w, sha, &bytes), 0);
        assert_int_equal(bytes % 10240, 0);
        membuf mb = read_fd_all(fd);
        assert_int_equal(mb.size, bytes);
        close(fd);

        tar_index *x = NULL;
        mp_error err = { 0 };
        assert_int_equal(tar_index_read(mem_pread, &mb, mb.size, "t.tar", &x, &err), 0);
        for (size_t i = 0; i < ELEMENTSOF(m); i++) {
                const tar_member *t = tar_index_get(x, m[i].path);
                if (!t)
                        fail_msg("%s not read back", m[i].path);
                assert_int_equal(t->st.type, m[i].st.type);
                assert_int_equal(t->st.mode, m[i].st.mode);
                assert_int_equal(t->st.uid, m[i].st.uid);
                assert_int_equal(t->st.gid, m[i].st.gid);
                assert_int_equal(t->st.mtime, m[i].st.mtime);
                assert_int_equal(t->st.size, m[i].st.size);
                assert_int_equal(t->st.devmajor, m[i].st.devmajor);
                assert_int_equal(t->st.devminor, m[i].st.devminor);
                if (m[i].st.link)
                        assert_string_equal(t->st.link, m[i].st.link);
                if (m[i].data && m[i].st.size)
                        assert_memory_equal(mb.data + t->offset, m[i].data, m[i].st.size);
        }
        /* /run was implicit */
        const tar_member *run = tar_index_get(x, "/run");
        assert_non_null(run);
        assert_int_equal(run->st.type, IMAGE_DIR);
        tar_index_free(x);
        free(mb.data);
}

/* One ustar header block with a valid checksum. */
static void header(unsigned char *h, const char *name, char type, const char *size_octal, const char *link)
{
        memset(h, 0, 512);
        memcpy(h, name, strlen(name));
        memcpy(h + 100, "0000644", 7);
        memcpy(h + 108, "0000000", 7);
        memcpy(h + 116, "0000000", 7);
        memcpy(h + 124, size_octal, strlen(size_octal));
        memcpy(h + 136, "00000000000", 11);
        h[156] = (unsigned char)type;
        if (link)
                memcpy(h + 157, link, strlen(link));
        memcpy(h + 257,
               "ustar\0"
               "00",
               8);
        memset(h + 148, ' ', 8);
        unsigned sum = 0;
        for (int i = 0; i < 512; i++)
                sum += h[i];
        snprintf((char *)h + 148, 8, "%06o", sum);
        h[155] = ' ';
}

static void expect_refused(unsigned char *data, size_t size, const char *needle)
{
        membuf mb = { (char *)data, size };
        tar_index *x = (tar_index *)0x1;
        mp_error err = { 0 };
        int r = tar_index_read(mem_pread, &mb, size, "bad.tar", &x, &err);
        assert_int_equal(r, -EINVAL);
        assert_ptr_equal(x, (tar_index *)0x1);
        if (!strstr(err.text, needle))
                fail_msg("'%s' does not say '%s'", err.text, needle);
}

static void test_tar_refused(void **state)
{
        unsigned char a[512 * 6];
        memset(a, 0, sizeof a);
        header(a, "etc/passwd", '0', "00000000004", NULL);
        memcpy(a + 512, "root", 4);
        a[0] ^= 1; /* checksum no longer matches */
        expect_refused(a, sizeof a, "checksum");

        header(a, "etc/passwd", '0', "00000010000", NULL); /* 4096 bytes of data: past the end */
        expect_refused(a, sizeof a, "truncated");

        header(a, "../etc/passwd", '0', "00000000000", NULL);
        expect_refused(a, sizeof a, "'..'");

        header(a, "usr/../../x", '5', "00000000000", NULL);
        expect_refused(a, sizeof a, "'..'");

        header(a, "bin/sh", '1', "00000000000", "bin/dash");
        expect_refused(a, sizeof a, "hard link");

        header(a, "sparse", 'S', "00000000000", NULL);
        expect_refused(a, sizeof a, "sparse");

        header(a, "etc", '0', "00000000000", NULL);
        header(a + 512, "etc/passwd", '0', "00000000000", NULL);
        expect_refused(a, sizeof a, "which is a file");

        header(a, "a", '0', "0000000000z", NULL);
        expect_refused(a, sizeof a, "bad number");

        header(a, "link", '2', "00000000000", NULL);
        expect_refused(a, sizeof a, "empty target");

        /* a pax header whose record length runs past its data */
        const char pax[] = "99 path=x\n";
        header(a, "PaxHeaders/x", 'x', "00000000012", NULL);
        memset(a + 512, 0, 512);
        memcpy(a + 512, pax, strlen(pax));
        expect_refused(a, sizeof a, "pax record");

        /* short and empty inputs */
        expect_refused(a, 100, "not a tar archive");

        /* a hard link to an earlier member is a copy of it; a later
         * member of the same name replaces it */
        memset(a, 0, sizeof a);
        header(a, "bin/dash", '0', "00000000003", NULL);
        memcpy(a + 512, "elf", 3);
        header(a + 1024, "bin/sh", '1', "00000000000", "./bin/dash");
        header(a + 1536, "bin/dash", '0', "00000000002", NULL);
        memcpy(a + 2048, "v2", 2);
        membuf mb = { (char *)a, sizeof a };
        tar_index *x = NULL;
        mp_error err = { 0 };
        assert_int_equal(tar_index_read(mem_pread, &mb, sizeof a, "ok.tar", &x, &err), 0);
        const tar_member *sh = tar_index_get(x, "/bin/sh"), *dash = tar_index_get(x, "/bin/dash");
        assert_int_equal(sh->st.size, 3);
        assert_memory_equal(a + sh->offset, "elf", 3);
        assert_int_equal(dash->st.size, 2);
        assert_int_equal(x->n, 3); /* /bin made, /bin/sh, /bin/dash */
        tar_index_free(x);
}

/* --- a directory source --- */

static char root[64];

static void put(const char *rel, const char *content, int mode)
{
        _cleanup_free_ char *p = xasprintf("%s%s", root, rel);
        _cleanup_free_ char *dir = xstrdup(p);
        *strrchr(dir, '/') = '\0';
        _cleanup_free_ char *cmd = xasprintf("mkdir -p '%s'", dir);
        assert_int_equal(system(cmd), 0);
        int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
        fchmod(fd, (mode_t)mode);
        close(fd);
}

static void link_at(const char *rel, const char *target)
{
        _cleanup_free_ char *p = xasprintf("%s%s", root, rel);
        _cleanup_free_ char *dir = xstrdup(p);
        *strrchr(dir, '/') = '\0';
        _cleanup_free_ char *cmd = xasprintf("mkdir -p '%s'", dir);
        assert_int_equal(system(cmd), 0);
        assert_int_equal(symlink(target, p), 0);
}

static void access_add(trace *t, const char *path, const char *kind, const char *result, const char *type)
{
        json_t *f = trace_node(t->root, "files", path, NULL);
        if (type)
                json_object_set_new(f, "type", json_string(type));
        trace_usage_add(trace_node(f, "access", kind, result, NULL), "/usr/bin/prog", 1, NULL);
}

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
        return remove(p);
}

static int setup_root(void **state)
{
        snprintf(root, sizeof root, "/tmp/minpriv-unit-root-XXXXXX");
        assert_non_null(mkdtemp(root));
        /* a dynamically linked program: its PT_INTERP names the loader */
        _cleanup_free_ char *cmd = xasprintf("mkdir -p %s/usr/bin && cp /usr/bin/true %s/usr/bin/prog", root, root);
        assert_int_equal(system(cmd), 0);
        link_at("/bin", "usr/bin");
        link_at("/lib64", "usr/lib64");
        put("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "loader", 0755);
        link_at("/usr/lib64/ld-linux-x86-64.so.2", "../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
        put("/etc/hosts", "127.0.0.1 localhost\n", 0644);
        link_at("/etc/abs", "/etc/hosts");
        link_at("/etc/escape", "../../../../../../../secret");
        link_at("/etc/outside", "/nonexistent-on-purpose/x");
        link_at("/etc/mtab", "../proc/self/mounts");
        link_at("/loop1", "loop2");
        link_at("/loop2", "loop1");
        put("/var/log/app/old.log", "old\n", 0640);
        put("/tmp/stale", "scratch content\n", 0600);
        put("/opt/unused", "never used\n", 0644);
        _cleanup_free_ char *tmp = xasprintf("%s/tmp", root);
        assert_int_equal(chmod(tmp, 0700), 0);
        return 0;
}

static int teardown_root(void **state)
{
        nftw(root, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
        return 0;
}

static trace *sample_trace(void)
{
        trace *t = trace_new();
        access_add(t, "/bin/prog", "exec", "ok", "file");
        access_add(t, "/etc/abs", "read", "ok", "file");
        access_add(t, "/etc/escape", "read", "ok", "file");
        access_add(t, "/etc/outside", "stat", "ok", "file");
        access_add(t, "/etc/mtab", "read", "ok", "file");
        access_add(t, "/etc/ld.so.preload", "stat", "ENOENT", NULL);
        access_add(t, "/proc/self/maps", "read", "ok", "file");
        access_add(t, "/dev/null", "write", "ok", "char");
        access_add(t, "/tmp/stale", "read", "ok", "file");
        access_add(t, "/tmp/new", "create", "ok", NULL);
        access_add(t, "/var/log/app/new.log", "create", "ok", NULL);
        access_add(t, "/var/log/app/new.log", "append", "ok", NULL);
        access_add(t, "/loop1", "read", "ok", "file");
        access_add(t, "@{WORKSPACE}/src/main.c", "read", "ok", "file");
        return t;
}

static void plan_of(trace *t, image_source *src, char **exclude, image_plan *p)
{
        char *scratch[] = { (char *)"/tmp", NULL };
        image_options o = { .exclude = exclude, .scratch = scratch };
        mp_error err = { 0 };
        int r = image_plan_build(t, src, &o, p, &err);
        if (r < 0)
                fail_msg("plan: %s: %s", err.where, err.text);
}

static const char *missing_why(const image_plan *p, const char *path)
{
        for (size_t i = 0; i < p->nmissing; i++)
                if (streq(p->missing[i].path, path))
                        return p->missing[i].why;
        return NULL;
}

static void test_plan_directory(void **state)
{
        image_source *src = NULL;
        mp_error err = { 0 };
        assert_int_equal(image_source_open(root, &src, &err), 0);
        assert_string_equal(image_source_kind(src), "directory");
        trace *t = sample_trace();
        image_plan p;
        plan_of(t, src, NULL, &p);

        static const struct {
                const char *path;
                image_type type;
        } want[] = {
                { "/bin", IMAGE_SYMLINK },
                { "/dev", IMAGE_DIR },
                { "/etc", IMAGE_DIR },
                { "/etc/abs", IMAGE_SYMLINK },
                { "/etc/hosts", IMAGE_FILE },
                { "/etc/mtab", IMAGE_SYMLINK },
                { "/lib64", IMAGE_SYMLINK },
                { "/proc", IMAGE_DIR },
                { "/sys", IMAGE_DIR },
                { "/tmp", IMAGE_DIR },
                { "/usr", IMAGE_DIR },
                { "/usr/bin", IMAGE_DIR },
                { "/usr/bin/prog", IMAGE_FILE },
                { "/usr/lib", IMAGE_DIR },
                { "/usr/lib/x86_64-linux-gnu", IMAGE_DIR },
                { "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", IMAGE_FILE },
                { "/usr/lib64", IMAGE_DIR },
                { "/usr/lib64/ld-linux-x86-64.so.2", IMAGE_SYMLINK },
                { "/var", IMAGE_DIR },
                { "/var/log", IMAGE_DIR },
                { "/var/log/app", IMAGE_DIR },
        };
        for (size_t i = 0; i < p.n; i++) {
                bool expected = false;
                for (size_t j = 0; j < ELEMENTSOF(want); j++)
                        if (streq(p.entries[i].path, want[j].path)) {
                                expected = true;
                                assert_int_equal(p.entries[i].st.type, want[j].type);
                        }
                if (!expected)
                        fail_msg("unexpected entry %s", p.entries[i].path);
                if (i)
                        assert_true(strcmp(p.entries[i - 1].path, p.entries[i].path) < 0);
        }
        assert_int_equal(p.n, ELEMENTSOF(want));
        /* the scratch directory is the source's, not its contents */
        assert_int_equal(image_plan_get(&p, "/tmp")->st.mode, 0700);
        assert_false(image_plan_get(&p, "/tmp")->synthetic);
        assert_true(image_plan_get(&p, "/proc")->synthetic);
        assert_null(image_plan_get(&p, "/var/log/app/old.log"));
        /* not followed out of the root */
        const char *why = missing_why(&p, "/etc/escape");
        assert_non_null(why);
        assert_string_equal(why, "/secret is not in the source");
        assert_string_equal(missing_why(&p, "/etc/outside"), "/nonexistent-on-purpose is not in the source");
        assert_string_equal(missing_why(&p, "/loop1"), "too many levels of symbolic links");
        assert_null(missing_why(&p, "/etc/ld.so.preload"));
        assert_int_equal(p.nmissing, 3);
        assert_int_equal(p.workspace_paths, 1);
        assert_int_equal(p.totals.files, 8);
        assert_int_equal(p.totals.symlinks, 5);
        image_plan_free(&p);

        /* --exclude: the program, whoever names it */
        char *exclude[] = { (char *)"/usr/bin/prog", NULL };
        plan_of(t, src, exclude, &p);
        assert_null(image_plan_get(&p, "/usr/bin/prog"));
        assert_null(image_plan_get(&p, "/usr/lib64/ld-linux-x86-64.so.2")); /* its loader went with it */
        assert_int_equal(p.nexcluded, 1);
        assert_string_equal(p.excluded[0].path, "/bin/prog");
        assert_string_equal(p.excluded[0].why, "--exclude /usr/bin/prog");
        image_plan_free(&p);

        /* the whole source: /proc's contents would not count */
        image_totals tot;
        assert_int_equal(image_source_totals(src, &tot, &err), 0);
        assert_int_equal(tot.files, 15);
        assert_int_equal(tot.symlinks, 9);
        trace_free(t);
        image_source_free(src);
}

/* The tarball, used as a tar source, gives itself again. */
static void test_rebuild_from_tar(void **state)
{
        image_source *src = NULL;
        mp_error err = { 0 };
        assert_int_equal(image_source_open(root, &src, &err), 0);
        trace *t = sample_trace();
        image_plan p;
        plan_of(t, src, NULL, &p);
        char path[] = "/tmp/minpriv-unit-image-XXXXXX";
        int fd = mkstemp(path);
        uint8_t sha1[32], sha2[32];
        uint64_t n1, n2;
        assert_int_equal(image_write_tar(&p, src, fd, sha1, &n1, &err), 0);
        close(fd);
        image_plan_free(&p);
        image_source_free(src);

        assert_int_equal(image_source_open(path, &src, &err), 0);
        assert_string_equal(image_source_kind(src), "tar");
        plan_of(t, src, NULL, &p);
        /* the links that escaped, the loop: still missing, from the archive */
        assert_int_equal(p.nmissing, 3);
        membuf mb = { 0 };
        int fd2 = tmpfile_fd();
        assert_int_equal(image_write_tar(&p, src, fd2, sha2, &n2, &err), 0);
        mb = read_fd_all(fd2);
        close(fd2);
        assert_int_equal(n1, n2);
        assert_memory_equal(sha1, sha2, 32);
        /* the loader's bytes came through */
        tar_index *x = NULL;
        assert_int_equal(tar_index_read(mem_pread, &mb, mb.size, "rebuilt", &x, &err), 0);
        const tar_member *ld = tar_index_get(x, "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
        assert_non_null(ld);
        assert_memory_equal(mb.data + ld->offset, "loader", 6);
        tar_index_free(x);
        free(mb.data);
        image_plan_free(&p);
        image_source_free(src);
        unlink(path);
        trace_free(t);

        /* a compressed archive is named as such */
        _cleanup_free_ char *gz = xasprintf("%s/x.tar.gz", root);
        int g = open(gz, O_WRONLY | O_CREAT, 0644);
        assert_int_equal(write(g, "\x1f\x8b\x08\x00", 4), 4);
        assert_int_equal(ftruncate(g, 1024), 0);
        close(g);
        src = (image_source *)0x1;
        assert_int_equal(image_source_open(gz, &src, &err), -EINVAL);
        assert_ptr_equal(src, (image_source *)0x1);
        assert_non_null(strstr(err.text, "compressed"));
        unlink(gz);
}

static void test_findings_json(void **state)
{
        image_note missing[] = { { (char *)"/etc/\xff", (char *)"/etc/\xff is not in the source" } };
        char *argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)"exit 3", NULL };
        char *lost[] = { (char *)"/usr/lib/x86_64-linux-gnu/libz.so.1", NULL };
        char *options[] = { (char *)"--read-only", (char *)"--cap-drop", (char *)"ALL", NULL };
        image_proof_run run = { .argv = argv,
                                .expected = 0,
                                .status = 127,
                                .passed = false,
                                .missing = lost,
                                .diagnosis = (char *)"the dynamic loader: libz.so.1" };
        image_findings f = { .source = (char *)"/srv/root",
                             .source_kind = (char *)"directory",
                             .before = { 100, 10, 5, 123456 },
                             .after = { 7, 9, 3, 4567 },
                             .tarball = (char *)"out.tar",
                             .tarball_bytes = 20480,
                             .tag = (char *)"minpriv-sh:0123456789abcdef",
                             .missing = missing,
                             .nmissing = 1,
                             .proof = IMAGE_PROOF_FAILED,
                             .options = options,
                             .runs = &run,
                             .nruns = 1 };
        memset(f.sha256, 'a', 64);
        char *text = image_findings_json(&f);
        image_findings g;
        mp_error err = { 0 };
        assert_int_equal(image_findings_parse(text, strlen(text), "image.json", &g, &err), 0);
        char *again = image_findings_json(&g);
        assert_string_equal(text, again);
        assert_string_equal(g.missing[0].path, "/etc/\xff");
        assert_string_equal(g.runs[0].argv[2], "exit 3");
        assert_int_equal(g.before.bytes, 123456);
        assert_int_equal(g.proof, IMAGE_PROOF_FAILED);
        image_findings_free(&g);
        free(again);

        /* shape errors name the member */
        static const struct {
                const char *from, *to, *needle;
        } bad[] = {
                { "\"minpriv-image\"", "\"minpriv-trace\"", "$.format" },
                { "\"failed\"", "\"maybe\"", "$.proof.result" },
                { "\"files\": 7", "\"files\": -7", "$.image.files" },
                { "\"tarball_bytes\": 20480", "\"tarball_bytes\": \"big\"", "$.image.tarball_bytes" },
                { "\"passed\": false", "\"passed\": 0", "$.proof.runs[0].passed" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                const char *at = strstr(text, bad[i].from);
                assert_non_null(at);
                strbuf sb = STRBUF_INIT;
                strbuf_add(&sb, text, (size_t)(at - text));
                strbuf_puts(&sb, bad[i].to);
                strbuf_puts(&sb, at + strlen(bad[i].from));
                image_findings h = { 0 };
                assert_int_equal(image_findings_parse(sb.buf, sb.len, "image.json", &h, &err), -EINVAL);
                if (!strstr(err.text, bad[i].needle))
                        fail_msg("'%s' does not name %s", err.text, bad[i].needle);
                strbuf_free(&sb);
        }
        assert_int_equal(image_findings_parse("{", 1, "image.json", &g, &err), -EINVAL);
        assert_int_equal(err.line, 1);
        free(text);
}

static void test_diagnosis(void **state)
{
        char *lib = image_loader_missing("nginx: error while loading shared libraries: libpcre2-8.so.0: cannot open "
                                         "shared object file: No such file or directory\n");
        assert_string_equal(lib, "libpcre2-8.so.0");
        free(lib);
        assert_null(image_loader_missing("all good\n"));

        char **v = image_output_missing("sh: 1: /usr/bin/curl: not found\n"
                                        "cat: /etc/app.conf: No such file or directory\n"
                                        "python3: can't open file '/srv/app.py': [Errno 2] No such file or directory\n"
                                        "sh: 0: cannot open /x/y.sh: No such file\n"
                                        "ash: can't open '/etc/profile'\n"
                                        "cat: relative.txt: No such file or directory\n");
        assert_int_equal(strv_length(v), 3);
        assert_string_equal(v[0], "/etc/app.conf");
        assert_string_equal(v[1], "/etc/profile");
        assert_string_equal(v[2], "/usr/bin/curl");
        strv_free(v);

        trace *orig = trace_new(), *rerun = trace_new();
        access_add(orig, "/lib/x86_64-linux-gnu/libz.so.1", "read", "ok", "file");
        access_add(orig, "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13", "mmap_exec", "ok", "file");
        access_add(orig, "/etc/ld.so.preload", "stat", "ENOENT", NULL);
        access_add(rerun, "/lib/x86_64-linux-gnu/libz.so.1", "read", "ENOENT", NULL);
        access_add(rerun, "/etc/ld.so.preload", "stat", "ENOENT", NULL);
        access_add(rerun, "/etc/hosts", "read", "ENOENT", NULL);
        v = image_missing_between(orig, rerun);
        assert_int_equal(strv_length(v), 1);
        assert_string_equal(v[0], "/lib/x86_64-linux-gnu/libz.so.1");
        strv_free(v);
        char *p = image_recorded_path(orig, "libz.so.1");
        assert_string_equal(p, "/lib/x86_64-linux-gnu/libz.so.1");
        free(p);
        assert_null(image_recorded_path(orig, "libc.so.6"));
        trace_free(orig);
        trace_free(rerun);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sha256),
                cmocka_unit_test(test_tar_roundtrip),
                cmocka_unit_test(test_tar_refused),
                cmocka_unit_test_setup_teardown(test_plan_directory, setup_root, teardown_root),
                cmocka_unit_test_setup_teardown(test_rebuild_from_tar, setup_root, teardown_root),
                cmocka_unit_test(test_findings_json),
                cmocka_unit_test(test_diagnosis),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
