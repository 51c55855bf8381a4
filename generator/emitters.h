/* SPDX-License-Identifier: MIT */
/* The emitters (one per output file, gen_emit_<file>) and the two profile
 * builders gen_context_init runs before them (gen_build_<file>); see
 * generator.h. Every one takes the context const. */
#pragma once

#include "generator/generator.h"

/* The profiles, built once (generator/seccomp.c, apparmor.c) from the
 * trace, the name, the capabilities and the options: the text and its
 * figures, notes for stderr appended to `notes`. */
int gen_build_seccomp_json(const gen_context *ctx, char **ret, int *ret_syscalls, strbuf *notes, mp_error *err);
int gen_build_apparmor_profile(const gen_context *ctx, char **ret, int *ret_raw_paths, int *ret_rules, strbuf *notes,
                               mp_error *err);

/* seccomp.json and apparmor.profile: the built profiles (emitters.c). */
int gen_emit_seccomp_json(const gen_context *ctx, char **ret, mp_error *err);
int gen_emit_apparmor_profile(const gen_context *ctx, char **ret, mp_error *err);
/* caps.txt: the capabilities used, with their reasons (caps.c). */
int gen_emit_caps_txt(const gen_context *ctx, char **ret, mp_error *err);
/* hardening.md: the checklist with evidence and flags (hardening.c). */
int gen_emit_hardening_md(const gen_context *ctx, char **ret, mp_error *err);
/* files-used.txt: the image files the workload used (hardening.c). */
int gen_emit_files_used_txt(const gen_context *ctx, char **ret, mp_error *err);

/* k8s.c: the OCI runtime's linux.seccomp object (always), and with
 * --format k8s the Security Profiles Operator resources and a pod
 * securityContext fragment (gen_k8s_needed). */
int gen_emit_oci_seccomp_json(const gen_context *ctx, char **ret, mp_error *err);
bool gen_k8s_needed(const gen_context *ctx);
int gen_emit_k8s_seccompprofile_yaml(const gen_context *ctx, char **ret, mp_error *err);
int gen_emit_k8s_apparmorprofile_yaml(const gen_context *ctx, char **ret, mp_error *err);
int gen_emit_k8s_securitycontext_yaml(const gen_context *ctx, char **ret, mp_error *err);
