#!/usr/bin/env python3
"""`minpriv record` and `merge` as a command: exit statuses (the workload's,
128+N for signals, 127/126 like a shell, 2 for bad usage, 125 for tracer
failures), signal forwarding, waiting for every process, atomic output, and
bad trace input."""
import json
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp  # noqa: E402
import container  # noqa: E402

SH = "/usr/bin/sh"


def t_exit_codes():
    for script, status, sig in (("exit 0", 0, None), ("exit 3", 3, None), ("exit 255", 255, None),
                                ("kill -KILL $$", 137, "SIGKILL"), ("kill -SEGV $$", 139, "SIGSEGV")):
        st, trace, err = mp.record([SH, "-c", script])
        mp.check(st == status, f"'{script}': exit {st}, expected {status}: {err}")
        mp.check(trace is not None, f"'{script}': no trace written")
        ex = trace["runs"][0]["exit"]
        mp.check(ex["status"] == status and ex.get("signal") == sig, f"'{script}': trace exit {ex}")
    print("ok: exit statuses propagate (0, 3, 255, 137, 139) and the trace is written")


def t_not_found(work):
    out = os.path.join(work, "keep.json")
    with open(out, "w") as f:
        f.write("previous")
    st, trace, err = mp.record(["/no/such/program"], out=out)
    mp.check(st == 127 and "command not found" in err, f"not found: {st} {err}")
    mp.check(open(out).read() == "previous", "a previous file was changed by a failed start")
    noexec = os.path.join(work, "noexec")
    with open(noexec, "w") as f:
        f.write("#!/bin/sh\n")
    os.chmod(noexec, 0o644)
    st, _, err = mp.record([noexec], out=out)
    mp.check(st == 126 and "not executable" in err, f"not executable: {st} {err}")
    st, _, err = mp.record(["no-such-command-in-path"], out=out)
    mp.check(st == 127, f"not in PATH: {st}")
    print("ok: 127 / 126 like a shell; a previous trace stays intact")


def t_unwritable(work):
    marker = os.path.join(work, "marker")
    for out in ("/nonexistent-dir/t.json", work):
        st, _, err = mp.record([SH, "-c", f"touch {marker}"], out=out)
        mp.check(st == 2 and "cannot write the trace" in err, f"-o {out}: {st} {err}")
        mp.check(not os.path.exists(marker), "the workload ran although the output was unwritable")
    rc, _, err = mp.minpriv("record", "--bogus", "--", "true")
    mp.check(rc == 2, f"bad option: {rc}")
    rc, _, err = mp.minpriv("record")
    mp.check(rc == 2 and "no command" in err, f"no command: {rc} {err}")
    leftovers = [f for f in os.listdir(work) if ".tmp" in f]
    mp.check(not leftovers, f"temporary files left behind: {leftovers}")
    print("ok: unwritable output and bad usage give exit 2 before the workload starts")


def wait_sleeping(root_pid, comm="sleep", timeout=30):
    """Wait until a descendant of root_pid named comm is asleep (state S),
    i.e. inside its nanosleep: a fixed delay is too short on a loaded
    machine or under ASan."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open(f"/proc/{d}/stat") as f:
                    st = f.read()
            except OSError:
                continue
            name = st[st.index("(") + 1:st.rindex(")")]
            fields = st[st.rindex(")") + 2:].split()
            if name != comm or fields[0] != "S":
                continue
            ppid = int(fields[1])
            seen = set()
            while ppid > 1 and ppid not in seen and ppid != root_pid:
                seen.add(ppid)
                try:
                    with open(f"/proc/{ppid}/stat") as f:
                        pst = f.read()
                    ppid = int(pst[pst.rindex(")") + 2:].split()[1])
                except OSError:
                    break
            if ppid == root_pid:
                return
        time.sleep(0.05)
    mp.fail(f"no {comm} asleep under pid {root_pid} after {timeout} s")


def t_forwarding(work):
    for sig, name in ((signal.SIGTERM, "SIGTERM"), (signal.SIGINT, "SIGINT"), (signal.SIGHUP, "SIGHUP")):
        out = os.path.join(work, f"fwd-{name}.json")
        p = subprocess.Popen([mp.MINPRIV, "record", "-q", "-o", out, "--", "/usr/bin/sleep", "30"],
                             stderr=subprocess.PIPE)
        wait_sleeping(p.pid)
        t0 = time.time()
        p.send_signal(sig)
        p.wait(timeout=20)
        mp.check(p.returncode == 128 + sig, f"{name}: minpriv exited {p.returncode}, expected {128 + sig}")
        mp.check(time.time() - t0 < 5, f"{name}: not forwarded promptly")
        trace = json.load(open(out))
        mp.check(trace["runs"][0]["exit"].get("signal") == name, f"{name}: trace exit {trace['runs'][0]['exit']}")
        mp.check("nanosleep" in trace["syscalls"]["x86_64"] or "clock_nanosleep" in trace["syscalls"]["x86_64"],
                 f"{name}: trace incomplete")
    # a workload that handles the signal decides its own status
    out = os.path.join(work, "fwd-trap.json")
    p = subprocess.Popen([mp.MINPRIV, "record", "-q", "-o", out, "--", SH, "-c",
                          "trap 'kill $!; exit 5' TERM; /usr/bin/sleep 30 & wait"], stderr=subprocess.PIPE)
    wait_sleeping(p.pid)
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=20)
    mp.check(p.returncode == 5, f"trapping workload: exit {p.returncode}, expected 5")
    print("ok: SIGTERM, SIGINT, SIGHUP are forwarded; the trace is complete")


def t_waits_for_all(work):
    late = os.path.join(work, "late")
    st, trace, err = mp.record([SH, "-c", f"(/usr/bin/sleep 1; echo late > {late}) & exit 0"])
    mp.check(st == 0, f"exit {st}")
    mp.check(os.path.exists(late), "minpriv returned before the background process finished")
    mp.check(os.path.join(work, "late") in trace["files"], "the background process's file access is missing")
    mp.check(trace["resources"]["processes"] >= 3, f"processes {trace['resources']}")
    # a daemon: double fork, the middle process exits, the grandchild outlives its parent
    daemon_out = os.path.join(work, "daemon")
    script = f"(/usr/bin/sh -c '/usr/bin/sleep 0.5; echo daemon > {daemon_out}' &) ; exit 0"
    st, trace, err = mp.record([SH, "-c", script])
    mp.check(st == 0 and os.path.exists(daemon_out), "daemonized grandchild was not waited for")
    print("ok: minpriv waits until every traced process is gone (background jobs, daemons)")


def t_bad_traces(work):
    def write(name, data):
        path = os.path.join(work, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    good = os.path.join(work, "good.json")
    st, _, _ = mp.record(["/usr/bin/true"], out=good)
    mp.check(st == 0, "recording /usr/bin/true failed")
    text = open(good, "rb").read()
    ver = re.search(rb'"version": [0-9]+', text).group(0)
    mp.check(ver == b'"version": %d' % json.loads(text)["version"], f"the trace's version: {ver}")
    cases = {
        "garbage": (b"\x00\x01garbage", "garbage"),
        "truncated": (text[: len(text) // 2], "truncated"),
        "empty": (b"", "empty"),
        "other-shape": (b'{"hello": [1, 2, 3]}', "other-shape"),
        "newer": (text.replace(ver, b'"version": 99'), "newer"),
        "bad-utf8": (text.replace(b'"/usr/bin/true"', b'"/usr/bin/tr\xffue"', 1), "bad-utf8"),
        "unknown-syscall": (text.replace(b'"read"', b'"no_such_syscall"', 1), "unknown-syscall"),
        "dup-key": (text.replace(ver, ver + b", " + ver), "dup-key"),
    }
    for name, (data, _) in cases.items():
        path = write(name + ".json", data)
        out = os.path.join(work, "merged.json")
        rc, _, err = mp.minpriv("merge", "-o", out, good, path)
        lines = err.strip().splitlines()
        mp.check(rc == 2, f"merge {name}: exit {rc}")
        mp.check(len(lines) == 1 and path in lines[0], f"merge {name}: message should be one line naming the file: {err!r}")
        mp.check(not os.path.exists(out), f"merge {name}: output written despite the error")
    for name in ("truncated", "garbage"):
        rc, _, err = mp.minpriv("merge", "-o", os.path.join(work, "m.json"), os.path.join(work, name + ".json"))
        mp.check(re.search(re.escape(name) + r"\.json:\d+:\d+: ", err), f"{name}: no line:column in {err!r}")
    print(f"ok: {len(cases)} kinds of bad trace refused with one line and exit 2, nothing written")


def t_merge_order(work):
    a, b = os.path.join(work, "a.json"), os.path.join(work, "b.json")
    mp.record([mp.sample("static_hello")], out=a, check_status=0)
    mp.record([SH, "-c", "ls / >/dev/null"], out=b, check_status=0)
    ab, ba = os.path.join(work, "ab.json"), os.path.join(work, "ba.json")
    mp.check(mp.minpriv("merge", "-o", ab, a, b)[0] == 0, "merge a b")
    mp.check(mp.minpriv("merge", "-o", ba, b, a)[0] == 0, "merge b a")
    mp.check(open(ab, "rb").read() == open(ba, "rb").read(), "merge depends on the order of its inputs")
    aa = os.path.join(work, "aa.json")
    mp.minpriv("merge", "-o", aa, a, a)
    ta, taa = json.load(open(a)), json.load(open(aa))
    ca = mp.traced_syscalls(ta)["x86_64"]
    caa = mp.traced_syscalls(taa)["x86_64"]
    mp.check(all(caa[n] == 2 * ca[n] for n in ca), "merging a trace with itself does not double its counts")
    print("ok: merge is order-independent and sums counts")


def t_ptrace_denied(work):
    """Inside a container whose seccomp profile denies ptrace: a clear
    message and exit 125, no trace."""
    if not container.available():
        print("skip: ptrace-denied check needs podman")
        return
    # Docker's default profile without ptrace.
    ref = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "deny-ptrace-seccomp.json")
    binary = os.path.realpath(mp.MINPRIV)
    # (LeakSanitizer, in sanitizer builds, needs ptrace itself: off here.)
    rc, out, err = container.run([binary, "record", "-o", "/tmp/t.json", "--", "/usr/bin/true"], seccomp=ref,
                                 mounts=[os.path.dirname(binary)], env={"ASAN_OPTIONS": "detect_leaks=0"})
    mp.check(rc == 125, f"ptrace denied: exit {rc}, expected 125: {err}")
    mp.check("ptrace is not permitted" in err and "SYS_PTRACE" in err, f"message: {err}")
    print("ok: ptrace not permitted gives a clear message and exit 125")


def main():
    work = os.path.realpath(mp.tmpdir())
    t_exit_codes()
    t_not_found(work)
    t_unwritable(work)
    t_forwarding(work)
    t_waits_for_all(work)
    t_bad_traces(work)
    t_merge_order(work)
    t_ptrace_denied(work)


if __name__ == "__main__":
    main()
