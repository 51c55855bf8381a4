#!/usr/bin/env python3
"""Hot syscalls counted in the kernel (the default recording where the kernel
allows it) must give the same facts as a recording that stops at every call
(`--no-kernel-count`): syscalls per ABI, argument values, file accesses with
their results, network, credentials, capability reasons, signals, ptrace
requests; and `generate` must write byte-identical profiles from both. The
counted calls must be under the program "kernel:counted", on x86_64 only,
named in runs[].counted_in_kernel, and the counted recording must stop less.

Usage: test_kcount.py SAMPLE|/path/to/workload [ARGS...]   (@WORK@ = a fresh directory)
Skips (77) where the kernel cannot count (no tracefs, no perf permission)."""
import filecmp
import re
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp  # noqa: E402
from test_baseline import facts  # noqa: E402

LABEL = "kernel:counted"
RANDOM = re.compile(r"/cc[A-Za-z0-9]{6}\.")


def stats(stderr):
    for line in stderr.splitlines():
        if line.startswith("minpriv-stats:"):
            return {k: int(v) for k, v in (kv.split("=") for kv in line.split()[1:])}
    mp.fail(f"no minpriv-stats line in: {stderr[-500:]}")


def check_fallbacks(exe, args, work):
    """Where counting cannot or must not be used, the recorder stops at every
    call: with --stacks (stacks are taken at stops), and unprivileged (no
    tracefs, no tracepoint counters)."""
    t = os.path.join(work, "stacks.json")
    st, tr, err = mp.record([exe, *args], out=t, extra=["--stacks"])
    mp.check(tr is not None and tr["runs"][0]["mode"] == "seccomp", f"--stacks: mode {tr and tr['runs'][0]['mode']}")
    mp.check(all(LABEL not in v["programs"] for c in tr["syscalls"].values() for v in c.values()),
             "--stacks: calls counted in the kernel")
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        return "ok: --stacks records with stops (unprivileged fallback not checked: needs root and setpriv)"
    udir = mp.tmpdir()
    os.chmod(udir, 0o777)
    u = os.path.join(udir, "u.json")
    p = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", mp.MINPRIV, "record", "-q",
                        "-o", u, "--", exe, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    mp.check(p.returncode == 0 and os.path.isfile(u), f"unprivileged record: {p.returncode} {p.stderr.decode()}")
    mode = json.load(open(u))["runs"][0]["mode"]
    shutil.rmtree(udir, ignore_errors=True)
    mp.check(mode == "seccomp", f"unprivileged recording in mode {mode}, expected the stop-every-call fallback")
    return "ok: --stacks and an unprivileged recording fall back to a stop at every call"


def check_pid_namespace(exe, argv, fixed, work, env, full_run):
    """minpriv in a container (a PID namespace of its own, as in a
    privileged CI job): the kernel's programs see the tasks' ids in the
    initial namespace, the tracer in its own, so the eBPF recorder is not
    used (a recording that used it lost every call it was to count or
    report); the counters of the fallback are per task: the same facts."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return "(PID namespace not checked: needs root and unshare)"
    path = os.path.join(work, "pidns.json")
    p = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", mp.MINPRIV, "record", "-q", "-o", path, "--",
                        *argv()], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=600)
    err = p.stderr.decode(errors="replace")
    if not os.path.isfile(path) and "unshare" in err:
        return f"(PID namespace not checked: {err.strip()})"
    mp.check(os.path.isfile(path), f"pidns: no trace written: {err}")
    t = json.load(open(path))
    run = t["runs"][0]
    mp.check(run["mode"] == "seccomp+count" and "PID namespace" in run.get("bpf_unused", ""),
             f"pidns: mode {run['mode']}, bpf_unused {run.get('bpf_unused')!r}")
    return compare(exe, fixed, work, "pidns", (p.returncode, t, stats(err), path), full_run)


def compare(exe, fixed, work, label, counted_run, full_run):
    """The counted (or reported) recording against the one that stops at
    every call: the same facts, the same generated profiles."""
    (sc, tc, stc, pc), (sf, tf, stf, pf) = counted_run, full_run
    mp.check(sc == sf, f"exit statuses differ: {sc} {label}, {sf} full")
    # "read", or "ioctl cmd=0x5401" for one value of an argument
    counted = {c.split()[0] for c in tc["runs"][0]["counted_in_kernel"]}
    mp.check("read" in counted and "openat" not in counted, f"odd counted set: {sorted(counted)}")

    # The counted calls: x86_64 only, named in the run, counts > 0.
    for abi, calls in tc["syscalls"].items():
        for n, v in calls.items():
            if LABEL in v["programs"]:
                mp.check(abi == "x86_64", f"{abi}/{n}: counted in the kernel on a non-native ABI")
                mp.check(n in counted, f"{n}: under {LABEL} but not in counted_in_kernel")
                mp.check(v["programs"][LABEL]["count"] > 0, f"{n}: {LABEL} with count 0")
    if set(tf["syscalls"].get("x86_64", {})) <= {"execve"}:
        # an i386 program (hello32; only its exec is a 64-bit call): its
        # calls stop, none is counted (the exec may be reported)
        mp.check(stc["counted"] == 0 and stc["stops"] + stc.get("bpf", 0) == stf["stops"],
                 f"an i386 program counted: {stc} counted, {stf} full")
    else:
        mp.check(stc["counted"] > 0 and stc["stops"] < stf["stops"],
                 f"counting saved nothing: {stc} counted, {stf} full")

    timing = {("syscall", "x86_64", n) for n in mp.TIMING.get(os.path.basename(exe), ())}
    # glibc's malloc reads the number of CPUs when a thread first needs an
    # arena of its own, which depends on contention at that moment: seen in
    # some runs of the threaded Python server and not in others.
    timing |= {("file", "/sys/devices/system/cpu/online", "read", "ok")}
    # Python's tempfile names (8 random characters, "tmp" first for
    # mkstemp) differ between any two runs: masked, in the run's directory.
    pyrandom = re.compile(re.escape(fixed) + r"/(tmp)?[a-z0-9_]{8}$")

    def masked(fs):
        return {tuple(pyrandom.sub(fixed + r"/\1RANDOM", x) if isinstance(x, str) else x for x in f) for f in fs}

    fc, ff = masked(facts(tc) - timing), masked(facts(tf) - timing)
    missing, extra = sorted(ff - fc), sorted(fc - ff)
    mp.check(not missing and not extra,
             f"{label} recording != full recording\n  missing: {missing[:20]}\n  extra: {extra[:20]}")

    # The same profiles, byte for byte (syscall counts and programs are not
    # in them). hardening.md is left out: it quotes the recording mode and
    # the run's sampled resources (RSS, CPU time, fds), which differ between
    # any two runs.
    gens = {}
    for mode, path in (("count", pc), ("full", pf)):
        d = os.path.join(work, f"gen-{label}-{mode}")
        rc, _, err = mp.minpriv("generate", "-q", "-o", d, path)
        mp.check(rc == 0, f"generate {mode}: {err}")
        gens[mode] = d
    names = sorted(n for n in os.listdir(gens["full"]) if n != "hardening.md")
    mp.check(sorted(os.listdir(gens["full"])) == sorted(os.listdir(gens["count"])), "generate wrote different files")
    same, diff, errs = filecmp.cmpfiles(gens["count"], gens["full"], names, shallow=False)
    mp.check(not errs, f"cannot compare {errs}")
    for n in diff:
        # The compiler's and Python's temporary names differ between any
        # two runs (and with them the sorted order): equal once masked.
        pyrandom_in = re.compile(re.escape(fixed) + r"/(tmp)?[a-z0-9_]{8}(?=[\s,\"]|$)")
        a, b = ([pyrandom_in.sub(fixed + r"/\1RANDOM", RANDOM.sub("/ccXXXXXX.", line))
                 for line in open(os.path.join(gens[m], n))] for m in ("count", "full"))
        # Calls whose presence depends on timing (mp.TIMING) may be in one
        # profile's name lists and not the other's.
        tnames = {f'"{x}"' for x in mp.TIMING.get(os.path.basename(exe), ())}
        a, b = ([line.strip().rstrip(",") for line in x if line.strip().rstrip(",") not in tnames] for x in (a, b))
        if tnames:  # and the comments counting the names
            a, b = ([re.sub(r"\d+", "N", line) if '"comment"' in line else line for line in x] for x in (a, b))
        # Timing-dependent files (see above) may be in one profile's rules
        # and file lists and not the other's, and with them the counts in
        # the comments.
        tfiles = [f[1] for f in timing if f[0] == "file"]
        # (AppArmor writes /sys as @{sys}; the related rule for that file is
        # in both profiles, but the count of recorded paths is not the same)
        tfiles += [t.replace("/sys/", "@{sys}/", 1) for t in tfiles if t.startswith("/sys/")]
        if any(t in line for t in tfiles for line in a + b):
            # (with the AppArmor section header that such a file alone can
            # bring: "# /proc and /sys ...")
            a, b = ([re.sub(r"\d+", "N", line) if line.startswith("#") else line
                     for line in x if not any(t in line for t in tfiles) and not line.startswith("# /proc and /sys")]
                    for x in (a, b))
        if sorted(a) != sorted(b):
            import difflib
            mp.fail(f"generated {n} differs:\n" + "".join(list(difflib.unified_diff(b, a, "full", "count"))[:40]))
    return (f"ok: {label}: {len(fc)} facts and {len(names)} generated files equal; stops {stf['stops']} full -> "
            f"{stc['stops']} {label} ({stc['counted']} calls counted in the kernel, {stc.get('bpf', 0)} reported "
            f"by eBPF)")


def main():
    argv0 = sys.argv[1:]
    env = dict(os.environ, MINPRIV_STATS="1")
    exe = mp.sample(argv0[0]) if not argv0[0].startswith("/") else argv0[0]
    args = argv0[1:]
    work = mp.tmpdir()
    fixed = mp.tmpdir()  # the same paths in both runs

    def argv():
        shutil.rmtree(fixed, ignore_errors=True)
        os.makedirs(fixed)
        return [exe, *[a.replace("@WORK@", fixed) for a in args]]

    env["TMPDIR"] = fixed
    out = {}
    # (bpf-stopexec: the eBPF recorder on a kernel that does not say what
    # an execve that succeeds was given: execve stops)
    for mode, extra in (("bpf", []), ("bpf-stopexec", []), ("count", ["--no-bpf"]), ("full", ["--no-kernel-count"])):
        path = os.path.join(work, f"{mode}.json")
        menv = dict(env, MINPRIV_TEST_NO_EXEC_NAMES="1") if mode == "bpf-stopexec" else env
        p = subprocess.run([mp.MINPRIV, "record", "-q", *extra, "-o", path, "--", *argv()], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=menv, timeout=600)
        err = p.stderr.decode(errors="replace")
        mp.check(os.path.isfile(path), f"{mode}: no trace written: {err}")
        out[mode] = (p.returncode, json.load(open(path)), stats(err), path)
    sf, tf, stf, pf = out["full"]
    mp.check(tf["runs"][0]["mode"] == "seccomp", f"--no-kernel-count recorded in mode {tf['runs'][0]['mode']}")
    if out["count"][1]["runs"][0]["mode"] != "seccomp+count":
        print(f"SKIP: the kernel cannot count syscalls here (mode {out['count'][1]['runs'][0]['mode']})",
              file=sys.stderr)
        sys.exit(77)
    if os.path.basename(exe).startswith("setids") and os.geteuid() == 0:
        # What the recorder keeps of the credentials across calls that
        # change nothing (no exit stop, no re-read): after setfsuid(65534),
        # setresuid(-1, 0, -1) gives the fs uid back, so the CAP_SETUID
        # reason that follows must quote fs uid 0, in every mode; and
        # setresuid(-1, 65536, -1) changes the effective uid (its low 16
        # bits are 0), which the reason of the call after it quotes.
        for mode, (_, t, _, _) in out.items():
            reasons = t.get("capabilities", {}).get("CAP_SETUID", {})
            r = [v for k, v in reasons.items() if "-1,65533,-1" in k]
            mp.check(len(r) == 1 and r[0]["inputs"].get("fsuid") == 0,
                     f"{mode}: the fs uid after setresuid(-1, 0, -1): {r and r[0]['inputs']}")
            r = [v for k, v in reasons.items() if "-1,1,-1" in k]
            mp.check(len(r) == 1 and r[0]["inputs"].get("euid") == 65536,
                     f"{mode}: the effective uid after setresuid(-1, 65536, -1): {r and r[0]['inputs']}")
    results = [compare(exe, fixed, work, "count", out["count"], out["full"])]
    for mode in ("bpf", "bpf-stopexec"):
        tb = out[mode][1]["runs"][0]
        if tb["mode"] != "seccomp+count+bpf":
            results.append(f"(no eBPF recorder here: default mode {tb['mode']})")
            break
        mp.check("bpf_lost" not in tb, f"{mode}: the eBPF recorder lost {tb.get('bpf_lost')} calls")
        mp.check("bpf_gone" not in tb,
                 f"{mode}: {tb.get('bpf_gone')} reported calls found files removed before they were read")
        reported = {c.split()[0] for c in tb["reported_by_bpf"]}
        # execve is reported where the kernel says what one that succeeds
        # was given (linux_binprm in its BTF, the sched_process_exec
        # tracepoint): here, and not when the test says it cannot
        want = {"openat", "newfstatat", "readlink", "unlink", "socket", "connect", "setsockopt"} | \
            ({"execve"} if mode == "bpf" else set())
        never = {"rename", "rmdir", "chdir"} | ({"execve"} if mode == "bpf-stopexec" else set())
        mp.check(want <= reported and not reported & never, f"{mode}: odd reported set: {sorted(reported)}")
        stb, stc = out[mode][2], out["count"][2]
        if set(tf["syscalls"].get("x86_64", {})) <= {"execve"}:
            # an i386 program: at most the execve that starts it is reported
            mp.check(stb["bpf"] <= (mode == "bpf") and stb["stops"] + stb["bpf"] == stc["stops"],
                     f"{mode}: an i386 program reported: {stb}, {stc}")
        else:
            mp.check(stb["bpf"] > 0 and stb["stops"] < stc["stops"],
                     f"{mode}: the eBPF recorder saved nothing: {stb}, {stc}")
        results.append(compare(exe, fixed, work, mode, out[mode], out["full"]))
    if os.path.basename(exe) == "paths":
        results.append(check_pid_namespace(exe, argv, fixed, work, env, out["full"]))
    fallbacks = check_fallbacks(exe, args, work) if os.path.basename(exe) == "static_hello" else ""
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(fixed, ignore_errors=True)
    if fallbacks:
        print(fallbacks)
    for line in results:
        print(f"{os.path.basename(exe)}: {line}")

if __name__ == "__main__":
    main()
