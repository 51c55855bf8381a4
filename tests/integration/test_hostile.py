#!/usr/bin/env python3
"""Hostile workloads: for each, minpriv's exit status is right, the trace is
complete (checked against what the workload did, and against strace where
that applies), no process is left behind and no zombie remains.

Usage: test_hostile.py [CASE...]   (default: all)"""
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp  # noqa: E402

PR_SET_CHILD_SUBREAPER = 36
ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def run(argv, extra=(), out=None, expect=0):
    """Record argv tagged with a unique environment variable; then check that
    no tagged process survives and that no zombie was left to us."""
    tag = uuid.uuid4().hex
    env = dict(os.environ, MINPRIV_HOSTILE_TAG=tag)
    t0 = time.time()
    status, trace, err = mp.record(argv, extra=extra, out=out, env=env)
    dt = time.time() - t0
    mp.check(status == expect, f"{argv[1:]}: exit {status}, expected {expect}: {err}")
    mp.check(trace is not None, f"{argv[1:]}: no trace")
    left = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if tag.encode() in f.read():
                    left.append(pid)
        except OSError:
            pass
    mp.check(not left, f"{argv[1:]}: processes left behind: {left}")
    try:
        pid, st = os.waitpid(-1, os.WNOHANG)
        mp.check(pid == 0, f"{argv[1:]}: a zombie was left behind (pid {pid})")
    except ChildProcessError:
        pass
    return trace, dt


def syscalls(trace):
    return mp.traced_syscalls(trace).get("x86_64", {})


def case_threads(h):
    trace, dt = run([h, "threads", "500"])
    r = trace["resources"]
    mp.check(r["max_threads"] >= 501, f"max_threads {r['max_threads']}")
    n = syscalls(trace)
    mp.check(n.get("clone3", 0) + n.get("clone", 0) >= 500, "thread creations missing")
    return f"500 threads alive at once (max_threads={r['max_threads']}, {dt:.1f}s)"


def case_procs(h):
    trace, dt = run([h, "procs", "5000"])
    r = trace["resources"]
    mp.check(r["processes"] == 5001, f"processes {r['processes']}")
    mp.check(syscalls(trace).get("wait4", 0) >= 5000, "wait4 calls missing")
    return f"5,000 short-lived processes in sequence ({dt:.1f}s)"


def case_forktree(h):
    trace, dt = run([h, "forktree", "50"])
    r = trace["resources"]
    mp.check(r["max_processes"] == 51 and r["processes"] == 51, f"fork tree: {r}")
    return "a fork tree 50 deep (51 processes alive at once)"


def case_exec_thread(h):
    trace, _ = run([mp.sample("thread_exec")])
    mp.check("/usr/bin/echo" in {p for v in trace["syscalls"]["x86_64"].values() for p in v["programs"]},
             "the program exec'd from a thread was not followed")
    return "exec from a non-leader thread"


def case_vfork(h):
    trace, _ = run([mp.sample("forktree")])
    mp.check("vfork" in syscalls(trace), "vfork missing")
    return "vfork + exec"


def case_clone3(h):
    trace, _ = run([h, "clone3"])
    mp.check(syscalls(trace).get("clone3") == 1, "clone3 missing")
    mp.check("0x0" in trace["arguments"].get("clone3", {}), f"clone3 flags: {trace['arguments'].get('clone3')}")
    mp.check(trace["resources"]["processes"] == 2, "the clone3 child was not followed")
    return "clone3"


def case_orphans(h):
    trace, _ = run([h, "orphans"])
    mp.check(trace["resources"]["processes"] == 3, f"processes {trace['resources']['processes']}")
    mp.check(syscalls(trace).get("nanosleep", 0) + syscalls(trace).get("clock_nanosleep", 0) >= 1,
             "the orphan's syscalls after re-parenting were not recorded")
    return "orphans re-parented while traced, daemon outliving its parent"


def case_sigchld(h):
    trace, _ = run([h, "sigchld", "200"])
    mp.check(trace["resources"]["processes"] == 201, "children missing")
    return "SIGCHLD storm (200 children exiting together)"


def case_blocksig(h):
    trace, _ = run([h, "blocksig"])
    mp.check("rt_sigprocmask" in syscalls(trace), "sigprocmask missing")
    return "a workload that blocks and ignores every signal"


def case_stopcont(h):
    """SIGSTOP/SIGCONT group stop: the workload stops itself; the test
    continues it from outside while it is traced."""
    tag = uuid.uuid4().hex
    out = os.path.join(mp.tmpdir(), "stop.json")
    p = subprocess.Popen([mp.MINPRIV, "record", "-q", "-o", out, "--", h, "stopcont"],
                         env=dict(os.environ, MINPRIV_HOSTILE_TAG=tag), stderr=subprocess.PIPE)
    # find the stopped workload
    target = None
    for _ in range(100):
        time.sleep(0.05)
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                stat = open(f"/proc/{pid}/stat").read()
                env = open(f"/proc/{pid}/environ", "rb").read()
            except OSError:
                continue
            if tag.encode() in env and "hostile" in stat and stat.rsplit(")", 1)[1].split()[0] in "tT":
                target = int(pid)
        if target:
            break
    mp.check(target is not None, "the workload never stopped")
    time.sleep(0.2)
    mp.check(p.poll() is None, "minpriv ended while the workload was stopped")
    os.kill(target, signal.SIGCONT)
    p.wait(timeout=20)
    mp.check(p.returncode == 0, f"exit {p.returncode}")
    trace = json.load(open(out))
    mp.check(syscalls(trace).get("exit_group") == 1, "the workload's exit was not recorded")
    return "SIGSTOP/SIGCONT group stop (stopped while traced, continued from outside)"


def case_killed(h):
    trace, _ = run([h, "killed"])
    mp.check(trace["signals"].get("SIGKILL", {}).get("traced process", {}).get("ok"), "the kill was not recorded")
    mp.check(syscalls(trace).get("read", 0) >= 1, "the read killed mid-syscall was not recorded")
    return "a tracee killed with SIGKILL in the middle of a syscall"


def case_ptraceme(h):
    trace, _ = run([h, "ptraceme"])
    mp.check(trace["ptrace"].get("PTRACE_TRACEME", {}).get("EPERM"), f"ptrace failure not recorded: {trace['ptrace']}")
    # strace under minpriv: it cannot trace, says so and fails; minpriv carries on
    strace = shutil.which("strace")
    if strace:
        trace, _ = run([strace, "-o", "/dev/null", "/usr/bin/true"], expect=1)
        mp.check(trace["ptrace"], "strace's ptrace attempts were not recorded")
    return "a workload that uses ptrace itself (PTRACE_TRACEME, strace): failure recorded"


def case_seccomp(h):
    """The workload's own filter runs before ours is consulted and its
    SECCOMP_RET_ERRNO takes precedence over our SECCOMP_RET_TRACE, so in
    seccomp mode the calls it denies never reach the tracer (and need no
    rule: they fail the same way in the container). The installation is
    recorded; --no-seccomp mode, which stops before any filter, sees them."""
    trace, _ = run([h, "seccomp"])
    mp.check("prctl" in syscalls(trace), "the filter installation is missing")
    mp.check("22" in trace["arguments"].get("prctl", {}), "PR_SET_SECCOMP not recorded")
    mp.check("getpid" not in syscalls(trace), "a call denied by the workload's filter reached the tracer?")
    trace, _ = run([h, "seccomp"], extra=["--no-seccomp"])
    mp.check("getpid" in syscalls(trace), "--no-seccomp mode missed the filtered call")
    return "a workload that installs its own seccomp filter (the denied call is seen with --no-seccomp)"


def case_setuid(h):
    """An unprivileged recording needs no_new_privs; a setuid program run
    under it does not gain privileges, and the trace says so."""
    if os.getuid() != 0 or not shutil.which("setpriv"):
        return None
    tmp = mp.tmpdir()
    os.chmod(tmp, 0o777)
    binary = os.path.join(tmp, "minpriv")
    shutil.copy(mp.MINPRIV, binary)
    os.chmod(binary, 0o755)
    out = os.path.join(tmp, "nnp.json")
    p = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", binary, "record", "-q", "-o",
                        out, "--", "/usr/bin/passwd", "-S"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    mp.check(p.returncode == 0, f"unprivileged record: {p.returncode} {p.stderr.decode()}")
    run0 = json.load(open(out))["runs"][0]
    mp.check(run0["no_new_privs"] is True, "no_new_privs not reported for an unprivileged recording")
    mp.check(run0.get("setuid_programs") == ["/usr/bin/passwd"], f"setuid programs: {run0.get('setuid_programs')}")
    # as root: no no_new_privs, the setuid program keeps its privileges
    trace, _ = run(["/usr/bin/passwd", "-S", "root"])
    mp.check(trace["runs"][0]["no_new_privs"] is False, "root recording used no_new_privs")
    return "a setuid program (unprivileged: no_new_privs and the program reported; as root: unchanged)"


def case_disk_full(h):
    """The trace cannot be written (a full filesystem): a clear error, exit
    125, and the previous trace at that path intact."""
    if os.getuid() != 0:
        return None
    mnt = mp.tmpdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt], stderr=subprocess.PIPE)
    if r.returncode != 0:
        return None
    try:
        out = os.path.join(mnt, "trace.json")
        with open(out, "w") as f:
            f.write('{"previous": true}')
        status, _, err = mp.record(["/usr/bin/sh", "-c", "ls -laR /usr/share/zoneinfo > /dev/null"], out=out)
        mp.check(status == 125 and "cannot write the trace" in err, f"disk full: exit {status}: {err}")
        mp.check(open(out).read() == '{"previous": true}', "the previous trace was damaged")
        mp.check(os.listdir(mnt) == ["trace.json"], f"temporary files left: {os.listdir(mnt)}")
    finally:
        subprocess.run(["umount", mnt])
    return "output disk full mid-run: clear error, exit 125, previous trace intact"


CASES = [case_threads, case_procs, case_forktree, case_exec_thread, case_vfork, case_clone3, case_orphans,
         case_sigchld, case_blocksig, case_stopcont, case_killed, case_ptraceme, case_seccomp, case_setuid,
         case_disk_full]


def main():
    h = mp.sample("hostile")
    wanted = sys.argv[1:]
    passed = skipped = 0
    for c in CASES:
        name = c.__name__[5:]
        if wanted and name not in wanted:
            continue
        what = c(h)
        if what is None:
            print(f"skip: {name} (needs root)")
            skipped += 1
        else:
            print(f"ok: {what}")
            passed += 1
    print(f"hostile workloads: {passed} passed, {skipped} skipped")


if __name__ == "__main__":
    main()
