#!/usr/bin/env python3
"""The i386 probe (tests/tools/i386-probe.c) agrees with the samples it
guards: where it says the kernel runs i386 code, the int80 sample and the
32-bit hello32 (when built) run and exit 0; where it says it does not, int80
is killed by SIGSEGV and hello32 fails to exec with ENOEXEC. The tests of
those samples skip on the probe's word, so a wrong probe would hide them or
fail the suite on hosts without IA32 emulation."""
import errno
import os
import signal
import subprocess
import sys

import mp


def run(path):
    """(how it ended, detail) for running path directly."""
    try:
        p = subprocess.run([path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    except OSError as e:
        return ("exec-error", e.errno)
    if p.returncode < 0:
        return ("signal", -p.returncode)
    return ("exit", p.returncode)


def main():
    probe = os.environ.get("MINPRIV_I386_PROBE")
    mp.check(probe and os.path.exists(probe), "MINPRIV_I386_PROBE is not set to the built probe")
    p = subprocess.run([probe], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    mp.check(p.returncode in (0, 1), f"probe exit status {p.returncode}: {p.stderr!r}")
    why = p.stdout.decode().strip()
    mp.check(why and "\n" not in why, f"the probe must print one line, printed {p.stdout!r}")
    runs_i386 = p.returncode == 0
    print(f"probe: {why}")

    checked = 0
    int80 = os.path.join(mp.SAMPLES, "int80")
    mp.check(os.path.exists(int80), "sample int80 not built")
    got = run(int80)
    want = ("exit", 0) if runs_i386 else ("signal", signal.SIGSEGV)
    mp.check(got == want, f"int80 sample ended {got}, the probe ({why}) predicts {want}")
    checked += 1

    hello32 = os.path.join(mp.SAMPLES, "hello32")
    if os.path.exists(hello32):
        got = run(hello32)
        want = ("exit", 0) if runs_i386 else ("exec-error", errno.ENOEXEC)
        mp.check(got == want, f"hello32 sample ended {got}, the probe ({why}) predicts {want}")
        checked += 1
    print(f"OK: the probe agrees with {checked} sample(s)")


if __name__ == "__main__":
    main()
