#!/usr/bin/env python3
"""Writes trace.json: the names the evidence rules generalise (and the ones
they must not). Run once; trace.json is the golden input."""
import json

P = "/usr/bin/app"


def use(n=1):
    return {"programs": {P: {"count": n}}}


files = {}


def f(path, *kinds, uid=1000, typ="file", by_owner=True, result="ok", private_new=False):
    path = path.rstrip("/")  # directories are recorded without a trailing slash
    node = files.setdefault(path, {"access": {}})
    for k in kinds:
        node["access"].setdefault(k, {})[result] = use()
    if result == "ok" and "create" not in kinds:
        node.update({"uid": uid, "gid": uid, "mode": 0o644, "type": typ})
    elif "create" in kinds:
        node.update({"uid": uid, "gid": uid, "mode": 0o644, "type": typ})
    node["by_owner"] = by_owner
    if private_new:
        node["private_new"] = True


# sort(1) temporaries (glibc mkstemp: 6 random of [A-Za-z0-9]), one without an
# upper-case letter, which takes its siblings' pattern
for n in ["sortAb3xYz", "sortQ9kLmN", "sort7hTrw2", "sortab12cd"]:
    f("/tmp/" + n, "create", "write", "read", "delete")
# gcc's temporaries ("cc" + mkstemp's 6) outside /tmp (TMPDIR elsewhere), one
# per directory: a draw without capitals (4%) also fits Python's 8, one ending
# in 4 digits (1 in 1,478) looks like a number, one all digits like a counter;
# each must still give cc??????
for d, n in [("gcc1", "cc4bcd1f"), ("gcc2", "ccQx3Lm0"), ("gcc3", "ccabcdef"), ("gcc4", "ccpK1234"),
             ("gcc5", "ccab1234"), ("gcc6", "cc123456")]:
    f(f"/srv/{d}/{n}.res", "create", "write", "read", "delete")
# a Python temporary (8 of [a-z0-9_], no prefix) whose draw begins with "cc"
# (1 in 1,369): no suffix, so not gcc's cc??????
f("/srv/pyt4/ccz0k1xy", "create", "write", "read", "delete")
# ... and one after a prefix, with a suffix (Python's test_logging:
# test_logging-2-XXXXXXXX.log): not gcc's either
f("/srv/pyt5/test_logging-2-ccq4w8e2.log", "create", "write", "read", "delete")
# Python temporaries whose draw ends in 4 digits (1 in 190): still ????????
for d, n in [("pyt1", "test-temp-ntsg1234"), ("pyt2", "test-temp-ntsgabcd"), ("pyt3", "tmpcs2g1234")]:
    f(f"/srv/{d}/{n}", "create", "write", "read", "delete")
# a Python tmp directory (tmp + 8, with digits) beside a word of the same
# length (test_shutil): the word stays literal
f("/srv/sh/tmpk2j0x9a0/", "create", "list", "delete", typ="dir")
f("/srv/sh/tmpk2j0x9a0/test.txt", "create", "write", "delete")
f("/srv/sh/link_to_dir/", "create", "delete", typ="dir")
f("/srv/sh/link_to_dir/test.txt", "write")
# glibc sem_open temporaries, one of them a draw of digits only (1 in 57,000,
# but a test suite makes hundreds): still one of the family, not a number
for n in ["sem.0cTNNi", "sem.2Ctvmz", "sem.xyzabc", "sem.482913"]:
    f("/dev/shm/" + n, "create", "write", "read", "delete", "link")
# Python tempfile directories (8 of [a-z0-9_]) holding the workload's files
for d in ["x4p9uzby", "ohphselr", "q1_k9a0z"]:
    f(f"/srv/tmp/{d}/", "create", "list", "delete", typ="dir")
    for i in range(2):
        f(f"/srv/tmp/{d}/dir{i}/", "create", "delete", typ="dir")
        f(f"/srv/tmp/{d}/dir{i}/test{i}.txt", "create", "write", "read", "delete")
# git's object store: fan-out directories and content hashes
for h in ["06d67a1a0c8f0c7c3a9b9f7e1f1d2c3b4a5e6f70", "d6a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8"]:
    f(f"/srv/repo/.git/objects/{h[:2]}/", "create", typ="dir")
    f(f"/srv/repo/.git/objects/{h[:2]}/tmp_obj_Xa9b2C", "create", "write", "delete")
    f(f"/srv/repo/.git/objects/{h[:2]}/{h[2:]}", "link", "read")
# redis: temp-<pid>.rdb (4242 is a recorded pid), renamed to dump.rdb
f("/var/lib/redis/temp-4242.rdb", "create", "write", "rename", uid=100)
f("/var/lib/redis/dump.rdb", "rename", "read", uid=100)
# postgres: numbered relation files and their forks
for n in ["2619", "2619_fsm", "2840", "2840_fsm", "16384", "16384_fsm"]:
    f(f"/srv/pg/base/5/{n}", "create", "write", "read", uid=105)
# a rotated log with a date
f("/srv/log/app.log.2026-12-03_21-45-58", "create", "write", uid=1000)
# a traversal cut short: a listed directory and 5 listed subdirectories,
# one of them with a listed subdirectory of its own
f("/usr/share/doc/", "list", uid=0, typ="dir")
for s in ["adduser", "apt", "bash", "coreutils", "curl/examples"]:
    f(f"/usr/share/doc/{s}/", "list", uid=0, typ="dir")
f("/usr/share/doc/curl/", "list", uid=0, typ="dir")
# names made as mkstemp makes them (private_new: O_EXCL, mode 0600; mkdir
# 0700) and kept, whose draw reads as a word: Python's 8 after a prefix, a
# mkstemp template of the workload's own; the same name made otherwise stays
# literal, and so do a private name that is no draw (the whole name, all of
# it after a leading dot) and a private directory's word (postgres makes
# pg_notify so)
f("/srv/kept1/report-abcdefgh", "create", "write", "read", private_new=True)
f("/srv/kept2/foo_cbjgqj.log", "create", "write", private_new=True)
f("/srv/kept3/work_qwertyui/", "create", typ="dir", private_new=True)
f("/srv/kept4/notes-abcdefgh", "create", "write", "read")
f("/srv/kept5/secret", "create", "write", private_new=True)
f("/srv/kept5/.config/", "create", typ="dir", private_new=True)
# must stay literal: files that existed (a random-looking key, numbered
# certificates read only twice), single names with short numbers
f("/etc/app/id_ed25519_Xk3p9Q", "read", uid=1000)
f("/etc/app/certs/ca1.pem", "read", uid=0)
f("/etc/app/certs/ca2.pem", "read", uid=0)
f("/srv/out/utf8", "create", "write")
f("/srv/out/v2/", "create", typ="dir")
# a directory the workload created but with an executed file: no subtree
f("/srv/build/", "create", typ="dir")
f("/srv/build/a.out", "create", "write", "exec", "mmap_exec")
f("/srv/build/b.o", "create", "write")

trace = {
    "format": "minpriv-trace", "version": 3,
    "runs": [{"command": ["app"], "exit": {"code": 0, "status": 0}, "mode": "seccomp", "no_new_privs": False,
              "recorder": "minpriv 0.1.0", "stacks": False, "unprivileged_port_start": 1024,
              "pids": [4242, 4250]}],
    "syscalls": {"x86_64": {"openat": {"first": P, "programs": {P: {"count": 1}}, "results": {"ok": 1}}}},
    "unknown_syscalls": {}, "arguments": {}, "files": files, "network": {}, "credentials": {},
    "capabilities": {}, "signals": {}, "ptrace": {}, "resources": {},
}
with open("trace.json", "w") as out:
    json.dump(trace, out, indent=1, sort_keys=True)
    out.write("\n")
