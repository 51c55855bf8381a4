/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the AppArmor profile reader, and every file rule it
 * accepts asked a question through the matcher. */
#include <stddef.h>
#include <stdint.h>

#include "policy/apparmor-profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        mp_aa_profile *p = NULL;
        mp_error err = { 0 };
        if (mp_aa_profile_parse((const char *)data, size, "fuzz.profile", &p, &err) < 0)
                return 0;
        static const char path[] = "/proc/1234/task/5/attr/current";
        (void)mp_aa_profile_allows_file(p, path, sizeof path - 1, AA_PERM_READ | AA_PERM_WRITE, true);
        (void)mp_aa_profile_allows_capability(p, "sys_admin");
        (void)mp_aa_profile_allows_network(p, "inet", "stream");
        (void)mp_aa_profile_allows_unix(p, "connect", "stream", "@x");
        (void)mp_aa_profile_allows_signal(p, "send", "term", "peer");
        (void)mp_aa_profile_allows_ptrace(p, "read", "peer");
        (void)mp_aa_profile_allows_mount(p, "mount");
        for (size_t i = 0; i < p->n_rules && i < 8; i++) {
                const mp_aa_rule *r = &p->rules[i];
                if (!r->glob)
                        continue;
                for (size_t j = 0; j < p->n_rules && j < 8; j++)
                        if (p->rules[j].glob)
                                (void)aaglob_covers(r->glob, p->rules[j].glob);
        }
        mp_aa_profile_free(p);
        return 0;
}
