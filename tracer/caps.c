/* SPDX-License-Identifier: MIT */
/* Capability inference at syscall entry: would this call need a capability,
 * given the process's credentials and the object it acts on? Each finding
 * becomes a reason under capabilities.CAP_X in the trace, with the inputs
 * that decided it; the result is added at the exit stop, so generate lists
 * only capabilities that were exercised successfully.
 *
 * What is evaluated (capabilities(7) has the kernel's full rules):
 *   CHOWN            chown to another owner, or to a group the caller is not in
 *   DAC_OVERRIDE     open/exec/create/delete that the mode bits refuse
 *   DAC_READ_SEARCH  the same when only reading or searching
 *   FOWNER           chmod/utimes with explicit times on a file not owned,
 *                    O_NOATIME, hard links refused by protected_hardlinks,
 *                    deleting another user's file in a sticky directory
 *   FSETID           chmod setting set-group-ID on a file of a foreign group
 *   SETUID/SETGID    set*id to ids the process does not have; setgroups
 *   NET_BIND_SERVICE bind below ip_unprivileged_port_start
 *   NET_RAW          SOCK_RAW (not netlink), AF_PACKET, SOCK_PACKET
 *   NET_ADMIN        SIOCSIF... and routing ioctls, SO_MARK, SO_PRIORITY > 6,
 *                    SO_*BUFFORCE, IP_TRANSPARENT
 *   MKNOD            mknod of a character or block device
 *   SYS_CHROOT       chroot
 *   KILL             a signal to a process of another user
 *   SYS_ADMIN        mount, umount, pivot_root, sethostname, setdomainname,
 *                    unshare/clone with CLONE_NEW* (not with CLONE_NEWUSER),
 *                    setns, quotactl, swapon/swapoff, fanotify_init,
 *                    lookup_dcookie, trusted.* xattrs
 *   SYS_PTRACE       ptrace attach to a process of another user or, under
 *                    Yama scope 1, to a non-descendant
 *   SYS_RESOURCE     raising a hard rlimit
 *   SYS_NICE         a negative nice change, real-time scheduling
 *   SETPCAP          PR_CAPBSET_DROP, PR_SET_SECUREBITS
 *   SETFCAP          setting security.capability
 *   others by call   SYSLOG, SYS_BOOT, SYS_MODULE, SYS_TIME, SYS_RAWIO,
 *                    SYS_PACCT, SYS_TTY_CONFIG
 * Not evaluated: search permission on intermediate directories, routing
 * netlink messages, capabilities inside user namespaces the workload made. */
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/sockios.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "internal.h"
#include "names.h"
#include "strbuf.h"

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

void caps_free(recorder *r) { hashmap_free(r->attr_cache, free); }

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

/* Owner and mode of the object a path names (symlinks followed unless
 * nofollow), cached until the tree changes. */
static const cached_attr *attr_of(recorder *r, task *t, const char *enc_path, bool nofollow)
{
        _cleanup_free_ char *key = xasprintf("%c%s", nofollow ? 'l' : 'f', enc_path);
        cached_attr *a = hashmap_get(r->attr_cache, key);
        if (a)
                return a;
        if (!t->p->root_is_ours)
                return NULL;
        _cleanup_free_ char *raw = trace_path_decode(enc_path, NULL);
        if (!raw)
                return NULL;
        static cached_attr missing;
        struct stat st;
        if ((nofollow ? lstat(raw, &st) : stat(raw, &st)) < 0)
                return &missing; /* not cached: it may be created later */
        a = xcalloc(1, sizeof *a);
        a->exists = true;
        a->uid = st.st_uid;
        a->gid = st.st_gid;
        a->mode = st.st_mode;
        hashmap_put(r->attr_cache, key, a);
        return a;
}

static const cached_attr *attr_of_parent(recorder *r, task *t, const char *enc_path)
{
        const char *slash = strrchr(enc_path, '/');
        if (!slash)
                return NULL;
        _cleanup_free_ char *dir = slash == enc_path ? xstrdup("/") : xstrndup(enc_path, (size_t)(slash - enc_path));
        return attr_of(r, t, dir, false);
}

static bool has_cap(const creds *c, int cap) { return (c->cap_eff >> cap) & 1; }

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

/* Record that `cap` is needed by this call: capabilities[cap][reason]. */
static void need(recorder *r, task *t, int cap, const char *syscall, const char *object, json_t *inputs, const char *fmt, ...)
        _printf_(7, 8);

static void need(recorder *r, task *t, int cap, const char *syscall, const char *object, json_t *inputs, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *detail = NULL;
        if (vasprintf(&detail, fmt, ap) < 0)
                abort();
        va_end(ap);
        const char *cn = cap_name(cap);
        if (!cn) {
                json_decref(inputs);
                return;
        }
        _cleanup_free_ char *reason =
                object ? xasprintf("%s %s: %s", syscall, object, detail) : xasprintf("%s: %s", syscall, detail);
        json_t *node = trace_node(r->t->root, "capabilities", cn, reason, NULL);
        if (!json_object_get(node, "syscall")) {
                json_object_set_new(node, "syscall", json_string(syscall));
                if (object)
                        json_object_set_new(node, "object", json_string(object));
                trace_child(node, "results");
                if (inputs)
                        json_object_set(node, "inputs", inputs);
                if (r->stacks) {
                        json_t *stack = stacks_capture(r, t->tid);
                        if (stack)
                                json_object_set_new(node, "stack", stack);
                }
        }
        json_decref(inputs);
        pending *pd = pend_add(t, PEND_CAP);
        if (pd)
                pd->node = node;
}

static json_t *creds_inputs(const creds *c)
{
        return json_pack("{s:I,s:I,s:I,s:I}", "uid", (json_int_t)c->uid, "euid", (json_int_t)c->euid, "fsuid",
                         (json_int_t)c->fsuid, "fsgid", (json_int_t)c->fsgid);
}

static json_t *file_inputs(const creds *c, const cached_attr *a)
{
        json_t *j = creds_inputs(c);
        json_object_set_new(j, "file_uid", json_integer(a->uid));
        json_object_set_new(j, "file_gid", json_integer(a->gid));
        char mode[16];
        snprintf(mode, sizeof mode, "%04o", a->mode & 07777);
        json_object_set_new(j, "file_mode", json_string(mode));
        return j;
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

/* The DAC check on an existing object; DAC_READ_SEARCH suffices for reads. */
static void check_dac(recorder *r, task *t, const char *sys, const pending *pd, int want, bool nofollow)
{
        const creds *c = &t->p->cr;
        if (!has_cap(c, CAP_DAC_OVERRIDE) && !has_cap(c, CAP_DAC_READ_SEARCH))
                return; /* without them a refusal is just a refusal */
        if (is_proc_or_sys(pd->path))
                return; /* permission rules of their own */
        const cached_attr *a = attr_of(r, t, pd->path, nofollow);
        if (!a || !a->exists || dac_allows(c, a, want))
                return;
        bool isdir = S_ISDIR(a->mode);
        if (want & 1 && !isdir && !(a->mode & 0111))
                return; /* no exec bit at all: even root cannot exec it */
        int cap = (want & ~4) == 0 || (isdir && !(want & 2)) ? CAP_DAC_READ_SEARCH : CAP_DAC_OVERRIDE;
        const char *what = want == 4 ? "read" : want == 1 ? "execute" : want == 2 ? "write" : "access";
        need(r, t, cap, sys, pd->path, file_inputs(c, a), "%s refused by mode %04o owner %u:%u", what, a->mode & 07777,
             a->uid, a->gid);
}

static void check_parent_write(recorder *r, task *t, const char *sys, const pending *pd, bool deleting)
{
        const creds *c = &t->p->cr;
        if (is_proc_or_sys(pd->path))
                return;
        const cached_attr *d = attr_of_parent(r, t, pd->path);
        if (!d || !d->exists)
                return;
        const char *slash = strrchr(pd->path, '/');
        _cleanup_free_ char *dir = slash == pd->path ? xstrdup("/") : xstrndup(pd->path, (size_t)(slash - pd->path));
        if ((has_cap(c, CAP_DAC_OVERRIDE) || has_cap(c, CAP_DAC_READ_SEARCH)) && !dac_allows(c, d, 3))
                need(r, t, CAP_DAC_OVERRIDE, sys, dir, file_inputs(c, d), "directory write refused by mode %04o owner %u:%u",
                     d->mode & 07777, d->uid, d->gid);
        if (deleting && (d->mode & S_ISVTX) && has_cap(c, CAP_FOWNER)) {
                const cached_attr *a = attr_of(r, t, pd->path, true);
                if (a && a->exists && a->uid != c->fsuid && d->uid != c->fsuid)
                        need(r, t, CAP_FOWNER, sys, pd->path, file_inputs(c, a),
                             "removing another user's file from sticky directory %s", dir);
        }
}

static void caps_open(recorder *r, task *t, const char *sys)
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
                        need(r, t, CAP_FOWNER, sys, pd->path, file_inputs(&t->p->cr, a), "O_NOATIME on a file not owned");
        }
}

static uint32_t id_arg(task *t, int idx, bool *unchanged)
{
        bool is16 = t->abi == TRACE_ABI_I386; /* refined by the caller for the *32 calls */
        uint32_t v = (uint32_t)t->args[idx];
        if (is16 && v == 0xffff)
                v = 0xffffffff;
        *unchanged = v == 0xffffffff;
        return v;
}

static void caps_chown(recorder *r, task *t, const char *sys)
{
        const pending *pd = file_pending(t, 0);
        if (!pd)
                return;
        int ui = streq(sys, "fchownat") ? 2 : 1;
        bool nofollow = pd->nofollow;
        const cached_attr *a = attr_of(r, t, pd->path, nofollow);
        if (!a || !a->exists)
                return;
        bool uid_same, gid_same;
        uint32_t uid = id_arg(t, ui, &uid_same);
        uint32_t gid = id_arg(t, ui + 1, &gid_same);
        if (endswith(sys, "32") || t->abi != TRACE_ABI_I386) {
                /* Only the old i386 calls carry 16-bit ids. */
                uid = (uint32_t)t->args[ui];
                gid = (uint32_t)t->args[ui + 1];
                uid_same = uid == 0xffffffff;
                gid_same = gid == 0xffffffff;
        }
        const creds *c = &t->p->cr;
        bool uid_change = !uid_same && uid != a->uid;
        bool gid_change = !gid_same && gid != a->gid;
        bool gid_ok = a->uid == c->fsuid && (gid_same || gid == a->gid || in_groups(c, gid));
        if (uid_change || (gid_change && !gid_ok) || (!uid_change && !gid_change && a->uid != c->fsuid && !uid_same)) {
                json_t *in = file_inputs(c, a);
                json_object_set_new(in, "new_uid", uid_same ? json_integer(-1) : json_integer(uid));
                json_object_set_new(in, "new_gid", gid_same ? json_integer(-1) : json_integer(gid));
                char nu[16], ng[16];
                snprintf(nu, sizeof nu, "%u", uid_same ? a->uid : uid);
                snprintf(ng, sizeof ng, "%u", gid_same ? a->gid : gid);
                need(r, t, CAP_CHOWN, sys, pd->path, in, "owner %u:%u -> %s:%s", a->uid, a->gid, nu, ng);
        }
        pend_forget(t, pd->path, false); /* owner changed: forget its cached attributes */
}

static void caps_chmod(recorder *r, task *t, const char *sys)
{
        const pending *pd = file_pending(t, 0);
        if (!pd)
                return;
        int mi = streq(sys, "fchmodat") || streq(sys, "fchmodat2") ? 2 : 1;
        uint32_t mode = (uint32_t)t->args[mi] & 07777;
        const cached_attr *a = attr_of(r, t, pd->path, false);
        if (!a || !a->exists)
                return;
        const creds *c = &t->p->cr;
        if (a->uid != c->fsuid)
                need(r, t, CAP_FOWNER, sys, pd->path, file_inputs(c, a), "chmod %04o of a file owned by %u", mode, a->uid);
        else if ((mode & S_ISGID) && !S_ISDIR(a->mode) && !in_groups(c, a->gid))
                need(r, t, CAP_FSETID, sys, pd->path, file_inputs(c, a), "set-group-ID on a file of group %u", a->gid);
        pend_forget(t, pd->path, false);
}

static void caps_utime(recorder *r, task *t, const char *sys)
{
        const pending *pd = file_pending(t, 0);
        if (!pd)
                return;
        int ti = streq(sys, "utimensat") || streq(sys, "futimesat") || streq(sys, "utimensat_time64") ? 2 : 1;
        const cached_attr *a = attr_of(r, t, pd->path, false);
        if (!a || !a->exists)
                return;
        const creds *c = &t->p->cr;
        if (a->uid == c->fsuid)
                return;
        if (t->args[ti])
                need(r, t, CAP_FOWNER, sys, pd->path, file_inputs(c, a), "setting times of a file owned by %u", a->uid);
        else if (!dac_allows(c, a, 2))
                need(r, t, CAP_DAC_OVERRIDE, sys, pd->path, file_inputs(c, a), "touching a file it cannot write");
}

static void caps_setid(recorder *r, task *t, const char *sys)
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
        bool full = endswith(sys, "32") || t->abi != TRACE_ABI_I386;
        int n = strstr(base, "setres") ? 3 : strstr(base, "setre") ? 2 : 1;
        bool needed = false;
        strbuf ids = STRBUF_INIT;
        for (int i = 0; i < n; i++) {
                uint32_t v = (uint32_t)t->args[i];
                if (!full && v == 0xffff)
                        v = 0xffffffff;
                strbuf_printf(&ids, "%s%d", i ? "," : "", v == 0xffffffff ? -1 : (int)v);
                if (v == 0xffffffff)
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
        if (!needed)
                return;
        json_t *in = creds_inputs(c);
        json_object_set_new(in, "gid", json_integer(c->gid));
        json_object_set_new(in, "egid", json_integer(c->egid));
        need(r, t, cap, base, NULL, in, "%s(%s) from %s %u/%u/%u", base, idstr, gid ? "gids" : "uids", real, eff, saved);
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
        if (ss.ss_family == AF_INET)
                port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        else if (ss.ss_family == AF_INET6)
                port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
        else
                return;
        uint32_t start = unpriv_port_start(r);
        if (port == 0 || port >= start)
                return;
        json_t *in = creds_inputs(&t->p->cr);
        json_object_set_new(in, "port", json_integer(port));
        json_object_set_new(in, "ip_unprivileged_port_start", json_integer(start));
        need(r, t, CAP_NET_BIND_SERVICE, sys, NULL, in, "bind to port %u (below %u)", port, start);
}

static void check_socket(recorder *r, task *t, const char *sys, uint64_t domain, uint64_t type, uint64_t protocol)
{
        int ty = (int)(type & 0xf);
        if (domain == AF_NETLINK)
                return;
        if (ty == SOCK_RAW || ty == SOCK_PACKET || domain == AF_PACKET) {
                const char *fn = family_name((int)domain);
                const char *tn = socktype_name(ty);
                json_t *in = json_pack("{s:I,s:I,s:I}", "domain", (json_int_t)domain, "type", (json_int_t)ty, "protocol",
                                       (json_int_t)protocol);
                need(r, t, CAP_NET_RAW, sys, NULL, in, "%s %s socket", fn ? fn : "?", tn ? tn : "?");
        }
}

static uint64_t proc_task_nice(pid_t tid)
{
        char path[64], buf[1024];
        snprintf(path, sizeof path, "/proc/%d/stat", tid);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        if (n <= 0)
                return 0;
        buf[n] = '\0';
        char *p = strrchr(buf, ')');
        if (!p)
                return 0;
        /* fields after ")" start at 3 (state); nice is field 19 */
        int field = 2;
        for (p++; *p && field < 19; p++)
                if (*p == ' ')
                        field++;
        return (uint64_t)strtol(p, NULL, 10);
}

static void check_pid_creds(recorder *r, task *t, const char *sys, int cap, pid_t target, const char *what)
{
        creds tc;
        if (target <= 0 || proc_read_creds(target, &tc, NULL, NULL) < 0)
                return;
        const creds *c = &t->p->cr;
        bool ok;
        if (cap == CAP_KILL)
                ok = c->euid == tc.suid || c->euid == tc.uid || c->uid == tc.suid || c->uid == tc.uid;
        else
                ok = c->uid == tc.uid && c->uid == tc.euid && c->uid == tc.suid && c->gid == tc.gid &&
                     c->gid == tc.egid && c->gid == tc.sgid;
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
        }
        if (ok)
                return;
        json_t *in = creds_inputs(c);
        json_object_set_new(in, "target_uid", json_integer(tc.uid));
        json_object_set_new(in, "target_euid", json_integer(tc.euid));
        need(r, t, cap, sys, NULL, in, "%s a process of uid %u", what, tc.uid);
}

void caps_entry(recorder *r, task *t, const char *sys)
{
        creds *c = &t->p->cr;
        if (!c->valid && proc_read_creds(t->tid, c, NULL, NULL) < 0)
                return;
        const char *s = sys;

        if (streq(s, "open") || streq(s, "openat") || streq(s, "openat2") || streq(s, "creat")) {
                caps_open(r, t, s);
        } else if (strstr(s, "chown")) {
                caps_chown(r, t, s);
        } else if (strstr(s, "chmod")) {
                caps_chmod(r, t, s);
        } else if (startswith(s, "utime") || streq(s, "futimesat")) {
                caps_utime(r, t, s);
        } else if (startswith(s, "set") && (strstr(s, "uid") || strstr(s, "gid"))) {
                caps_setid(r, t, s);
        } else if (startswith(s, "setgroups")) {
                need(r, t, CAP_SETGID, "setgroups", NULL, creds_inputs(c), "setting supplementary groups");
        } else if (streq(s, "mknod") || streq(s, "mknodat")) {
                const pending *pd = file_pending(t, 0);
                uint32_t mode = (uint32_t)t->args[streq(s, "mknodat") ? 2 : 1];
                if (S_ISCHR(mode) || S_ISBLK(mode))
                        need(r, t, CAP_MKNOD, s, pd ? pd->path : NULL, creds_inputs(c), "%s device node",
                             S_ISCHR(mode) ? "character" : "block");
                if (pd)
                        check_parent_write(r, t, s, pd, false);
        } else if (streq(s, "chroot")) {
                const pending *pd = file_pending(t, 0);
                need(r, t, CAP_SYS_CHROOT, s, pd ? pd->path : NULL, creds_inputs(c), "changing the root directory");
        } else if (streq(s, "mount") || streq(s, "umount") || streq(s, "umount2") || streq(s, "pivot_root")) {
                const pending *pd = file_pending(t, 0);
                need(r, t, CAP_SYS_ADMIN, s, pd ? pd->path : NULL, creds_inputs(c), "changing mounts");
        } else if (streq(s, "sethostname") || streq(s, "setdomainname")) {
                need(r, t, CAP_SYS_ADMIN, s, NULL, creds_inputs(c), "changing the %s name",
                     streq(s, "sethostname") ? "host" : "domain");
        } else if (streq(s, "unshare") || streq(s, "clone") || streq(s, "clone3")) {
                uint64_t flags = streq(s, "clone3") ? t->clone_flags : t->args[0];
                if ((flags & CLONE_NS_MASK) && !(flags & CLONE_NEWUSER)) {
                        json_t *in = creds_inputs(c);
                        char hex[32];
                        snprintf(hex, sizeof hex, "0x%llx", (unsigned long long)flags);
                        json_object_set_new(in, "flags", json_string(hex));
                        need(r, t, CAP_SYS_ADMIN, s, NULL, in, "new namespaces %s",
                             clone_ns_flags_describe(flags & CLONE_NS_MASK));
                }
        } else if (streq(s, "setns")) {
                need(r, t, CAP_SYS_ADMIN, s, NULL, creds_inputs(c), "joining a namespace");
        } else if (streq(s, "socket")) {
                check_socket(r, t, s, t->args[0], t->args[1], t->args[2]);
        } else if (streq(s, "bind")) {
                check_bind(r, t, s, t->args[1], t->args[2]);
        } else if (streq(s, "socketcall")) {
                uint32_t a[3];
                if (mem_read(t->tid, t->args[1], a, sizeof a) == (ssize_t)sizeof a) {
                        if (t->args[0] == 1)
                                check_socket(r, t, "socket", a[0], a[1], a[2]);
                        else if (t->args[0] == 2)
                                check_bind(r, t, "bind", a[1], a[2]);
                }
        } else if (streq(s, "setsockopt")) {
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
                        why = "SO_*BUFFORCE";
                else if ((level == SOL_IP && name == IP_TRANSPARENT) || (level == SOL_IPV6 && name == IPV6_TRANSPARENT))
                        why = "IP_TRANSPARENT";
                if (why)
                        need(r, t, CAP_NET_ADMIN, s, NULL, creds_inputs(c), "setsockopt %s", why);
        } else if (streq(s, "ioctl")) {
                uint32_t req = (uint32_t)t->args[1];
                bool netadmin = req == SIOCADDRT || req == SIOCDELRT || req == SIOCSIFFLAGS || req == SIOCSIFADDR ||
                                req == SIOCSIFDSTADDR || req == SIOCSIFBRDADDR || req == SIOCSIFNETMASK ||
                                req == SIOCSIFMETRIC || req == SIOCSIFMTU || req == SIOCSIFNAME ||
                                req == SIOCSIFHWADDR || req == SIOCADDMULTI || req == SIOCDELMULTI ||
                                req == SIOCDIFADDR || req == SIOCSIFHWBROADCAST || req == SIOCSIFMAP ||
                                req == SIOCSIFTXQLEN || req == SIOCSIFPFLAGS;
                if (netadmin)
                        need(r, t, CAP_NET_ADMIN, s, NULL, creds_inputs(c), "network configuration ioctl 0x%x", req);
        } else if (streq(s, "kill") || streq(s, "tkill") || streq(s, "tgkill") || streq(s, "rt_sigqueueinfo") ||
                   streq(s, "rt_tgsigqueueinfo")) {
                bool tg = streq(s, "tgkill") || streq(s, "rt_tgsigqueueinfo");
                pid_t target = (pid_t)(int)t->args[tg ? 1 : 0];
                int sig = (int)t->args[tg ? 2 : 1];
                if (sig != 0 && target > 0 && target != t->p->tgid)
                        check_pid_creds(r, t, s, CAP_KILL, target, "signalling");
        } else if (streq(s, "ptrace")) {
                long req = (long)t->args[0];
                if (req == PTRACE_ATTACH || req == PTRACE_SEIZE)
                        check_pid_creds(r, t, s, CAP_SYS_PTRACE, (pid_t)(int)t->args[1], "tracing");
        } else if (streq(s, "setrlimit") || streq(s, "prlimit64")) {
                bool pl = streq(s, "prlimit64");
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
                        json_t *in = creds_inputs(c);
                        json_object_set_new(in, "resource", json_integer(res));
                        json_object_set_new(in, "old_hard", json_integer((json_int_t)old.rlim_max));
                        json_object_set_new(in, "new_hard", json_integer((json_int_t)newmax));
                        need(r, t, CAP_SYS_RESOURCE, s, NULL, in, "raising hard limit of resource %d", res);
                }
        } else if (streq(s, "nice")) {
                if ((int)t->args[0] < 0)
                        need(r, t, CAP_SYS_NICE, s, NULL, creds_inputs(c), "negative nice increment");
        } else if (streq(s, "setpriority")) {
                int which = (int)t->args[0], who = (int)t->args[1], prio = (int)t->args[2];
                if (which == PRIO_PROCESS && (who == 0 || who == t->tid)) {
                        int cur = (int)proc_task_nice(t->tid);
                        if (prio < cur)
                                need(r, t, CAP_SYS_NICE, s, NULL, creds_inputs(c), "lowering nice from %d to %d", cur,
                                     prio);
                } else if (prio < 0) {
                        need(r, t, CAP_SYS_NICE, s, NULL, creds_inputs(c), "negative nice value %d", prio);
                }
        } else if (streq(s, "sched_setscheduler") || streq(s, "sched_setattr")) {
                int policy;
                if (streq(s, "sched_setattr")) {
                        uint32_t a[2];
                        if (mem_read(t->tid, t->args[1], a, sizeof a) != (ssize_t)sizeof a)
                                return;
                        policy = (int)a[1];
                } else {
                        policy = (int)t->args[1] & ~0x40000000; /* SCHED_RESET_ON_FORK */
                }
                if (policy == 1 || policy == 2 || policy == 6) /* FIFO, RR, DEADLINE */
                        need(r, t, CAP_SYS_NICE, s, NULL, creds_inputs(c), "real-time scheduling policy %d", policy);
        } else if (streq(s, "prctl")) {
                int opt = (int)t->args[0];
                if (opt == PR_CAPBSET_DROP)
                        need(r, t, CAP_SETPCAP, s, NULL, creds_inputs(c), "PR_CAPBSET_DROP");
                else if (opt == PR_SET_SECUREBITS)
                        need(r, t, CAP_SETPCAP, s, NULL, creds_inputs(c), "PR_SET_SECUREBITS");
        } else if (strstr(s, "setxattr")) {
                char name[256];
                if (mem_read_string(t->tid, t->args[1], name, sizeof name) < 0)
                        return;
                const pending *pd = file_pending(t, 0);
                if (streq(name, "security.capability"))
                        need(r, t, CAP_SETFCAP, s, pd ? pd->path : NULL, creds_inputs(c), "setting file capabilities");
                else if (startswith(name, "trusted."))
                        need(r, t, CAP_SYS_ADMIN, s, pd ? pd->path : NULL, creds_inputs(c), "trusted.* attribute");
        } else if (streq(s, "link") || streq(s, "linkat")) {
                const pending *old = file_pending(t, 0);
                if (!old || !r->protected_hardlinks)
                        return;
                const cached_attr *a = attr_of(r, t, old->path, old->nofollow);
                if (!a || !a->exists || a->uid == c->fsuid)
                        return;
                bool safe = S_ISREG(a->mode) && !(a->mode & S_ISUID) &&
                            !((a->mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP)) && dac_allows(c, a, 6);
                if (!safe)
                        need(r, t, CAP_FOWNER, s, old->path, file_inputs(c, a), "hard link to a file owned by %u",
                             a->uid);
        } else if (streq(s, "access") || streq(s, "faccessat") || streq(s, "faccessat2")) {
                /* Queries: they report, they do not exercise a privilege. */
        } else {
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
                        if (streq(direct[i].sys, s))
                                need(r, t, direct[i].cap, s, NULL, creds_inputs(c), "%s", direct[i].what);
                if (streq(s, "adjtimex") || startswith(s, "clock_adjtime")) {
                        /* Only a non-zero `modes` changes the clock. */
                        uint32_t modes = 0;
                        uint64_t addr = t->args[streq(s, "adjtimex") ? 0 : 1];
                        if (mem_read(t->tid, addr, &modes, sizeof modes) == (ssize_t)sizeof modes && modes)
                                need(r, t, CAP_SYS_TIME, s, NULL, creds_inputs(c), "adjusting the clock");
                }
        }
        /* Creating or removing names needs write access to the directory. */
        if (streq(s, "mkdir") || streq(s, "mkdirat") || streq(s, "symlink") || streq(s, "symlinkat") ||
            streq(s, "link") || streq(s, "linkat")) {
                const pending *pd = file_pending(t, streq(s, "link") || streq(s, "linkat") ? 1 : 0);
                if (pd)
                        check_parent_write(r, t, s, pd, false);
        } else if (streq(s, "unlink") || streq(s, "unlinkat") || streq(s, "rmdir") || startswith(s, "rename")) {
                for (int i = 0; i < 2; i++) {
                        const pending *pd = file_pending(t, i);
                        if (pd)
                                check_parent_write(r, t, s, pd, true);
                }
        } else if (streq(s, "execve") || streq(s, "execveat")) {
                const pending *pd = file_pending(t, 0);
                if (pd)
                        check_dac(r, t, s, pd, 1, false);
        }
}
