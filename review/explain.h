/* SPDX-License-Identifier: MIT */
/* `minpriv explain`: why is an item in the profiles? Everything the trace
 * knows about one syscall, path or capability, as text. */
#pragma once

#include "common/strbuf.h"
#include "trace/read.h"

/* Describe `item` in `t` into `out`. item is a syscall name ("openat"), an
 * absolute path ("/etc/passwd"; also matched against resolved paths and
 * unix socket addresses; a directory lists what was used below it) or a
 * capability ("CAP_CHOWN", "chown" when no syscall has that name, any case).
 * Returns 0 when the trace has it, -ENOENT when the trace does not,
 * -EINVAL (err filled) when item names no syscall, path or capability. */
int explain_item(const trace *t, const char *item, strbuf *out, mp_error *err);

/* Helpers shared with `minpriv verify`: "3 by /usr/bin/ls, 1 by /bin/sh"
 * for a usage, and a stack one frame a line ("#0 main+0x1a
 * (/usr/bin/x+0x1139)") with the given indent. */
void explain_usage_line(strbuf *out, const trace_usage *usage);
void explain_stack_lines(strbuf *out, const trace_stack *stack, const char *indent);
