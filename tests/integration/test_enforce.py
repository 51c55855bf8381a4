#!/usr/bin/env python3
"""AppArmor profiles enforced by a real AppArmor kernel (user-mode-linux).

    test_enforce.py CASE [CASE...]

CASE is a name from CASES below: a sample (build/samples/NAME), a workload
script or a server workload (samples/workloads/NAME). For each case:

 1. it is recorded on the host with `minpriv record` and its profiles
    generated;
 2. in one user-mode-linux boot (uml.py) for all the cases given, the case
    runs again, confined by aa-exec in its generated apparmor.profile:
    it must succeed with ZERO apparmor="DENIED" records;
 3. negative control: the same profile, renamed, with a rule the workload
    needs removed (the case's "needs" pattern picks the rule lines), is
    loaded and the case run under it: it must fail, and the kernel must
    deny in that profile.

Skips (77) with a one-line reason when user-mode-linux, AppArmor tools or
the guest's AppArmor are missing, or the case needs what the host lacks
(i386). The work directories are the same paths on the host and in the
guest (there a fresh tmpfs /tmp, so file owners are real)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import mp
import uml

SOURCE = os.environ.get("MINPRIV_SOURCE", mp.ROOT)
WORKLOADS = os.path.join(SOURCE, "samples", "workloads")
MINPRIV = os.path.abspath(mp.MINPRIV)
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# name -> (kind, argv after the program, needs, options)
#   kind: "sample" (build/samples/NAME) or "workload" (samples/workloads/NAME)
#   argv: "@WORK@" is the case's work directory (same path in the guest)
#   needs: regex over the profile's rule lines; every matching line is
#          removed for the negative control (at least one must match)
#   options: setup (shell run before the case, on the host and in the
#            guest, unconfined), i386 (needs 32-bit execution), root (the
#            host recording switches users), timeout,
#            unavailable (a recording exit status meaning the host lacks
#            what the case needs: skip), bad_output (a regex: output matching it is a failed run too, for
#            samples that report failures without an exit status),
#            record_args (the recording runs with these instead of argv: the
#            confined run takes a path the recorded one did not),
#            neg_denies (a regex: the negative control may succeed, for a
#            program that tolerates the denial, but the kernel must deny an
#            access matching it in that profile)
LIBC = r"/libc\.so"
CASES = {
    "static_hello": ("sample", [], r"static_hello\.out ", {}),
    "threads": ("sample", ["8"], LIBC, {}),
    "forktree": ("sample", [], LIBC, {}),
    "thread_exec": ("sample", [], LIBC, {}),
    "int80": ("sample", [], LIBC, {"i386": True}),
    "paths": ("sample", ["@WORK@/p"], r"@WORK@/p/", {}),
    "sockets": ("sample", ["@WORK@", "42001"], r"^\s*network inet ", {}),
    "signals": ("sample", [], LIBC, {}),
    "fdcache": ("sample", ["@WORK@/fd"], r"@WORK@/fd/", {}),
    "manyfiles": ("sample", ["@WORK@/m", "40"], r"@WORK@/m/", {}),
    "optsock": ("sample", ["@WORK@/opt.conf", "--socket", "42003"], r"opt\.conf",
                {"setup": "printf 'level=3\\n' > @WORK@/opt.conf"}),
    "privileged": ("sample", ["@WORK@", "42004"], r"^\s*capability (setuid|setgid)", {}),
    # credential calls that change nothing, and ones that need CAP_SETUID
    "setids": ("sample", ["@WORK@"], r"^\s*capability setuid", {"root": True}),
    "capprobe": ("sample", ["create:@WORK@/f:644", "chown:@WORK@/f:65534:65534", "read:@WORK@/f",
                            "unlink:@WORK@/f"], r"^\s*capability chown", {"bad_output": r"-> E[A-Z]+$"}),
    "hostile": ("sample", ["procs", "20"], LIBC, {}),
    "hello32": ("sample", [], r"hello32", {"i386": True}),
    "untraced": ("sample", ["@WORK@"], LIBC, {}),
    "flaky": ("sample", ["@WORK@/counter"], LIBC, {}),
    "portable": ("sample", ["@WORK@"], LIBC, {}),
    "rarebranch": ("sample", [], LIBC, {}),
    # recorded with 2 threads, run with 12: glibc's malloc reads the online
    # CPUs only in the run (templates/apparmor-related.tsv adds the rule)
    "arenas": ("sample", ["12"], r"/devices/system/cpu/online ", {"record_args": ["2"],
                                                                  "neg_denies": r"name=/sys/devices/system/cpu/online"}),
    "uring": ("sample", ["/etc/hostname", "@WORK@", "made"], LIBC, {"unavailable": 77}),
    "pipeline.sh": ("workload", ["/usr/include/linux", "@WORK@"], r"/usr/bin/gzip ", {}),
    "compile.sh": ("workload", ["@WORK@"], r"/usr/bin/(x86_64-linux-gnu-)?as ", {}),
    # the rule for mktemp --suffix's name, drawn afresh in the guest
    "tempfiles.sh": ("workload", ["@WORK@"], r"/tmp\.\?{10}\.json ", {}),
    # names made as mkstemp makes them whose draws read as words, drawn
    # afresh in the guest (the trace's private_new)
    "privnames.py": ("workload", ["@WORK@"], r"/report-\?{8} ", {}),
    "pyserver.py": ("workload", ["42002"], r"^\s*network inet ", {}),
    "nginx.sh": ("workload", ["@WORK@", "42010"], r"^\s*network inet stream", {"timeout": 180, "root": True}),
    "postgres.sh": ("workload", ["@WORK@", "42020"], r"/initdb ", {"timeout": 300, "root": True}),
    "redis.sh": ("workload", ["@WORK@", "42030"], r"/redis-benchmark ", {"timeout": 180, "root": True}),
}


def i386_runs():
    hello = os.path.join(mp.SAMPLES, "hello32")
    if not os.path.exists(hello):
        return False
    try:
        return subprocess.run([hello], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=20).returncode == 0
    except OSError:
        return False


def skip(msg):
    print(f"SKIP: {msg}", file=sys.stderr)
    sys.exit(77)


def describe(d):
    """One denial in a line: the fields that say what was asked."""
    keys = ("operation", "class", "name", "capname", "signal", "peer", "family", "sock_type", "requested_mask",
            "denied_mask", "requested", "denied", "comm", "fsuid", "ouid", "info", "error")
    return " ".join(f"{k}={d[k]}" for k in keys if k in d)


def grouped(denials):
    """(description, count) for each distinct denial, in first-seen order."""
    counts = {}
    for d in denials:
        line = describe(d)
        counts[line] = counts.get(line, 0) + 1
    return list(counts.items())


def profile_name(text):
    m = re.search(r"^profile (\S+)", text, re.M)
    mp.check(m is not None, "no profile line in apparmor.profile")
    return m.group(1)


def negative(text, name, needs, work):
    """The profile renamed NAME-neg, without the lines matching needs."""
    pat = re.compile(needs.replace("@WORK@", re.escape(work)))
    out, removed = [], []
    for line in text.splitlines(keepends=True):
        s = line.strip()
        if s and not s.startswith("#") and s != "}" and not s.startswith("profile ") and pat.search(line):
            removed.append(s)
        else:
            out.append(line)
    neg = "".join(out)
    neg = re.sub(rf"^profile {re.escape(name)} ", f"profile {name}-neg ", neg, flags=re.M)
    neg = neg.replace(f"peer={name},", f"peer={name}-neg,").replace(f"peer=({name})", f"peer=({name}-neg)")
    return neg, removed


class Case:
    def __init__(self, name, tmp):
        mp.check(name in CASES, f"unknown case {name}")
        kind, args, needs, opts = CASES[name]
        self.name, self.needs, self.opts = name, needs, opts
        if kind == "sample":
            exe = os.path.join(mp.SAMPLES, name)
            if not os.path.exists(exe):
                skip(f"sample {name} not built")
            exe = os.path.abspath(exe)
        else:
            exe = os.path.join(WORKLOADS, name)
        self.dir = tempfile.mkdtemp(prefix=f"enf-{name}-", dir=tmp)
        self.work = os.path.join(self.dir, "work")
        os.makedirs(self.work)
        os.chmod(self.dir, 0o755)
        os.chmod(self.work, 0o1777)
        self.argv = [exe] + [a.replace("@WORK@", self.work) for a in args]
        self.record_argv = [exe] + [a.replace("@WORK@", self.work) for a in opts.get("record_args", args)]
        self.setup = opts.get("setup", "").replace("@WORK@", self.work)
        self.env = {"PATH": PATH, "TMPDIR": os.environ["TMPDIR"], "HOME": "/root", "LC_ALL": "C"}

    def record(self):
        if self.setup:
            subprocess.run(["sh", "-c", self.setup], check=True)
        trace = os.path.join(self.dir, "trace.json")
        p = subprocess.run([MINPRIV, "record", "-q", "-o", trace, "--", *self.record_argv], cwd="/", env=self.env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=self.opts.get("timeout", 120) * 3)
        if "unavailable" in self.opts and p.returncode == self.opts["unavailable"]:
            skip(f"{self.name}: not available on this host: {p.stdout.decode(errors='replace').strip()[-300:]}")
        mp.check(p.returncode == 0,
                 f"{self.name}: recording exited {p.returncode}: {p.stdout.decode(errors='replace')[-2000:]}")
        prof = os.path.join(self.dir, "profiles")
        p = subprocess.run([MINPRIV, "generate", "-q", "-o", prof, trace], stderr=subprocess.PIPE)
        mp.check(p.returncode == 0, f"{self.name}: generate: {p.stderr.decode(errors='replace')}")
        with open(os.path.join(prof, "apparmor.profile")) as f:
            self.text = f.read()
        self.profile = profile_name(self.text)
        neg, self.removed = negative(self.text, self.profile, self.needs, self.work)
        mp.check(self.removed, f"{self.name}: negative control: no rule matches {self.needs!r}")
        self.neg_path = os.path.join(self.dir, "negative.profile")
        with open(self.neg_path, "w") as f:
            f.write(neg)
        # The guest starts from an empty work directory, as the recording did.
        shutil.rmtree(self.work)
        os.makedirs(self.work)
        os.chmod(self.work, 0o1777)

    def add_steps(self, job):
        mkdirs = [self.env["TMPDIR"], self.work]
        t = self.opts.get("timeout", 120)
        self.steps = []
        for path, name, t in ((os.path.join(self.dir, "profiles", "apparmor.profile"), self.profile, t),
                              (self.neg_path, self.profile + "-neg", self.opts.get("neg_timeout", 30))):
            load = job.load(path)
            # a fresh work directory for each run
            prep = f"rm -rf {self.work} && mkdir -p {self.work} && chmod 1777 {self.work}"
            if self.setup:
                prep += f" && {self.setup}"
            job.shell(prep)
            run = job.confined(name, self.argv, cwd="/", env=self.env, mkdirs=mkdirs, timeout=t)
            self.steps.append((load, run, name))


def check_every_case_listed():
    """Every sample and every workload has a case here (a new one must be
    added, with its negative control)."""
    have = set(CASES)
    want = {f[:-2] for f in os.listdir(os.path.join(SOURCE, "samples")) if f.endswith(".c")}
    want |= set(os.listdir(WORKLOADS))
    missing = sorted(want - have)
    mp.check(not missing, f"no enforcement case for {', '.join(missing)} (add it to CASES in test_enforce.py "
                          "and to MINPRIV_ENFORCE_TESTS in tests/CMakeLists.txt)")


def main():
    names = sys.argv[1:]
    mp.check(names, "usage: test_enforce.py CASE [CASE...]")
    check_every_case_listed()
    reason = uml.unavailable()
    if reason:
        skip(reason)
    if any(CASES.get(n, ("", [], "", {}))[3].get("i386") for n in names) and not i386_runs():
        skip("this host does not run i386 programs (32-bit exec refused)")
    if os.geteuid() != 0 and any(CASES[n][3].get("root") for n in names):
        skip("recording the servers needs root (they switch users)")
    t0 = time.monotonic()
    tmp = os.environ["TMPDIR"]
    cases = [Case(n, tmp) for n in names]
    for c in cases:
        c.record()
    t_rec = time.monotonic() - t0
    job = uml.Job(keep=os.environ.get("MINPRIV_UML_KEEP") == "1")
    # the guest kernel must run i386 code too (user-mode-linux has no
    # 32-bit emulation even where the host has): unconfined, first
    probe = job.shell(os.path.join(mp.SAMPLES, "hello32")) if any(c.opts.get("i386") for c in cases) else None
    for c in cases:
        c.add_steps(job)
    res = job.boot(timeout=120 + sum(2 * c.opts.get("timeout", 120) for c in cases))
    if not res.aa_enabled and "@@minpriv apparmor" in res.console:
        skip("the user-mode-linux guest has AppArmor disabled")
    if "@@minpriv apparmor" not in res.console:
        tail = "\n".join(res.console.splitlines()[-5:])
        skip(f"user-mode-linux did not start its init: {tail}")
    if probe is not None and res.status[probe] != 0:
        skip(f"the user-mode-linux kernel does not run i386 programs (hello32 exited {res.status[probe]} "
             f"unconfined: {res.output(probe).strip()[-200:]})")
    mp.check(res.finished and not res.timed_out,
             f"the guest did not finish (timed out: {res.timed_out}); console tail:\n"
             + "\n".join(res.console.splitlines()[-30:]))
    failed = []
    for c in cases:
        (lp, rp, pname), (ln, rn, nname) = c.steps
        for load in (lp, ln):
            if res.status[load] != 0:
                failed.append(f"{c.name}: apparmor_parser -r -T failed ({res.status[load]}): {res.output(load)[-1500:]}")
        bad = re.compile(c.opts["bad_output"], re.M) if "bad_output" in c.opts else None
        ok_p = res.status[rp] == 0 and not (bad and bad.search(res.output(rp)))
        ok_n = res.status[rn] == 0 and not (bad and bad.search(res.output(rn)))
        den = res.denials(pname)
        print(f"{c.name}: confined: exit {res.status[rp]}, {len(den)} denials; "
              f"negative control (removed {len(c.removed)} rule(s): {c.removed[0]}{' ...' if len(c.removed) > 1 else ''}): "
              f"exit {res.status[rn]}, {len(res.denials(nname))} denials; "
              f"{res.ms[lp]}+{res.ms[rp]} ms, {res.ms[ln]}+{res.ms[rn]} ms")
        if not ok_p or den:
            failed.append(f"{c.name}: confined run exited {res.status[rp]} with {len(den)} denials:\n"
                          + "\n".join(f"  {n} x {line}" for line, n in grouped(den)[:40])
                          + f"\n  output: {res.output(rp)[-1500:]}")
        if "neg_denies" in c.opts:
            want = re.compile(c.opts["neg_denies"])
            if not any(want.search(describe(d)) for d in res.denials(nname)):
                failed.append(f"{c.name}: negative control without {c.removed}: no denial matching "
                              f"{c.opts['neg_denies']!r} (exit {res.status[rn]}, denials: "
                              f"{[line for line, _ in grouped(res.denials(nname))][:5]})")
        elif ok_n or not res.denials(nname):
            failed.append(f"{c.name}: negative control without {c.removed} exited {res.status[rn]} with "
                          f"{len(res.denials(nname))} denials (expected failure and denials)")
    print(f"record+generate {t_rec:.0f}s, guest {res.seconds:.0f}s")
    if failed:
        mp.fail("\n".join(failed))
    job.cleanup()
    print("ok")


if __name__ == "__main__":
    main()
