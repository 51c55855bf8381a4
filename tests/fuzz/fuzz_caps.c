/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the caps.txt reader. */
#include <stdint.h>
#include <stdlib.h>

#include "policy/caps-file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        caps_file *cf = NULL;
        mp_error err = { 0 };
        if (caps_file_parse((const char *)data, size, "fuzz", &cf, &err) == 0)
                caps_file_free(cf);
        return 0;
}
