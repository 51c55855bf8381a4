#!/usr/bin/env python3
"""`minpriv diff` on real recordings and its command-line contract.

1. The socket case: the optsock sample recorded without and with
   --socket PORT (the same program, the second run also talks TCP over
   loopback); the profiles generated from both differ by exactly the new
   syscalls (socket for AF_INET only, setsockopt, bind, listen, connect,
   accept4) and the AppArmor network rule, nothing else, whether the
   profile directories or the traces are compared (the traces add the
   recorded facts: the syscalls, argument values and endpoints).
2. --fail-on-widen both ways: OLD -> NEW widens (exit 1), NEW -> OLD only
   narrows (exit 0); without the option both exit 0.
3. Colour only on a terminal, never with NO_COLOR.
4. Bad input: exit 2, one line on stderr naming the file (line:column for
   syntax errors), nothing on stdout.
"""
import json
import os
import pty
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp  # noqa: E402

PORT = "41411"


def record(work, name, extra):
    conf = os.path.join(work, "conf")
    out = conf + ".out"
    if os.path.exists(out):
        os.unlink(out)  # created in both runs: the same owner rule
    trace = os.path.join(work, name + ".json")
    st, _, err = mp.record([mp.sample("optsock"), conf, *extra], out=trace)
    mp.check(st == 0, f"record optsock {extra}: {st} {err}")
    prof = os.path.join(work, name)
    rc, _, err = mp.minpriv("generate", "-q", "-o", prof, trace)
    mp.check(rc == 0, f"generate: {err}")
    return trace, prof


def diff_json(old, new, *extra):
    rc, out, err = mp.minpriv("diff", "--format", "json", *extra, old, new)
    mp.check(rc in (0, 1) and not err, f"diff {old} {new}: {rc} {err}")
    return rc, json.loads(out)


def profile_items(doc):
    got = set()
    for c in doc["changes"]:
        if c["file"] == "seccomp.json":
            got.add((c["class"], "seccomp", c["name"], tuple(c["abis"]), c["how"], tuple(c.get("args", []))))
        elif c["file"] == "apparmor.profile":
            got.add((c["class"], "apparmor", c["rule"], c["side"]))
        elif c["file"] == "caps.txt":
            got.add((c["class"], "caps", c["name"]))
    return got


def socket_case(work):
    with open(os.path.join(work, "conf"), "w") as f:
        f.write("answer=42\n")
    t1, p1 = record(work, "plain", [])
    t2, p2 = record(work, "socket", ["--socket", PORT])
    want = {("widen", "seccomp", n, ("x86_64",), "allowed", ())
            for n in ("accept4", "bind", "connect", "listen", "setsockopt")}
    want.add(("widen", "seccomp", "socket", ("x86_64",), "allowed for", ("AF_INET (2)",)))
    want.add(("widen", "apparmor", "network inet stream,", "new"))
    rc, doc = diff_json(p1, p2)
    got = profile_items(doc)
    mp.check(got == want, f"profile diff: unexpected {sorted(got - want)}, missing {sorted(want - got)}")
    mp.check(doc["counts"] == {"widen": 7, "narrow": 0, "change": 0, "recorded": 0} and doc["widens"] and
             doc["input"] == "directory" and not doc["notes"], f"profile diff: {doc['counts']} {doc['notes']}")
    # the traces: the same profile changes, plus the recorded facts
    rc, tdoc = diff_json(t1, t2)
    mp.check(profile_items(tdoc) == want, f"trace diff: {sorted(profile_items(tdoc) ^ want)}")
    facts = {(c["added"], c["kind"], c.get("abi") or c.get("syscall") or c.get("operation"),
              c.get("name") or c.get("value") or c.get("address"))
             for c in tdoc["changes"] if c["class"] == "recorded"}
    want_facts = {(True, "syscall", "x86_64", n) for n in ("accept4", "bind", "connect", "listen", "setsockopt",
                                                            "socket")}
    want_facts |= {(True, "argument", "socket", "AF_INET SOCK_STREAM 0"), (True, "argument", "setsockopt", "1:2"),
                   (True, "network", "bind", "127.0.0.1:" + PORT), (True, "network", "connect", "127.0.0.1:" + PORT)}
    mp.check(facts == want_facts, f"trace facts: unexpected {sorted(facts - want_facts)}, "
                                  f"missing {sorted(want_facts - facts)}")
    # the text names them too
    rc, out, _ = mp.minpriv("diff", p1, p2)
    mp.check(rc == 0 and "x86_64: accept4, bind, connect, listen, setsockopt allowed" in out and
             "socket allowed for AF_INET (2)" in out and "network inet stream," in out, out)
    return p1, p2


def fail_on_widen(p1, p2):
    for args, want in (((p1, p2), 1), ((p2, p1), 0)):
        rc, out, err = mp.minpriv("diff", "--fail-on-widen", *args)
        mp.check(rc == want, f"--fail-on-widen {args}: exit {rc}, expected {want}: {err}")
        rc, out, err = mp.minpriv("diff", *args)
        mp.check(rc == 0, f"diff {args} without --fail-on-widen: exit {rc}")
    rc, doc = diff_json(p2, p1)
    mp.check(doc["counts"]["narrow"] == 7 and doc["counts"]["widen"] == 0, f"reverse: {doc['counts']}")
    rc, out, _ = mp.minpriv("diff", "--fail-on-widen", p1, p1)
    mp.check(rc == 0 and "no differences" in out, f"a directory against itself: {rc} {out}")


def colour(p1, p2):
    def run_tty(env):
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(mp.MINPRIV, [mp.MINPRIV, "diff", p1, p2], env)
        data = b""
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
        os.waitpid(pid, 0)
        return data.decode(errors="replace")
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    mp.check("\033[31m" in run_tty(env), "no colour on a terminal")
    mp.check("\033[" not in run_tty({**env, "NO_COLOR": "1"}), "colour despite NO_COLOR")
    rc, out, _ = mp.minpriv("diff", p1, p2)
    mp.check("\033[" not in out, "colour into a pipe")


def bad_input(work, p1):
    def w(name, text):
        path = os.path.join(work, name)
        with open(path, "w") as f:
            f.write(text)
        return path
    good = os.path.join(p1, "seccomp.json")
    empty1, empty2 = os.path.join(work, "empty1"), os.path.join(work, "empty2")
    os.makedirs(empty1, exist_ok=True)
    os.makedirs(empty2, exist_ok=True)
    cases = [
        ([os.path.join(work, "no-such"), good], "no-such"),
        ([good, os.path.join(p1, "caps.txt")], "compare two of the same kind"),
        ([p1, good], "compare two of the same kind"),
        ([good, w("bad.json", '{"defaultAction": "SCMP_ACT_ERRNO",\n "syscalls": [}\n')], "bad.json:2:"),
        ([good, w("shape.json", '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], '
                                '"action": "SCMP_ACT_NOPE"}]}')], "shape.json"),
        ([good, w("notify.json", '{"defaultAction": "SCMP_ACT_NOTIFY"}')], "notify.json"),
        ([os.path.join(p1, "apparmor.profile"), w("bad.profile", "profile x {\n  /etc/x rz,\n}\n")],
         "bad.profile:2:"),
        ([os.path.join(p1, "caps.txt"), w("bad-caps.txt", "CAP_CHOWN\nCAP_NO_SUCH\n")], "bad-caps.txt:2:"),
        ([os.path.join(work, "plain.json"), w("bad-trace.json", '{"format": "minpriv-trace", "version": 1,\n')],
         "bad-trace.json:"),
        ([empty1, empty2], "neither"),
    ]
    for args, want in cases:
        rc, out, err = mp.minpriv("diff", *args)
        lines = err.strip("\n").split("\n")
        mp.check(rc == 2 and not out and len(lines) == 1 and want in err,
                 f"diff {args}: exit {rc}, stdout {out!r}, stderr {err!r} (want one line with {want!r})")
    for args in (["diff", good], ["diff", "--format", "xml", good, good], ["diff", "--nope", good, good]):
        rc, out, err = mp.minpriv(*args)
        mp.check(rc == 2 and not out and len(err.strip().split("\n")) == 1, f"{args}: {rc} {err!r}")


def preamble(work, p1):
    """Issue 12, item 2: edits before the profile line of a generated
    profile (an alias that maps a rule's tree onto /, an include, another
    abi) fail --fail-on-widen; the untouched profile does not."""
    with open(os.path.join(p1, "apparmor.profile")) as f:
        text = f.read()
    mp.check("include <tunables/global>\n" in text and "abi <abi/3.0>," in text, "generated preamble changed")
    rule = next((ln.split()[0] for ln in text.splitlines() if ln.strip().endswith(" r,") and ln.strip()[0] == "/"),
                None)
    mp.check(rule is not None, "no read rule in the generated profile")
    tree = rule[:rule.rindex("/") + 1]
    copy = "/root/" + rule[len(tree):] + " r,"  # what the alias makes of the rule
    edits = {
        "alias": text.replace("include <tunables/global>\n", f"include <tunables/global>\nalias {tree} -> /root/,\n"),
        "include": text.replace("include <tunables/global>\n", 'include <tunables/global>\ninclude "/tmp/x"\n'),
        "abi": text.replace("abi <abi/3.0>,", "abi <abi/2.0>,"),
    }
    old = os.path.join(work, "pre-old.profile")
    with open(old, "w") as f:
        f.write(text)
    for what, edited in edits.items():
        mp.check(edited != text, f"{what}: the edit did not apply")
        new = os.path.join(work, f"pre-{what}.profile")
        with open(new, "w") as f:
            f.write(edited)
        rc, out, err = mp.minpriv("diff", "--fail-on-widen", old, new)
        mp.check(rc == 1 and "no differences" not in out, f"{what} before the profile: exit {rc}:\n{out}{err}")
    rc, out, err = mp.minpriv("diff", "--fail-on-widen", old, old)
    mp.check(rc == 0 and "no differences" in out, f"the profile against itself: {rc} {out}{err}")
    rc, doc = diff_json(old, os.path.join(work, "pre-alias.profile"))
    mp.check(any(c.get("rule") == copy for c in doc["changes"] if c["class"] == "widen"),
             f"alias: the rule it makes of {rule} is not listed: {doc['changes']}")


def huge(work):
    """A diff far beyond a pull-request comment: 30,000 new AppArmor rules.
    --format markdown stays under GitHub's 65,536-character limit by
    default (summary first, the cut at a line end, the <details> it was in
    closed, a pointer to the full diff); --max-chars 0 gives it whole;
    --full-diff names where that is. Returns the sizes."""
    head = "abi <abi/3.0>,\ninclude <tunables/global>\nprofile huge {\n"
    old = os.path.join(work, "huge-old.profile")
    new = os.path.join(work, "huge-new.profile")
    with open(old, "w") as f:
        f.write(head + "  /etc/hosts r,\n}\n")
    with open(new, "w") as f:
        f.write(head + "  /etc/hosts r,\n" + "".join(f"  /srv/data/dir{i // 100}/file-{i}.bin rw,\n"
                                                     for i in range(30000)) + "}\n")
    rc, capped, err = mp.minpriv("diff", "--format", "markdown", old, new)
    mp.check(rc == 0, f"huge diff: exit {rc}: {err}")
    rc, full, err = mp.minpriv("diff", "--format", "markdown", "--max-chars", "0", old, new)
    mp.check(rc == 0 and len(full) > 1_000_000, f"--max-chars 0: exit {rc}, {len(full)} characters")
    mp.check(len(capped) < 65536 and len(capped) <= 60000, f"the capped diff is {len(capped)} characters")
    mp.check(capped.startswith(full[:full.index("<details")]), "the capped diff does not start with the summary")
    mp.check("**30000 widenings**" in capped and "| apparmor.profile | **30000** |" in capped, "summary counts")
    mp.check(capped.count("<details") == capped.count("</details>"), "unbalanced <details> in the capped diff")
    body = capped[:capped.index("\n**Truncated:**")]
    mp.check(full.startswith(body.rsplit("\n</details>", 1)[0]), "the capped diff is not a prefix of the full one")
    mp.check(f"the diff is {len(full)} characters" in capped and "artifact" in capped,
             f"no pointer to the full diff: {capped[-300:]}")
    rc, linked, _ = mp.minpriv("diff", "--format", "markdown", "--max-chars", "20000", "--full-diff",
                               "[diff.md](https://example.invalid/run/1)", old, new)
    mp.check(rc == 0 and len(linked) <= 20000 and linked.rstrip().endswith("[diff.md](https://example.invalid/run/1)."),
             f"--max-chars 20000 --full-diff: {len(linked)} characters, ends {linked[-120:]!r}")
    for bad in ("10", "-5", "x"):
        rc, _, err = mp.minpriv("diff", "--format", "markdown", "--max-chars", bad, old, new)
        mp.check(rc == 2 and "--max-chars" in err, f"--max-chars {bad}: exit {rc} {err}")
    # small diffs are not touched by the cap
    rc, small, _ = mp.minpriv("diff", "--format", "markdown", old, old)
    mp.check(rc == 0 and "Truncated" not in small, "a small diff was cut")
    return len(full), len(capped), len(linked)


def main():
    work = os.path.realpath(mp.tmpdir())
    sizes = huge(work)
    p1, p2 = socket_case(work)
    fail_on_widen(p1, p2)
    preamble(work, p1)
    colour(p1, p2)
    bad_input(work, p1)
    shutil.rmtree(work, ignore_errors=True)
    print("ok: diff shows exactly the new syscalls and rules; --fail-on-widen both ways; colour; bad input")
    print(f"ok: markdown of a 30,000-rule diff: {sizes[0]} characters in full, {sizes[1]} capped by default, "
          f"{sizes[2]} with --max-chars 20000")


if __name__ == "__main__":
    main()
