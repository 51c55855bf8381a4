/* SPDX-License-Identifier: MIT */
/* Capability inference at syscall entry: would this call need a capability,
 * given the process's credentials and the object it acts on? Each finding
 * becomes a reason under capabilities.CAP_X in the trace, with the inputs
 * that decided it (the caller's ids, groups and effective set, the file's
 * owner and mode, the port and the sysctl, the target's ids...) and the
 * call's results, so generate lists only capabilities that were exercised
 * successfully and reports the refused ones for review.
 *
 * The reason is built at entry and written at the exit stop, with the
 * result. A call that succeeded although the capability was not in the
 * caller's effective set did not need it (an RLIMIT_NICE that allowed the
 * nice value, a set-group-ID bit the kernel silently dropped, a rule this
 * file does not know): it is not recorded, so that no capability is ever
 * listed on the strength of a wrong guess. A refused call is recorded with
 * its errno whether or not the capability was held.
 *
 * What is evaluated (capabilities(7) has the kernel's full rules):
 *   CHOWN            chown/lchown/fchown/fchownat setting an owner other than
 *                    the file's, or any owner on a file the caller does not
 *                    own; a group the caller is not in, or any group on a
 *                    file not owned
 *   DAC_OVERRIDE     open/exec/create/delete that the mode bits refuse (only
 *                    evaluated when the caller holds DAC_OVERRIDE or
 *                    DAC_READ_SEARCH: without them a refusal is a refusal)
 *   DAC_READ_SEARCH  the same when only reading or searching
 *   FOWNER           chmod, explicit utimes, O_NOATIME on a file not owned;
 *                    hard links refused by protected_hardlinks; deleting
 *                    another user's file in a sticky directory
 *   FSETID           chmod setting set-group-ID on a file of a foreign group
 *   SETUID/SETGID    setuid/setreuid/setresuid/setfsuid (and gid) to an id
 *                    the caller does not hold as real/effective/saved;
 *                    setgroups (always)
 *   NET_BIND_SERVICE bind (AF_INET, AF_INET6) to a port below the recorded
 *                    net.ipv4.ip_unprivileged_port_start
 *   NET_RAW          SOCK_RAW in AF_INET/AF_INET6, AF_PACKET, SOCK_PACKET
 *                    (not AF_UNIX or AF_NETLINK raw sockets: no check)
 *   NET_ADMIN        SIOCSIF... and routing ioctls; routing netlink
 *                    (NETLINK_ROUTE) requests other than RTM_GET*, sent with
 *                    sendto/sendmsg (the kernel answers in the ack, so the
 *                    result is the send's, or EPERM when the sender does not
 *                    hold the capability); SO_MARK, SO_PRIORITY > 6,
 *                    SO_*BUFFORCE, IP_TRANSPARENT
 *   MKNOD            mknod of a character or block device (not a fifo, a
 *                    socket, a regular file or a 0:0 whiteout)
 *   SYS_CHROOT       chroot
 *   KILL             a signal (not 0) to a process of another user (the
 *                    kernel's rule: the caller's real or effective uid must
 *                    match the target's real or saved uid), except SIGCONT
 *                    within the session
 *   SYS_ADMIN        mount, umount, pivot_root, sethostname, setdomainname,
 *                    unshare/clone/clone3 with CLONE_NEW* (not together with
 *                    CLONE_NEWUSER, which makes them the new namespace's),
 *                    setns, quotactl, swapon/swapoff, fanotify_init,
 *                    lookup_dcookie, trusted.* xattrs
 *   SYS_PTRACE       ptrace attach to a process of another user or, under
 *                    Yama scope 1, to a non-descendant
 *   SYS_RESOURCE     raising a hard rlimit (setrlimit, prlimit64)
 *   SYS_NICE         nice/setpriority below the current value beyond
 *                    RLIMIT_NICE, or on another user's process; real-time
 *                    scheduling beyond RLIMIT_RTPRIO
 *   SETPCAP          PR_CAPBSET_DROP, PR_SET_SECUREBITS
 *   SETFCAP          setting security.capability
 *   others by call   SYSLOG, SYS_BOOT, SYS_MODULE, SYS_TIME, SYS_RAWIO,
 *                    SYS_PACCT, SYS_TTY_CONFIG, DAC_READ_SEARCH for
 *                    open_by_handle_at
 * Files are looked up as the process sees them: by path in our root, under
 * /proc/PID/root for a process with another root, through /proc/PID/fd/N
 * for the fd calls.
 * Not evaluated: search permission on intermediate directories, netlink
 * requests sent with write(), FSETID on writes to set-ID files, capabilities
 * inside user namespaces the workload made, ip_unprivileged_port_start of
 * network namespaces the workload made. */
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "tracer/internal.h"
#include "trace/names.h"
#include "common/strbuf.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef UTIME_NOW
#define UTIME_NOW  ((1l << 30) - 1l)
#define UTIME_OMIT ((1l << 30) - 2l)
#endif

typedef struct cached_attr {
        bool exists;
        uint32_t uid, gid, mode;
} cached_attr;

void caps_init(recorder *r)
{
        r->attr_cache = hashmap_new();
        char buf[32];
        r->protected_hardlinks = 0;
        r->yama_scope = 0;
        FILE *f = fopen("/proc/sys/fs/protected_hardlinks", "re");
        if (f) {
                if (fgets(buf, sizeof buf, f))
                        r->protected_hardlinks = atoi(buf);
                fclose(f);
        }
        f = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");
        if (f) {
                if (fgets(buf, sizeof buf, f))
                        r->yama_scope = atoi(buf);
                fclose(f);
        }
}

void caps_free(recorder *r)
{
        hashmap_free(r->attr_cache, free);
}

void caps_forget(recorder *r, const char *enc_path)
{
        if (!enc_path) {
                hashmap_clear(r->attr_cache, free);
                return;
        }
        _cleanup_free_ char *l = xasprintf("l%s", enc_path), *f = xasprintf("f%s", enc_path);
        free(hashmap_remove(r->attr_cache, l));
        free(hashmap_remove(r->attr_cache, f));
}

static cached_attr *attr_from_stat(const struct stat *st)
{
        cached_attr *a = xcalloc(1, sizeof *a);
        a->exists = true;
        a->uid = st->st_uid;
        a->gid = st->st_gid;
        a->mode = st->st_mode;
        return a;
}

static const pending *file_pending(task *t, int nth);

/* Owner and mode of the object a path names (symlinks followed unless
 * nofollow), as the process sees it. Cached for our own root until the tree
 * changes; a process with another root is looked at through /proc/PID/root
 * (its absolute symlinks are then followed in our root: an approximation). */
static const cached_attr *attr_of(recorder *r, task *t, const char *enc_path, bool nofollow)
{
        static cached_attr missing, foreign, reported;
        _cleanup_free_ char *key = NULL;
        cached_attr *a;
        if (t->p->root_is_ours) {
                key = xasprintf("%c%s", nofollow ? 'l' : 'f', enc_path);
                if ((a = hashmap_get(r->attr_cache, key)))
                        return a;
        }
        _cleanup_free_ char *raw = trace_path_decode(enc_path, NULL);
        if (!raw)
                return NULL;
        struct stat st;
        if (!t->p->root_is_ours) {
                _cleanup_free_ char *via = xasprintf("/proc/%d/root%s", t->tid, raw);
                if ((nofollow ? lstat(via, &st) : stat(via, &st)) < 0)
                        return errno == ENOENT ? &missing : NULL;
                foreign = (cached_attr){ .exists = true, .uid = st.st_uid, .gid = st.st_gid, .mode = st.st_mode };
                return &foreign;
        }
        if ((nofollow ? lstat(raw, &st) : stat(raw, &st)) < 0) {
                /* the object of a reported call, removed after it before
                 * it was read: as the kernel found it at the call */
                const pending *pd = file_pending(t, 0);
                if (errno == ENOENT && pd && pd->nofollow == nofollow && streq(pd->path, enc_path) &&
                    call_overlay_attr(t->tid, &st)) {
                        reported =
                                (cached_attr){ .exists = true, .uid = st.st_uid, .gid = st.st_gid, .mode = st.st_mode };
                        return &reported;
                }
                return &missing; /* not cached: it may be created later */
        }
        a = attr_from_stat(&st);
        hashmap_put(r->attr_cache, key, a);
        return a;
}

/* The object an open fd refers to (fchown, fchmod, AT_EMPTY_PATH...). */
static const cached_attr *attr_of_fd(task *t, int fd)
{
        static cached_attr a;
        char via[64];
        struct stat st;
        snprintf(via, sizeof via, "/proc/%d/fd/%d", t->tid, fd);
        if (fd < 0 || stat(via, &st) < 0)
                return NULL;
        a = (cached_attr){ .exists = true, .uid = st.st_uid, .gid = st.st_gid, .mode = st.st_mode };
        return &a;
}

static char *parent_of(const char *enc_path)
{
        const char *slash = strrchr(enc_path, '/');
        if (!slash)
                return NULL;
        return slash == enc_path ? xstrdup("/") : xstrndup(enc_path, (size_t)(slash - enc_path));
}

static bool has_cap(const creds *c, int cap)
{
        return cap >= 0 && cap < 64 && ((c->cap_eff >> cap) & 1);
}

static bool in_groups(const creds *c, uint32_t gid)
{
        if (gid == c->fsgid)
                return true;
        for (uint32_t i = 0; i < c->ngroups; i++)
                if (c->groups[i] == gid)
                        return true;
        return false;
}

/* Would the mode bits alone allow `want` (bits of 4=r 2=w 1=x)? */
static bool dac_allows(const creds *c, const cached_attr *a, int want)
{
        int bits;
        if (a->uid == c->fsuid)
                bits = (a->mode >> 6) & 7;
        else if (in_groups(c, a->gid))
                bits = (a->mode >> 3) & 7;
        else
                bits = a->mode & 7;
        return (bits & want) == want;
}

static void set_int(json_t *o, const char *k, json_int_t v)
{
        json_object_set_new(o, k, json_integer(v));
}
static void set_str(json_t *o, const char *k, const char *v)
{
        json_object_set_new(o, k, json_string(v));
}

/* The caller's credentials, as inputs of a reason. Groups and the
 * effective set are strings: inputs hold scalars only. */
static json_t *creds_inputs(const creds *c)
{
        json_t *j = json_object();
        set_int(j, "uid", c->uid);
        set_int(j, "euid", c->euid);
        set_int(j, "suid", c->suid);
        set_int(j, "fsuid", c->fsuid);
        set_int(j, "gid", c->gid);
        set_int(j, "egid", c->egid);
        set_int(j, "sgid", c->sgid);
        set_int(j, "fsgid", c->fsgid);
        strbuf g = STRBUF_INIT;
        for (uint32_t i = 0; i < c->ngroups; i++)
                strbuf_printf(&g, "%s%u", i ? "," : "", c->groups[i]);
        set_str(j, "groups", strbuf_str(&g));
        strbuf_free(&g);
        char cap[32];
        snprintf(cap, sizeof cap, "%016llx", (unsigned long long)c->cap_eff);
        set_str(j, "cap_eff", cap);
        return j;
}

static json_t *file_inputs(const creds *c, const cached_attr *a)
{
        json_t *j = creds_inputs(c);
        set_int(j, "file_uid", a->uid);
        set_int(j, "file_gid", a->gid);
        char mode[16];
        snprintf(mode, sizeof mode, "%04o", a->mode & 07777);
        set_str(j, "file_mode", mode);
        return j;
}

/* Record that `cap` is needed by this call: the reason is kept with the
 * pending call and written to capabilities[cap][reason] at its exit.
 * Takes the reference to `inputs`. Returns the pending entry (NULL when
 * the call has too many pending facts). */
static pending *need(recorder *r, task *t, int cap, const char *syscall, const char *object, json_t *inputs,
                     const char *fmt, ...) _printf_(7, 8);

static pending *need(recorder *r, task *t, int cap, const char *syscall, const char *object, json_t *inputs,
                     const char *fmt, ...)
{
        const char *cn = cap_name(cap);
        if (!cn) {
                json_decref(inputs);
                return NULL;
        }
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *detail = NULL;
        if (vasprintf(&detail, fmt, ap) < 0)
                abort();
        va_end(ap);
        pending *pd = pend_add(t, PEND_CAP);
        if (!pd) {
                json_decref(inputs);
                return NULL;
        }
        _cleanup_free_ char *reason =
                object ? xasprintf("%s %s: %s", syscall, object, detail) : xasprintf("%s: %s", syscall, detail);
        json_t *proto = json_object();
        set_str(proto, "cap", cn);
        set_str(proto, "reason", reason);
        set_str(proto, "syscall", syscall);
        if (object)
                set_str(proto, "object", object);
        /* The decision rests on a file the workload found, owned by someone
         * else: it existed before the recording started (the workload never
         * created it). A leftover of an earlier run on the host (a service's
         * data directory) looks the same; in a fresh container the call may
         * not need the capability at all. */
        json_t *file_uid = inputs ? json_object_get(inputs, "file_uid") : NULL;
        if (object && file_uid && (uint32_t)json_integer_value(file_uid) != t->p->cr.fsuid &&
            !rec_file_created(r, object))
                json_object_set_new(proto, "preexisting", json_true());
        if (inputs)
                json_object_set_new(proto, "inputs", inputs);
        /* The stack of the first occurrence only (--stacks). */
        json_t *known = json_object_get(json_object_get(json_object_get(r->t->root, "capabilities"), cn), reason);
        tracer_stack_query q = { .kind = TRACER_STACK_CAPABILITY, .abi = t->abi, .name = cn };
        if (r->stacks && !known && (!r->opts->want_stack || r->opts->want_stack(&q, r->opts->want_stack_ud))) {
                json_t *stack = stacks_capture(r, t->tid);
                if (stack)
                        json_object_set_new(proto, "stack", stack);
        }
        pd->node = proto;
        pd->cap_held = has_cap(&t->p->cr, cap);
        return pd;
}

void caps_exit(recorder *r, task *t, pending *pd, int err)
{
        json_t *proto = pd->node;
        pd->node = NULL;
        if (!proto)
                return;
        if (pd->cap_in_ack && !err && !pd->cap_held)
                err = EPERM; /* refused in the netlink ack */
        if (!err && !pd->cap_held) {
                /* It worked without the capability: not needed. */
                json_decref(proto);
                return;
        }
        if (err && (pd->cap_held || (err != EPERM && err != EACCES))) {
                /* It failed with the capability held, or with an error that
                 * is no permission check (ENOTDIR, ENOENT, EEXIST...): not
                 * for want of the capability. */
                json_decref(proto);
                return;
        }
        const char *cn = json_string_value(json_object_get(proto, "cap"));
        const char *reason = json_string_value(json_object_get(proto, "reason"));
        json_t *node = trace_node(r->t->root, "capabilities", cn, reason, NULL);
        if (!json_object_get(node, "syscall")) {
                static const char *const copy[] = { "syscall", "object", "inputs", "stack", "preexisting" };
                for (size_t i = 0; i < ELEMENTSOF(copy); i++) {
                        json_t *v = json_object_get(proto, copy[i]);
                        if (v)
                                json_object_set(node, copy[i], v);
                }
        }
        rec_node_result(r, t, trace_child(node, "results"), err);
        json_decref(proto);
}

static const pending *file_pending(task *t, int nth)
{
        for (int i = 0; i < t->npend; i++)
                if (t->pend[i].type == PEND_FILE && nth-- == 0)
                        return &t->pend[i];
        return NULL;
}

static bool is_proc_or_sys(const char *p)
{
        return startswith(p, "/proc/") || streq(p, "/proc") || startswith(p, "/sys/") || startswith(p, "/dev/");
}

static const char *mode_type(uint32_t mode)
{
        switch (mode & S_IFMT) {
        case S_IFDIR:
                return "directory";
        case S_IFLNK:
                return "symlink";
        case S_IFCHR:
                return "character device";
        case S_IFBLK:
                return "block device";
        case S_IFIFO:
                return "fifo";
        case S_IFSOCK:
                return "socket";
        default:
                return "file";
        }
}

/* The DAC check on an existing object; DAC_READ_SEARCH suffices for reads. */
static void check_dac(recorder *r, task *t, const char *sys, const pending *pd, int want, bool nofollow)
{
        const creds *c = &t->p->cr;
        if (!has_cap(c, CAP_DAC_OVERRIDE) && !has_cap(c, CAP_DAC_READ_SEARCH))
                return; /* without them a refusal is just a refusal */
        if (is_proc_or_sys(pd->path))
                return; /* permission rules of their own */
        if (call_overlay_failed(t->tid, ENOENT))
                return; /* the kernel found nothing there */
        const cached_attr *a = attr_of(r, t, pd->path, nofollow);
        if (!a || !a->exists || dac_allows(c, a, want))
                return;
        bool isdir = S_ISDIR(a->mode);
        if (want & 1 && !isdir && !(a->mode & 0111))
                return; /* no exec bit at all: even root cannot exec it */
        /* Reading and searching: DAC_READ_SEARCH, the narrower one, unless
         * the caller only has DAC_OVERRIDE (then that is what it used). */
        bool read_search = (want & ~4) == 0 || (isdir && !(want & 2));
        int cap = read_search && has_cap(c, CAP_DAC_READ_SEARCH) ? CAP_DAC_READ_SEARCH : CAP_DAC_OVERRIDE;
        const char *what = want == 4 ? "read" : want == 1 ? "execute" : want == 2 ? "write" : "read-write";
        need(r, t, cap, sys, pd->path, file_inputs(c, a), "%s of a %s refused by owner %u:%u mode %04o to uid %u", what,
             mode_type(a->mode), a->uid, a->gid, a->mode & 07777, c->fsuid);
}

static void check_parent_write(recorder *r, task *t, const char *sys, const pending *pd, bool deleting)
{
        const creds *c = &t->p->cr;
        if (is_proc_or_sys(pd->path))
                return;
        _cleanup_free_ char *dir = parent_of(pd->path);
        if (!dir)
                return;
        const cached_attr *d = attr_of(r, t, dir, false);
        if (!d || !d->exists)
                return;
        if ((has_cap(c, CAP_DAC_OVERRIDE) || has_cap(c, CAP_DAC_READ_SEARCH)) && !dac_allows(c, d, 3))
                need(r, t, CAP_DAC_OVERRIDE, sys, dir, file_inputs(c, d),
                     "write to a directory refused by owner %u:%u mode %04o to uid %u", d->uid, d->gid, d->mode & 07777,
                     c->fsuid);
        if (deleting && (d->mode & S_ISVTX) && has_cap(c, CAP_FOWNER)) {
                uint32_t dmode = d->mode, duid = d->uid;
                const cached_attr *a = attr_of(r, t, pd->path, true);
                static cached_attr recorded;
                if ((!a || !a->exists) && call_overlay_ok(t->tid) && duid != c->fsuid) {
                        /* a reported removal read after it ran: the file as
                         * recorded before (else said in the trace) */
                        a = &recorded;
                        recorded.exists = rec_file_attr(r, pd->path, &recorded.uid, &recorded.gid, &recorded.mode);
                        r->gone_unknown += !recorded.exists;
                }
                if (a && a->exists && a->uid != c->fsuid && duid != c->fsuid)
                        need(r, t, CAP_FOWNER, sys, pd->path, file_inputs(c, a),
                             "removing a file of uid %u from sticky directory %s (owner %u mode %04o)", a->uid, dir,
                             duid, dmode & 07777);
        }
}

void caps_open(recorder *r, task *t, const char *sys)
{
        const pending *pd = file_pending(t, 0);
        if (!pd)
                return;
        uint64_t flags;
        if (streq(sys, "open"))
                flags = t->args[1];
        else if (streq(sys, "openat"))
                flags = t->args[2];
        else if (streq(sys, "creat"))
                flags = O_CREAT | O_WRONLY | O_TRUNC;
        else {
                struct open_how_min {
                        uint64_t flags;
                } how;
                if (mem_read(t->tid, t->args[2], &how, sizeof how) != (ssize_t)sizeof how)
                        return;
                flags = how.flags;
        }
        if (flags & O_PATH)
                return;
        if (pd->created) {
                check_parent_write(r, t, sys, pd, false);
                return;
        }
        int acc = (int)(flags & O_ACCMODE);
        int want = 0;
        if (acc == O_RDONLY || acc == O_RDWR)
                want |= 4;
        if (acc == O_WRONLY || acc == O_RDWR || (flags & O_TRUNC))
                want |= 2;
        if (want)
                check_dac(r, t, sys, pd, want, (flags & O_NOFOLLOW) != 0);
        if (flags & O_NOATIME) {
                const cached_attr *a = attr_of(r, t, pd->path, false);
                if (a && a->exists && a->uid != t->p->cr.fsuid)
                        need(r, t, CAP_FOWNER, sys, pd->path, file_inputs(&t->p->cr, a),
                             "O_NOATIME on a file of uid %u", a->uid);
        }
}

/* The object of an attribute call: through the fd for fd calls and for
 * AT_EMPTY_PATH, else by path. */
static const cached_attr *attr_target(recorder *r, task *t, const char *sys, const pending *pd, bool nofollow)
{
        if (startswith(sys, "fchown") && !streq(sys, "fchownat"))
                return attr_of_fd(t, (int)t->args[0]);
        if (streq(sys, "fchmod") || streq(sys, "fsetxattr") || streq(sys, "fremovexattr"))
                return attr_of_fd(t, (int)t->args[0]);
        int flags_idx = streq(sys, "fchownat") ? 4 : streq(sys, "fchmodat2") ? 3 : -1;
        if (flags_idx >= 0 && (t->args[flags_idx] & AT_EMPTY_PATH)) {
                char c = 1;
                if (mem_read(t->tid, t->args[1], &c, 1) == 1 && c == '\0')
                        return attr_of_fd(t, (int)t->args[0]);
        }
        return pd ? attr_of(r, t, pd->path, nofollow) : NULL;
}

/* A uid/gid argument: the old i386 calls carry 16-bit ids. */
static uint32_t id_arg(task *t, const char *sys, int idx, bool *ret_unchanged)
{
        bool is16 = t->abi == TRACE_ABI_I386 && !endswith(sys, "32");
        uint32_t v = (uint32_t)t->args[idx];
        if (is16) {
                v &= 0xffff;
                if (v == 0xffff)
                        v = 0xffffffff;
        }
        *ret_unchanged = v == 0xffffffff;
        return v;
}

void caps_chown(recorder *r, task *t, const char *sys)
{
        const pending *pd = file_pending(t, 0);
        const cached_attr *a = attr_target(r, t, sys, pd, pd && pd->nofollow);
        if (!a || !a->exists)
                return;
        const char *object = pd ? pd->path : NULL;
        int ui = streq(sys, "fchownat") ? 2 : 1;
        bool uid_same, gid_same;
        uint32_t uid = id_arg(t, sys, ui, &uid_same);
        uint32_t gid = id_arg(t, sys, ui + 1, &gid_same);
        const creds *c = &t->p->cr;
        bool owner = a->uid == c->fsuid;
        /* The kernel's chown_ok / chgrp_ok. */
        bool uid_needs = !uid_same && !(owner && uid == a->uid);
        bool gid_needs = !gid_same && !(owner && (gid == a->gid || in_groups(c, gid)));
        if (uid_needs || gid_needs) {
                json_t *in = file_inputs(c, a);
                set_int(in, "new_uid", uid_same ? -1 : (json_int_t)uid);
                set_int(in, "new_gid", gid_same ? -1 : (json_int_t)gid);
                char nu[16], ng[16];
                snprintf(nu, sizeof nu, "%u", uid_same ? a->uid : uid);
                snprintf(ng, sizeof ng, "%u", gid_same ? a->gid : gid);
                const char *why = uid_needs && !owner ? "the caller does not own it"
                                  : uid_needs         ? "another owner"
                                  : !owner            ? "the caller does not own it"
                                                      : "a group the caller is not in";
                need(r, t, CAP_CHOWN, sys, object, in, "owner %u:%u mode %04o -> %s:%s (%s)", a->uid, a->gid,
                     a->mode & 07777, nu, ng, why);
        }
        pend_forget(t, pd->path, false); /* owner changed: forget its cached attributes */
}

void caps_chmod(recorder *r, task *t, const char *sys)
{
        const pending *pd = file_pending(t, 0);
        const cached_attr *a = attr_target(r, t, sys, pd, false);
        if (!a || !a->exists)
                return;
        const char *object = pd ? pd->path : NULL;
        int mi = streq(sys, "fchmodat") || streq(sys, "fchmodat2") ? 2 : 1;
        uint32_t mode = (uint32_t)t->args[mi] & 07777;
        const creds *c = &t->p->cr;
        json_t *in = file_inputs(c, a);
        char nm[16];
        snprintf(nm, sizeof nm, "%04o", mode);
        set_str(in, "new_mode", nm);
        if (a->uid != c->fsuid)
                need(r, t, CAP_FOWNER, sys, object, in, "mode %04o -> %04o of a file owned by %u:%u", a->mode & 07777,
                     mode, a->uid, a->gid);
        else if ((mode & S_ISGID) && !S_ISDIR(a->mode) && !in_groups(c, a->gid))
                need(r, t, CAP_FSETID, sys, object, in, "set-group-ID (mode %04o) on a file of group %u", mode, a->gid);
        else
                json_decref(in);
        pend_forget(t, object, false);
}

void caps_utime(recorder *r, task *t, const char *sys)
{
        const pending *pd = file_pending(t, 0);
        if (!pd)
                return;
        bool at = streq(sys, "utimensat") || streq(sys, "futimesat") || streq(sys, "utimensat_time64");
        uint64_t times = t->args[at ? 2 : 1];
        const cached_attr *a = attr_of(r, t, pd->path, false);
        if (!a || !a->exists)
                return;
        const creds *c = &t->p->cr;
        if (a->uid == c->fsuid)
                return;
        /* "Now" (NULL, or both UTIME_NOW) needs ownership or write access;
         * explicit times need ownership; UTIME_OMIT twice changes nothing. */
        bool touch = times == 0;
        if (times && startswith(sys, "utimensat")) {
                int64_t ts[4];
                bool t32 = t->abi != TRACE_ABI_X86_64 && !endswith(sys, "time64");
                if (t32) {
                        int32_t v[4];
                        if (mem_read(t->tid, times, v, sizeof v) != (ssize_t)sizeof v)
                                return;
                        for (int i = 0; i < 4; i++)
                                ts[i] = v[i];
                } else if (mem_read(t->tid, times, ts, sizeof ts) != (ssize_t)sizeof ts) {
                        return;
                }
                if (ts[1] == UTIME_OMIT && ts[3] == UTIME_OMIT)
                        return;
                touch = ts[1] == UTIME_NOW && ts[3] == UTIME_NOW;
        }
        if (!touch)
                need(r, t, CAP_FOWNER, sys, pd->path, file_inputs(c, a), "setting times of a file owned by %u:%u",
                     a->uid, a->gid);
        else if (!dac_allows(c, a, 2) && !has_cap(c, CAP_FOWNER))
                need(r, t, CAP_DAC_OVERRIDE, sys, pd->path, file_inputs(c, a),
                     "touching a file it cannot write (owner %u:%u mode %04o)", a->uid, a->gid, a->mode & 07777);
}

void caps_setid(recorder *r, task *t, const char *sys)
{
        const creds *c = &t->p->cr;
        bool gid = strstr(sys, "gid") != NULL;
        int cap = gid ? CAP_SETGID : CAP_SETUID;
        uint32_t real = gid ? c->gid : c->uid, eff = gid ? c->egid : c->euid, saved = gid ? c->sgid : c->suid,
                 fs = gid ? c->fsgid : c->fsuid;
        char base[32];
        snprintf(base, sizeof base, "%s", sys);
        if (endswith(base, "32"))
                base[strlen(base) - 2] = '\0';
        int n = strstr(base, "setres") ? 3 : strstr(base, "setre") ? 2 : 1;
        bool needed = false;
        strbuf ids = STRBUF_INIT;
        json_t *in = creds_inputs(c);
        static const char *const argnames[3] = { "arg_real", "arg_effective", "arg_saved" };
        for (int i = 0; i < n; i++) {
                bool unchanged;
                uint32_t v = id_arg(t, sys, i, &unchanged);
                strbuf_printf(&ids, "%s%d", i ? "," : "", unchanged ? -1 : (int)v);
                set_int(in, n == 1 ? "arg" : argnames[i], unchanged ? -1 : (json_int_t)v);
                if (unchanged)
                        continue;
                bool ok;
                if (streq(base, "setuid") || streq(base, "setgid"))
                        ok = v == real || v == saved;
                else if (strstr(base, "setfs"))
                        ok = v == real || v == eff || v == saved || v == fs;
                else if (streq(base, "setreuid") || streq(base, "setregid"))
                        ok = i == 0 ? (v == real || v == eff) : (v == real || v == eff || v == saved);
                else
                        ok = v == real || v == eff || v == saved;
                if (!ok)
                        needed = true;
        }
        _cleanup_free_ char *idstr = strbuf_steal(&ids);
        if (!needed) {
                json_decref(in);
                return;
        }
        need(r, t, cap, base, NULL, in, "to %s %s, not among the caller's real/effective/saved %s %u/%u/%u",
             gid ? "gid" : "uid", idstr, gid ? "gids" : "uids", real, eff, saved);
}

void caps_setgroups(recorder *r, task *t, const char *sys)
{
        const creds *c = &t->p->cr;
        size_t n = t->args[0] & 0xffffffff;
        size_t esz = endswith(sys, "32") || t->abi != TRACE_ABI_I386 ? 4 : 2;
        strbuf g = STRBUF_INIT;
        for (size_t i = 0; i < n && i < 64; i++) {
                uint32_t v = 0;
                if (mem_read(t->tid, t->args[1] + i * esz, &v, esz) != (ssize_t)esz)
                        break;
                strbuf_printf(&g, "%s%u", i ? "," : "", v);
        }
        if (n > 64)
                strbuf_puts(&g, ",...");
        json_t *in = creds_inputs(c);
        set_str(in, "new_groups", strbuf_str(&g));
        need(r, t, CAP_SETGID, "setgroups", NULL, in, "supplementary groups set to [%s] (always needs the capability)",
             strbuf_str(&g));
        strbuf_free(&g);
}

static uint32_t unpriv_port_start(recorder *r)
{
        return r->unpriv_port_start;
}

static void check_bind(recorder *r, task *t, const char *sys, uint64_t addr, uint64_t len)
{
        struct sockaddr_storage ss;
        memset(&ss, 0, sizeof ss);
        if (!addr || len < sizeof(sa_family_t))
                return;
        if (len > sizeof ss)
                len = sizeof ss;
        if (mem_read(t->tid, addr, &ss, len) != (ssize_t)len)
                return;
        unsigned port;
        char host[INET6_ADDRSTRLEN] = "?";
        char where[INET6_ADDRSTRLEN + 16];
        if (ss.ss_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
                struct sockaddr_in *in = (struct sockaddr_in *)&ss;
                port = ntohs(in->sin_port);
                inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
                snprintf(where, sizeof where, "%s:%u", host, port);
        } else if (ss.ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
                struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
                port = ntohs(in6->sin6_port);
                inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
                snprintf(where, sizeof where, "[%s]:%u", host, port);
        } else {
                return;
        }
        uint32_t start = unpriv_port_start(r);
        if (port == 0 || port >= start)
                return;
        json_t *in = creds_inputs(&t->p->cr);
        set_int(in, "port", port);
        set_str(in, "address", host);
        set_int(in, "ip_unprivileged_port_start", start);
        need(r, t, CAP_NET_BIND_SERVICE, sys, where, in, "port %u is below ip_unprivileged_port_start %u", port, start);
}

static void check_socket(recorder *r, task *t, const char *sys, uint64_t domain, uint64_t type, uint64_t protocol)
{
        int ty = (int)(type & 0xf);
        bool inet = domain == AF_INET || domain == AF_INET6;
        if (!((inet && (ty == SOCK_RAW || ty == SOCK_PACKET)) || domain == AF_PACKET))
                return;
        const char *fn = family_name((int)domain);
        const char *tn = socktype_name(ty);
        json_t *in = creds_inputs(&t->p->cr);
        set_int(in, "domain", (json_int_t)domain);
        set_int(in, "type", ty);
        set_int(in, "protocol", (json_int_t)(protocol & 0xffffffff));
        need(r, t, CAP_NET_RAW, sys, NULL, in, "%s %s socket (protocol %llu)", fn ? fn : "?", tn ? tn : "?",
             (unsigned long long)(protocol & 0xffffffff));
}

/* Field `field` (1-based, as in proc(5)) of /proc/PID/stat, or `dflt`. */
static long proc_stat_field(pid_t tid, int field, long dflt)
{
        char path[64], buf[1024];
        snprintf(path, sizeof path, "/proc/%d/stat", tid);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return dflt;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        if (n <= 0)
                return dflt;
        buf[n] = '\0';
        char *p = strrchr(buf, ')');
        if (!p)
                return dflt;
        /* after ")" comes a space, then field 3 (state) */
        int cur = 2;
        for (p++; *p && cur < field; p++)
                if (*p == ' ')
                        cur++;
        return cur == field ? strtol(p, NULL, 10) : dflt;
}

static long proc_task_nice(pid_t tid)
{
        return proc_stat_field(tid, 19, 0);
}

static void check_pid_creds(recorder *r, task *t, const char *sys, int cap, pid_t target, int sig, const char *what)
{
        creds tc;
        if (target <= 0 || proc_read_creds(target, &tc, NULL, NULL) < 0)
                return;
        const creds *c = &t->p->cr;
        bool ok;
        if (cap == CAP_KILL) {
                ok = c->euid == tc.suid || c->euid == tc.uid || c->uid == tc.suid || c->uid == tc.uid;
                /* SIGCONT within the session needs nothing. */
                if (!ok && sig == SIGCONT && proc_stat_field(t->tid, 6, -1) == proc_stat_field(target, 6, -2))
                        ok = true;
        } else {
                ok = c->uid == tc.uid && c->uid == tc.euid && c->uid == tc.suid && c->gid == tc.gid &&
                     c->gid == tc.egid && c->gid == tc.sgid;
        }
        if (ok && cap == CAP_SYS_PTRACE && r->yama_scope >= 1) {
                /* Yama: only descendants without the capability. */
                pid_t p = target;
                ok = false;
                for (int depth = 0; depth < 64 && p > 1; depth++) {
                        pid_t ppid = 0, tg = 0;
                        if (proc_read_creds(p, NULL, &tg, &ppid) < 0)
                                break;
                        if (ppid == t->p->tgid) {
                                ok = true;
                                break;
                        }
                        p = ppid;
                }
                if (!ok) {
                        json_t *in = creds_inputs(c);
                        set_int(in, "target_pid", target);
                        set_int(in, "yama_ptrace_scope", r->yama_scope);
                        need(r, t, cap, sys, NULL, in, "%s a process that is not a descendant (Yama scope %d)", what,
                             r->yama_scope);
                        return;
                }
        }
        if (ok)
                return;
        json_t *in = creds_inputs(c);
        set_int(in, "target_uid", tc.uid);
        set_int(in, "target_euid", tc.euid);
        set_int(in, "target_suid", tc.suid);
        if (cap == CAP_KILL) {
                const char *sn = signal_name(sig);
                set_str(in, "signal", sn ? sn : "?");
                need(r, t, cap, sys, NULL, in, "%s %s to a process of uid %u (caller uid %u euid %u)", what,
                     sn ? sn : "a signal", tc.uid, c->uid, c->euid);
        } else {
                need(r, t, cap, sys, NULL, in, "%s a process of uid %u (caller uid %u)", what, tc.uid, c->uid);
        }
}

/* ------------------------------------------------------- routing netlink */

static const char *rtm_name(unsigned type)
{
        static const struct {
                unsigned type;
                const char *name;
        } names[] = {
                { RTM_NEWLINK, "RTM_NEWLINK" },       { RTM_DELLINK, "RTM_DELLINK" },
                { RTM_SETLINK, "RTM_SETLINK" },       { RTM_NEWADDR, "RTM_NEWADDR" },
                { RTM_DELADDR, "RTM_DELADDR" },       { RTM_NEWROUTE, "RTM_NEWROUTE" },
                { RTM_DELROUTE, "RTM_DELROUTE" },     { RTM_NEWNEIGH, "RTM_NEWNEIGH" },
                { RTM_DELNEIGH, "RTM_DELNEIGH" },     { RTM_NEWRULE, "RTM_NEWRULE" },
                { RTM_DELRULE, "RTM_DELRULE" },       { RTM_NEWQDISC, "RTM_NEWQDISC" },
                { RTM_DELQDISC, "RTM_DELQDISC" },     { RTM_NEWTCLASS, "RTM_NEWTCLASS" },
                { RTM_DELTCLASS, "RTM_DELTCLASS" },   { RTM_NEWTFILTER, "RTM_NEWTFILTER" },
                { RTM_DELTFILTER, "RTM_DELTFILTER" },
        };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (names[i].type == type)
                        return names[i].name;
        return NULL;
}

/* The first routing request in a buffer that changes something (every
 * rtnetlink type but the RTM_GET* ones needs CAP_NET_ADMIN), or 0. Cheap
 * enough for every send: ordinary payloads fail the header checks. */
static unsigned rtnl_change_type(pid_t tid, uint64_t buf, uint64_t len)
{
        uint64_t off = 0;
        for (int i = 0; i < 16 && off + sizeof(struct nlmsghdr) <= len; i++) {
                struct nlmsghdr h;
                if (mem_read(tid, buf + off, &h, sizeof h) != (ssize_t)sizeof h)
                        return 0;
                if (h.nlmsg_len < sizeof h || h.nlmsg_len > len - off || !(h.nlmsg_flags & NLM_F_REQUEST))
                        return 0;
                if (h.nlmsg_type >= RTM_BASE && h.nlmsg_type <= RTM_MAX && (h.nlmsg_type & 3) != 2)
                        return h.nlmsg_type;
                off += NLMSG_ALIGN(h.nlmsg_len);
        }
        return 0;
}

/* Whether fd is a NETLINK_ROUTE socket. The tracer may take a copy of a
 * tracee's fd (pidfd_getfd) and ask the socket; without pidfd_getfd, the
 * socket's inode is looked up in /proc/PID/net/netlink, which lists bound
 * sockets only (a first send autobinds: it is then missed). */
static bool fd_is_rtnl(task *t, int fd)
{
        pid_t tid = t->tid;
        _cleanup_free_ char *link = NULL;
        if (fd < 0 || proc_fd_path(tid, fd, &link) < 0 || !startswith(link, "socket:["))
                return false;
        _cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, t->p->tgid, 0);
        if (pidfd >= 0) {
                _cleanup_close_ int copy = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
                int domain = -1, proto = -1;
                socklen_t l1 = sizeof domain, l2 = sizeof proto;
                if (copy >= 0 && getsockopt(copy, SOL_SOCKET, SO_DOMAIN, &domain, &l1) == 0 &&
                    getsockopt(copy, SOL_SOCKET, SO_PROTOCOL, &proto, &l2) == 0)
                        return domain == AF_NETLINK && proto == NETLINK_ROUTE;
        }
        unsigned long ino = strtoul(link + 8, NULL, 10);
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/net/netlink", tid);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return false;
        char line[512];
        while (fgets(line, sizeof line, f)) {
                /* sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode */
                unsigned long long sk;
                int eth;
                unsigned long fields[7], inode;
                if (sscanf(line, "%llx %d %lu %lx %lu %lu %lu %lu %lu %lu", &sk, &eth, &fields[0], &fields[1],
                           &fields[2], &fields[3], &fields[4], &fields[5], &fields[6], &inode) == 10 &&
                    inode == ino)
                        return eth == NETLINK_ROUTE;
        }
        return false;
}

static void check_netlink_send(recorder *r, task *t, const char *sys, int fd, uint64_t buf, uint64_t len)
{
        unsigned type = rtnl_change_type(t->tid, buf, len);
        if (!type || !fd_is_rtnl(t, fd))
                return;
        const char *tn = rtm_name(type);
        char tbuf[32];
        if (!tn) {
                snprintf(tbuf, sizeof tbuf, "type %u", type);
                tn = tbuf;
        }
        json_t *in = creds_inputs(&t->p->cr);
        set_int(in, "nlmsg_type", type);
        pending *pd = need(r, t, CAP_NET_ADMIN, sys, NULL, in, "routing netlink request %s", tn);
        if (pd)
                pd->cap_in_ack = true;
}

/* sendmsg: the first iovec is where a netlink request starts. */
static void check_netlink_sendmsg(recorder *r, task *t, const char *sys, int fd, uint64_t msg, bool compat)
{
        uint64_t iov, iovlen, base, blen;
        if (!compat) {
                struct msghdr mh;
                if (mem_read(t->tid, msg, &mh, sizeof mh) != (ssize_t)sizeof mh)
                        return;
                iov = (uint64_t)(uintptr_t)mh.msg_iov;
                iovlen = mh.msg_iovlen;
                if (!iov || !iovlen)
                        return;
                uint64_t v[2];
                if (mem_read(t->tid, iov, v, sizeof v) != (ssize_t)sizeof v)
                        return;
                base = v[0];
                blen = v[1];
        } else {
                uint32_t mh[7]; /* name, namelen, iov, iovlen, control, controllen, flags */
                if (mem_read(t->tid, msg, mh, sizeof mh) != (ssize_t)sizeof mh)
                        return;
                iov = mh[2];
                iovlen = mh[3];
                if (!iov || !iovlen)
                        return;
                uint32_t v[2];
                if (mem_read(t->tid, iov, v, sizeof v) != (ssize_t)sizeof v)
                        return;
                base = v[0];
                blen = v[1];
        }
        check_netlink_send(r, t, sys, fd, base, blen);
}

/* ------------------------------------------------------------- scheduling */

static void check_nice(recorder *r, task *t, const char *sys, pid_t target, int newnice)
{
        const creds *c = &t->p->cr;
        int cur = (int)proc_task_nice(target);
        if (newnice > 19)
                newnice = 19;
        if (newnice < -20)
                newnice = -20;
        creds tc;
        bool other_user = false;
        if (target != t->tid && proc_read_creds(target, &tc, NULL, NULL) == 0)
                other_user = tc.uid != c->euid && tc.euid != c->euid;
        json_t *in = creds_inputs(c);
        set_int(in, "current_nice", cur);
        set_int(in, "new_nice", newnice);
        if (other_user) {
                set_int(in, "target_uid", tc.uid);
                need(r, t, CAP_SYS_NICE, sys, NULL, in, "changing the nice value of a process of uid %u", tc.uid);
                return;
        }
        if (newnice >= cur) {
                json_decref(in);
                return;
        }
        /* RLIMIT_NICE allows down to 20 - rlim_cur. */
        struct rlimit rl;
        if (prlimit(target, RLIMIT_NICE, NULL, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
            (long)(20 - newnice) <= (long)rl.rlim_cur) {
                json_decref(in);
                return;
        }
        set_int(in, "rlimit_nice", prlimit(target, RLIMIT_NICE, NULL, &rl) == 0 ? (json_int_t)rl.rlim_cur : -1);
        need(r, t, CAP_SYS_NICE, sys, NULL, in, "lowering the nice value from %d to %d", cur, newnice);
}

static void check_rt_policy(recorder *r, task *t, const char *sys, pid_t target, int policy, int prio)
{
        if (policy != 1 && policy != 2 && policy != 6) /* FIFO, RR, DEADLINE */
                return;
        struct rlimit rl;
        if (policy != 6 && prlimit(target ? target : t->tid, RLIMIT_RTPRIO, NULL, &rl) == 0 &&
            (rl.rlim_cur == RLIM_INFINITY || (prio >= 0 && (rlim_t)prio <= rl.rlim_cur)) && rl.rlim_cur != 0)
                return;
        json_t *in = creds_inputs(&t->p->cr);
        set_int(in, "policy", policy);
        set_int(in, "priority", prio);
        need(r, t, CAP_SYS_NICE, sys, NULL, in, "real-time scheduling policy %s priority %d",
             policy == 1   ? "SCHED_FIFO"
             : policy == 2 ? "SCHED_RR"
                           : "SCHED_DEADLINE",
             prio);
}

/* ----------------------------------------------------------------- entry */

static void caps_namespaces(recorder *r, task *t, const char *s, uint64_t flags)
{
        uint64_t ns = flags & CLONE_NS_MASK;
        /* CLONE_NEWTIME shares its bit with the exit signal of clone(). */
        if (!streq(s, "clone") && (flags & CLONE_NEWTIME))
                ns |= CLONE_NEWTIME;
        if (!ns || (flags & CLONE_NEWUSER))
                return;
        json_t *in = creds_inputs(&t->p->cr);
        char hex[32];
        snprintf(hex, sizeof hex, "0x%llx", (unsigned long long)flags);
        set_str(in, "flags", hex);
        const char *names = clone_ns_flags_describe(ns & CLONE_NS_MASK);
        need(r, t, CAP_SYS_ADMIN, s, NULL, in, "new namespaces %s%s%s", names,
             (ns & CLONE_NEWTIME) && *names ? "|" : "", ns & CLONE_NEWTIME ? "CLONE_NEWTIME" : "");
}

/* ------------------------------------------------ the handlers of the rows
 *
 * tracer/syscalls.c names one of these in the row of every call the
 * inference looks at; caps_entry reads the caller's credentials and calls
 * it. `sys` is the row's name (one handler serves a family of calls). */

void caps_entry(recorder *r, task *t, caps_fn fn, const char *sys)
{
        creds *c = &t->p->cr;
        if (!c->valid && proc_read_creds(t->tid, c, NULL, NULL) < 0)
                return;
        fn(r, t, sys);
}

/* Known to the inference, no rule: queries (access: they report, they do
 * not exercise a privilege), removing xattrs, capset, bpf,
 * perf_event_open. Only the credentials are read. */
void caps_none(recorder *r, task *t, const char *sys)
{
}

/* Creating a name (mkdir, symlink) needs write access to the directory. */
void caps_new_name(recorder *r, task *t, const char *sys)
{
        const pending *pd = file_pending(t, 0);
        if (pd)
                check_parent_write(r, t, sys, pd, false);
}

/* Removing or renaming a name (unlink, rmdir, rename*): write access to
 * both directories. */
void caps_remove_name(recorder *r, task *t, const char *sys)
{
        for (int i = 0; i < 2; i++) {
                const pending *pd = file_pending(t, i);
                if (pd)
                        check_parent_write(r, t, sys, pd, true);
        }
}

void caps_exec(recorder *r, task *t, const char *sys)
{
        const pending *pd = file_pending(t, 0);
        if (pd)
                check_dac(r, t, sys, pd, 1, false);
}

/* link, linkat: protected_hardlinks, then write access to the new name's
 * directory (only looked at when the link itself was evaluated). */
void caps_link(recorder *r, task *t, const char *sys)
{
        const creds *c = &t->p->cr;
        const pending *old = file_pending(t, 0);
        if (!old || !r->protected_hardlinks)
                return;
        const cached_attr *a = attr_of(r, t, old->path, old->nofollow);
        if (!a || !a->exists || a->uid == c->fsuid)
                return;
        bool safe = S_ISREG(a->mode) && !(a->mode & S_ISUID) &&
                    !((a->mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP)) && dac_allows(c, a, 6);
        if (!safe)
                need(r, t, CAP_FOWNER, sys, old->path, file_inputs(c, a),
                     "hard link to a file owned by %u:%u mode %04o (protected_hardlinks)", a->uid, a->gid,
                     a->mode & 07777);
        const pending *pd = file_pending(t, 1);
        if (pd)
                check_parent_write(r, t, sys, pd, false);
}

void caps_mknod(recorder *r, task *t, const char *sys)
{
        const creds *c = &t->p->cr;
        const pending *pd = file_pending(t, 0);
        int mi = streq(sys, "mknodat") ? 2 : 1;
        uint32_t mode = (uint32_t)t->args[mi];
        uint64_t dev = t->args[mi + 1];
        bool whiteout = S_ISCHR(mode) && dev == 0;
        if ((S_ISCHR(mode) || S_ISBLK(mode)) && !whiteout) {
                json_t *in = creds_inputs(c);
                set_str(in, "node_type", S_ISCHR(mode) ? "char" : "block");
                set_int(in, "major", major(dev));
                set_int(in, "minor", minor(dev));
                need(r, t, CAP_MKNOD, sys, pd ? pd->path : NULL, in, "%s device node %u:%u",
                     S_ISCHR(mode) ? "character" : "block", major(dev), minor(dev));
        }
        if (pd)
                check_parent_write(r, t, sys, pd, false);
}

void caps_chroot(recorder *r, task *t, const char *sys)
{
        const pending *pd = file_pending(t, 0);
        need(r, t, CAP_SYS_CHROOT, sys, pd ? pd->path : NULL, creds_inputs(&t->p->cr), "changing the root directory");
}

/* mount, umount, umount2, pivot_root */
void caps_mount(recorder *r, task *t, const char *sys)
{
        const pending *pd = file_pending(t, 0);
        need(r, t, CAP_SYS_ADMIN, sys, pd ? pd->path : NULL, creds_inputs(&t->p->cr), "changing mounts");
}

/* sethostname, setdomainname */
void caps_hostname(recorder *r, task *t, const char *sys)
{
        need(r, t, CAP_SYS_ADMIN, sys, NULL, creds_inputs(&t->p->cr), "changing the %s name",
             streq(sys, "sethostname") ? "host" : "domain");
}

/* unshare, clone, clone3: new namespaces */
void caps_clone(recorder *r, task *t, const char *sys)
{
        uint64_t flags = streq(sys, "clone3") ? t->clone_flags : t->args[0];
        if (t->abi != TRACE_ABI_X86_64 && !streq(sys, "clone3"))
                flags &= 0xffffffff;
        caps_namespaces(r, t, sys, flags);
}

void caps_setns(recorder *r, task *t, const char *sys)
{
        json_t *in = creds_inputs(&t->p->cr);
        char hex[32];
        snprintf(hex, sizeof hex, "0x%llx", (unsigned long long)(t->args[1] & 0xffffffff));
        set_str(in, "nstype", hex);
        need(r, t, CAP_SYS_ADMIN, sys, NULL, in, "joining a namespace (nstype %s)", hex);
}

void caps_socket(recorder *r, task *t, const char *sys)
{
        check_socket(r, t, sys, t->args[0], t->args[1], t->args[2]);
}

void caps_bind(recorder *r, task *t, const char *sys)
{
        check_bind(r, t, sys, t->args[1], t->args[2]);
}

void caps_sendto(recorder *r, task *t, const char *sys)
{
        check_netlink_send(r, t, sys, (int)t->args[0], t->args[1], t->args[2]);
}

void caps_sendmsg(recorder *r, task *t, const char *sys)
{
        check_netlink_sendmsg(r, t, sys, (int)t->args[0], t->args[1], t->abi != TRACE_ABI_X86_64);
}

/* i386's multiplexed socket calls: socket, bind, sendto, sendmsg */
void caps_socketcall(recorder *r, task *t, const char *sys)
{
        uint32_t a[6] = { 0 };
        if (mem_read(t->tid, t->args[1], a, sizeof a) < 12)
                return;
        if (t->args[0] == 1)
                check_socket(r, t, "socket", a[0], a[1], a[2]);
        else if (t->args[0] == 2)
                check_bind(r, t, "bind", a[1], a[2]);
        else if (t->args[0] == 11)
                check_netlink_send(r, t, "sendto", (int)a[0], a[1], a[2]);
        else if (t->args[0] == 16)
                check_netlink_sendmsg(r, t, "sendmsg", (int)a[0], a[1], true);
}

void caps_setsockopt(recorder *r, task *t, const char *sys)
{
        int level = (int)t->args[1], name = (int)t->args[2];
        int val = 0;
        if (t->args[3])
                mem_read(t->tid, t->args[3], &val, sizeof val);
        const char *why = NULL;
        if (level == SOL_SOCKET && name == SO_MARK)
                why = "SO_MARK";
        else if (level == SOL_SOCKET && name == SO_PRIORITY && (val < 0 || val > 6))
                why = "SO_PRIORITY above 6";
        else if (level == SOL_SOCKET && (name == SO_RCVBUFFORCE || name == SO_SNDBUFFORCE))
                why = name == SO_RCVBUFFORCE ? "SO_RCVBUFFORCE" : "SO_SNDBUFFORCE";
        else if ((level == SOL_IP && name == IP_TRANSPARENT) || (level == SOL_IPV6 && name == IPV6_TRANSPARENT))
                why = "IP_TRANSPARENT";
        if (why) {
                json_t *in = creds_inputs(&t->p->cr);
                set_int(in, "level", level);
                set_int(in, "optname", name);
                set_int(in, "value", val);
                need(r, t, CAP_NET_ADMIN, sys, NULL, in, "setsockopt %s (value %d)", why, val);
        }
}

void caps_ioctl(recorder *r, task *t, const char *sys)
{
        uint32_t req = (uint32_t)t->args[1];
        static const struct {
                uint32_t req;
                const char *name;
        } netadmin[] = {
                { SIOCADDRT, "SIOCADDRT" },
                { SIOCDELRT, "SIOCDELRT" },
                { SIOCSIFFLAGS, "SIOCSIFFLAGS" },
                { SIOCSIFADDR, "SIOCSIFADDR" },
                { SIOCSIFDSTADDR, "SIOCSIFDSTADDR" },
                { SIOCSIFBRDADDR, "SIOCSIFBRDADDR" },
                { SIOCSIFNETMASK, "SIOCSIFNETMASK" },
                { SIOCSIFMETRIC, "SIOCSIFMETRIC" },
                { SIOCSIFMTU, "SIOCSIFMTU" },
                { SIOCSIFNAME, "SIOCSIFNAME" },
                { SIOCSIFHWADDR, "SIOCSIFHWADDR" },
                { SIOCADDMULTI, "SIOCADDMULTI" },
                { SIOCDELMULTI, "SIOCDELMULTI" },
                { SIOCDIFADDR, "SIOCDIFADDR" },
                { SIOCSIFHWBROADCAST, "SIOCSIFHWBROADCAST" },
                { SIOCSIFMAP, "SIOCSIFMAP" },
                { SIOCSIFTXQLEN, "SIOCSIFTXQLEN" },
                { SIOCSIFPFLAGS, "SIOCSIFPFLAGS" },
        };
        for (size_t i = 0; i < ELEMENTSOF(netadmin); i++)
                if (netadmin[i].req == req) {
                        json_t *in = creds_inputs(&t->p->cr);
                        char hex[16];
                        snprintf(hex, sizeof hex, "0x%x", req);
                        set_str(in, "request", hex);
                        need(r, t, CAP_NET_ADMIN, sys, NULL, in, "network configuration ioctl %s", netadmin[i].name);
                }
}

/* kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo */
void caps_signal(recorder *r, task *t, const char *sys)
{
        bool tg = streq(sys, "tgkill") || streq(sys, "rt_tgsigqueueinfo");
        pid_t target = (pid_t)(int)t->args[tg ? 1 : 0];
        int sig = (int)t->args[tg ? 2 : 1];
        /* Signal 0 is a probe (EPERM still says "it exists"). */
        if (sig != 0 && target > 0 && target != t->p->tgid)
                check_pid_creds(r, t, sys, CAP_KILL, target, sig, "sending");
}

void caps_ptrace(recorder *r, task *t, const char *sys)
{
        long req = (long)t->args[0];
        if (req == PTRACE_ATTACH || req == PTRACE_SEIZE)
                check_pid_creds(r, t, sys, CAP_SYS_PTRACE, (pid_t)(int)t->args[1], 0, "tracing");
}

/* setrlimit, prlimit64: raising a hard limit */
void caps_rlimit(recorder *r, task *t, const char *sys)
{
        bool pl = streq(sys, "prlimit64");
        pid_t target = pl && (int)t->args[0] ? (pid_t)(int)t->args[0] : t->tid;
        int res = (int)t->args[pl ? 1 : 0];
        uint64_t addr = t->args[pl ? 2 : 1];
        if (!addr)
                return;
        uint64_t newmax;
        if (pl || t->abi == TRACE_ABI_X86_64) {
                uint64_t v[2];
                if (mem_read(t->tid, addr, v, sizeof v) != (ssize_t)sizeof v)
                        return;
                newmax = v[1];
        } else {
                uint32_t v[2];
                if (mem_read(t->tid, addr, v, sizeof v) != (ssize_t)sizeof v)
                        return;
                newmax = v[1] == 0xffffffff ? RLIM_INFINITY : v[1];
        }
        struct rlimit old;
        if (prlimit(target, (__rlimit_resource_t)res, NULL, &old) < 0)
                return;
        if (newmax > old.rlim_max) {
                json_t *in = creds_inputs(&t->p->cr);
                set_int(in, "resource", res);
                set_int(in, "old_hard", old.rlim_max == RLIM_INFINITY ? -1 : (json_int_t)old.rlim_max);
                set_int(in, "new_hard", newmax == RLIM_INFINITY ? -1 : (json_int_t)newmax);
                need(r, t, CAP_SYS_RESOURCE, sys, NULL, in, "raising the hard limit of resource %d from %llu", res,
                     (unsigned long long)old.rlim_max);
        }
}

void caps_nice(recorder *r, task *t, const char *sys)
{
        int inc = (int)t->args[0];
        if (inc < 0)
                check_nice(r, t, sys, t->tid, (int)proc_task_nice(t->tid) + inc);
}

void caps_setpriority(recorder *r, task *t, const char *sys)
{
        int which = (int)t->args[0], who = (int)t->args[1], prio = (int)t->args[2];
        if (which == PRIO_PROCESS)
                check_nice(r, t, sys, who ? who : t->tid, prio);
        else if (prio < 0) {
                json_t *in = creds_inputs(&t->p->cr);
                set_int(in, "new_nice", prio);
                need(r, t, CAP_SYS_NICE, sys, NULL, in, "negative nice value %d for a process group or user", prio);
        }
}

/* sched_setscheduler, sched_setattr */
void caps_sched(recorder *r, task *t, const char *sys)
{
        int policy, prio = 0;
        pid_t target = (pid_t)(int)t->args[0];
        if (streq(sys, "sched_setattr")) {
                uint32_t a[8];
                if (mem_read(t->tid, t->args[1], a, sizeof a) != (ssize_t)sizeof a)
                        return;
                policy = (int)a[1];
                prio = (int)a[5]; /* size, policy, flags (64-bit), nice, priority */
        } else {
                policy = (int)t->args[1] & ~0x40000000; /* SCHED_RESET_ON_FORK */
                if (t->args[2])
                        mem_read(t->tid, t->args[2], &prio, sizeof prio);
        }
        check_rt_policy(r, t, sys, target, policy, prio);
}

void caps_prctl(recorder *r, task *t, const char *sys)
{
        int opt = (int)t->args[0];
        if (opt == PR_CAPBSET_DROP)
                need(r, t, CAP_SETPCAP, sys, NULL, creds_inputs(&t->p->cr), "PR_CAPBSET_DROP of capability %d",
                     (int)t->args[1]);
        else if (opt == PR_SET_SECUREBITS)
                need(r, t, CAP_SETPCAP, sys, NULL, creds_inputs(&t->p->cr), "PR_SET_SECUREBITS");
}

/* setxattr, lsetxattr, fsetxattr */
void caps_setxattr(recorder *r, task *t, const char *sys)
{
        char name[256];
        if (mem_read_string(t->tid, t->args[1], name, sizeof name) < 0)
                return;
        const pending *pd = file_pending(t, 0);
        if (streq(name, "security.capability"))
                need(r, t, CAP_SETFCAP, sys, pd ? pd->path : NULL, creds_inputs(&t->p->cr),
                     "setting file capabilities");
        else if (startswith(name, "trusted."))
                need(r, t, CAP_SYS_ADMIN, sys, pd ? pd->path : NULL, creds_inputs(&t->p->cr), "trusted.* attribute");
}

/* Calls that need one capability whatever their arguments. */
void caps_direct(recorder *r, task *t, const char *sys)
{
        static const struct {
                const char *sys;
                int cap;
                const char *what;
        } direct[] = {
                { "syslog", CAP_SYSLOG, "kernel log" },
                { "reboot", CAP_SYS_BOOT, "reboot" },
                { "kexec_load", CAP_SYS_BOOT, "kexec" },
                { "kexec_file_load", CAP_SYS_BOOT, "kexec" },
                { "init_module", CAP_SYS_MODULE, "loading a module" },
                { "finit_module", CAP_SYS_MODULE, "loading a module" },
                { "delete_module", CAP_SYS_MODULE, "removing a module" },
                { "settimeofday", CAP_SYS_TIME, "setting the clock" },
                { "clock_settime", CAP_SYS_TIME, "setting the clock" },
                { "clock_settime64", CAP_SYS_TIME, "setting the clock" },
                { "stime", CAP_SYS_TIME, "setting the clock" },
                { "iopl", CAP_SYS_RAWIO, "I/O privilege level" },
                { "ioperm", CAP_SYS_RAWIO, "I/O port access" },
                { "acct", CAP_SYS_PACCT, "process accounting" },
                { "swapon", CAP_SYS_ADMIN, "swap" },
                { "swapoff", CAP_SYS_ADMIN, "swap" },
                { "quotactl", CAP_SYS_ADMIN, "quotas" },
                { "fanotify_init", CAP_SYS_ADMIN, "fanotify" },
                { "lookup_dcookie", CAP_SYS_ADMIN, "dcookies" },
                { "open_by_handle_at", CAP_DAC_READ_SEARCH, "opening by file handle" },
                { "vhangup", CAP_SYS_TTY_CONFIG, "hanging up the terminal" },
        };
        for (size_t i = 0; i < ELEMENTSOF(direct); i++)
                if (streq(direct[i].sys, sys))
                        need(r, t, direct[i].cap, sys, NULL, creds_inputs(&t->p->cr), "%s", direct[i].what);
}

/* adjtimex, clock_adjtime, clock_adjtime64: only a non-zero `modes`
 * changes the clock. */
void caps_adjtime(recorder *r, task *t, const char *sys)
{
        uint32_t modes = 0;
        uint64_t addr = t->args[streq(sys, "adjtimex") ? 0 : 1];
        if (mem_read(t->tid, addr, &modes, sizeof modes) == (ssize_t)sizeof modes && modes)
                need(r, t, CAP_SYS_TIME, sys, NULL, creds_inputs(&t->p->cr), "adjusting the clock");
}
