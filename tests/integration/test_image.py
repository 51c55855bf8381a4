#!/usr/bin/env python3
"""minpriv image: minimal root filesystems cut from a recording.

The source root is what the container tests run in (tests/integration/
container.py): a skeleton (usr, etc, tmp ... and the usual bin -> usr/bin
links) with the host's /usr and /etc and the directories of the samples and
workloads bind-mounted at their own paths, in a private mount namespace
(`unshare -m`, as root). So the "full image" is exactly the environment of
test_container_seccomp.py.

  tar        (no Docker) a recording of the threads sample, twice: the
             tarball is deterministic (same bytes whatever the order of the
             traces, byte-identical when rebuilt with the tarball itself as
             a tar source); GNU tar reads it; it holds the program, libc,
             the dynamic loader (not in the trace: PT_INTERP) and the
             symlinks on the way, and nothing the workload only probed
             (ENOENT) or found under /proc; image.json's figures agree with
             the listing.
  badinput   (no Docker) exit 2 with one line and nothing written for a
             missing source, corrupt, hostile (..) and compressed archives,
             bad options, missing profiles, a bad image.json for report;
             a source whose symlinks point out of it (absolute and ..)
             resolves them inside it: no byte of the host's files gets in.
  CASE       (Docker) static_hello, threads, pyserver, nginx: recorded on
             the host, profiles generated, `minpriv image` builds, imports
             and proves the image (exit 0, proof passed); the image is run
             again here with the proof's options and its output checked
             (the same client test the full image passes, which is run
             too); negative control: the image without one library the
             workload used (--exclude) fails the proof (exit 1) and names
             that library. threads also round-trips through `docker
             export`: the exported container as a tar source gives the
             same files and passes the proof again. Prints the size and file
             count before and after.

Usage: test_image.py CASE"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import container  # noqa: E402
import mp  # noqa: E402
from test_report import Balance  # noqa: E402

SOURCE = os.environ.get("MINPRIV_SOURCE", mp.ROOT)
WORKLOADS = os.path.join(SOURCE, "samples", "workloads")
PORT = 43600  # this test's loopback ports: 43600-43619
SKELETON = r'''
set -e
root=$1; shift
for d in usr etc tmp proc dev sys run var/tmp root; do mkdir -p "$root/$d"; done
chmod 1777 "$root/tmp" "$root/var/tmp"
for l in bin lib lib64 sbin lib32; do [ -L "$root/$l" ] || ln -s usr/$l "$root/$l"; done
while [ "$1" != "--" ]; do mkdir -p "$root$1"; mount --bind "$1" "$root$1"; shift; done
shift
exec "$@"
'''


def samples_dir():
    return os.path.abspath(mp.SAMPLES)


def require_unshare():
    p = subprocess.run(["unshare", "-m", "--propagation", "private", "true"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if p.returncode != 0:
        print(f"SKIP: a private mount namespace for the source root needs root (unshare -m: "
              f"{p.stderr.decode().strip()})", file=sys.stderr)
        sys.exit(77)


EXTRA_BINDS = []  # more host directories in the source root (the volume case's data)


def in_source(root, argv, timeout=1200, cwd=None):
    """Run argv with root as the skeleton source root (binds in a private
    mount namespace); returns (status, stdout, stderr)."""
    binds = ["/usr", "/etc", samples_dir(), WORKLOADS, *EXTRA_BINDS]
    os.makedirs(root, exist_ok=True)
    cmd = ["unshare", "-m", "--propagation", "private", "sh", "-c", SKELETON, "sh", root, *binds, "--", *argv]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout, cwd=cwd)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def image(root, *args, timeout=1200, cwd=None):
    return in_source(root, [mp.MINPRIV, "image", *args], timeout=timeout, cwd=cwd)


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def listing(path):
    """{name: (type, mode, uid, gid, size, linkname, content sha)} of a tarball."""
    out = {}
    with tarfile.open(path) as t:
        for m in t.getmembers():
            digest = hashlib.sha256(t.extractfile(m).read()).hexdigest() if m.isreg() else ""
            out[m.name.rstrip("/")] = (m.type, m.mode, m.uid, m.gid, m.size, m.linkname, digest)
    return out


def findings(profiles):
    with open(os.path.join(profiles, "image.json")) as f:
        return json.load(f)


def figures(f):
    b, a = f["source"], f["image"]
    return (f"{a['files']} files, {a['directories']} directories, {a['bytes']} bytes (source: {b['files']} files, "
            f"{b['directories']} directories, {b['bytes']} bytes; {100.0 * a['bytes'] / max(b['bytes'], 1):.3g}% of "
            f"the size)")


def check_report(work, profiles, traces, result, missing=()):
    """report --image: a balanced page with a Minimal image section beside
    the runtime ones, holding image.json's figures, the proof's verdict and
    the files a failed run missed; the same bytes twice; none without it."""
    f = findings(profiles)
    pages = []
    for i in range(2):
        out = os.path.join(work, f"report{i}.html")
        rc, _, err = mp.minpriv("report", "-q", "-o", out, "--image", os.path.join(profiles, "image.json"), *traces)
        mp.check(rc == 0, f"report --image: exit {rc}: {err}")
        pages.append(open(out, "rb").read())
    mp.check(pages[0] == pages[1], "report --image: not deterministic")
    text = pages[0].decode()
    p = Balance()
    p.feed(text)
    p.close()
    mp.check(not p.errors and not p.stack, f"report --image: unbalanced markup: {p.errors[:5]} {p.stack[:5]}")
    mp.check('<a href="#minimal-image">' in text and '<section id="minimal-image">' in text,
             "report --image: no Minimal image section or nav link")
    mp.check(text.index('id="caps"') < text.index('id="minimal-image"') < text.index('id="network"'),
             "report --image: the section is not beside the runtime ones")
    sec = text[text.index('<section id="minimal-image">'):]
    sec = sec[:sec.index("</section>")]
    for n in (f["image"]["files"], f["source"]["files"], f["image"]["directories"], f["image"]["bytes"]):
        mp.check(f"{n:,}" in sec, f"report --image: {n:,} is not in the section")
    mp.check(f["image"]["sha256"] in sec, "report --image: no SHA-256")
    mp.check(f"<h3>Proof: {result}</h3>" in sec, f"report --image: the proof is not shown as {result}")
    for m in missing:
        mp.check(f'<span class="chip out">{m}</span>' in sec, f"report --image: the missing {m} is not shown")
    rc, _, err = mp.minpriv("report", "-q", "-o", os.path.join(work, "plain.html"), *traces)
    mp.check(rc == 0 and "minimal-image" not in open(os.path.join(work, "plain.html")).read(),
             "report without --image has a Minimal image section")


def record(work, argv, name):
    out = os.path.join(work, f"{name}.json")
    status, _, err = mp.record(argv, out=out)
    mp.check(status == 0, f"{name}: the workload failed on the host under minpriv record ({status}): {err}")
    return out


def generate(work, trace):
    profiles = os.path.join(work, "profiles")
    rc, _, err = mp.minpriv("generate", "-q", "-o", profiles, trace)
    mp.check(rc == 0, f"minpriv generate: exit {rc}: {err}")
    return profiles


# --- tar: no Docker ---------------------------------------------------------

def case_tar():
    require_unshare()
    work = mp.tmpdir()
    threads = mp.sample("threads")
    t1 = record(work, [threads, "4"], "t1")
    t2 = record(work, [threads, "2"], "t2")
    root = os.path.join(work, "root")
    # the same relative names in two directories: image.json names them
    d1, d2 = os.path.join(work, "d1"), os.path.join(work, "d2")
    for d, traces in ((d1, [t1, t2]), (d2, [t2, t1])):
        os.makedirs(d)
        rc, _, err = image(root, "--source", root, "-o", "image.tar", "-p", "p", "--no-import", *traces, cwd=d)
        mp.check(rc == 0, f"minpriv image: exit {rc}: {err}")
    out1, out2, out3 = os.path.join(d1, "image.tar"), os.path.join(d2, "image.tar"), os.path.join(work, "c.tar")
    p1, p2, p3 = os.path.join(d1, "p"), os.path.join(d2, "p"), os.path.join(work, "p3")
    mp.check(sha(out1) == sha(out2), "the tarball depends on the order of the traces")
    # (the source's figures are the host's /usr and /etc, live: left out)
    j1, j2 = findings(p1), findings(p2)
    del j1["source"], j2["source"]
    mp.check(j1 == j2, "image.json depends on the order of the traces")

    # GNU tar reads it, sorted, with what the workload needs
    p = subprocess.run(["tar", "-tvf", out1], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    mp.check(p.returncode == 0 and not p.stderr, f"GNU tar cannot read the tarball: {p.stderr.decode()}")
    names = [n.rstrip("/") for n in subprocess.run(["tar", "-tf", out1], stdout=subprocess.PIPE).stdout.decode()
             .splitlines()]
    mp.check(names == sorted(names), "the tarball is not sorted")
    lst = listing(out1)
    need = [threads.lstrip("/"), "usr/lib/x86_64-linux-gnu/libc.so.6", "usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
            "lib64", "usr/lib64/ld-linux-x86-64.so.2", "lib", "etc/ld.so.cache", "proc", "sys", "dev"]
    for n in need:
        mp.check(n in lst, f"{n} is not in the image: {sorted(lst)}")
    mp.check(lst["lib64"][0] == tarfile.SYMTYPE and lst["lib64"][5] == "usr/lib64", f"/lib64: {lst['lib64']}")
    for n in lst:
        mp.check(not n.startswith(("proc/", "sys/", "dev/")), f"{n}: under /proc, /sys or /dev")
    mp.check("etc/ld.so.preload" not in lst, "an ENOENT probe made it into the image")
    libc = os.stat("/usr/lib/x86_64-linux-gnu/libc.so.6")
    e = lst["usr/lib/x86_64-linux-gnu/libc.so.6"]
    mp.check(e[1] == libc.st_mode & 0o7777 and e[4] == libc.st_size and e[2] == libc.st_uid,
             f"libc's mode, owner or size differ from the source's: {e}")
    f = findings(p1)
    files = sum(1 for v in lst.values() if v[0] != tarfile.DIRTYPE)
    mp.check(f["image"]["files"] == files, f"image.json says {f['image']['files']} files, the tarball has {files}")
    mp.check(f["image"]["tarball_bytes"] == os.path.getsize(out1) and f["image"]["sha256"] == sha(out1) and
             f["image"]["tarball"] == "image.tar",
             "image.json's size or SHA-256 is not the tarball's")
    mp.check(f["source"]["files"] > 1000 * f["image"]["files"], f"the source is not the full root: {f['source']}")
    mp.check(f["proof"]["result"] == "not run" and f["proof"]["note"] == "--no-import", f"proof: {f['proof']}")

    check_report(work, p1, [t1, t2], "not run")
    # strings from image.json are escaped like the trace's
    j = findings(p1)
    j["missing"] = [{"path": "/<script>alert(1)\\xff", "why": "a&b \\x0a"}]
    hp = os.path.join(work, "hostile")
    os.makedirs(hp)
    with open(os.path.join(hp, "image.json"), "w") as fh:
        json.dump(j, fh)
    rc, page, err = mp.minpriv("report", "-q", "-o", "-", "--image", os.path.join(hp, "image.json"), t1)
    mp.check(rc == 0, f"report --image with odd paths: {err}")
    mp.check("&lt;script&gt;alert(1)" in page and "<script" not in page and
             '<span class="esc">\\xff</span>' in page and "a&amp;b" in page,
             "report --image: a path from image.json is not escaped")

    # the tarball as a tar source gives itself again
    rc, _, err = mp.minpriv("image", "--source", out1, "-o", out3, "-p", p3, "--no-import", t1, t2)
    mp.check(rc == 0, f"minpriv image from its own tarball: exit {rc}: {err}")
    mp.check(sha(out3) == sha(out1), "rebuilt from itself, the tarball differs")
    mp.check(findings(p3)["source"]["kind"] == "tar", "the tarball was not read as a tar source")
    shutil.rmtree(work, ignore_errors=True)
    print(f"ok: tar: threads: {figures(f)}; deterministic, read by GNU tar, rebuilt byte for byte from itself")


# --- bad input: no Docker ---------------------------------------------------

def one_line_exit2(args, needle, what, cwd=None):
    p = subprocess.run([mp.MINPRIV, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd)
    err = p.stderr.decode(errors="replace")
    mp.check(p.returncode == 2, f"{what}: exit {p.returncode}, expected 2: {err}")
    mp.check(len(err.strip().splitlines()) == 1, f"{what}: not one line: {err!r}")
    mp.check(needle in err, f"{what}: the message does not say {needle!r}: {err!r}")


def ustar(name, typ=b"0", data=b"", link=b"", corrupt=False):
    h = bytearray(512)
    h[0:len(name)] = name
    h[100:107] = b"0000644"
    h[108:115] = b"0000000"
    h[116:123] = b"0000000"
    h[124:135] = b"%011o" % len(data)
    h[136:147] = b"00000000000"
    h[156:157] = typ
    h[157:157 + len(link)] = link
    h[257:265] = b"ustar\x0000"
    h[148:156] = b" " * 8
    h[148:155] = b"%06o\x00" % sum(h)
    if corrupt:
        h[0] ^= 1
    return bytes(h) + data + b"\0" * ((512 - len(data) % 512) % 512)


def case_badinput():
    work = mp.tmpdir()
    trace = record(work, [mp.sample("static_hello")], "t")
    out = os.path.join(work, "out.tar")
    prof = os.path.join(work, "prof")
    base = ["image", "-o", out, "-p", prof, "--no-import"]
    one_line_exit2(base + ["--source", os.path.join(work, "nope"), trace], "No such file", "a missing source")
    bad = os.path.join(work, "bad.tar")
    for data, needle, what in ((ustar(b"etc/hosts", data=b"x\n") + ustar(b"etc/passwd", data=b"root\n", corrupt=True),
                                "checksum", "a bad checksum"),
                               (ustar(b"../../etc/cron.d/x", data=b"* * * * * root id\n"), "'..'", "a name with .."),
                               (ustar(b"etc/passwd", data=b"root\n")[:700], "truncated", "a truncated archive"),
                               (b"\x1f\x8b\x08\x00" + b"\0" * 1020, "compressed", "a gzip file"),
                               (b"hello\n" * 200, "not a directory or a tar archive", "a text file")):
        with open(bad, "wb") as f:
            f.write(data)
        one_line_exit2(base + ["--source", bad, trace], needle, what)
        mp.check(not os.path.exists(out), f"{what}: {out} was written")
    one_line_exit2(["image", "-o", out, trace], "no source", "no --source")
    one_line_exit2(["image", "--source", "/", "-o", out], "no trace", "no trace")
    one_line_exit2(base + ["--source", "/", "--exclude", "usr/lib", trace], "absolute", "a relative --exclude")
    one_line_exit2(base + ["--source", "/", "--timeout", "0", trace], "--timeout", "a zero timeout")
    one_line_exit2(base + ["--source", "/", "--tag", "Bad Tag", trace], "--tag", "a bad tag")
    one_line_exit2(["image", "--source", "/", "-o", out, "-p", os.path.join(work, "none"), trace],
                   "minpriv generate", "no profiles for the proof")
    one_line_exit2(base + ["--source", "/", os.path.join(work, "missing.json")], "missing.json", "a missing trace")
    one_line_exit2(base + ["--source", "/", "-o", os.path.join(work, "no", "dir", "x.tar"), trace], "x.tar",
                   "an unwritable output")
    bj = os.path.join(work, "bad-image.json")
    with open(bj, "w") as f:
        f.write('{"format": "minpriv-image", "version": 1, "source": []}\n')
    one_line_exit2(["report", "-o", os.path.join(work, "r.html"), "--image", bj, trace], "$.source",
                   "report --image with a bad image.json")
    mp.check(not os.path.exists(os.path.join(work, "r.html")), "report wrote a page for a bad image.json")

    # A hostile source: symlinks that point out of it are resolved inside
    # it, as the container would. Nothing of the host's /usr gets in.
    src = os.path.join(work, "hostile")
    os.makedirs(os.path.join(src, "etc"))
    os.symlink("/usr", os.path.join(src, "usr"))  # inside the root: a link to itself
    os.symlink("../../../../../../usr/lib", os.path.join(src, "lib"))  # .. stops at the root
    os.symlink("../../../../../../../usr/lib64", os.path.join(src, "lib64"))
    with open(os.path.join(src, "etc", "ld.so.cache"), "w") as f:
        f.write("not the host's\n")
    threads = mp.sample("threads")
    t2 = record(work, [threads, "2"], "threads")
    rc, _, err = mp.minpriv(*base, "--source", src, t2)
    mp.check(rc == 0, f"a source with escaping links: exit {rc}: {err}")
    lst = listing(out)
    mp.check(set(lst) == {"dev", "etc", "etc/ld.so.cache", "proc", "sys"}, f"entries: {sorted(lst)}")
    f = findings(prof)
    why = {m["path"]: m["why"] for m in f["missing"]}
    mp.check("too many levels of symbolic links" in why.get("/usr/lib/x86_64-linux-gnu/libc.so.6", ""),
             f"/usr -> /usr is not a loop inside the root: {why}")
    mp.check(threads in why, f"the program is not listed as missing: {why}")
    # Where no Docker daemon answers: the tarball and image.json, proof not run, exit 0.
    profiles = generate(work, trace)
    env = {**os.environ, "DOCKER_HOST": "unix://" + os.path.join(work, "no-daemon.sock")}
    p = subprocess.run([mp.MINPRIV, "image", "--source", "/", "-o", out, "-p", profiles, trace],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    f = findings(profiles)
    mp.check(p.returncode == 0 and os.path.exists(out) and f["proof"]["result"] == "not run" and
             ("daemon" in f["proof"]["note"] or "not installed" in f["proof"]["note"]),
             f"without a daemon: exit {p.returncode}, proof {f['proof']}: {p.stderr.decode()}")
    shutil.rmtree(work, ignore_errors=True)
    print("ok: badinput: missing, corrupt, hostile (..), truncated and compressed sources, bad options, missing "
          "profiles and a bad image.json give exit 2 with one line and nothing written; links out of the source "
          "are resolved inside it")


# --- with Docker ------------------------------------------------------------

def cases(work, data):
    s = lambda n: os.path.join(samples_dir(), n)  # noqa: E731
    ngx = os.path.join(work, "ngx")
    journal = os.path.join(data, "journal")
    return {
        # a file of the image the workload appends to: hardening.md says a
        # volume (a tmpfs would start without it); left out, it is named
        "volume": (["/bin/sh", "-c", f"grep -q seed {journal} && echo run >> {journal} && echo journal ok"],
                   "journal ok", journal),
        # name: (argv, text the output must contain, a library to leave out or None)
        "static_hello": ([s("static_hello")], "hello", None),
        "threads": ([s("threads"), "8"], "threads=8", "/usr/lib/x86_64-linux-gnu/libc.so.6"),
        "pyserver": (["/usr/bin/python3", os.path.join(WORKLOADS, "pyserver.py"), str(PORT)], "pyserver: 4 requests",
                     "/usr/lib/x86_64-linux-gnu/libexpat.so.1"),
        "nginx": (["/bin/sh", os.path.join(WORKLOADS, "nginx.sh"), ngx, str(PORT + 1)], "requests served",
                  "/usr/lib/x86_64-linux-gnu/libpcre2-8.so.0"),
    }


def docker_run(options, tag, argv, timeout=600):
    name = f"{container.PREFIX}-image-{os.getpid()}"
    cmd = ["docker", "run", "--rm", "--name", name, *options, tag, *argv]
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        subprocess.run(["docker", "rm", "-f", name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return 124, "", "timed out"
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def rmi(*tags):
    subprocess.run(["docker", "rmi", "-f", *tags], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def export_roundtrip(work, tag, traces, profiles):
    """docker export of a container of the image, as a tar source."""
    cid = subprocess.run(["docker", "create", tag], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    mp.check(cid.returncode == 0, f"docker create: {cid.stderr.decode()}")
    cid = cid.stdout.decode().strip()
    exported = os.path.join(work, "exported.tar")
    try:
        p = subprocess.run(["docker", "export", "-o", exported, cid], stderr=subprocess.PIPE)
        mp.check(p.returncode == 0, f"docker export: {p.stderr.decode()}")
    finally:
        subprocess.run(["docker", "rm", "-f", cid], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    again = os.path.join(work, "again.tar")
    tag2 = f"{container.PREFIX}-image-export:{os.getpid()}"
    try:
        rc, _, err = mp.minpriv("image", "--source", exported, "-o", again, "-p", profiles, "--tag", tag2, *traces)
        mp.check(rc == 0, f"minpriv image from docker export: exit {rc}: {err}")
        mp.check(findings(profiles)["proof"]["result"] == "passed", "the image rebuilt from docker export failed")
    finally:
        rmi(tag2)
    a, b = listing(os.path.join(work, "image.tar")), listing(again)
    mp.check(set(a) == set(b), f"docker export round trip: {sorted(set(a) ^ set(b))}")
    # The files come back as they were; a directory Docker mounted into
    # (/etc for hosts, resolv.conf) may come back with a newer time only.
    for n in a:
        mp.check(a[n] == b[n], f"docker export round trip: {n}: {a[n]} != {b[n]}")


def case_docker(name):
    container.use("docker")
    container.require("docker")
    require_unshare()
    # The proof mounts an empty tmpfs on /tmp (hardening.md's advice), which
    # hides whatever the image holds there: a checkout below /tmp (samples,
    # workload scripts) cannot be in the image. minpriv image says so and
    # names the files; the test cannot pass there.
    here = os.path.realpath(mp.ROOT) + "/"
    samples = os.path.realpath(mp.SAMPLES) + "/"
    if here.startswith("/tmp/") or samples.startswith("/tmp/"):
        print(f"SKIP: the checkout ({here}) is below /tmp, which the proof run mounts as an empty tmpfs; "
              "clone it elsewhere to run this test", file=sys.stderr)
        sys.exit(77)
    work = mp.tmpdir()
    os.chmod(work, 0o1777)  # nginx's www-data workers write here too
    data = f"/var/lib/minpriv-test-image-{os.getpid()}"  # not below /tmp: not a tmpfs
    argv, expect, leave_out = cases(work, data)[name]
    if name == "volume":
        os.makedirs(data)
        with open(os.path.join(data, "journal"), "w") as j:
            j.write("seed\n")
        EXTRA_BINDS.append(data)
    if argv[0].startswith(samples_dir()):
        mp.sample(os.path.basename(argv[0]))
    trace = record(work, argv, name)
    profiles = generate(work, trace)
    root = os.path.join(work, "root")
    tar = os.path.join(work, "image.tar")
    rc, _, err = image(root, "--source", root, "-o", tar, "-p", profiles, trace)
    mp.check(rc == 0, f"{name}: minpriv image: exit {rc}: {err}")
    f = findings(profiles)
    tag = f["image"]["tag"]
    tags = [tag]
    try:
        mp.check(f["proof"]["result"] == "passed" and all(r["passed"] for r in f["proof"]["runs"]),
                 f"{name}: proof: {json.dumps(f['proof'], indent=1)}\n{err}")
        mp.check(tag and tag.startswith("minpriv-") and tag.endswith(":" + f["image"]["sha256"][:16]),
                 f"{name}: default tag {tag}")
        opts = f["proof"]["options"]
        for o in ("--read-only", "--cap-drop=ALL"):
            mp.check(o in opts, f"{name}: the proof ran without {o}: {opts}")
        mp.check(any(o.startswith("--security-opt=seccomp=") for o in opts), f"{name}: no seccomp profile: {opts}")
        mp.check(not any(o.startswith(("-v", "--volume", "--mount")) and ("/usr" in o or "/etc" in o) for o in opts),
                 f"{name}: the proof bind-mounted the host: {opts}")
        # The same client test, here, in the minimal image and in the full one.
        mini = docker_run(opts, tag, argv)
        mp.check(mini[0] == 0 and expect in mini[1], f"{name}: in the minimal image: exit {mini[0]}\n{mini[1]}\n"
                 f"{mini[2]}")
        with open(os.path.join(profiles, "caps.txt")) as c:
            caps = [ln.strip() for ln in c if ln.strip() and not ln.startswith("#")]
        full = container.run(argv, seccomp=os.path.join(profiles, "seccomp.json"), caps=caps,
                             mounts=[samples_dir(), WORKLOADS] + [(d, "rw") for d in EXTRA_BINDS])
        mp.check(full[0] == 0 and expect in full[1], f"{name}: in the full image: exit {full[0]}\n{full[2]}")
        summary = [f"proof passed; {figures(f)}"]
        check_report(work, profiles, [trace], "passed")
        if name == "volume":
            mp.check(f"--volume={data}" in opts, f"volume: the proof did not give {data} a volume: {opts}")
            summary.append(f"{data} as an anonymous volume (the image's journal in it, writable)")

        if name == "static_hello":
            # an import the engine refuses: exit 125, said in image.json
            rc, _, err = image(root, "--source", root, "-o", tar, "-p", profiles, "--tag", "a:b:c", trace)
            nf = findings(profiles)
            mp.check(rc == 125 and nf["proof"]["result"] == "not run" and "import failed" in nf["proof"]["note"],
                     f"a refused import: exit {rc}, {nf['proof']}: {err}")
        if name == "threads":
            export_roundtrip(work, tag, [trace], profiles)
            summary.append("rebuilt from `docker export` with the same files, proof passed")
        if leave_out:
            neg_tag = f"{container.PREFIX}-image-neg:{os.getpid()}"
            tags.append(neg_tag)
            neg = os.path.join(work, "neg.tar")
            rc, _, err = image(root, "--source", root, "-o", neg, "-p", profiles, "--exclude", leave_out, "--tag",
                               neg_tag, "--timeout", "200", trace)
            nf = findings(profiles)
            mp.check(rc == 1 and nf["proof"]["result"] == "failed",
                     f"{name}: without {leave_out} the proof did not fail: exit {rc}\n{err}")
            missing = [m for r in nf["proof"]["runs"] for m in r["missing"]]
            base = os.path.basename(leave_out)
            mp.check(any(os.path.basename(m) == base for m in missing),
                     f"{name}: the missing {base} is not named: {missing}\n{err}")
            mp.check("missing in the image: '" in err and base in err, f"{name}: not on stderr: {err}")
            check_report(work, profiles, [trace], "failed", [m for m in missing if os.path.basename(m) == base])
            summary.append(f"without {base} it fails, named ({nf['proof']['runs'][0]['diagnosis']})")
    finally:
        rmi(*tags)
        if name == "volume":
            shutil.rmtree(data, ignore_errors=True)
    shutil.rmtree(work, ignore_errors=True)
    print(f"ok: {name}: " + "; ".join(summary))


def main():
    name = sys.argv[1]
    if name == "tar":
        case_tar()
    elif name == "badinput":
        case_badinput()
    else:
        case_docker(name)


if __name__ == "__main__":
    main()
