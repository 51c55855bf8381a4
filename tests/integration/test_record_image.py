#!/usr/bin/env python3
"""Recording where it runs.

`record-image ENGINE`: `minpriv record --image IMAGE --engine ENGINE -- CMD`
records CMD in a fresh container of IMAGE (a skeleton root imported into
the engine, the host's /usr and /etc and the samples mounted with
--engine-arg), with the static binary mounted as the entrypoint:
  - the dynamic `paths` sample: exit status 0, the trace's command and
    files are the container's (its scratch files under the container's
    /work, which exists only there), nothing from the host's scratch
    directory the trace was copied out through;
  - --user 65534:65534: the trace's credentials are that user's;
  - a command failing with 3: record's pass-through (exit 3), trace saved;
  - a missing image: the engine's failure (not 0), no trace written and a
    previous file at the output intact; a bad --engine: exit 2.
Skips when the engine is missing (docker: no daemon answers) or there is
no static minpriv.

`workspace`: the same little project in two checkouts at different depths
(each a git checkout: a .git directory), recorded with --workspace auto
from inside and with --workspace DIR: the profiles are byte-identical,
`minpriv diff` finds no difference, apparmor.profile defines
@{WORKSPACE} once (generate --workspace-at moves it) and its rules use it;
apparmor_parser -QK accepts it where installed. Control: recorded without
--workspace, the two profiles differ."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import container  # noqa: E402
import mp  # noqa: E402

STATIC = os.environ.get("MINPRIV_STATIC_BIN")


def podman_image():
    """The skeleton root imported into podman (runc and cgroupfs through a
    containers.conf of our own: the machine's recipe)."""
    conf = os.path.join(mp.tmpdir(), "containers.conf")
    with open(conf, "w") as f:
        f.write('[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\n')
    os.environ["CONTAINERS_CONF"] = conf
    tag = f"localhost/{container.PREFIX}-root:record-image"
    tar = subprocess.Popen(["tar", "-C", container.rootfs(), "-c", "."], stdout=subprocess.PIPE)
    p = subprocess.run(["podman", "import", "-", tag], stdin=tar.stdout, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=300)
    tar.wait()
    mp.check(p.returncode == 0, f"podman import: {p.stderr.decode(errors='replace')}")
    return tag


def record(engine, image, out, argv, extra=()):
    mounts = ["/usr", "/etc", os.path.abspath(mp.SAMPLES)]
    cmd = [mp.MINPRIV, "record", "-q", "--image", image, "--engine", engine, "-o", out, *extra]
    for m in mounts:
        cmd.append(f"--engine-arg=--volume={m}:{m}:ro")
    if engine == "podman":
        cmd += ["--engine-arg=--ulimit=nofile=20000:20000", "--engine-arg=--ulimit=nproc=4096:4096"]
    cmd.append("--engine-arg=--network=none")
    p = subprocess.run([*cmd, "--", *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300,
                       env={**os.environ, "MINPRIV_STATIC": STATIC})
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def strings(node):
    if isinstance(node, dict):
        for k, v in node.items():
            yield k
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)
    elif isinstance(node, str):
        yield node


def record_image(engine):
    container.use(engine)
    container.require()
    if not STATIC or not os.path.exists(STATIC):
        print("SKIP: no static minpriv (MINPRIV_STATIC_BIN)", file=sys.stderr)
        sys.exit(77)
    image = container.image() if engine == "docker" else podman_image()
    work = mp.tmpdir()
    paths = mp.sample("paths")
    out = os.path.join(work, "t.json")

    rc, so, se = record(engine, image, out, ["/bin/sh", "-c", f"mkdir -p /work && exec {paths} /work/p"])
    mp.check(rc == 0, f"{engine}: recording paths in the container: exit {rc}\n{so}{se}")
    t = json.load(open(out))
    run = t["runs"][0]
    mp.check(run["command"][0] == "/bin/sh", f"{engine}: command {run['command']}")
    files = t["files"]
    mp.check(any(f.startswith("/work/p/") for f in files), f"{engine}: no container scratch path: {sorted(files)[:20]}")
    mp.check(not os.path.exists("/work/p"), "the host has /work/p: the check proves nothing")
    leaked = [s for s in strings(t) if "minpriv-record-" in s]
    mp.check(not leaked, f"{engine}: the host's scratch directory is in the trace: {leaked[:3]}")

    rc, so, se = record(engine, image, out, ["/usr/bin/id", "-u"], ["--user", "65534:65534"])
    t = json.load(open(out))
    cred = t["runs"][0]["credentials"]
    mp.check(rc == 0 and so.strip() == "65534" and cred["uid"] == 65534 and cred["gid"] == 65534,
             f"{engine}: --user: exit {rc}, {so!r}, credentials {cred}\n{se}")

    rc, so, se = record(engine, image, out, ["/bin/sh", "-c", "exit 3"])
    t = json.load(open(out))
    mp.check(rc == 3 and t["runs"][0]["exit"]["status"] == 3, f"{engine}: exit 3 passed through? {rc}\n{se}")

    before = open(out).read()
    rc, so, se = record(engine, image + "-missing", out, ["/bin/true"])
    mp.check(rc not in (0, 2) and "wrote no trace" in se and open(out).read() == before,
             f"{engine}: missing image: exit {rc}\n{se}")
    rc, so, se = record("lxc", image, out, ["/bin/true"])
    mp.check(rc == 2 and "unknown --engine" in se, f"bad --engine: {rc} {se}")
    print(f"ok: record --image with {engine}: container paths, --user, exit status pass-through, engine failures")


def workspace():
    work = mp.tmpdir()
    checkouts = [os.path.join(work, "laptop", "proj"), os.path.join(work, "ci", "runner", "work", "proj", "proj")]
    script = "cat data/config.txt > /dev/null && ls src > /dev/null && echo built > out.txt && cat out.txt\n"
    for c in checkouts:
        os.makedirs(os.path.join(c, ".git"))
        os.makedirs(os.path.join(c, "data"))
        os.makedirs(os.path.join(c, "src"))
        with open(os.path.join(c, "data", "config.txt"), "w") as f:
            f.write("x=1\n")
        with open(os.path.join(c, "run.sh"), "w") as f:
            f.write(script)

    def rec(c, label, ws):
        trace = os.path.join(work, f"{label}.json")
        extra = ["--workspace", ws] if ws else []
        p = subprocess.run([mp.MINPRIV, "record", "-q", "-o", trace, *extra, "--", "/bin/sh", "run.sh"], cwd=c,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        mp.check(p.returncode == 0 and p.stdout == b"built\n", f"record in {c}: {p.returncode} {p.stderr}")
        out = os.path.join(work, f"{label}-profiles")
        rc, _, err = mp.minpriv("generate", "-q", "--name", "proj", "-o", out, trace)
        mp.check(rc == 0, f"generate {label}: {err}")
        return out

    def same(a, b):
        return all(open(os.path.join(a, f), "rb").read() == open(os.path.join(b, f), "rb").read()
                   for f in ("seccomp.json", "apparmor.profile", "caps.txt", "files-used.txt"))

    a = rec(checkouts[0], "auto-a", "auto")
    b = rec(checkouts[1], "dir-b", checkouts[1])
    mp.check(same(a, b), "two checkouts recorded with --workspace give different profiles")
    rc, out, err = mp.minpriv("diff", "--format", "json", "--fail-on-widen", a, b)
    mp.check(rc == 0, f"diff of the two checkouts: {rc}\n{out}{err}")
    doc = json.loads(out)
    mp.check(doc["changes"] == [] and not doc["widens"], f"diff of the two checkouts is not empty: {out}")
    prof = open(os.path.join(a, "apparmor.profile")).read()
    mp.check(prof.count("@{WORKSPACE}=/workspace\n") == 1 and "@{WORKSPACE}/data/config.txt r," in prof
             and checkouts[0] not in prof, f"apparmor.profile:\n{prof}")
    files_used = open(os.path.join(a, "files-used.txt")).read()
    mp.check("@{WORKSPACE}/data/config.txt" in files_used, f"files-used.txt:\n{files_used}")
    rc, _, err = mp.minpriv("generate", "-q", "--name", "proj", "--workspace-at", "/app", "-o",
                            os.path.join(work, "at"), os.path.join(work, "auto-a.json"))
    at = open(os.path.join(work, "at", "apparmor.profile")).read()
    mp.check(rc == 0 and "@{WORKSPACE}=/app\n" in at, f"--workspace-at: {rc} {err}")
    rc, _, err = mp.minpriv("generate", "--workspace-at", "rel/path", "-o", os.path.join(work, "bad"),
                            os.path.join(work, "auto-a.json"))
    mp.check(rc == 2 and not os.path.exists(os.path.join(work, "bad")), f"--workspace-at rel/path: {rc} {err}")
    if shutil.which("apparmor_parser"):
        p = subprocess.run(["apparmor_parser", "-QK", os.path.join(a, "apparmor.profile")], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120)
        mp.check(p.returncode == 0, f"apparmor_parser -QK: {p.stderr.decode()}")
    # control: without --workspace the checkouts' paths differ
    c1 = rec(checkouts[0], "plain-a", None)
    c2 = rec(checkouts[1], "plain-b", None)
    mp.check(not same(c1, c2), "without --workspace the profiles are the same: the test proves nothing")
    # outside a checkout, auto is an error
    p = subprocess.run([mp.MINPRIV, "record", "--workspace", "auto", "-o", os.path.join(work, "x.json"), "--",
                        "/bin/true"], cwd="/", stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    mp.check(p.returncode == 2 and not os.path.exists(os.path.join(work, "x.json")),
             f"--workspace auto outside a checkout: {p.returncode} {p.stderr}")
    print("ok: two checkouts at different paths give byte-identical profiles with @{WORKSPACE}")


def main():
    what = sys.argv[1]
    if what == "workspace":
        workspace()
    else:
        record_image(what)


if __name__ == "__main__":
    main()
