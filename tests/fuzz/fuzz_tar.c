/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the tar reader (image/tar.h) on an archive in memory,
 * then every member looked up again and its data range checked. */
#include <stdint.h>
#include <stdlib.h>

#include "image/tar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct buf {
        const uint8_t *data;
        size_t size;
} buf;

static ssize_t rd(void *ud, void *out, size_t n, uint64_t off)
{
        const buf *b = ud;
        if (off >= b->size)
                return 0;
        if (n > b->size - off)
                n = (size_t)(b->size - off);
        memcpy(out, b->data + off, n);
        return (ssize_t)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        buf b = { data, size };
        tar_index *x = NULL;
        mp_error err = { 0 };
        (void)tar_probe(rd, &b, size);
        if (tar_index_read(rd, &b, size, "fuzz", &x, &err) == 0) {
                for (size_t i = 0; i < x->n; i++) {
                        const tar_member *m = x->members[i];
                        if (tar_index_get(x, m->path) != m || m->path[0] != '/')
                                abort();
                        if (m->st.type == IMAGE_FILE && (m->offset > size || m->st.size > size - m->offset))
                                abort();
                        if (m->st.type == IMAGE_SYMLINK && (!m->st.link || !*m->st.link))
                                abort();
                }
                tar_index_free(x);
        }
        return 0;
}
