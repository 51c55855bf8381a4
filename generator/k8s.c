/* SPDX-License-Identifier: MIT */
/* Container platforms beyond Docker: the OCI runtime's seccomp object and,
 * with --format k8s, Kubernetes resources.
 *
 *   oci-seccomp.json              the `linux.seccomp` object of an OCI runtime
 *                                 config.json (runc, crun): the rules of
 *                                 seccomp.json in OCI's format
 *   k8s/seccompprofile.yaml       a Security Profiles Operator SeccompProfile
 *                                 with the same rules
 *   k8s/apparmorprofile.yaml      an SPO AppArmorProfile: the AppArmor profile's
 *                                 rules in SPO's abstract form
 *   k8s/securitycontext.yaml      a pod spec fragment: pod and container
 *                                 securityContext, limits and the writable
 *                                 mounts, from hardening.md's verdicts
 *
 * The operator's layout: from v0.9 on (the default) SeccompProfile and
 * AppArmorProfile are cluster-scoped, storage version v1, and a profile is
 * installed at operator/NAME.json under the kubelet's seccomp root; before
 * (--spo-layout namespaced) they were namespaced (SeccompProfile v1beta1,
 * AppArmorProfile v1alpha1) and installed at operator/NAMESPACE/NAME.json.
 *
 * All are derived from the other emitters' results (the seccomp profile,
 * parsed back; the AppArmor profile, parsed back with the profile reader;
 * the hardening plan), so they can never disagree with seccomp.json,
 * apparmor.profile and hardening.md. YAML is written by hand: block style,
 * two-space indentation, strings quoted whenever they are not plain
 * words, sorted where the source is. */
#include <ctype.h>

#include "policy/apparmor-profile.h"
#include "generator/caps.h"
#include "generator/emitters.h"

/* ------------------------------------------------------------ helpers */

/* seccomp.json as gen_context_init built it, parsed. */
static int docker_profile(const gen_context *ctx, json_t **ret, mp_error *err)
{
        _cleanup_free_ char *text = NULL;
        int r = gen_emit_seccomp_json(ctx, &text, err);
        if (r < 0)
                return r;
        json_error_t jerr;
        json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
        if (!root)
                return mp_error_set(err, -EINVAL, "seccomp.json", "cannot read back: %s", jerr.text);
        *ret = root;
        return 0;
}

/* A Kubernetes object name (DNS-1123 subdomain): lower case letters,
 * digits, '-' and '.', starting and ending with a letter or digit. */
static char *k8s_name(const char *name)
{
        strbuf sb = STRBUF_INIT;
        for (const char *p = name; *p && sb.len < 253; p++) {
                char c = (char)tolower((unsigned char)*p);
                strbuf_putc(&sb, isalnum((unsigned char)c) || c == '.' || c == '-' ? c : '-');
        }
        char *s = strbuf_steal(&sb);
        size_t start = 0, end = strlen(s);
        while (start < end && !isalnum((unsigned char)s[start]))
                start++;
        while (end > start && !isalnum((unsigned char)s[end - 1]))
                end--;
        char *out = end > start ? xstrndup(s + start, end - start) : xstrdup("minpriv-workload");
        free(s);
        return out;
}

static bool yaml_plain(const char *s)
{
        if (!*s || strchr("-?:,[]{}#&*!|>'\"%@` ", s[0]))
                return false;
        for (const unsigned char *p = (const unsigned char *)s; *p; p++)
                if (!(isalnum(*p) || *p == '_' || *p == '-' || *p == '.' || *p == '/'))
                        return false;
        /* words YAML would read as something else */
        static const char *const special[] = { "true", "false", "yes", "no", "on", "off", "null", "y", "n", "~", NULL };
        for (const char *const *w = special; *w; w++)
                if (strcasecmp(s, *w) == 0)
                        return false;
        char *end;
        strtod(s, &end);
        return *end != '\0';
}

/* A YAML scalar: plain when safe, else double-quoted with escapes. */
static void yaml_str(strbuf *sb, const char *s)
{
        if (yaml_plain(s))
                strbuf_puts(sb, s);
        else
                gen_yaml_quoted(sb, s);
}

static void yaml_list(strbuf *sb, int indent, char *const *items)
{
        for (char *const *i = items; i && *i; i++) {
                strbuf_printf(sb, "%*s- ", indent, "");
                yaml_str(sb, *i);
                strbuf_putc(sb, '\n');
        }
}

/* ------------------------------------------------------------ OCI seccomp */

/* The OCI runtime spec's seccomp object from a Docker profile: archMap
 * becomes `architectures`, each rule keeps names, action, errnoRet and
 * args. Docker's includes/excludes have no OCI form (minpriv never writes
 * them). Returns a new object. */
static int oci_from_docker(const json_t *docker, json_t **ret, mp_error *err)
{
        json_t *oci = json_object();
        json_object_set(oci, "defaultAction", json_object_get(docker, "defaultAction"));
        if (json_object_get(docker, "defaultErrnoRet"))
                json_object_set(oci, "defaultErrnoRet", json_object_get(docker, "defaultErrnoRet"));
        json_t *arches = json_array();
        size_t i, j;
        const json_t *m, *a;
        json_array_foreach (json_object_get(docker, "archMap"), i, m) {
                json_array_append(arches, json_object_get(m, "architecture"));
                json_array_foreach (json_object_get(m, "subArchitectures"), j, a) {
                        bool dup = false;
                        size_t k;
                        const json_t *seen;
                        json_array_foreach (arches, k, seen)
                                if (json_equal((json_t *)seen, (json_t *)a))
                                        dup = true;
                        if (!dup)
                                json_array_append(arches, (json_t *)a);
                }
        }
        json_object_set_new(oci, "architectures", arches);
        json_t *rules = json_array();
        const json_t *s;
        json_array_foreach (json_object_get(docker, "syscalls"), i, s) {
                if (json_object_get(s, "includes") || json_object_get(s, "excludes")) {
                        json_decref(rules);
                        json_decref(oci);
                        return mp_error_set(err, -EINVAL, "oci-seccomp.json",
                                            "seccomp.json rule %zu has includes/excludes, which OCI cannot express", i);
                }
                json_t *r = json_object();
                json_object_set(r, "names", json_object_get(s, "names"));
                json_object_set(r, "action", json_object_get(s, "action"));
                if (json_object_get(s, "errnoRet"))
                        json_object_set(r, "errnoRet", json_object_get(s, "errnoRet"));
                if (json_array_size(json_object_get(s, "args"))) {
                        json_t *args = json_array();
                        json_array_foreach (json_object_get(s, "args"), j, a) {
                                json_t *o = json_object();
                                json_object_set(o, "index", json_object_get(a, "index"));
                                json_object_set(o, "value", json_object_get(a, "value"));
                                json_object_set(o, "valueTwo", json_object_get(a, "valueTwo"));
                                json_object_set(o, "op", json_object_get(a, "op"));
                                json_array_append_new(args, o);
                        }
                        json_object_set_new(r, "args", args);
                }
                json_array_append_new(rules, r);
        }
        json_object_set_new(oci, "syscalls", rules);
        *ret = oci;
        return 0;
}

int gen_emit_oci_seccomp_json(const gen_context *ctx, char **ret, mp_error *err)
{
        json_t *docker = NULL, *oci = NULL;
        int r = docker_profile(ctx, &docker, err);
        if (r < 0)
                return r;
        r = oci_from_docker(docker, &oci, err);
        json_decref(docker);
        if (r < 0)
                return r;
        char *text = json_dumps(oci, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        json_decref(oci);
        if (!text)
                return mp_error_set(err, -ENOMEM, NULL, "cannot serialise the OCI seccomp object");
        *ret = xasprintf("%s\n", text);
        free(text);
        return 0;
}

/* ------------------------------------------------------------ SeccompProfile */

bool gen_k8s_needed(const gen_context *ctx)
{
        return ctx->opts->k8s;
}

int gen_emit_k8s_seccompprofile_yaml(const gen_context *ctx, char **ret, mp_error *err)
{
        json_t *docker = NULL;
        int r = docker_profile(ctx, &docker, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *name = k8s_name(ctx->name);
        strbuf sb = STRBUF_INIT;
        if (ctx->opts->spo_namespaced)
                strbuf_printf(
                        &sb,
                        "# SeccompProfile for the Security Profiles Operator before v0.9 (namespaced, v1beta1),\n"
                        "# generated by minpriv: the rules of seccomp.json. Apply it in the workload's namespace:\n"
                        "#   kubectl apply -n NAMESPACE -f seccompprofile.yaml\n"
                        "# and point the pod at the file the operator installs on every node (see\n"
                        "# securitycontext.yaml): operator/NAMESPACE/%s.json\n",
                        name);
        else
                strbuf_printf(
                        &sb,
                        "# SeccompProfile for the Security Profiles Operator v0.9 or later (cluster-scoped, v1),\n"
                        "# generated by minpriv: the rules of seccomp.json. Apply it once for the cluster:\n"
                        "#   kubectl apply -f seccompprofile.yaml\n"
                        "# and point the pod at the file the operator installs on every node (see\n"
                        "# securitycontext.yaml): operator/%s.json\n"
                        "# (for an operator before v0.9: minpriv generate --spo-layout namespaced)\n",
                        name);
        const json_t *def_errno = json_object_get(docker, "defaultErrnoRet");
        if (def_errno && json_integer_value(def_errno) != 1)
                strbuf_printf(&sb,
                              "# The operator's format has no defaultErrnoRet: other syscalls fail with EPERM here,\n"
                              "# not with errno %lld as in seccomp.json.\n",
                              (long long)json_integer_value(def_errno));
        strbuf_printf(&sb,
                      "apiVersion: security-profiles-operator.x-k8s.io/%s\nkind: SeccompProfile\nmetadata:\n  name: ",
                      ctx->opts->spo_namespaced ? "v1beta1" : "v1");
        yaml_str(&sb, name);
        strbuf_puts(&sb, "\nspec:\n  defaultAction: ");
        yaml_str(&sb, json_string_value(json_object_get(docker, "defaultAction")));
        strbuf_puts(&sb, "\n  architectures:\n");
        size_t i, j;
        const json_t *m, *a, *s;
        json_t *arches = json_array();
        json_array_foreach (json_object_get(docker, "archMap"), i, m) {
                json_array_append(arches, json_object_get(m, "architecture"));
                json_array_foreach (json_object_get(m, "subArchitectures"), j, a)
                        json_array_append(arches, (json_t *)a);
        }
        json_array_foreach (arches, i, a) {
                strbuf_puts(&sb, "    - ");
                yaml_str(&sb, json_string_value(a));
                strbuf_putc(&sb, '\n');
        }
        json_decref(arches);
        strbuf_puts(&sb, "  syscalls:\n");
        json_array_foreach (json_object_get(docker, "syscalls"), i, s) {
                strbuf_puts(&sb, "    - action: ");
                yaml_str(&sb, json_string_value(json_object_get(s, "action")));
                strbuf_putc(&sb, '\n');
                if (json_object_get(s, "errnoRet"))
                        strbuf_printf(&sb, "      errnoRet: %lld\n",
                                      (long long)json_integer_value(json_object_get(s, "errnoRet")));
                strbuf_puts(&sb, "      names:\n");
                json_array_foreach (json_object_get(s, "names"), j, a) {
                        strbuf_puts(&sb, "        - ");
                        yaml_str(&sb, json_string_value(a));
                        strbuf_putc(&sb, '\n');
                }
                if (json_array_size(json_object_get(s, "args"))) {
                        strbuf_puts(&sb, "      args:\n");
                        json_array_foreach (json_object_get(s, "args"), j, a) {
                                strbuf_printf(&sb,
                                              "        - index: %lld\n          value: %llu\n          valueTwo: %llu\n"
                                              "          op: ",
                                              (long long)json_integer_value(json_object_get(a, "index")),
                                              (unsigned long long)json_integer_value(json_object_get(a, "value")),
                                              (unsigned long long)json_integer_value(json_object_get(a, "valueTwo")));
                                yaml_str(&sb, json_string_value(json_object_get(a, "op")));
                                strbuf_putc(&sb, '\n');
                        }
                }
        }
        json_decref(docker);
        *ret = strbuf_steal(&sb);
        return 0;
}

/* ------------------------------------------------------------ AppArmorProfile */

/* SPO's abstract paths allow only letters, digits, "_ . / * ? + @ space -" and @{VAR}, and must
 * start with '/'. Other bytes become '?' (one byte, any character), a
 * character class '?', an alternation '*' ('**' when it spans '/'):
 * each replacement only widens. Sets *ret_widened when it changed. */
static char *spo_path(const char *pattern, bool *ret_widened)
{
        strbuf sb = STRBUF_INIT;
        const char *p = pattern;
        if (startswith(p, "@{PROC}")) {
                strbuf_puts(&sb, "/proc");
                p += strlen("@{PROC}");
        } else if (startswith(p, "@{sys}")) {
                strbuf_puts(&sb, "/sys");
                p += strlen("@{sys}");
        }
        while (*p) {
                unsigned char c = (unsigned char)*p;
                if (c == '@' && p[1] == '{') {
                        const char *q = p + 2;
                        while (isalnum((unsigned char)*q) || *q == '_')
                                q++;
                        if (*q == '}' && q > p + 2) {
                                strbuf_add(&sb, p, (size_t)(q + 1 - p));
                                p = q + 1;
                                continue;
                        }
                }
                if (c == '[') {
                        const char *q = strchr(p + 1, ']');
                        strbuf_putc(&sb, '?');
                        *ret_widened = true;
                        p = q ? q + 1 : p + 1;
                        continue;
                }
                if (c == '{') {
                        int depth = 0;
                        bool slash = false;
                        const char *q = p;
                        for (; *q; q++) {
                                if (*q == '{')
                                        depth++;
                                else if (*q == '}' && --depth == 0)
                                        break;
                                else if (*q == '/')
                                        slash = true;
                        }
                        strbuf_puts(&sb, slash ? "**" : "*");
                        *ret_widened = true;
                        p = *q ? q + 1 : q;
                        continue;
                }
                if (c == '\\' && p[1]) {
                        p++;
                        c = (unsigned char)*p;
                }
                if (isalnum(c) || strchr("_./*?+@ -", c))
                        strbuf_putc(&sb, (char)c);
                else {
                        strbuf_putc(&sb, '?');
                        *ret_widened = true;
                }
                p++;
        }
        if (!sb.len || sb.buf[0] != '/') {
                strbuf_free(&sb);
                *ret_widened = true;
                return xstrdup("/**");
        }
        return strbuf_steal(&sb);
}

static void set_put(json_t *set, char *s)
{
        json_object_set_new(set, s, json_true());
        free(s);
}

static char **set_sorted(const json_t *set)
{
        size_t n;
        const char **keys = trace_sorted_keys(set, &n);
        char **v = xcalloc(n + 1, sizeof *v);
        for (size_t i = 0; i < n; i++)
                v[i] = xstrdup(keys[i]);
        free(keys);
        return v;
}

static void put_section(strbuf *sb, const char *key, const json_t *set)
{
        if (!json_object_size(set))
                return;
        _cleanup_strv_free_ char **v = set_sorted(set);
        strbuf_printf(sb, "      %s:\n", key);
        yaml_list(sb, 8, v);
}

int gen_emit_k8s_apparmorprofile_yaml(const gen_context *ctx, char **ret, mp_error *err)
{
        _cleanup_free_ char *text = NULL;
        int r = gen_emit_apparmor_profile(ctx, &text, err);
        if (r < 0)
                return r;
        _cleanup_mp_aa_profile_ mp_aa_profile *prof = NULL;
        r = mp_aa_profile_parse(text, strlen(text), "apparmor.profile", &prof, err);
        if (r < 0)
                return r;
        json_t *exe = json_object(), *libs = json_object(), *ro = json_object(), *wo = json_object(),
               *rw = json_object(), *caps = json_object();
        bool tcp = false, udp = false, raw = false;
        size_t widened = 0, lost_perms = 0, owner = 0, other = 0;
        for (size_t i = 0; i < prof->n_rules; i++) {
                const mp_aa_rule *rule = &prof->rules[i];
                if (rule->deny)
                        continue; /* the operator's abstract only allows */
                switch (rule->kind) {
                case AA_RULE_FILE: {
                        if (!rule->path) {
                                other++;
                                break;
                        }
                        bool w = false;
                        char *path = spo_path(rule->path, &w);
                        widened += w;
                        owner += rule->owner;
                        unsigned pm = rule->perms;
                        if (pm & AA_PERM_EXEC)
                                set_put(exe, xstrdup(path));
                        if (pm & AA_PERM_MMAP)
                                set_put(libs, xstrdup(path));
                        bool rd = pm & AA_PERM_READ, wr = pm & (AA_PERM_WRITE | AA_PERM_APPEND);
                        if (rd && wr)
                                set_put(rw, xstrdup(path));
                        else if (rd)
                                set_put(ro, xstrdup(path));
                        else if (wr)
                                set_put(wo, xstrdup(path));
                        if (pm & (AA_PERM_LOCK | AA_PERM_LINK))
                                lost_perms++;
                        free(path);
                        break;
                }
                case AA_RULE_CAPABILITY:
                        if (rule->capability)
                                json_object_set_new(caps, rule->capability, json_true());
                        break;
                case AA_RULE_NETWORK: {
                        const char *fam = rule->family, *type = rule->type;
                        bool inet = !fam || streq(fam, "inet") || streq(fam, "inet6");
                        if (inet && (!type || streq(type, "stream")))
                                tcp = true;
                        if (inet && (!type || streq(type, "dgram")))
                                udp = true;
                        /* allowRaw is rendered `network raw,`: raw sockets of every
                         * family. Only an inet raw socket or a packet socket,
                         * which need it, set it; a netlink (or other family's)
                         * raw socket has no place in the form. */
                        if ((inet && type && streq(type, "raw")) || (fam && streq(fam, "packet")))
                                raw = true;
                        if (fam && !inet && !streq(fam, "packet"))
                                other++;
                        break;
                }
                case AA_RULE_INCLUDE:
                        break;
                default:
                        other++;
                }
        }
        _cleanup_free_ char *name = k8s_name(ctx->name);
        strbuf sb = STRBUF_INIT;
        strbuf_puts(&sb, "# AppArmorProfile for the Security Profiles Operator, generated by minpriv from\n"
                         "# apparmor.profile, in the operator's abstract form (executables, libraries, paths,\n"
                         "# network, capabilities). Apply it with kubectl apply -f apparmorprofile.yaml; pods use\n"
                         "# it as a Localhost AppArmor profile of this name (securitycontext.yaml).\n");
        if (widened || lost_perms || owner || other || raw)
                strbuf_puts(&sb,
                            "# The abstract form is coarser than apparmor.profile; loading apparmor.profile on the\n"
                            "# nodes instead keeps every detail. Here:\n");
        if (widened)
                strbuf_printf(&sb,
                              "#   %zu path pattern%s widened to the operator's path characters ('?' for others)\n",
                              widened, widened == 1 ? "" : "s");
        if (owner)
                strbuf_printf(&sb, "#   %zu owner-only rule%s apply to every owner\n", owner, owner == 1 ? "" : "s");
        if (lost_perms)
                strbuf_printf(&sb,
                              "#   %zu rule%s lose lock (k) or link (l) permission, which the form cannot express\n",
                              lost_perms, lost_perms == 1 ? "" : "s");
        if (other)
                strbuf_printf(&sb,
                              "#   %zu rule%s of other kinds (unix sockets, signals, ptrace, mount, other network\n"
                              "#   families) have no place in the form\n",
                              other, other == 1 ? "" : "s");
        if (raw)
                strbuf_puts(&sb,
                            "#   allowRaw: true is rendered `network raw,`: raw sockets of every family, wider than\n"
                            "#   the inet raw or packet socket recorded\n");
        strbuf_printf(&sb,
                      "apiVersion: security-profiles-operator.x-k8s.io/%s\nkind: AppArmorProfile\nmetadata:\n  name: ",
                      ctx->opts->spo_namespaced ? "v1alpha1" : "v1");
        yaml_str(&sb, name);
        strbuf_puts(&sb, "\nspec:\n  abstract:\n");
        if (json_object_size(exe) || json_object_size(libs)) {
                strbuf_puts(&sb, "    executable:\n");
                put_section(&sb, "allowedExecutables", exe);
                put_section(&sb, "allowedLibraries", libs);
        }
        if (json_object_size(ro) || json_object_size(wo) || json_object_size(rw)) {
                strbuf_puts(&sb, "    filesystem:\n");
                put_section(&sb, "readOnlyPaths", ro);
                put_section(&sb, "writeOnlyPaths", wo);
                put_section(&sb, "readWritePaths", rw);
        }
        strbuf_printf(&sb,
                      "    network:\n      allowRaw: %s\n      allowedProtocols:\n        allowTcp: %s\n"
                      "        allowUdp: %s\n",
                      raw ? "true" : "false", tcp ? "true" : "false", udp ? "true" : "false");
        if (json_object_size(caps)) {
                strbuf_puts(&sb, "    capability:\n");
                put_section(&sb, "allowedCapabilities", caps);
        }
        json_decref(exe);
        json_decref(libs);
        json_decref(ro);
        json_decref(wo);
        json_decref(rw);
        json_decref(caps);
        *ret = strbuf_steal(&sb);
        return 0;
}

/* ------------------------------------------------------------ securityContext */

/* A volume name (DNS-1123 label) for a mount path: "/var/tmp" -> "var-tmp". */
static char *volume_name(const char *path, size_t index)
{
        strbuf sb = STRBUF_INIT;
        for (const char *p = path; *p && sb.len < 50; p++) {
                char c = (char)tolower((unsigned char)*p);
                if (isalnum((unsigned char)c))
                        strbuf_putc(&sb, c);
                else if (sb.len && sb.buf[sb.len - 1] != '-')
                        strbuf_putc(&sb, '-');
        }
        while (sb.len && sb.buf[sb.len - 1] == '-')
                sb.buf[--sb.len] = '\0';
        char *base = strbuf_steal(&sb);
        char *out = xasprintf("%s-%zu", *base ? base : "root", index);
        free(base);
        return out;
}

int gen_emit_k8s_securitycontext_yaml(const gen_context *ctx, char **ret, mp_error *err)
{
        gen_hardening h;
        int r = gen_hardening_plan(ctx, &h);
        if (r < 0)
                return mp_error_set(err, r, NULL, "cannot work out the hardening plan");
        _cleanup_free_ char *name = k8s_name(ctx->name);
        bool sys_admin = false;
        for (char **c = ctx->caps; *c; c++)
                if (streq(*c, "CAP_SYS_ADMIN"))
                        sys_admin = true;
        strbuf sb = STRBUF_INIT;
        strbuf_printf(
                &sb,
                "# Pod spec fragment for %s, generated by minpriv from the evidence in hardening.md:\n"
                "# merge it into the pod (or the pod template of a Deployment). The seccomp profile is\n"
                "%s"
                "# The AppArmor profile (apparmorprofile.yaml, or apparmor.profile loaded on\n"
                "# the nodes) is referenced by name (Kubernetes 1.30 or later).\n",
                ctx->name,
                ctx->opts->spo_namespaced
                        ? "# seccompprofile.yaml as the Security Profiles Operator (before v0.9) installs it for\n"
                          "# the namespace \"default\"; for another namespace use the path that\n"
                          "#   kubectl get seccompprofile NAME -n NAMESPACE -o jsonpath='{.status.localhostProfile}'\n"
                          "# prints.\n"
                        : "# seccompprofile.yaml as the Security Profiles Operator (v0.9 or later) installs it:\n"
                          "#   kubectl get seccompprofile NAME -o jsonpath='{.status.localhostProfile}'\n"
                          "# prints the same path.\n");
        if (!h.nonroot)
                strbuf_puts(&sb, "# runAsNonRoot is left out: running as non-root is not feasible as recorded "
                                 "(hardening.md, 1).\n");
        if (!h.read_only)
                strbuf_puts(&sb, "# readOnlyRootFilesystem is false: not feasible as recorded (hardening.md, 2).\n");
        if (!h.nnp)
                strbuf_puts(&sb, "# allowPrivilegeEscalation stays true: set-ID programs ran (hardening.md, 4).\n");
        else if (sys_admin)
                strbuf_puts(&sb,
                            "# allowPrivilegeEscalation stays true: Kubernetes refuses false with CAP_SYS_ADMIN.\n");
        for (size_t i = 0; i < h.n_mounts; i++)
                if (h.mounts[i].volume) {
                        strbuf_puts(&sb, "# An emptyDir starts empty, unlike a Docker volume: the image files the "
                                         "workload used\n"
                                         "# under ");
                        gen_put_escaped(&sb, h.mounts[i].path);
                        strbuf_puts(&sb, " must be copied in (an init container) or the directory split.\n");
                }
        if (h.pids > 0)
                strbuf_printf(&sb,
                              "# pids: hardening.md proposes a limit of %lld; Kubernetes sets it per node "
                              "(kubelet podPidsLimit).\n",
                              h.pids);
        strbuf_puts(&sb, "spec:\n  securityContext:\n");
        if (h.nonroot) {
                strbuf_puts(&sb, "    runAsNonRoot: true\n");
                if (h.uid >= 0)
                        strbuf_printf(&sb, "    runAsUser: %lld\n    runAsGroup: %lld\n", h.uid, h.gid);
        }
        strbuf_printf(&sb, "    seccompProfile:\n      type: Localhost\n      localhostProfile: operator/%s%s.json\n",
                      ctx->opts->spo_namespaced ? "default/" : "", name);
        strbuf_puts(&sb, "  containers:\n    - name: ");
        yaml_str(&sb, name);
        strbuf_puts(&sb, "\n      securityContext:\n");
        strbuf_printf(&sb, "        allowPrivilegeEscalation: %s\n", h.nnp && !sys_admin ? "false" : "true");
        strbuf_printf(&sb, "        readOnlyRootFilesystem: %s\n", h.read_only ? "true" : "false");
        strbuf_puts(&sb, "        capabilities:\n          drop:\n            - ALL\n");
        if (ctx->caps[0]) {
                strbuf_puts(&sb, "          add:\n");
                for (char **c = ctx->caps; *c; c++) {
                        strbuf_puts(&sb, "            - ");
                        yaml_str(&sb, startswith(*c, "CAP_") ? *c + 4 : *c);
                        strbuf_putc(&sb, '\n');
                }
        }
        strbuf_puts(&sb, "        appArmorProfile:\n          type: Localhost\n          localhostProfile: ");
        yaml_str(&sb, name);
        strbuf_putc(&sb, '\n');
        if (h.memory_mib > 0)
                strbuf_printf(&sb, "      resources:\n        limits:\n          memory: %lldMi\n", h.memory_mib);
        if (h.read_only && h.n_mounts) {
                strbuf_puts(&sb, "      volumeMounts:\n");
                for (size_t i = 0; i < h.n_mounts; i++) {
                        _cleanup_free_ char *vn = volume_name(h.mounts[i].path, i);
                        strbuf_printf(&sb, "        - name: %s\n          mountPath: ", vn);
                        yaml_str(&sb, h.mounts[i].path);
                        strbuf_putc(&sb, '\n');
                }
                strbuf_puts(&sb, "  volumes:\n");
                for (size_t i = 0; i < h.n_mounts; i++) {
                        _cleanup_free_ char *vn = volume_name(h.mounts[i].path, i);
                        strbuf_printf(&sb, "    - name: %s\n      emptyDir:%s\n", vn,
                                      h.mounts[i].volume ? " {}" : "\n        medium: Memory");
                }
        }
        gen_hardening_free(&h);
        *ret = strbuf_steal(&sb);
        return 0;
}
