/* SPDX-License-Identifier: MIT */
#include "common/hashmap.h"

#include "common/util.h"

/* ------------------------------------------------------------ strings */

struct entry {
        char *key; /* NULL: empty; TOMBSTONE: deleted */
        uint64_t hash;
        void *value;
};

static char tombstone_marker;
#define TOMBSTONE (&tombstone_marker)

struct hashmap {
        struct entry *e;
        size_t cap;  /* power of two */
        size_t used; /* live entries */
        size_t dead; /* tombstones */
};

static uint64_t hash_str(const char *s)
{
        /* FNV-1a, then a finaliser so the low bits mix well. */
        uint64_t h = 0xcbf29ce484222325ULL;
        for (; *s; s++) {
                h ^= (unsigned char)*s;
                h *= 0x100000001b3ULL;
        }
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 33;
        return h;
}

hashmap *hashmap_new(void)
{
        hashmap *m = xcalloc(1, sizeof *m);
        m->cap = 16;
        m->e = xcalloc(m->cap, sizeof *m->e);
        return m;
}

void hashmap_clear(hashmap *m, void (*free_value)(void *))
{
        for (size_t i = 0; i < m->cap; i++) {
                if (m->e[i].key && m->e[i].key != TOMBSTONE) {
                        free(m->e[i].key);
                        if (free_value)
                                free_value(m->e[i].value);
                }
                m->e[i].key = NULL;
        }
        m->used = m->dead = 0;
}

void hashmap_free(hashmap *m, void (*free_value)(void *))
{
        if (!m)
                return;
        hashmap_clear(m, free_value);
        free(m->e);
        free(m);
}

static struct entry *find(const hashmap *m, const char *key, uint64_t h)
{
        size_t mask = m->cap - 1;
        for (size_t i = h & mask;; i = (i + 1) & mask) {
                struct entry *e = &m->e[i];
                if (!e->key)
                        return NULL;
                if (e->key != TOMBSTONE && e->hash == h && streq(e->key, key))
                        return e;
        }
}

static void grow(hashmap *m)
{
        struct entry *old = m->e;
        size_t oldcap = m->cap;
        if ((m->used + 1) * 2 > m->cap)
                m->cap *= 2;
        m->e = xcalloc(m->cap, sizeof *m->e);
        m->dead = 0;
        size_t mask = m->cap - 1;
        for (size_t i = 0; i < oldcap; i++) {
                if (!old[i].key || old[i].key == TOMBSTONE)
                        continue;
                size_t j = old[i].hash & mask;
                while (m->e[j].key)
                        j = (j + 1) & mask;
                m->e[j] = old[i];
        }
        free(old);
}

void *hashmap_get(const hashmap *m, const char *key)
{
        struct entry *e = find(m, key, hash_str(key));
        return e ? e->value : NULL;
}

const char *hashmap_key(const hashmap *m, const char *key)
{
        struct entry *e = find(m, key, hash_str(key));
        return e ? e->key : NULL;
}

void *hashmap_put(hashmap *m, const char *key, void *value)
{
        uint64_t h = hash_str(key);
        struct entry *e = find(m, key, h);
        if (e) {
                void *old = e->value;
                e->value = value;
                return old;
        }
        if ((m->used + m->dead + 1) * 4 > m->cap * 3)
                grow(m);
        size_t mask = m->cap - 1;
        size_t i = h & mask;
        while (m->e[i].key && m->e[i].key != TOMBSTONE)
                i = (i + 1) & mask;
        if (m->e[i].key == TOMBSTONE)
                m->dead--;
        m->e[i].key = xstrdup(key);
        m->e[i].hash = h;
        m->e[i].value = value;
        m->used++;
        return NULL;
}

void *hashmap_remove(hashmap *m, const char *key)
{
        struct entry *e = find(m, key, hash_str(key));
        if (!e)
                return NULL;
        void *v = e->value;
        free(e->key);
        e->key = TOMBSTONE;
        e->value = NULL;
        m->used--;
        m->dead++;
        return v;
}

size_t hashmap_size(const hashmap *m)
{
        return m->used;
}

bool hashmap_next(const hashmap *m, size_t *pos, const char **ret_key, void **ret_value)
{
        for (; *pos < m->cap; (*pos)++) {
                struct entry *e = &m->e[*pos];
                if (e->key && e->key != TOMBSTONE) {
                        if (ret_key)
                                *ret_key = e->key;
                        if (ret_value)
                                *ret_value = e->value;
                        (*pos)++;
                        return true;
                }
        }
        return false;
}

/* ------------------------------------------------------------ integers */

enum { SLOT_EMPTY, SLOT_LIVE, SLOT_DEAD };

struct islot {
        int64_t key;
        void *value;
        uint8_t state;
};

struct intmap {
        struct islot *s;
        size_t cap, used, dead;
};

static uint64_t hash_int(int64_t k)
{
        uint64_t h = (uint64_t)k * 0x9e3779b97f4a7c15ULL;
        return h ^ (h >> 29);
}

intmap *intmap_new(void)
{
        intmap *m = xcalloc(1, sizeof *m);
        m->cap = 64;
        m->s = xcalloc(m->cap, sizeof *m->s);
        return m;
}

void intmap_free(intmap *m, void (*free_value)(void *))
{
        if (!m)
                return;
        for (size_t i = 0; i < m->cap && free_value; i++)
                if (m->s[i].state == SLOT_LIVE)
                        free_value(m->s[i].value);
        free(m->s);
        free(m);
}

static struct islot *ifind(const intmap *m, int64_t key)
{
        size_t mask = m->cap - 1;
        for (size_t i = hash_int(key) & mask;; i = (i + 1) & mask) {
                struct islot *s = &m->s[i];
                if (s->state == SLOT_EMPTY)
                        return NULL;
                if (s->state == SLOT_LIVE && s->key == key)
                        return s;
        }
}

static void igrow(intmap *m)
{
        struct islot *old = m->s;
        size_t oldcap = m->cap;
        if ((m->used + 1) * 2 > m->cap)
                m->cap *= 2;
        m->s = xcalloc(m->cap, sizeof *m->s);
        m->dead = 0;
        size_t mask = m->cap - 1;
        for (size_t i = 0; i < oldcap; i++) {
                if (old[i].state != SLOT_LIVE)
                        continue;
                size_t j = hash_int(old[i].key) & mask;
                while (m->s[j].state != SLOT_EMPTY)
                        j = (j + 1) & mask;
                m->s[j] = old[i];
        }
        free(old);
}

void *intmap_get(const intmap *m, int64_t key)
{
        struct islot *s = ifind(m, key);
        return s ? s->value : NULL;
}

void *intmap_put(intmap *m, int64_t key, void *value)
{
        struct islot *s = ifind(m, key);
        if (s) {
                void *old = s->value;
                s->value = value;
                return old;
        }
        if ((m->used + m->dead + 1) * 4 > m->cap * 3)
                igrow(m);
        size_t mask = m->cap - 1;
        size_t i = hash_int(key) & mask;
        while (m->s[i].state == SLOT_LIVE)
                i = (i + 1) & mask;
        if (m->s[i].state == SLOT_DEAD)
                m->dead--;
        m->s[i].state = SLOT_LIVE;
        m->s[i].key = key;
        m->s[i].value = value;
        m->used++;
        return NULL;
}

void *intmap_remove(intmap *m, int64_t key)
{
        struct islot *s = ifind(m, key);
        if (!s)
                return NULL;
        void *v = s->value;
        s->state = SLOT_DEAD;
        s->value = NULL;
        m->used--;
        m->dead++;
        return v;
}

size_t intmap_size(const intmap *m)
{
        return m->used;
}

bool intmap_next(const intmap *m, size_t *pos, int64_t *ret_key, void **ret_value)
{
        if (!m)
                return false;
        for (; *pos < m->cap; (*pos)++) {
                struct islot *s = &m->s[*pos];
                if (s->state == SLOT_LIVE) {
                        if (ret_key)
                                *ret_key = s->key;
                        if (ret_value)
                                *ret_value = s->value;
                        (*pos)++;
                        return true;
                }
        }
        return false;
}
