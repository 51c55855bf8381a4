#!/usr/bin/env python3
"""`minpriv explain` on samples recorded with --stacks: for a syscall, a
path and a capability it names the right program and shows a stack that
goes through the sample's own main(); items not in the trace give exit 1,
bad items and bad traces exit 2."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp  # noqa: E402


def explain(trace, item, expect=0):
    rc, out, err = mp.minpriv("explain", trace, item)
    mp.check(rc == expect, f"explain {item}: exit {rc}, expected {expect}: {err}")
    return out


def main():
    work = os.path.realpath(mp.tmpdir())
    socks = mp.sample("sockets")
    t = os.path.join(work, "sockets.json")
    st, _, err = mp.record([socks, work, "40161"], out=t, extra=["--stacks"])
    mp.check(st == 0, f"record: {err}")

    out = explain(t, "bind")
    mp.check(f"by {socks}" in out, f"bind: program missing:\n{out}")
    mp.check(f"main+0x" in out and f"({socks}+0x" in out, f"bind: no stack through the sample's main():\n{out}")
    mp.check("127.0.0.1:40161" in out, f"bind: address missing:\n{out}")

    out = explain(t, "socket")
    mp.check("AF_INET SOCK_STREAM 0" in out, f"socket: argument values missing:\n{out}")

    sock_path = os.path.join(work, "sock")
    out = explain(t, sock_path)
    mp.check("create ok" in out and "unix socket" in out and "main+0x" in out, f"path: {out}")

    explain(t, "CAP_SYS_ADMIN", expect=1)
    explain(t, "mount", expect=1)
    explain(t, "/no/such/path", expect=1)
    explain(t, "not-a-thing", expect=2)
    bad = os.path.join(work, "bad.json")
    open(bad, "w").write("{")
    rc, _, err = mp.minpriv("explain", bad, "read")
    mp.check(rc == 2 and bad in err, f"bad trace: {rc} {err}")

    # a capability, with its reason, inputs and stack (needs root, a netns for port 80)
    if os.getuid() == 0 and shutil.which("unshare") and shutil.which("ip"):
        priv = mp.sample("privileged")
        pt = os.path.join(work, "priv.json")
        p = subprocess.run(["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", mp.MINPRIV, "record",
                            "-q", "--stacks", "-o", pt, "--", priv, work, "80"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        mp.check(p.returncode == 0, f"privileged: {p.stderr.decode()}")
        for cap in ("CAP_CHOWN", "CAP_NET_BIND_SERVICE", "CAP_SETUID", "CAP_SETGID"):
            out = explain(pt, cap)
            mp.check(f"by {priv}" in out and "is needed" in out and "main+0x" in out, f"{cap}:\n{out}")
        out = explain(pt, "net_bind_service")
        mp.check("port 80" in out, f"lowercase capability name: {out}")
    print("ok: explain names the program and its stack for syscalls, paths and capabilities")


if __name__ == "__main__":
    main()
