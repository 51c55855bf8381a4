#!/usr/bin/env python3
"""minpriv report: one self-contained HTML page.

  test_report.py html     record the paths sample and a shell workload that
                          creates hostile file names (markup, quotes, a
                          newline, a byte that is not UTF-8, a right-to-left
                          override); the page must be UTF-8, balanced (every
                          element closed, in order), free of external
                          resources and scripts, show the names escaped and
                          visible, carry the figures (Docker's default from
                          the template, the recorded syscalls, the
                          capabilities), and be byte-identical whatever the
                          order of the traces or when they are merged first.
                          Bad input: exit 2, a message naming the file, no
                          output.
  test_report.py render   render the page in headless Chromium (no network,
                          a fresh profile) and check the screenshot: the
                          requested size, many colours, the header's and
                          the bars' colours where the inline CSS and SVG put
                          them. Skips (77) when chromium is not installed.
"""
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp  # noqa: E402
import png  # noqa: E402

VOID = {"meta", "br", "hr", "img", "input", "link", "rect", "path", "line", "circle", "col", "wbr", "source"}
HOSTILE = r'''cd "$1" &&
: > "<script>alert(1)" &&
: > "<img src=x onerror=alert(2)>" &&
: > "a&b\"c'd" &&
: > "$(printf 'bad\377name')" &&
: > "$(printf 'nl\nname')" &&
: > "$(printf 'rtl\342\200\256gpj.exe')" &&
cat "no such file" 2>/dev/null; true'''


class Balance(html.parser.HTMLParser):
    """Every element closed, in order; the tags and attributes seen."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.tags, self.attrs = [], [], set(), []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs += [(tag, k, v) for k, v in attrs]
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))

    def handle_startendtag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs += [(tag, k, v) for k, v in attrs]

    def handle_endtag(self, tag):
        if not self.stack:
            self.errors.append(f"</{tag}> at {self.getpos()} closes nothing")
            return
        top, pos = self.stack.pop()
        if top != tag:
            self.errors.append(f"</{tag}> at {self.getpos()} closes <{top}> opened at {pos}")


def record_all(work):
    paths = os.path.join(work, "paths.json")
    mp.record([mp.sample("paths"), os.path.join(work, "p")], out=paths, check_status=0)
    hostile_dir = os.path.join(work, "h")
    os.makedirs(hostile_dir)
    hostile = os.path.join(work, "hostile.json")
    mp.record(["/bin/sh", "-c", HOSTILE, "sh", hostile_dir], out=hostile, check_status=0)
    return paths, hostile, hostile_dir


def check_html(work):
    paths, hostile, hostile_dir = record_all(work)
    out = os.path.join(work, "report.html")
    rc, so, se = mp.minpriv("report", "-o", out, paths, hostile)
    mp.check(rc == 0, f"report: exit {rc}: {se}")
    mp.check("written to" in se, f"report: no summary on stderr: {se!r}")
    raw = open(out, "rb").read()
    text = raw.decode("utf-8")  # raises on invalid UTF-8
    mp.check(text.startswith("<!DOCTYPE html>\n<html lang=\"en\">"), "report: no doctype")
    p = Balance()
    p.feed(text)
    p.close()
    mp.check(not p.errors, "report: unbalanced markup:\n" + "\n".join(p.errors[:10]))
    mp.check(not p.stack, f"report: elements never closed: {p.stack[:5]}")
    # Self-contained: no script, no external resource of any kind.
    mp.check("script" not in p.tags, "report: has a <script> element")
    for tag, k, v in p.attrs:
        mp.check(k not in ("src", "srcset", "action", "formaction"), f"report: <{tag} {k}={v!r}>")
        mp.check(not (k == "href" and not v.startswith("#")), f"report: <{tag} href={v!r}> leaves the page")
        mp.check(not k.startswith("on"), f"report: event handler <{tag} {k}=...>")
        if k == "xmlns":
            mp.check(v == "http://www.w3.org/2000/svg", f"report: xmlns {v}")
    for bad in ("<link", "@import", "url(", "<iframe", "<object", "<embed", "<img"):
        mp.check(bad not in text, f"report: contains {bad!r}")
    for s in ("section", "details", "summary", "svg", "style", "table"):
        mp.check(s in p.tags, f"report: no <{s}>")

    # When and where each run was recorded: its UTC start and this host's
    # kernel, as the trace has them.
    for t in (paths, hostile):
        run = json.load(open(t))["runs"][0]
        mp.check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", run.get("started", "")),
                 f"trace: runs[].started {run.get('started')!r}")
        mp.check(run["started"] in text, f"report: the start of the run ({run['started']}) is not shown")
    mp.check(os.uname().release in text, "report: the recording host's kernel is not shown")

    # Hostile names: escaped, and visible as escapes where they are not text.
    for frag in ("&lt;script&gt;alert(1)", "&lt;img src=x onerror=alert(2)&gt;", "a&amp;b&quot;c&#39;d",
                 'bad<span class="esc">\\xff</span>name', 'nl<span class="esc">\\x0a</span>name',
                 'rtl<span class="esc">\\u202e</span>gpj.exe'):
        mp.check(frag in text, f"report: hostile name not shown as {frag!r}")
    mp.check("<script" not in text and "<img" not in text and "\u202e" not in text, "report: a hostile name came through raw")
    mp.check(b"\xff" not in raw, "report: a raw 0xff byte")

    # Figures: Docker's default from the template, what the traces hold.
    tmpl = json.load(open(os.path.join(os.environ.get("MINPRIV_SOURCE", mp.ROOT), "templates",
                                       "docker-default.json")))
    allowed, known = tmpl["x86_64"]["allowed"], tmpl["x86_64"]["known"]
    mp.check(f">{allowed}</text>" in text and f">{known}</text>" in text,
             f"report: Docker's default ({allowed} of {known}) not in the size chart")
    t1, t2 = json.load(open(paths)), json.load(open(hostile))
    names = set()
    progs = set()
    for t in (t1, t2):
        for abi, calls in t["syscalls"].items():
            names.update(calls)
            for node in calls.values():
                progs.update(node["programs"])
    for prog in progs:
        mp.check(f"<code>{prog}</code>" in text, f"report: program {prog} not listed")
    for n in names:
        mp.check(f">{n}</span>" in text, f"report: syscall {n} has no chip")
    npaths = len(set(t1["files"]) | set(t2["files"]))
    mp.check(f"<p>{npaths} paths accessed, as a tree." in text, f"report: the path count ({npaths}) is missing")
    mp.check("libc.so.6" in text and "mmap_exec" in text, "report: the file tree lacks libc's mmap_exec")
    # the hardening checklist, the docker/compose lines, the profiles themselves
    mp.check('<section id="hardening">' in text and "<td>non-root user</td>" in text and
             "<td>read-only root filesystem</td>" in text, "report: no hardening checklist")
    mp.check("docker run \\\n  " in text and "--cap-drop ALL" in text and "services:\n" in text,
             "report: no docker run or compose lines")
    for f, marker in (("seccomp.json", "&quot;defaultAction&quot;"), ("apparmor.profile", "abi &lt;abi/3.0&gt;,"),
                      ("caps.txt", "#")):
        mp.check(f"<details><summary><code>{f}</code>" in text and marker in text, f"report: {f} not shown")
    check_ephemeral(work, paths)
    check_big_tree(work, paths)

    # Deterministic: order and merging change no byte; -o - gives the same.
    out2 = os.path.join(work, "report2.html")
    rc, _, se = mp.minpriv("report", "-q", "-o", out2, hostile, paths)
    mp.check(rc == 0 and open(out2, "rb").read() == raw, "report: depends on the order of the traces")
    merged = os.path.join(work, "merged.json")
    rc, _, se = mp.minpriv("merge", "-o", merged, paths, hostile)
    mp.check(rc == 0, f"merge: {se}")
    rc, so, se = mp.minpriv("report", "-q", "-o", "-", merged)
    mp.check(rc == 0 and so.encode() == raw, "report: a merged trace gives another page (or -o - differs)")

    # Bad input: exit 2, the file named, nothing written.
    missing = os.path.join(work, "missing.json")
    bad_out = os.path.join(work, "bad.html")
    rc, _, se = mp.minpriv("report", "-o", bad_out, missing)
    mp.check(rc == 2 and "missing.json" in se and not os.path.exists(bad_out), f"report on a missing trace: {rc} {se}")
    broken = os.path.join(work, "broken.json")
    with open(broken, "w") as f:
        f.write('{"format": "minpriv-trace",\n "version": 1,\n oops}')
    rc, _, se = mp.minpriv("report", "-o", bad_out, broken)
    mp.check(rc == 2 and "broken.json:3:" in se and not os.path.exists(bad_out), f"report on broken JSON: {rc} {se}")
    rc, _, se = mp.minpriv("report", "-o", os.path.join(work, "no", "such", "dir", "r.html"), paths)
    mp.check(rc == 2 and "cannot write" in se, f"report to an unwritable path: {rc} {se}")
    rc, _, se = mp.minpriv("report")
    mp.check(rc == 2 and "no trace given" in se, f"report without a trace: {rc} {se}")
    print(f"ok: report of {len(progs)} programs, {len(names)} syscall names, "
          f"{npaths} paths: {len(raw)} bytes, balanced, self-contained, "
          "hostile names escaped, deterministic; bad input refused")
    return out


def check_ephemeral(work, trace_path):
    """Ephemeral ports (32768-60999) of one host and result fold into one
    row; a fixed port keeps its own row."""
    t = json.load(open(trace_path))
    peers = {f"127.0.0.1:{p}": {"ok": {"programs": {"/srv/client": {"count": 1}}}} for p in (40001, 40002, 40003)}
    peers["127.0.0.1:8080"] = {"ok": {"programs": {"/srv/client": {"count": 2}}}}
    t.setdefault("network", {})["connect"] = {"AF_INET": peers}
    for port in range(33000, 33040):
        t["network"]["connect"]["AF_INET"][f"10.0.0.9:{port}"] = {"ok": {"programs": {"/srv/client": {"count": 1}}}}
    synth = os.path.join(work, "ephemeral.json")
    json.dump(t, open(synth, "w"))
    rc, page, se = mp.minpriv("report", "-q", "-o", "-", synth)
    mp.check(rc == 0, f"report on the ephemeral-port trace: {se}")
    mp.check("10.0.0.9:32768-60999</code> <span class=\"n\">40 ephemeral ports</span>" in page and
             " x40</span>" in page, "report: the 40 ephemeral ports of 10.0.0.9 are not one row")
    mp.check("<code>127.0.0.1:8080</code>" in page and "127.0.0.1:32768-60999</code> <span class=\"n\">3 ephemeral"
             in page, "report: the fixed port 8080 was folded, or 127.0.0.1's three ephemeral ports were not")
    mp.check("rows fewer" in page, "report: the folding is not explained")


def check_big_tree(work, trace_path):
    """A directory of 1,200 files: folded (not open), its first 500 entries
    shown and a line for the other 700."""
    t = json.load(open(trace_path))
    sample = next(iter(t["files"].values()))
    for i in range(1200):
        t["files"][f"/var/cache/app/item-{i:05d}"] = sample
    big = os.path.join(work, "big.json")
    json.dump(t, open(big, "w"))
    rc, page, se = mp.minpriv("report", "-q", "-o", "-", big)
    mp.check(rc == 0, f"report on the big tree: {se}")
    shown = page.count("<code>item-0")
    mp.check("700 more entries here" in page and shown == 500,
             f"report: the 1,200-file directory is not cut at 500 entries ({shown} shown)")
    mp.check('app/</span><span class="n">1200 paths</span>' in page and
             '<li><details open><summary><span class="dir">app/' not in page and
             'app/</span><span class="n">1200 paths' in page.split("<li><details><summary>", 1)[-1] if
             "<li><details><summary>" in page else False, "report: the big directory is not folded")


def check_render(work):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("SKIP: chromium is not installed", file=sys.stderr)
        sys.exit(77)
    paths, _, _ = record_all(work)
    page = os.path.join(work, "report.html")
    rc, _, se = mp.minpriv("report", "-q", "-o", page, paths)
    mp.check(rc == 0, f"report: {se}")
    shot = os.path.join(work, "shot.png")
    width, height = 1280, 2000
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
           "--disable-extensions", "--disable-default-apps", "--hide-scrollbars",
           f"--user-data-dir={os.path.join(work, 'chromium-profile')}", f"--screenshot={shot}",
           f"--window-size={width},{height}", "file://" + page]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120, cwd=work)
    mp.check(p.returncode == 0 and os.path.isfile(shot),
             f"chromium failed ({p.returncode}): {p.stderr.decode(errors='replace')[-2000:]}")
    w, h, ch, rows = png.read(shot)
    mp.check((w, h) == (width, height), f"screenshot is {w}x{h}, expected {width}x{height}")
    colours = png.colours(w, ch, rows, step=2)
    mp.check(len(colours) > 200, f"screenshot has only {len(colours)} colours: blank or unstyled")

    def px(x, y):
        return tuple(rows[y][x * ch:x * ch + 3])
    # The header band (#1d2433) at the top left: the inline CSS applied.
    mp.check(px(4, 4) == (0x1d, 0x24, 0x33), f"header colour at (4,4) is {px(4, 4)}")
    # The size chart's bars: Docker's default (#8a94a6) and the profile
    # (#2f6fde) somewhere, as solid runs of pixels: the inline SVG drew.
    def has_run(rgb, length=40):
        target = bytes(rgb)
        for r in rows:
            run = 0
            for x in range(0, w * ch, ch):
                run = run + 1 if r[x:x + 3] == target else 0
                if run >= length:
                    return True
        return False
    for name, rgb in (("Docker's default bar", (0x8a, 0x94, 0xa6)), ("profile bar", (0x2f, 0x6f, 0xde))):
        mp.check(has_run(rgb), f"screenshot: no {name} ({'#%02x%02x%02x' % rgb})")
    keep = os.environ.get("MINPRIV_REPORT_SCREENSHOT")
    if keep:
        shutil.copy(shot, keep)
    print(f"ok: rendered in {os.path.basename(chromium)}: {w}x{h} screenshot, {len(colours)} colours, "
          f"header and bars where the page puts them ({os.path.getsize(page)} byte page, "
          f"{os.path.getsize(shot)} byte PNG)")


def main():
    what = sys.argv[1] if len(sys.argv) > 1 else "html"
    work = tempfile.mkdtemp(prefix="minpriv-report-")
    try:
        if what == "html":
            check_html(work)
        elif what == "render":
            check_render(work)
        else:
            mp.fail(f"unknown mode {what}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
