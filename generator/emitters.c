/* SPDX-License-Identifier: MIT */
/* The files `minpriv generate` writes, in order. Later emitters may use
 * figures earlier ones left in the context (hardening.md quotes them). */
#include "generator/emitters.h"

const gen_emitter gen_emitters[] = {
        { "seccomp.json", emit_seccomp_json, NULL },
        { "apparmor.profile", gen_apparmor_emit, NULL },
        { "caps.txt", emit_caps_txt, NULL },
        { "hardening.md", emit_hardening_md, NULL },
        { "files-used.txt", emit_files_used_txt, NULL },
        { "oci-seccomp.json", emit_oci_seccomp_json, NULL },
        { "k8s/seccompprofile.yaml", emit_k8s_seccompprofile, k8s_needed },
        { "k8s/apparmorprofile.yaml", emit_k8s_apparmorprofile, k8s_needed },
        { "k8s/securitycontext.yaml", emit_k8s_securitycontext, k8s_needed },
        { NULL, NULL, NULL },
};
