#!/usr/bin/env python3
"""Names made the way mkstemp, mkdtemp and Python's tempfile make them
(O_CREAT|O_EXCL with mode 0600, also relative to a directory fd; mkdir and
mkdirat with 0700), kept after the run, whose draws read as words: a single
recording cannot tell them from words, only how they were made. Beside
them, names made otherwise (O_EXCL with 0644, O_CREAT without O_EXCL, mkdir
0755), and a tempfile.mkstemp file and mkdtemp directory of the workload's
own prefix, removed at the end. The directories' draws have a digit: a
directory made 0700 and kept whose draw reads as a word stays literal
(applications make their own so: postgres' pg_notify); and so may a kept
mkstemp name drawn all digits (1 in 35,000), so those two are removed.

Usage: privnames.py WORKDIR [DRAW]
WORKDIR must exist. DRAW 1 or 2 gives fixed draws (1: report-abcdefgh,
foo_cbjgqj.log, work_qw3rtyui; 2: other ones); without it every run draws
new words (lower-case letters, or capitals for mkstemp's 6)."""
import os
import random
import string
import sys
import tempfile

d = sys.argv[1]
if len(sys.argv) > 2:
    py8, six, dir8 = {"1": ("abcdefgh", "cbjgqj", "qw3rtyui"), "2": ("zx_q9m2k", "Xk3pQ9", "k2j4x9a3")}[sys.argv[2]]
else:
    rng = random.SystemRandom()
    py8 = "".join(rng.choice(string.ascii_lowercase) for _ in range(8))
    dir8 = "".join(rng.choice(string.ascii_lowercase) for _ in range(7))
    k = rng.randrange(8)
    dir8 = dir8[:k] + rng.choice(string.digits) + dir8[k:]
    alphabet = rng.choice((string.ascii_lowercase, string.ascii_uppercase))
    six = "".join(rng.choice(alphabet) for _ in range(6))
EXCL = os.O_CREAT | os.O_EXCL | os.O_RDWR


def make(name, flags, mode, dir_fd=None):
    os.close(os.open(name if dir_fd is not None else os.path.join(d, name), flags, mode, dir_fd=dir_fd))


make(f"report-{py8}", EXCL, 0o600)
make(f"foo_{six}.log", EXCL, 0o600)
make("notes-abcdefgh", EXCL, 0o644)
make("plain-abcdefgh", os.O_CREAT | os.O_RDWR, 0o600)
os.mkdir(os.path.join(d, f"work_{dir8}"), 0o700)
os.mkdir(os.path.join(d, "shared"), 0o755)
dfd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
make(f"at_{py8}", EXCL, 0o600, dir_fd=dfd)
os.mkdir(f"dirat_{dir8}", 0o700, dir_fd=dfd)
os.close(dfd)
fd, name = tempfile.mkstemp(prefix="tmpf-", dir=d)
os.close(fd)
tdir = tempfile.mkdtemp(prefix="tmpd-", dir=d)
print(f"privnames: report-{py8} foo_{six}.log work_{dir8} {os.path.basename(name)} {os.path.basename(tdir)}")
os.unlink(name)
os.rmdir(tdir)
