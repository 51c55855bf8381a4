/* SPDX-License-Identifier: MIT */
/* Dockerfile parsing and checks; see dockerfile.h for the contract.
 *
 * Which stages ship: the final stage and, through `FROM <stage>`, the
 * stages it is built on. Build tools, package caches, USER and baked-in
 * secrets are judged on those; a build stage only gets notes. */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>

#include "common/fileio.h"
#include "generator/dockerfile.h"
#include "trace/read.h"

#define MAX_DOCKERFILE (4u << 20)

const char *const gen_df_checks[] = {
        "base image not pinned", "no non-root USER",   "build tools in the final image", "secret baked in",
        "ADD from a URL",        "package cache kept", "privileged-style advice",        NULL,
};
enum { C_PIN, C_USER, C_TOOLS, C_SECRET, C_ADDURL, C_CACHE, C_PRIV };

typedef struct instr {
        int line;
        char cmd[16];
        char *args;   /* continuation removed, trimmed */
        char **words; /* exec form array or whitespace-split shell words */
        bool json;
        int stage;
} instr;

typedef struct stage {
        int line;
        char *image; /* as written, ARGs substituted */
        char *name;  /* AS name, lower case, or NULL */
        int parent;  /* index of the stage it is built FROM, or -1 */
        bool ships;
} stage;

typedef struct comment {
        int line;
        char *text;
} comment;

typedef struct parsed {
        instr *in;
        size_t nin;
        stage *st;
        size_t nst;
        comment *cm;
        size_t ncm;
} parsed;

static const char *const instructions[] = { "ADD",        "ARG",     "CMD",     "COPY",        "ENTRYPOINT",
                                            "ENV",        "EXPOSE",  "FROM",    "HEALTHCHECK", "LABEL",
                                            "MAINTAINER", "ONBUILD", "RUN",     "SHELL",       "STOPSIGNAL",
                                            "USER",       "VOLUME",  "WORKDIR", NULL };

static void parsed_free(parsed *p)
{
        for (size_t i = 0; i < p->nin; i++) {
                free(p->in[i].args);
                strv_free(p->in[i].words);
        }
        for (size_t i = 0; i < p->nst; i++) {
                free(p->st[i].image);
                free(p->st[i].name);
        }
        for (size_t i = 0; i < p->ncm; i++)
                free(p->cm[i].text);
        free(p->in);
        free(p->st);
        free(p->cm);
}

/* White space is what Docker's parser takes for it ([\t\v\f\r ], and the
 * newline): the same characters trim a line, end the instruction's name
 * and split its words. */
static char *trim(char *s)
{
        while (isspace((unsigned char)*s))
                s++;
        size_t n = strlen(s);
        while (n && isspace((unsigned char)s[n - 1]))
                s[--n] = '\0';
        return s;
}

/* Whitespace-split words, single and double quotes grouping (no escapes
 * beyond a backslash before a quote): enough for flags, paths and names. */
static char **split_words(const char *s)
{
        char **v = xcalloc(1, sizeof *v);
        size_t n = 0;
        while (*s) {
                while (isspace((unsigned char)*s))
                        s++;
                if (!*s)
                        break;
                strbuf w = STRBUF_INIT;
                char q = 0;
                for (; *s && (q || !isspace((unsigned char)*s)); s++) {
                        if (q && *s == q)
                                q = 0;
                        else if (!q && (*s == '"' || *s == '\''))
                                q = *s;
                        else if (*s == '\\' && (s[1] == '"' || s[1] == '\''))
                                strbuf_putc(&w, *++s);
                        else
                                strbuf_putc(&w, *s);
                }
                v = xrealloc(v, (n + 2) * sizeof *v);
                v[n++] = w.buf ? strbuf_steal(&w) : xstrdup("");
                v[n] = NULL;
        }
        return v;
}

static bool json_words(const char *args, char ***ret)
{
        if (args[0] != '[')
                return false;
        json_auto_t *j = json_loads(args, JSON_DECODE_ANY, NULL);
        if (!json_is_array(j))
                return false;
        size_t n = json_array_size(j);
        char **v = xcalloc(n + 1, sizeof *v);
        for (size_t i = 0; i < n; i++) {
                const char *s = json_string_value(json_array_get(j, i));
                if (!s) {
                        strv_free(v);
                        return false;
                }
                v[i] = xstrdup(s);
        }
        *ret = v;
        return true;
}

/* A heredoc: << followed by an optional '-' and a word or a quote (not the
 * here-string <<<). */
static bool has_heredoc(const char *s)
{
        for (const char *p = strstr(s, "<<"); p; p = strstr(p + 2, "<<")) {
                if (p > s && p[-1] == '<')
                        continue;
                const char *q = p + 2;
                if (*q == '<')
                        continue;
                if (*q == '-')
                        q++;
                if (isalpha((unsigned char)*q) || *q == '_' || *q == '"' || *q == '\'')
                        return true;
        }
        return false;
}

static char *lower(const char *s)
{
        char *r = xstrdup(s);
        for (char *p = r; *p; p++)
                *p = (char)tolower((unsigned char)*p);
        return r;
}

/* Substitute $NAME and ${NAME} (and ${NAME:-default}) from the global ARG
 * defaults; unknown names stay as written. */
static char *substitute(const char *s, char **names, char **values)
{
        strbuf sb = STRBUF_INIT;
        while (*s) {
                if (*s != '$') {
                        strbuf_putc(&sb, *s++);
                        continue;
                }
                const char *start = s++;
                bool brace = *s == '{';
                if (brace)
                        s++;
                const char *n0 = s;
                while (isalnum((unsigned char)*s) || *s == '_')
                        s++;
                size_t len = (size_t)(s - n0);
                const char *dflt = NULL;
                size_t dlen = 0;
                if (brace) {
                        if (startswith(s, ":-")) {
                                dflt = s + 2;
                                const char *e = strchr(dflt, '}');
                                dlen = e ? (size_t)(e - dflt) : strlen(dflt);
                                s = dflt + dlen;
                        }
                        if (*s != '}') {
                                strbuf_add(&sb, start, (size_t)(s - start));
                                continue;
                        }
                        s++;
                }
                const char *val = NULL;
                for (size_t i = 0; names[i]; i++)
                        if (strlen(names[i]) == len && strncmp(names[i], n0, len) == 0)
                                val = values[i];
                if (val)
                        strbuf_puts(&sb, val);
                else if (dflt)
                        strbuf_add(&sb, dflt, dlen);
                else
                        strbuf_add(&sb, start, (size_t)(s - start));
        }
        return sb.buf ? strbuf_steal(&sb) : xstrdup("");
}

static int add_instr(parsed *p, const char *path, int line, char *text, char **gnames, char **gvalues, mp_error *err)
{
        size_t len = 0; /* the instruction's name */
        while (text[len] && !isspace((unsigned char)text[len]))
                len++;
        char cmd[16] = "";
        size_t k = len < sizeof cmd ? len : sizeof cmd - 1;
        for (size_t i = 0; i < k; i++)
                cmd[i] = (char)toupper((unsigned char)text[i]);
        cmd[k] = '\0';
        bool known = false;
        for (size_t i = 0; instructions[i]; i++)
                if (streq(cmd, instructions[i]))
                        known = true;
        if (!known) {
                _cleanup_free_ char *word = xstrndup(text, len);
                _cleanup_free_ char *q = quote_for_message(word);
                return mp_error_set_at(err, -EINVAL, path, line, 0, "unknown instruction %s", q);
        }
        /* trimmed of the white space that splits words: a shell form
         * has a first word for every check below */
        char *args = trim(text + len);
        if (!*args)
                return mp_error_set_at(err, -EINVAL, path, line, 0, "%s needs arguments", cmd);
        if (!p->nst && !streq(cmd, "FROM") && !streq(cmd, "ARG"))
                return mp_error_set_at(err, -EINVAL, path, line, 0, "%s before the first FROM", cmd);
        if ((streq(cmd, "RUN") || streq(cmd, "COPY") || streq(cmd, "ADD")) && has_heredoc(args))
                return mp_error_set_at(err, -ENOTSUP, path, line, 0,
                                       "heredocs (<<EOF) are not supported; write the file with COPY or printf");
        instr in = { .line = line, .args = xstrdup(args), .stage = (int)p->nst - 1 };
        memcpy(in.cmd, cmd, sizeof cmd);
        static const char *const exec_form[] = { "RUN", "CMD", "ENTRYPOINT", "SHELL", "COPY", "ADD", "VOLUME", NULL };
        bool may_json = false;
        for (size_t i = 0; exec_form[i]; i++)
                if (streq(cmd, exec_form[i]))
                        may_json = true;
        in.json = may_json && json_words(args, &in.words);
        if (!in.json)
                in.words = split_words(args);
        if (streq(cmd, "SHELL") && !in.json) {
                free(in.args);
                strv_free(in.words);
                return mp_error_set_at(err, -EINVAL, path, line, 0, "SHELL needs a JSON array of strings");
        }
        if (streq(cmd, "FROM")) {
                char **w = in.words;
                while (*w && startswith(*w, "--"))
                        w++;
                size_t n = 0;
                while (w[n])
                        n++;
                if (n != 1 && !(n == 3 && strcasecmp(w[1], "AS") == 0)) {
                        free(in.args);
                        strv_free(in.words);
                        return mp_error_set_at(err, -EINVAL, path, line, 0, "FROM needs IMAGE [AS NAME]");
                }
                stage s = { .line = line, .image = substitute(w[0], gnames, gvalues), .parent = -1 };
                if (n == 3)
                        s.name = lower(w[2]);
                _cleanup_free_ char *li = lower(s.image);
                for (size_t i = 0; i < p->nst; i++)
                        if (p->st[i].name && streq(p->st[i].name, li))
                                s.parent = (int)i;
                p->st = xrealloc(p->st, (p->nst + 1) * sizeof *p->st);
                p->st[p->nst++] = s;
                in.stage = (int)p->nst - 1;
        }
        p->in = xrealloc(p->in, (p->nin + 1) * sizeof *p->in);
        p->in[p->nin++] = in;
        return 0;
}

static int parse(const char *path, char *data, size_t size, parsed *p, mp_error *err)
{
        if (memchr(data, '\0', size))
                return mp_error_set(err, -EINVAL, path, "not a text file (NUL bytes)");
        char escape = '\\';
        bool directives = true; /* parser directives only come first */
        strbuf cur = STRBUF_INIT;
        int cur_line = 0;
        int line = 0;
        char **gnames = xcalloc(1, sizeof *gnames), **gvalues = xcalloc(1, sizeof *gvalues);
        size_t ng = 0;
        int r = 0;
        for (char *s = data, *next; s && *s && r == 0; s = next) {
                next = strchr(s, '\n');
                if (next)
                        *next++ = '\0';
                line++;
                /* a continuation: the escape character, then only spaces
                 * and tabs (Docker's `\\[ \t]*$`, after the line's end
                 * of \r\n), read before trim takes form feeds too */
                size_t e = strlen(s);
                while (e && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r'))
                        e--;
                bool cont = e && s[e - 1] == escape;
                char *t = trim(s);
                if (*t == '#') {
                        if (directives && !cur_line) {
                                char *d = trim(t + 1);
                                if (strncasecmp(d, "escape", 6) == 0 && trim(d + 6)[0] == '=') {
                                        char *v = trim(trim(d + 6) + 1);
                                        if (!streq(v, "\\") && !streq(v, "`")) {
                                                r = mp_error_set_at(err, -EINVAL, path, line, 0,
                                                                    "the escape directive takes \\ or `");
                                                break;
                                        }
                                        escape = v[0];
                                        continue;
                                }
                                if (strchr(d, '=') && !strchr(d, ' '))
                                        continue; /* syntax= or check= */
                        }
                        directives = false;
                        if (!cur_line) {
                                p->cm = xrealloc(p->cm, (p->ncm + 1) * sizeof *p->cm);
                                p->cm[p->ncm++] = (comment){ line, xstrdup(trim(t + 1)) };
                        }
                        continue;
                }
                directives = false;
                if (!*t)
                        continue;
                size_t n = strlen(t);
                if (cont)
                        t[--n] = '\0'; /* (the escape: trim kept it, and took what followed) */
                if (!cur_line)
                        cur_line = line;
                else
                        strbuf_putc(&cur, ' ');
                strbuf_puts(&cur, t);
                if (cont)
                        continue;
                char *text = strbuf_steal(&cur);
                r = add_instr(p, path, cur_line, text, gnames, gvalues, err);
                if (r == 0 && p->nst == 0 && streq(p->in[p->nin - 1].cmd, "ARG")) {
                        for (char **w = p->in [p->nin - 1].words; *w; w++) {
                                char *eq = strchr(*w, '=');
                                gnames = xrealloc(gnames, (ng + 2) * sizeof *gnames);
                                gvalues = xrealloc(gvalues, (ng + 2) * sizeof *gvalues);
                                gnames[ng] = eq ? xstrndup(*w, (size_t)(eq - *w)) : xstrdup(*w);
                                gvalues[ng] = eq ? xstrdup(eq + 1) : NULL;
                                ng++;
                                gnames[ng] = gvalues[ng] = NULL;
                        }
                }
                free(text);
                cur_line = 0;
        }
        if (r == 0 && cur_line)
                r = mp_error_set_at(
                        err, -EINVAL, path, cur_line, 0,
                        "the instruction starting here ends with a line continuation at the end of the file");
        if (r == 0 && !p->nst)
                r = mp_error_set(err, -EINVAL, path, "no FROM instruction");
        strbuf_free(&cur);
        for (size_t i = 0; i < ng; i++) {
                free(gnames[i]);
                free(gvalues[i]);
        }
        free(gnames);
        free(gvalues);
        return r;
}

/* ------------------------------------------------------------ checks */

typedef struct checker {
        gen_dockerfile *df;
        const parsed *p;
        char **ran; /* basenames of programs executed in the trace */
        size_t nran;
        char *const *caps;
} checker;

static void finding(checker *c, int line, int check, bool flagged, const char *fmt, ...) _printf_(5, 6);
static void finding(checker *c, int line, int check, bool flagged, const char *fmt, ...)
{
        gen_dockerfile *df = c->df;
        va_list ap;
        va_start(ap, fmt);
        char *s = NULL;
        if (vasprintf(&s, fmt, ap) < 0)
                abort();
        va_end(ap);
        df->findings = xrealloc(df->findings, (df->n + 1) * sizeof *df->findings);
        df->findings[df->n] = (gen_df_finding){
                .line = line, .check = gen_df_checks[check], .flagged = flagged, .text = s, .order = (int)df->n
        };
        df->n++;
}

static void check_pin(checker *c)
{
        for (size_t i = 0; i < c->p->nst; i++) {
                const stage *s = &c->p->st[i];
                if (s->parent >= 0 || strcasecmp(s->image, "scratch") == 0)
                        continue;
                if (strchr(s->image, '$')) {
                        finding(c, s->line, C_PIN, false,
                                "`%s` comes from a build argument without a default; it cannot be checked here, pin "
                                "what is passed (a digest at best)",
                                s->image);
                        continue;
                }
                if (strstr(s->image, "@sha256:"))
                        continue;
                const char *slash = strrchr(s->image, '/');
                const char *colon = strrchr(slash ? slash : s->image, ':');
                if (!colon) {
                        finding(c, s->line, C_PIN, true,
                                "`%s` has no tag, so Docker takes `:latest`, whatever it is today: pin a minor "
                                "version at least (`%s:X.Y`), a digest at best (`%s@sha256:…`)",
                                s->image, s->image, s->image);
                        continue;
                }
                _cleanup_free_ char *repo = xstrndup(s->image, (size_t)(colon - s->image));
                const char *tag = colon + 1;
                bool minor = false;
                for (const char *q = tag; *q; q++)
                        if (isdigit((unsigned char)*q) && q[1] == '.' && isdigit((unsigned char)q[2]))
                                minor = true;
                if (streq(tag, "latest"))
                        finding(c, s->line, C_PIN, true,
                                "`%s` uses `:latest`, which moves: pin a minor version at least, a digest at best "
                                "(`%s@sha256:…`)",
                                s->image, repo);
                else if (!minor)
                        finding(c, s->line, C_PIN, true,
                                "`%s`: the tag `%s` is not a version number and moves: pin a minor version at least "
                                "(`%s:X.Y`), a digest at best",
                                s->image, tag, repo);
                else
                        finding(c, s->line, C_PIN, false,
                                "`%s` is pinned to a version tag; a digest (`%s@sha256:…`) makes rebuilds "
                                "reproducible (update it deliberately, e.g. with Renovate or Dependabot)",
                                s->image, s->image);
        }
}

static void check_user(checker *c)
{
        const parsed *p = c->p;
        int last = -1;
        for (size_t i = 0; i < p->nin; i++)
                if (streq(p->in[i].cmd, "USER") && p->st[p->in[i].stage].ships)
                        last = (int)i; /* parents come earlier in the file */
        const stage *fin = &p->st[p->nst - 1];
        if (last < 0) {
                finding(c, fin->line, C_USER, true,
                        "the final stage sets no USER, so the container runs as root: add `USER 65534:65534` (or a "
                        "dedicated user) at its end; section 1 says whether the workload allows it");
                return;
        }
        const instr *u = &p->in[last];
        _cleanup_free_ char *user = xstrndup(u->words[0], strcspn(u->words[0], ":"));
        if (streq(user, "root") || streq(user, "0"))
                finding(c, u->line, C_USER, true,
                        "the final stage ends as `USER %s`: switch to a non-root user after the steps that need root",
                        u->words[0]);
        else if (strchr(user, '$'))
                finding(c, u->line, C_USER, false, "`USER %s` comes from a build argument: make sure it is not root",
                        u->words[0]);
}

typedef struct tool {
        const char *pkg;
        const char *progs[4];
} tool;

static const tool tools[] = {
        { "autoconf", { "autoconf" } },
        { "automake", { "automake" } },
        { "binutils", { "ld", "as" } },
        { "build-base", { "gcc", "make" } },
        { "build-essential", { "gcc", "g++", "make" } },
        { "cargo", { "cargo" } },
        { "clang", { "clang" } },
        { "cmake", { "cmake" } },
        { "g++", { "g++", "c++" } },
        { "gcc", { "gcc", "cc" } },
        { "gcc-c++", { "g++", "c++" } },
        { "gfortran", { "gfortran" } },
        { "git", { "git" } },
        { "go", { "go" } },
        { "golang", { "go" } },
        { "libtool", { "libtool" } },
        { "llvm", { "llc" } },
        { "make", { "make" } },
        { "meson", { "meson" } },
        { "nasm", { "nasm" } },
        { "ninja-build", { "ninja" } },
        { "pkg-config", { "pkg-config" } },
        { "pkgconf", { "pkgconf", "pkg-config" } },
        { "rustc", { "rustc" } },
};

static bool prog_ran(const checker *c, const char *prog)
{
        size_t n = c->nran;
        char **ran = c->ran;
        bool hit = false;
        size_t pl = strlen(prog);
        for (size_t i = 0; i < n && !hit; i++) {
                const char *b = ran[i];
                if (streq(b, prog) || (startswith(b, prog) && b[pl] == '-'))
                        hit = true;
                const char *d = strstr(b, prog);
                if (d && d > b && d[-1] == '-' && (d[pl] == '\0' || d[pl] == '-'))
                        hit = true;
        }
        return hit;
}

/* Package-manager commands in a RUN: each segment between ;, &&, || and |
 * whose words start with a manager and its install verb. */
typedef enum mgr { M_NONE, M_APT, M_APK, M_YUM, M_PIP } mgr;

static mgr manager(char **w, size_t *ret_verb)
{
        size_t i = 0;
        while (w[i] && (streq(w[i], "sudo") || strchr(w[i], '=')))
                i++;
        if (!w[i] || !w[i + 1])
                return M_NONE;
        const char *m = w[i];
        const char *b = strrchr(m, '/');
        m = b ? b + 1 : m;
        /* the verb may follow options (apt-get -y install) */
        for (size_t j = i + 1; w[j]; j++) {
                if (w[j][0] == '-')
                        continue;
                *ret_verb = j;
                if ((streq(m, "apt-get") || streq(m, "apt") || streq(m, "aptitude")) && streq(w[j], "install"))
                        return M_APT;
                if (streq(m, "apk") && streq(w[j], "add"))
                        return M_APK;
                if ((streq(m, "yum") || streq(m, "dnf") || streq(m, "microdnf") || streq(m, "zypper")) &&
                    streq(w[j], "install"))
                        return M_YUM;
                if ((streq(m, "pip") || streq(m, "pip3")) && streq(w[j], "install"))
                        return M_PIP;
                return M_NONE;
        }
        return M_NONE;
}

static char **segments(const instr *in)
{
        /* Rebuild the command text and cut it at shell separators. */
        strbuf sb = STRBUF_INIT;
        if (in->json) {
                for (char **w = in->words; *w; w++) {
                        strbuf_puts(&sb, *w);
                        strbuf_putc(&sb, ' ');
                }
        } else {
                strbuf_puts(&sb, in->args);
        }
        _cleanup_free_ char *s = sb.buf ? strbuf_steal(&sb) : xstrdup("");
        for (char *q = s; *q; q++)
                if (*q == ';' || *q == '&' || *q == '|' || *q == '(' || *q == ')')
                        *q = '\n';
        char **v = xcalloc(1, sizeof *v);
        size_t n = 0;
        for (char *tok = strtok(s, "\n"); tok; tok = strtok(NULL, "\n")) {
                v = xrealloc(v, (n + 2) * sizeof *v);
                v[n++] = xstrdup(tok);
                v[n] = NULL;
        }
        return v;
}

static void check_run(checker *c, const instr *in)
{
        bool ships = c->p->st[in->stage].ships;
        _cleanup_strv_free_ char **segs = segments(in);
        const char *text = in->args;
        bool cache_mount = strstr(text, "--mount=type=cache") != NULL;
        strbuf toolsb = STRBUF_INIT;
        size_t ntools = 0;
        bool apt = false, apk = false, yum = false, pip = false;
        for (char **sg = segs; *sg; sg++) {
                _cleanup_strv_free_ char **w = split_words(*sg);
                size_t verb = 0;
                mgr m = manager(w, &verb);
                if (m == M_NONE)
                        continue;
                apt |= m == M_APT;
                apk |= m == M_APK;
                yum |= m == M_YUM;
                pip |= m == M_PIP;
                if (m == M_PIP)
                        continue;
                for (size_t j = verb + 1; w[j]; j++) {
                        if (w[j][0] == '-' || w[j][0] == '$')
                                continue;
                        _cleanup_free_ char *pkg = xstrndup(w[j], strcspn(w[j], "=:"));
                        if (m == M_APK || m == M_YUM) {
                                /* apk foo~1, yum foo-1.2 are rare; strip apk's =,~ forms only */
                                pkg[strcspn(pkg, "~<>")] = '\0';
                        }
                        const tool *tl = NULL;
                        for (size_t k = 0; k < ELEMENTSOF(tools); k++)
                                if (streq(pkg, tools[k].pkg))
                                        tl = &tools[k];
                        bool headers = endswith(pkg, "-dev") || endswith(pkg, "-devel");
                        if (!tl && !headers)
                                continue;
                        if (ntools++)
                                strbuf_puts(&toolsb, ", ");
                        if (headers) {
                                strbuf_printf(&toolsb, "`%s` (headers)", pkg);
                                continue;
                        }
                        bool ran = false;
                        for (size_t k = 0; k < ELEMENTSOF(tl->progs) && tl->progs[k]; k++)
                                ran |= prog_ran(c, tl->progs[k]);
                        strbuf_printf(&toolsb, "`%s` %s", pkg,
                                      ran ? "is installed and ran in the recording" : "is installed and never ran");
                }
        }
        if (ntools && ships)
                finding(c, in->line, C_TOOLS, true,
                        "build tools in the image that ships: %s. Build in an earlier stage (`FROM … AS build`) and "
                        "`COPY --from=build` only the result",
                        strbuf_str(&toolsb));
        strbuf_free(&toolsb);
        if (!ships || cache_mount)
                return;
        if (apt && !strstr(text, "/var/lib/apt/lists"))
                finding(c, in->line, C_CACHE, true,
                        "`apt-get install` without `rm -rf /var/lib/apt/lists/*` in the same RUN leaves the package "
                        "lists in the layer%s",
                        strstr(text, "--no-install-recommends") ? "" : "; add `--no-install-recommends` too");
        if (apk && !strstr(text, "--no-cache") && !strstr(text, "/var/cache/apk"))
                finding(c, in->line, C_CACHE, true, "`apk add` without `--no-cache` leaves the index in the layer");
        if (yum && !strstr(text, "clean all") && !strstr(text, "/var/cache/yum") && !strstr(text, "/var/cache/dnf"))
                finding(c, in->line, C_CACHE, true,
                        "`yum`/`dnf install` without `… clean all` in the same RUN leaves the cache in the layer");
        if (pip && !strstr(text, "--no-cache-dir"))
                finding(c, in->line, C_CACHE, true,
                        "`pip install` without `--no-cache-dir` leaves the wheel cache in the layer");
}

static bool secret_name(const char *name)
{
        _cleanup_free_ char *u = xstrdup(name);
        for (char *q = u; *q; q++)
                *q = (char)toupper((unsigned char)*q);
        if (endswith(u, "_FILE") || endswith(u, "_PATH") || endswith(u, "_DIR"))
                return false;
        static const char *const parts[] = {
                "PASSWORD", "PASSWD", "PASSPHRASE", "TOKEN", "SECRET", "CREDENTIAL", NULL
        };
        for (size_t i = 0; parts[i]; i++)
                if (strstr(u, parts[i]))
                        return true;
        return endswith(u, "_KEY") || streq(u, "KEY") || streq(u, "APIKEY");
}

static bool secret_file(const char *src)
{
        _cleanup_free_ char *s = xstrdup(src);
        size_t n = strlen(s);
        while (n > 1 && s[n - 1] == '/')
                s[--n] = '\0';
        const char *b = strrchr(s, '/');
        b = b ? b + 1 : s;
        static const char *const names[] = { ".env",       "id_rsa", "id_dsa", "id_ecdsa",
                                             "id_ed25519", ".netrc", ".npmrc", ".git-credentials",
                                             ".pypirc",    ".ssh",   ".aws",   ".docker",
                                             NULL };
        for (size_t i = 0; names[i]; i++)
                if (streq(b, names[i]))
                        return true;
        return startswith(b, ".env.") || endswith(b, ".pem") || endswith(b, ".key") || endswith(b, ".p12") ||
               endswith(b, ".pfx");
}

static void check_secrets_env(checker *c, const instr *in)
{
        /* A global ARG (before the first FROM) only reaches a stage that
         * declares it again, and is checked there. */
        if (in->stage < 0)
                return;
        bool ships = c->p->st[in->stage].ships;
        bool legacy = streq(in->cmd, "ENV") && !strchr(in->words[0], '=');
        for (char **w = in->words; *w; w++) {
                _cleanup_free_ char *name = xstrndup(*w, strcspn(*w, "="));
                if (!secret_name(name))
                        ;
                else if (ships)
                        finding(c, in->line, C_SECRET, true,
                                "`%s %s` puts a secret-looking value into the image's metadata and history, readable "
                                "by anyone who can pull it: pass it at run time (`docker run -e`, a secret mount) or "
                                "at build time with `RUN --mount=type=secret`",
                                in->cmd, name);
                else
                        finding(c, in->line, C_SECRET, false,
                                "`%s %s` in a build stage stays out of the final image but not out of the build "
                                "cache: prefer `RUN --mount=type=secret`",
                                in->cmd, name);
                if (legacy)
                        break;
        }
}

static void check_copy(checker *c, const instr *in)
{
        char **w = in->words;
        bool checksum = false;
        while (*w && startswith(*w, "--")) {
                if (startswith(*w, "--checksum="))
                        checksum = true;
                w++;
        }
        size_t n = 0;
        while (w[n])
                n++;
        for (size_t i = 0; i + 1 < n; i++) {
                const char *src = w[i];
                bool url = startswith(src, "http://") || startswith(src, "https://") || startswith(src, "git@");
                if (url && streq(in->cmd, "ADD") && !checksum)
                        finding(c, in->line, C_ADDURL, true,
                                "`ADD %s` downloads at build time without verifying what arrives: use `ADD "
                                "--checksum=sha256:…` or `RUN curl … && sha256sum -c`, keeping only what is needed",
                                src);
                if (!url && secret_file(src))
                        finding(c, in->line, C_SECRET, c->p->st[in->stage].ships,
                                "`%s %s` copies a secret-looking file into the image%s: mount it at run time or use "
                                "`RUN --mount=type=secret` at build time",
                                in->cmd, src,
                                c->p->st[in->stage].ships ? "" : " (a build stage: not in the final image)");
        }
}

static void check_comments(checker *c)
{
        static const char *const pats[] = { "--privileged",
                                            "--cap-add=all",
                                            "--cap-add all",
                                            "--cap-add=sys_admin",
                                            "--cap-add sys_admin",
                                            "seccomp=unconfined",
                                            "seccomp:unconfined",
                                            "apparmor=unconfined",
                                            "apparmor:unconfined",
                                            "label=disable",
                                            "label:disable",
                                            "--pid=host",
                                            "--pid host",
                                            "--net=host",
                                            "--network=host",
                                            "--network host",
                                            "--userns=host",
                                            "docker.sock",
                                            NULL };
        strbuf caps = STRBUF_INIT;
        for (char *const *cp = c->caps; *cp; cp++)
                strbuf_printf(&caps, "%s`%s`", caps.len ? ", " : "", *cp);
        const char *need = caps.len ? strbuf_str(&caps) : "no capability";
        for (size_t i = 0; i < c->p->ncm; i++) {
                _cleanup_free_ char *l = lower(c->p->cm[i].text);
                for (size_t k = 0; pats[k]; k++) {
                        if (!strstr(l, pats[k]))
                                continue;
                        finding(c, c->p->cm[i].line, C_PRIV, true,
                                "the comment advises `%s`; the recording needs %s: run with the flags of the "
                                "ready-to-paste section (`--cap-drop ALL`, the generated profiles) instead",
                                pats[k], need);
                        break;
                }
        }
        for (size_t i = 0; i < c->p->nin; i++) {
                if (!streq(c->p->in[i].cmd, "LABEL"))
                        continue;
                _cleanup_free_ char *l = lower(c->p->in[i].args);
                for (size_t k = 0; pats[k]; k++) {
                        if (!strstr(l, pats[k]))
                                continue;
                        finding(c, c->p->in[i].line, C_PRIV, true,
                                "a LABEL advises `%s`; the recording needs %s: use the generated flags instead",
                                pats[k], need);
                        break;
                }
        }
        strbuf_free(&caps);
}

static int add_ran(const trace_file *f, void *ud)
{
        checker *c = ud;
        if (!trace_file_ok(f, "exec"))
                return 0;
        const char *paths[2] = { f->path, f->resolved };
        for (size_t i = 0; i < 2; i++) {
                if (!paths[i])
                        continue;
                const char *b = strrchr(paths[i], '/');
                c->ran = xrealloc(c->ran, (c->nran + 2) * sizeof *c->ran);
                c->ran[c->nran++] = xstrdup(b ? b + 1 : paths[i]);
                c->ran[c->nran] = NULL;
        }
        return 0;
}

static void collect_ran(checker *c, const trace *t)
{
        trace_foreach_file(t, add_ran, c);
}

static int cmp_finding(const void *a, const void *b)
{
        const gen_df_finding *x = a, *y = b;
        if (x->line != y->line)
                return x->line < y->line ? -1 : 1;
        return x->order < y->order ? -1 : x->order > y->order;
}

int gen_dockerfile_load(const char *path, const trace *t, char *const *caps, gen_dockerfile **ret, mp_error *err)
{
        _cleanup_free_ char *data = NULL;
        size_t size = 0;
        int r = read_file_full(path, MAX_DOCKERFILE, &data, &size);
        if (r < 0)
                return mp_error_set(err, r, path, "cannot read the Dockerfile: %s", strerror(-r));
        return gen_dockerfile_parse(data, size, path, t, caps, ret, err);
}

int gen_dockerfile_parse(const char *text, size_t size, const char *path, const trace *t, char *const *caps,
                         gen_dockerfile **ret, mp_error *err)
{
        _cleanup_free_ char *data = xmalloc(size + 1);
        memcpy(data, text, size);
        data[size] = '\0';
        parsed p = { 0 };
        int r = parse(path, data, size, &p, err);
        if (r < 0) {
                parsed_free(&p);
                return r;
        }
        for (int s = (int)p.nst - 1; s >= 0; s = p.st[s].parent)
                p.st[s].ships = true;
        gen_dockerfile *df = xcalloc(1, sizeof *df);
        df->path = xstrdup(path);
        df->nstages = (int)p.nst;
        df->final_line = p.st[p.nst - 1].line;
        df->final_name = p.st[p.nst - 1].name ? xstrdup(p.st[p.nst - 1].name) : NULL;
        checker c = { .df = df, .p = &p, .caps = caps };
        collect_ran(&c, t);
        check_pin(&c);
        check_user(&c);
        for (size_t i = 0; i < p.nin; i++) {
                const instr *in = &p.in[i];
                if (streq(in->cmd, "RUN"))
                        check_run(&c, in);
                else if (streq(in->cmd, "ENV") || streq(in->cmd, "ARG"))
                        check_secrets_env(&c, in);
                else if (streq(in->cmd, "COPY") || streq(in->cmd, "ADD"))
                        check_copy(&c, in);
        }
        check_comments(&c);
        strv_free(c.ran);
        parsed_free(&p);
        if (df->n)
                qsort(df->findings, df->n, sizeof *df->findings, cmp_finding);
        *ret = df;
        return 0;
}

void gen_dockerfile_free(gen_dockerfile *df)
{
        if (!df)
                return;
        for (size_t i = 0; i < df->n; i++)
                free(df->findings[i].text);
        free(df->findings);
        free(df->path);
        free(df->final_name);
        free(df);
}

size_t gen_dockerfile_flagged(const gen_dockerfile *df)
{
        size_t n = 0;
        for (size_t i = 0; i < df->n; i++)
                n += df->findings[i].flagged;
        return n;
}

void gen_dockerfile_md(strbuf *sb, const gen_dockerfile *df, int section)
{
        size_t nf = gen_dockerfile_flagged(df), nn = df->n - nf;
        strbuf_printf(sb, "## %d. The Dockerfile\n\n`%s`: %d stage%s, the final one ", section, df->path, df->nstages,
                      df->nstages == 1 ? "" : "s");
        if (df->final_name)
                strbuf_printf(sb, "`%s` ", df->final_name);
        strbuf_printf(sb, "from line %d. ", df->final_line);
        if (nf)
                strbuf_printf(sb, "**%zu flagged**", nf);
        else
                strbuf_puts(sb, "**Nothing flagged**");
        strbuf_printf(sb, ", %zu note%s.\n\n", nn, nn == 1 ? "" : "s");
        for (size_t i = 0; i < df->n; i++) {
                const gen_df_finding *f = &df->findings[i];
                strbuf_printf(sb, "- line %d, %s: %s%s.\n", f->line, f->check, f->flagged ? "**flagged** — " : "",
                              f->text);
        }
        if (df->n)
                strbuf_putc(sb, '\n');
        strbuf pass = STRBUF_INIT;
        for (size_t k = 0; gen_df_checks[k]; k++) {
                bool hit = false;
                for (size_t i = 0; i < df->n; i++)
                        if (df->findings[i].check == gen_df_checks[k] && df->findings[i].flagged)
                                hit = true;
                if (!hit)
                        strbuf_printf(&pass, "%s%s", pass.len ? ", " : "", gen_df_checks[k]);
        }
        if (pass.len)
                strbuf_printf(sb, "Checks that flagged nothing: %s.\n\n", strbuf_str(&pass));
        strbuf_free(&pass);
        strbuf_puts(sb, "Scanning the image for known vulnerabilities (Trivy, Grype, Docker Scout) and signing it "
                        "(cosign, Notation) are left to those tools.\n");
}
