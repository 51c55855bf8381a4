#!/usr/bin/env python3
"""hardening.md's compose snippet, run by docker-compose on the Docker
Engine: each sample is recorded, its profiles generated, and the ```yaml
block of hardening.md written out as docker-compose.yml next to
seccomp.json (the snippet's paths are relative to the compose file) with
only what the snippet leaves to the user filled in: the image (a skeleton
root made with `docker import`), the command, the host's /usr and /etc and
the samples as read-only volumes, network_mode none, and for Docker the
kernel's default ip_unprivileged_port_start (see test_container_caps.py).
`docker-compose up --exit-code-from` must pass.

Negative controls: the same compose file with one syscall the workload
needs removed from seccomp.json must fail (compose really passes the
profile), and, for the sample needing capabilities, without one cap_add
line it must fail at that step.

Skips when docker-compose is missing or no Docker daemon answers."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import container  # noqa: E402
import mp  # noqa: E402

SOURCE = os.environ.get("MINPRIV_SOURCE", mp.ROOT)
PY = os.path.join(SOURCE, "samples", "workloads", "pyserver.py")
PY_PORT = 43010  # this test's port (range 43010-43019)

# name, argv recorded ({s}: samples, {w}: scratch dir), argv in the
# container, the syscall the negative control removes, (capability, step)
# for a capability control
CASES = [
    ("static_hello", ["{s}/static_hello"], ["{s}/static_hello"], "arch_prctl", None),
    ("privileged", ["{s}/privileged", "{w}"], ["{s}/privileged", "/tmp"], "setgroups", ("CAP_CHOWN", "chown(")),
    ("pyserver", ["/usr/bin/python3", PY, str(PY_PORT)], ["/usr/bin/python3", PY, str(PY_PORT)], "bind", None),
]


def compose_block(md_path):
    with open(md_path) as f:
        md = f.read()
    mp.check("```yaml\n" in md, f"{md_path}: no compose block")
    return md.split("```yaml\n", 1)[1].split("```", 1)[0]


def fill(block, image, argv, mounts):
    """The snippet with what it leaves to the user filled in."""
    mp.check(block.count("image: IMAGE\n") == 1, f"compose block without one 'image: IMAGE': {block}")
    y = block.replace("image: IMAGE\n", f"image: {image}\n")
    y += "    network_mode: none\n"
    y += "    sysctls:\n      - net.ipv4.ip_unprivileged_port_start=1024\n"
    y += "    volumes:\n" + "".join(f"      - {json.dumps(m + ':' + m + ':ro')}\n" for m in mounts)
    y += "    command: " + json.dumps(argv) + "\n"
    return y


def up(directory, project, service):
    """docker-compose up in directory; returns (exit status, output)."""
    base = ["docker-compose", "-p", project, "-f", os.path.join(directory, "docker-compose.yml")]
    try:
        p = subprocess.run(base + ["up", "--abort-on-container-exit", "--exit-code-from", service],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=180, cwd=directory)
        rc, out = p.returncode, p.stdout.decode(errors="replace")
    except subprocess.TimeoutExpired:
        rc, out = 124, "timed out"
    subprocess.run(base + ["down", "-v", "-t", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=180, cwd=directory)
    return rc, out


def without_syscall(profile, name):
    with open(profile) as f:
        p = json.load(f)
    before = sum(len(g["names"]) for g in p["syscalls"])
    for g in p["syscalls"]:
        g["names"] = [n for n in g["names"] if n != name]
    p["syscalls"] = [g for g in p["syscalls"] if g["names"]]
    mp.check(sum(len(g["names"]) for g in p["syscalls"]) < before, f"{name} is not in {profile}")
    with open(profile, "w") as f:
        json.dump(p, f, indent=1)


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root", file=sys.stderr)
        sys.exit(77)
    if shutil.which("docker-compose") is None:
        print("SKIP: docker-compose is not installed", file=sys.stderr)
        sys.exit(77)
    container.use("docker")
    container.require()
    for tool in ("unshare", "ip"):
        if not shutil.which(tool):
            print(f"SKIP: {tool} not installed", file=sys.stderr)
            sys.exit(77)
    image = container.image()
    work = tempfile.mkdtemp(prefix="minpriv-compose-")
    os.chmod(work, 0o755)
    samples = os.path.dirname(mp.sample("static_hello"))
    mounts = ["/usr", "/etc", samples, os.path.dirname(PY)]
    runs = controls = 0
    try:
        for name, rec, argv, removed, cap_control in CASES:
            if name != "pyserver":
                mp.sample(name)
            fillin = {"s": samples, "w": work}
            rec = [a.format(**fillin) for a in rec]
            argv = [a.format(**fillin) for a in argv]
            trace = os.path.join(work, f"{name}.json")
            out = os.path.join(work, name)
            p = subprocess.run(["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", mp.MINPRIV,
                                "record", "-q", "-o", trace, "--", *rec], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=300)
            mp.check(p.returncode == 0, f"{name}: recording failed: {p.stderr.decode(errors='replace')}")
            rc, _, err = mp.minpriv("generate", "-q", "-o", out, trace)
            mp.check(rc == 0, f"{name}: generate: {err}")
            block = compose_block(os.path.join(out, "hardening.md"))
            service = block.split("services:\n", 1)[1].split(":", 1)[0].strip()
            yml = fill(block, image, argv, mounts)
            with open(os.path.join(out, "docker-compose.yml"), "w") as f:
                f.write(yml)
            project = f"{container.PREFIX}-{os.getpid()}-{name}".replace("_", "-").lower()

            rc, log = up(out, project, service)
            runs += 1
            mp.check(rc == 0, f"{name}: docker-compose up failed ({rc}) with\n{yml}\n{log}")

            if cap_control:
                cap, step = cap_control
                mp.check(f"      - {cap}\n" in yml, f"{name}: {cap} not in the snippet")
                with open(os.path.join(out, "docker-compose.yml"), "w") as f:
                    f.write(yml.replace(f"      - {cap}\n", ""))
                rc, log = up(out, project, service)
                runs += 1
                mp.check(rc != 0 and step in log, f"{name}: without cap_add {cap}: exit {rc}, expected a failure at "
                                                  f"{step!r}:\n{log}")
                controls += 1
                with open(os.path.join(out, "docker-compose.yml"), "w") as f:
                    f.write(yml)

            without_syscall(os.path.join(out, "seccomp.json"), removed)
            rc, log = up(out, project, service)
            runs += 1
            mp.check(rc != 0 and "OCI runtime" not in log,
                     f"{name}: still passed (or did not start) without {removed} in seccomp.json: exit {rc}\n{log}")
            controls += 1
            print(f"ok: {name}: docker-compose up passes with hardening.md's snippet; fails without '{removed}'"
                  + (f" and without cap_add {cap_control[0]}" if cap_control else ""))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"compose: {len(CASES)} samples, {runs} docker-compose runs as expected ({controls} negative controls)")


if __name__ == "__main__":
    main()
