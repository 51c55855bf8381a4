/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the AppArmor glob table parser, and the rules it
 * accepts applied to a few paths. */
#include <stddef.h>
#include <stdint.h>

#include "policy/apparmor-globs.h"
#include "policy/apparmor-profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        mp_aa_globs *g = mp_aa_globs_new();
        mp_error err = { 0 };
        if (mp_aa_globs_parse(g, (const char *)data, size, "fuzz.conf", &err) == 0) {
                static const char *const paths[] = { "/proc/12/maps", "/tmp/tmpabcdefgh", "/a*b?c[d]{e,f}\n\xff" };
                for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
                        char *out = NULL;
                        if (mp_aa_globs_apply(g, paths[i], strlen(paths[i]), AA_PERM_READ, &out, NULL) > 0)
                                free(out);
                }
        }
        mp_aa_globs_free(g);
        return 0;
}
