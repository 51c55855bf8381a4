#!/usr/bin/env python3
"""The tracer against strace as an oracle: record a sample with minpriv and
run it under `strace -f`, then compare the syscalls per ABI. Deterministic
samples must match exactly (names, and counts where the sample's behaviour
is fixed); every tolerated difference is listed here with its reason.

Usage: test_strace_oracle.py [--no-seccomp | --no-kernel-count] SAMPLE [ARGS...]
(--no-seccomp records with PTRACE_SYSCALL stops, the fallback mode;
--no-kernel-count with a seccomp stop at every call; by default the hot
calls are counted in the kernel where it allows.)"""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp  # noqa: E402

# Samples whose syscall counts are fixed, so counts must match too.
EXACT_COUNTS = {"static_hello", "int80", "hello32", "paths", "forktree"}
# Calls whose count (not presence) depends on timing.
COUNT_VARIES = {
    # Under any tracer a SIGCHLD, even an ignored one, makes a
    # signal-delivery-stop; if it lands while wait4 blocks, wait4 returns
    # ERESTARTSYS and the kernel runs it again: one call more.
    "forktree": {"wait4"},
}


def main():
    argv = sys.argv[1:]
    extra = []
    if argv and argv[0] in ("--no-seccomp", "--no-kernel-count"):
        extra = [argv.pop(0)]
    name = argv[0]
    args = argv[1:]
    exe = mp.sample(name)
    work = mp.tmpdir()
    args = [a.replace("@WORK@", work) for a in args]
    status, trace, err = mp.record([exe, *args], extra=extra)
    mp.check(trace is not None, f"no trace written: {err}")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work, exist_ok=True)
    oracle, ostatus = mp.strace_syscalls([exe, *args])
    shutil.rmtree(work, ignore_errors=True)
    mp.check(status == ostatus, f"exit status {status} under minpriv, {ostatus} under strace")

    mine = mp.traced_syscalls(trace)
    tolerated = mp.TIMING.get(name, set())
    problems = []
    for abi in sorted(set(mine) | set(oracle)):
        a, b = mine.get(abi, {}), oracle.get(abi, {})
        for n in sorted(set(a) | set(b)):
            if n in tolerated:
                continue
            if n not in b:
                problems.append(f"{abi}/{n}: recorded by minpriv ({a[n]}x), not seen by strace")
            elif n not in a:
                problems.append(f"{abi}/{n}: seen by strace ({b[n]}x), not recorded by minpriv")
            elif name in EXACT_COUNTS and a[n] != b[n] and n not in COUNT_VARIES.get(name, set()):
                problems.append(f"{abi}/{n}: {a[n]} calls recorded, strace saw {b[n]}")
    if problems:
        mp.fail(f"{name}: differences from strace:\n  " + "\n  ".join(problems))
    total = sum(len(v) for v in mine.values())
    mode = trace["runs"][0]["mode"]
    decoded = trace["runs"][0].get("syscall_info", "PTRACE_GET_SYSCALL_INFO")
    if os.environ.get("MINPRIV_SYSCALL_INFO") == "regs":
        mp.check(decoded == "registers", f"{name}: MINPRIV_SYSCALL_INFO=regs, but the trace says {decoded}")
        mode += ", decoded from the registers"
    print(f"ok: {name} ({mode} mode): {total} syscall names per ABI match strace "
          f"({', '.join(f'{k}: {len(v)}' for k, v in sorted(mine.items()))})")


if __name__ == "__main__":
    main()
