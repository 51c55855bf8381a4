#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The layering, checked on the includes (ctest lint.includes).

Every project header is included by module path ("trace/names.h") from the
project root, the only include root. A folder may include its own headers
and the public headers of the libraries below it:

    common <- trace <- policy <- generator <- review, report <- cli
    common <- trace <- tracer <- cli
    common <- trace <- analysis <- cli
    common <- trace <- image <- report, cli

A header named internal.h or *-internal.h is private to its folder. Tests,
fuzz harnesses and test tools may include any public header and their own
headers ("tests/tools/i386-probe.h"). Generated
headers come from the build tree: trace/names-gen.h (trace only),
tracer/record.bpf.inc (the eBPF object, tracer only) and
generated/minpriv-revision.h (cli only).

Usage: check-includes.py SOURCE_DIR. Prints one line per violation and
exits 1 if there is any."""
import os
import re
import sys

BELOW = {
    "common": set(),
    "trace": {"common"},
    "tracer": {"common", "trace"},
    "policy": {"common", "trace"},
    "generator": {"common", "trace", "policy"},
    "review": {"common", "trace", "policy", "generator"},
    "report": {"common", "trace", "policy", "generator", "image"},
    "analysis": {"common", "trace"},
    "image": {"common", "trace"},
    "cli": {"common", "trace", "tracer", "policy", "generator", "review", "report", "analysis", "image"},
}
LIBS = set(BELOW) - {"cli"}
GENERATED = {"trace/names-gen.h": "trace", "generated/minpriv-revision.h": "cli", "tracer/record.bpf.inc": "tracer"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def private(path):
    base = os.path.basename(path)
    return base == "internal.h" or base.endswith("-internal.h")


def check(root, rel, errors):
    folder = rel.split("/")[0]
    tests = folder == "tests"
    with open(os.path.join(root, rel), encoding="utf-8") as f:
        text = f.read()
    for m in INCLUDE.finditer(text):
        inc = m.group(1)
        line = text.count("\n", 0, m.start()) + 1
        where = f"{rel}:{line}"
        if inc in GENERATED:
            if GENERATED[inc] != folder:
                errors.append(f"{where}: {inc} is generated for {GENERATED[inc]}/ only")
            continue
        if "/" not in inc:
            errors.append(f'{where}: "{inc}": include by module path ("module/{inc}")')
            continue
        module = inc.split("/")[0]
        if tests and module == "tests" and os.path.isfile(os.path.join(root, inc)):
            continue
        if module not in BELOW or not os.path.isfile(os.path.join(root, inc)):
            errors.append(f'{where}: "{inc}" is not a header of a minpriv library')
            continue
        if module == folder:
            continue
        if private(inc):
            errors.append(f'{where}: "{inc}" is private to {module}/')
        elif tests:
            if module not in LIBS:
                errors.append(f'{where}: "{inc}": tests use the libraries, not {module}/')
        elif module not in BELOW.get(folder, set()):
            errors.append(f'{where}: {folder}/ may not include {module}/ (it is not below it)')


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    errors = []
    for folder in sorted(set(BELOW) | {"tests"}):
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, folder)):
            dirnames.sort()
            for name in sorted(filenames):
                if name.endswith((".c", ".h")):
                    check(root, os.path.relpath(os.path.join(dirpath, name), root), errors)
    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
