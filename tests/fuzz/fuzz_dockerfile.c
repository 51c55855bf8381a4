/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the Dockerfile parser and its checks (against an
 * empty trace, no capabilities). */
#include <stdint.h>
#include <stdlib.h>

#include "generator/dockerfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        trace *t = trace_new();
        char *caps[] = { NULL };
        gen_dockerfile *df = NULL;
        mp_error err = { 0 };
        if (gen_dockerfile_parse((const char *)data, size, "fuzz", t, caps, &df, &err) == 0) {
                strbuf sb = STRBUF_INIT;
                gen_dockerfile_md(&sb, df, 10);
                strbuf_free(&sb);
                gen_dockerfile_free(df);
        }
        trace_free(t);
        return 0;
}
