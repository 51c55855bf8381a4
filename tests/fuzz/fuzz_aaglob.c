/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the AppArmor glob matcher. The input is two patterns
 * and a path separated by NUL bytes: both patterns are compiled (with the
 * default variables), matched against the path, and compared with
 * aaglob_covers(); a "covers" answer must agree with matching on the path,
 * and a literal pattern must match its own text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/aaglob.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static mp_aa_vars *vars;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (!vars)
                vars = mp_aa_vars_new_default();
        if (size > 4096)
                return 0;
        char *buf = malloc(size + 3);
        memcpy(buf, data, size);
        buf[size] = buf[size + 1] = buf[size + 2] = '\0';
        const char *pa = buf;
        const char *pb = pa + strlen(pa) + 1;
        if (pb > buf + size)
                pb = buf + size + 1;
        const char *path = pb + strlen(pb) + 1;
        if (path > buf + size)
                path = buf + size + 2;
        size_t plen = strlen(path);
        aaglob *a = NULL, *b = NULL;
        mp_error err = { 0 };
        if (aaglob_compile(pa, vars, &a, &err) == 0 && aaglob_compile(pb, vars, &b, &err) == 0) {
                bool ma = aaglob_match(a, path, plen);
                bool mb = aaglob_match(b, path, plen);
                if (aaglob_covers(a, b) == AAGLOB_COVERS_YES && mb && !ma)
                        abort(); /* "a covers b" but b matches a path a does not */
                const char *lit;
                size_t llen;
                if (aaglob_is_literal(b, &lit, &llen) && !aaglob_match(b, lit, llen))
                        abort(); /* a literal pattern must match its own text */
        }
        aaglob_free(a);
        aaglob_free(b);
        free(buf);
        return 0;
}
