#!/usr/bin/env python3
"""Installing minpriv.

  test_install.py destdir BUILD   `cmake --install BUILD --prefix /usr` into a
      DESTDIR: the binary, templates, man page, bash completion and docs are
      where they belong; the installed binary prints the source's git
      revision and reads the installed templates (not the source tree's);
      the man page renders without warnings and describes every command and
      option of `minpriv help`; the completion completes commands, options
      and choices from the installed binary.
  test_install.py deb BUILD       `cpack -G DEB` in BUILD: the package's
      metadata (name, version, section, dependencies from dpkg-shlibdeps) and
      contents; the extracted binary runs and finds its templates.
"""
import glob
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp  # noqa: E402

SOURCE = os.environ.get("MINPRIV_SOURCE", mp.ROOT)
FILES = ["usr/bin/minpriv", "usr/share/minpriv/templates/docker-default.json", "usr/share/man/man1/minpriv.1.gz",
         "usr/share/bash-completion/completions/minpriv", "usr/share/doc/minpriv/README.md",
         "usr/share/doc/minpriv/docs/trace-format.md", "usr/share/doc/minpriv/copyright"]


def run(cmd, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300, **kw)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def expected_revision():
    # A concurrent git command (another build asking the same) can hold the
    # index lock for a moment: ask again before concluding there is no git.
    for _ in range(5):
        rc, out, _ = run(["git", "-C", SOURCE, "describe", "--always", "--dirty", "--tags"])
        if rc == 0 and out.strip():
            return out.strip()
        if not os.path.exists(os.path.join(SOURCE, ".git")):
            break
        time.sleep(0.5)
    return "unknown"


def commands_and_options(minpriv):
    """{command: [options]} from `minpriv --help` and `minpriv help CMD`."""
    rc, out, _ = run([minpriv, "--help"])
    mp.check(rc == 0, "minpriv --help failed")
    cmds = re.findall(r"^  ([a-z][a-z0-9-]*) ", out.split("Commands:", 1)[1], re.M)
    result = {}
    for c in cmds:
        if c == "help":
            continue
        rc, usage, err = run([minpriv, "help", c])
        mp.check(rc == 0, f"minpriv help {c}: {err}")
        result[c] = sorted(set(re.findall(r"(?:^|[\s\[,])(--?[a-zA-Z][a-zA-Z0-9-]*)", usage)) - {"-", "--"})
    return result


def check_installed_binary(root, minpriv):
    rc, out, err = run([minpriv, "--version"])
    rev = expected_revision()
    mp.check(rc == 0 and out.strip() == f"minpriv 0.1.0 ({rev})",
             f"--version of the installed binary: {out!r}, expected the revision {rev} (rebuild after committing)")
    # The installed templates, not the source tree's: mark the installed
    # copy and look for the mark in a report.
    tmpl = os.path.join(root, "usr/share/minpriv/templates/docker-default.json")
    doc = json.load(open(tmpl))
    doc["source"] = "INSTALLED-COPY-MARK"
    with open(tmpl, "w") as f:
        json.dump(doc, f)
    trace = os.path.join(root, "..", "trace.json")
    mp.record([mp.sample("static_hello")], out=trace, check_status=0)
    env = {k: v for k, v in os.environ.items() if k != "MINPRIV_TEMPLATES"}
    p = subprocess.run([minpriv, "report", "-q", "-o", "-", trace], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env, cwd="/")
    mp.check(p.returncode == 0, f"installed report: {p.stderr.decode()}")
    mp.check(b"INSTALLED-COPY-MARK" in p.stdout, "the installed binary did not read the installed templates")


def check_man(root, minpriv):
    page = os.path.join(root, "usr/share/man/man1/minpriv.1.gz")
    with gzip.open(page, "rt") as f:
        roff = f.read()
    if shutil.which("man"):
        p = subprocess.run(["man", "--warnings", "-l", page], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env={**os.environ, "MANWIDTH": "100", "MAN_KEEP_FORMATTING": "0"})
        mp.check(p.returncode == 0, f"man -l failed: {p.stderr.decode()}")
        warnings = [w for w in p.stderr.decode().splitlines() if w.strip()]
        mp.check(not warnings, "man page warnings:\n" + "\n".join(warnings))
        text = re.sub(r".\x08", "", p.stdout.decode())
    else:
        mp.fail("man is not installed (package man-db; scripts/deps.sh installs it): the page cannot be rendered")
    # Every command of `minpriv --help` has its own subsection, and every
    # option its help text lists is described in that subsection.
    sections = re.split(r"\n   (?=[a-z-]+ |[a-z-]+\n)", text.split("\nCOMMANDS\n", 1)[1].split("\nEXIT STATUS\n", 1)[0])
    # The body of each subsection, without its heading (the synopsis line,
    # which names the options without describing them).
    by_cmd = {s.split()[0]: s.split("\n", 1)[1] if "\n" in s else "" for s in sections if s.strip()}
    cmds = commands_and_options(minpriv)
    for c, opts in cmds.items():
        mp.check(c in by_cmd, f"the man page has no section for `minpriv {c}` (sections: {sorted(by_cmd)})")
        for o in opts:
            mp.check(re.search(r"(?<![\w-])" + re.escape(o) + r"(?![\w-])", by_cmd[c]),
                     f"the man page's `{c}` section does not describe {o}")
    # ...and describes no command the binary does not have.
    for c in by_cmd:
        mp.check(c in cmds or c in ("help", "--version"), f"the man page describes `{c}`, which minpriv lacks")
    return len(cmds), sum(len(o) for o in cmds.values())


def check_completion(root, minpriv):
    script = os.path.join(root, "usr/share/bash-completion/completions/minpriv")
    probe = r'''
source "$1"
t() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); COMPREPLY=(); _minpriv; echo "${COMPREPLY[*]}"; }
t minpriv ""
t minpriv gen
t minpriv generate --run
t minpriv generate --runtime ""
t minpriv help ""
'''
    env = {**os.environ, "PATH": os.path.dirname(minpriv) + ":" + os.environ.get("PATH", "")}
    p = subprocess.run(["bash", "-c", probe, "bash", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    mp.check(p.returncode == 0, f"completion script: {p.stderr.decode()}")
    lines = p.stdout.decode().splitlines()
    mp.check(len(lines) == 5, f"completion output: {lines}")
    top = lines[0].split()
    for c in ("record", "merge", "generate", "report", "help", "--version"):
        mp.check(c in top, f"completion of `minpriv ` lacks {c}: {top}")
    mp.check(lines[1] == "generate", f"`minpriv gen` completes to {lines[1]!r}")
    mp.check(lines[2] == "--runtime", f"`generate --run` completes to {lines[2]!r}")
    mp.check(lines[3].split() == ["runc", "crun", "none"], f"`generate --runtime ` completes to {lines[3]!r}")
    mp.check("report" in lines[4].split(), f"`help ` completes to {lines[4]!r}")


def destdir(build):
    work = tempfile.mkdtemp(prefix="minpriv-install-")
    try:
        root = os.path.join(work, "root")
        rc, out, err = run(["cmake", "--install", build, "--prefix", "/usr"], env={**os.environ, "DESTDIR": root})
        mp.check(rc == 0, f"cmake --install: {err}{out}")
        for f in FILES:
            mp.check(os.path.isfile(os.path.join(root, f)), f"not installed: /{f}")
        mp.check(os.access(os.path.join(root, "usr/bin/minpriv"), os.X_OK), "/usr/bin/minpriv is not executable")
        stray = [os.path.relpath(p, root) for p in glob.glob(os.path.join(root, "**"), recursive=True)
                 if os.path.isfile(p) and not os.path.relpath(p, root).startswith(("usr/bin/", "usr/share/"))]
        mp.check(not stray, f"installed outside bin/ and share/: {stray}")
        minpriv = os.path.join(root, "usr/bin/minpriv")
        check_installed_binary(root, minpriv)
        ncmds, nopts = check_man(root, minpriv)
        check_completion(root, minpriv)
        n = sum(len(fs) for _, _, fs in os.walk(root))
        print(f"ok: cmake --install put {n} files under DESTDIR/usr; the installed binary reports {expected_revision()} "
              f"and reads its installed templates; the man page covers {ncmds} commands and {nopts} options of "
              "`minpriv help` without warnings; bash completion works")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def deb(build):
    for tool in ("cpack", "dpkg-deb"):
        if not shutil.which(tool):
            print(f"SKIP: {tool} not installed", file=sys.stderr)
            sys.exit(77)
    for old in glob.glob(os.path.join(build, "minpriv_*.deb")) + glob.glob(os.path.join(build, "minpriv-dbgsym_*")):
        os.unlink(old)
    rc, out, err = run(["cpack", "-G", "DEB"], cwd=build)
    mp.check(rc == 0, f"cpack -G DEB: {err}{out}")
    debs = glob.glob(os.path.join(build, "minpriv_*.deb"))
    mp.check(len(debs) == 1, f"cpack made {debs}")
    pkg = debs[0]
    fields = {}
    for f in ("Package", "Version", "Architecture", "Section", "Priority", "Maintainer", "Depends", "Description"):
        rc, out, _ = run(["dpkg-deb", "-f", pkg, f])
        fields[f] = out.strip()
    mp.check(fields["Package"] == "minpriv" and fields["Version"] == "0.1.0", f"package fields: {fields}")
    mp.check(fields["Architecture"] == "amd64" and fields["Section"] == "admin", f"package fields: {fields}")
    mp.check(fields["Description"].startswith("least-privilege container profiles"), f"description: {fields}")
    # dpkg-shlibdeps: a dynamic binary depends on the libraries it links.
    rc, out, _ = run(["file", "-b", os.path.join(build, "cli", "minpriv")]) if shutil.which("file") else (1, "", "")
    static = "statically linked" in out
    deps = fields["Depends"]
    if static:
        mp.check(not deps, f"a static binary's package depends on {deps}")
    else:
        for lib in ("libc6", "libseccomp2", "libjansson4", "libunwind8", "libapparmor1"):
            mp.check(lib in deps, f"Depends lacks {lib}: {deps}")
    maint = fields["Maintainer"]
    mp.check(re.fullmatch(r"[^<>]+ <[^<>@\s]+@[^<>@\s]+>", maint) and "lists.example.org" not in maint and
             "unset@invalid" not in maint, f"Maintainer: {maint!r}")
    lint = "lintian: not installed, skipped"
    sanitized = os.environ.get("MINPRIV_SANITIZED") == "1"
    if sanitized:
        # An ASan+UBSan debug build is no release package: no -O2 (so no
        # fortify), the sanitizer runtime's own link flags.
        lint = "lintian: skipped for the ASan+UBSan build (not a release package)"
    elif shutil.which("lintian"):
        # Every tag, info and pedantic included, must be clean.
        rc, out, err = run(["lintian", "--pedantic", "-I", "-E", "--tag-display-limit", "0", pkg])
        tags = [ln for ln in (out + err).splitlines()
                if re.match(r"^[EWIPX]: ", ln) and "running with root privileges" not in ln]
        mp.check(rc == 0 and not tags, f"lintian {os.path.basename(pkg)}: exit {rc}\n" + "\n".join(tags or [err]))
        lint = "lintian --pedantic -I: clean"
        dbg = glob.glob(os.path.join(build, "minpriv-dbgsym_*.ddeb"))
        mp.check(static or len(dbg) == 1, f"no dbgsym package next to {pkg}: {dbg}")
    rc, listing, err = run(["dpkg-deb", "-c", pkg])
    mp.check(rc == 0, f"dpkg-deb -c: {err}")
    for f in FILES:
        mp.check(f" ./{f}\n" in listing + "\n" or f"./{f}" in listing.split(), f"the package lacks /{f}")
    work = tempfile.mkdtemp(prefix="minpriv-deb-")
    try:
        rc, _, err = run(["dpkg-deb", "-x", pkg, work])
        mp.check(rc == 0, f"dpkg-deb -x: {err}")
        check_installed_binary(work, os.path.join(work, "usr/bin/minpriv"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"ok: {os.path.basename(pkg)} ({os.path.getsize(pkg)} bytes; {lint}): Depends: {deps}; "
          f"{len(listing.splitlines())} entries; the extracted binary runs and reads its templates")


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("destdir", "deb"):
        mp.fail("usage: test_install.py destdir|deb BUILD")
    (destdir if sys.argv[1] == "destdir" else deb)(sys.argv[2])


if __name__ == "__main__":
    main()
