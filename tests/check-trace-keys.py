#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The trace's keys stay in trace/ (ctest lint.trace-keys).

The trace is read through its typed read side (trace/read.h); only trace/
and the tracer that writes it spell the storage format's keys. This lint
takes the keys from the schema in trace/trace.c (its field tables,
`{ "KEY", &s_... }`) and fails when a source file elsewhere passes one as a
string literal to a call that looks a key up in a JSON tree or a trace:
json_object_get, json_object_getn, json_object_iter_at, trace_child,
trace_node and trace_section_size.

Other JSON documents share a few key names with the trace ("format",
"syscalls"): the runtime templates, the generated seccomp.json, Docker's
default figures. Their readers are listed in ALLOWED with the document they
read; an entry that no longer matches anything is an error too, so the list
stays exact. The model's own unit tests (tests/unit) build and inspect raw
trees and are not checked.

Before scanning, the checker runs on built-in examples (a trace read that
must be caught, other JSON that must not), so it cannot pass by matching
nothing.

Usage: check-trace-keys.py SOURCE_DIR. Prints one line per violation and
exits 1 if there is any (2 when the schema cannot be read)."""
import os
import re
import sys

# Folders that may spell the keys: the model and its writer.
OWNERS = ("trace/", "tracer/")
# Not checked: the model's unit tests, build trees.
SKIP = ("tests/unit/", ".git/")

# (file, key): the other document that file reads.
ALLOWED = {
    ("generator/seccomp.c", "format"): "the runtime template templates/RUNTIME.json",
    ("generator/seccomp.c", "syscalls"): "the runtime template templates/RUNTIME.json",
    ("generator/k8s.c", "syscalls"): "the generated seccomp.json (Docker's format)",
    ("report/report.c", "format"): "templates/docker-default.json",
}

# Lookup calls and the argument positions (0-based) that hold a key; None:
# every argument after the first.
CALLS = {
    "json_object_get": (1,),
    "json_object_getn": (1,),
    "json_object_iter_at": (1,),
    "trace_child": (1,),
    "trace_section_size": (1,),
    "trace_node": None,
}
CALL = re.compile(r"\b(" + "|".join(CALLS) + r")\s*\(")
FIELD = re.compile(r'\{\s*"([A-Za-z_][A-Za-z0-9_]*)"\s*,\s*&s_')
# Keys the schema must have, or the field tables were not read right.
CORE = {"format", "version", "runs", "syscalls", "arguments", "files", "network", "capabilities", "programs",
        "access", "results", "command"}


def schema_keys(root):
    with open(os.path.join(root, "trace", "trace.c"), encoding="utf-8") as f:
        keys = set(FIELD.findall(f.read()))
    missing = CORE - keys
    if missing:
        sys.exit(f"check-trace-keys: trace/trace.c: schema keys not found: {', '.join(sorted(missing))}")
    return keys


def blank_comments(text):
    """Comments replaced by spaces (newlines kept), strings left alone."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def arguments(text, start):
    """The top-level arguments of the call whose '(' is at start."""
    args, depth, i, cur = [], 0, start + 1, []
    while i < len(text):
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < len(text) and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            cur.append(text[i:j + 1])
            i = j + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                args.append("".join(cur).strip())
                return args
            depth -= 1
        elif c == "," and depth == 0:
            args.append("".join(cur).strip())
            cur = []
            i += 1
            continue
        cur.append(c)
        i += 1
    return args


def violations(rel, text, keys):
    """(line, call, key) for every trace key looked up in text."""
    text = blank_comments(text)
    found = []
    for m in CALL.finditer(text):
        args = arguments(text, m.end() - 1)
        positions = CALLS[m.group(1)]
        picked = args[1:] if positions is None else [args[p] for p in positions if p < len(args)]
        for a in picked:
            lit = re.fullmatch(r'"([^"\\]*)"', a)
            if lit and lit.group(1) in keys:
                found.append((text.count("\n", 0, m.start()) + 1, m.group(1), lit.group(1)))
    return found


def self_test(keys):
    """The checker on examples: what it must catch and what it must not."""
    must = {
        'json_object_get(t->root, "files")': "files",
        'json_object_get(json_object_get(node, "access"), kind)': "access",
        'json_object_get(\n    t->root, /* the runs */ "runs")': "runs",
        'trace_node(t->root, "capabilities", cap, NULL)': "capabilities",
        'trace_section_size(t, "files")': "files",
    }
    must_not = [
        'json_object_get(root, "defaultAction")',
        'json_object_get(files, path)',
        'json_object_get(x, "names") /* "files" */',
        'strbuf_puts(sb, "json_object_get(t->root, \\"files\\")")',
    ]
    for code, key in must.items():
        got = [k for _, _, k in violations("example.c", code, keys)]
        if got != [key]:
            sys.exit(f"check-trace-keys: self-test: {code!r} gave {got}, expected [{key!r}]")
    for code in must_not:
        got = violations("example.c", code, keys)
        if got:
            sys.exit(f"check-trace-keys: self-test: {code!r} flagged {got}")


def main():
    root = os.path.abspath(sys.argv[1])
    keys = schema_keys(root)
    self_test(keys)
    errors, used = [], set()
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        # build trees (a CMakeCache.txt) and hidden directories
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and
                       not os.path.exists(os.path.join(dirpath, d, "CMakeCache.txt"))]
        for fn in sorted(filenames):
            if not fn.endswith((".c", ".h")):
                continue
            rel = os.path.normpath(os.path.join(rel_dir, fn))
            if rel.startswith(OWNERS) or rel.startswith(SKIP):
                continue
            with open(os.path.join(dirpath, fn), encoding="utf-8", errors="replace") as f:
                text = f.read()
            for line, call, key in violations(rel, text, keys):
                if (rel, key) in ALLOWED:
                    used.add((rel, key))
                    continue
                errors.append(f'{rel}:{line}: {call}(..., "{key}"): a key of the trace schema outside trace/; '
                              "read the trace through trace/read.h")
    for (rel, key), doc in sorted(ALLOWED.items()):
        if (rel, key) not in used:
            errors.append(f'{rel}: allowed to read "{key}" of {doc}, but does not any more: drop it from ALLOWED')
    for e in errors:
        print(e)
    print(f"check-trace-keys: {len(keys)} schema keys, {len(errors)} violation(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
