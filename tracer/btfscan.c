/* SPDX-License-Identifier: MIT */
/* Struct member offsets from the kernel's BTF (btfscan.h). The format is
 * the kernel's Documentation/bpf/btf.rst: a header, a type section of
 * struct btf_type records (12 bytes, then what the kind adds) whose ids
 * count from 1, and a section of NUL-terminated names. */
#include "tracer/btfscan.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"

#define CHUNK    (256u * 1024u)
#define ANON_MAX 8 /* anonymous members looked into per query */

enum {
        KIND_INT = 1,
        KIND_ARRAY = 3,
        KIND_STRUCT = 4,
        KIND_UNION = 5,
        KIND_ENUM = 6,
        KIND_FUNC_PROTO = 13,
        KIND_VAR = 14,
        KIND_DATASEC = 15,
        KIND_DECL_TAG = 17,
        KIND_ENUM64 = 19,
        KIND_MAX = 19,
};

/* One section, read forward in pieces. */
typedef struct reader {
        int fd;
        uint64_t base, len; /* the section in the file */
        uint64_t at;        /* section offset of buf[0] */
        char *buf;
        size_t have, pos;
} reader;

/* At least n bytes at buf + pos (false at the end of the section or on a
 * read error). */
static bool ensure(reader *r, size_t n)
{
        if (r->have - r->pos >= n)
                return true;
        if (n > CHUNK)
                return false;
        memmove(r->buf, r->buf + r->pos, r->have - r->pos);
        r->at += r->pos;
        r->have -= r->pos;
        r->pos = 0;
        while (r->have < n && r->at + r->have < r->len) {
                size_t room = CHUNK - r->have;
                uint64_t left = r->len - r->at - r->have;
                if (room > left)
                        room = (size_t)left;
                ssize_t k = pread(r->fd, r->buf + r->have, room, (off_t)(r->base + r->at + r->have));
                if (k <= 0)
                        return false;
                r->have += (size_t)k;
        }
        return r->have - r->pos >= n;
}

static void skip(reader *r, uint64_t n)
{
        if (n <= r->have - r->pos) {
                r->pos += (size_t)n;
                return;
        }
        r->at += r->pos + n;
        r->have = r->pos = 0;
}

static uint64_t tell(const reader *r)
{
        return r->at + r->pos;
}

/* What a type record adds after its 12 bytes. */
static bool extra_bytes(unsigned kind, unsigned vlen, uint64_t *ret)
{
        switch (kind) {
        case KIND_INT:
        case KIND_VAR:
        case KIND_DECL_TAG:
                *ret = 4;
                return true;
        case KIND_ARRAY:
                *ret = 12;
                return true;
        case KIND_STRUCT:
        case KIND_UNION:
        case KIND_DATASEC:
        case KIND_ENUM64:
                *ret = 12ull * vlen;
                return true;
        case KIND_ENUM:
        case KIND_FUNC_PROTO:
                *ret = 8ull * vlen;
                return true;
        default: /* PTR, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FLOAT, TYPE_TAG: nothing */
                *ret = 0;
                return kind != 0 && kind <= KIND_MAX;
        }
}

/* One type record's head: its name, kind, member count and what follows. */
typedef struct type_rec {
        uint32_t name_off;
        unsigned kind, vlen;
        bool bitfields;
        uint64_t extra;
} type_rec;

/* Member m of the struct or union whose members are at buf + pos: its name,
 * its type, and its byte offset when it starts on a whole byte (not a bit
 * field), else false. */
static bool member_at(const reader *r, unsigned m, bool bitfields, uint32_t *name_off, uint32_t *type, uint32_t *off)
{
        uint32_t mem[3]; /* name_off, type, offset (bits; with bit fields: size << 24 | bits) */
        memcpy(mem, r->buf + r->pos + 12u * m, sizeof mem);
        uint32_t bits = bitfields ? mem[2] & 0xffffff : mem[2];
        *name_off = mem[0];
        *type = mem[1];
        *off = bits / 8;
        return (!bitfields || (mem[2] >> 24) == 0) && bits % 8 == 0;
}

static int next_type(reader *r, type_rec *ret)
{
        uint32_t t[3];
        if (!ensure(r, sizeof t))
                return -EINVAL;
        memcpy(t, r->buf + r->pos, sizeof t);
        skip(r, sizeof t);
        *ret = (type_rec){
                .name_off = t[0], .kind = (t[1] >> 24) & 0x1f, .vlen = t[1] & 0xffff, .bitfields = (t[1] >> 31) != 0
        };
        return extra_bytes(ret->kind, ret->vlen, &ret->extra) ? 0 : -EINVAL;
}

int btf_member_offsets(const char *path, btf_member_query *q, size_t n)
{
        for (size_t i = 0; i < n; i++)
                q[i].offset = -1;
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        struct {
                uint16_t magic;
                uint8_t version, flags;
                uint32_t hdr_len, type_off, type_len, str_off, str_len;
        } h;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h || h.magic != 0xeb9f || h.hdr_len < sizeof h ||
            (uint64_t)h.hdr_len + h.type_off + h.type_len > (uint64_t)st.st_size ||
            (uint64_t)h.hdr_len + h.str_off + h.str_len > (uint64_t)st.st_size)
                return -EINVAL; /* not BTF, or sections beyond the end of the file */

        /* The name offsets: 2n entries (type, member), -1 until found. */
        _cleanup_free_ int64_t *off = xcalloc(2 * n + 1, sizeof *off);
        for (size_t i = 0; i < 2 * n; i++)
                off[i] = -1;
        _cleanup_free_ char *buf = xmalloc(CHUNK);
        reader r = { .fd = fd, .base = (uint64_t)h.hdr_len + h.str_off, .len = h.str_len, .buf = buf };
        size_t missing = 2 * n; /* names not found yet: stop when none is */
        while (missing && ensure(&r, 1)) {
                uint64_t start = tell(&r);
                char *end = memchr(r.buf + r.pos, 0, r.have - r.pos);
                if (!end) {
                        /* a name across the piece's end: read on from its start */
                        if (!ensure(&r, r.have - r.pos + 1))
                                break;
                        continue;
                }
                const char *s = r.buf + r.pos;
                for (size_t i = 0; i < 2 * n; i++) {
                        const char *want = i % 2 ? q[i / 2].member : q[i / 2].type;
                        if (s[0] == want[0] && streq(s, want)) {
                                /* the same name twice in the queries: each is set */
                                if (off[i] < 0)
                                        missing--;
                                off[i] = (int64_t)start;
                        }
                }
                r.pos = (size_t)(end - r.buf) + 1;
        }

        /* The structs: the first of each name with members. A member not
         * found among its direct members may be in an anonymous struct or
         * union member (dentry.d_name, file.f_path on Linux 6.14+): those
         * are remembered, one level deep, and looked into by a third pass. */
        r = (reader){ .fd = fd, .base = (uint64_t)h.hdr_len + h.type_off, .len = h.type_len, .buf = buf };
        _cleanup_free_ bool *done = xcalloc(n + 1, sizeof *done);
        _cleanup_free_ uint32_t *anon_id = xcalloc(n * ANON_MAX + 1, sizeof *anon_id);
        _cleanup_free_ uint32_t *anon_off = xcalloc(n * ANON_MAX + 1, sizeof *anon_off);
        size_t left = 0, nanon = 0; /* structs to find: stop when none is left */
        for (size_t i = 0; i < n; i++) {
                done[i] = off[2 * i] < 0 || off[2 * i + 1] < 0;
                left += !done[i];
        }
        while (left && tell(&r) < r.len) {
                type_rec t;
                if (next_type(&r, &t) < 0)
                        return -EINVAL;
                unsigned kind = t.kind, vlen = t.vlen;
                bool bitfields = t.bitfields;
                uint64_t extra = t.extra;
                bool wanted = false;
                for (size_t i = 0; kind == KIND_STRUCT && vlen && i < n; i++)
                        wanted |= !done[i] && off[2 * i] == (int64_t)t.name_off;
                if (!wanted || !ensure(&r, (size_t)extra)) {
                        skip(&r, extra);
                        continue;
                }
                for (size_t i = 0; i < n; i++) {
                        if (done[i] || off[2 * i] != (int64_t)t.name_off)
                                continue;
                        done[i] = true;
                        left--;
                        for (unsigned m = 0; m < vlen; m++) {
                                uint32_t name, type, at;
                                bool whole = member_at(&r, m, bitfields, &name, &type, &at);
                                if (name == 0 && whole && q[i].offset < 0) {
                                        /* an anonymous member: maybe in there */
                                        size_t k = 0;
                                        while (k < ANON_MAX && anon_id[i * ANON_MAX + k])
                                                k++;
                                        if (k < ANON_MAX) {
                                                anon_id[i * ANON_MAX + k] = type;
                                                anon_off[i * ANON_MAX + k] = at;
                                                nanon++;
                                        }
                                }
                                if ((int64_t)name != off[2 * i + 1])
                                        continue;
                                if (whole)
                                        q[i].offset = (int32_t)at;
                                break;
                        }
                }
                skip(&r, extra);
        }
        for (size_t i = 0; i < n; i++)
                if (q[i].offset >= 0) /* found directly: its anonymous members do not matter */
                        for (size_t k = 0; k < ANON_MAX; k++)
                                if (anon_id[i * ANON_MAX + k]) {
                                        anon_id[i * ANON_MAX + k] = 0;
                                        nanon--;
                                }
        if (!nanon)
                return 0;
        /* pass 3: the anonymous structs and unions remembered */
        r = (reader){ .fd = fd, .base = (uint64_t)h.hdr_len + h.type_off, .len = h.type_len, .buf = buf };
        uint32_t id = 0; /* type ids count from 1 */
        while (nanon && tell(&r) < r.len) {
                type_rec t;
                if (next_type(&r, &t) < 0)
                        return -EINVAL;
                id++;
                unsigned kind = t.kind, vlen = t.vlen;
                bool bitfields = t.bitfields;
                uint64_t extra = t.extra;
                bool wanted = false;
                for (size_t j = 0; (kind == KIND_STRUCT || kind == KIND_UNION) && j < n * ANON_MAX; j++)
                        wanted |= anon_id[j] == id;
                if (!wanted || !ensure(&r, (size_t)extra)) {
                        skip(&r, extra);
                        continue;
                }
                for (size_t j = 0; j < n * ANON_MAX; j++) {
                        if (anon_id[j] != id)
                                continue;
                        size_t i = j / ANON_MAX;
                        anon_id[j] = 0;
                        nanon--;
                        for (unsigned m = 0; m < vlen && q[i].offset < 0; m++) {
                                uint32_t name, type, at;
                                if (member_at(&r, m, bitfields, &name, &type, &at) && (int64_t)name == off[2 * i + 1])
                                        q[i].offset = (int32_t)(anon_off[j] + at);
                        }
                }
                skip(&r, extra);
        }
        return 0;
}
