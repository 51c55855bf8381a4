/* SPDX-License-Identifier: MIT */
/* The AppArmor profile reader and the access questions (see
 * apparmor-profile.h). A small hand-written lexer with two word shapes,
 * as AppArmor's own lexer has: paths (where '{', '}', '(' and ',' inside
 * a word belong to the path) and keyword arguments (where '(', ')', '='
 * and ',' separate). */
#include <stdarg.h>

#include "policy/apparmor-profile.h"
#include "common/fileio.h"
#include "common/strbuf.h"

#define PROFILE_MAX_BYTES (64u * 1024u * 1024u)

/* ------------------------------------------------------------- names */

static const char *const capability_names[] = {
        "chown",
        "dac_override",
        "dac_read_search",
        "fowner",
        "fsetid",
        "kill",
        "setgid",
        "setuid",
        "setpcap",
        "linux_immutable",
        "net_bind_service",
        "net_broadcast",
        "net_admin",
        "net_raw",
        "ipc_lock",
        "ipc_owner",
        "sys_module",
        "sys_rawio",
        "sys_chroot",
        "sys_ptrace",
        "sys_pacct",
        "sys_admin",
        "sys_boot",
        "sys_nice",
        "sys_resource",
        "sys_time",
        "sys_tty_config",
        "mknod",
        "lease",
        "audit_write",
        "audit_control",
        "setfcap",
        "mac_override",
        "mac_admin",
        "syslog",
        "wake_alarm",
        "block_suspend",
        "audit_read",
        "perfmon",
        "bpf",
        "checkpoint_restore",
};

static const char *const family_names[] = {
        "unix",   "inet", "ax25",      "ipx",      "appletalk", "netrom",  "bridge", "atmpvc",     "x25",
        "inet6",  "rose", "netbeui",   "security", "key",       "netlink", "packet", "ash",        "econet",
        "atmsvc", "rds",  "sna",       "irda",     "pppox",     "wanpipe", "llc",    "ib",         "mpls",
        "can",    "tipc", "bluetooth", "iucv",     "rxrpc",     "isdn",    "phonet", "ieee802154", "caif",
        "alg",    "nfc",  "vsock",     "kcm",      "qipcrtr",   "smc",     "xdp",    "mctp",
};

static const char *const socktype_names[] = { "stream", "dgram", "seqpacket", "rdm", "raw", "packet" };
static const char *const protocol_names[] = { "tcp", "udp", "icmp" };

static const char *const signal_names[] = {
        "hup",  "int",  "quit", "ill",    "trap",   "abrt",  "bus",  "fpe",  "kill", "usr1", "segv",
        "usr2", "pipe", "alrm", "term",   "stkflt", "chld",  "cont", "stop", "stp",  "ttin", "ttou",
        "urg",  "xcpu", "xfsz", "vtalrm", "prof",   "winch", "io",   "pwr",  "sys",  "emt",  "exists",
};

static bool in_list(const char *const *list, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (streq(list[i], name))
                        return true;
        return false;
}

bool mp_aa_capability_known(const char *name)
{
        return in_list(capability_names, ELEMENTSOF(capability_names), name);
}
bool mp_aa_network_family_known(const char *name)
{
        return in_list(family_names, ELEMENTSOF(family_names), name);
}
bool mp_aa_socket_type_known(const char *name)
{
        return in_list(socktype_names, ELEMENTSOF(socktype_names), name);
}

bool mp_aa_signal_known(const char *name)
{
        if (in_list(signal_names, ELEMENTSOF(signal_names), name))
                return true;
        if (startswith(name, "rtmin+")) {
                const char *n = name + 6;
                if (!*n || strlen(n) > 2)
                        return false;
                for (const char *c = n; *c; c++)
                        if (*c < '0' || *c > '9')
                                return false;
                return atoi(n) <= 32 && !(n[0] == '0' && n[1]);
        }
        return false;
}

/* -------------------------------------------------------------- perms */

int mp_aa_perms_parse(const char *s, size_t len, unsigned *ret_perms, char ret_exec_mode[4], size_t *ret_bad)
{
        unsigned perms = 0;
        char mode[4] = "";
        bool have_x = false;
        for (size_t i = 0; i < len; i++) {
                char c = s[i];
                switch (c) {
                case 'r':
                case 'R':
                        perms |= AA_PERM_READ;
                        continue;
                case 'w':
                case 'W':
                        if (perms & AA_PERM_APPEND)
                                goto bad;
                        perms |= AA_PERM_WRITE;
                        continue;
                case 'a':
                        if (perms & AA_PERM_WRITE)
                                goto bad;
                        perms |= AA_PERM_APPEND;
                        continue;
                case 'l':
                case 'L':
                        perms |= AA_PERM_LINK;
                        continue;
                case 'k':
                        perms |= AA_PERM_LOCK;
                        continue;
                case 'm':
                case 'M':
                        perms |= AA_PERM_MMAP;
                        continue;
                default:
                        break;
                }
                /* exec: x, ix, ux, Ux, px, Px, cx, Cx, pix, Pix, cix, Cix,
                 * pux, Pux, cux, Cux */
                size_t j = i;
                char m[4] = "";
                size_t mlen = 0;
                if (strchr("pPcC", s[j]) && s[j] && j + 1 < len && s[j + 1] != 'x' && s[j + 1] != 'X') {
                        m[mlen++] = s[j++];
                        if (j >= len || !strchr("iIuU", s[j]) || !s[j])
                                goto bad;
                        m[mlen++] = s[j++];
                } else if (strchr("pPcCiIuU", s[j]) && s[j]) {
                        m[mlen++] = s[j++];
                }
                if (j >= len || (s[j] != 'x' && s[j] != 'X'))
                        goto bad;
                if (have_x)
                        goto bad;
                have_x = true;
                memcpy(mode, m, sizeof mode);
                perms |= AA_PERM_EXEC;
                i = j;
                continue;
        bad:
                if (ret_bad)
                        *ret_bad = i;
                return -EINVAL;
        }
        if (!perms) {
                if (ret_bad)
                        *ret_bad = 0;
                return -EINVAL;
        }
        *ret_perms = perms;
        memcpy(ret_exec_mode, mode, 4);
        return 0;
}

char *mp_aa_perms_format(unsigned perms, const char *exec_mode)
{
        strbuf sb = STRBUF_INIT;
        if (perms & AA_PERM_READ)
                strbuf_putc(&sb, 'r');
        if (perms & AA_PERM_WRITE)
                strbuf_putc(&sb, 'w');
        else if (perms & AA_PERM_APPEND)
                strbuf_putc(&sb, 'a');
        if (perms & AA_PERM_LINK)
                strbuf_putc(&sb, 'l');
        if (perms & AA_PERM_LOCK)
                strbuf_putc(&sb, 'k');
        if (perms & AA_PERM_MMAP)
                strbuf_putc(&sb, 'm');
        if (perms & AA_PERM_EXEC) {
                strbuf_puts(&sb, exec_mode ? exec_mode : "");
                strbuf_putc(&sb, 'x');
        }
        return strbuf_steal(&sb);
}

/* -------------------------------------------------------------- lexer */

typedef struct lexer {
        const char *s;
        size_t len, pos;
        int line, col;
        const char *name;
        mp_error *err;
} lexer;

#define lx_error(lx, line, col, ...) mp_error_set_at((lx)->err, -EINVAL, (lx)->name, line, col, __VA_ARGS__)

static char peek(const lexer *lx)
{
        return lx->pos < lx->len ? lx->s[lx->pos] : '\0';
}
static char peek_at(const lexer *lx, size_t off)
{
        return lx->pos + off < lx->len ? lx->s[lx->pos + off] : '\0';
}
static bool at_eof(const lexer *lx)
{
        return lx->pos >= lx->len;
}

static void adv(lexer *lx)
{
        if (lx->pos >= lx->len)
                return;
        if (lx->s[lx->pos] == '\n') {
                lx->line++;
                lx->col = 1;
        } else {
                lx->col++;
        }
        lx->pos++;
}

static bool is_ws(char c)
{
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
static bool is_blank(char c)
{
        return c == ' ' || c == '\t' || c == '\r';
}

static bool looking_at(const lexer *lx, const char *word)
{
        size_t n = strlen(word);
        return lx->pos + n <= lx->len && memcmp(lx->s + lx->pos, word, n) == 0;
}

/* A keyword at the position: the word followed by a non-word byte. */
static bool looking_at_word(const lexer *lx, const char *word)
{
        if (!looking_at(lx, word))
                return false;
        char c = peek_at(lx, strlen(word));
        return !(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
}

/* Whitespace and comments; stops before "#include" (an include). */
static void skip_space(lexer *lx)
{
        for (;;) {
                char c = peek(lx);
                if (is_ws(c)) {
                        adv(lx);
                } else if (c == '#' && !looking_at_word(lx, "#include")) {
                        while (!at_eof(lx) && peek(lx) != '\n')
                                adv(lx);
                } else {
                        return;
                }
        }
}

static void skip_blanks(lexer *lx)
{
        while (is_blank(peek(lx)))
                adv(lx);
}

typedef enum ttype {
        T_EOF,
        T_WORD,
        T_QUOTED,
        T_LPAREN,
        T_RPAREN,
        T_EQ,
        T_COMMA,
} ttype;

typedef struct token {
        ttype type;
        char *text; /* WORD: the word; QUOTED: the inside of the quotes, raw */
        int line, col;
        size_t start, end;
} token;

static void tokens_free(token *t, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(t[i].text);
        free(t);
}

/* A double-quoted string at the position; the raw inside. */
static int read_quoted(lexer *lx, token *t)
{
        t->type = T_QUOTED;
        t->line = lx->line;
        t->col = lx->col;
        t->start = lx->pos;
        adv(lx); /* '"' */
        size_t from = lx->pos;
        for (;;) {
                if (at_eof(lx))
                        return lx_error(lx, t->line, t->col, "unterminated quoted string");
                char c = peek(lx);
                if (c == '\\' && lx->pos + 1 < lx->len) {
                        adv(lx);
                        adv(lx);
                        continue;
                }
                if (c == '"')
                        break;
                adv(lx);
        }
        t->text = xstrndup(lx->s + from, lx->pos - from);
        adv(lx);
        t->end = lx->pos;
        return 0;
}

static bool path_char(char c)
{
        return c && !is_ws(c) && c != '"' && c != '!' && c != ',';
}

/* A path (quoted or not). Unquoted, as AppArmor's lexer: any byte but
 * whitespace, '"', '!' and ','; a ',' followed by such a byte is part of
 * the path ({a,b}); '\' escapes a space, tab, '"', '!' or ','. */
static int read_path(lexer *lx, token *t)
{
        if (peek(lx) == '"')
                return read_quoted(lx, t);
        t->type = T_WORD;
        t->line = lx->line;
        t->col = lx->col;
        t->start = lx->pos;
        for (;;) {
                char c = peek(lx);
                if (c == '\\' && strchr(" \t\"!,", peek_at(lx, 1)) && peek_at(lx, 1)) {
                        adv(lx);
                        adv(lx);
                } else if (c == ',' && path_char(peek_at(lx, 1))) {
                        adv(lx);
                } else if (path_char(c)) {
                        adv(lx);
                } else {
                        break;
                }
        }
        t->end = lx->pos;
        if (t->end == t->start)
                return lx_error(lx, t->line, t->col, "expected a path");
        t->text = xstrndup(lx->s + t->start, t->end - t->start);
        return 0;
}

/* One token of keyword arguments. */
static int read_token(lexer *lx, token *t)
{
        memset(t, 0, sizeof *t);
        skip_space(lx);
        t->line = lx->line;
        t->col = lx->col;
        t->start = lx->pos;
        char c = peek(lx);
        if (at_eof(lx)) {
                t->type = T_EOF;
                return 0;
        }
        if (c == '"')
                return read_quoted(lx, t);
        ttype single = c == '(' ? T_LPAREN : c == ')' ? T_RPAREN : c == '=' ? T_EQ : c == ',' ? T_COMMA : T_EOF;
        if (single != T_EOF) {
                t->type = single;
                adv(lx);
                t->end = lx->pos;
                return 0;
        }
        t->type = T_WORD;
        while (!at_eof(lx) && !is_ws(peek(lx)) && !strchr("(),=\"", peek(lx)))
                adv(lx);
        t->end = lx->pos;
        t->text = xstrndup(lx->s + t->start, t->end - t->start);
        return 0;
}

/* A bare word made of letters, digits and '_' (keywords). */
static char *peek_keyword(const lexer *lx)
{
        size_t n = 0;
        while (lx->pos + n < lx->len) {
                char c = lx->s[lx->pos + n];
                if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
                        break;
                n++;
        }
        return n ? xstrndup(lx->s + lx->pos, n) : NULL;
}

static void adv_n(lexer *lx, size_t n)
{
        while (n--)
                adv(lx);
}

/* -------------------------------------------------------------- model */

static void cond_free(mp_aa_cond *c)
{
        free(c->key);
        strv_free(c->values);
}

static void rule_free(mp_aa_rule *r)
{
        free(r->text);
        free(r->keyword);
        free(r->path);
        aaglob_free(r->glob);
        free(r->target);
        free(r->family);
        free(r->type);
        free(r->protocol);
        free(r->capability);
        strv_free(r->access);
        for (size_t i = 0; i < r->n_conds; i++)
                cond_free(&r->conds[i]);
        free(r->conds);
        free(r->include);
}

void mp_aa_profile_free(mp_aa_profile *p)
{
        if (!p)
                return;
        free(p->name);
        free(p->attachment);
        strv_free(p->flags);
        for (size_t i = 0; i < p->n_rules; i++)
                rule_free(&p->rules[i]);
        free(p->rules);
        mp_aa_vars_free(p->vars);
        strv_free(p->abis);
        strv_free(p->includes);
        strv_free(p->alias_from);
        strv_free(p->alias_to);
        strv_free(p->var_defs);
        free(p);
}

static mp_aa_rule *add_rule(mp_aa_profile *p)
{
        /* doubling: a rule at a time is quadratic where realloc copies
         * (under ASan, a 30,000-rule profile took minutes) */
        if ((p->n_rules & (p->n_rules - 1)) == 0)
                p->rules = xrealloc(p->rules, (p->n_rules ? 2 * p->n_rules : 1) * sizeof *p->rules);
        mp_aa_rule *r = &p->rules[p->n_rules++];
        memset(r, 0, sizeof *r);
        return r;
}

/* The source text of a rule with whitespace runs outside quotes made one
 * space. */
static char *collapse_text(const char *s, size_t len)
{
        strbuf sb = STRBUF_INIT;
        bool space = false, quoted = false;
        for (size_t i = 0; i < len; i++) {
                char c = s[i];
                if (!quoted && is_ws(c)) {
                        space = true;
                        continue;
                }
                if (space && sb.len)
                        strbuf_putc(&sb, ' ');
                space = false;
                if (c == '"')
                        quoted = !quoted;
                else if (quoted && c == '\\' && i + 1 < len) {
                        strbuf_putc(&sb, c);
                        c = s[++i];
                }
                strbuf_putc(&sb, c);
        }
        return strbuf_steal(&sb);
}

/* The pattern of a path token (unescaped), checked to start like a path. */
static int token_pattern(lexer *lx, const token *t, char **ret)
{
        size_t bad = 0;
        char *pat = NULL;
        if (mp_aa_unescape(t->text, strlen(t->text), &pat, &bad) < 0)
                return lx_error(lx, t->line, t->col + (int)bad, "NUL byte in a path");
        *ret = pat;
        return 0;
}

static int compile_path(lexer *lx, mp_aa_profile *p, const token *t, const char *pat, aaglob **ret)
{
        if (pat[0] != '/' && !(pat[0] == '@' && pat[1] == '{'))
                return lx_error(lx, t->line, t->col, "a path must start with '/' or a variable");
        mp_error e = { 0 };
        if (aaglob_compile(pat, p->vars, ret, &e) < 0) {
                int off = e.column > 0 ? e.column - 1 : 0;
                /* columns are exact for unquoted paths without escapes */
                return lx_error(lx, t->line, t->col + (t->type == T_QUOTED ? 1 : 0) + off, "bad path pattern: %s",
                                e.text);
        }
        return 0;
}

/* ------------------------------------------------------------- parser */

static int expect_comma(lexer *lx, const char *what)
{
        skip_space(lx);
        if (peek(lx) != ',')
                return lx_error(lx, lx->line, lx->col, "expected ',' at the end of the %s", what);
        adv(lx);
        return 0;
}

static int parse_perms_token(lexer *lx, mp_aa_rule *r, const token *t)
{
        size_t bad = 0;
        if (mp_aa_perms_parse(t->text, strlen(t->text), &r->perms, r->exec_mode, &bad) < 0)
                return lx_error(lx, t->line, t->col + (int)bad, "bad permissions '%s'", t->text);
        if ((r->perms & AA_PERM_EXEC) && !r->exec_mode[0] && !r->deny)
                return lx_error(lx, t->line, t->col, "'x' needs an exec mode (ix, px, cx, ux) outside deny rules");
        return 0;
}

static bool perms_word(const char *s)
{
        unsigned perms;
        char mode[4];
        return s && *s && mp_aa_perms_parse(s, strlen(s), &perms, mode, NULL) == 0;
}

/* The rest of a file rule after its path and permissions: `-> target`
 * and the final comma. */
static int file_rule_tail(lexer *lx, mp_aa_rule *r)
{
        skip_space(lx);
        if (looking_at(lx, "->")) {
                adv_n(lx, 2);
                skip_space(lx);
                token t = { 0 };
                int rr = read_path(lx, &t);
                if (rr < 0)
                        return rr;
                size_t bad = 0;
                rr = mp_aa_unescape(t.text, strlen(t.text), &r->target, &bad);
                free(t.text);
                if (rr < 0)
                        return lx_error(lx, t.line, t.col, "NUL byte in a target");
        }
        return expect_comma(lx, "file rule");
}

static int read_word_token(lexer *lx, token *t, const char *what)
{
        skip_space(lx);
        memset(t, 0, sizeof *t);
        t->type = T_WORD;
        t->line = lx->line;
        t->col = lx->col;
        t->start = lx->pos;
        while (!at_eof(lx) && !is_ws(peek(lx)) && peek(lx) != ',' && !looking_at(lx, "->"))
                adv(lx);
        t->end = lx->pos;
        if (t->end == t->start)
                return lx_error(lx, t->line, t->col, "expected %s", what);
        t->text = xstrndup(lx->s + t->start, t->end - t->start);
        return 0;
}

static int parse_file_rule(lexer *lx, mp_aa_profile *p, mp_aa_rule *r, bool mode_first)
{
        token path = { 0 }, perms = { 0 };
        int rr;
        r->kind = AA_RULE_FILE;
        if (mode_first) {
                rr = read_word_token(lx, &perms, "permissions");
                if (rr < 0)
                        goto out;
                skip_space(lx);
                rr = read_path(lx, &path);
        } else {
                rr = read_path(lx, &path);
                if (rr < 0)
                        goto out;
                rr = read_word_token(lx, &perms, "permissions after the path");
        }
        if (rr < 0)
                goto out;
        rr = parse_perms_token(lx, r, &perms);
        if (rr < 0)
                goto out;
        rr = token_pattern(lx, &path, &r->path);
        if (rr < 0)
                goto out;
        rr = compile_path(lx, p, &path, r->path, &r->glob);
        if (rr < 0)
                goto out;
        rr = file_rule_tail(lx, r);
out:
        free(path.text);
        free(perms.text);
        return rr;
}

static int parse_link_rule(lexer *lx, mp_aa_profile *p, mp_aa_rule *r)
{
        r->kind = AA_RULE_LINK;
        r->perms = AA_PERM_LINK;
        skip_space(lx);
        if (looking_at_word(lx, "subset")) {
                r->subset = true;
                adv_n(lx, 6);
                skip_space(lx);
        }
        token path = { 0 };
        int rr = read_path(lx, &path);
        if (rr < 0)
                return rr;
        rr = token_pattern(lx, &path, &r->path);
        if (rr == 0)
                rr = compile_path(lx, p, &path, r->path, &r->glob);
        free(path.text);
        if (rr < 0)
                return rr;
        skip_space(lx);
        if (!looking_at(lx, "->"))
                return lx_error(lx, lx->line, lx->col, "a link rule needs '-> target'");
        return file_rule_tail(lx, r);
}

/* Tokens of a keyword rule up to its final ',' (commas inside (...) are
 * separators). */
static int rule_tokens(lexer *lx, token **ret, size_t *ret_n, const char *kw)
{
        token *v = NULL;
        size_t n = 0, cap = 0;
        int depth = 0;
        for (;;) {
                token t;
                int r = read_token(lx, &t);
                if (r < 0) {
                        tokens_free(v, n);
                        return r;
                }
                if (t.type == T_EOF) {
                        tokens_free(v, n);
                        return lx_error(lx, t.line, t.col, "unexpected end of file in a %s rule", kw);
                }
                if (t.type == T_COMMA && depth == 0)
                        break;
                if (t.type == T_WORD && (streq(t.text, "}") || streq(t.text, "{"))) {
                        free(t.text);
                        tokens_free(v, n);
                        return lx_error(lx, t.line, t.col, "expected ',' at the end of the %s rule", kw);
                }
                if (t.type == T_LPAREN)
                        depth++;
                if (t.type == T_RPAREN && --depth < 0) {
                        tokens_free(v, n);
                        return lx_error(lx, t.line, t.col, "')' without '('");
                }
                if (n == cap) {
                        cap = cap ? cap * 2 : 8;
                        v = xrealloc(v, cap * sizeof *v);
                }
                v[n++] = t;
        }
        if (depth) {
                tokens_free(v, n);
                return lx_error(lx, lx->line, lx->col, "unclosed '(' in a %s rule", kw);
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

/* A conditional's value as a pattern. A NUL byte (`\000`, `\x00`), which
 * only abstract unix addresses hold, becomes the four characters `\000`
 * (a C string cannot hold it): mp_aa_profile_allows_unix wants addresses
 * written so. */
static char *token_value(const token *t)
{
        strbuf sb = STRBUF_INIT;
        const char *s = t->text;
        for (size_t i = 0; s[i]; i++) {
                if (s[i] == '\\' && s[i + 1] == '\\') {
                        strbuf_puts(&sb, "\\\\");
                        i++;
                } else if (s[i] == '\\' && (strncmp(s + i + 1, "000", 3) == 0 || strncmp(s + i + 1, "x00", 3) == 0)) {
                        strbuf_puts(&sb, "\\\\000");
                        i += 3;
                } else {
                        strbuf_putc(&sb, s[i]);
                }
        }
        char *v = NULL;
        int r = mp_aa_unescape(sb.buf ? sb.buf : "", sb.len, &v, NULL);
        strbuf_free(&sb);
        return r < 0 ? NULL : v;
}

/* Access words (a single word, or a list in parentheses) and conditionals
 * key=value / key=(v ...) / peer=(k=v ...). `allowed` lists the access
 * words; the rest must be conditionals whose keys are in `keys`. */
static int parse_args(lexer *lx, mp_aa_rule *r, token *t, size_t n, size_t i, const char *const *allowed,
                      const char *const *keys, size_t *ret_next)
{
        if (i < n && t[i].type == T_LPAREN) {
                size_t j = i + 1;
                if (!r->access) /* (a second list, as in `network r (read)`, adds to the first) */
                        r->access = xcalloc(1, sizeof(char *));
                for (; j < n && t[j].type != T_RPAREN; j++) {
                        if (t[j].type == T_COMMA)
                                continue;
                        if (t[j].type != T_WORD || !strv_contains((char *const *)allowed, t[j].text))
                                return lx_error(lx, t[j].line, t[j].col, "unknown access '%s'",
                                                t[j].text ? t[j].text : "");
                        if (!strv_contains(r->access, t[j].text))
                                strv_push(&r->access, xstrdup(t[j].text));
                }
                i = j + 1;
        } else if (i < n && t[i].type == T_WORD && strv_contains((char *const *)allowed, t[i].text) &&
                   !(i + 1 < n && t[i + 1].type == T_EQ)) {
                strv_push(&r->access, xstrdup(t[i].text));
                i++;
        }
        while (i < n) {
                if (t[i].type != T_WORD || i + 1 >= n || t[i + 1].type != T_EQ) {
                        *ret_next = i;
                        return 0;
                }
                const char *key = t[i].text;
                if (!strv_contains((char *const *)keys, key))
                        return lx_error(lx, t[i].line, t[i].col, "unknown conditional '%s'", key);
                size_t k = i + 2;
                if (k >= n)
                        return lx_error(lx, t[i].line, t[i].col, "'%s=' needs a value", key);
                if (t[k].type == T_LPAREN) {
                        bool nested = streq(key, "peer");
                        size_t j = k + 1;
                        if (nested) {
                                /* peer=(label=x addr=y) */
                                while (j < n && t[j].type != T_RPAREN) {
                                        if (t[j].type == T_COMMA) {
                                                j++;
                                                continue;
                                        }
                                        if (t[j].type != T_WORD || j + 2 >= n || t[j + 1].type != T_EQ ||
                                            (t[j + 2].type != T_WORD && t[j + 2].type != T_QUOTED))
                                                return lx_error(lx, t[j].line, t[j].col,
                                                                "expected key=value in peer=(...)");
                                        r->conds = xrealloc(r->conds, (r->n_conds + 1) * sizeof *r->conds);
                                        mp_aa_cond *c = &r->conds[r->n_conds++];
                                        c->key = xasprintf("peer.%s", t[j].text);
                                        c->values = NULL;
                                        char *v = token_value(&t[j + 2]);
                                        if (!v)
                                                return lx_error(lx, t[j + 2].line, t[j + 2].col, "NUL byte in a value");
                                        strv_push(&c->values, v);
                                        j += 3;
                                }
                        } else {
                                r->conds = xrealloc(r->conds, (r->n_conds + 1) * sizeof *r->conds);
                                mp_aa_cond *c = &r->conds[r->n_conds++];
                                c->key = xstrdup(key);
                                c->values = xcalloc(1, sizeof(char *));
                                for (; j < n && t[j].type != T_RPAREN; j++) {
                                        if (t[j].type == T_COMMA)
                                                continue;
                                        if (t[j].type != T_WORD && t[j].type != T_QUOTED)
                                                return lx_error(lx, t[j].line, t[j].col, "expected a value");
                                        char *v = token_value(&t[j]);
                                        if (!v)
                                                return lx_error(lx, t[j].line, t[j].col, "NUL byte in a value");
                                        strv_push(&c->values, v);
                                }
                        }
                        if (j >= n)
                                return lx_error(lx, t[k].line, t[k].col, "unclosed '('");
                        i = j + 1;
                } else if (t[k].type == T_WORD || t[k].type == T_QUOTED) {
                        r->conds = xrealloc(r->conds, (r->n_conds + 1) * sizeof *r->conds);
                        mp_aa_cond *c = &r->conds[r->n_conds++];
                        c->key = xstrdup(streq(key, "peer") ? "peer.label" : key);
                        c->values = NULL;
                        char *v = token_value(&t[k]);
                        if (!v)
                                return lx_error(lx, t[k].line, t[k].col, "NUL byte in a value");
                        strv_push(&c->values, v);
                        i = k + 1;
                } else {
                        return lx_error(lx, t[k].line, t[k].col, "'%s=' needs a value", key);
                }
        }
        *ret_next = i;
        return 0;
}

static const mp_aa_cond *rule_cond(const mp_aa_rule *r, const char *key)
{
        for (size_t i = 0; i < r->n_conds; i++)
                if (streq(r->conds[i].key, key))
                        return &r->conds[i];
        return NULL;
}

static int parse_keyword_rule(lexer *lx, mp_aa_profile *p, size_t ri, const char *kw)
{
        mp_aa_rule *r = &p->rules[ri];
        static const char *const unix_access[] = { "create",  "bind",    "listen", "accept", "connect", "shutdown",
                                                   "getattr", "setattr", "getopt", "setopt", "send",    "receive",
                                                   "r",       "w",       "rw",     NULL };
        static const char *const unix_keys[] = { "type", "protocol", "addr", "label", "attr", "opt", "peer", NULL };
        static const char *const signal_access[] = { "send", "receive", "r", "w", "rw", NULL };
        static const char *const signal_keys[] = { "set", "peer", NULL };
        static const char *const ptrace_access[] = { "trace", "read", "tracedby", "readby", "r", "w", "rw", NULL };
        static const char *const ptrace_keys[] = { "peer", NULL };
        static const char *const net_access[] = { "create",      "accept",     "bind",       "connect", "listen",
                                                  "read",        "write",      "send",       "receive", "getsockname",
                                                  "getpeername", "getsockopt", "setsockopt", "fcntl",   "ioctl",
                                                  "shutdown",    "getpeersec", "r",          "w",       "rw",
                                                  NULL };
        static const char *const net_keys[] = { "ip", "port", "peer", NULL };
        static const char *const none[] = { NULL };

        token *t = NULL;
        size_t n = 0, i = 0;
        int rr = rule_tokens(lx, &t, &n, kw);
        if (rr < 0)
                return rr;
        if (streq(kw, "capability")) {
                r->kind = AA_RULE_CAPABILITY;
                /* one rule per capability: `capability a b,` is two */
                if (n == 0)
                        goto done;
                for (i = 0; i < n; i++) {
                        if (t[i].type != T_WORD || !mp_aa_capability_known(t[i].text)) {
                                rr = lx_error(lx, t[i].line, t[i].col, "unknown capability '%s'",
                                              t[i].text ? t[i].text : "");
                                goto done;
                        }
                }
                r->capability = xstrdup(t[0].text);
                for (i = 1; i < n; i++) {
                        mp_aa_rule proto = p->rules[ri];
                        mp_aa_rule *x = add_rule(p); /* may move the array */
                        *x = (mp_aa_rule){ .kind = AA_RULE_CAPABILITY,
                                           .audit = proto.audit,
                                           .deny = proto.deny,
                                           .owner = proto.owner,
                                           .line = proto.line,
                                           .column = proto.column,
                                           .capability = xstrdup(t[i].text) };
                }
                goto done;
        }
        if (streq(kw, "network")) {
                r->kind = AA_RULE_NETWORK;
                rr = parse_args(lx, r, t, n, 0, net_access, none, &i);
                if (rr < 0)
                        goto done;
                for (; i < n; i++) {
                        if (t[i].type == T_WORD && !r->family && !r->type && !r->protocol &&
                            mp_aa_network_family_known(t[i].text)) {
                                r->family = xstrdup(t[i].text);
                        } else if (t[i].type == T_WORD && !r->type && !r->protocol &&
                                   mp_aa_socket_type_known(t[i].text)) {
                                r->type = xstrdup(t[i].text);
                        } else if (t[i].type == T_WORD && !r->type && !r->protocol &&
                                   in_list(protocol_names, ELEMENTSOF(protocol_names), t[i].text)) {
                                r->protocol = xstrdup(t[i].text);
                        } else {
                                size_t next = i;
                                rr = parse_args(lx, r, t, n, i, none, net_keys, &next);
                                if (rr < 0)
                                        goto done;
                                if (next == i) {
                                        rr = lx_error(lx, t[i].line, t[i].col, "unknown network argument '%s'",
                                                      t[i].text ? t[i].text : "");
                                        goto done;
                                }
                                i = next - 1;
                        }
                }
                goto done;
        }
        const char *const *acc = NULL, *const *keys = NULL;
        if (streq(kw, "unix")) {
                r->kind = AA_RULE_UNIX;
                acc = unix_access;
                keys = unix_keys;
        } else if (streq(kw, "signal")) {
                r->kind = AA_RULE_SIGNAL;
                acc = signal_access;
                keys = signal_keys;
        } else if (streq(kw, "ptrace")) {
                r->kind = AA_RULE_PTRACE;
                acc = ptrace_access;
                keys = ptrace_keys;
        }
        if (acc) {
                rr = parse_args(lx, r, t, n, 0, acc, keys, &i);
                if (rr < 0)
                        goto done;
                if (i < n) {
                        rr = lx_error(lx, t[i].line, t[i].col, "unexpected '%s' in a %s rule",
                                      t[i].text ? t[i].text : "(", kw);
                        goto done;
                }
                if (r->kind == AA_RULE_SIGNAL) {
                        const mp_aa_cond *set = rule_cond(r, "set");
                        for (char **v = set ? set->values : NULL; v && *v; v++)
                                if (!mp_aa_signal_known(*v)) {
                                        rr = lx_error(lx, r->line, r->column, "unknown signal '%s'", *v);
                                        goto done;
                                }
                }
                goto done;
        }
        /* mount-class and other rules: kept as text */
        r->kind = (streq(kw, "mount") || streq(kw, "remount") || streq(kw, "umount") || streq(kw, "unmount") ||
                   streq(kw, "pivot_root"))
                          ? AA_RULE_MOUNT
                          : AA_RULE_OTHER;
        r->keyword = xstrdup(streq(kw, "unmount") ? "umount" : kw);
done:
        tokens_free(t, n);
        return rr;
}

/* `include <x>`, `include "x"`, `include if exists <x>`, `#include <x>`:
 * returns the name as written, with its brackets. */
static int parse_include(lexer *lx, char **ret)
{
        int line = lx->line, col = lx->col;
        adv_n(lx, peek(lx) == '#' ? 8 : 7);
        skip_blanks(lx);
        bool if_exists = false;
        if (looking_at_word(lx, "if")) {
                adv_n(lx, 2);
                skip_blanks(lx);
                if (!looking_at_word(lx, "exists"))
                        return lx_error(lx, lx->line, lx->col, "expected 'include if exists'");
                adv_n(lx, 6);
                skip_blanks(lx);
                if_exists = true;
        }
        size_t from = lx->pos;
        if (peek(lx) == '<') {
                while (!at_eof(lx) && peek(lx) != '>' && peek(lx) != '\n')
                        adv(lx);
                if (peek(lx) != '>')
                        return lx_error(lx, line, col, "unterminated include <...>");
                adv(lx);
        } else if (peek(lx) == '"') {
                token t = { 0 };
                int r = read_quoted(lx, &t);
                free(t.text);
                if (r < 0)
                        return r;
        } else {
                while (!at_eof(lx) && !is_ws(peek(lx)))
                        adv(lx);
        }
        if (lx->pos == from)
                return lx_error(lx, line, col, "include needs a file name");
        *ret = xasprintf("%s%.*s", if_exists ? "if exists " : "", (int)(lx->pos - from), lx->s + from);
        return 0;
}

/* `alias FROM -> TO,`: two absolute paths, kept unescaped. */
static int parse_alias(lexer *lx, mp_aa_profile *p)
{
        adv_n(lx, 5);
        char *pat[2] = { NULL, NULL };
        int r = 0;
        for (int i = 0; i < 2 && r == 0; i++) {
                skip_blanks(lx);
                if (i == 1) {
                        if (!looking_at(lx, "->")) {
                                r = lx_error(lx, lx->line, lx->col, "expected '->' in the alias rule");
                                break;
                        }
                        adv_n(lx, 2);
                        skip_blanks(lx);
                }
                token t = { 0 };
                r = read_path(lx, &t);
                if (r == 0)
                        r = token_pattern(lx, &t, &pat[i]);
                if (r == 0 && pat[i][0] != '/')
                        r = lx_error(lx, t.line, t.col, "an alias path must start with '/'");
                free(t.text);
        }
        if (r == 0) {
                skip_blanks(lx);
                r = expect_comma(lx, "alias rule");
        }
        if (r < 0) {
                free(pat[0]);
                free(pat[1]);
                return r;
        }
        strv_push(&p->alias_from, pat[0]);
        strv_push(&p->alias_to, pat[1]);
        return 0;
}

/* What apparmor_parser does with aliases: every written file rule whose
 * pattern (variables expanded) starts with FROM gets a copy for TO + the
 * rest, so the profile allows it under both names. */
static int apply_aliases(lexer *lx, mp_aa_profile *p)
{
        size_t n_written = p->n_rules;
        for (size_t a = 0; p->alias_from[a]; a++) {
                const char *from = p->alias_from[a], *to = p->alias_to[a];
                for (size_t i = 0; i < n_written; i++) {
                        if ((p->rules[i].kind != AA_RULE_FILE && p->rules[i].kind != AA_RULE_LINK) ||
                            !p->rules[i].glob || !startswith(aaglob_expanded(p->rules[i].glob), from))
                                continue;
                        _cleanup_free_ char *pat =
                                xasprintf("%s%s", to, aaglob_expanded(p->rules[i].glob) + strlen(from));
                        aaglob *g = NULL;
                        mp_error e = { 0 };
                        if (aaglob_compile(pat, p->vars, &g, &e) < 0)
                                return lx_error(lx, p->rules[i].line, p->rules[i].column,
                                                "the alias %s -> %s makes a bad pattern of this rule: %s", from, to,
                                                e.text);
                        mp_aa_rule *r = add_rule(p), *o = &p->rules[i]; /* o after add_rule: it reallocates */
                        _cleanup_free_ char *shown = mp_aa_render_pattern(pat);
                        _cleanup_free_ char *perms = mp_aa_perms_format(o->perms, o->exec_mode);
                        *r = (mp_aa_rule){ .kind = o->kind,
                                           .audit = o->audit,
                                           .deny = o->deny,
                                           .owner = o->owner,
                                           .line = o->line,
                                           .column = o->column,
                                           .path = xstrdup(pat),
                                           .glob = g,
                                           .perms = o->perms,
                                           .target = o->target ? xstrdup(o->target) : NULL,
                                           .subset = o->subset,
                                           .alias = a + 1 };
                        memcpy(r->exec_mode, o->exec_mode, sizeof r->exec_mode);
                        r->text = xasprintf("%s%s%s%s %s%s%s", o->audit ? "audit " : "", o->deny ? "deny " : "",
                                            o->owner ? "owner " : "", shown, perms, o->target ? " -> " : "",
                                            o->target ? o->target : "");
                }
        }
        return 0;
}

static int parse_variable_values(lexer *lx, mp_aa_profile *p, const char *name, int line, int col, strbuf *def);

/* @{NAME} = values  /  @{NAME} += values, to the end of the line. */
static int parse_variable(lexer *lx, mp_aa_profile *p)
{
        int line = lx->line, col = lx->col;
        adv_n(lx, 2);
        size_t from = lx->pos;
        while (!at_eof(lx) && peek(lx) != '}' && peek(lx) != '\n')
                adv(lx);
        if (peek(lx) != '}')
                return lx_error(lx, line, col, "unterminated variable name");
        _cleanup_free_ char *name = xstrndup(lx->s + from, lx->pos - from);
        adv(lx);
        skip_blanks(lx);
        bool append = false;
        if (looking_at(lx, "+=")) {
                append = true;
                adv_n(lx, 2);
        } else if (peek(lx) == '=') {
                adv(lx);
        } else {
                return lx_error(lx, lx->line, lx->col, "expected '=' or '+=' after @{%s}", name);
        }
        if (!append && mp_aa_vars_set(p->vars, name, NULL) < 0)
                return lx_error(lx, line, col + 2, "invalid variable name '%s'", name);
        if (append && !mp_aa_vars_has(p->vars, name))
                mp_aa_vars_set(p->vars, name, NULL);
        strbuf def = STRBUF_INIT;
        strbuf_printf(&def, "@{%s} %s", name, append ? "+=" : "=");
        int r = parse_variable_values(lx, p, name, line, col, &def);
        if (r < 0) {
                strbuf_free(&def);
                return r;
        }
        strv_push(&p->var_defs, strbuf_steal(&def));
        return 0;
}

/* The values of a variable definition, appended to the variable and to
 * `def` (" v" each). */
static int parse_variable_values(lexer *lx, mp_aa_profile *p, const char *name, int line, int col, strbuf *def)
{
        for (;;) {
                skip_blanks(lx);
                char c = peek(lx);
                if (at_eof(lx) || c == '\n' || c == '#')
                        break;
                if (c == ',')
                        return lx_error(lx, lx->line, lx->col, "variable definitions take no trailing ','");
                token t = { 0 };
                int r;
                if (c == '"') {
                        r = read_quoted(lx, &t);
                } else {
                        t.type = T_WORD;
                        t.line = lx->line;
                        t.col = lx->col;
                        size_t s = lx->pos;
                        while (!at_eof(lx) && !is_ws(peek(lx)) && peek(lx) != ',')
                                adv(lx);
                        t.text = xstrndup(lx->s + s, lx->pos - s);
                        r = 0;
                }
                if (r < 0)
                        return r;
                char *v = token_value(&t);
                free(t.text);
                if (!v)
                        return lx_error(lx, t.line, t.col, "NUL byte in a variable value");
                if (mp_aa_vars_append(p->vars, name, v) < 0) {
                        free(v);
                        return lx_error(lx, line, col + 2, "invalid variable name '%s'", name);
                }
                strbuf_printf(def, " %s", v);
                free(v);
        }
        return 0;
}

static int parse_flags(lexer *lx, mp_aa_profile *p)
{
        /* flags=(a, b) or (a b) */
        if (looking_at_word(lx, "flags")) {
                adv_n(lx, 5);
                skip_space(lx);
                if (peek(lx) != '=')
                        return lx_error(lx, lx->line, lx->col, "expected '=' after flags");
                adv(lx);
                skip_space(lx);
        }
        if (peek(lx) != '(')
                return lx_error(lx, lx->line, lx->col, "expected '(' for the flags");
        adv(lx);
        p->flags = p->flags ? p->flags : xcalloc(1, sizeof(char *));
        for (;;) {
                token t;
                int r = read_token(lx, &t);
                if (r < 0)
                        return r;
                if (t.type == T_RPAREN)
                        return 0;
                if (t.type == T_COMMA)
                        continue;
                if (t.type != T_WORD) {
                        free(t.text);
                        return lx_error(lx, t.line, t.col, t.type == T_EOF ? "unclosed flags=(" : "bad flag");
                }
                /* flag=value (e.g. attach_disconnected.path=/x) */
                if (peek(lx) == '=') {
                        adv(lx);
                        token v;
                        r = read_token(lx, &v);
                        if (r < 0 || (v.type != T_WORD && v.type != T_QUOTED)) {
                                free(t.text);
                                free(v.text);
                                return r < 0 ? r : lx_error(lx, v.line, v.col, "bad flag value");
                        }
                        char *f = xasprintf("%s=%s", t.text, v.text);
                        free(t.text);
                        free(v.text);
                        strv_push(&p->flags, f);
                        continue;
                }
                strv_push(&p->flags, t.text);
        }
}

static int parse_body(lexer *lx, mp_aa_profile *p)
{
        for (;;) {
                skip_space(lx);
                if (at_eof(lx))
                        return lx_error(lx, p->line, p->column, "profile '%s' is not closed with '}'", p->name);
                if (peek(lx) == '}') {
                        adv(lx);
                        return 0;
                }
                int line = lx->line, col = lx->col;
                size_t start = lx->pos;
                if (looking_at_word(lx, "include") || looking_at_word(lx, "#include")) {
                        mp_aa_rule *r = add_rule(p);
                        r->kind = AA_RULE_INCLUDE;
                        r->line = line;
                        r->column = col;
                        int rr = parse_include(lx, &r->include);
                        if (rr < 0)
                                return rr;
                        r->text = collapse_text(lx->s + start, lx->pos - start);
                        continue;
                }
                if (peek(lx) == '@' && peek_at(lx, 1) == '{') {
                        /* a path rule starting with a variable */
                } else if (peek(lx) == '$' || looking_at_word(lx, "if")) {
                        return lx_error(lx, line, col, "conditionals are not supported");
                } else if (peek(lx) == '^' || looking_at_word(lx, "hat") || looking_at_word(lx, "profile")) {
                        return lx_error(lx, line, col, "hats and child profiles are not supported");
                }
                mp_aa_rule *r = add_rule(p);
                r->line = line;
                r->column = col;
                size_t ri = p->n_rules - 1;
                /* qualifiers */
                bool allow = false;
                for (;;) {
                        _cleanup_free_ char *kw = peek_keyword(lx);
                        if (!kw)
                                break;
                        if (streq(kw, "audit"))
                                r->audit = true;
                        else if (streq(kw, "deny"))
                                r->deny = true;
                        else if (streq(kw, "allow"))
                                allow = true;
                        else if (streq(kw, "owner") || streq(kw, "user"))
                                r->owner = true;
                        else
                                break;
                        if (r->deny && allow)
                                return lx_error(lx, lx->line, lx->col, "'allow' and 'deny' together");
                        adv_n(lx, strlen(kw));
                        if (!is_ws(peek(lx)))
                                return lx_error(lx, lx->line, lx->col, "expected a space after '%s'", kw);
                        skip_space(lx);
                }
                int rr;
                char c = peek(lx);
                if (c == '/' || c == '"' || (c == '@' && peek_at(lx, 1) == '{')) {
                        rr = parse_file_rule(lx, p, r, false);
                } else {
                        _cleanup_free_ char *kw = peek_keyword(lx);
                        if (!kw)
                                return lx_error(lx, lx->line, lx->col, "expected a rule");
                        if (streq(kw, "file")) {
                                adv_n(lx, 4);
                                skip_space(lx);
                                if (peek(lx) == ',') {
                                        adv(lx);
                                        r->kind = AA_RULE_FILE;
                                        r->perms = AA_PERM_READ | AA_PERM_WRITE | AA_PERM_APPEND | AA_PERM_LINK |
                                                   AA_PERM_LOCK | AA_PERM_MMAP | AA_PERM_EXEC;
                                        memcpy(r->exec_mode, "i", 2);
                                        rr = 0;
                                } else {
                                        c = peek(lx);
                                        rr = parse_file_rule(lx, p, r, !(c == '/' || c == '"' || c == '@'));
                                }
                        } else if (streq(kw, "link")) {
                                adv_n(lx, 4);
                                rr = parse_link_rule(lx, p, r);
                        } else if (streq(kw, "network") || streq(kw, "unix") || streq(kw, "capability") ||
                                   streq(kw, "signal") || streq(kw, "ptrace") || streq(kw, "mount") ||
                                   streq(kw, "remount") || streq(kw, "umount") || streq(kw, "unmount") ||
                                   streq(kw, "pivot_root") || streq(kw, "dbus") || streq(kw, "change_profile") ||
                                   streq(kw, "set") || streq(kw, "userns") || streq(kw, "mqueue") ||
                                   streq(kw, "io_uring") || streq(kw, "all") || streq(kw, "rlimit")) {
                                adv_n(lx, strlen(kw));
                                rr = parse_keyword_rule(lx, p, ri, kw);
                        } else {
                                /* mode-first file rule: `rw /path,` */
                                size_t n = 0;
                                while (lx->pos + n < lx->len && !is_ws(lx->s[lx->pos + n]))
                                        n++;
                                _cleanup_free_ char *w = xstrndup(lx->s + lx->pos, n);
                                if (!perms_word(w))
                                        return lx_error(lx, lx->line, lx->col, "unknown rule '%s'", kw);
                                rr = parse_file_rule(lx, p, r, true);
                        }
                }
                if (rr < 0)
                        return rr;
                size_t end = lx->pos;
                /* drop the final ',' from the text */
                while (end > start && (lx->s[end - 1] == ',' || is_ws(lx->s[end - 1])))
                        end--;
                for (size_t k = ri; k < p->n_rules; k++)
                        p->rules[k].text = collapse_text(lx->s + start, end - start);
        }
}

static int parse_profile(lexer *lx, mp_aa_profile *p)
{
        p->line = lx->line;
        p->column = lx->col;
        token t = { 0 };
        int r;
        if (looking_at_word(lx, "profile")) {
                adv_n(lx, 7);
                skip_space(lx);
                if (peek(lx) == '"') {
                        r = read_quoted(lx, &t);
                } else {
                        t.line = lx->line;
                        t.col = lx->col;
                        size_t s = lx->pos;
                        while (!at_eof(lx) && !is_ws(peek(lx)) && peek(lx) != '{')
                                adv(lx);
                        t.text = xstrndup(lx->s + s, lx->pos - s);
                        r = 0;
                }
                if (r < 0)
                        return r;
                if (!t.text[0]) {
                        free(t.text);
                        return lx_error(lx, p->line, p->column, "profile needs a name");
                }
                r = mp_aa_unescape(t.text, strlen(t.text), &p->name, NULL);
                free(t.text);
                if (r < 0)
                        return lx_error(lx, t.line, t.col, "NUL byte in the profile name");
                skip_space(lx);
                char c = peek(lx);
                if (c == '/' || c == '"' || c == '@') {
                        token a = { 0 };
                        r = read_path(lx, &a);
                        if (r == 0 && mp_aa_unescape(a.text, strlen(a.text), &p->attachment, NULL) < 0)
                                r = lx_error(lx, a.line, a.col, "NUL byte in the attachment");
                        free(a.text);
                        if (r < 0)
                                return r;
                }
        } else {
                token a = { 0 };
                r = read_path(lx, &a);
                if (r == 0 && mp_aa_unescape(a.text, strlen(a.text), &p->name, NULL) < 0)
                        r = lx_error(lx, a.line, a.col, "NUL byte in the profile name");
                free(a.text);
                if (r < 0)
                        return r;
                p->attachment = xstrdup(p->name);
        }
        skip_space(lx);
        if (looking_at_word(lx, "flags") || peek(lx) == '(') {
                r = parse_flags(lx, p);
                if (r < 0)
                        return r;
                skip_space(lx);
        }
        if (peek(lx) != '{')
                return lx_error(lx, lx->line, lx->col, "expected '{' to open profile '%s'", p->name);
        adv(lx);
        if (!p->flags)
                p->flags = xcalloc(1, sizeof(char *));
        return parse_body(lx, p);
}

int mp_aa_profile_parse(const char *data, size_t size, const char *name, mp_aa_profile **ret, mp_error *err)
{
        lexer lx = { .s = data, .len = size, .line = 1, .col = 1, .name = name, .err = err };
        const char *nul = memchr(data, 0, size);
        if (nul) {
                while (lx.s + lx.pos < nul)
                        adv(&lx);
                return lx_error(&lx, lx.line, lx.col, "NUL byte in the profile");
        }
        mp_aa_profile *p = xcalloc(1, sizeof *p);
        p->vars = mp_aa_vars_new_default();
        p->abis = xcalloc(1, sizeof(char *));
        p->includes = xcalloc(1, sizeof(char *));
        p->alias_from = xcalloc(1, sizeof(char *));
        p->alias_to = xcalloc(1, sizeof(char *));
        p->var_defs = xcalloc(1, sizeof(char *));
        bool have_profile = false;
        int r = 0;
        for (;;) {
                skip_space(&lx);
                if (at_eof(&lx))
                        break;
                int line = lx.line, col = lx.col;
                if (looking_at_word(&lx, "include") || looking_at_word(&lx, "#include")) {
                        char *inc = NULL;
                        r = parse_include(&lx, &inc);
                        if (r < 0)
                                break;
                        strv_push(&p->includes, inc);
                } else if (looking_at_word(&lx, "abi")) {
                        adv_n(&lx, 3);
                        skip_space(&lx);
                        size_t from = lx.pos;
                        if (peek(&lx) == '<') {
                                while (!at_eof(&lx) && peek(&lx) != '>' && peek(&lx) != '\n')
                                        adv(&lx);
                                if (peek(&lx) != '>') {
                                        r = lx_error(&lx, line, col, "unterminated abi <...>");
                                        break;
                                }
                                adv(&lx);
                        } else if (peek(&lx) == '"') {
                                token t = { 0 };
                                r = read_quoted(&lx, &t);
                                free(t.text);
                                if (r < 0)
                                        break;
                        } else {
                                r = lx_error(&lx, lx.line, lx.col, "expected abi <...>");
                                break;
                        }
                        strv_push(&p->abis, xstrndup(lx.s + from, lx.pos - from));
                        r = expect_comma(&lx, "abi rule");
                        if (r < 0)
                                break;
                } else if (peek(&lx) == '@' && peek_at(&lx, 1) == '{') {
                        r = parse_variable(&lx, p);
                        if (r < 0)
                                break;
                } else if (looking_at_word(&lx, "alias")) {
                        r = parse_alias(&lx, p);
                        if (r < 0)
                                break;
                } else if (looking_at_word(&lx, "profile") || peek(&lx) == '/' || peek(&lx) == '"') {
                        if (have_profile) {
                                r = lx_error(&lx, line, col, "more than one profile in the file");
                                break;
                        }
                        r = parse_profile(&lx, p);
                        if (r < 0)
                                break;
                        have_profile = true;
                } else if (peek(&lx) == '$' || looking_at_word(&lx, "if")) {
                        r = lx_error(&lx, line, col, "conditionals are not supported");
                        break;
                } else if (peek(&lx) == '^' || looking_at_word(&lx, "hat")) {
                        r = lx_error(&lx, line, col, "hats are not supported");
                        break;
                } else {
                        size_t n = 0;
                        while (lx.pos + n < lx.len && !is_ws(lx.s[lx.pos + n]) && n < 40)
                                n++;
                        r = lx_error(&lx, line, col, "unexpected '%.*s'", (int)n, lx.s + lx.pos);
                        break;
                }
        }
        if (r == 0 && !have_profile)
                r = lx_error(&lx, lx.line, lx.col, "no profile in the file");
        if (r == 0)
                r = apply_aliases(&lx, p);
        if (r < 0) {
                mp_aa_profile_free(p);
                return r;
        }
        *ret = p;
        return 0;
}

int mp_aa_profile_load(const char *path, mp_aa_profile **ret, mp_error *err)
{
        _cleanup_free_ char *data = NULL;
        size_t size = 0;
        int r = read_file_full(path, PROFILE_MAX_BYTES, &data, &size);
        if (r < 0)
                return mp_error_set(err, r, path, "cannot read: %s", strerror(-r));
        return mp_aa_profile_parse(data, size, path, ret, err);
}

/* ---------------------------------------------------------- questions */

bool mp_aa_profile_allows_file(const mp_aa_profile *p, const char *path, size_t len, unsigned perms, bool owner)
{
        unsigned allow = 0, deny = 0;
        for (size_t i = 0; i < p->n_rules; i++) {
                const mp_aa_rule *r = &p->rules[i];
                if (r->kind != AA_RULE_FILE && r->kind != AA_RULE_LINK)
                        continue;
                if (r->owner && !owner)
                        continue;
                if (r->glob && !aaglob_match(r->glob, path, len))
                        continue;
                unsigned rp = r->perms;
                if (rp & AA_PERM_WRITE)
                        rp |= AA_PERM_APPEND;
                if (r->deny)
                        deny |= rp;
                else
                        allow |= rp;
        }
        return perms && (perms & ~(allow & ~deny)) == 0;
}

/* Is `word` one of the space-separated words of `list`? */
static bool word_in(const char *list, const char *word)
{
        size_t n = strlen(word);
        for (const char *s = list; s && *s;) {
                const char *e = strchr(s, ' ');
                size_t l = e ? (size_t)(e - s) : strlen(s);
                if (l == n && memcmp(s, word, n) == 0)
                        return true;
                s = e ? e + 1 : NULL;
        }
        return false;
}

/* Does the rule's access list hold `access`? "r" and "w" stand for the
 * words of r_alias and w_alias, "rw" for both. */
static bool access_has(const mp_aa_rule *r, const char *access, const char *r_alias, const char *w_alias)
{
        if (!r->access)
                return true;
        for (char **a = r->access; *a; a++) {
                if (streq(*a, access))
                        return true;
                bool rd = streq(*a, "r") || streq(*a, "rw"), wr = streq(*a, "w") || streq(*a, "rw");
                if ((rd && word_in(r_alias, access)) || (wr && word_in(w_alias, access)))
                        return true;
        }
        return false;
}

/* Does the conditional (if the rule has it) accept `value`? A rule
 * conditional never matches an unknown (NULL) value. */
static bool cond_accepts(const mp_aa_rule *r, const char *key, const char *value, const mp_aa_vars *vars)
{
        const mp_aa_cond *c = rule_cond(r, key);
        if (!c)
                return true;
        if (!value)
                return false;
        for (char **v = c->values; v && *v; v++) {
                aaglob *g = NULL;
                if (aaglob_compile(*v, vars, &g, NULL) < 0)
                        continue;
                bool m = aaglob_match(g, value, strlen(value));
                aaglob_free(g);
                if (m)
                        return true;
        }
        return false;
}

bool mp_aa_profile_allows_capability(const mp_aa_profile *p, const char *name)
{
        bool allow = false;
        for (size_t i = 0; i < p->n_rules; i++) {
                const mp_aa_rule *r = &p->rules[i];
                if (r->kind != AA_RULE_CAPABILITY || (r->capability && !streq(r->capability, name)))
                        continue;
                if (r->deny)
                        return false;
                allow = true;
        }
        return allow;
}

static bool protocol_fits(const char *protocol, const char *type)
{
        if (!type)
                return false;
        return (streq(protocol, "tcp") && streq(type, "stream")) || (streq(protocol, "udp") && streq(type, "dgram")) ||
               (streq(protocol, "icmp") && (streq(type, "raw") || streq(type, "dgram")));
}

static bool network_rule_matches(const mp_aa_rule *r, const char *family, const char *type)
{
        if (r->family && !streq(r->family, family))
                return false;
        if (r->type && (!type || !streq(r->type, type)))
                return false;
        if (r->protocol && !protocol_fits(r->protocol, type))
                return false;
        return true;
}

bool mp_aa_profile_allows_network(const mp_aa_profile *p, const char *family, const char *type)
{
        bool allow = false;
        for (size_t i = 0; i < p->n_rules; i++) {
                const mp_aa_rule *r = &p->rules[i];
                if (r->kind != AA_RULE_NETWORK || !network_rule_matches(r, family, type))
                        continue;
                if (r->deny)
                        return false;
                allow = true;
        }
        return allow;
}

bool mp_aa_profile_allows_unix(const mp_aa_profile *p, const char *access, const char *type, const char *addr)
{
        bool allow = false;
        bool peer_side = streq(access, "connect") || streq(access, "send") || streq(access, "receive");
        for (size_t i = 0; i < p->n_rules; i++) {
                const mp_aa_rule *r = &p->rules[i];
                bool m;
                if (r->kind == AA_RULE_NETWORK) {
                        m = (!r->family || streq(r->family, "unix")) && network_rule_matches(r, "unix", type);
                } else if (r->kind == AA_RULE_UNIX) {
                        m = access_has(r, access, "receive getattr getopt",
                                       "create bind listen accept connect "
                                       "shutdown setattr setopt send") &&
                            cond_accepts(r, "type", type, p->vars);
                        /* the address of our socket (bind) or of the peer */
                        if (m && rule_cond(r, "addr"))
                                m = !peer_side && cond_accepts(r, "addr", addr, p->vars);
                        if (m && rule_cond(r, "peer.addr"))
                                m = peer_side && cond_accepts(r, "peer.addr", addr, p->vars);
                } else {
                        continue;
                }
                if (!m)
                        continue;
                if (r->deny)
                        return false;
                allow = true;
        }
        return allow;
}

bool mp_aa_profile_allows_signal(const mp_aa_profile *p, const char *access, const char *signal, const char *peer)
{
        bool allow = false;
        for (size_t i = 0; i < p->n_rules; i++) {
                const mp_aa_rule *r = &p->rules[i];
                if (r->kind != AA_RULE_SIGNAL)
                        continue;
                if (!access_has(r, access, "receive", "send"))
                        continue;
                const mp_aa_cond *set = rule_cond(r, "set");
                if (set && !strv_contains(set->values, signal))
                        continue;
                if (!cond_accepts(r, "peer.label", peer, p->vars))
                        continue;
                if (r->deny)
                        return false;
                allow = true;
        }
        return allow;
}

bool mp_aa_profile_allows_ptrace(const mp_aa_profile *p, const char *access, const char *peer)
{
        bool allow = false;
        for (size_t i = 0; i < p->n_rules; i++) {
                const mp_aa_rule *r = &p->rules[i];
                if (r->kind != AA_RULE_PTRACE)
                        continue;
                if (!access_has(r, access, "read readby", "trace tracedby"))
                        continue;
                if (!cond_accepts(r, "peer.label", peer, p->vars))
                        continue;
                if (r->deny)
                        return false;
                allow = true;
        }
        return allow;
}

bool mp_aa_profile_allows_mount(const mp_aa_profile *p, const char *keyword)
{
        bool allow = false;
        for (size_t i = 0; i < p->n_rules; i++) {
                const mp_aa_rule *r = &p->rules[i];
                if (r->kind != AA_RULE_MOUNT || !streq(r->keyword, keyword))
                        continue;
                if (r->deny)
                        return false;
                allow = true;
        }
        return allow;
}

const char *mp_aa_rule_kind_name(mp_aa_rule_kind kind)
{
        static const char *const names[_AA_RULE_MAX] = {
                [AA_RULE_FILE] = "file",
                [AA_RULE_LINK] = "link",
                [AA_RULE_NETWORK] = "network",
                [AA_RULE_UNIX] = "unix",
                [AA_RULE_CAPABILITY] = "capability",
                [AA_RULE_SIGNAL] = "signal",
                [AA_RULE_PTRACE] = "ptrace",
                [AA_RULE_MOUNT] = "mount",
                [AA_RULE_INCLUDE] = "include",
                [AA_RULE_OTHER] = "other",
        };
        return kind < _AA_RULE_MAX ? names[kind] : "other";
}
