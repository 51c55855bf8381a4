#!/usr/bin/env python3
"""The capability list, proven in a real container: record each sample,
generate its profiles, and run it in a container (podman + runc, or the
Docker Engine with --engine docker) with --cap-drop ALL
plus exactly the capabilities caps.txt lists (and DIR/seccomp.json as the
seccomp profile when generate wrote one, else unconfined). Each run must
pass; then, for each listed capability, a run without it must fail (every
capability is necessary). The samples that need none must list none.
Last, each runs with every flag of hardening.md's ready-to-paste
`docker run` line at once (non-root user, read-only root and its tmpfs
mounts, no-new-privileges, memory and pids limits), and must pass.

Recording runs in a fresh network namespace (unshare -n, lo up), so the
privileged sample's port 80 never collides with anything on the machine;
in the container (--network=none) loopback is its own too. Needs root,
podman and runc (or a Docker daemon that answers).

Docker (since 20.10) sets net.ipv4.ip_unprivileged_port_start=0 in every
container with a network namespace of its own, so binding port 80 needs no
CAP_NET_BIND_SERVICE there: the docker runs set the sysctl back to the
kernel's default (1024, what the recording saw) with --sysctl, and one
extra run checks Docker's behaviour itself (port 80 without the capability
and without the sysctl binds).

Usage: test_container_caps.py [--engine podman|docker]"""
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import container  # noqa: E402
import mp  # noqa: E402

PORT = 41210  # the sockets sample's TCP port, from this test's range 41200-41299
PY_PORT = 41211  # pyserver's

# label, argv recorded ({s}: the samples directory, {w}: a scratch directory),
# argv in the container (/tmp is a tmpfs there), the capabilities expected and,
# for each, the step the program must report failing without it.
SAMPLES = [
    ("privileged", ["{s}/privileged", "{w}"], ["{s}/privileged", "/tmp"],
     {"CAP_CHOWN": "chown(", "CAP_NET_BIND_SERVICE": "bind(", "CAP_SETGID": "setgroups(", "CAP_SETUID": "setuid("}),
    ("static_hello", ["{s}/static_hello"], ["{s}/static_hello"], {}),
    ("paths", ["{s}/paths", "{w}/p"], ["{s}/paths", "/tmp/p"], {}),
    ("sockets", ["{s}/sockets", "{w}", str(PORT)], ["{s}/sockets", "/tmp", str(PORT)], {}),
    ("threads", ["{s}/threads", "8"], ["{s}/threads", "8"], {}),
    ("forktree", ["{s}/forktree"], ["{s}/forktree"], {}),
    ("pyserver", ["/usr/bin/python3", "{py}", str(PY_PORT)], ["/usr/bin/python3", "{py}", str(PY_PORT)], {}),
]


def docker_run_flags(md_path):
    """The flags of hardening.md's ready-to-paste `docker run` line."""
    with open(md_path) as f:
        md = f.read()
    mp.check("```sh\n" in md, f"{md_path}: no docker run block")
    block = md.split("```sh\n", 1)[1].split("```", 1)[0]
    words = shlex.split(block.replace("\\\n", " "))
    mp.check(words[:2] == ["docker", "run"] and words[-1] == "IMAGE", f"{md_path}: unexpected docker run line {words}")
    return words[2:-1]


# Extra flags for every run: see the docstring.
SYSCTL = []


def run_with_hardening(argv, out, mounts):
    """Run argv in the container with every flag hardening.md proposes
    (AppArmor aside: this kernel has none)."""
    flags = docker_run_flags(os.path.join(out, "hardening.md"))
    caps, extra, user, seccomp, read_only = [], list(SYSCTL), None, "unconfined", False
    i = 0
    while i < len(flags):
        f = flags[i]
        v = flags[i + 1] if i + 1 < len(flags) else None
        if f == "--read-only":
            read_only = True
            i += 1
            continue
        if f == "--cap-drop":
            mp.check(v == "ALL", f"--cap-drop {v}")
        elif f == "--cap-add":
            caps.append(v)
        elif f == "--user":
            user = v
        elif f == "--tmpfs":
            if v.split(":")[0] != "/tmp":  # container.run mounts /tmp already
                extra += ["--tmpfs", v]
        elif f == "--security-opt" and v.startswith("seccomp="):
            seccomp = os.path.join(out, v.split("=", 1)[1])
        elif f == "--security-opt" and v.startswith("apparmor="):
            pass
        elif f in ("--security-opt", "--memory", "--pids-limit"):
            extra += [f, v]
        else:
            mp.fail(f"hardening.md proposes {f} {v}, which this test does not know how to apply")
        i += 2
    rc, so, se = container.run(argv, seccomp=seccomp, caps=caps, mounts=mounts, read_only=read_only, user=user,
                               extra=extra)
    return rc, so, se, flags


def read_caps(path):
    """The capability lines of a caps.txt ('#' starts a comment)."""
    caps = []
    with open(path) as f:
        for line in f:
            word = line.split("#", 1)[0].strip()
            if word:
                caps.append(word)
    return caps


def record_and_generate(name, argv, work):
    trace = os.path.join(work, f"{name}.json")
    out = os.path.join(work, f"{name}-profiles")
    rec = [mp.MINPRIV, "record", "-q", "-o", trace, "--", *argv]
    p = subprocess.run(["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *rec],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    mp.check(p.returncode == 0, f"{name}: recording failed ({p.returncode}): {p.stderr.decode(errors='replace')}")
    rc, _, err = mp.minpriv("generate", "-q", "-o", out, trace)
    mp.check(rc == 0, f"{name}: generate failed: {err}")
    return out


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root", file=sys.stderr)
        sys.exit(77)
    if sys.argv[1:2] == ["--engine"]:
        container.use(sys.argv[2])
    if container.ENGINE == "docker":
        SYSCTL.extend(["--sysctl", "net.ipv4.ip_unprivileged_port_start=1024"])
    container.require()
    for tool in ("unshare", "ip"):
        if not shutil.which(tool):
            print(f"SKIP: {tool} not installed", file=sys.stderr)
            sys.exit(77)
    work = tempfile.mkdtemp(prefix="minpriv-ccaps-")
    os.chmod(work, 0o755)
    samples_dir = os.path.dirname(mp.sample("static_hello"))
    py = os.path.join(os.environ.get("MINPRIV_SOURCE", mp.ROOT), "samples", "workloads", "pyserver.py")
    mounts = [samples_dir, os.path.dirname(py)]
    runs = necessity = hardened = 0
    try:
        for name, rec_argv, run_argv, expected in SAMPLES:
            fill = {"s": samples_dir, "w": work, "py": py}
            rec_argv = [a.format(**fill) for a in rec_argv]
            run_argv = [a.format(**fill) for a in run_argv]
            if name != "pyserver":
                mp.sample(name)
            out = record_and_generate(name, rec_argv, work)
            caps = read_caps(os.path.join(out, "caps.txt"))
            mp.check(sorted(caps) == sorted(expected),
                     f"{name}: caps.txt lists {caps}, expected {sorted(expected)}")
            seccomp = os.path.join(out, "seccomp.json")
            profile = seccomp if os.path.exists(seccomp) else "unconfined"

            rc, so, se = container.run(run_argv, seccomp=profile, caps=caps, mounts=mounts, extra=SYSCTL)
            runs += 1
            mp.check(rc == 0, f"{name}: failed in the container with --cap-drop ALL --cap-add {caps} "
                              f"(seccomp {os.path.basename(profile)}): exit {rc}\n{so}{se}")
            for cap in caps:
                fewer = [c for c in caps if c != cap]
                rc2, so2, se2 = container.run(run_argv, seccomp=profile, caps=fewer, mounts=mounts, extra=SYSCTL)
                runs += 1
                mp.check(rc2 != 0, f"{name}: still passes without {cap}: it was not necessary\n{so2}{se2}")
                step = expected.get(cap)
                mp.check(step is None or step in se2,
                         f"{name}: without {cap} it failed, but not at {step!r}: {se2.strip()}")
                necessity += 1
                if cap == "CAP_NET_BIND_SERVICE" and container.ENGINE == "docker":
                    # Docker's own default: port 80 binds without the capability.
                    rc4, so4, se4 = container.run(run_argv, seccomp=profile, caps=fewer, mounts=mounts)
                    runs += 1
                    mp.check("bind(" not in se4, f"{name}: under Docker's default sysctl, bind still fails without "
                                                 f"{cap}: {se4.strip()}")
            # Every flag hardening.md proposes, at once.
            rc3, so3, se3, flags = run_with_hardening(run_argv, out, mounts)
            runs += 1
            mp.check(rc3 == 0, f"{name}: failed with hardening.md's flags {' '.join(flags)}: exit {rc3}\n{so3}{se3}")
            hardened += 1
            print(f"ok: {name}: {', '.join(caps) if caps else 'no capability'} "
                  f"(seccomp {'seccomp.json' if profile != 'unconfined' else 'unconfined'}); passes with exactly these"
                  + (", fails without any one of them" if caps else "")
                  + f"; passes with hardening.md's flags: {' '.join(flags)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"container proof ({container.ENGINE}): {len(SAMPLES)} samples, {runs} container runs as expected, "
          f"{necessity} necessity checks, {hardened} runs with every hardening.md flag")


if __name__ == "__main__":
    main()
