/* SPDX-License-Identifier: MIT */
/* The files `minpriv generate` writes, in order. Later emitters may use
 * figures earlier ones left in the context (hardening.md quotes them). */
#include "emitters.h"

const gen_emitter gen_emitters[] = {
        { "apparmor.profile", gen_apparmor_emit, NULL },
        { NULL, NULL, NULL },
};
