#!/usr/bin/env python3
"""`minpriv explain` on samples recorded with --stacks: for a syscall, a
path and a capability it names the right program and shows a stack that
goes through the sample's own main(); items not in the trace give exit 1,
bad items and bad traces exit 2."""
import json
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


def symbol_sizes(module):
    """{name: [sizes]} of the module's function symbols as readelf sees
    them: .symtab when the file has one, else .dynsym."""
    p = subprocess.run(["readelf", "-sW", module], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=60)
    text = p.stdout.decode(errors="replace")
    use = ".symtab" if "'.symtab'" in text else ".dynsym"
    sizes, section = {}, None
    for line in text.splitlines():
        if line.startswith("Symbol table"):
            section = line.split("'")[1]
            continue
        w = line.split()
        if section == use and len(w) >= 8 and w[3] in ("FUNC", "IFUNC") and w[6] != "UND":
            sizes.setdefault(w[7].split("@")[0], []).append(int(w[2], 0) if w[2].startswith("0x") else int(w[2]))
    return sizes


def check_frames(trace_path):
    """Every named frame lies inside its function (offset < the symbol's
    size, in the table the module has): no far-away exported name such as
    `malloc_usable_size+0x6350b`. A libc frame no symbol covers (the
    static __libc_start_call_main of a stripped libc) is shown by explain
    as module+offset."""
    if not shutil.which("readelf"):
        print("note: no readelf; frame names not checked against symbol sizes")
        return
    t = json.load(open(trace_path))
    frames = []

    def walk(o):
        if isinstance(o, dict):
            if isinstance(o.get("stack"), list):
                frames.extend(o["stack"])
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
    walk(t)
    cache, named, unnamed = {}, 0, 0
    for fr in frames:
        mod = fr.get("module")
        if not mod or not os.path.exists(mod):
            continue
        if "function" not in fr:
            unnamed += 1
            continue
        sizes = cache.setdefault(mod, symbol_sizes(mod))
        fn = fr["function"]
        mp.check(fn in sizes, f"{fn} is not a function symbol of {mod}")
        mp.check(any(fr["offset"] < sz for sz in sizes[fn]),
                 f"{fn}+{fr['offset']:#x} lies beyond the symbol's size {sizes[fn]} in {mod}")
        named += 1
    mp.check(named > 0, "no named frame at all")
    print(f"ok: {named} named frames, each inside its symbol; {unnamed} frames without a covering symbol")


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

    check_frames(t)

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
