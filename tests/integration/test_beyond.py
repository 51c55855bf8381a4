#!/usr/bin/env python3
"""Beyond the recorded run (issue 14): run counts, the coverage-gap report,
portable siblings.

  repeat    samples/flaky (kill and a marker path on odd runs only, from a
            counter file: deterministic) recorded with --repeat 4: kill,
            getpid and the marker are seen in 2 of 4 runs, nothing else is
            unstable; explain, hardening.md and the report name them; merge
            sums runs (4 + 1 -> 5) and keeps older traces (no `seen`)
            loadable with "every run" meaning; a `seen` above the run count
            is refused; the profiles from the repeated trace equal those
            from the four single runs merged, byte for byte.
  gaps      samples/rarebranch recorded on its usual path: `gaps` lists kill
            (related: the workload forked and waited) and sync (other), and
            every syscall the rare branch really makes (recorded with
            MINPRIV_RAREBRANCH_SLOW=1) that the usual run did not; text and
            JSON agree; a static binary is read through its syscall
            instructions; `generate --allow-gaps=related` adds kill with its
            reason and leaves the default profile unchanged.
  portable  samples/portable built against glibc and musl (static), recorded
            with the glibc build only: the musl build fails in podman+runc
            under the plain profile and passes under --portable; clone3
            stays ENOSYS.
Usage: test_beyond.py repeat|gaps|portable"""
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import container  # noqa: E402
import mp  # noqa: E402


def load(path):
    with open(path) as f:
        return json.load(f)


def gen(trace, out, *opts):
    if os.path.isdir(out):
        shutil.rmtree(out)
    rc, _, err = mp.minpriv("generate", "-q", "-o", out, *opts, *([trace] if isinstance(trace, str) else trace))
    mp.check(rc == 0, f"generate {opts}: {err}")
    return out


def allowed(profile_dir):
    prof = load(os.path.join(profile_dir, "seccomp.json"))
    return {n for s in prof["syscalls"] if s["action"] == "SCMP_ACT_ALLOW" for n in s["names"]}


def test_repeat():
    flaky = mp.sample("flaky")
    work = mp.tmpdir()
    counter = os.path.join(work, "counter")
    out = os.path.join(work, "rep.json")
    rc, t, err = mp.record([flaky, counter], out=out, extra=["--repeat", "4"])
    mp.check(rc == 0 and t, f"record --repeat 4: {rc} {err}")
    mp.check(len(t["runs"]) == 4, f"4 runs expected, got {len(t['runs'])}")
    unstable = {n: v["seen"] for n, v in t["syscalls"]["x86_64"].items() if "seen" in v}
    mp.check(unstable == {"kill": 2, "getpid": 2}, f"unstable syscalls: {unstable}")
    marker = counter + ".odd"
    files = {p: v["seen"] for p, v in t["files"].items() if "seen" in v}
    mp.check(files == {marker: 2}, f"unstable files: {files}")
    for kind, vals in t.get("arguments", {}).items():
        for k, v in vals.items():
            mp.check("seen" not in v, f"argument {kind} {k} unstable: {v}")
    print(f"repeat: 4 runs of flaky: unstable syscalls {sorted(unstable)}, files {sorted(files)}")

    rc, text, err = mp.minpriv("explain", out, "kill")
    mp.check(rc == 0 and "seen in 2 of 4 runs" in text, f"explain kill: {text} {err}")
    rc, text, _ = mp.minpriv("explain", out, "write")
    mp.check(rc == 0 and "seen in all 4 runs" in text, f"explain write: {text}")
    rc, text, _ = mp.minpriv("explain", out, marker)
    mp.check(rc == 0 and "seen in 2 of 4 runs" in text, f"explain marker: {text}")
    prof = gen(out, os.path.join(work, "p"))
    md = open(os.path.join(prof, "hardening.md")).read()
    mp.check("## Stability across runs" in md and "`kill`: seen in 2 of 4 runs" in md, "hardening.md: no kill line")
    mp.check(f"`{marker}`: seen in 2 of 4 runs" in md, "hardening.md: no marker line")
    mp.check("`write`" not in md.split("## Stability across runs")[1].split("##")[0], "write listed as unstable")
    html = os.path.join(work, "r.html")
    rc, _, err = mp.minpriv("report", "-q", "-o", html, out)
    page = open(html).read()
    mp.check(rc == 0 and 'id="stability"' in page and "<code>kill</code>: seen in 2 of 4 runs" in page,
             f"report: {err}")

    # merge sums runs: one more (odd: kill) run -> 3 of 5
    one = os.path.join(work, "one.json")
    mp.record([flaky, counter], out=one, check_status=0)
    merged = os.path.join(work, "m.json")
    rc, _, err = mp.minpriv("merge", "-o", merged, out, one)
    m = load(merged)
    mp.check(rc == 0 and len(m["runs"]) == 5 and m["syscalls"]["x86_64"]["kill"].get("seen") == 3,
             f"merge: {err} {m['syscalls']['x86_64'].get('kill')}")
    mp.check("seen" not in m["syscalls"]["x86_64"]["write"], "write should be seen in all 5 runs")

    # profiles: the repeated trace == its four runs recorded one by one and merged
    os.unlink(counter)
    singles = []
    for i in range(4):
        p = os.path.join(work, f"s{i}.json")
        mp.record([flaky, counter], out=p, check_status=0)
        singles.append(p)
    a, b = gen(out, os.path.join(work, "pa")), gen(singles, os.path.join(work, "pb"))
    for f in ("seccomp.json", "apparmor.profile", "caps.txt"):
        fa, fb = open(os.path.join(a, f)).read(), open(os.path.join(b, f)).read()
        fa = fa.replace(out, "X")
        mp.check(fa == fb, f"{f} differs between --repeat 4 and four merged runs")
    rc, _, _ = mp.minpriv("merge", "-o", os.path.join(work, "ms.json"), *singles)
    ms = load(os.path.join(work, "ms.json"))
    mp.check(ms["syscalls"]["x86_64"]["kill"].get("seen") == 2, "four merged single runs: kill not 2 of 4")

    # an older trace (no `seen`) loads; each of its items counts every run
    old = load(one)
    mp.check(not any("seen" in v for v in old["syscalls"]["x86_64"].values()), "one run with a seen count")
    even = os.path.join(work, "even.json")
    mp.record([flaky, counter], out=even, check_status=0)  # run 5 of this counter: odd
    mp.record([flaky, counter], out=even, check_status=0)  # run 6: even, no kill
    rc, _, err = mp.minpriv("merge", "-o", merged, one, even)
    m = load(merged)
    mp.check(rc == 0 and m["syscalls"]["x86_64"]["kill"].get("seen") == 1, f"old+even: {err}")
    bad = json.loads(json.dumps(old))
    bad["syscalls"]["x86_64"]["write"]["seen"] = 2
    badp = os.path.join(work, "bad.json")
    json.dump(bad, open(badp, "w"))
    rc, _, err = mp.minpriv("generate", "-q", "-o", os.path.join(work, "pbad"), badp)
    mp.check(rc == 2 and "seen" in err and "bad.json" in err, f"seen > runs accepted: {rc} {err}")
    # identical file nodes (which the loader shares between paths) keep
    # their own counts: /a in both traces, /b and /c in one
    old = load(one)
    node = old["files"][counter]
    sa = json.loads(json.dumps(old))
    sa["files"] = {"/a": node, "/b": node, "/c": node}
    sb = json.loads(json.dumps(old))
    sb["files"] = {"/a": node}
    pa, pb = os.path.join(work, "sa.json"), os.path.join(work, "sb.json")
    json.dump(sa, open(pa, "w"), indent=1, sort_keys=True)
    json.dump(sb, open(pb, "w"), indent=1, sort_keys=True)
    for order in ((pa, pb), (pb, pa)):
        rc, _, err = mp.minpriv("merge", "-o", merged, *order)
        seen = {p: v.get("seen") for p, v in load(merged)["files"].items()}
        mp.check(rc == 0 and seen == {"/a": None, "/b": 1, "/c": 1}, f"shared nodes: {seen} {err}")

    rc, _, err = mp.minpriv("record", "--repeat", "0", "--", flaky, counter)
    mp.check(rc == 2, f"--repeat 0: {rc}")


def gaps_json(trace):
    rc, out, err = mp.minpriv("gaps", "--format", "json", trace)
    mp.check(rc == 0, f"gaps: {err}")
    return json.loads(out)


def test_gaps():
    rb = mp.sample("rarebranch")
    work = mp.tmpdir()
    usual = os.path.join(work, "usual.json")
    mp.record([rb], out=usual, check_status=0)
    g = gaps_json(usual)
    mp.check(g["format"] == "minpriv-gaps" and g["version"] == 1, "gaps json header")
    items = {(e["abi"], e["syscall"]): e for e in g["gaps"]}
    kill = items.get(("x86_64", "kill"))
    mp.check(kill and kill["rank"] == "related" and kill["related_to"] in ("clone", "wait4", "fork"),
             f"kill not related: {kill}")
    mp.check(any(s["object"] == rb and s["via"] == "kill" for s in kill["sources"]), f"kill source: {kill}")
    sync = items.get(("x86_64", "sync"))
    mp.check(sync and sync["rank"] == "other", f"sync: {sync}")
    recorded = set(load(usual)["syscalls"]["x86_64"])
    mp.check(not recorded & {n for a, n in items}, "a recorded syscall listed as a gap")
    ranks = [e["rank"] for e in g["gaps"] if e["abi"] == "x86_64"]
    mp.check(ranks == sorted(ranks, key=lambda r: r != "related"), "related not first")
    rel = sum(1 for r in ranks if r == "related")
    print(f"gaps rarebranch: {rel} related, {len(ranks) - rel} other: related "
          f"{[e['syscall'] for e in g['gaps'] if e['rank'] == 'related']}")

    # the rare branch, recorded: what it adds was predicted
    slow = os.path.join(work, "slow.json")
    mp.record([rb], out=slow, env=dict(os.environ, MINPRIV_RAREBRANCH_SLOW="1"), check_status=0)
    new = set(load(slow)["syscalls"]["x86_64"]) - recorded
    mp.check({"kill", "sync"} <= new, f"the rare branch did not make kill and sync: {new}")
    missed = new - {n for a, n in items}
    mp.check(not missed, f"the rare branch made syscalls gaps did not list: {missed}")

    rc, text, _ = mp.minpriv("gaps", usual)
    mp.check(rc == 0 and re.search(r"x86_64: \d+ syscalls reachable but never recorded: \d+ related", text), text)
    mp.check(text.index("  kill ") < text.index("  sync "), "text: kill not before sync")
    mp.check(f"program '{rb}': x86_64, dynamic" in text, "text: object line")

    # determinism
    mp.check(mp.minpriv("gaps", "--format", "json", usual)[1] == json.dumps(g, indent=1, sort_keys=True) + "\n",
             "gaps json not canonical")

    # generate: default unchanged, --allow-gaps=related adds the related group with reasons
    plain = allowed(gen(usual, os.path.join(work, "plain")))
    pr = gen(usual, os.path.join(work, "rel"), "--allow-gaps=related")
    wide = allowed(pr)
    related = {e["syscall"] for e in g["gaps"] if e["rank"] == "related"}
    mp.check("kill" not in plain and "kill" in wide and "sync" not in wide, "allow-gaps: kill/sync")
    mp.check(wide - plain <= related and (related - plain) <= wide, f"allow-gaps adds {wide - plain}")
    prof = load(os.path.join(pr, "seccomp.json"))
    kr = [s for s in prof["syscalls"] if s["names"] == ["kill"]]
    mp.check(kr and "--allow-gaps related" in kr[0]["comment"] and "the recorded " in kr[0]["comment"]
             and rb in kr[0]["comment"], f"kill rule: {kr}")
    rc, _, err = mp.minpriv("generate", "-q", "-o", os.path.join(work, "x"), "--allow-gaps=everything", usual)
    mp.check(rc == 2, "bad --allow-gaps accepted")
    print(f"generate rarebranch: {len(plain)} names, --allow-gaps=related {len(wide)}")

    # a static binary: its own syscall instructions
    st = os.path.join(work, "static.json")
    mp.record([mp.sample("static_hello")], out=st, check_status=0)
    gs = gaps_json(st)
    obj = [o for o in gs["objects"] if o["path"].endswith("static_hello")]
    mp.check(obj and obj[0]["linkage"] == "static" and obj[0]["imports"] == 0 and obj[0]["reachable"] > 10,
             f"static object: {obj}")
    print(f"gaps static_hello: {obj[0]['reachable']} syscalls in its code, {len(obj[0]['never_recorded'])} "
          f"never recorded")

    # bad input
    rc, _, err = mp.minpriv("gaps", "--format", "yaml", usual)
    mp.check(rc == 2, "bad format accepted")
    badp = os.path.join(work, "bad.json")
    open(badp, "w").write("{")
    rc, _, err = mp.minpriv("gaps", badp)
    mp.check(rc == 2 and "bad.json" in err, f"bad trace: {err}")


def test_portable():
    # clone for a recorded clone3 (glibc's threads): clone3's namespace flags
    # (none) carry over as clone's filter; clone3 stays as recorded
    work = mp.tmpdir()
    th = os.path.join(work, "threads.json")
    mp.record([mp.sample("threads"), "4"], out=th, check_status=0)
    tt = load(th)
    if "clone3" in tt["syscalls"]["x86_64"] and "clone" not in tt["syscalls"]["x86_64"]:
        pj = load(os.path.join(gen(th, os.path.join(work, "thp"), "--portable", "--runtime", "none"),
                               "seccomp.json"))
        rules = [r for r in pj["syscalls"] if r["names"] == ["clone"]]
        mp.check(len(rules) == 1 and rules[0]["args"][0]["op"] == "SCMP_CMP_MASKED_EQ"
                 and rules[0]["args"][0]["valueTwo"] == 0 and "--portable" in rules[0]["comment"],
                 f"clone from clone3: {rules}")
        plain = load(os.path.join(gen(th, os.path.join(work, "th"), "--runtime", "none"), "seccomp.json"))
        mp.check(not any("clone" in r["names"] for r in plain["syscalls"]), "clone without --portable")
    container.require()
    glibc = mp.sample("portable")
    musl = os.path.join(mp.SAMPLES, "portable-musl")
    if not os.path.exists(musl):
        print("SKIP: samples/portable-musl not built (musl-gcc from musl-tools missing)", file=sys.stderr)
        sys.exit(77)
    musl = os.path.abspath(musl)
    trace = os.path.join(work, "glibc.json")
    d = os.path.join(work, "d")
    os.makedirs(d)
    mp.record([glibc, d], out=trace, check_status=0)
    plain, port = gen(trace, os.path.join(work, "plain")), gen(trace, os.path.join(work, "port"), "--portable")
    a, b = allowed(plain), allowed(port)
    print(f"portable: {len(a)} names, --portable {len(b)} (+{len(b - a)})")
    mp.check("clone3" not in b, "clone3 allowed by --portable")
    pj = load(os.path.join(port, "seccomp.json"))
    c3 = [s for s in pj["syscalls"] if "clone3" in s["names"]]
    mp.check(c3 and c3[0]["action"] == "SCMP_ACT_ERRNO" and c3[0].get("errnoRet") == 38, f"clone3: {c3}")
    for n in ("open", "pipe", "stat", "writev", "fork"):
        mp.check(n in b - a, f"--portable did not add {n}")
    mounts = [(os.path.dirname(glibc), "/opt/s", "ro")]

    def run(profile, binary):
        return container.run([f"/opt/s/{os.path.basename(binary)}", "/tmp"], seccomp=os.path.join(profile,
                                                                                                 "seccomp.json"),
                             mounts=mounts, timeout=120)

    rc, out, err = run(plain, glibc)
    if rc == 125 or "OCI runtime" in err:
        print(f"SKIP: the container runtime does not start here: {err.strip()[:200]}", file=sys.stderr)
        sys.exit(77)
    mp.check(rc == 0 and "portable ok" in out, f"glibc build under its own profile: {rc} {out} {err}")
    rc, out, err = run(plain, musl)
    mp.check(rc != 0 and "portable ok" not in out, f"musl build passed without --portable: {rc} {out}")
    print(f"musl build, plain profile: exit {rc} (failed step)")
    rc, out, err = run(port, musl)
    mp.check(rc == 0 and "portable ok" in out, f"musl build under --portable: {rc} {out} {err}")
    rc, out, err = run(port, glibc)
    mp.check(rc == 0 and "portable ok" in out, f"glibc build under --portable: {rc} {out} {err}")


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    {"repeat": test_repeat, "gaps": test_gaps, "portable": test_portable}.get(
        mode, lambda: mp.fail(f"unknown mode {mode!r}"))()
    print("ok")
