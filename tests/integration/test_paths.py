#!/usr/bin/env python3
"""File accesses recorded exactly: the paths sample (samples/paths.c) works
in a fresh directory; every path under it must be recorded with the right
absolute path, access kinds, results and counts — nothing missing, nothing
extra. Also checks type and symlink resolution."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp  # noqa: E402

# path (relative to the work dir) -> {kind: {result: count}}
EXPECTED = {
    "p": {"create": {"ok": 1}, "chdir": {"ok": 1}},
    "p/d": {"create": {"ok": 1}, "read": {"ok": 2}, "list": {"ok": 2}, "write": {"EISDIR": 1},
            "delete": {"ok": 1}},
    "p/d/sub": {"create": {"ok": 1}, "delete": {"ok": 1}},
    "p/d/f": {"create": {"ok": 1}, "write": {"ok": 2}, "read": {"ok": 1}, "stat": {"ok": 4},
              "attr": {"ok": 3}, "delete": {"ok": 1}},
    "p/d/g": {"create": {"ok": 1}, "read": {"ok": 1}, "append": {"ok": 1}, "lock": {"ok": 1},
              "write": {"ok": 1}, "attr": {"ok": 2}, "stat": {"ok": 1}, "delete": {"ok": 1}},
    "p/d/c": {"create": {"ok": 1}, "write": {"ok": 1}, "rename": {"ok": 1}},
    "p/d/c2": {"rename": {"ok": 2}},
    "p/c3": {"rename": {"ok": 1}, "delete": {"ok": 1}},
    "p/lnk": {"create": {"ok": 1}, "stat": {"ok": 3}, "read": {"ok": 1}, "delete": {"ok": 1}},
    "p/d/hard": {"link": {"ok": 1}, "delete": {"ok": 1}},
    "p/d/hard2": {"link": {"ok": 1}, "delete": {"ok": 1}},
    "p/missing": {"read": {"ENOENT": 1}},
    "p/no-such-program": {"exec": {"ENOENT": 1}},
    "p/d/fifo": {"create": {"ok": 1}, "delete": {"ok": 1}},
}
TYPES = {"p": "dir", "p/d": "dir", "p/d/sub": "dir", "p/d/f": "file", "p/lnk": "symlink", "p/d/fifo": "fifo"}


def main():
    exe = mp.sample("paths")
    for extra in ([], ["--no-seccomp"]):
        work = os.path.realpath(mp.tmpdir())
        status, trace, err = mp.record([exe, os.path.join(work, "p")], extra=extra)
        mp.check(status == 0, f"paths sample failed ({status}): {err}")
        got = {}
        for path, node in trace["files"].items():
            if not path.startswith(work + "/"):
                continue
            rel = path[len(work) + 1:]
            got[rel] = {k: {r: sum(p["count"] for p in u["programs"].values()) for r, u in res.items()}
                        for k, res in node["access"].items()}
            if rel in TYPES:
                mp.check(node.get("type") == TYPES[rel], f"{rel}: type {node.get('type')}, expected {TYPES[rel]}")
            progs = {p for res in node["access"].values() for u in res.values() for p in u["programs"]}
            mp.check(progs == {exe}, f"{rel}: programs {progs}")
        for rel in sorted(set(EXPECTED) | set(got)):
            mp.check(rel in got, f"{rel}: not recorded")
            mp.check(rel in EXPECTED, f"{rel}: recorded but not expected: {got.get(rel)}")
            mp.check(got[rel] == EXPECTED[rel], f"{rel}: recorded {got[rel]}, expected {EXPECTED[rel]}")
        lnk = trace["files"][os.path.join(work, "p/lnk")]
        mp.check(lnk.get("resolved") == os.path.join(work, "p/d/f"), f"p/lnk resolves to {lnk.get('resolved')}")
        # the program's own image and its interpreter are mapped executable
        me = trace["files"][exe]["access"]
        mp.check("mmap_exec" in me and "exec" in me, f"{exe}: {sorted(me)}")
        print(f"ok: {len(got)} paths recorded exactly ({trace['runs'][0]['mode']} mode)")


def proc_self():
    """/proc/self and /proc/thread-self name the workload's own entries, not
    the recorder's: their resolved paths carry the workload's pid/tid."""
    pidfile = os.path.join(mp.tmpdir(), "pid")
    st, trace, err = mp.record(["/usr/bin/sh", "-c", f"echo $$ > {pidfile}; exec cat /proc/self/status /proc/thread-self/comm > /dev/null"])
    mp.check(st == 0, f"proc self: {err}")
    workload_pid = int(open(pidfile).read())
    files = trace["files"]
    status = files.get("/proc/self/status", {})
    comm = files.get("/proc/thread-self/comm", {})
    res_s, res_c = status.get("resolved", ""), comm.get("resolved", "")
    mp.check(res_s.startswith("/proc/") and res_s.endswith("/status"), f"/proc/self/status resolves to {res_s!r}")
    pid = int(res_s.split("/")[2])
    mp.check(pid == workload_pid, f"/proc/self resolved to pid {pid}, the workload is {workload_pid}")
    mp.check(f"/proc/{pid}/task/{pid}/comm" == res_c, f"/proc/thread-self/comm resolves to {res_c!r} (pid {pid})")
    print(f"ok: /proc/self and /proc/thread-self resolve to the workload's pid ({pid})")


if __name__ == "__main__":
    main()
    proc_self()
