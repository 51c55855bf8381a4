#!/usr/bin/env python3
"""The capability list, proven in a real container: record each sample,
generate its profiles, and run it under podman + runc with --cap-drop ALL
plus exactly the capabilities caps.txt lists (and DIR/seccomp.json as the
seccomp profile when generate wrote one, else unconfined). Each run must
pass; then, for each listed capability, a run without it must fail (every
capability is necessary). The samples that need none must list none.

Recording runs in a fresh network namespace (unshare -n, lo up), so the
privileged sample's port 80 never collides with anything on the machine;
in the container (--network=none) loopback is its own too. Needs root,
podman and runc."""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import container  # noqa: E402
import mp  # noqa: E402

PORT = 41210  # the sockets sample's TCP port, from this test's range 41200-41299

# name, arguments when recorded ({w}: a scratch directory), arguments in the
# container (/tmp is a tmpfs there), the capabilities expected, and for each
# capability the step the sample must report failing without it.
SAMPLES = [
    ("privileged", ["{w}"], ["/tmp"], {"CAP_CHOWN": "chown(", "CAP_NET_BIND_SERVICE": "bind(",
                                       "CAP_SETGID": "setgroups(", "CAP_SETUID": "setuid("}),
    ("static_hello", [], [], {}),
    ("paths", ["{w}/p"], ["/tmp/p"], {}),
    ("sockets", ["{w}", str(PORT)], ["/tmp", str(PORT)], {}),
    ("threads", ["8"], ["8"], {}),
    ("forktree", [], [], {}),
]


def read_caps(path):
    """The capability lines of a caps.txt ('#' starts a comment)."""
    caps = []
    with open(path) as f:
        for line in f:
            word = line.split("#", 1)[0].strip()
            if word:
                caps.append(word)
    return caps


def record_and_generate(name, args, work):
    exe = mp.sample(name)
    trace = os.path.join(work, f"{name}.json")
    out = os.path.join(work, f"{name}-profiles")
    rec = [mp.MINPRIV, "record", "-q", "-o", trace, "--", exe, *[a.format(w=work) for a in args]]
    p = subprocess.run(["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *rec],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    mp.check(p.returncode == 0, f"{name}: recording failed ({p.returncode}): {p.stderr.decode(errors='replace')}")
    rc, _, err = mp.minpriv("generate", "-q", "-o", out, trace)
    mp.check(rc == 0, f"{name}: generate failed: {err}")
    return exe, out


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root", file=sys.stderr)
        sys.exit(77)
    container.require()
    for tool in ("unshare", "ip"):
        if not shutil.which(tool):
            print(f"SKIP: {tool} not installed", file=sys.stderr)
            sys.exit(77)
    work = tempfile.mkdtemp(prefix="minpriv-ccaps-")
    samples_dir = os.path.dirname(mp.sample("static_hello"))
    runs = necessity = 0
    summary = []
    try:
        for name, rec_args, run_args, expected in SAMPLES:
            exe, out = record_and_generate(name, rec_args, work)
            caps = read_caps(os.path.join(out, "caps.txt"))
            mp.check(sorted(caps) == sorted(expected),
                     f"{name}: caps.txt lists {caps}, expected {sorted(expected)}")
            seccomp = os.path.join(out, "seccomp.json")
            profile = seccomp if os.path.exists(seccomp) else "unconfined"

            rc, so, se = container.run([exe, *run_args], seccomp=profile, caps=caps, mounts=[samples_dir])
            runs += 1
            mp.check(rc == 0, f"{name}: failed in the container with --cap-drop ALL --cap-add {caps} "
                              f"(seccomp {os.path.basename(profile)}): exit {rc}\n{so}{se}")
            for cap in caps:
                fewer = [c for c in caps if c != cap]
                rc2, so2, se2 = container.run([exe, *run_args], seccomp=profile, caps=fewer, mounts=[samples_dir])
                runs += 1
                mp.check(rc2 != 0, f"{name}: still passes without {cap}: it was not necessary\n{so2}{se2}")
                step = expected.get(cap)
                mp.check(step is None or step in se2,
                         f"{name}: without {cap} it failed, but not at {step!r}: {se2.strip()}")
                necessity += 1
            summary.append(f"{name}: {', '.join(caps) if caps else 'no capability'} "
                           f"(seccomp {'seccomp.json' if profile != 'unconfined' else 'unconfined'})")
            print(f"ok: {summary[-1]}; passes with exactly these"
                  + (f", fails without any one of them" if caps else ""))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"container proof: {len(SAMPLES)} samples, {runs} container runs as expected, "
          f"{necessity} necessity checks")


if __name__ == "__main__":
    main()
