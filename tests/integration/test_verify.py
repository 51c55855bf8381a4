#!/usr/bin/env python3
"""`minpriv verify` on a sample, in audit and enforce mode.

The optsock sample (a config file read, a result written, a TCP exchange
over loopback, each step a function of its own) is recorded and its
profiles generated. Then:

1. verify passes on the fresh profiles, in both modes: exit 0, the
   workload's output unchanged, "no violations".
2. listen removed from seccomp.json: exactly that syscall is reported, with
   the program and a stack through the sample's talk_tcp(). Audit: the
   workload is not disturbed (exit 0 from it, output unchanged) and verify
   exits 1. --enforce: listen really fails (EPERM, seen in the report), the
   workload exits 4 and verify returns that.
3. socket allowed for AF_INET6 only: the recorded socket(AF_INET ...) is
   reported with its arguments; enforced, it fails.
4. the config file's rule removed from apparmor.profile: that read is
   reported, with a stack through read_config().
5. as root, in a network namespace (port 80): the privileged sample passes
   with its profiles; CAP_CHOWN removed from caps.txt is reported with the
   chown call and a stack through main().
6. bad input: exit 2 with one line; a command not found: 127.
"""
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp  # noqa: E402

PORT = "41421"
VIOLATION = re.compile(r"^(seccomp\.json|apparmor\.profile|caps\.txt): ", re.M)


def verify(prof, argv, enforce=False, prefix=()):
    report = os.path.join(os.path.dirname(prof), "report.txt")
    cmd = [*prefix, mp.MINPRIV, "verify", "-p", prof, "-o", report, *(["--enforce"] if enforce else []), "--", *argv]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    text = open(report).read() if os.path.exists(report) else ""
    return p.returncode, p.stdout.decode(), p.stderr.decode(), text


def edit_json(src, dst, fn):
    shutil.copytree(src, dst)
    path = os.path.join(dst, "seccomp.json")
    doc = json.load(open(path))
    fn(doc)
    json.dump(doc, open(path, "w"), indent=2)


def violations(report):
    return VIOLATION.findall(report), [l for l in report.splitlines() if VIOLATION.match(l)]


def optsock(work):
    sample = mp.sample("optsock")
    conf = os.path.join(work, "conf")
    with open(conf, "w") as f:
        f.write("answer=42\n")
    argv = [sample, conf, "--socket", PORT]
    trace = os.path.join(work, "t.json")
    st, _, err = mp.record(argv, out=trace)
    mp.check(st == 0, f"record: {err}")
    prof = os.path.join(work, "fresh")
    rc, _, err = mp.minpriv("generate", "-q", "-o", prof, trace)
    mp.check(rc == 0, f"generate: {err}")

    # 1. fresh profiles pass, in both modes
    for enforce in (False, True):
        rc, out, err, rep = verify(prof, argv, enforce)
        mp.check(rc == 0 and out == "optsock: ok\n" and "no violations" in rep and not violations(rep)[0],
                 f"fresh profiles, enforce={enforce}: exit {rc}, stdout {out!r}, stderr {err!r}\n{rep}")

    # 1b. no violations: the workload's own failure passes through (its
    # usage error, status 2, makes no call the profiles lack)
    rc, out, err, rep = verify(prof, [sample, conf, "--bogus"])
    mp.check(rc == 2 and "usage: optsock" in err and "no violations" in rep and not violations(rep)[0],
             f"workload failing on its own: exit {rc} (expected its own 2), stderr {err!r}\n{rep}")

    # 2. listen removed
    def drop_listen(doc):
        for r in doc["syscalls"]:
            if "listen" in r["names"]:
                r["names"].remove("listen")
    p_listen = os.path.join(work, "no-listen")
    edit_json(prof, p_listen, drop_listen)
    rc, out, err, rep = verify(p_listen, argv)
    kinds, lines = violations(rep)
    mp.check(rc == 3 and out == "optsock: ok\n" and not err, f"audit, listen removed: exit {rc} {out!r} {err!r}")
    mp.check(len(lines) == 1 and lines[0].startswith("seccomp.json: x86_64 listen denied (SCMP_ACT_ERRNO(EPERM))")
             and f"by {sample}" in lines[0], f"audit, listen removed: {rep}")
    mp.check(re.search(r"#\d+ talk_tcp\+0x[0-9a-f]+ \(" + re.escape(sample), rep) and
             'add "listen"' in rep, f"audit: no stack through talk_tcp or no fix:\n{rep}")
    rc, out, err, rep = verify(p_listen, argv, enforce=True)
    kinds, lines = violations(rep)
    mp.check(rc == 3 and "listen failed: Operation not permitted" in err and out == "" and
             "the workload's own status was 4" in rep, f"enforce, listen removed: exit {rc} {out!r} {err!r}\n{rep}")
    mp.check(len(lines) == 1 and "x86_64 listen denied" in lines[0] and "results: EPERM 1" in rep and
             "talk_tcp+0x" in rep, f"enforce, listen removed: {rep}")

    # 3. socket for AF_INET6 only
    def inet6_only(doc):
        for r in doc["syscalls"]:
            if r["names"] == ["socket"] and r.get("args"):
                r["args"][0]["value"] = 10
    p_fam = os.path.join(work, "inet6-only")
    edit_json(prof, p_fam, inet6_only)
    rc, out, err, rep = verify(p_fam, argv)
    kinds, lines = violations(rep)
    mp.check(rc == 3 and out == "optsock: ok\n" and len(lines) == 1 and
             lines[0].startswith("seccomp.json: x86_64 socket(AF_INET SOCK_STREAM 0) denied with these arguments")
             and "talk_tcp+0x" in rep, f"socket family: exit {rc}\n{rep}")
    rc, out, err, rep = verify(p_fam, argv, enforce=True)
    mp.check(rc == 3 and "socket failed" in err and len(violations(rep)[1]) == 1, f"socket family, enforce: {rc} {err}")

    # 4. the config file's rule removed from apparmor.profile
    p_aa = os.path.join(work, "no-conf")
    shutil.copytree(prof, p_aa)
    aa = os.path.join(p_aa, "apparmor.profile")
    text = open(aa).read()
    rule = re.compile(r"^  (owner )?" + re.escape(conf) + r" r,\n", re.M)
    mp.check(rule.search(text), f"no rule for {conf} in the profile:\n{text}")
    open(aa, "w").write(rule.sub("", text))
    rc, out, err, rep = verify(p_aa, argv)
    kinds, lines = violations(rep)
    mp.check(rc == 3 and out == "optsock: ok\n" and len(lines) == 1 and
             lines[0].startswith(f"apparmor.profile: read '{conf}' not allowed") and
             re.search(r"read_config\+0x[0-9a-f]+ \(" + re.escape(sample), rep) and f"`{conf} r,`" in rep,
             f"apparmor rule removed: exit {rc}\n{rep}")
    return prof, argv


def privileged(work):
    if os.getuid() != 0 or not shutil.which("unshare") or not shutil.which("ip"):
        print("note: not root or no unshare/ip: the capability case is skipped")
        return
    sample = mp.sample("privileged")
    netns = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"]
    trace = os.path.join(work, "priv.json")
    p = subprocess.run([*netns, mp.MINPRIV, "record", "-q", "-o", trace, "--", sample, work, "80"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    mp.check(p.returncode == 0, f"record privileged: {p.stderr.decode()}")
    prof = os.path.join(work, "priv")
    rc, _, err = mp.minpriv("generate", "-q", "-o", prof, trace)
    mp.check(rc == 0, f"generate: {err}")
    argv = [sample, work, "80"]
    rc, out, err, rep = verify(prof, argv, prefix=netns)
    mp.check(rc == 0 and "no violations" in rep, f"privileged, fresh: {rc} {err}\n{rep}")
    p_caps = os.path.join(work, "priv-no-chown")
    shutil.copytree(prof, p_caps)
    caps = os.path.join(p_caps, "caps.txt")
    lines = open(caps).read().split("\n")
    keep, skip = [], False
    for l in lines:
        if l == "CAP_CHOWN":
            skip = True
            continue
        if skip and l.startswith("#   "):
            continue
        skip = False
        keep.append(l)
    open(caps, "w").write("\n".join(keep))
    rc, out, err, rep = verify(p_caps, argv, prefix=netns)
    kinds, vl = violations(rep)
    mp.check(rc == 3 and "privileged: chown" in out and len(vl) == 1 and vl[0].startswith("caps.txt: CAP_CHOWN (") and
             "chown" in vl[0] and re.search(r"main\+0x[0-9a-f]+ \(" + re.escape(sample), rep) and
             "--cap-add CAP_CHOWN" in rep, f"CAP_CHOWN removed: exit {rc}\n{rep}")


def bad_input(work, prof, argv):
    empty = os.path.join(work, "empty")
    os.mkdir(empty)
    broken = os.path.join(work, "broken")
    shutil.copytree(prof, broken)
    with open(os.path.join(broken, "seccomp.json"), "w") as f:
        f.write('{"defaultAction": "SCMP_ACT_ERRNO",\n  "syscalls": [,]}\n')
    caps_only = os.path.join(work, "caps-only")
    os.mkdir(caps_only)
    shutil.copy(os.path.join(prof, "caps.txt"), caps_only)
    cases = [
        (["verify", "-p", os.path.join(work, "no-such"), "--", *argv], 2, "no-such"),
        (["verify", "-p", empty, "--", *argv], 2, "no seccomp.json"),
        (["verify", "-p", broken, "--", *argv], 2, "seccomp.json:2:"),
        (["verify", "-p", caps_only, "--enforce", "--", *argv], 2, "--enforce needs a seccomp.json"),
        (["verify", "-p", prof], 2, "no command"),
        (["verify", "--bogus", "--", *argv], 2, "--bogus"),
        (["verify", "-p", prof, "--", os.path.join(work, "no-such-command")], 127, "not found"),
    ]
    for args, want, text in cases:
        rc, out, err = mp.minpriv(*args)
        mp.check(rc == want and not out and len(err.strip().split("\n")) == 1 and text in err,
                 f"{args}: exit {rc} (want {want}), stdout {out!r}, stderr {err!r}")


def main():
    work = os.path.realpath(mp.tmpdir())
    os.chmod(work, 0o755)
    prof, argv = optsock(work)
    privileged(work)
    bad_input(work, prof, argv)
    shutil.rmtree(work, ignore_errors=True)
    print("ok: verify passes fresh profiles and reports exactly what was removed, in audit and enforce mode")


if __name__ == "__main__":
    main()
