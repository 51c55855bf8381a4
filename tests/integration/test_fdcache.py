#!/usr/bin/env python3
"""The fd-path cache stays right when fd numbers change meaning: close and
reuse, dup2 over a cached fd, a rename of a directory with an open fd,
close_range. Each *at call must be recorded under the directory its fd
named at that moment (in a full recording, where the cache is on, and
with --no-seccomp)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp  # noqa: E402

EXPECTED = {"a/1", "b/2", "c/3", "c-renamed/4", "a/5"}


def main():
    exe = mp.sample("fdcache")
    for extra in ([], ["--no-seccomp"]):
        work = os.path.join(os.path.realpath(mp.tmpdir()), "w")
        st, trace, err = mp.record([exe, work], extra=extra)
        mp.check(st == 0, f"fdcache failed: {err}")
        created = {p[len(work) + 1:] for p, n in trace["files"].items()
                   if p.startswith(work + "/") and "create" in n["access"] and "/" in p[len(work) + 1:]}
        mp.check(created == EXPECTED, f"files created: {sorted(created)}, expected {sorted(EXPECTED)}")
    print("ok: fd-path cache invalidated on close, dup2, rename and close_range")


if __name__ == "__main__":
    main()
