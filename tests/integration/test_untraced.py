#!/usr/bin/env python3
"""CLONE_UNTRACED cannot take a child out of the recording (issue 12, item 8).

samples/untraced makes one child with clone(CLONE_UNTRACED) and one with
clone3(CLONE_UNTRACED); each creates a file. ptrace does not attach such
children by itself, so the tracer clears the flag at the call. In every
mode (seccomp stops, --no-seccomp, and --baseline with a baseline that
already knows the clone flags) the workload must succeed (with the filter an
untraced child's calls would fail ENOSYS), both children's files must be in
the trace, three processes counted (plus the baseline's three), and the flags recorded as the program
gave them (with CLONE_UNTRACED)."""
import os
import shutil

import mp

CLONE_UNTRACED = 0x00800000


def check_trace(what, trace, work, processes):
    files = trace.get("files", {})
    for name in ("clone-child", "clone3-child"):
        p = os.path.join(work, name)
        mp.check(p in files and "create" in files[p]["access"], f"{what}: the {name} file is not recorded: "
                 f"{sorted(k for k in files if work in k)}")
    got = trace["resources"].get("processes")
    mp.check(got == processes, f"{what}: {got} processes, expected {processes}")
    args = trace.get("arguments", {})
    for call in ("clone", "clone3"):
        vals = [v for e in args.get(call, {}).values() for v in e["values"]]
        mp.check(any(v & CLONE_UNTRACED for v in vals), f"{what}: {call} flags recorded without CLONE_UNTRACED: {vals}")


def main():
    exe = mp.sample("untraced")
    work = os.path.realpath(mp.tmpdir())
    base = os.path.join(mp.tmpdir(), "base.json")
    for what, extra in (("seccomp stops", []), ("--no-seccomp", ["--no-seccomp"]), ("--baseline", None)):
        shutil.rmtree(work, ignore_errors=True)
        if extra is None:
            # another directory: the baseline's files must not stand in for the children's
            extra = ["--baseline", base]
            work = os.path.realpath(mp.tmpdir())
        os.makedirs(work, exist_ok=True)
        out = base if what == "seccomp stops" else None
        status, trace, err = mp.record([exe, work], out=out, extra=extra)
        mp.check(status == 0, f"{what}: the workload failed under minpriv record ({status}): {err}")
        mp.check(trace is not None, f"{what}: no trace")
        # an incremental trace carries the baseline's counters: 3 + 3 processes
        check_trace(what, trace, work, 6 if what == "--baseline" else 3)
    print("ok: CLONE_UNTRACED children recorded under seccomp stops, --no-seccomp and --baseline")


if __name__ == "__main__":
    main()
