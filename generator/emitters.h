/* SPDX-License-Identifier: MIT */
/* One function per output file; see generator.h for the contract. */
#pragma once

#include "generator.h"

/* seccomp.json (generator/seccomp.c) */
int emit_seccomp_json(gen_context *ctx, char **ret, mp_error *err);
