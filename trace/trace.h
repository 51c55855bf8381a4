/* SPDX-License-Identifier: MIT */
/* The trace model: what a recorded workload did, independent of how it was
 * recorded. The tracer fills it, the generator, diff and explain read it;
 * nothing here depends on ptrace.
 *
 * The model is a JSON document (format "minpriv-trace", see
 * docs/trace-format.md) held as a jansson tree. Every section is a map keyed
 * by names, so two traces merge by a recursive union with per-key rules
 * (counts summed, peaks maxed, first-seen strings by byte order) and the file
 * is written with sorted keys: the same facts always give the same bytes. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/jsonw.h"
#include "common/util.h"

#define TRACE_FORMAT "minpriv-trace"
/* 2: io_uring, files' target, capability reasons' preexisting; 3: files'
 * private_new (readers take 1 to 3: an older version is the newer one
 * without what it added). */
#define TRACE_VERSION 3
/* Files larger than this are refused on load (a trace of 100,000 files is
 * about 30 MiB). */
#define TRACE_MAX_BYTES (1024u * 1024u * 1024u)

/* A member of the top-level object that is written by its owner instead
 * of being held in the tree: the recorder streams the files section, which
 * would otherwise take several kilobytes per path as jansson objects. The
 * text written must be what json_dumps would write for materialize()'s
 * value (see common/jsonw.h). */
typedef struct trace_stream {
        const char *key;
        void (*write)(void *ud, struct jsonw *w);
        json_t *(*materialize)(void *ud); /* a new reference */
        size_t (*size)(void *ud);         /* number of members of the value */
        /* Merge a tree value of the same member into the stream, with the
         * rules of trace_merge (optional: without it, merging materializes). */
        void (*merge)(void *ud, json_t *value);
        void (*free)(void *ud);
        void *ud;
} trace_stream;

typedef struct trace {
        json_t *root;
        trace_stream *stream; /* owned; NULL when everything is in root */
} trace;

/* A new, empty trace (format and version set, empty sections). */
trace *trace_new(void);
void trace_free(trace *t);
static inline void trace_freep(trace **t)
{
        trace_free(*t);
}
#define _cleanup_trace_ _cleanup_(trace_freep)

/* Load and validate a trace file. Errors name the file and, for JSON syntax
 * errors, line:column; shape errors name the JSON path. Refuses other
 * formats, newer versions, duplicate keys and invalid UTF-8. */
int trace_load(const char *path, trace **ret, mp_error *err);
/* The same from memory; `name` is used in error messages. */
int trace_load_buffer(const char *data, size_t size, const char *name, trace **ret, mp_error *err);
/* Check the shape of a parsed document (what trace_load does after
 * parsing). */
int trace_validate(json_t *root, const char *name, mp_error *err);
/* Validate a parsed document and wrap it into a trace; takes the reference
 * to root in every case. */
int trace_from_json(json_t *root, const char *name, trace **ret, mp_error *err);

/* The canonical serialisation: sorted keys, one-space indentation, final
 * newline. Returns a new string. */
char *trace_dumps(const trace *t);
/* The same, written to f; returns 0 or a negative errno (write errors,
 * e.g. -ENOSPC, are reported after a flush). */
int trace_write(const trace *t, FILE *f);
/* trace_write to a file descriptor, which stays open (it writes through a
 * duplicate); 0 or -errno. */
int trace_write_fd(const trace *t, int fd);
/* Give the trace a streamed member (ownership passes to the trace). */
void trace_set_stream(trace *t, trace_stream *s);
/* Bring a streamed member into the tree (before changing or merging). */
void trace_materialize(trace *t);
/* Number of members of a top-level section, streamed or not. */
size_t trace_section_size(const trace *t, const char *key);
/* Write atomically (temporary file + rename). */
int trace_save(const trace *t, const char *path, mp_error *err);

/* The variable a recorded checkout's path becomes (record --workspace). */
#define TRACE_WORKSPACE_VAR "@{WORKSPACE}"
/* Rewrite every key and string value of the trace that is `prefix` or
 * starts with `prefix` + "/" to start with `replacement` instead (the
 * streamed member is materialized first). prefix must be absolute, without
 * a trailing slash, and not "/". Returns the number of strings rewritten. */
size_t trace_replace_prefix(trace *t, const char *prefix, const char *replacement);

/* Union `from` into `into`: counts summed, resource peaks maxed, the
 * byte-order-first of two strings kept, runs concatenated and sorted.
 * `seen` run counts (seen.h) summed, an item without one counting every
 * run of its side. Order-independent: merge(a,b) == merge(b,a). */
void trace_merge(trace *into, const trace *from);
/* The same union without run counts (every `seen` removed afterwards): for
 * an incremental recording merged with its baseline, where the calls the
 * baseline knew did not stop and so were not counted in any run. */
void trace_merge_uncounted(trace *into, const trace *from);

/* The canonical serialisation trace_merge orders values by (sorted keys,
 * compact); never NULL (aborts on allocation failure). Free the result. */
char *trace_json_canonical(const json_t *v);
/* Load every file and merge; the result does not depend on the order. */
int trace_load_merged(char **paths, size_t n, trace **ret, mp_error *err);

/* Whether `kind` is one of the file access kinds of the format (read, write,
 * append, create, delete, rename, link, attr, exec, mmap_exec, lock, list,
 * stat, chdir, mount). */
bool trace_access_kind_valid(const char *kind);

/* True when no syscall was recorded. */
bool trace_is_empty(const trace *t);

/* --- building blocks used by the tracer and by tests --- */

/* The object at root[k1][k2]...; created (empty) when missing. The list ends
 * with NULL. Returns a borrowed reference. */
json_t *trace_node(json_t *obj, ...) __attribute__((sentinel));
/* Same, fixed depth, without varargs, for hot paths. */
json_t *trace_child(json_t *obj, const char *key);
/* Account `count` uses by `program` in a usage node (node.programs[program]
 * .count += count). Returns the borrowed per-program object, e.g. to attach
 * a stack; *ret_new (if given) says whether the program is new there. */
json_t *trace_usage_add(json_t *node, const char *program, json_int_t count, bool *ret_new);
/* a + b for counters (never negative): at most JSON_INTEGER_MAX, never
 * wrapped. */
json_int_t trace_count_add(json_int_t a, json_int_t b);
/* Sum of the counts in a usage node (saturating). */
json_int_t trace_usage_count(const json_t *node);
/* Increment an integer member. */
void trace_counter_add(json_t *obj, const char *key, json_int_t n);
/* Keep the maximum in an integer member. */
void trace_counter_max(json_t *obj, const char *key, json_int_t n);

/* Sorted array of the keys of an object (borrowed strings; free the array
 * only). Returns the count in *ret_n. */
const char **trace_sorted_keys(const json_t *obj, size_t *ret_n);

/* --- paths ---
 * Paths are stored as JSON strings. JSON needs UTF-8, paths are bytes, so a
 * path is stored as its bytes when they are valid UTF-8 and contain no
 * backslash; otherwise every byte that is not part of a valid UTF-8 sequence
 * becomes "\xHH" and every backslash "\\". Decoding reverses that exactly. */
char *trace_path_encode(const char *raw, size_t len);
/* Returns the raw bytes (NUL-terminated; embedded NULs cannot occur in
 * paths) and the length in *ret_len. NULL if `enc` is malformed. */
char *trace_path_decode(const char *enc, size_t *ret_len);
/* The same for bytes that may hold NUL (\x00): abstract unix socket names
 * ("@" + the name, docs/trace-format.md). Returns the bytes (with a final
 * NUL after *ret_len of them) or NULL for a malformed encoding. */
char *trace_bytes_decode(const char *enc, size_t *ret_len);
bool utf8_valid(const char *s, size_t len);
/* Length of the valid UTF-8 sequence at s (1..4 bytes; at most len), or 0 for
 * an invalid or truncated one and for NUL. Rejects overlong forms,
 * surrogates and code points above U+10FFFF, as jansson does. */
size_t utf8_seq_len(const unsigned char *s, size_t len);

/* --- the ABIs we know --- */
typedef enum trace_abi {
        TRACE_ABI_X86_64,
        TRACE_ABI_I386,
        TRACE_ABI_X32,
        _TRACE_ABI_MAX,
} trace_abi;

const char *trace_abi_name(trace_abi abi); /* "x86_64", "i386", "x32" */
int trace_abi_from_name(const char *name); /* -1 when unknown */
/* libseccomp's architecture token for an ABI (SCMP_ARCH_X86_64, SCMP_ARCH_X86,
 * SCMP_ARCH_X32). */
uint32_t trace_abi_scmp_arch(trace_abi abi);

/* A syscall known from elsewhere (a baseline profile) in the syscalls
 * section: `program` its first and only program with a count of 0, unless
 * the trace recorded the syscall (its real programs say more). */
void trace_syscall_add_unrecorded(trace *t, trace_abi abi, const char *name, const char *program);
