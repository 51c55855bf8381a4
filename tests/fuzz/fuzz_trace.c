/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the trace loader (parse + validate), then what every
 * reader does with a loaded trace: merge it (with itself), dump it and load
 * the dump back (which must succeed and give the same bytes). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trace/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        trace *t = NULL;
        mp_error err = { 0 };
        if (trace_load_buffer((const char *)data, size, "fuzz", &t, &err) < 0)
                return 0;
        trace *m = trace_new();
        trace_merge(m, t);
        trace_merge(m, t);
        char *s = trace_dumps(t);
        trace *back = NULL;
        if (trace_load_buffer(s, strlen(s), "dump", &back, &err) < 0)
                abort(); /* a loaded trace must dump to a loadable one */
        char *s2 = trace_dumps(back);
        if (strcmp(s, s2) != 0)
                abort(); /* and the dump must be canonical */
        free(s);
        free(s2);
        trace_free(back);
        trace_free(m);
        trace_free(t);
        return 0;
}
