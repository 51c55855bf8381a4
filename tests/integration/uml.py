"""AppArmor enforced for real: commands run confined in a user-mode-linux
guest (Debian's user-mode-linux package: a Linux 6.1 kernel built with
AppArmor, run as an ordinary process) that boots with the host's / as its
hostfs root, so every path the host sees is there (design.md, "AppArmor,
enforced"). tests/integration/uml-init.sh is the guest's init.

    job = uml.Job()
    job.load(profile_path)                      # apparmor_parser -r -T, step 0
    s = job.confined("NAME", argv, cwd=..., env=..., mkdirs=[...])
    res = job.boot()                            # one boot runs every step
    res.status[s], res.output(s), res.denials("NAME")

The guest's /tmp, /run and /dev/shm are fresh tmpfs (real file owners, for
`owner` rules); a step's mkdirs recreate there the directories a command
expects. Kernel `apparmor="DENIED"` records come on the console and are parsed
into dicts; each profile's denials are told apart by its name. unavailable()
gives the reason UML cannot be used on this host (None when it can); a boot
whose guest does not report AppArmor enabled gives res.aa_enabled False."""
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import time

LINUX_UML = os.environ.get("MINPRIV_LINUX_UML", "/usr/bin/linux.uml")
INIT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "uml-init.sh")
# The job directory must be on the hostfs root outside /tmp (the guest mounts
# a tmpfs there): under the build tree (ctest's working directory) by default.
JOB_PARENT = os.environ.get("MINPRIV_UML_JOBDIR", os.getcwd())

_DENIED = re.compile(r'apparmor="DENIED"')
_FIELD = re.compile(r'(\w+)=("(?:[^"]*)"|\S+)')


def unavailable():
    """Why UML cannot run AppArmor here (a one-line reason), or None."""
    if not os.access(LINUX_UML, os.X_OK):
        return f"{LINUX_UML} not found (Debian package user-mode-linux)"
    for tool in ("apparmor_parser", "aa-exec"):
        if shutil.which(tool) is None and not os.access(f"/usr/sbin/{tool}", os.X_OK):
            return f"{tool} not found (Debian packages apparmor, apparmor-utils)"
    if not os.path.isdir("/etc/apparmor.d/tunables"):
        return "/etc/apparmor.d/tunables missing (Debian package apparmor)"
    if not os.access(JOB_PARENT, os.W_OK) or os.path.realpath(JOB_PARENT).startswith("/tmp"):
        return f"job directory {JOB_PARENT} not writable or under /tmp"
    return None


def parse_denial(line):
    """The fields of one kernel audit record, as a dict of strings."""
    out = {}
    for k, v in _FIELD.findall(line):
        out[k] = v[1:-1] if v.startswith('"') else v
    return out


class Result:
    def __init__(self, job, console, timed_out, seconds):
        self.console = console
        self.timed_out = timed_out
        self.seconds = seconds
        self.aa_enabled = "@@minpriv apparmor Y" in console
        self.finished = "@@minpriv done" in console
        self.denied = [parse_denial(line) for line in console.splitlines() if _DENIED.search(line)]
        self.status = {}
        self.ms = {}
        self._job = job
        for i in range(len(job.steps)):
            try:
                with open(os.path.join(job.dir, f"{i}.ms")) as f:
                    self.ms[i] = int(f.read().strip())
            except (OSError, ValueError):
                self.ms[i] = None
            p = os.path.join(job.dir, f"{i}.status")
            try:
                with open(p) as f:
                    self.status[i] = int(f.read().strip())
            except (OSError, ValueError):
                self.status[i] = None

    def output(self, step):
        try:
            with open(os.path.join(self._job.dir, f"{step}.out"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def denials(self, profile):
        """Denials in profile (or in a child profile or hat of it)."""
        return [d for d in self.denied
                if d.get("profile") == profile or d.get("profile", "").startswith(profile + "//")]

    def describe(self, limit=12):
        return "\n".join(f"  {d.get('operation')} {d.get('name', d.get('family', ''))} "
                         f"requested={d.get('requested_mask', d.get('requested', ''))} "
                         f"denied={d.get('denied_mask', d.get('denied', ''))} comm={d.get('comm')} "
                         f"profile={d.get('profile')}" for d in self.denied[:limit])


class Job:
    """Steps for one boot. Each step's stdout+stderr goes to a file and its
    exit status to another; steps run in order, each under a timeout."""

    def __init__(self, keep=False):
        self.dir = tempfile.mkdtemp(prefix="minpriv-uml-", dir=JOB_PARENT)
        os.chmod(self.dir, 0o755)
        self.keep = keep
        self.steps = [None]
        self.profiles = []
        self._files = 0

    def _file(self, src, suffix):
        dst = os.path.join(self.dir, f"f{self._files}{suffix}")
        self._files += 1
        shutil.copyfile(src, dst)
        return "$J/" + os.path.basename(dst)

    def shell(self, script, timeout=60):
        """An unconfined shell step (setup inside the guest)."""
        self.steps.append((script, timeout))
        return len(self.steps) - 1

    def load(self, profile):
        """Load a profile file with apparmor_parser -r -T (no cache). All the
        profiles of a job load in one first step (one parser run: each exec
        costs much in the guest); returns that step."""
        self.profiles.append(self._file(profile, ".profile"))
        return 0

    def confined(self, profile, argv, cwd=None, env=None, mkdirs=(), timeout=120):
        """Run argv under profile NAME with aa-exec (as root, cwd, env: the
        whole environment, default PATH only). mkdirs: directories (mode
        1777) made first, unconfined, on the guest's fresh tmpfs."""
        lines = [f"mkdir -p {shlex.quote(d)} && chmod 1777 {shlex.quote(d)}" for d in mkdirs]
        if cwd:
            lines.append(f"cd {shlex.quote(cwd)}")
        envs = env if env is not None else {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
        envs = " ".join(shlex.quote(f"{k}={v}") for k, v in sorted(envs.items()))
        lines.append(f"exec env -i {envs} aa-exec -p {shlex.quote(profile)} -- "
                     + " ".join(shlex.quote(a) for a in argv))
        return self.shell("\n".join(lines), timeout)

    def boot(self, timeout=600, mem="1G"):
        self.steps[0] = ("apparmor_parser -r -T " + " ".join(self.profiles) if self.profiles else "true", 300)
        with open(os.path.join(self.dir, "job.sh"), "w") as f:
            f.write("# generated by tests/integration/uml.py\n")
            for i, (script, t) in enumerate(self.steps):
                f.write(f"echo '@@minpriv step {i} begin'\nt0=$(date +%s%N)\n")
                # a subshell per step, killed after t seconds; no stdin
                f.write(f"timeout -k 5 {t} sh -c {shlex.quote(script)} >$J/{i}.out 2>&1 </dev/null\n")
                f.write(f"echo $? >$J/{i}.status\necho $(( ($(date +%s%N) - t0) / 1000000 )) >$J/{i}.ms\n"
                        f"echo '@@minpriv step {i} end'\n")
        cmd = [LINUX_UML, f"mem={mem}", "root=/dev/root", "rootfstype=hostfs", "rootflags=/", "rw",
               f"init={INIT}", "lsm=apparmor", "apparmor=1", "security=apparmor",
               "audit_backlog_limit=65536", "log_buf_len=16M",
               "con=null", "con0=fd:0,fd:1", f"MINPRIV_JOB={self.dir}"]
        t0 = time.monotonic()
        # UML keeps its memory in a file under TMPDIR: the host's /tmp.
        env = dict(os.environ, TMPDIR="/tmp")
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             env=env, start_new_session=True)
        timed_out = False
        try:
            out, _ = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(p.pid, 9)
            out, _ = p.communicate()
        return Result(self, out.decode(errors="replace"), timed_out, time.monotonic() - t0)

    def cleanup(self):
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
