/* SPDX-License-Identifier: MIT */
/* A tests-only helper: read an AppArmor profile with minpriv's reader and
 * answer access questions with its matcher, one a line on stdin:
 *
 *   file PERMS OWNER HEXPATH      PERMS: AppArmor letters (r, w, ix, ...);
 *                                 OWNER: 1 if the process owns the file;
 *                                 HEXPATH: the raw path bytes in hex
 *   capability NAME               AppArmor spelling (net_bind_service)
 *   network FAMILY TYPE           inet stream
 *   unix ACCESS TYPE|- HEXADDR|-  unix create stream -
 *   signal ACCESS SIGNAL PEER|-   signal send term minpriv-x
 *   ptrace ACCESS PEER|-
 *   mount KEYWORD                 mount, umount, pivot_root
 *
 * Each answer is "allow" or "deny" on its own line. `aa_check --dump FILE`
 * prints the rules it read (kind, qualifiers, text). Exit 2 when the
 * profile cannot be read (the message names file:line:column). */
#include <stdio.h>

#include "policy/apparmor-profile.h"

static char *unhex(const char *s, size_t *ret_len)
{
        if (streq(s, "-"))
                return NULL;
        size_t n = strlen(s) / 2;
        char *out = xmalloc(n + 1);
        for (size_t i = 0; i < n; i++) {
                unsigned v;
                if (sscanf(s + 2 * i, "%2x", &v) != 1) {
                        free(out);
                        return NULL;
                }
                out[i] = (char)v;
        }
        out[n] = 0;
        *ret_len = n;
        return out;
}

static const char *opt(const char *s)
{
        return streq(s, "-") ? NULL : s;
}

static int answer(const aa_profile *p, char *line)
{
        char *argv[6] = { 0 };
        int argc = 0;
        for (char *tok = strtok(line, " \t\n"); tok && argc < 6; tok = strtok(NULL, " \t\n"))
                argv[argc++] = tok;
        if (argc == 0)
                return 0;
        bool ok;
        if (streq(argv[0], "file") && argc == 4) {
                unsigned perms;
                char mode[4];
                if (aa_perms_parse(argv[1], strlen(argv[1]), &perms, mode, NULL) < 0)
                        return -EINVAL;
                size_t len = 0;
                _cleanup_free_ char *path = unhex(argv[3], &len);
                if (!path)
                        return -EINVAL;
                ok = aa_profile_allows_file(p, path, len, perms, streq(argv[2], "1"));
        } else if (streq(argv[0], "capability") && argc == 2) {
                ok = aa_profile_allows_capability(p, argv[1]);
        } else if (streq(argv[0], "network") && argc == 3) {
                ok = aa_profile_allows_network(p, argv[1], opt(argv[2]));
        } else if (streq(argv[0], "unix") && argc == 4) {
                size_t len = 0;
                _cleanup_free_ char *addr = unhex(argv[3], &len);
                /* NUL bytes of an abstract name as the reader wants them */
                _cleanup_free_ char *text = addr ? xcalloc(4 * len + 1, 1) : NULL;
                for (size_t i = 0, o = 0; addr && i < len; i++) {
                        if (addr[i])
                                text[o++] = addr[i];
                        else
                                o += (size_t)sprintf(text + o, "\\000");
                }
                ok = aa_profile_allows_unix(p, argv[1], opt(argv[2]), text);
        } else if (streq(argv[0], "signal") && argc == 4) {
                ok = aa_profile_allows_signal(p, argv[1], argv[2], opt(argv[3]));
        } else if (streq(argv[0], "ptrace") && argc == 3) {
                ok = aa_profile_allows_ptrace(p, argv[1], opt(argv[2]));
        } else if (streq(argv[0], "mount") && argc == 2) {
                ok = aa_profile_allows_mount(p, argv[1]);
        } else {
                return -EINVAL;
        }
        puts(ok ? "allow" : "deny");
        return 0;
}

int main(int argc, char **argv)
{
        bool dump = argc == 3 && streq(argv[1], "--dump");
        if (argc != 2 && !dump) {
                fprintf(stderr, "usage: aa_check [--dump] PROFILE < QUERIES\n");
                return 2;
        }
        const char *path = argv[argc - 1];
        mp_error err = { 0 };
        _cleanup_aa_profile_ aa_profile *p = NULL;
        if (aa_profile_load(path, &p, &err) < 0) {
                char buf[1024];
                mp_error_format(&err, buf, sizeof buf);
                fprintf(stderr, "aa_check: %s\n", buf);
                return 2;
        }
        if (dump) {
                printf("profile %s\n", p->name);
                for (size_t i = 0; i < p->n_rules; i++) {
                        const aa_rule *r = &p->rules[i];
                        printf("%d:%d %s%s%s%s %s\n", r->line, r->column, r->audit ? "audit " : "",
                               r->deny ? "deny " : "", r->owner ? "owner " : "", aa_rule_kind_name(r->kind), r->text);
                }
                return 0;
        }
        char *line = NULL;
        size_t cap = 0;
        int lineno = 0;
        while (getline(&line, &cap, stdin) > 0) {
                lineno++;
                if (answer(p, line) < 0) {
                        fprintf(stderr, "aa_check: bad query on line %d\n", lineno);
                        free(line);
                        return 2;
                }
        }
        free(line);
        fflush(stdout);
        return 0;
}
