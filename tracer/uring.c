/* SPDX-License-Identifier: MIT */
/* io_uring: what a ring does, although its operations never pass through
 * a syscall of their own (seccomp cannot see them; the LSM hooks, AppArmor
 * included, still run for the opens).
 *
 * io_uring_setup: at its exit the kernel has filled in the parameters (the
 * offsets of head, tail, mask and array in the SQ ring, of the CQ ring's
 * fields); the ring is remembered by (process, fd) with its setup flags,
 * and recorded under io_uring.rings. mmap of that fd at IORING_OFF_SQ_RING,
 * IORING_OFF_CQ_RING and IORING_OFF_SQES gives the addresses (at the mmap's
 * exit; when the mmap was not seen, /proc/PID/maps is read: the process's
 * only ring mappings, "anon_inode:[io_uring]" at those offsets).
 *
 * io_uring_enter: at entry, the submission queue entries between the
 * ring's head (the kernel's) and tail (the program's), at most to_submit,
 * are read from the tracee with process_vm_readv; each opcode is counted
 * under its ring, and the paths and addresses of OPENAT, OPENAT2, STATX,
 * UNLINKAT, RENAMEAT, MKDIRAT, SYMLINKAT, LINKAT, CONNECT and BIND become
 * file and network accesses, resolved like the syscalls' (dirfd, cwd, the
 * process root) at entry. At the exit the completion queue is read: an
 * entry whose completion is posted (matched by user_data) gets its result;
 * one still in flight is recorded as ok (it was submitted; the profile must
 * allow it).
 *
 * Not recordable, and said so under io_uring.unrecordable: SQPOLL rings (a
 * kernel thread consumes the entries whenever it likes), rings the recorder
 * did not see set up (inherited across fork), rings whose mappings are not
 * known, and relative paths against registered (fixed) files. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/io_uring.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "tracer/internal.h"
#include "trace/names.h"
#include "common/strbuf.h"

#ifndef IORING_SETUP_NO_MMAP
#define IORING_SETUP_NO_MMAP (1U << 14)
#endif
#ifndef IORING_SETUP_NO_SQARRAY
#define IORING_SETUP_NO_SQARRAY (1U << 16)
#endif

#define URING_MAX_BATCH 256 /* entries read per io_uring_enter */

typedef struct uring {
        uint32_t flags, features, sq_entries;
        struct io_sqring_offsets sq_off;
        struct io_cqring_offsets cq_off;
        uint64_t sq_ring, cq_ring, sqes; /* tracee addresses, 0 = unknown */
        char *key;                       /* the ring's key in io_uring.rings */
} uring;

/* One operation read at entry, recorded at the exit. */
typedef struct uring_op {
        uint64_t user_data;
        pending file[2]; /* PEND_FILE entries (path owned), type 0 when unused */
        int nfile;
        json_t *net; /* borrowed network result map, or NULL */
} uring_op;

typedef struct uring_batch {
        uring_op *ops;
        size_t n;
        uint64_t cq_ring;
        struct io_cqring_offsets cq_off;
        bool cqe32;
} uring_batch;

static const char *const opnames[] = {
        "NOP",
        "READV",
        "WRITEV",
        "FSYNC",
        "READ_FIXED",
        "WRITE_FIXED",
        "POLL_ADD",
        "POLL_REMOVE",
        "SYNC_FILE_RANGE",
        "SENDMSG",
        "RECVMSG",
        "TIMEOUT",
        "TIMEOUT_REMOVE",
        "ACCEPT",
        "ASYNC_CANCEL",
        "LINK_TIMEOUT",
        "CONNECT",
        "FALLOCATE",
        "OPENAT",
        "CLOSE",
        "FILES_UPDATE",
        "STATX",
        "READ",
        "WRITE",
        "FADVISE",
        "MADVISE",
        "SEND",
        "RECV",
        "OPENAT2",
        "EPOLL_CTL",
        "SPLICE",
        "PROVIDE_BUFFERS",
        "REMOVE_BUFFERS",
        "TEE",
        "SHUTDOWN",
        "RENAMEAT",
        "UNLINKAT",
        "MKDIRAT",
        "SYMLINKAT",
        "LINKAT",
        "MSG_RING",
        "FSETXATTR",
        "SETXATTR",
        "FGETXATTR",
        "GETXATTR",
        "SOCKET",
        "URING_CMD",
        "SEND_ZC",
        "SENDMSG_ZC",
        "READ_MULTISHOT",
        "WAITID",
        "FUTEX_WAIT",
        "FUTEX_WAKE",
        "FUTEX_WAITV",
        "FIXED_FD_INSTALL",
        "FTRUNCATE",
        "BIND",
        "LISTEN",
};

static void uring_free(void *p)
{
        uring *u = p;
        if (!u)
                return;
        free(u->key);
        free(u);
}

static char *ring_id(pid_t tgid, int fd)
{
        return xasprintf("%d/%d", (int)tgid, fd);
}

static uring *ring_get(recorder *r, task *t, int fd)
{
        if (!r->urings || fd < 0)
                return NULL;
        _cleanup_free_ char *id = ring_id(t->p->tgid, fd);
        return hashmap_get(r->urings, id);
}

/* The usage node io_uring.unrecordable[why], one more use. */
static void unrecordable(recorder *r, task *t, const char *why)
{
        json_t *node = trace_node(r->t->root, "io_uring", "unrecordable", why, NULL);
        trace_usage_add(node, task_program(r, t), 1, NULL);
}

/* The ring key: its setup flags by name ("none" without any). */
static char *ring_key(uint32_t flags)
{
        static const char *const names[] = { "IOPOLL",        "SQPOLL",        "SQ_AFF",     "CQSIZE",
                                             "CLAMP",         "ATTACH_WQ",     "R_DISABLED", "SUBMIT_ALL",
                                             "COOP_TASKRUN",  "TASKRUN_FLAG",  "SQE128",     "CQE32",
                                             "SINGLE_ISSUER", "DEFER_TASKRUN", "NO_MMAP",    "REGISTERED_FD_ONLY",
                                             "NO_SQARRAY" };
        strbuf sb = STRBUF_INIT;
        for (unsigned i = 0; i < 32; i++) {
                if (!(flags & (1u << i)))
                        continue;
                if (sb.len)
                        strbuf_putc(&sb, '|');
                if (i < ELEMENTSOF(names))
                        strbuf_printf(&sb, "IORING_SETUP_%s", names[i]);
                else
                        strbuf_printf(&sb, "0x%x", 1u << i);
        }
        if (!sb.len)
                strbuf_puts(&sb, "none");
        return strbuf_steal(&sb);
}

void uring_setup_exit(recorder *r, task *t, const pending *pd, int64_t ret, int err)
{
        (void)pd;
        if (err || ret < 0)
                return;
        struct io_uring_params p;
        if (mem_read(t->tid, t->args[1], &p, sizeof p) != (ssize_t)sizeof p)
                return;
        uring *u = xcalloc(1, sizeof *u);
        u->flags = p.flags;
        u->features = p.features;
        u->sq_entries = p.sq_entries;
        u->sq_off = p.sq_off;
        u->cq_off = p.cq_off;
        if (p.flags & IORING_SETUP_NO_MMAP) {
                /* the program gave the memory: rings at cq_off.user_addr, SQEs at
                 * sq_off.user_addr (older headers call both fields resv2) */
                u->sq_ring = u->cq_ring = p.cq_off.resv2;
                u->sqes = p.sq_off.resv2;
        }
        u->key = ring_key(p.flags);
        json_t *node = trace_node(r->t->root, "io_uring", "rings", u->key, NULL);
        trace_usage_add(node, task_program(r, t), 1, NULL);
        if (p.flags & IORING_SETUP_SQPOLL)
                unrecordable(r, t, "IORING_SETUP_SQPOLL: a kernel thread submits the entries");
        if (!r->urings)
                r->urings = hashmap_new();
        _cleanup_free_ char *id = ring_id(t->p->tgid, (int)ret);
        uring_free(hashmap_put(r->urings, id, u));
}

bool uring_mmap_entry(recorder *r, task *t, int fd, uint64_t offset)
{
        uring *u = ring_get(r, t, fd);
        if (!u)
                return false;
        pending *pd = pend_add(t, PEND_URING_MMAP);
        if (!pd)
                return false;
        pd->fd = fd;
        pd->offset = offset;
        return true;
}

void uring_mmap_exit(recorder *r, task *t, const pending *pd, int64_t ret, int err)
{
        uring *u = ring_get(r, t, pd->fd);
        if (!u || err)
                return;
        uint64_t addr = (uint64_t)ret;
        if (pd->offset == IORING_OFF_SQ_RING) {
                u->sq_ring = addr;
                if (u->features & IORING_FEAT_SINGLE_MMAP)
                        u->cq_ring = addr;
        } else if (pd->offset == IORING_OFF_CQ_RING) {
                u->cq_ring = addr;
        } else if (pd->offset == IORING_OFF_SQES) {
                u->sqes = addr;
        }
}

/* Where the ring is mapped, when the mmap calls were not seen: the
 * process's io_uring mappings, if they are those of one ring. */
static void find_mappings(task *t, uring *u)
{
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/maps", (int)t->tid);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return;
        uint64_t sq = 0, cq = 0, sqes = 0;
        int nsq = 0, ncq = 0, nsqes = 0;
        char line[512];
        while (fgets(line, sizeof line, f)) {
                if (!strstr(line, "anon_inode:[io_uring]"))
                        continue;
                unsigned long long start, end, off;
                if (sscanf(line, "%llx-%llx %*s %llx", &start, &end, &off) != 3)
                        continue;
                if (off == IORING_OFF_SQ_RING) {
                        sq = start;
                        nsq++;
                } else if (off == IORING_OFF_CQ_RING) {
                        cq = start;
                        ncq++;
                } else if (off == IORING_OFF_SQES) {
                        sqes = start;
                        nsqes++;
                }
        }
        if (nsq != 1 || nsqes != 1 || ncq > 1)
                return;
        u->sq_ring = sq;
        u->cq_ring = ncq ? cq : (u->features & IORING_FEAT_SINGLE_MMAP) ? sq : 0;
        u->sqes = sqes;
}

static bool read_u32(task *t, uint64_t addr, uint32_t *ret)
{
        return mem_read(t->tid, addr, ret, sizeof *ret) == (ssize_t)sizeof *ret;
}

/* Fill op->file[op->nfile] for dirfd+path in the tracee. */
static pending *op_path(recorder *r, task *t, uring_op *op, const struct io_uring_sqe *sqe, int dirfd, uint64_t addr,
                        uint32_t kinds, bool nofollow, bool dir)
{
        if (op->nfile >= 2)
                return NULL;
        char buf[PATH_MAX + 1];
        ssize_t n = mem_read_string(t->tid, addr, buf, sizeof buf);
        if (n < 0)
                return NULL;
        if ((sqe->flags & IOSQE_FIXED_FILE) && buf[0] != '/' && dirfd != AT_FDCWD) {
                unrecordable(r, t, "a path relative to a registered (fixed) file");
                return NULL;
        }
        _cleanup_free_ char *abs = task_resolve_at(r, t, dirfd, buf, (size_t)n);
        if (!abs)
                return NULL;
        pending *pd = &op->file[op->nfile++];
        memset(pd, 0, sizeof *pd);
        pd->type = PEND_FILE;
        pd->file_type = -1;
        pd->path = trace_path_encode(abs, strlen(abs));
        pd->kinds = kinds;
        pd->nofollow = nofollow;
        pd->dir = dir ? 1 : 0;
        return pd;
}

static void op_open(recorder *r, task *t, uring_op *op, const struct io_uring_sqe *sqe, uint64_t flags, uint64_t mode)
{
        pending *pd = op_path(r, t, op, sqe, sqe->fd, sqe->addr, open_kinds(flags), (flags & O_NOFOLLOW) != 0,
                              (flags & O_DIRECTORY) != 0);
        open_created(t, pd, flags, mode);
}

static void decode(recorder *r, task *t, uring_op *op, const struct io_uring_sqe *sqe)
{
        int dirfd = sqe->fd;
        switch (sqe->opcode) {
        case IORING_OP_OPENAT:
                op_open(r, t, op, sqe, sqe->open_flags, sqe->len);
                break;
        case IORING_OP_OPENAT2: {
                struct open_how how;
                if (mem_read(t->tid, sqe->addr2, &how, sizeof how) == (ssize_t)sizeof how)
                        op_open(r, t, op, sqe, how.flags, how.mode);
                break;
        }
        case IORING_OP_STATX:
                op_path(r, t, op, sqe, dirfd, sqe->addr, 1u << AK_STAT, (sqe->statx_flags & AT_SYMLINK_NOFOLLOW) != 0,
                        false);
                break;
        case IORING_OP_UNLINKAT:
                op_path(r, t, op, sqe, dirfd, sqe->addr, 1u << AK_DELETE, true,
                        (sqe->unlink_flags & AT_REMOVEDIR) != 0);
                break;
        case IORING_OP_MKDIRAT: {
                pending *pd = op_path(r, t, op, sqe, dirfd, sqe->addr, 1u << AK_CREATE, true, true);
                if (pd)
                        pd->private_new = !(sqe->len & 077); /* the mode */
                break;
        }
        case IORING_OP_RENAMEAT:
                op_path(r, t, op, sqe, dirfd, sqe->addr, 1u << AK_RENAME, true, false);
                op_path(r, t, op, sqe, (int)sqe->len, sqe->addr2, 1u << AK_RENAME, true, false);
                break;
        case IORING_OP_SYMLINKAT:
                op_path(r, t, op, sqe, dirfd, sqe->addr2, 1u << AK_CREATE, true, false);
                break;
        case IORING_OP_LINKAT:
                op_path(r, t, op, sqe, dirfd, sqe->addr, 1u << AK_STAT, !(sqe->hardlink_flags & AT_SYMLINK_FOLLOW),
                        false);
                op_path(r, t, op, sqe, (int)sqe->len, sqe->addr2, 1u << AK_LINK, true, false);
                break;
        case IORING_OP_CONNECT:
        case 56: { /* IORING_OP_BIND: the address length in addr2 */
                bool bind = sqe->opcode != IORING_OP_CONNECT;
                char fam[32];
                _cleanup_free_ char *a = NULL, *unix_path = NULL;
                if (!sys_describe_sockaddr(r, t, sqe->addr, bind ? sqe->addr2 : sqe->off, fam, sizeof fam, &a,
                                           &unix_path))
                        break;
                op->net = trace_node(r->t->root, "network", bind ? "bind" : "connect", fam, a, NULL);
                if (unix_path && op->nfile < 2) {
                        pending *pd = &op->file[op->nfile++];
                        memset(pd, 0, sizeof *pd);
                        pd->type = PEND_FILE;
                        pd->file_type = -1;
                        pd->path = trace_path_encode(unix_path, strlen(unix_path));
                        pd->kinds = bind ? 1u << AK_CREATE : 1u << AK_WRITE;
                        pd->nofollow = bind;
                }
                break;
        }
        default:
                break;
        }
}

void uring_enter_entry(recorder *r, task *t)
{
        int fd = (int)t->args[0];
        uint32_t to_submit = (uint32_t)t->args[1];
        if (t->args[3] & (1u << 4)) /* IORING_ENTER_REGISTERED_RING: fd is an index */ {
                unrecordable(r, t, "io_uring_enter on a registered ring fd");
                return;
        }
        uring *u = ring_get(r, t, fd);
        if (!u) {
                unrecordable(r, t, "a ring the recorder did not see set up (inherited, or passed over a socket)");
                return;
        }
        if (u->flags & IORING_SETUP_SQPOLL)
                return; /* said at setup */
        if (!to_submit)
                return;
        if (!u->sq_ring || !u->sqes)
                find_mappings(t, u);
        if (!u->sq_ring || !u->sqes) {
                unrecordable(r, t, "a ring whose mappings the recorder could not find");
                return;
        }
        uint32_t head, tail, mask;
        if (!read_u32(t, u->sq_ring + u->sq_off.head, &head) || !read_u32(t, u->sq_ring + u->sq_off.tail, &tail) ||
            !read_u32(t, u->sq_ring + u->sq_off.ring_mask, &mask))
                return;
        uint32_t n = tail - head;
        if (n > to_submit)
                n = to_submit;
        if (n > URING_MAX_BATCH) {
                unrecordable(r, t, "entries beyond the first 256 of one io_uring_enter");
                n = URING_MAX_BATCH;
        }
        if (!n)
                return;
        size_t sqe_size = (u->flags & IORING_SETUP_SQE128) ? 128 : 64;
        uring_batch *b = xcalloc(1, sizeof *b);
        b->ops = xcalloc(n, sizeof *b->ops);
        b->cq_ring = u->cq_ring;
        b->cq_off = u->cq_off;
        b->cqe32 = (u->flags & IORING_SETUP_CQE32) != 0;
        json_t *opcodes = trace_node(r->t->root, "io_uring", "rings", u->key, "opcodes", NULL);
        for (uint32_t i = 0; i < n; i++) {
                uint32_t slot = (head + i) & mask, idx = slot;
                if (!(u->flags & IORING_SETUP_NO_SQARRAY) &&
                    !read_u32(t, u->sq_ring + u->sq_off.array + (uint64_t)slot * 4, &idx))
                        break;
                if (idx >= u->sq_entries)
                        continue; /* the kernel drops it */
                struct io_uring_sqe sqe;
                if (mem_read(t->tid, u->sqes + (uint64_t)idx * sqe_size, &sqe, sizeof sqe) != (ssize_t)sizeof sqe)
                        break;
                char name[48];
                if (sqe.opcode < ELEMENTSOF(opnames))
                        snprintf(name, sizeof name, "IORING_OP_%s", opnames[sqe.opcode]);
                else
                        snprintf(name, sizeof name, "IORING_OP_%u", sqe.opcode);
                trace_usage_add(trace_child(opcodes, name), task_program(r, t), 1, NULL);
                uring_op *op = &b->ops[b->n++];
                op->user_data = sqe.user_data;
                decode(r, t, op, &sqe);
        }
        pending *pd = pend_add(t, PEND_URING_ENTER);
        if (!pd) {
                uring_batch_free(b);
                return;
        }
        pd->uring = b;
}

void uring_batch_free(void *p)
{
        uring_batch *b = p;
        if (!b)
                return;
        for (size_t i = 0; i < b->n; i++)
                for (int k = 0; k < b->ops[i].nfile; k++)
                        free(b->ops[i].file[k].path);
        free(b->ops);
        free(b);
}

/* The result posted for user_data, if the completion queue has it. */
static bool find_cqe(task *t, const uring_batch *b, uint64_t user_data, int32_t *ret)
{
        if (!b->cq_ring)
                return false;
        uint32_t head, tail, mask;
        if (!read_u32(t, b->cq_ring + b->cq_off.head, &head) || !read_u32(t, b->cq_ring + b->cq_off.tail, &tail) ||
            !read_u32(t, b->cq_ring + b->cq_off.ring_mask, &mask))
                return false;
        size_t cqe_size = b->cqe32 ? 32 : 16;
        bool found = false;
        for (uint32_t i = head; i != tail && i - head <= mask; i++) {
                struct io_uring_cqe cqe;
                if (mem_read(t->tid, b->cq_ring + b->cq_off.cqes + (uint64_t)(i & mask) * cqe_size, &cqe, sizeof cqe) !=
                    (ssize_t)sizeof cqe)
                        return found;
                if (cqe.user_data == user_data) {
                        *ret = cqe.res; /* the latest one for that user_data */
                        found = true;
                }
        }
        return found;
}

void uring_enter_exit(recorder *r, task *t, pending *pd)
{
        uring_batch *b = pd->uring;
        if (!b)
                return;
        for (size_t i = 0; i < b->n; i++) {
                uring_op *op = &b->ops[i];
                if (!op->nfile && !op->net)
                        continue;
                int32_t res = 0;
                int err = find_cqe(t, b, op->user_data, &res) && res < 0 ? -res : 0;
                for (int k = 0; k < op->nfile; k++) {
                        pending *fp = &op->file[k];
                        if (fp->created && !err)
                                fp->kinds |= 1u << AK_CREATE;
                        rec_file(r, t, fp, err);
                }
                if (op->net)
                        rec_node_result(r, t, op->net, err);
        }
}

void uring_forget_proc(recorder *r, pid_t tgid)
{
        if (!r->urings || !hashmap_size(r->urings))
                return;
        char prefix[24];
        int len = snprintf(prefix, sizeof prefix, "%d/", (int)tgid);
        size_t pos = 0;
        const char *key;
        void *val;
        /* collect first: removing while iterating is not allowed */
        char **gone = NULL;
        size_t n = 0;
        while (hashmap_next(r->urings, &pos, &key, &val))
                if (strncmp(key, prefix, (size_t)len) == 0) {
                        gone = xrealloc(gone, (n + 1) * sizeof *gone);
                        gone[n++] = xstrdup(key);
                }
        for (size_t i = 0; i < n; i++) {
                uring_free(hashmap_remove(r->urings, gone[i]));
                free(gone[i]);
        }
        free(gone);
}

void uring_free_all(recorder *r)
{
        hashmap_free(r->urings, uring_free);
        r->urings = NULL;
}
