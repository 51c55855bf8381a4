/* SPDX-License-Identifier: MIT */
/* One function per output file; see generator.h for the contract. */
#pragma once

#include "generator.h"
