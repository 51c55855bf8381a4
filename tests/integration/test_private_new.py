#!/usr/bin/env python3
"""Names made as mkstemp makes them (the trace's private_new) hold on the
next run.

samples/workloads/privnames.py creates, in a directory that existed before
it, names whose draw reads as a word (report-abcdefgh, foo_cbjgqj.log: a
single recording cannot tell them from words), each made the way mkstemp,
mkdtemp and Python's tempfile make names (O_CREAT|O_EXCL with mode 0600,
relative to a directory fd too; mkdir and mkdirat with 0700), beside names
made otherwise (O_EXCL with 0644, O_CREAT without O_EXCL, mkdir 0755), and
a tempfile.mkstemp file and mkdtemp directory of its own prefix (removed).
  1. Recorded in every mode (the eBPF recorder, perf counters with stops,
     a stop at every call): private_new is on exactly the names made that
     way, the same in each mode; the io_uring sample's O_EXCL create has it
     and its plain create does not.
  2. The AppArmor profile gives their draws `?` (report-????????,
     foo_??????.log) and keeps the other names literal.
  3. `minpriv verify` of a second run with other draws, against that
     profile: no violation. Negative control: the profile of the same trace
     without private_new: verify finds the second run's names denied.
  4. merge keeps private_new when any trace has it; explain says it.
"""
import json
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp  # noqa: E402
from test_verify import verify  # noqa: E402

WORKLOAD = os.path.join(mp.ROOT, "samples", "workloads", "privnames.py")

PRIVATE = {"report-abcdefgh", "foo_cbjgqj.log", "work_qw3rtyui", "at_abcdefgh", "dirat_qw3rtyui"}
OTHER = {"notes-abcdefgh", "plain-abcdefgh", "shared"}
MODES = (("default", []), ("no-bpf", ["--no-bpf"]), ("stops", ["--no-kernel-count"]))


def fresh(d):
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)


def private_names(t, d):
    """{name: private_new} of the names directly in d."""
    out = {}
    for path, node in t["files"].items():
        if os.path.dirname(path) == d:
            out[os.path.basename(path)] = node.get("private_new", False)
    return out


def main():
    work = mp.tmpdir()
    d = os.path.join(work, "out")
    py = shutil.which("python3") or "/usr/bin/python3"
    traces = {}
    for name, extra in MODES:
        fresh(d)
        trace = os.path.join(work, f"{name}.json")
        rc, t, err = mp.record([py, WORKLOAD, d, "1"], out=trace, extra=extra, check_status=0)
        got = private_names(t, d)
        kept = [n for n in got if n.startswith("tmpf-") or n.startswith("tmpd-")]
        mp.check(len(kept) == 2 and all(got[n] for n in kept), f"{name}: tempfile's names: {got}")
        for n in PRIVATE:
            mp.check(got.get(n) is True, f"{name}: {n} made with O_EXCL 0600 / mkdir 0700: {got.get(n)}")
        for n in OTHER:
            mp.check(got.get(n) is False, f"{name}: {n} made otherwise has private_new: {got.get(n)}")
        mp.check(t["version"] == 3, f"{name}: trace version {t['version']}")
        traces[name] = (trace, {k: v for k, v in got.items() if k in PRIVATE | OTHER})
        print(f"{name} ({t['runs'][0]['mode']}): {sum(got.values())} private names of {len(got)}")
    for name, _ in MODES[1:]:
        mp.check(traces[name][1] == traces["default"][1], f"{name}: other private_new than default")

    # io_uring: the create through the ring
    uring = mp.sample("uring")
    for excl in (False, True):
        fresh(d)
        rc, t, err = mp.record([uring, "/etc/hostname", d, "ring", *(["--excl"] if excl else [])])
        if rc == 77:
            print("io_uring unavailable here: its case skipped")
            break
        mp.check(rc == 0, f"uring: exit {rc}: {err}")
        got = private_names(t, d)
        mp.check(got.get("ring") is excl, f"uring {'--excl' if excl else ''}: private_new {got.get('ring')}")

    # the profile, then a second run with other draws
    trace = traces["default"][0]
    prof = os.path.join(work, "prof")
    rc, out, err = mp.minpriv("generate", "-o", prof, trace)
    mp.check(rc == 0, f"generate: {rc} {err}")
    aa = open(os.path.join(prof, "apparmor.profile")).read()
    for rule in ("report-????????", "foo_??????.log", "at_????????", "work_????????/", "dirat_????????/",
                 "tmpf-????????", "tmpd-????????/"):
        mp.check(re.search(r"^\s*(owner )?" + re.escape(os.path.join(d, rule)) + " ", aa, re.M),
                 f"no rule {rule} in apparmor.profile:\n{aa}")
    for literal in OTHER:
        mp.check(os.path.join(d, literal) in aa, f"{literal} is not literal in apparmor.profile")
    # explain says how each name was made
    for n, made in (("report-abcdefgh", True), ("notes-abcdefgh", False)):
        rc, out, err = mp.minpriv("explain", trace, os.path.join(d, n))
        mp.check(rc == 0 and ("made new as mkstemp makes names" in out) == made, f"explain {n}: {rc}\n{out}{err}")
    fresh(d)
    argv2 = [py, WORKLOAD, d, "2"]
    rc, _, err, rep = verify(prof, argv2)
    mp.check(rc == 0, f"verify of a second run: exit {rc}\n{rep}{err}")

    # negative control: the same trace without private_new
    t = json.load(open(trace))
    for node in t["files"].values():
        node.pop("private_new", None)
    bare = os.path.join(work, "bare.json")
    json.dump(t, open(bare, "w"))
    prof0 = os.path.join(work, "prof0")
    rc, out, err = mp.minpriv("generate", "-o", prof0, bare)
    mp.check(rc == 0, f"generate without private_new: {rc} {err}")
    fresh(d)
    rc, _, err, rep = verify(prof0, argv2)
    mp.check(rc == 3 and "report-zx_q9m2k" in rep and "foo_Xk3pQ9.log" in rep,
             f"negative control: verify exit {rc}, the second run's names not denied:\n{rep}")
    print("verify: second run allowed (exit 0); without private_new denied (exit 3)")

    # merge: kept when any trace has it
    merged = os.path.join(work, "merged.json")
    rc, out, err = mp.minpriv("merge", "-o", merged, bare, trace)
    mp.check(rc == 0, f"merge: {rc} {err}")
    got = private_names(json.load(open(merged)), d)
    mp.check(all(got.get(n) is True for n in PRIVATE), f"merge lost private_new: {got}")
    shutil.rmtree(work, ignore_errors=True)
    print("ok")


if __name__ == "__main__":
    main()
