/* SPDX-License-Identifier: MIT */
/* SHA-256 (FIPS 180-4), incremental: the content address of the image
 * tarballs minpriv writes (their default Docker tag). Not a security
 * boundary: nothing here compares secrets. */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef struct sha256_ctx {
        uint32_t h[8];
        uint64_t bytes; /* message length so far */
        uint8_t block[64];
        size_t fill; /* bytes waiting in block */
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t n);
/* The digest of everything passed to sha256_update; c must be initialised
 * again before another use. */
void sha256_final(sha256_ctx *c, uint8_t ret[32]);
/* The digest as 64 lowercase hex digits and a NUL. */
void sha256_hex(const uint8_t digest[32], char ret[65]);
