#!/usr/bin/env python3
"""`minpriv verify --enforce` on a kernel with AppArmor (user-mode-linux).

A sample is recorded on the host and its profiles generated. In one guest
boot, unconfined, minpriv itself then runs:

 1. `verify --enforce` with the generated profiles: the workload runs in
    the loaded profile (minpriv-verify-NAME), exit 0, "no denials";
 2. the same with one rule removed from apparmor.profile (the file the
    sample writes): the kernel denies, the workload fails, exit status
    non-zero, and the report gives the denial with the rule that allows it
    (owner PATH w...); a capability rule removed likewise for capprobe's
    chown (capability chown,);
 3. afterwards no minpriv-verify- profile is left loaded.

On the host (no AppArmor) the same command prints the one-line reason and
still checks the profile against the trace. Skips (77) where UML cannot run."""
import os
import re
import subprocess
import sys

import mp
import uml

MINPRIV = os.path.abspath(mp.MINPRIV)


def strip(text, pattern):
    out = [l for l in text.splitlines(keepends=True) if not re.search(pattern, l)]
    mp.check(len(out) < len(text.splitlines()), f"no rule matches {pattern}")
    return "".join(out)


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root (verify --enforce loads AppArmor policy; capprobe chowns)", file=sys.stderr)
        sys.exit(77)
    work = os.environ["TMPDIR"]
    hello = mp.sample("static_hello")
    probe = mp.sample("capprobe")
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "TMPDIR": work, "HOME": "/root"}

    # On this host: one line saying why AppArmor is not enforced, when it is not.
    trace = os.path.join(work, "hello.json")
    # Profiles outside /tmp: the guest has a tmpfs there.
    job = uml.Job()
    prof = os.path.join(job.dir, "hello")
    p = subprocess.run([MINPRIV, "record", "-q", "-o", trace, "--", hello], env=env, capture_output=True)
    mp.check(p.returncode == 0, f"record static_hello: {p.stderr.decode()}")
    p = subprocess.run([MINPRIV, "generate", "-q", "-o", prof, trace], capture_output=True)
    mp.check(p.returncode == 0, f"generate: {p.stderr.decode()}")
    if not os.path.isdir("/sys/kernel/security/apparmor"):
        p = subprocess.run([MINPRIV, "verify", "--enforce", "-p", prof, "--", hello], env=env, capture_output=True)
        lines = [l for l in p.stderr.decode().splitlines() if "AppArmor not enforced" in l]
        mp.check(len(lines) == 1 and "no AppArmor" in lines[0] and p.returncode == 0,
                 f"host without AppArmor: exit {p.returncode}, {p.stderr.decode()}")

    reason = uml.unavailable()
    if reason:
        job.cleanup()
        print(f"SKIP: {reason}", file=sys.stderr)
        sys.exit(77)

    # capprobe: a file created, then given to another user (CAP_CHOWN); the
    # capability rule is removed for the negative run.
    pwork = os.path.join(work, "pw")
    os.makedirs(pwork)
    pargv = [probe, f"create:{pwork}/f:644", f"chown:{pwork}/f:65534:65534"]
    ptrace = os.path.join(work, "priv.json")
    pprof = os.path.join(job.dir, "priv")
    p = subprocess.run([MINPRIV, "record", "-q", "-o", ptrace, "--", *pargv], env=env, capture_output=True)
    mp.check(p.returncode == 0 and b"-> E" not in p.stdout, f"record capprobe: {p.stdout} {p.stderr.decode()}")
    p = subprocess.run([MINPRIV, "generate", "-q", "-o", pprof, ptrace], capture_output=True)
    mp.check(p.returncode == 0, f"generate: {p.stderr.decode()}")

    neg, pneg = prof + "-neg", pprof + "-neg"
    for src, dst, pat in ((prof, neg, r"static_hello\.out"), (pprof, pneg, r"^\s*capability chown,")):
        os.makedirs(dst)
        for f in ("seccomp.json", "caps.txt"):
            with open(os.path.join(src, f)) as i, open(os.path.join(dst, f), "w") as o:
                o.write(i.read())
        with open(os.path.join(src, "apparmor.profile")) as i, open(os.path.join(dst, "apparmor.profile"), "w") as o:
            o.write(strip(i.read(), pat))

    envs = " ".join(f"{k}={v}" for k, v in env.items())
    mk = f"mkdir -p {work} {pwork} && chmod 1777 {work} && "
    steps = {}
    for key, d, argv in (("hello", prof, [hello]), ("hello-neg", neg, [hello]),
                         ("priv", pprof, pargv), ("priv-neg", pneg, pargv)):
        rep = os.path.join(job.dir, f"{key}.report")
        steps[key] = (job.shell(f"{mk}rm -f {pwork}/* && env -i {envs} {MINPRIV} verify --enforce -p {d} "
                                f"-o $J/{key}.report -- {' '.join(argv)}", timeout=120), rep)
    left = job.shell("grep -c minpriv-verify- /sys/kernel/security/apparmor/profiles || true")
    res = job.boot(timeout=600)
    if "@@minpriv apparmor Y" not in res.console:
        print("SKIP: the user-mode-linux guest did not come up with AppArmor", file=sys.stderr)
        sys.exit(77)
    mp.check(res.finished, "the guest did not finish:\n" + "\n".join(res.console.splitlines()[-20:]))

    def report(key):
        try:
            with open(steps[key][1]) as f:
                return f.read()
        except OSError:
            return ""

    for key in ("hello", "priv"):
        st, r = res.status[steps[key][0]], report(key)
        print(f"{key}: exit {st}; " + next((l for l in r.splitlines() if "enforced by the kernel" in l), "?"))
        mp.check(st == 0 and "enforced by the kernel" in r and "no denials" in r,
                 f"{key}: verify --enforce exit {st}\n{r}\n{res.output(steps[key][0])}")
        # The guest's recording is checked too: user-mode-linux has no
        # PTRACE_GET_SYSCALL_INFO, the stops are decoded from the registers
        # (an empty recording once passed here unnoticed).
        m = re.search(r"checked (\d+) syscalls", r)
        mp.check(m and int(m.group(1)) > 0, f"{key}: the guest's recording checked no syscalls:\n{r}")
        print(f"{key}: {m.group(0)} in the guest")
    r = report("priv")
    m = re.search(r"checked (\d+) capabilities used", r)
    mp.check(m and int(m.group(1)) > 0, f"priv: capprobe's chown used no capability in the guest's recording:\n{r}")
    r = report("hello-neg")
    st = res.status[steps["hello-neg"][0]]
    print(f"hello-neg: exit {st}; " + " | ".join(l.strip() for l in r.splitlines() if "add:" in l or "by " in l))
    out_path = os.path.join(work, "static_hello.out")
    mp.check(st not in (0, None) and re.search(rf"add: (owner )?{re.escape(out_path)} [rw]*w[rw]*,", r),
             f"hello-neg: expected a denial of {out_path} mapped to a w rule, exit != 0; exit {st}\n{r}\n"
             f"{res.output(steps['hello-neg'][0])}")
    r = report("priv-neg")
    st = res.status[steps["priv-neg"][0]]
    print(f"priv-neg: exit {st}; " + " | ".join(l.strip() for l in r.splitlines() if "add:" in l))
    mp.check(st not in (0, None) and "add: capability chown," in r,
             f"priv-neg: expected capability chown denied and mapped, exit != 0; exit {st}\n{r}")
    mp.check(res.output(left).strip() == "0", f"profiles left loaded: {res.output(left)}")
    job.cleanup()
    print("ok")


if __name__ == "__main__":
    main()
