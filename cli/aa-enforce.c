/* SPDX-License-Identifier: MIT */
/* `minpriv verify --enforce` with AppArmor: load the profile, let the
 * tracer confine the workload in it, read back the kernel's denials and the
 * rules that would allow them (contract in aa-enforce.h). */
#include <ctype.h>
#include <fcntl.h>
#include <sys/apparmor.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "cli/aa-enforce.h"
#include "policy/aaglob.h"
#include "common/fileio.h"
#include "common/util.h"

#define PREFIX "minpriv-verify-"

static char *find_parser(void)
{
        const char *path = getenv("PATH");
        _cleanup_free_ char *all = xasprintf("%s:/usr/sbin:/sbin", path ? path : "/usr/bin:/bin");
        char *save = NULL;
        for (char *d = strtok_r(all, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
                _cleanup_free_ char *p = xasprintf("%s/apparmor_parser", *d ? d : ".");
                if (access(p, X_OK) == 0)
                        return xstrdup(p);
        }
        return NULL;
}

/* Run argv (stdout to /dev/null, stderr inherited); its exit status, or a
 * negative errno when it could not be run. */
static int run_quiet(char *const argv[])
{
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
                if (fd >= 0)
                        dup2(fd, STDOUT_FILENO);
                execv(argv[0], argv);
                _exit(127);
        }
        int st;
        while (waitpid(pid, &st, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The profile's name (after "profile " at the start of a line). */
static char *profile_name(const char *text, size_t *ret_off, size_t *ret_len)
{
        for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                if (!startswith(l, "profile "))
                        continue;
                const char *s = l + 8, *e = s;
                while (*e && !isspace((unsigned char)*e) && *e != '{')
                        e++;
                if (e == s)
                        return NULL;
                *ret_off = (size_t)(s - text);
                *ret_len = (size_t)(e - s);
                return xstrndup(s, (size_t)(e - s));
        }
        return NULL;
}

/* text with the profile renamed, and peer=NAME rules with it. */
static char *renamed(const char *text, size_t off, size_t len, const char *old, const char *new)
{
        strbuf sb = STRBUF_INIT;
        strbuf_add(&sb, text, off);
        strbuf_puts(&sb, new);
        const char *p = text + off + len;
        _cleanup_free_ char *peer = xasprintf("peer=%s", old);
        size_t plen = strlen(peer);
        for (const char *q; (q = strstr(p, peer));) {
                char after = q[plen];
                strbuf_add(&sb, p, (size_t)(q - p));
                if (after == ',' || after == ' ' || after == '\n' || after == ')')
                        strbuf_printf(&sb, "peer=%s", new);
                else
                        strbuf_puts(&sb, peer);
                p = q + plen;
        }
        strbuf_puts(&sb, p);
        return strbuf_steal(&sb);
}

static const char *enabled_reason(int e)
{
        switch (e) {
        case ENOSYS:
                return "the kernel has no AppArmor";
        case ECANCELED:
                return "AppArmor is built into the kernel but disabled (boot with apparmor=1 security=apparmor)";
        case ENOENT:
                return "securityfs is not mounted (mount -t securityfs securityfs /sys/kernel/security)";
        case EBUSY:
                return "AppArmor is still initialising";
        case EPERM:
        case EACCES:
                return "AppArmor's state cannot be read here (permission denied)";
        default:
                return "AppArmor's state cannot be read";
        }
}

int mp_aa_enforce_start(const char *dir, mp_aa_enforce **ret, char **why)
{
        if (!aa_is_enabled()) {
                int e = errno;
                *why = xasprintf("AppArmor not enforced: %s (aa_is_enabled: %s); apparmor.profile is checked "
                                 "against the recorded run only",
                                 enabled_reason(e), errno_name(e));
                return -(e ? e : ENOSYS);
        }
        aa_features *f = NULL;
        if (aa_features_new_from_kernel(&f) < 0) {
                int e = errno;
                *why = xasprintf("AppArmor not enforced: the kernel's AppArmor features cannot be read (%s)",
                                 errno_name(e));
                return -e;
        }
        bool onexec = aa_features_supports(f, "domain/change_onexec");
        aa_features_unref(f);
        if (!onexec) {
                *why = xstrdup("AppArmor not enforced: this kernel's AppArmor cannot change profile at exec "
                               "(no domain/change_onexec feature)");
                return -EOPNOTSUPP;
        }
        if (geteuid() != 0) {
                *why = xstrdup("AppArmor not enforced: loading a profile needs root (CAP_MAC_ADMIN)");
                return -EPERM;
        }
        _cleanup_free_ char *parser = find_parser();
        if (!parser) {
                *why = xstrdup("AppArmor not enforced: apparmor_parser not found (Debian package apparmor)");
                return -ENOENT;
        }
        _cleanup_free_ char *path = xasprintf("%s/apparmor.profile", dir);
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        int r = read_file_full(path, 16 << 20, &text, &size);
        if (r < 0) {
                _cleanup_free_ char *q = quote_for_message(path);
                *why = xasprintf("AppArmor not enforced: cannot read %s: %s", q, strerror(-r));
                return r;
        }
        size_t off, len;
        _cleanup_free_ char *orig = profile_name(text, &off, &len);
        if (!orig) {
                _cleanup_free_ char *q = quote_for_message(path);
                *why = xasprintf("AppArmor not enforced: %s has no \"profile NAME\" line", q);
                return -EINVAL;
        }
        _cleanup_free_ char *name = xasprintf(PREFIX "%s", orig);
        _cleanup_free_ char *copy = renamed(text, off, len, orig, name);
        const char *tmp = getenv("TMPDIR");
        _cleanup_free_ char *loaded = xasprintf("%s/minpriv-verify-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        int fd = mkstemp(loaded);
        if (fd < 0) {
                *why = xasprintf("AppArmor not enforced: cannot write a temporary file: %s", strerror(errno));
                return -errno;
        }
        size_t n = strlen(copy);
        bool ok = write(fd, copy, n) == (ssize_t)n;
        close(fd);
        if (!ok) {
                unlink(loaded);
                *why = xstrdup("AppArmor not enforced: cannot write a temporary file");
                return -EIO;
        }
        /* -T: never the cache, which is keyed by file name. */
        char *argv[] = { parser, "-r", "-T", "-q", loaded, NULL };
        r = run_quiet(argv);
        if (r != 0) {
                unlink(loaded);
                *why = xasprintf("AppArmor not enforced: apparmor_parser could not load the profile (%s %d)",
                                 r < 0 ? "error" : "exit status", r);
                return -EINVAL;
        }

        mp_aa_enforce *e = xcalloc(1, sizeof *e);
        e->name = steal_pointer(&name);
        e->orig_name = steal_pointer(&orig);
        e->loaded_path = steal_pointer(&loaded);
        e->parser = steal_pointer(&parser);
        e->kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (e->kmsg_fd >= 0 && lseek(e->kmsg_fd, 0, SEEK_END) < 0) {
                close(e->kmsg_fd);
                e->kmsg_fd = -1;
        }
        struct stat st;
        if (stat("/var/log/audit/audit.log", &st) == 0) {
                e->audit_log = xstrdup("/var/log/audit/audit.log");
                e->audit_offset = st.st_size;
        }
        *ret = e;
        return 0;
}

/* The value of key in an audit record (quoted or hex-encoded), or NULL. */
static char *field(const char *line, const char *key)
{
        size_t kl = strlen(key);
        for (const char *p = line; (p = strstr(p, key)); p += kl) {
                if ((p != line && p[-1] != ' ') || p[kl] != '=')
                        continue;
                const char *v = p + kl + 1;
                if (*v == '"') {
                        const char *end = strchr(v + 1, '"');
                        return end ? xstrndup(v + 1, (size_t)(end - v - 1)) : NULL;
                }
                size_t n = strcspn(v, " \n");
                /* Names with unusual bytes come hex-encoded, unquoted. */
                bool hex = n > 0 && n % 2 == 0 && (streq(key, "name") || streq(key, "comm"));
                for (size_t i = 0; hex && i < n; i++)
                        hex = isxdigit((unsigned char)v[i]) && !islower((unsigned char)v[i]);
                if (!hex)
                        return xstrndup(v, n);
                char *out = xmalloc(n / 2 + 1);
                for (size_t i = 0; i < n / 2; i++) {
                        char b[3] = { v[2 * i], v[2 * i + 1], 0 };
                        out[i] = (char)strtol(b, NULL, 16);
                }
                out[n / 2] = 0;
                return out;
        }
        return NULL;
}

/* File permission letters as a rule writes them, from a kernel mask
 * ("r", "wc", "d", "x", "m", ...): create and delete need w; exec ix. */
static void file_perms(const char *mask, char *out)
{
        bool r = strchr(mask, 'r'), w = strpbrk(mask, "wcdN"), a = strchr(mask, 'a'), m = strchr(mask, 'm');
        bool k = strchr(mask, 'k'), l = strchr(mask, 'l'), x = strchr(mask, 'x');
        char *o = out;
        if (r)
                *o++ = 'r';
        if (w)
                *o++ = 'w';
        else if (a)
                *o++ = 'a';
        if (l)
                *o++ = 'l';
        if (k)
                *o++ = 'k';
        if (x) {
                *o++ = 'i';
                *o++ = 'x';
        }
        if (m)
                *o++ = 'm';
        if (o == out)
                *o++ = 'r';
        *o = 0;
}

static char *rule_for(const char *line, char **ret_what)
{
        _cleanup_free_ char *op = field(line, "operation"), *cap = field(line, "capname");
        _cleanup_free_ char *family = field(line, "family"), *stype = field(line, "sock_type");
        _cleanup_free_ char *sig = field(line, "signal"), *peer = field(line, "peer");
        _cleanup_free_ char *name = field(line, "name"), *mask = field(line, "denied_mask");
        _cleanup_free_ char *req = field(line, "requested_mask");
        _cleanup_free_ char *fsuid = field(line, "fsuid"), *ouid = field(line, "ouid");
        if (cap) {
                *ret_what = xasprintf("capability %s", cap);
                return xasprintf("capability %s,", cap);
        }
        if (sig) {
                const char *m = mask ? mask : req ? req : "send";
                *ret_what = xasprintf("signal %s (%s) peer %s", sig, m, peer ? peer : "?");
                return xasprintf("signal (%s) set=(%s) peer=%s,", strstr(m, "receive") ? "receive" : "send", sig,
                                 peer ? peer : "unconfined");
        }
        if (op && streq(op, "ptrace")) {
                *ret_what = xasprintf("ptrace (%s) peer %s", mask ? mask : "?", peer ? peer : "?");
                return xasprintf("ptrace (%s) peer=%s,", mask ? mask : "read", peer ? peer : "unconfined");
        }
        if (family) {
                *ret_what = xasprintf("socket %s %s", family, stype ? stype : "");
                return stype ? xasprintf("network %s %s,", family, stype) : xasprintf("network %s,", family);
        }
        if (op && (streq(op, "mount") || streq(op, "umount") || streq(op, "pivotroot"))) {
                *ret_what = xasprintf("%s %s", op, name ? name : "");
                return xasprintf("%s,", streq(op, "pivotroot") ? "pivot_root" : op);
        }
        if (name) {
                char perms[16];
                file_perms(mask ? mask : req ? req : "r", perms);
                *ret_what = xasprintf("%s (%s)", name, mask ? mask : "?");
                _cleanup_free_ char *lit = mp_aa_escape_literal(name, strlen(name));
                _cleanup_free_ char *pat = mp_aa_render_pattern(lit);
                bool owner = fsuid && ouid && streq(fsuid, ouid);
                return xasprintf("%s%s %s,", owner ? "owner " : "", pat, perms);
        }
        *ret_what = xstrdup(op ? op : "?");
        return NULL;
}

static void add_denial(mp_aa_enforce *e, const char *line)
{
        _cleanup_free_ char *what = NULL;
        _cleanup_free_ char *rule = rule_for(line, &what);
        _cleanup_free_ char *op = field(line, "operation"), *comm = field(line, "comm");
        for (size_t i = 0; i < e->n; i++)
                if (streq(e->d[i].what, what) && streq(e->d[i].operation, op ? op : "?")) {
                        e->d[i].count++;
                        return;
                }
        e->d = xrealloc(e->d, (e->n + 1) * sizeof *e->d);
        _cleanup_free_ char *mask = field(line, "denied_mask");
        if (!mask)
                mask = field(line, "denied");
        e->d[e->n++] = (mp_aa_denial){ .operation = xstrdup(op ? op : "?"),
                                       .what = steal_pointer(&what),
                                       .mask = mask ? steal_pointer(&mask) : xstrdup(""),
                                       .comm = xstrdup(comm ? comm : "?"),
                                       .rule = steal_pointer(&rule),
                                       .count = 1 };
}

static bool ours(const mp_aa_enforce *e, const char *line)
{
        if (!strstr(line, "apparmor=\"DENIED\""))
                return false;
        _cleanup_free_ char *prof = field(line, "profile");
        size_t n = strlen(e->name);
        return prof && startswith(prof, e->name) && (prof[n] == 0 || startswith(prof + n, "//"));
}

static size_t read_kmsg(mp_aa_enforce *e)
{
        size_t got = 0;
        char buf[8192];
        for (;;) {
                ssize_t k = read(e->kmsg_fd, buf, sizeof buf - 1);
                if (k < 0 && errno == EPIPE)
                        continue; /* overwritten records: go on with the next */
                if (k <= 0)
                        break;
                buf[k] = 0;
                got++;
                const char *msg = strchr(buf, ';');
                if (msg && ours(e, msg + 1))
                        add_denial(e, msg + 1);
        }
        return got;
}

static int cmp_denial(const void *a, const void *b)
{
        const mp_aa_denial *x = a, *y = b;
        int c = strcmp(x->rule ? x->rule : "", y->rule ? y->rule : "");
        return c ? c : strcmp(x->what, y->what);
}

void mp_aa_enforce_finish(mp_aa_enforce *e)
{
        if (e->kmsg_fd >= 0) {
                /* kauditd prints the records after the fact: read until the
                 * log stays quiet for a while. */
                int quiet = 0;
                for (int i = 0; i < 50 && quiet < 3; i++) {
                        quiet = read_kmsg(e) ? 0 : quiet + 1;
                        nanosleep(&(struct timespec){ 0, 100 * 1000 * 1000 }, NULL);
                }
                e->source = xstrdup("/dev/kmsg");
        }
        if (e->audit_log) {
                FILE *f = fopen(e->audit_log, "re");
                if (f && fseeko(f, e->audit_offset, SEEK_SET) == 0) {
                        char *line = NULL;
                        size_t cap = 0;
                        while (getline(&line, &cap, f) > 0)
                                if (ours(e, line))
                                        add_denial(e, line);
                        free(line);
                        char *s = e->source ? xasprintf("%s and %s", e->source, e->audit_log) : xstrdup(e->audit_log);
                        free(e->source);
                        e->source = s;
                }
                if (f)
                        fclose(f);
        }
        if (e->n)
                qsort(e->d, e->n, sizeof *e->d, cmp_denial);
        char *argv[] = { e->parser, "-R", "-q", e->loaded_path, NULL };
        (void)run_quiet(argv);
}

void mp_aa_enforce_report(strbuf *out, const mp_aa_enforce *e)
{
        size_t total = 0;
        for (size_t i = 0; i < e->n; i++)
                total += e->d[i].count;
        strbuf_printf(out, "\nAppArmor, enforced by the kernel (apparmor.profile loaded as profile %s): ", e->name);
        if (!e->source) {
                strbuf_puts(out, "the kernel log could not be read (/dev/kmsg), so denials are not known.\n");
                return;
        }
        if (!total) {
                strbuf_printf(out, "no denials (read from %s).\n", e->source);
                return;
        }
        strbuf_printf(out, "%zu denial%s, %zu distinct (read from %s):\n", total, total == 1 ? "" : "s", e->n,
                      e->source);
        for (size_t i = 0; i < e->n; i++) {
                const mp_aa_denial *d = &e->d[i];
                strbuf_printf(out, "  %s %s by %s", d->operation, d->what, d->comm);
                if (d->count > 1)
                        strbuf_printf(out, ", %zu times", d->count);
                strbuf_printf(out, "\n    add: %s\n", d->rule ? d->rule : "(no rule minpriv can write for this)");
        }
}

void mp_aa_enforce_free(mp_aa_enforce *e)
{
        if (!e)
                return;
        if (e->kmsg_fd >= 0)
                close(e->kmsg_fd);
        if (e->loaded_path)
                unlink(e->loaded_path);
        for (size_t i = 0; i < e->n; i++) {
                free(e->d[i].operation);
                free(e->d[i].what);
                free(e->d[i].mask);
                free(e->d[i].comm);
                free(e->d[i].rule);
        }
        free(e->d);
        free(e->name);
        free(e->orig_name);
        free(e->loaded_path);
        free(e->parser);
        free(e->audit_log);
        free(e->source);
        free(e);
}
