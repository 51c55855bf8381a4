/* SPDX-License-Identifier: MIT */
/* One function per output file; see generator.h for the contract. */
#pragma once

#include "generator/generator.h"

/* seccomp.json (generator/seccomp.c) */
int emit_seccomp_json(gen_context *ctx, char **ret, mp_error *err);
/* apparmor.profile (apparmor.c) */
int gen_apparmor_emit(gen_context *ctx, char **ret, mp_error *err);
/* caps.txt: the capabilities used, with their reasons (caps.c). */
int emit_caps_txt(gen_context *ctx, char **ret, mp_error *err);
/* hardening.md: the checklist with evidence and flags (hardening.c). */
int emit_hardening_md(gen_context *ctx, char **ret, mp_error *err);
/* files-used.txt: the image files the workload used (hardening.c). */
int emit_files_used_txt(gen_context *ctx, char **ret, mp_error *err);

/* k8s.c: the OCI runtime's linux.seccomp object (always), and with
 * --format k8s the Security Profiles Operator resources and a pod
 * securityContext fragment (k8s_needed). */
int emit_oci_seccomp_json(gen_context *ctx, char **ret, mp_error *err);
bool k8s_needed(const gen_context *ctx);
int emit_k8s_seccompprofile(gen_context *ctx, char **ret, mp_error *err);
int emit_k8s_apparmorprofile(gen_context *ctx, char **ret, mp_error *err);
int emit_k8s_securitycontext(gen_context *ctx, char **ret, mp_error *err);
