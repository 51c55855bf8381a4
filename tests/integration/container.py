"""Run a command in a real container, with one of two engines:

- podman with runc (the default; the design's recipe for this machine):
  the root filesystem is a skeleton directory given with --rootfs;
- the Docker Engine (`use("docker")`, or MINPRIV_CONTAINER_ENGINE=docker):
  there is no image registry, so the same skeleton (or a caller's own root)
  is turned into an image with `docker import` from a tarball, tagged by the
  hash of its contents (identical roots share one image; concurrent runs
  import the same bytes).

Either way /usr and /etc are bind-mounted read-only from the host, the rest
is read-only too (--read-only), /tmp is a tmpfs. Every run has a timeout:
a container still running when it expires is killed and the run returns
124 (a missing syscall in a server shows as a hang)."""
import hashlib
import io
import itertools
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

_ROOT = None
_IMAGES = {}
_COUNTER = itertools.count()
ENGINE = os.environ.get("MINPRIV_CONTAINER_ENGINE", "podman")
# Prefix of docker image and container names (several test runs may share
# one daemon).
PREFIX = os.environ.get("MINPRIV_CONTAINER_PREFIX", "minpriv-test")


def use(engine):
    """Select the engine for the following runs: "podman" or "docker"."""
    global ENGINE
    if engine not in ("podman", "docker"):
        raise ValueError(f"unknown container engine {engine}")
    ENGINE = engine


def docker_answers():
    """Whether a Docker daemon answers (the client alone is not enough)."""
    if shutil.which("docker") is None:
        return False
    try:
        p = subprocess.run(["docker", "version", "--format", "{{.Server.Version}}"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=30)
    except subprocess.TimeoutExpired:
        return False
    return p.returncode == 0 and p.stdout.strip() != b""


def why_unavailable(engine=None):
    """None when the engine can run containers here, else the reason."""
    engine = engine or ENGINE
    if engine == "docker":
        if shutil.which("docker") is None:
            return "the docker client is not installed"
        if not docker_answers():
            return "no Docker daemon answers (docker version)"
        return None
    if shutil.which("podman") is None or shutil.which("runc") is None:
        return "podman and runc are not installed"
    return None


def available(engine=None):
    return why_unavailable(engine) is None


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


def _tarball(root):
    """root as a deterministic tarball (sorted names, mtime 0, owner root)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        def add(path, arc):
            info = tar.gettarinfo(path, arc)
            info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "root", "root"
            if info.isreg():
                with open(path, "rb") as f:
                    tar.addfile(info, f)
            else:
                tar.addfile(info)
            if info.isdir():
                for name in sorted(os.listdir(path)):
                    add(os.path.join(path, name), f"{arc}/{name}")
        add(root, ".")
    return buf.getvalue()


def image(root=None):
    """The docker image holding root (default: the skeleton), imported once."""
    root = root or rootfs()
    if root not in _IMAGES:
        data = _tarball(root)
        tag = f"{PREFIX}-root:{hashlib.sha256(data).hexdigest()[:16]}"
        have = subprocess.run(["docker", "image", "inspect", tag], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=60)
        if have.returncode != 0:
            p = subprocess.run(["docker", "import", "-", tag], input=data, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=300)
            if p.returncode != 0:
                raise RuntimeError(f"docker import {tag}: {p.stderr.decode(errors='replace')}")
        _IMAGES[root] = tag
    return _IMAGES[root]


def run(argv, seccomp=None, caps=(), mounts=(), read_only=True, user=None, network="none", env=None,
        timeout=300, extra=(), root=None, cap_drop_all=True):
    """Run argv in a container. seccomp: a profile path, or "unconfined".
    caps: capabilities to add after --cap-drop ALL (with cap_drop_all=False:
    added to the runtime's default set). mounts: host paths bind-mounted
    read-only at the same path (a (path, "rw") tuple for read-write, a
    (host path, container path, mode) tuple to mount elsewhere). root: a
    root filesystem of the caller's own, which is then the whole image (the
    host's /usr and /etc are not mounted; it needs /tmp, /proc, /dev and
    /sys directories). extra: engine flags as they are (both engines take
    the docker run spelling of the ones the tests use). timeout: seconds
    before the container is killed (status 124). Returns (exit status,
    stdout, stderr)."""
    docker = ENGINE == "docker"
    name = f"{PREFIX}-{os.getpid()}-{next(_COUNTER)}"
    if docker:
        cmd = ["docker", "run", "--rm", "--name", name]
    else:
        cmd = ["podman", "--runtime", "runc", "--cgroup-manager", "cgroupfs", "run", "--rm", "--name", name,
               "--timeout", str(timeout)]
    cmd += [f"--network={network}", "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=4096:4096"]
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
    if docker:
        cmd += [image(root), *argv]
    else:
        cmd += ["--rootfs", root or rootfs(), *argv]
    limit = timeout if docker else timeout + 60  # podman's --timeout kills it first
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=limit)
    except subprocess.TimeoutExpired as e:
        subprocess.run([ENGINE, "rm", "-f", name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
        return 124, (e.stdout or b"").decode(errors="replace"), (e.stderr or b"").decode(errors="replace") + \
            f"\n[container {name} killed after {limit}s]"
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def require(engine=None):
    why = why_unavailable(engine)
    if why is not None:
        print(f"SKIP: {why}", file=sys.stderr)
        sys.exit(77)
