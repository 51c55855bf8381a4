/* SPDX-License-Identifier: MIT */
/* io_uring without liburing: opens submitted through a ring never pass
 * through the open syscalls, so the recorder must read them from the ring.
 *
 *   uring READ_PATH DIR NAME     open READ_PATH for reading (IORING_OP_OPENAT,
 *                                AT_FDCWD) and create DIR/NAME (O_CREAT, dirfd
 *                                of DIR, relative NAME) in one submission,
 *                                then statx READ_PATH in a second one
 *   uring READ_PATH DIR NAME --excl   the same, NAME created with O_EXCL
 *   uring --sqpoll PATH          the same read on an SQPOLL ring
 *
 * Exit 0 when every operation succeeded; 77 when io_uring is unavailable
 * (ENOSYS, EPERM: kernel.io_uring_disabled, a seccomp filter). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/stat.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef struct ring {
        int fd;
        unsigned *sq_head, *sq_tail, *sq_mask, *sq_array;
        unsigned *cq_head, *cq_tail, *cq_mask;
        struct io_uring_sqe *sqes;
        struct io_uring_cqe *cqes;
} ring;

static int ring_init(ring *r, unsigned flags)
{
        struct io_uring_params p;
        memset(&p, 0, sizeof p);
        p.flags = flags;
        p.sq_thread_idle = 2000;
        r->fd = (int)syscall(__NR_io_uring_setup, 8, &p);
        if (r->fd < 0)
                return -errno;
        size_t sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
        size_t cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
        uint8_t *sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
        uint8_t *cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_CQ_RING);
        r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
        if (sq == MAP_FAILED || cq == MAP_FAILED || r->sqes == MAP_FAILED)
                return -errno;
        r->sq_head = (unsigned *)(sq + p.sq_off.head);
        r->sq_tail = (unsigned *)(sq + p.sq_off.tail);
        r->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
        r->sq_array = (unsigned *)(sq + p.sq_off.array);
        r->cq_head = (unsigned *)(cq + p.cq_off.head);
        r->cq_tail = (unsigned *)(cq + p.cq_off.tail);
        r->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
        r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
        return 0;
}

static struct io_uring_sqe *next_sqe(ring *r)
{
        unsigned tail = *r->sq_tail, idx = tail & *r->sq_mask;
        struct io_uring_sqe *sqe = &r->sqes[idx];
        memset(sqe, 0, sizeof *sqe);
        r->sq_array[idx] = idx;
        return sqe;
}

static void publish(ring *r, unsigned n)
{
        __atomic_store_n(r->sq_tail, *r->sq_tail + n, __ATOMIC_RELEASE);
}

/* Submit what is queued, wait for n completions; returns how many failed. */
static int run(ring *r, unsigned n, unsigned enter_flags)
{
        if (syscall(__NR_io_uring_enter, r->fd, n, n, IORING_ENTER_GETEVENTS | enter_flags, NULL, 0) < 0) {
                perror("io_uring_enter");
                return (int)n;
        }
        int failed = 0;
        for (unsigned got = 0; got < n;) {
                unsigned head = *r->cq_head;
                if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE)) {
                        syscall(__NR_io_uring_enter, r->fd, 0, 1, IORING_ENTER_GETEVENTS, NULL, 0);
                        continue;
                }
                struct io_uring_cqe *c = &r->cqes[head & *r->cq_mask];
                printf("op %llu: %d%s%s\n", (unsigned long long)c->user_data, c->res, c->res < 0 ? " " : "",
                       c->res < 0 ? strerror(-c->res) : "");
                if (c->res < 0)
                        failed++;
                __atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
                got++;
        }
        return failed;
}

int main(int argc, char **argv)
{
        bool sqpoll = argc > 1 && strcmp(argv[1], "--sqpoll") == 0;
        bool excl = !sqpoll && argc == 5 && strcmp(argv[4], "--excl") == 0;
        if (argc != (sqpoll ? 3 : excl ? 5 : 4)) {
                fprintf(stderr, "usage: uring READ_PATH DIR NAME [--excl] | uring --sqpoll PATH\n");
                return 2;
        }
        ring r;
        int e = ring_init(&r, sqpoll ? IORING_SETUP_SQPOLL : 0);
        if (e == -ENOSYS || e == -EPERM || e == -EACCES) {
                fprintf(stderr, "io_uring unavailable: %s\n", strerror(-e));
                return 77;
        }
        if (e < 0) {
                fprintf(stderr, "io_uring setup: %s\n", strerror(-e));
                return 1;
        }
        struct io_uring_sqe *sqe = next_sqe(&r);
        sqe->opcode = IORING_OP_OPENAT;
        sqe->fd = AT_FDCWD;
        sqe->addr = (uintptr_t)argv[sqpoll ? 2 : 1];
        sqe->open_flags = O_RDONLY | O_CLOEXEC;
        sqe->user_data = 1;
        if (sqpoll) {
                publish(&r, 1);
                return run(&r, 1, IORING_ENTER_SQ_WAKEUP) ? 1 : 0;
        }
        int dirfd = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0) {
                perror(argv[2]);
                return 1;
        }
        publish(&r, 1);
        sqe = next_sqe(&r);
        sqe->opcode = IORING_OP_OPENAT;
        sqe->fd = dirfd;
        sqe->addr = (uintptr_t)argv[3];
        sqe->open_flags = O_WRONLY | O_CREAT | O_CLOEXEC | (excl ? O_EXCL : 0);
        sqe->len = 0600;
        sqe->user_data = 2;
        publish(&r, 1);
        int failed = run(&r, 2, 0);
        struct statx stx;
        sqe = next_sqe(&r);
        sqe->opcode = IORING_OP_STATX;
        sqe->fd = AT_FDCWD;
        sqe->addr = (uintptr_t)argv[1];
        sqe->len = STATX_BASIC_STATS;
        sqe->off = (uintptr_t)&stx;
        sqe->user_data = 3;
        publish(&r, 1);
        failed += run(&r, 1, 0);
        return failed ? 1 : 0;
}
