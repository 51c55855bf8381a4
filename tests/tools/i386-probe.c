/* SPDX-License-Identifier: MIT */
/* Whether this kernel runs i386 code (tests/tools/i386-probe.h): prints one
 * line, exits 0 when it does and 1 when it does not. The integration tests
 * run it (tests/integration/mp.py) to skip the samples that need i386. */
#include "tests/tools/i386-probe.h"

int main(void)
{
        char why[200];
        int ok = i386_probe(why, sizeof why);
        puts(why);
        return ok ? 0 : 1;
}
