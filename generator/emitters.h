/* SPDX-License-Identifier: MIT */
/* One function per output file; see generator.h for the contract. */
#pragma once

#include "generator.h"

/* apparmor.profile (apparmor.c) */
int gen_apparmor_emit(gen_context *ctx, char **ret, mp_error *err);
