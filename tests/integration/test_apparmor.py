#!/usr/bin/env python3
"""The AppArmor profile of a recorded workload, checked three ways.

    test_apparmor.py CASE [ARGS...]

CASE is a sample (build/samples/NAME), a workload script
(samples/workloads/NAME) or "adversarial" (a Python program that creates,
reads and writes files whose names have spaces, quotes, glob characters,
@{, control characters, invalid UTF-8, and a PATH_MAX-long path). "@WORK@"
in ARGS becomes a fresh directory. The test:

 1. records CASE with `minpriv record`, generates the profiles (twice, with
    the trace given twice the second time: the bytes must not change);
 2. compiles apparmor.profile with `apparmor_parser -QK` (checks it fully
    without a kernel); it must pass;
 3. coverage: every access the trace records is allowed by the profile
    (asked through tests/aa_check.c, minpriv's profile reader and AppArmor
    glob matcher), with the permission this file derives on its own from
    the access kinds and results (the documented mapping, kept separately
    from the generator's code); the capabilities, socket families, unix
    sockets and signals too;
 4. and accesses outside the workload are not allowed: files it never
    touched, a write to a file it only read, exec of a program it never
    ran, sibling names of the adversarial files, mounts, capabilities and
    socket families it did not use.
"""
import os
import shutil
import subprocess
import sys

import mp

AA_CHECK = os.environ.get("MINPRIV_AA_CHECK", os.path.join(os.path.dirname(mp.MINPRIV), "..", "tests", "aa_check"))
SOURCE = os.environ.get("MINPRIV_SOURCE", mp.ROOT)
PYTHON = "/usr/bin/python3"

# Failures the kernel reports before AppArmor is asked: no permission needed.
PRE_MEDIATION = {"ENOENT", "ENOTDIR", "ELOOP", "ENAMETOOLONG", "EACCES", "EPERM", "EEXIST", "EISDIR", "EROFS",
                 "ETXTBSY", "EXDEV", "EBADF", "EFAULT"}
# access kind -> (permission letters, applies to the name itself rather than
# to the object the path resolves to)
KINDS = {
    "read": ("r", False), "list": ("r", False), "write": ("w", False), "append": ("a", False),
    "attr": ("w", False), "exec": ("ix", False), "mmap_exec": ("m", False), "lock": ("k", False),
    "create": ("w", True), "delete": ("w", True), "rename": ("rw", True), "link": ("l", True),
}
SIGNALS = ["", "hup", "int", "quit", "ill", "trap", "abrt", "bus", "fpe", "kill", "usr1", "segv", "usr2", "pipe",
           "alrm", "term", "stkflt", "chld", "cont", "stop", "stp", "ttin", "ttou", "urg", "xcpu", "xfsz",
           "vtalrm", "prof", "winch", "io", "pwr", "sys"]
SOCK_TYPES = {1: "stream", 2: "dgram", 3: "raw", 4: "rdm", 5: "seqpacket", 10: "packet"}
FAMILIES = {1: "unix", 2: "inet", 10: "inet6", 16: "netlink", 17: "packet"}

ADVERSARIAL = r'''
import os, sys
work = os.fsencode(sys.argv[1])
names = [b"with space", b'double"quote', b"single'quote", b"back\\slash", b"back\\", b"star*", b"ques?",
         b"br[ack]et", b"{a,b}", b"comma,here", b"@{HOME}", b"at@{", b"new\nline", b"tab\there",
         b"bell\x07esc\x1bdel\x7f", b"bad\xff\xfeutf8", b"caf\xc3\xa9", b"hash#bang!", b"-> arrow",
         b"x\\x41", b"oct\\101", b"caret^dollar$", b"percent%plus+tilde~", b"equals=colon:semi;"]
paths = []
for n in names:
    p = os.path.join(work, n)
    with open(p, "wb") as f:
        f.write(b"x")
    with open(p, "rb") as f:
        f.read()
    paths.append(p)
d = os.path.join(work, b"dir with {glob} [x]")
os.mkdir(d)
os.listdir(d)
# a path of nearly PATH_MAX bytes: nested 200-byte components
deep = work
while len(deep) + 202 < 4000:
    deep = os.path.join(deep, b"d" * 200)
    os.mkdir(deep)
last = os.path.join(deep, b"f" * min(255, 4089 - len(deep)))
with open(last, "wb") as f:
    f.write(b"deep")
with open(last, "rb") as f:
    f.read()
print("adversarial: %d names, deepest %d bytes" % (len(names), len(last)))
'''


def hexq(b):
    return b.hex()


def decode_path(enc):
    """The raw bytes of a trace path (docs/trace-format.md, "Paths")."""
    out = bytearray()
    i = 0
    s = enc
    while i < len(s):
        c = s[i]
        if c == "\\":
            if s[i + 1] == "\\":
                out += b"\\"
                i += 2
            elif s[i + 1] == "x":
                out.append(int(s[i + 2:i + 4], 16))
                i += 4
            else:
                mp.fail(f"malformed trace path {enc!r}")
        else:
            out += c.encode()
            i += 1
    return bytes(out)


def granted(kind, result):
    if result == "ok":
        return True
    if result == "ENOENT" and kind in ("read", "list"):
        return True
    return result not in PRE_MEDIATION


class Checker:
    def __init__(self, profile):
        self.profile = profile
        self.queries = []

    def ask(self, query, expect, why):
        self.queries.append((query, expect, why))

    def run(self):
        data = "".join(q + "\n" for q, _, _ in self.queries)
        p = subprocess.run([AA_CHECK, self.profile], input=data.encode(), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=600)
        if p.returncode != 0:
            mp.fail(f"aa_check failed on {self.profile}: {p.stderr.decode(errors='replace')}")
        answers = p.stdout.decode().split()
        mp.check(len(answers) == len(self.queries), "aa_check gave %d answers for %d questions"
                 % (len(answers), len(self.queries)))
        bad = [(q, e, w) for (q, e, w), a in zip(self.queries, answers) if (a == "allow") != e]
        for q, e, w in bad[:20]:
            print(f"  {'not allowed' if e else 'allowed'}: {w} ({q})", file=sys.stderr)
        mp.check(not bad, f"{len(bad)} of {len(self.queries)} access checks failed for {self.profile}")
        return len(self.queries)


def file_accesses(trace):
    """(raw path, letters, owner, description) for every recorded access
    that needs a permission."""
    out = []
    for enc, node in trace["files"].items():
        path = decode_path(enc)
        res = decode_path(node["resolved"]) if "resolved" in node else path
        is_dir = node.get("type") == "dir"
        via_link = res != path
        owner = bool(node.get("by_owner"))
        for kind, results in node["access"].items():
            if kind not in KINDS:
                continue
            letters, on_name = KINDS[kind]
            if kind == "write" and node.get("type") == "socket":
                letters = "rw"
            for result in results:
                if not granted(kind, result):
                    continue
                name = path if on_name else res
                if is_dir and not (on_name and via_link) and not name.endswith(b"/"):
                    name += b"/"
                out.append((name, letters, owner, f"{kind} {result} {name!r}"))
    for op, letters in (("bind", "w"), ("connect", "rw"), ("sendto", "w")):
        for addr, results in trace.get("network", {}).get(op, {}).get("AF_UNIX", {}).items():
            if not addr.startswith("/"):
                continue
            node = trace["files"].get(addr, {})
            for result in results:
                if granted("write", result):
                    out.append((decode_path(addr), letters, bool(node.get("by_owner")), f"{op} {addr!r}"))
    return out


def coverage(trace, profile, name):
    c = Checker(profile)
    touched = set()
    for path, letters, owner, why in file_accesses(trace):
        c.ask(f"file {letters} {int(owner)} {hexq(path)}", True, why)
        touched.add(path)
    # capabilities (caps.txt's list) and sockets
    for cap, reasons in trace.get("capabilities", {}).items():
        if any("ok" in r.get("results", {}) for r in reasons.values()):
            c.ask(f"capability {cap[4:].lower()}", True, cap)
    for kind in ("socket", "socketpair"):
        for key, node in trace.get("arguments", {}).get(kind, {}).items():
            dom, typ = node["values"][0], SOCK_TYPES.get(node["values"][1] & 0xF)
            if typ is None or dom not in FAMILIES:
                continue
            if dom == 1:
                for acc in ("create", "send", "receive", "getattr", "setopt", "shutdown"):
                    c.ask(f"unix {acc} {typ} -", True, f"{kind} {key}")
            else:
                c.ask(f"network {FAMILIES[dom]} {typ}", True, f"{kind} {key}")
    for op, accs in (("bind", ("bind", "listen", "accept")), ("connect", ("connect",)), ("sendto", ("send",))):
        for addr, results in trace.get("network", {}).get(op, {}).get("AF_UNIX", {}).items():
            if addr.startswith("/") or addr == "(unnamed)" or not any(granted("x", r) for r in results):
                continue
            for acc in accs:
                c.ask(f"unix {acc} - {hexq(decode_path(addr))}", True, f"{op} {addr!r}")
    internal = ("self", "own thread", "traced process", "own process group")
    for sig, targets in trace.get("signals", {}).items():
        num = signal_number(sig)
        if num is None:
            continue
        aa = SIGNALS[num] if num < len(SIGNALS) else f"rtmin+{num - 32}"
        for target, results in targets.items():
            if "ok" not in results:
                continue
            if target in internal:
                c.ask(f"signal send {aa} {name}", True, f"{sig} to {target}")
                c.ask(f"signal receive {aa} {name}", True, f"{sig} from {target}")
            else:
                c.ask(f"signal send {aa} -", True, f"{sig} to {target}")
    c.ask(f"signal receive kill unconfined", True, "the runtime stops the container")
    c.ask(f"signal receive term unconfined", True, "the runtime stops the container")

    # outside the workload
    def deny(q, why):
        c.ask(q, False, why)
    for p in (b"/etc/shadow", b"/root/.ssh/id_rsa", b"/var/lib/secret", b"/home/nobody/x"):
        if p not in touched:
            deny(f"file r 0 {hexq(p)}", f"read {p!r}")
            deny(f"file r 1 {hexq(p)}", f"read {p!r} as owner")
    for p in (b"/usr/bin/nc.openbsd", b"/usr/sbin/iptables"):
        if p not in touched:
            deny(f"file ix 0 {hexq(p)}", f"exec {p!r}")
    deny(f"file w 1 {hexq(b'/proc/sys/kernel/core_pattern')}", "write /proc/sys")
    deny(f"file w 1 {hexq(b'/proc/sysrq-trigger')}", "write /proc/sysrq-trigger")
    deny(f"file r 1 {hexq(b'/sys/kernel/security/apparmor/profiles')}", "read /sys/kernel/security")
    written = {p for p, l, _, _ in file_accesses(trace) if set(l) & set("wal")}
    read_only = sorted(p for p, l, _, _ in file_accesses(trace) if l == "r" and p not in written
                       and not p.startswith(b"/proc/") and not p.endswith(b"/"))
    for p in read_only[:20]:
        deny(f"file w 1 {hexq(p)}", f"write {p!r}, which the workload only read")
    for cap in ("sys_admin", "sys_module", "net_admin"):
        if f"CAP_{cap.upper()}" not in trace.get("capabilities", {}):
            deny(f"capability {cap}", f"capability {cap}")
    deny("network packet raw", "a packet socket")
    deny("network inet6 raw", "a raw IPv6 socket")
    deny("mount mount", "mount")
    deny("ptrace trace unconfined", "ptrace of a process outside")
    return c


def signal_number(name):
    import signal as s
    if name.startswith("SIG") and name[3:].isdigit():
        return int(name[3:])
    try:
        return int(getattr(s.Signals, name))
    except AttributeError:
        return None


def adversarial_checks(c, trace, work):
    """The adversarial names must be allowed exactly: the name itself, not
    its neighbours (a glob character in a name must not act as a glob)."""
    wb = os.fsencode(work)
    nodes = {decode_path(e): v for e, v in trace["files"].items() if decode_path(e).startswith(wb + b"/")}
    names = list(nodes)
    mp.check(len(names) >= 26, f"the adversarial names were not recorded ({len(names)} under {work})")
    longest = max(names, key=len)
    mp.check(len(longest) >= 4000, f"the deepest path has {len(longest)} bytes")
    for n in names:
        if len(n) > 4000 or n.count(b"/") > wb.count(b"/") + 1:
            continue
        if nodes[n].get("type") == "dir":
            c.ask(f"file w 1 {hexq(n + b'/')}", True, f"the adversarial directory {n!r}")
            continue
        base = n[len(wb) + 1:]
        for tweak in (base.replace(b"*", b"Z"), base.replace(b"?", b"Q"), base.replace(b"[ack]", b"a"),
                      base.replace(b"{a,b}", b"a"), base.replace(b"\\", b"/"), base + b"X", b"X" + base,
                      base.replace(b" ", b"_"), base.replace(b"@{HOME}", b"/root")):
            if tweak != base:
                c.ask(f"file r 1 {hexq(wb + b'/' + tweak)}", False, f"a sibling of {base!r}: {tweak!r}")
        c.ask(f"file w 1 {hexq(n)}", True, f"the adversarial name {base!r}")
    c.ask(f"file r 1 {hexq(longest)}", True, f"the {len(longest)}-byte path")
    c.ask(f"file r 1 {hexq(longest[:-1] + b'g')}", False, "a sibling of the long path")


def main():
    if len(sys.argv) < 2:
        mp.fail("usage: test_apparmor.py CASE [ARGS...]")
    case, args = sys.argv[1], sys.argv[2:]
    if not shutil.which("apparmor_parser") and not os.path.exists("/sbin/apparmor_parser"):
        print("SKIP: apparmor_parser not installed (package apparmor)", file=sys.stderr)
        sys.exit(77)
    parser = shutil.which("apparmor_parser") or "/sbin/apparmor_parser"
    tmp = mp.tmpdir()
    work = os.path.join(tmp, "work")
    os.mkdir(work)
    args = [a.replace("@WORK@", work) for a in args]
    if case == "adversarial":
        script = os.path.join(tmp, "adversarial.py")
        with open(script, "w") as f:
            f.write(ADVERSARIAL)
        argv = [PYTHON, script, work]
    elif case.endswith(".sh"):
        argv = ["/bin/sh", os.path.join(SOURCE, "samples", "workloads", case), *args]
    elif case.endswith(".py"):
        argv = [PYTHON, os.path.join(SOURCE, "samples", "workloads", case), *args]
    else:
        argv = [mp.sample(case), *args]
    trace_path = os.path.join(tmp, "trace.json")
    status, trace, err = mp.record(argv, out=trace_path)
    mp.check(status == 0, f"{case}: the workload failed under minpriv record (status {status}): {err}")

    out = os.path.join(tmp, "profiles")
    rc, _, gen_err = mp.minpriv("generate", "-o", out, trace_path)
    mp.check(rc == 0, f"minpriv generate failed: {gen_err}")
    profile = os.path.join(out, "apparmor.profile")
    with open(profile, "rb") as f:
        text = f.read()
    note = [l for l in gen_err.splitlines() if "apparmor:" in l]
    mp.check(len(note) == 1 and "recorded paths became" in note[0], f"no apparmor summary line: {gen_err}")

    # the same trace twice (a merge of identical runs) gives the same bytes
    out2 = os.path.join(tmp, "profiles2")
    rc, _, gen_err = mp.minpriv("generate", "-q", "-o", out2, trace_path, trace_path)
    mp.check(rc == 0, f"minpriv generate (twice) failed: {gen_err}")
    with open(os.path.join(out2, "apparmor.profile"), "rb") as f:
        text2 = f.read()
    mp.check(text == text2, "the profile changed when the trace was given twice")

    p = subprocess.run([parser, "-QK", profile], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    errors = [l for l in p.stderr.decode(errors="replace").splitlines() if "Cache read/write disabled" not in l]
    mp.check(p.returncode == 0, f"apparmor_parser -QK {profile} failed ({p.returncode}): " + "\n".join(errors))

    name = text.split(b"\nprofile ", 1)[1].split(b" ", 1)[0].decode()
    c = coverage(trace, profile, name)
    if case == "adversarial":
        adversarial_checks(c, trace, work)
    n = c.run()
    print(f"{case}: {note[0].split('apparmor: ')[1]}; apparmor_parser -QK ok; {n} access checks ok")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
