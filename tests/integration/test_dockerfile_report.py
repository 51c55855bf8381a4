#!/usr/bin/env python3
"""minpriv report --dockerfile: the image findings beside the runtime ones.

On the trace and Dockerfile of tests/golden/dockerfile-bad plus a LABEL with
markup, the page must carry an "Image" section (linked from the nav) listing
every flagged finding with its line number, exactly as hardening.md numbers
them, with the markup escaped and the page balanced; without --dockerfile
there is no such section; an unparseable Dockerfile gives exit 2, one line
naming FILE:LINE, and no page; white space is what Docker's parser takes for
it (form feeds and vertical tabs too)."""
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp  # noqa: E402
from test_report import Balance  # noqa: E402

CASE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "golden", "dockerfile-bad")


def findings(gen):
    """hardening.md's Dockerfile findings in directory gen: (line, check, "**flagged**" or "")."""
    md = open(os.path.join(gen, "hardening.md")).read()
    return re.findall(r"^- line (\d+), ([^:]*): (\*\*flagged\*\*)?", md, re.M)


def main():
    work = tempfile.mkdtemp(prefix="minpriv-img-dfreport-")
    try:
        trace = os.path.join(CASE, "trace.json")
        df = os.path.join(work, "Dockerfile")
        src = open(os.path.join(CASE, "Dockerfile")).read()
        open(df, "w").write(src + 'LABEL hint="<script>x</script> use --privileged"\n')
        nlines = src.count("\n") + 1
        out = os.path.join(work, "r.html")
        rc, _, se = mp.minpriv("report", "-q", "-o", out, "--dockerfile", df, trace)
        mp.check(rc == 0, f"report --dockerfile: exit {rc}: {se}")
        text = open(out, encoding="utf-8").read()
        p = Balance()
        p.feed(text)
        p.close()
        mp.check(not p.errors and not p.stack, f"unbalanced page: {p.errors[:5]} {p.stack[:5]}")
        mp.check("script" not in p.tags, "the LABEL's markup was not escaped")
        mp.check('<a href="#image">' in text and '<section id="image">' in text, "no Image section or nav link")
        sec = text[text.index('<section id="image">'):]
        sec = sec[:sec.index("</section>")]
        rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>(<b>flagged</b>|note)</td>", sec)
        # the same findings as hardening.md, line for line
        gen = os.path.join(work, "gen")
        rc, _, se = mp.minpriv("generate", "-q", "-o", gen, "--dockerfile", df, trace)
        mp.check(rc == 0, f"generate --dockerfile: exit {rc}: {se}")
        md_rows = findings(gen)
        mp.check(len(rows) == len(md_rows) and len(rows) >= 15, f"report {len(rows)} rows, hardening.md {len(md_rows)}")
        for (l1, c1, v1), (l2, c2, v2) in zip(rows, md_rows):
            mp.check(l1 == l2 and c1 == c2 and (v1 == "note") == (v2 == ""), f"row differs: {l1} {c1} / {l2} {c2}")
        mp.check((str(nlines), "privileged-style advice", "<b>flagged</b>") in rows,
                 f"the appended LABEL (line {nlines}) is not flagged: {rows}")
        mp.check("&lt;script&gt;" in sec or "script" not in sec, "markup in a finding not escaped")
        # without --dockerfile: no image section
        rc, _, se = mp.minpriv("report", "-q", "-o", out, trace)
        mp.check(rc == 0 and 'id="image"' not in open(out).read(), "an Image section without --dockerfile")
        # unparseable: exit 2, one line naming FILE:LINE, nothing written
        bad = os.path.join(work, "Bad")
        open(bad, "w").write("FROM debian:12.5\nRUN true && \\\n  echo\nFRM x\n")
        out2 = os.path.join(work, "r2.html")
        rc, _, se = mp.minpriv("report", "-o", out2, "--dockerfile", bad, trace)
        mp.check(rc == 2, f"bad Dockerfile: exit {rc}")
        mp.check(f"{bad}:4: unknown instruction 'FRM'" in se and len(se.strip().splitlines()) == 1, f"message: {se!r}")
        mp.check(not os.path.exists(out2), "bad Dockerfile: a page was written")
        # an instruction whose arguments are only white space the line's
        # trimming keeps (a form feed, carriage returns): refused, not read
        # as an instruction without words (the fuzzer's crash)
        open(bad, "w").write("FROM python:3 AS build\nENV \r\f\r\r\r\r\r\r")
        rc, _, se = mp.minpriv("report", "-o", out2, "--dockerfile", bad, trace)
        mp.check(rc == 2 and f"{bad}:2: ENV needs arguments" in se and len(se.strip().splitlines()) == 1,
                 f"ENV of white space: exit {rc}, {se!r}")
        mp.check(not os.path.exists(out2), "ENV of white space: a page was written")
        # white space as Docker's parser has it ([\t\v\f\r ]): a line of
        # only form feeds and vertical tabs is blank, and any of them ends
        # an instruction's name (ENV's secret and USER then read as such)
        ws = os.path.join(work, "Ws")
        open(ws, "w").write("FROM debian:12.5\n\f\v \nENV\fAPI_TOKEN=abc\r\nRUN\vtrue\nUSER\f1000\n")
        gen2 = os.path.join(work, "gen2")
        rc, _, se = mp.minpriv("generate", "-q", "-o", gen2, "--dockerfile", ws, trace)
        mp.check(rc == 0, f"Dockerfile with \\f/\\v white space: exit {rc}: {se}")
        found = findings(gen2)
        mp.check(("3", "secret baked in", "**flagged**") in found, f"ENV\\fAPI_TOKEN not flagged: {found}")
        mp.check(not any(c == "no non-root USER" for _, c, _ in found), f"USER\\f1000 not read: {found}")
        # a continuation is the escape then only spaces and tabs (and the
        # CRLF's \r): after a form feed the next line is an instruction of
        # its own, after spaces and a \r it continues this one
        open(ws, "w").write("FROM debian:12.5\nRUN echo a \\ \f\nUSER 1000\n"
                            "RUN echo b \\ \t\r\n  USER 0\n")
        rc, _, se = mp.minpriv("generate", "-q", "-o", gen2, "--dockerfile", ws, trace)
        mp.check(rc == 0, f"Dockerfile with continuations: exit {rc}: {se}")
        found = findings(gen2)
        mp.check(not any(c == "no non-root USER" for _, c, _ in found),
                 f"a backslash before a form feed continued the line (USER 1000 lost), or `\\ \\t\\r` did not: {found}")
        print(f"ok: report --dockerfile: {len(rows)} findings with line numbers, same as hardening.md; "
              "bad input refused")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
