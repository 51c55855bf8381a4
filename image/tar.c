/* SPDX-License-Identifier: MIT */
/* The tar reader (an index, never an extraction) and the deterministic
 * writer; the formats: POSIX.1-2001 (ustar, pax extended headers) and the
 * GNU long-name and long-link members. */
#include "image/tar.h"

#include <ctype.h>
#include <limits.h>

#include "common/strbuf.h"

#define BLOCK 512
/* Largest pax or GNU long-name member read (GNU tar writes a few KiB). */
#define MAX_META (1u << 20)
/* Most members an archive may hold (docker export of a large image: ~10^5). */
#define MAX_MEMBERS 10000000u

/* Offsets of the ustar header fields. */
enum {
        H_NAME = 0,
        H_MODE = 100,
        H_UID = 108,
        H_GID = 116,
        H_SIZE = 124,
        H_MTIME = 136,
        H_CHKSUM = 148,
        H_TYPE = 156,
        H_LINK = 157,
        H_MAGIC = 257,
        H_VERSION = 263,
        H_UNAME = 265,
        H_GNAME = 297,
        H_DEVMAJOR = 329,
        H_DEVMINOR = 337,
        H_PREFIX = 345,
};

const char *image_type_name(image_type t)
{
        static const char *const names[_IMAGE_TYPE_MAX] = {
                [IMAGE_FILE] = "file",        [IMAGE_DIR] = "directory",      [IMAGE_SYMLINK] = "symlink",
                [IMAGE_CHAR] = "char device", [IMAGE_BLOCK] = "block device", [IMAGE_FIFO] = "fifo",
                [IMAGE_SOCKET] = "socket",
        };
        return (unsigned)t < _IMAGE_TYPE_MAX ? names[t] : "?";
}

void image_stat_done(image_stat *st)
{
        if (!st)
                return;
        free(st->link);
        st->link = NULL;
}

void image_stat_copy(image_stat *dst, const image_stat *src)
{
        *dst = *src;
        dst->link = src->link ? xstrdup(src->link) : NULL;
}

/* --- reading --- */

typedef struct pending {
        char *path, *link;
        bool has_size, has_uid, has_gid, has_mtime;
        uint64_t size, uid, gid;
        int64_t mtime;
} pending;

static void pending_done(pending *p)
{
        free(p->path);
        free(p->link);
        *p = (pending){ 0 };
}

static void member_free(tar_member *m)
{
        if (!m)
                return;
        free(m->path);
        image_stat_done(&m->st);
        free(m);
}

void tar_index_free(tar_index *x)
{
        if (!x)
                return;
        for (size_t i = 0; i < x->n; i++)
                member_free(x->members[i]);
        free(x->members);
        hashmap_free(x->by_path, NULL);
        free(x);
}

const tar_member *tar_index_get(const tar_index *x, const char *path)
{
        return hashmap_get(x->by_path, path);
}

/* A numeric field: octal digits (leading blanks, then NUL or blank ends
 * them), or GNU's base-256 (high bit of the first byte set). Negative
 * base-256 values are refused. */
static int parse_number(const unsigned char *f, size_t len, uint64_t *ret)
{
        uint64_t v = 0;
        if (f[0] & 0x80) {
                if (f[0] & 0x40)
                        return -ERANGE; /* negative */
                v = f[0] & 0x3f;
                for (size_t i = 1; i < len; i++) {
                        if (v >> 56)
                                return -ERANGE;
                        v = v << 8 | f[i];
                }
                *ret = v;
                return 0;
        }
        size_t i = 0;
        while (i < len && (f[i] == ' ' || f[i] == '\0'))
                i++;
        /* all blank or NUL: zero */
        size_t start = i;
        for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
                if (v >> 60)
                        return -ERANGE;
                v = v << 3 | (uint64_t)(f[i] - '0');
        }
        if (i == start && start < len)
                return -EINVAL;
        for (; i < len; i++)
                if (f[i] != ' ' && f[i] != '\0')
                        return -EINVAL;
        *ret = v;
        return 0;
}

static bool checksum_ok(const unsigned char *h)
{
        uint64_t stored;
        if (parse_number(h + H_CHKSUM, 8, &stored) < 0)
                return false;
        uint64_t usum = 0;
        int64_t ssum = 0;
        for (size_t i = 0; i < BLOCK; i++) {
                unsigned char c = i >= H_CHKSUM && i < H_CHKSUM + 8 ? ' ' : h[i];
                usum += c;
                ssum += (signed char)c;
        }
        return stored == usum || (int64_t)stored == ssum;
}

static bool all_zero(const unsigned char *b)
{
        for (size_t i = 0; i < BLOCK; i++)
                if (b[i])
                        return false;
        return true;
}

/* "./usr//bin/" -> "/usr/bin"; "" and "./" -> "/". -EINVAL for a ".."
 * component. */
static int normalise(const char *name, size_t len, char **ret)
{
        strbuf sb = STRBUF_INIT;
        size_t i = 0;
        while (i < len) {
                while (i < len && name[i] == '/')
                        i++;
                size_t s = i;
                while (i < len && name[i] != '/')
                        i++;
                size_t n = i - s;
                if (n == 0 || (n == 1 && name[s] == '.'))
                        continue;
                if (n == 2 && name[s] == '.' && name[s + 1] == '.') {
                        strbuf_free(&sb);
                        return -EINVAL;
                }
                strbuf_putc(&sb, '/');
                strbuf_add(&sb, name + s, n);
        }
        if (!sb.len)
                strbuf_putc(&sb, '/');
        *ret = strbuf_steal(&sb);
        return 0;
}

/* A field that may fill its width without a NUL. */
static char *field_string(const unsigned char *f, size_t width)
{
        size_t n = strnlen((const char *)f, width);
        return xstrndup((const char *)f, n);
}

typedef struct reader {
        tar_pread_fn rd;
        void *ud;
        uint64_t size;
        const char *name;
        mp_error *err;
} reader;

static int read_exact(reader *r, void *buf, size_t n, uint64_t off)
{
        size_t got = 0;
        while (got < n) {
                ssize_t k = r->rd(r->ud, (char *)buf + got, n - got, off + got);
                if (k < 0)
                        return mp_error_set(r->err, (int)k, r->name, "cannot read the archive: %s", strerror((int)-k));
                if (k == 0)
                        return mp_error_set(r->err, -EINVAL, r->name, "truncated at byte %llu",
                                            (unsigned long long)(off + got));
                got += (size_t)k;
        }
        return 0;
}

/* The data of a pax or GNU long-name member, NUL-terminated. */
static int read_meta(reader *r, uint64_t off, uint64_t size, char **ret)
{
        if (size > MAX_META)
                return mp_error_set(r->err, -EINVAL, r->name,
                                    "an extended header at byte %llu is %llu bytes long (at most %u)",
                                    (unsigned long long)off, (unsigned long long)size, MAX_META);
        _cleanup_free_ char *buf = xmalloc((size_t)size + 1);
        int rc = read_exact(r, buf, (size_t)size, off);
        if (rc < 0)
                return rc;
        buf[size] = '\0';
        *ret = steal_pointer(&buf);
        return 0;
}

static int parse_decimal(const char *s, size_t n, bool allow_sign, int64_t *ret)
{
        bool neg = false;
        size_t i = 0;
        if (allow_sign && i < n && s[i] == '-') {
                neg = true;
                i++;
        }
        if (i == n)
                return -EINVAL;
        int64_t v = 0;
        for (; i < n && s[i] != '.'; i++) {
                if (s[i] < '0' || s[i] > '9' || v > (INT64_MAX - 9) / 10)
                        return -EINVAL;
                v = v * 10 + (s[i] - '0');
        }
        /* a fraction of a second: ignored */
        if (i < n)
                for (i++; i < n; i++)
                        if (s[i] < '0' || s[i] > '9')
                                return -EINVAL;
        *ret = neg ? -v : v;
        return 0;
}

/* Records "LEN key=value\n" of a pax header into p (global headers: only
 * checked). */
static int parse_pax(reader *r, const char *data, size_t size, uint64_t off, bool global, pending *p)
{
        size_t i = 0;
        while (i < size) {
                size_t j = i, len = 0;
                while (j < size && data[j] >= '0' && data[j] <= '9' && len < size + 1)
                        len = len * 10 + (size_t)(data[j++] - '0');
                if (j == i || j >= size || data[j] != ' ' || len <= j - i + 1 || len > size - i ||
                    data[i + len - 1] != '\n')
                        return mp_error_set(r->err, -EINVAL, r->name, "malformed pax record in the header at byte %llu",
                                            (unsigned long long)off);
                const char *kv = data + j + 1, *end = data + i + len - 1;
                const char *eq = memchr(kv, '=', (size_t)(end - kv));
                if (!eq || eq == kv)
                        return mp_error_set(r->err, -EINVAL, r->name, "malformed pax record in the header at byte %llu",
                                            (unsigned long long)off);
                size_t klen = (size_t)(eq - kv), vlen = (size_t)(end - eq - 1);
                const char *v = eq + 1;
                i += len;
                if (klen >= 10 && memcmp(kv, "GNU.sparse", 10) == 0)
                        return mp_error_set(r->err, -EINVAL, r->name,
                                            "a sparse file (pax header at byte %llu) is not supported",
                                            (unsigned long long)off);
                if (global)
                        continue;
#define KEY(k) (klen == sizeof(k) - 1 && memcmp(kv, k, klen) == 0)
                if (KEY("path") || KEY("linkpath")) {
                        if (memchr(v, '\0', vlen))
                                return mp_error_set(r->err, -EINVAL, r->name, "a pax path with a NUL byte at byte %llu",
                                                    (unsigned long long)off);
                        char **dst = KEY("path") ? &p->path : &p->link;
                        free(*dst);
                        *dst = xstrndup(v, vlen);
                } else if (KEY("size") || KEY("uid") || KEY("gid") || KEY("mtime")) {
                        int64_t n;
                        if (parse_decimal(v, vlen, KEY("mtime"), &n) < 0 || (!KEY("mtime") && n < 0))
                                return mp_error_set(r->err, -EINVAL, r->name, "bad pax number '%.*s' at byte %llu",
                                                    (int)(vlen > 40 ? 40 : vlen), v, (unsigned long long)off);
                        if (KEY("size"))
                                p->has_size = true, p->size = (uint64_t)n;
                        else if (KEY("uid"))
                                p->has_uid = true, p->uid = (uint64_t)n;
                        else if (KEY("gid"))
                                p->has_gid = true, p->gid = (uint64_t)n;
                        else
                                p->has_mtime = true, p->mtime = n;
                }
#undef KEY
        }
        return 0;
}

static int member_error(reader *r, const char *path, int errnum, const char *fmt, ...) _printf_(4, 5);
static int member_error(reader *r, const char *path, int errnum, const char *fmt, ...)
{
        char text[400];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(text, sizeof text, fmt, ap);
        va_end(ap);
        _cleanup_free_ char *q = quote_for_message(path);
        return mp_error_set(r->err, errnum, r->name, "member %s: %s", q, text);
}

static void index_put(tar_index *x, tar_member *m)
{
        tar_member *old = hashmap_get(x->by_path, m->path);
        if (old) {
                for (size_t i = 0; i < x->n; i++)
                        if (x->members[i] == old) {
                                memmove(x->members + i, x->members + i + 1, (x->n - i - 1) * sizeof *x->members);
                                x->n--;
                                break;
                        }
                hashmap_remove(x->by_path, m->path);
                member_free(old);
        }
        if (x->n == x->cap) {
                x->cap = x->cap ? 2 * x->cap : 64;
                x->members = xrealloc(x->members, x->cap * sizeof *x->members);
        }
        x->members[x->n++] = m;
        hashmap_put(x->by_path, m->path, m);
}

/* Directories the archive leaves implicit; a name below a member that is
 * not a directory is refused. */
static int add_parents(reader *r, tar_index *x)
{
        size_t n = x->n;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *p = xstrdup(x->members[i]->path);
                char *slash;
                while ((slash = strrchr(p, '/')) && slash != p) {
                        *slash = '\0';
                        const tar_member *d = hashmap_get(x->by_path, p);
                        if (d && d->st.type != IMAGE_DIR)
                                return member_error(r, x->members[i]->path, -EINVAL, "below %s, which is a %s", p,
                                                    image_type_name(d->st.type));
                        if (d)
                                break;
                        tar_member *m = xcalloc(1, sizeof *m);
                        m->path = xstrdup(p);
                        m->st = (image_stat){ .type = IMAGE_DIR, .mode = 0755 };
                        index_put(x, m);
                }
        }
        return 0;
}

static int type_of(char flag, image_type *ret)
{
        switch (flag) {
        case '0':
        case '\0':
        case '7':
                *ret = IMAGE_FILE;
                return 0;
        case '2':
                *ret = IMAGE_SYMLINK;
                return 0;
        case '3':
                *ret = IMAGE_CHAR;
                return 0;
        case '4':
                *ret = IMAGE_BLOCK;
                return 0;
        case '5':
                *ret = IMAGE_DIR;
                return 0;
        case '6':
                *ret = IMAGE_FIFO;
                return 0;
        default:
                return -EINVAL;
        }
}

typedef struct numbers {
        uint64_t size, mode, uid, gid, mtime, dmaj, dmin;
} numbers;

/* The header's numeric fields (device numbers for devices only). */
static int parse_numbers(reader *r, const unsigned char *h, uint64_t off, numbers *ret)
{
        numbers n = { 0 };
        if (parse_number(h + H_SIZE, 12, &n.size) < 0 || parse_number(h + H_MODE, 8, &n.mode) < 0 ||
            parse_number(h + H_UID, 8, &n.uid) < 0 || parse_number(h + H_GID, 8, &n.gid) < 0 ||
            parse_number(h + H_MTIME, 12, &n.mtime) < 0)
                return mp_error_set(r->err, -EINVAL, r->name, "bad number in the header at byte %llu",
                                    (unsigned long long)off);
        if ((h[H_TYPE] == '3' || h[H_TYPE] == '4') &&
            (parse_number(h + H_DEVMAJOR, 8, &n.dmaj) < 0 || parse_number(h + H_DEVMINOR, 8, &n.dmin) < 0 ||
             n.dmaj > UINT32_MAX || n.dmin > UINT32_MAX))
                return mp_error_set(r->err, -EINVAL, r->name, "bad device number in the header at byte %llu",
                                    (unsigned long long)off);
        *ret = n;
        return 0;
}

/* A pax header (per file or global) or a GNU long name or link target:
 * what it says goes into p, for the next member. */
static int meta_member(reader *r, char flag, uint64_t data, uint64_t size, uint64_t off, pending *p)
{
        char *meta = NULL;
        int rc = read_meta(r, data, size, &meta);
        if (rc < 0)
                return rc;
        if (flag == 'x' || flag == 'g') {
                rc = parse_pax(r, meta, (size_t)size, off, flag == 'g', p);
                free(meta);
                return rc;
        }
        char **dst = flag == 'L' ? &p->path : &p->link;
        free(*dst);
        *dst = meta;
        return 0;
}

/* The member's name: a pax or GNU long name, else ustar's prefix and name
 * fields; *ret_raw as written, *ret_path normalised. */
static int member_name(reader *r, const unsigned char *h, uint64_t off, const pending *p, char **ret_raw,
                       char **ret_path)
{
        bool ustar = memcmp(h + H_MAGIC, "ustar\0", 6) == 0;
        _cleanup_free_ char *raw = p->path ? xstrdup(p->path) : NULL;
        if (!raw) {
                _cleanup_free_ char *nm = field_string(h + H_NAME, 100);
                _cleanup_free_ char *pre = ustar ? field_string(h + H_PREFIX, 155) : xstrdup("");
                raw = *pre ? xasprintf("%s/%s", pre, nm) : steal_pointer(&nm);
        }
        if (strlen(raw) > PATH_MAX)
                return mp_error_set(r->err, -EINVAL, r->name, "a member name at byte %llu is longer than %d bytes",
                                    (unsigned long long)off, PATH_MAX);
        if (normalise(raw, strlen(raw), ret_path) < 0)
                return member_error(r, raw, -EINVAL, "a name with '..' (it would leave the root)");
        *ret_raw = steal_pointer(&raw);
        return 0;
}

/* The earlier member a hard link names (not itself), or NULL. */
static const tar_member *link_target(const tar_index *x, const char *link, const char *self)
{
        _cleanup_free_ char *target = NULL;
        if (normalise(link, strlen(link), &target) < 0 || streq(target, self))
                return NULL;
        return hashmap_get(x->by_path, target);
}

/* One member header at off (its metadata members already in p): adds it
 * to the index; *ret_next is where the next header starts. */
static int read_member(reader *r, tar_index *x, const unsigned char *h, uint64_t off, pending *p, uint64_t *ret_next)
{
        char flag = (char)h[H_TYPE];
        numbers nb = { 0 };
        int rc = parse_numbers(r, h, off, &nb);
        if (rc < 0)
                return rc;
        uint64_t size = p->has_size ? p->size : nb.size;
        uint64_t data = off + BLOCK;
        /* only regular files (and the metadata members) have data */
        bool has_data =
                flag == '0' || flag == '\0' || flag == '7' || flag == 'x' || flag == 'g' || flag == 'L' || flag == 'K';
        if (!has_data)
                size = 0;
        if (size > r->size - data)
                return mp_error_set(r->err, -EINVAL, r->name, "truncated: a member at byte %llu needs %llu bytes",
                                    (unsigned long long)off, (unsigned long long)size);
        *ret_next = data + (size + BLOCK - 1) / BLOCK * BLOCK;

        if (flag == 'x' || flag == 'g' || flag == 'L' || flag == 'K')
                return meta_member(r, flag, data, size, off, p);
        if (flag == 'V')
                return 0; /* a volume label names no file */

        _cleanup_free_ char *raw = NULL, *path = NULL;
        rc = member_name(r, h, off, p, &raw, &path);
        if (rc < 0)
                return rc;
        image_type type = IMAGE_FILE;
        if (flag != '1' && type_of(flag, &type) < 0) {
                if (flag == 'S')
                        return member_error(r, raw, -EINVAL, "a GNU sparse file is not supported");
                if (flag == 'M')
                        return member_error(r, raw, -EINVAL, "a multi-volume continuation is not supported");
                return member_error(r, raw, -EINVAL, "member type '%c' is not supported",
                                    isprint((unsigned char)flag) ? flag : '?');
        }
        if (streq(path, "/")) {
                if (flag != '5')
                        return member_error(r, raw, -EINVAL, "the root is not a directory");
                return 0; /* the root's own entry: the importer makes "/" */
        }
        _cleanup_free_ char *link = p->link ? xstrdup(p->link) : field_string(h + H_LINK, 100);
        tar_member *m = xcalloc(1, sizeof *m);
        m->path = steal_pointer(&path);
        if (flag == '1') {
                const tar_member *t = link_target(x, link, m->path);
                if (!t) {
                        member_free(m);
                        return member_error(r, raw, -EINVAL, "a hard link to '%s', which no member before it names",
                                            link);
                }
                image_stat_copy(&m->st, &t->st);
                m->offset = t->offset;
        } else {
                m->st = (image_stat){
                        .type = type,
                        .mode = (uint32_t)(nb.mode & 07777),
                        .uid = p->has_uid ? p->uid : nb.uid,
                        .gid = p->has_gid ? p->gid : nb.gid,
                        .mtime = p->has_mtime ? p->mtime : (int64_t)(nb.mtime > INT64_MAX ? INT64_MAX : nb.mtime),
                        .size = type == IMAGE_FILE ? size : 0,
                        .devmajor = (uint32_t)nb.dmaj,
                        .devminor = (uint32_t)nb.dmin,
                };
                m->offset = data;
                if (type == IMAGE_SYMLINK) {
                        if (!*link) {
                                member_free(m);
                                return member_error(r, raw, -EINVAL, "a symlink with an empty target");
                        }
                        m->st.link = steal_pointer(&link);
                }
        }
        if (x->n >= MAX_MEMBERS) {
                member_free(m);
                return mp_error_set(r->err, -EINVAL, r->name, "more than %u members", MAX_MEMBERS);
        }
        index_put(x, m);
        return 0;
}

int tar_index_read(tar_pread_fn rd, void *ud, uint64_t size, const char *name, tar_index **ret, mp_error *err)
{
        reader r = { .rd = rd, .ud = ud, .size = size, .name = name, .err = err };
        tar_index *x = xcalloc(1, sizeof *x);
        x->by_path = hashmap_new();
        pending p = { 0 };
        uint64_t off = 0;
        int rc = 0;
        bool ended = false;
        if (size < BLOCK) {
                rc = mp_error_set(err, -EINVAL, name, "not a tar archive (%llu bytes)", (unsigned long long)size);
                goto out;
        }
        while (off + BLOCK <= size) {
                unsigned char h[BLOCK];
                rc = read_exact(&r, h, BLOCK, off);
                if (rc < 0)
                        goto out;
                if (all_zero(h)) {
                        ended = true;
                        break;
                }
                if (!checksum_ok(h)) {
                        rc = mp_error_set(err, -EINVAL, name, "bad header checksum at byte %llu%s",
                                          (unsigned long long)off, off ? "" : " (not a tar archive?)");
                        goto out;
                }
                uint64_t next = size;
                rc = read_member(&r, x, h, off, &p, &next);
                if (rc < 0)
                        goto out;
                /* metadata members describe the next member only */
                if (!strchr("xgLK", h[H_TYPE]) || !h[H_TYPE])
                        pending_done(&p);
                off = next;
        }
        if (!ended && off != size) {
                rc = mp_error_set(err, -EINVAL, name, "truncated at byte %llu", (unsigned long long)off);
                goto out;
        }
        if (p.path || p.link || p.has_size) {
                rc = mp_error_set(err, -EINVAL, name, "an extended header without a member after it");
                goto out;
        }
        rc = add_parents(&r, x);
out:
        pending_done(&p);
        if (rc < 0) {
                tar_index_free(x);
                return rc;
        }
        *ret = x;
        return 0;
}

bool tar_probe(tar_pread_fn rd, void *ud, uint64_t size)
{
        unsigned char h[BLOCK];
        if (size < BLOCK || rd(ud, h, BLOCK, 0) != BLOCK)
                return false;
        return !all_zero(h) && checksum_ok(h);
}

/* --- writing --- */

void tar_writer_init(tar_writer *w, int fd)
{
        *w = (tar_writer){ .fd = fd };
        sha256_init(&w->sha);
}

static int write_raw(tar_writer *w, const void *buf, size_t n)
{
        const char *p = buf;
        sha256_update(&w->sha, buf, n);
        w->bytes += n;
        while (n) {
                ssize_t k = write(w->fd, p, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += k;
                n -= (size_t)k;
        }
        return 0;
}

static int write_zeros(tar_writer *w, size_t n)
{
        static const char zero[BLOCK];
        while (n) {
                size_t k = n < BLOCK ? n : BLOCK;
                int rc = write_raw(w, zero, k);
                if (rc < 0)
                        return rc;
                n -= k;
        }
        return 0;
}

static bool fits(uint64_t v, size_t width)
{
        /* width-1 octal digits and a NUL */
        return v < (uint64_t)1 << (3 * (width - 1));
}

static void put_octal(unsigned char *f, size_t width, uint64_t v)
{
        for (size_t i = width - 1; i-- > 0;) {
                f[i] = (unsigned char)('0' + (v & 7));
                v >>= 3;
        }
        f[width - 1] = '\0';
}

static size_t ndigits(size_t n)
{
        size_t d = 1;
        while (n >= 10) {
                n /= 10;
                d++;
        }
        return d;
}

static void pax_add(strbuf *sb, const char *key, const char *val, size_t vlen)
{
        size_t base = strlen(key) + vlen + 3; /* " key=value\n" */
        size_t len = base + 1;
        while (len != base + ndigits(len))
                len++;
        strbuf_printf(sb, "%zu %s=", len, key);
        strbuf_add(sb, val, vlen);
        strbuf_putc(sb, '\n');
}

static void finish_header(unsigned char *h)
{
        memcpy(h + H_MAGIC, "ustar\0", 6);
        memcpy(h + H_VERSION, "00", 2);
        memset(h + H_CHKSUM, ' ', 8);
        unsigned sum = 0;
        for (size_t i = 0; i < BLOCK; i++)
                sum += h[i];
        put_octal(h + H_CHKSUM, 7, sum);
        h[H_CHKSUM + 7] = ' ';
}

/* The name in ustar's name field, or split into prefix and name, or (too
 * long either way) in a pax record with its first 100 bytes in the
 * header. */
static void place_name(unsigned char *h, const char *name, size_t len, strbuf *pax)
{
        if (len <= 100) {
                memcpy(h + H_NAME, name, len);
                return;
        }
        size_t split = 0;
        for (size_t i = len - 1 < 155 ? len - 1 : 155; i > 0; i--)
                if (name[i] == '/') {
                        split = i;
                        break;
                }
        if (split && len - split - 1 <= 100 && len - split - 1 > 0) {
                memcpy(h + H_PREFIX, name, split);
                memcpy(h + H_NAME, name + split + 1, len - split - 1);
        } else {
                pax_add(pax, "path", name, len);
                memcpy(h + H_NAME, name, 100);
        }
}

/* The pax extended header for the member at path, under a deterministic
 * name. */
static int write_pax(tar_writer *w, const char *path, const strbuf *pax)
{
        unsigned char x[BLOCK] = { 0 };
        const char *base = strrchr(path, '/') + 1;
        _cleanup_free_ char *xname = xasprintf("PaxHeaders/%.88s", base);
        memcpy(x + H_NAME, xname, strlen(xname));
        put_octal(x + H_MODE, 8, 0644);
        put_octal(x + H_UID, 8, 0);
        put_octal(x + H_GID, 8, 0);
        put_octal(x + H_SIZE, 12, pax->len);
        put_octal(x + H_MTIME, 12, 0);
        x[H_TYPE] = 'x';
        finish_header(x);
        int rc = write_raw(w, x, BLOCK);
        if (rc == 0)
                rc = write_raw(w, pax->buf, pax->len);
        if (rc == 0)
                rc = write_zeros(w, (BLOCK - pax->len % BLOCK) % BLOCK);
        return rc;
}

int tar_write_header(tar_writer *w, const char *path, const image_stat *st)
{
        if (w->pending || path[0] != '/' || !path[1])
                return -EINVAL;
        static const char flags[_IMAGE_TYPE_MAX] = {
                [IMAGE_FILE] = '0',  [IMAGE_DIR] = '5',  [IMAGE_SYMLINK] = '2', [IMAGE_CHAR] = '3',
                [IMAGE_BLOCK] = '4', [IMAGE_FIFO] = '6', [IMAGE_SOCKET] = 0,
        };
        if ((unsigned)st->type >= _IMAGE_TYPE_MAX || !flags[st->type])
                return -EINVAL;
        if (strlen(path) > PATH_MAX)
                return -ENAMETOOLONG;
        _cleanup_free_ char *name = xasprintf("%s%s", path + 1, st->type == IMAGE_DIR ? "/" : "");
        size_t len = strlen(name);
        unsigned char h[BLOCK] = { 0 };
        _cleanup_strbuf_ strbuf pax = STRBUF_INIT;

        place_name(h, name, len, &pax);
        if (st->type == IMAGE_SYMLINK) {
                size_t ll = st->link ? strlen(st->link) : 0;
                if (!ll)
                        return -EINVAL;
                if (ll > 100)
                        pax_add(&pax, "linkpath", st->link, ll);
                memcpy(h + H_LINK, st->link, ll > 100 ? 100 : ll);
        }
        uint64_t size = st->type == IMAGE_FILE ? st->size : 0;
        struct {
                const char *key;
                uint64_t v;
                size_t off, width;
        } nums[] = { { "uid", st->uid, H_UID, 8 }, { "gid", st->gid, H_GID, 8 }, { "size", size, H_SIZE, 12 } };
        for (size_t i = 0; i < ELEMENTSOF(nums); i++) {
                if (fits(nums[i].v, nums[i].width)) {
                        put_octal(h + nums[i].off, nums[i].width, nums[i].v);
                } else {
                        char v[24];
                        int n = snprintf(v, sizeof v, "%llu", (unsigned long long)nums[i].v);
                        pax_add(&pax, nums[i].key, v, (size_t)n);
                        put_octal(h + nums[i].off, nums[i].width, 0);
                }
        }
        if (st->mtime >= 0 && fits((uint64_t)st->mtime, 12)) {
                put_octal(h + H_MTIME, 12, (uint64_t)st->mtime);
        } else {
                char v[24];
                int n = snprintf(v, sizeof v, "%lld", (long long)st->mtime);
                pax_add(&pax, "mtime", v, (size_t)n);
                put_octal(h + H_MTIME, 12, 0);
        }
        put_octal(h + H_MODE, 8, st->mode & 07777);
        if (st->type == IMAGE_CHAR || st->type == IMAGE_BLOCK) {
                put_octal(h + H_DEVMAJOR, 8, st->devmajor & 07777777);
                put_octal(h + H_DEVMINOR, 8, st->devminor & 07777777);
        }
        h[H_TYPE] = (unsigned char)flags[st->type];
        /* no user or group names (H_UNAME, H_GNAME): numeric owners only */

        int rc = pax.len ? write_pax(w, path, &pax) : 0;
        if (rc < 0)
                return rc;
        finish_header(h);
        rc = write_raw(w, h, BLOCK);
        if (rc < 0)
                return rc;
        w->pending = w->member = size;
        return 0;
}

int tar_write_data(tar_writer *w, const void *buf, size_t n)
{
        if (n > w->pending)
                return -EINVAL;
        int rc = write_raw(w, buf, n);
        if (rc < 0)
                return rc;
        w->pending -= n;
        if (!w->pending && n)
                return write_zeros(w, (size_t)((BLOCK - w->member % BLOCK) % BLOCK));
        return 0;
}

int tar_write_end(tar_writer *w, uint8_t ret_sha256[32], uint64_t *ret_bytes)
{
        if (w->pending)
                return -EINVAL;
        int rc = write_zeros(w, 2 * BLOCK);
        if (rc == 0)
                rc = write_zeros(w, (size_t)((10240 - w->bytes % 10240) % 10240));
        if (rc < 0)
                return rc;
        sha256_final(&w->sha, ret_sha256);
        *ret_bytes = w->bytes;
        return 0;
}
