/* SPDX-License-Identifier: MIT */
/* Names for the numbers a trace carries: capabilities (Docker spelling),
 * address families, socket types and signals. Tables are generated from the
 * system headers at build time (cmake/gen-names.sh). */
#pragma once

#include <stdint.h>

const char *cap_name(int cap);          /* "CAP_CHOWN"; NULL if unknown */
int cap_from_name(const char *name);    /* accepts "CAP_CHOWN" or "chown"; -1 */
int cap_last(void);                     /* highest known capability */
const char *family_name(int family);    /* "AF_INET"; NULL if unknown */
int family_from_name(const char *name); /* -1 if unknown */
const char *socktype_name(int type);    /* type without SOCK_CLOEXEC/NONBLOCK */
int socktype_from_name(const char *name);
const char *signal_name(int sig); /* "SIGTERM"; NULL if unknown */
int signal_from_name(const char *name);
/* "CLONE_NEWNS|CLONE_NEWPID" for the namespace bits of a clone/unshare flags
 * value; "" when none. Returns a static buffer. */
const char *clone_ns_flags_describe(uint64_t flags);
#define CLONE_NS_MASK 0x7E020000ULL /* NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET */
