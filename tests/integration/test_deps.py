#!/usr/bin/env python3
"""scripts/deps.sh, with fake apt-get, dpkg-query and id on PATH (nothing
is installed): `minpriv_install_deps build` (what scripts/demo runs) asks
apt for the missing build packages only (clang and libbpf-dev among them:
the eBPF recorder is built with clang), never the test suite's tools
(chromium, valgrind, podman...); both apt-get calls wait for the
apt lock (-o DPkg::Lock::Timeout=...); the output says what is being
installed and does not hide apt's own; a failing apt-get gives one clear
line and a non-zero status. `minpriv_install_deps` (scripts/test) asks for
the test tools too. Nothing missing: apt is not called. And scripts/demo
calls the build variant and builds without the tests."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp  # noqa: E402

SOURCE = os.environ.get("MINPRIV_SOURCE", mp.ROOT)


def fake_bin(work, installed, apt_rc=0):
    b = os.path.join(work, f"bin{apt_rc}")
    os.makedirs(b, exist_ok=True)
    log = os.path.join(work, "apt.log")
    scripts = {
        "id": "#!/bin/sh\necho 0\n",
        # dpkg-query -W -f=... PKG: installed ones report "ok installed"
        "dpkg-query": "#!/bin/sh\nfor a; do p=$a; done\ncase \" $INSTALLED \" in *\" $p \"*) "
                      "echo 'install ok installed';; *) exit 1;; esac\n",
        "apt-get": f"#!/bin/sh\necho \"apt-get $*\" >> {log}\necho 'Reading package lists... Done'\nexit {apt_rc}\n",
    }
    for name, text in scripts.items():
        with open(os.path.join(b, name), "w") as f:
            f.write(text)
        os.chmod(os.path.join(b, name), 0o755)
    return b, log


def run(work, what, installed, apt_rc=0):
    b, log = fake_bin(work, installed, apt_rc)
    if os.path.exists(log):
        os.unlink(log)
    env = {"PATH": b + ":/usr/bin:/bin", "INSTALLED": " ".join(installed)}
    p = subprocess.run(["sh", "-c", f". {SOURCE}/scripts/deps.sh; minpriv_install_deps {what}"], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    calls = open(log).read().splitlines() if os.path.exists(log) else []
    return p.returncode, p.stdout.decode() + p.stderr.decode(), calls


def packages(var):
    p = subprocess.run(["sh", "-c", f". {SOURCE}/scripts/deps.sh; echo ${var}"], stdout=subprocess.PIPE, timeout=30)
    return p.stdout.decode().split()


def main():
    work = mp.tmpdir()
    build, full = packages("minpriv_build_packages"), packages("minpriv_packages")
    mp.check(build and set(build) <= set(full), f"build packages {build} not all in the full list")
    tools = {"chromium", "valgrind", "podman", "docker-compose", "lintian"}
    mp.check(not tools & set(build), f"the build set has test tools: {tools & set(build)}")
    mp.check({"clang", "libbpf-dev"} <= set(build), f"the build set lacks the eBPF recorder's tools: {build}")

    # demo: two build packages missing
    have = [p for p in build if p not in ("cmake", "libapparmor-dev")]
    rc, out, calls = run(work, "build", have)
    mp.check(rc == 0 and len(calls) == 2, f"build: exit {rc}, apt calls {calls}\n{out}")
    mp.check(all("DPkg::Lock::Timeout=" in c for c in calls), f"apt-get without the lock timeout: {calls}")
    mp.check(" update" in calls[0] and calls[1].endswith("install -y -q --no-install-recommends cmake libapparmor-dev"),
             f"apt calls: {calls}")
    mp.check("cmake libapparmor-dev" in out and "Reading package lists" in out and "apt lock" in out,
             f"output hides what happens: {out}")
    # scripts/test: the tools too
    rc, out, calls = run(work, "", build)
    mp.check(rc == 0 and any("chromium" in c and "install" in c for c in calls), f"test deps: {calls}")
    # nothing missing
    rc, out, calls = run(work, "build", build)
    mp.check(rc == 0 and not calls, f"nothing missing, yet apt ran: {calls}")
    # apt fails
    rc, out, calls = run(work, "build", have, apt_rc=100)
    mp.check(rc != 0 and "failed; install by hand: cmake libapparmor-dev" in out, f"apt failure: {rc}\n{out}")
    demo = open(os.path.join(SOURCE, "scripts", "demo")).read()
    mp.check("minpriv_install_deps build" in demo and "-DMINPRIV_TESTS=OFF" in demo, "scripts/demo installs or builds more")
    print(f"ok: demo installs {len(build)} build packages at most (the full list has {len(full)}), apt waits for its "
          f"lock, progress shown, failures explained")


if __name__ == "__main__":
    main()
