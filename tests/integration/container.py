"""Run a command in a real container: podman with runc, as the design's
recipe for this machine (no Docker engine here; podman reads the same seccomp
JSON and runc enforces it). The root filesystem is a skeleton with /usr and
/etc bind-mounted read-only, the rest read-only too, /tmp a tmpfs."""
import os
import shutil
import subprocess
import sys
import tempfile

_ROOT = None


def available():
    return shutil.which("podman") is not None and shutil.which("runc") is not None


def rootfs():
    """A skeleton root: empty mount points and the usual /bin -> usr/bin links."""
    global _ROOT
    if _ROOT is None:
        _ROOT = tempfile.mkdtemp(prefix="minpriv-rootfs-")
        os.chmod(_ROOT, 0o755)  # mkdtemp's 0700 would lock out --user runs
        for d in ("usr", "etc", "tmp", "proc", "dev", "sys", "run", "var/tmp", "root"):
            os.makedirs(os.path.join(_ROOT, d), exist_ok=True)
        # As in real images: runc gives a tmpfs the mode of the directory
        # it covers, and a non-root --user needs to write there.
        for d in ("tmp", "var/tmp"):
            os.chmod(os.path.join(_ROOT, d), 0o1777)
        for link in ("bin", "lib", "lib64", "sbin", "lib32"):
            os.symlink(f"usr/{link}", os.path.join(_ROOT, link))
    return _ROOT


def run(argv, seccomp=None, caps=(), mounts=(), read_only=True, user=None, network="none", env=None,
        timeout=300, extra=(), root=None, cap_drop_all=True):
    """Run argv in a container. seccomp: a profile path, or "unconfined".
    caps: capabilities to add after --cap-drop ALL (with cap_drop_all=False:
    added to the runtime's default set). mounts: host paths bind-mounted
    read-only at the same path (a (path, "rw") tuple for read-write, a
    (host path, container path, mode) tuple to mount elsewhere). root: a
    root filesystem of the caller's own, which is then the whole image (the
    host's /usr and /etc are not mounted; it needs /tmp, /proc, /dev and
    /sys directories). Returns (exit status, stdout, stderr)."""
    cmd = ["podman", "--runtime", "runc", "--cgroup-manager", "cgroupfs", "run", "--rm",
           f"--network={network}", "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=4096:4096"]
    if root is None:
        cmd += ["-v", "/usr:/usr:ro", "-v", "/etc:/etc:ro"]
    cmd += ["--tmpfs", "/tmp:rw,exec,mode=1777"]
    if read_only:
        cmd.append("--read-only")
    for m in mounts:
        if isinstance(m, str):
            host, path, mode = m, m, "ro"
        elif len(m) == 2:
            host, path, mode = m[0], m[0], m[1]
        else:
            host, path, mode = m
        cmd += ["-v", f"{host}:{path}:{mode}"]
    if seccomp:
        cmd += ["--security-opt", f"seccomp={seccomp}"]
    if cap_drop_all:
        cmd += ["--cap-drop", "ALL"]
    for c in caps:
        cmd += ["--cap-add", c]
    if user is not None:
        cmd += ["--user", str(user)]
    for k, v in (env or {}).items():
        cmd += ["-e", f"{k}={v}"]
    cmd += list(extra)
    cmd += ["--rootfs", root or rootfs(), *argv]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def require():
    if not available():
        print("SKIP: podman and runc are not installed", file=sys.stderr)
        sys.exit(77)
