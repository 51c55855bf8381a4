#!/usr/bin/env python3
"""Generated seccomp profiles in a real container: record a workload on the
host with `minpriv record`, generate its profile with `minpriv generate`
(runc template, default action EPERM), run the workload in a container
(podman + runc, or the Docker Engine with --engine docker) under that
profile with --cap-drop ALL (plus the capabilities the trace shows as
needed), a read-only root, a tmpfs /tmp and no-new-privileges when
hardening.md advises it, and check that it passes.

Negative control: the same profile without one syscall the workload made
(one that the runtime template does not list, so runc itself still starts)
must make the workload fail inside a container that did start: proof that
the profile is what runc enforces. For static_hello the control is also run
with --default-action kill (the workload is killed by SIGSYS) and with
--default-action log (complain mode: the same call is only logged, the
workload passes).

Prints the profile's size (syscalls allowed on x86_64, counted with the
evaluator) next to Docker's default.

The i386 cases (int80, hello32) skip on kernels that refuse i386 code.

Usage: test_container_seccomp.py [--engine podman|docker] CASE"""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import container  # noqa: E402
import mp  # noqa: E402

SOURCE = os.environ.get("MINPRIV_SOURCE", mp.ROOT)
WORKLOADS = os.path.join(SOURCE, "samples", "workloads")
SECCOMP_EVAL = os.environ.get("MINPRIV_SECCOMP_EVAL",
                              os.path.join(os.path.dirname(mp.MINPRIV), "..", "tests", "seccomp-eval"))
DOCKER_DEFAULT = os.path.join(SOURCE, "tests", "data", "docker-default-seccomp.json")
# This test's loopback ports: 41020-41039 and 42060-42062 under podman, the
# same plus 500 under Docker. The containers share the host's network and the
# two engines' cases run in parallel: a server of one answering the other's
# client (and its SHUTDOWN) made both fail.
PORT = 41020
OFFSET = {"podman": 0, "docker": 500}


# name: (argv on the host, argv in the container, text the output must
# contain, the syscall the negative control removes)
def cases(work, off=0):
    def s(n):
        return os.path.abspath(os.path.join(mp.SAMPLES, n))

    return {
        "static_hello": ([s("static_hello")], None, "hello", "arch_prctl"),
        "threads": ([s("threads"), "8"], None, "threads=8", "clone3"),
        "forktree": ([s("forktree")], None, "forktree done, 0 failures", "vfork"),
        "thread_exec": ([s("thread_exec")], None, "exec from a thread", "clone3"),
        "int80": ([s("int80")], None, "i386 getpid=ok", "pread64"),
        "hello32": ([s("hello32")], None, "hello from 32-bit code", "set_thread_area"),
        "paths": ([s("paths"), os.path.join(work, "paths")], [s("paths"), "/tmp/paths"], "paths done",
                  "mkdirat"),
        "sockets": ([s("sockets"), work, str(PORT + off)], [s("sockets"), "/tmp", str(PORT + off)], "sockets done", "socket"),
        "signals": ([s("signals")], None, "usr1=1 usr2 before=0 after=1 stopped=1 exited7=1 termed=1",
                    "rt_sigaction"),
        "pyserver": (["/usr/bin/python3", os.path.join(WORKLOADS, "pyserver.py"), str(PORT + off + 2)], None,
                     "pyserver: 4 requests", "bind"),
        "pipeline": (["/bin/sh", os.path.join(WORKLOADS, "pipeline.sh"), "/usr/include/linux", work],
                     ["/bin/sh", os.path.join(WORKLOADS, "pipeline.sh"), "/usr/include/linux", "/tmp"],
                     "pipeline: ", "pipe2"),
        "compile": (["/bin/sh", os.path.join(WORKLOADS, "compile.sh"), work],
                    ["/bin/sh", os.path.join(WORKLOADS, "compile.sh"), "/tmp"], "compiled ok", "wait4"),
        # Servers that drop privileges (root master, unprivileged workers or
        # server): the capabilities come from caps.txt; ports 42060-42062.
        "nginx": (["/bin/sh", os.path.join(WORKLOADS, "nginx.sh"), work, str(42060 + off)],
                  ["/bin/sh", os.path.join(WORKLOADS, "nginx.sh"), "/tmp", str(42060 + off)], "requests served", "bind"),
        "postgres": (["/bin/sh", os.path.join(WORKLOADS, "postgres.sh"), work, str(42061 + off)],
                     ["/bin/sh", os.path.join(WORKLOADS, "postgres.sh"), "/tmp", str(42061 + off)], "postgres: pgbench done",
                     "bind"),
        "redis": (["/bin/sh", os.path.join(WORKLOADS, "redis.sh"), work, str(42062 + off)],
                  ["/bin/sh", os.path.join(WORKLOADS, "redis.sh"), "/tmp", str(42062 + off)],
                  "redis: benchmark and snapshot done", "bind"),
    }


def caps_needed(trace):
    """What gen_caps_needed() computes: capabilities with a successful reason."""
    out = []
    for cap, reasons in sorted(trace.get("capabilities", {}).items()):
        if any(r.get("results", {}).get("ok") for r in reasons.values()):
            out.append(cap)
    return out


def count_allowed(profile):
    p = subprocess.run([SECCOMP_EVAL, profile, "count"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    mp.check(p.returncode == 0, f"seccomp-eval {profile}: {p.stderr.decode()}")
    return int(p.stdout.split()[1])


def without(profile, name, out):
    with open(profile) as f:
        p = json.load(f)
    found = False
    groups = []
    for g in p["syscalls"]:
        if name in g["names"]:
            found = True
            g["names"] = [n for n in g["names"] if n != name]
        if g["names"]:
            groups.append(g)
    mp.check(found, f"{name} is not in the generated profile")
    p["syscalls"] = groups
    with open(out, "w") as f:
        json.dump(p, f, indent=1)
    return out


def generate(trace, outdir, *extra):
    rc, _, err = mp.minpriv("generate", "-q", "-o", outdir, *extra, trace)
    mp.check(rc == 0, f"minpriv generate {' '.join(extra)}: exit {rc}: {err}")
    return os.path.join(outdir, "seccomp.json")


def run(argv, profile, caps, mounts, extra=()):
    return container.run(argv, seccomp=profile, caps=caps, mounts=mounts, timeout=300, extra=extra)


def advised_flags(profiles):
    """The hardening flags of hardening.md's docker run line that every case
    can take as they are: no-new-privileges (where advised). --read-only and
    a tmpfs /tmp are container.run's defaults."""
    with open(os.path.join(profiles, "hardening.md")) as f:
        md = f.read()
    return ["--security-opt", "no-new-privileges"] if "  --security-opt no-new-privileges \\\n" in md else []


def started(err):
    """Whether the runtime started the workload (its own failures say so)."""
    return "OCI runtime" not in err and "runc create failed" not in err


def main():
    args = sys.argv[1:]
    if args[:1] == ["--engine"]:
        container.use(args[1])
        args = args[2:]
    container.require()
    name = args[0]
    work = mp.tmpdir()
    os.chmod(work, 0o1777)  # the servers' unprivileged users work here too
    table = cases(work, OFFSET[container.ENGINE])
    mp.check(name in table, f"unknown case {name}")
    host_argv, ctr_argv, expect, removed = table[name]
    if host_argv[0].startswith(os.path.abspath(mp.SAMPLES)):
        mp.sample(os.path.basename(host_argv[0]))  # skips (77) when not built
    if name in ("int80", "hello32"):
        mp.require_i386(name)
    ctr_argv = ctr_argv or host_argv
    mounts = [os.path.abspath(mp.SAMPLES), WORKLOADS]

    trace_path = os.path.join(work, "trace.json")
    status, trace, err = mp.record(host_argv, out=trace_path)
    mp.check(status == 0, f"{name}: the workload failed on the host under minpriv record ({status}): {err}")
    profile = generate(trace_path, os.path.join(work, "profiles"))
    flags = advised_flags(os.path.join(work, "profiles"))
    caps = caps_needed(trace)
    allowed = count_allowed(profile)
    docker = count_allowed(DOCKER_DEFAULT)

    rc, out, err = run(ctr_argv, profile, caps, mounts, flags)
    mp.check(rc == 0 and expect in out,
             f"{name}: failed in the container under its profile: exit {rc}\nstdout: {out}\nstderr: {err}")

    # negative control
    with open(os.path.join(SOURCE, "templates", "runc.json")) as f:
        runtime_needs = set(json.load(f)["syscalls"])
    mp.check(removed not in runtime_needs, f"{removed} is in the runc template; pick another control")
    neg = without(profile, removed, os.path.join(work, "without.json"))
    nrc, nout, nerr = run(ctr_argv, neg, caps, mounts, flags)
    mp.check(started(nerr), f"{name}: runc did not even start without {removed}: {nerr}")
    mp.check(nrc != 0 or expect not in nout,
             f"{name}: the workload still passed without {removed}: the profile is not enforced")
    summary = [f"without '{removed}' it fails (exit {nrc})"]

    if name == "static_hello":
        kill = without(generate(trace_path, os.path.join(work, "kill"), "--default-action", "kill"), removed,
                       os.path.join(work, "kill-without.json"))
        krc, _, kerr = run(ctr_argv, kill, caps, mounts, flags)
        mp.check(krc == 128 + 31, f"default-action kill without {removed}: exit {krc}, expected SIGSYS (159): {kerr}")
        log = without(generate(trace_path, os.path.join(work, "log"), "--default-action", "log"), removed,
                      os.path.join(work, "log-without.json"))
        lrc, lout, lerr = run(ctr_argv, log, caps, mounts, flags)
        mp.check(lrc == 0 and expect in lout, f"default-action log without {removed}: exit {lrc}: {lerr}")
        summary.append("with --default-action kill it is killed by SIGSYS, with log it passes")

    shutil.rmtree(work, ignore_errors=True)
    engine = "docker" if container.ENGINE == "docker" else "podman+runc"
    print(f"ok: {name}: runs in {engine} under its profile {' '.join(flags)} ({allowed} syscalls allowed on x86_64, Docker's "
          f"default {docker}; caps: {', '.join(caps) or 'none'}); {'; '.join(summary)}")


if __name__ == "__main__":
    main()
