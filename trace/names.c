/* SPDX-License-Identifier: MIT */
#include "trace/names.h"

#include <sched.h>
#include <signal.h>
#include <string.h>
#include <strings.h>

#include "trace/names-gen.h"
#include "common/util.h"

#define LOOKUP_NAME(table, v)                                                                                          \
        do {                                                                                                           \
                for (size_t i = 0; i < ELEMENTSOF(table); i++)                                                         \
                        if ((table)[i].value == (v))                                                                   \
                                return (table)[i].name;                                                                \
                return NULL;                                                                                           \
        } while (0)

#define LOOKUP_VALUE(table, n)                                                                                         \
        do {                                                                                                           \
                for (size_t i = 0; i < ELEMENTSOF(table); i++)                                                         \
                        if (streq((table)[i].name, (n)))                                                               \
                                return (table)[i].value;                                                               \
                return -1;                                                                                             \
        } while (0)

const char *cap_name(int cap)
{
        LOOKUP_NAME(gen_capabilities, cap);
}

int cap_from_name(const char *name)
{
        char buf[64];
        if (strncasecmp(name, "CAP_", 4) != 0) {
                snprintf(buf, sizeof buf, "CAP_%s", name);
                name = buf;
        }
        for (size_t i = 0; i < ELEMENTSOF(gen_capabilities); i++)
                if (strcasecmp(gen_capabilities[i].name, name) == 0)
                        return gen_capabilities[i].value;
        return -1;
}

int cap_last(void)
{
        int m = 0;
        for (size_t i = 0; i < ELEMENTSOF(gen_capabilities); i++)
                if (gen_capabilities[i].value > m)
                        m = gen_capabilities[i].value;
        return m;
}

const char *family_name(int family)
{
        LOOKUP_NAME(gen_families, family);
}
int family_from_name(const char *name)
{
        LOOKUP_VALUE(gen_families, name);
}
const char *socktype_name(int type)
{
        LOOKUP_NAME(gen_socktypes, type & 0xf);
}
int socktype_from_name(const char *name)
{
        LOOKUP_VALUE(gen_socktypes, name);
}

static char signame_buf[NSIG][16];

const char *signal_name(int sig)
{
        if (sig <= 0 || sig >= NSIG)
                return NULL;
        if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
                /* glibc reserves the first real-time signals, so SIGRTMIN
                 * here is not the kernel's 32: name them by number. */
                snprintf(signame_buf[sig], sizeof signame_buf[sig], "SIG%d", sig);
                return signame_buf[sig];
        }
        const char *a = sigabbrev_np(sig);
        if (!a) {
                if (sig >= 32) {
                        snprintf(signame_buf[sig], sizeof signame_buf[sig], "SIG%d", sig);
                        return signame_buf[sig];
                }
                return NULL;
        }
        snprintf(signame_buf[sig], sizeof signame_buf[sig], "SIG%s", a);
        return signame_buf[sig];
}

int signal_from_name(const char *name)
{
        for (int s = 1; s < NSIG; s++) {
                const char *n = signal_name(s);
                if (n && streq(n, name))
                        return s;
        }
        return -1;
}

const char *clone_ns_flags_describe(uint64_t flags)
{
        static const struct {
                uint64_t bit;
                const char *name;
        } ns[] = {
                { CLONE_NEWCGROUP, "CLONE_NEWCGROUP" }, { CLONE_NEWIPC, "CLONE_NEWIPC" },
                { CLONE_NEWNET, "CLONE_NEWNET" },       { CLONE_NEWNS, "CLONE_NEWNS" },
                { CLONE_NEWPID, "CLONE_NEWPID" },       { CLONE_NEWUSER, "CLONE_NEWUSER" },
                { CLONE_NEWUTS, "CLONE_NEWUTS" },
        };
        static char buf[160];
        buf[0] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(ns); i++) {
                if (!(flags & ns[i].bit))
                        continue;
                if (buf[0])
                        strcat(buf, "|");
                strcat(buf, ns[i].name);
        }
        return buf;
}
