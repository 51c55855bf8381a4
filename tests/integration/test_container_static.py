#!/usr/bin/env python3
"""Recording inside a container, the way docs/recording.md recommends: the static
minpriv is mounted read-only into an image that has nothing else of it (no
/usr, no shared library minpriv could use) and put in front of the
entrypoint with --entrypoint, the recording run gets --cap-add SYS_PTRACE
--security-opt seccomp=unconfined, and the trace goes to a mounted
directory. The paths in the trace must be the container's, not the host's.

The image is built here from scratch: /app/hello (a static program), /app/paths
(a dynamic one) with the two shared objects it needs copied to
/lib/x86_64-linux-gnu and /lib64 as real directories (no /usr at all, unlike
the host's merged /usr), plus the empty mount points. Checks:
  1. `minpriv --version` runs in an image that holds only the binary;
  2. the static program recorded in front of its entrypoint: exit status,
     command, its files at container paths;
  3. the dynamic program with --stacks: the loader and libc at the image's
     paths, its scratch files under the container's /tmp, stack modules at
     container paths, nothing under /usr and no host path anywhere;
  4. `minpriv generate` on the host reads the trace; files-used.txt lists
     the image's files; when generate writes seccomp.json, the program runs
     under it (and caps.txt) in the same image, read-only.
Needs root, podman and runc, and the static binary (MINPRIV_STATIC_BIN: the
minpriv-static target, or minpriv itself in a -DMINPRIV_STATIC=ON build)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import container  # noqa: E402
import mp  # noqa: E402

IN_CTR = "/usr/local/bin/minpriv"  # where the binary is mounted (docs/recording.md's recipe)


def make_image(work, samples):
    root = os.path.join(work, "rootfs")
    for d in ("proc", "dev", "sys", "tmp", "app", "out"):
        os.makedirs(os.path.join(root, d))
    os.chmod(root, 0o755)
    os.chmod(os.path.join(root, "tmp"), 0o1777)
    shutil.copy2(os.path.join(samples, "static_hello"), os.path.join(root, "app", "hello"))
    dyn = os.path.join(samples, "paths")
    shutil.copy2(dyn, os.path.join(root, "app", "paths"))
    # Its shared objects at the paths the loader looks at, as plain
    # directories: the host has /lib -> usr/lib, the image does not.
    ldd = subprocess.run(["ldd", dyn], stdout=subprocess.PIPE, check=True).stdout.decode()
    libs = {}
    for line in ldd.splitlines():
        words = line.split()
        if "=>" in words and len(words) >= 3 and words[2].startswith("/"):
            libs[words[0]] = words[2]  # libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6
        elif words and words[0].startswith("/"):
            libs[words[0]] = words[0]  # /lib64/ld-linux-x86-64.so.2
    placed = []
    for name, host in libs.items():
        dest = name if name.startswith("/") else "/lib/x86_64-linux-gnu/" + name
        os.makedirs(os.path.dirname(root + dest), exist_ok=True)
        shutil.copy2(os.path.realpath(host), root + dest)
        placed.append(dest)
    mp.check(any(p.startswith("/lib64/") for p in placed), f"no loader among {libs}")
    return root, sorted(placed)


def record_in_container(static_bin, root, out, argv, extra_args=()):
    """`minpriv record` in front of the entrypoint argv; returns the trace."""
    trace_in_ctr = "/out/trace.json"
    rc, so, se = container.run(
        ["record", "-q", *extra_args, "-o", trace_in_ctr, "--", *argv],
        root=root, read_only=False, cap_drop_all=False, caps=("CAP_SYS_PTRACE",), seccomp="unconfined",
        mounts=[(static_bin, IN_CTR, "ro"), (out, "/out", "rw")],
        extra=["--entrypoint", IN_CTR])
    mp.check(rc == 0, f"recording {argv} in the container: exit {rc}\n{so}{se}")
    with open(os.path.join(out, "trace.json")) as f:
        return json.load(f)


def all_strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield k
            yield from all_strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from all_strings(v)


def ok_access(trace, path, kind):
    node = trace["files"].get(path)
    return node is not None and "ok" in node.get("access", {}).get(kind, {})


def no_host_paths(trace, host_dirs, what):
    for s in all_strings(trace):
        for h in host_dirs:
            mp.check(h not in s, f"{what}: the trace names a host path: {s!r} (contains {h})")


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root", file=sys.stderr)
        sys.exit(77)
    container.require()
    static_bin = os.environ.get("MINPRIV_STATIC_BIN", "")
    if not static_bin or not os.path.isfile(static_bin):
        print("SKIP: no static minpriv in this build (sanitizer build?)", file=sys.stderr)
        sys.exit(77)
    file_out = subprocess.run(["file", "-b", static_bin], stdout=subprocess.PIPE).stdout.decode() \
        if shutil.which("file") else "statically linked"
    mp.check("statically linked" in file_out or "static-pie" in file_out, f"{static_bin} is not static: {file_out}")
    samples = os.path.dirname(mp.sample("static_hello"))
    mp.sample("paths")
    work = tempfile.mkdtemp(prefix="minpriv-cstatic-")
    os.chmod(work, 0o755)
    host_dirs = [work, samples, os.path.dirname(os.path.abspath(static_bin))]
    try:
        # 1. Nothing in the image but mount points and the binary.
        empty = os.path.join(work, "empty")
        for d in ("proc", "dev", "sys", "tmp"):
            os.makedirs(os.path.join(empty, d))
        os.chmod(empty, 0o755)
        rc, so, se = container.run(["--version"], root=empty, mounts=[(static_bin, "/minpriv", "ro")],
                                   extra=["--entrypoint", "/minpriv"])
        mp.check(rc == 0 and so.startswith("minpriv "), f"--version in an empty image: exit {rc}\n{so}{se}")
        print(f"ok: runs in an image with nothing but itself: {so.strip()}")

        root, libs = make_image(work, samples)

        # 2. A static program in front of its entrypoint.
        out = os.path.join(work, "out-hello")
        os.makedirs(out)
        t = record_in_container(static_bin, root, out, ["/app/hello"])
        run = t["runs"][0]
        mp.check(run["command"] == ["/app/hello"], f"hello: command {run['command']}")
        mp.check(run["exit"]["status"] == 0, f"hello: exit {run['exit']}")
        mp.check(ok_access(t, "/app/hello", "exec"), "hello: no exec of /app/hello")
        mp.check(ok_access(t, "/tmp/static_hello.out", "create"), "hello: no create of /tmp/static_hello.out")
        mp.check("/app/hello" in t["syscalls"]["x86_64"]["write"]["programs"], "hello: write not by /app/hello")
        no_host_paths(t, host_dirs, "hello")
        print(f"ok: static program recorded in front of its entrypoint: {sorted(t['files'])}")

        # 3. A dynamic program, its libraries where the image has them, with stacks.
        out = os.path.join(work, "out-paths")
        os.makedirs(out)
        t = record_in_container(static_bin, root, out, ["/app/paths", "/tmp/w"], ["--stacks"])
        run = t["runs"][0]
        mp.check(run["exit"]["status"] == 0, f"paths: exit {run['exit']}")
        mp.check(run["command"] == ["/app/paths", "/tmp/w"], f"paths: command {run['command']}")
        mp.check(ok_access(t, "/app/paths", "exec"), "paths: no exec of /app/paths")
        for lib in libs:
            mp.check(ok_access(t, lib, "mmap_exec"), f"paths: {lib} not mapped executable at the image's path")
            mp.check("resolved" not in t["files"][lib], f"paths: {lib} resolved elsewhere: {t['files'][lib]}")
        mp.check(ok_access(t, "/tmp/w/d/f", "create"), "paths: no create of /tmp/w/d/f")
        under_usr = [p for p in t["files"] if p == "/usr" or p.startswith("/usr/")]
        mp.check(not under_usr, f"paths: the image has no /usr, yet the trace has {under_usr}")
        modules = set()
        for node in t["syscalls"]["x86_64"].values():
            for u in node["programs"].values():
                modules.update(fr.get("module") for fr in u.get("stack", []))
        modules.discard(None)
        # The first execve's stack is the recorder's own child calling it:
        # minpriv at its container path.
        mp.check(modules and modules <= set(libs) | {"/app/paths", IN_CTR},
                 f"paths: stack modules {sorted(modules)} are not the image's files")
        no_host_paths(t, host_dirs, "paths")
        print(f"ok: dynamic program: loader and libc at {libs}, stack modules {sorted(modules)}, "
              f"{len(t['files'])} paths, none of the host's")

        # 4. The host generates from it; the profiles describe the image.
        prof = os.path.join(work, "profiles")
        rc, _, err = mp.minpriv("generate", "-q", "-o", prof, os.path.join(out, "trace.json"))
        mp.check(rc == 0, f"generate: {err}")
        with open(os.path.join(prof, "files-used.txt")) as f:
            used = f.read()
        for p in ["/app/paths", *libs]:
            mp.check(f"\n{p}\n" in "\n" + used, f"files-used.txt does not list {p}:\n{used}")
        seccomp = os.path.join(prof, "seccomp.json")
        if os.path.exists(seccomp):
            with open(os.path.join(prof, "caps.txt")) as f:
                caps = [w for w in (line.split("#", 1)[0].strip() for line in f) if w]
            rc, so, se = container.run(["/app/paths", "/tmp/w"], root=root, seccomp=seccomp, caps=caps)
            mp.check(rc == 0, f"paths under its generated seccomp.json in the image: exit {rc}\n{so}{se}")
            print(f"ok: the program runs in the same image under the generated seccomp.json, caps {caps or 'none'}")
        else:
            print("note: generate wrote no seccomp.json in this build; enforcement not checked")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
