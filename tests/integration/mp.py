"""Helpers shared by the integration tests: run minpriv, read traces,
parse strace output, name syscalls per ABI through libseccomp."""
import atexit
import ctypes
import shutil
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Every test process gets its own TMPDIR, inherited by the samples it runs:
# tests run in parallel (ctest -j) and some samples use fixed names in it.
_PRIVATE_TMP = tempfile.mkdtemp(prefix="minpriv-test-")
os.chmod(_PRIVATE_TMP, 0o1777)  # like /tmp: unprivileged runs write here too
os.environ["TMPDIR"] = _PRIVATE_TMP
tempfile.tempdir = None
atexit.register(shutil.rmtree, _PRIVATE_TMP, True)
MINPRIV = os.environ.get("MINPRIV", os.path.join(ROOT, "build", "cli", "minpriv"))
SAMPLES = os.environ.get("MINPRIV_SAMPLES", os.path.join(os.path.dirname(MINPRIV), "..", "samples"))

_seccomp = ctypes.CDLL("libseccomp.so.2")
_seccomp.seccomp_syscall_resolve_num_arch.restype = ctypes.c_void_p
_seccomp.seccomp_syscall_resolve_num_arch.argtypes = [ctypes.c_uint32, ctypes.c_int]
_libc = ctypes.CDLL(None)
_libc.free.argtypes = [ctypes.c_void_p]
ARCH = {"x86_64": 0xC000003E, "i386": 0x40000003, "x32": 0x4000003E}
X32_BIT = 0x40000000


def syscall_name(abi, nr):
    p = _seccomp.seccomp_syscall_resolve_num_arch(ARCH[abi], nr)
    if not p:
        return None
    name = ctypes.string_at(p).decode()
    _libc.free(p)
    return name


# Calls whose presence depends on timing, not on the program's logic.
TIMING = {
    # Threads: whether a futex wait/wake happens depends on contention, and
    # glibc may madvise a finished thread's stack away.
    "threads": {"futex", "madvise"},
    # A thread blocked in pause() is killed by the exec in the other thread
    # (the execer waits until it is in pause()); whether the execer gets to
    # futex is a race.
    "thread_exec": {"futex"},
    # The parent may or may not have reached waitpid before the child stops.
    "signals": {"restart_syscall"},
}

def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


# Samples that only do what they test when the kernel runs i386 code
# (int $0x80 from 64-bit code; a 32-bit executable).
I386_SAMPLES = {"int80", "hello32", "setids32"}


def require_i386_kernel(what):
    """Skip (exit 77) with the probe's reason unless the kernel runs i386
    code (tests/tools/i386-probe.c; some kernels have no IA32 emulation)."""
    probe = os.environ.get("MINPRIV_I386_PROBE", os.path.join(os.path.dirname(MINPRIV), "..", "tests", "i386-probe"))
    if not os.path.exists(probe):
        fail(f"{what}: the i386 probe {probe} is not built")
    p = subprocess.run([probe], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    if p.returncode != 0:
        why = p.stdout.decode(errors="replace").strip()
        print(f"SKIP: {what} needs the kernel to run i386 code: {why}", file=sys.stderr)
        sys.exit(77)


def sample(name):
    path = os.path.join(SAMPLES, name)
    if not os.path.exists(path):
        print(f"SKIP: sample {name} not built", file=sys.stderr)
        sys.exit(77)
    if name in I386_SAMPLES:
        require_i386_kernel(f"sample {name}")
    return os.path.abspath(path)


def require_i386(name):
    """Skip (77) unless this kernel runs i386 code: the sample `name` (int80
    or hello32) is run natively first; some kernels refuse 32-bit ELF files
    (Exec format error) or kill `int $0x80` with SIGSEGV."""
    path = sample(name)
    try:
        p = subprocess.run([path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        ok = p.returncode == 0
        why = f"exit {p.returncode}" if p.returncode >= 0 else f"signal {-p.returncode}"
    except OSError as e:
        ok, why = False, e.strerror
    if not ok:
        print(f"SKIP: this kernel does not run i386 code ({name} natively: {why})", file=sys.stderr)
        sys.exit(77)
    return path


def record(argv, out=None, extra=(), env=None, check_status=None, input_=None, timeout=600):
    """Run `minpriv record`; return (exit status, trace dict or None, stderr)."""
    if out is None:
        fd, out = tempfile.mkstemp(prefix="minpriv-test-", suffix=".json")
        os.close(fd)
    cmd = [MINPRIV, "record", "-q", "-o", out, *extra, "--", *argv]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, input=input_, timeout=timeout)
    trace = None
    if os.path.isfile(out) and os.path.getsize(out) > 0:
        with open(out) as f:
            try:
                trace = json.load(f)
            except ValueError:
                trace = None
    if check_status is not None and p.returncode != check_status:
        fail(f"minpriv record {argv}: exit {p.returncode}, expected {check_status}\n{p.stderr.decode()}")
    return p.returncode, trace, p.stderr.decode(errors="replace")


def minpriv(*args, input_=None, env=None, timeout=600):
    p = subprocess.run([MINPRIV, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, input=input_, env=env,
                       timeout=timeout)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def traced_syscalls(trace):
    """{abi: {name: count}} from a trace."""
    out = {}
    for abi, calls in trace["syscalls"].items():
        out[abi] = {n: sum(p["count"] for p in v["programs"].values()) for n, v in calls.items()}
    return out


LINE = re.compile(r"^(\d+)\s+\[\s*(\d+)\]\s+([a-z0-9_]+)\(")
RESUMED = re.compile(r"^(\d+)\s+\[\s*(\d+)\]\s+<\.\.\. ([a-z0-9_]+) resumed>")


def strace_syscalls(argv, env=None, cwd=None, timeout=600):
    """Run argv under `strace -f -n` and return ({abi: {name: count}}, exit status).
    The ABI of each call comes from its number: the x32 bit, else the ABI whose
    table gives strace's name for that number."""
    fd, out = tempfile.mkstemp(prefix="minpriv-strace-", suffix=".txt")
    os.close(fd)
    p = subprocess.run(["strace", "-f", "-q", "-n", "-o", out, "--", *argv], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, cwd=cwd, timeout=timeout)
    calls = {}
    with open(out, errors="replace") as f:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            nr, name = int(m.group(2)), m.group(3)
            if nr & X32_BIT:
                abi = "x32"
            elif syscall_name("x86_64", nr) == name:
                abi = "x86_64"
            elif syscall_name("i386", nr) == name:
                abi = "i386"
            else:
                abi = "x86_64"
            calls.setdefault(abi, {})
            calls[abi][name] = calls[abi].get(name, 0) + 1
    os.unlink(out)
    return calls, p.returncode


def tmpdir():
    return tempfile.mkdtemp(prefix="minpriv-test-")
