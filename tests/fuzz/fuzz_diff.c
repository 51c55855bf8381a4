/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for `minpriv diff`'s comparisons: the input is two
 * profiles separated by a line "%%"; the first byte picks the kind ('s'
 * seccomp, 'a' AppArmor, anything else caps.txt). What parses is compared
 * both ways and rendered in every format.
 * (See tests/fuzz/CMakeLists.txt for how harnesses are built and replayed.) */
#include <stdint.h>
#include <string.h>

#include "policy/apparmor-profile.h"
#include "policy/caps-file.h"
#include "review/diff.h"
#include "policy/seccomp-profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void render(diff_result *d)
{
        char *a = diff_format_text(d, d->n & 1);
        char *b = diff_format_markdown(d, 2000, NULL);
        char *c = diff_format_json(d);
        free(a);
        free(b);
        free(c);
        (void)diff_widens(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size < 1)
                return 0;
        char kind = (char)data[0];
        const char *text = (const char *)data + 1;
        size_t len = size - 1;
        const char *sep = memmem(text, len, "\n%%\n", 4);
        if (!sep)
                return 0;
        size_t l1 = (size_t)(sep - text), off2 = l1 + 4, l2 = len - off2;
        mp_error err = { 0 };
        for (int dir = 0; dir < 2; dir++) {
                const char *o = dir ? text + off2 : text, *n = dir ? text : text + off2;
                size_t lo = dir ? l2 : l1, ln = dir ? l1 : l2;
                diff_result *d = diff_result_new("old", "new", "fuzz");
                if (kind == 's') {
                        mp_seccomp_profile *po = NULL, *pn = NULL;
                        if (mp_seccomp_profile_load_buffer(o, lo, "old", &po, &err) == 0 &&
                            mp_seccomp_profile_load_buffer(n, ln, "new", &pn, &err) == 0)
                                (void)diff_seccomp_profiles(d, po, pn, &err);
                        mp_seccomp_profile_free(po);
                        mp_seccomp_profile_free(pn);
                } else if (kind == 'a') {
                        mp_aa_profile *po = NULL, *pn = NULL;
                        if (mp_aa_profile_parse(o, lo, "old", &po, &err) == 0 &&
                            mp_aa_profile_parse(n, ln, "new", &pn, &err) == 0)
                                (void)diff_apparmor_profiles(d, po, pn);
                        mp_aa_profile_free(po);
                        mp_aa_profile_free(pn);
                } else {
                        caps_file *co = NULL, *cn = NULL;
                        if (caps_file_parse(o, lo, "old", &co, &err) == 0 &&
                            caps_file_parse(n, ln, "new", &cn, &err) == 0)
                                diff_caps_files(d, co, cn);
                        caps_file_free(co);
                        caps_file_free(cn);
                }
                render(d);
                diff_result_free(d);
        }
        return 0;
}
