/* SPDX-License-Identifier: MIT */
/* The files `minpriv generate` writes, in order, and the two emitters
 * that hand out the profiles gen_context_init built. Emitters are pure
 * functions of the context: the order is only the order of the files. */
#include "generator/emitters.h"

const gen_emitter gen_emitters[] = {
        { "seccomp.json", gen_emit_seccomp_json, NULL },
        { "apparmor.profile", gen_emit_apparmor_profile, NULL },
        { "caps.txt", gen_emit_caps_txt, NULL },
        { "hardening.md", gen_emit_hardening_md, NULL },
        { "files-used.txt", gen_emit_files_used_txt, NULL },
        { "oci-seccomp.json", gen_emit_oci_seccomp_json, NULL },
        { "k8s/seccompprofile.yaml", gen_emit_k8s_seccompprofile_yaml, gen_k8s_needed },
        { "k8s/apparmorprofile.yaml", gen_emit_k8s_apparmorprofile_yaml, gen_k8s_needed },
        { "k8s/securitycontext.yaml", gen_emit_k8s_securitycontext_yaml, gen_k8s_needed },
        { NULL, NULL, NULL },
};

static int built(const gen_profile *p, char **ret, mp_error *err)
{
        if (p->rc < 0) {
                if (err)
                        *err = p->err;
                return p->rc;
        }
        *ret = xstrdup(p->text);
        return 0;
}

int gen_emit_seccomp_json(const gen_context *ctx, char **ret, mp_error *err)
{
        return built(&ctx->seccomp, ret, err);
}

int gen_emit_apparmor_profile(const gen_context *ctx, char **ret, mp_error *err)
{
        return built(&ctx->apparmor, ret, err);
}
