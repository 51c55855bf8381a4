/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the image.json reader (image/findings.h); what it
 * accepts must write back to a file it accepts again, unchanged. */
#include <stdint.h>
#include <stdlib.h>

#include "image/findings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        image_findings f;
        mp_error err = { 0 };
        if (image_findings_parse((const char *)data, size, "fuzz", &f, &err) < 0)
                return 0;
        char *text = image_findings_json(&f);
        image_findings g;
        if (image_findings_parse(text, strlen(text), "again", &g, &err) < 0)
                abort();
        char *again = image_findings_json(&g);
        if (strcmp(text, again) != 0)
                abort();
        free(again);
        free(text);
        image_findings_free(&g);
        image_findings_free(&f);
        return 0;
}
