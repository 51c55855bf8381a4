/* SPDX-License-Identifier: MIT */
/* The seccomp filter the workload runs under. A full recording stops every
 * syscall (SECCOMP_RET_TRACE). An incremental recording (--baseline) lets
 * syscalls the baseline already knows run without a stop, except where the
 * trace needs facts from them:
 *   - every syscall with a handler in syscalls.c stops (paths, exec,
 *     network addresses, credentials, signals, ptrace, capability checks,
 *     clone3 and unshare/setns flags, chdir...), except
 *   - mmap, mmap2, mprotect, pkey_mprotect run freely unless PROT_EXEC is
 *     set (checked in BPF on the prot argument),
 *   - fcntl/fcntl64 run freely for commands other than the lock-setting
 *     ones,
 *   - ioctl requests, socket (domain, type, protocol) triples, prctl
 *     options, personality values, setsockopt (level, name) pairs and clone
 *     flag values already in the baseline trace run freely, unless they are
 *     capability-relevant (raw and packet sockets, PR_CAPBSET_DROP,
 *     PR_SET_SECUREBITS, SO_MARK, SO_PRIORITY, SO_*BUFFORCE,
 *     IP_TRANSPARENT, namespace flags, CLONE_FS without CLONE_THREAD).
 * What is lost is only what the baseline already holds: counts and the
 * programs making calls that did not stop.
 * A full recording where the kernel counts the hot syscalls (kcount.c) lets
 * those run without a stop on x86_64 only, and so the calls the eBPF
 * recorder reports (bpfrec.c). */
#include <fcntl.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include "tracer/internal.h"
#include "trace/names.h"

static int allow(scmp_filter_ctx ctx, int nr, unsigned n, const struct scmp_arg_cmp *cmp)
{
        int rc = seccomp_rule_add_exact_array(ctx, SCMP_ACT_ALLOW, nr, n, cmp);
        /* -EDOM: an argument check this ABI cannot express; -EEXIST: already there */
        return rc == -EDOM || rc == -EEXIST ? 0 : rc;
}

/* Values of arguments[kind] in the baseline trace, each with its values[]. */
static json_t *known(const recorder *r, const char *kind)
{
        if (!r->opts->baseline_trace)
                return NULL;
        return json_object_get(json_object_get(r->opts->baseline_trace->root, "arguments"), kind);
}

static json_int_t val(json_t *entry, size_t i)
{
        return json_integer_value(json_array_get(json_object_get(entry, "values"), i));
}

static int allow_known_args(const recorder *r, scmp_filter_ctx ctx, int abi, const char *name, int nr)
{
        const char *k;
        json_t *e;
        int rc = 0;
        if (streq(name, "mmap") && abi == TRACE_ABI_I386)
                return 0; /* old_mmap: the arguments are behind a pointer */
        if (streq(name, "mmap") || streq(name, "mmap2") || streq(name, "mprotect") || streq(name, "pkey_mprotect")) {
                struct scmp_arg_cmp c = SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
                return allow(ctx, nr, 1, &c);
        }
        if (streq(name, "fcntl") || streq(name, "fcntl64")) {
                static const int cmds[] = { F_DUPFD,      F_GETFD,         F_SETFD,     F_GETFL,     F_SETFL,
                                            F_GETLK,      F_DUPFD_CLOEXEC, F_GETOWN,    F_SETOWN,    F_GETPIPE_SZ,
                                            F_SETPIPE_SZ, F_GET_SEALS,     F_ADD_SEALS, F_OFD_GETLK, F_GETLK64 };
                for (size_t i = 0; i < ELEMENTSOF(cmds) && rc == 0; i++) {
                        struct scmp_arg_cmp c = SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)cmds[i]);
                        rc = allow(ctx, nr, 1, &c);
                }
                return rc;
        }
        if (streq(name, "ioctl")) {
                json_object_foreach (known(r, "ioctl"), k, e) {
                        struct scmp_arg_cmp c = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffULL, (scmp_datum_t)val(e, 0));
                        if ((rc = allow(ctx, nr, 1, &c)) < 0)
                                return rc;
                }
                return 0;
        }
        if (streq(name, "socket")) {
                json_object_foreach (known(r, "socket"), k, e) {
                        json_int_t dom = val(e, 0), ty = val(e, 1) & 0xf, proto = val(e, 2);
                        if (dom == AF_PACKET || ((ty == SOCK_RAW || ty == SOCK_PACKET) && dom != AF_NETLINK))
                                continue; /* NET_RAW: keep stopping for the result */
                        struct scmp_arg_cmp c[3] = { SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)dom),
                                                     SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, (scmp_datum_t)ty),
                                                     SCMP_A2(SCMP_CMP_EQ, (scmp_datum_t)proto) };
                        if ((rc = allow(ctx, nr, 3, c)) < 0)
                                return rc;
                }
                return 0;
        }
        if (streq(name, "prctl") || streq(name, "personality")) {
                json_object_foreach (known(r, name), k, e) {
                        json_int_t v = val(e, 0);
                        if (streq(name, "prctl") && (v == PR_CAPBSET_DROP || v == PR_SET_SECUREBITS))
                                continue;
                        struct scmp_arg_cmp c = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)v);
                        if ((rc = allow(ctx, nr, 1, &c)) < 0)
                                return rc;
                }
                return 0;
        }
        if (streq(name, "setsockopt")) {
                json_object_foreach (known(r, "setsockopt"), k, e) {
                        json_int_t level = val(e, 0), opt = val(e, 1);
                        if ((level == SOL_SOCKET && (opt == SO_MARK || opt == SO_PRIORITY || opt == SO_RCVBUFFORCE ||
                                                     opt == SO_SNDBUFFORCE)) ||
                            (level == SOL_IP && opt == IP_TRANSPARENT) ||
                            (level == SOL_IPV6 && opt == IPV6_TRANSPARENT))
                                continue;
                        struct scmp_arg_cmp c[2] = { SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)level),
                                                     SCMP_A2(SCMP_CMP_EQ, (scmp_datum_t)opt) };
                        if ((rc = allow(ctx, nr, 2, c)) < 0)
                                return rc;
                }
                return 0;
        }
        if (streq(name, "clone")) {
                json_object_foreach (known(r, "clone"), k, e) {
                        uint64_t f = (uint64_t)val(e, 0);
                        /* CLONE_UNTRACED must stop: the tracer clears it (syscalls.c) */
                        if ((f & CLONE_NS_MASK) || ((f & CLONE_FS) && !(f & CLONE_THREAD)) || (f & CLONE_UNTRACED))
                                continue;
                        struct scmp_arg_cmp c = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)f);
                        if ((rc = allow(ctx, nr, 1, &c)) < 0)
                                return rc;
                }
                return 0;
        }
        return 0;
}

static int export_bpf(scmp_filter_ctx ctx, struct sock_fprog *ret);

/* Hot syscalls counted in the kernel: the native ABI's counted calls run
 * freely (kcount.c says which, with which arguments); everything else
 * stops, other ABIs (and x32 numbers) included. */
static int filter_build_kcount(recorder *r, struct sock_fprog *ret)
{
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRACE(0));
        if (!ctx)
                return -ENOMEM;
        int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (rc == 0)
                rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_TRACE(0));
        if (rc == 0)
                rc = kcount_filter_rules(r->kc, ctx);
        if (rc == 0 && r->bpf)
                rc = bpfrec_filter_rules(r->bpf, ctx);
        if (rc < 0) {
                seccomp_release(ctx);
                return rc;
        }
        return export_bpf(ctx, ret);
}

int filter_build(recorder *r, struct sock_fprog *ret)
{
        bool any = false;
        for (int a = 0; a < _TRACE_ABI_MAX; a++)
                if (r->opts->baseline[a])
                        any = true;
        if (!any && r->kc)
                return filter_build_kcount(r, ret);
        if (!any) {
                struct sock_filter *f = xmalloc(sizeof *f);
                *f = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
                ret->len = 1;
                ret->filter = f;
                return 0;
        }
        /* One single-arch filter per ABI, merged: rules must not leak from
         * one ABI to another (libseccomp adds a rule to every arch of a
         * filter, translating by name). Within a filter libseccomp takes
         * syscall numbers of the native ABI, so names are resolved natively
         * (negative pseudo numbers for names only other ABIs have). */
        scmp_filter_ctx ctx = NULL;
        int rc = 0;
        for (int a = 0; a < _TRACE_ABI_MAX && rc == 0; a++) {
                scmp_filter_ctx c = seccomp_init(SCMP_ACT_TRACE(0));
                if (!c) {
                        rc = -ENOMEM;
                        break;
                }
                if (a != TRACE_ABI_X86_64) {
                        rc = seccomp_arch_add(c, trace_abi_scmp_arch(a));
                        if (rc == 0)
                                rc = seccomp_arch_remove(c, SCMP_ARCH_NATIVE);
                }
                /* The child loads the filter itself; libseccomp must not set
                 * no_new_privs, and unknown ABIs must stop too. */
                if (rc == 0)
                        rc = seccomp_attr_set(c, SCMP_FLTATR_CTL_NNP, 0);
                if (rc == 0)
                        rc = seccomp_attr_set(c, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_TRACE(0));
                for (char **n = r->opts->baseline[a]; n && *n && rc == 0; n++) {
                        int anr = seccomp_syscall_resolve_name_arch(trace_abi_scmp_arch(a), *n);
                        int nr = seccomp_syscall_resolve_name(*n);
                        if (anr < 0 || nr == __NR_SCMP_ERROR)
                                continue;
                        uint64_t slot = (uint64_t)anr & ~X32_SYSCALL_BIT;
                        if (!sys_needs_stop(a, slot))
                                rc = allow(c, nr, 0, NULL);
                        else
                                rc = allow_known_args(r, c, a, *n, nr);
                }
                if (rc == 0 && ctx)
                        rc = seccomp_merge(ctx, c); /* takes c */
                else if (rc == 0)
                        ctx = c;
                else
                        seccomp_release(c);
        }
        if (rc < 0) {
                seccomp_release(ctx);
                return rc;
        }
        return export_bpf(ctx, ret);
}

/* Takes ctx. */
static int export_bpf(scmp_filter_ctx ctx, struct sock_fprog *ret)
{
        int rc;
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) < 0) {
                seccomp_release(ctx);
                return -errno;
        }
        /* The exported program (a few thousand bytes) fits in a pipe buffer. */
        rc = seccomp_export_bpf(ctx, fds[1]);
        close(fds[1]);
        seccomp_release(ctx);
        if (rc < 0) {
                close(fds[0]);
                return rc;
        }
        size_t cap = 4096, len = 0;
        char *buf = xmalloc(cap);
        for (;;) {
                if (len == cap)
                        buf = xrealloc(buf, cap *= 2);
                ssize_t n = read(fds[0], buf + len, cap - len);
                if (n <= 0)
                        break;
                len += (size_t)n;
        }
        close(fds[0]);
        ret->len = (unsigned short)(len / sizeof(struct sock_filter));
        ret->filter = (struct sock_filter *)buf;
        return 0;
}
