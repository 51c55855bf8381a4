/* SPDX-License-Identifier: MIT */
/* Open-addressing hash maps: string keys (copied, owned by the map) and
 * integer keys. Values are borrowed pointers; the map never frees them
 * except through the destructor passed to *_free. Iteration order is the
 * table order: sort before emitting anything. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct hashmap hashmap;

hashmap *hashmap_new(void);
void hashmap_free(hashmap *m, void (*free_value)(void *));
void *hashmap_get(const hashmap *m, const char *key);
/* Insert or replace; returns the previous value (NULL if none). */
void *hashmap_put(hashmap *m, const char *key, void *value);
/* Remove; returns the value (NULL if absent). */
void *hashmap_remove(hashmap *m, const char *key);
size_t hashmap_size(const hashmap *m);
/* Iterate: start with *pos = 0; returns false at the end. */
bool hashmap_next(const hashmap *m, size_t *pos, const char **ret_key, void **ret_value);
void hashmap_clear(hashmap *m, void (*free_value)(void *));
/* The interned copy of key held by the map (NULL if absent). */
const char *hashmap_key(const hashmap *m, const char *key);

typedef struct intmap intmap;

intmap *intmap_new(void);
/* free_value (may be NULL) is called on each value left in the map. */
void intmap_free(intmap *m, void (*free_value)(void *));
void *intmap_get(const intmap *m, int64_t key);
void *intmap_put(intmap *m, int64_t key, void *value);
void *intmap_remove(intmap *m, int64_t key);
size_t intmap_size(const intmap *m);
bool intmap_next(const intmap *m, size_t *pos, int64_t *ret_key, void **ret_value);
