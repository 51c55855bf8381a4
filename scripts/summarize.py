#!/usr/bin/env python3
"""Print a short summary of a trace and the profiles generated from it
(used by scripts/demo)."""
import json
import os
import sys


def main():
    trace_path, prof = sys.argv[1], sys.argv[2]
    t = json.load(open(trace_path))
    print(f"Trace: {trace_path}")
    for abi, calls in sorted(t["syscalls"].items()):
        print(f"  {abi}: {len(calls)} distinct syscalls, "
              f"{sum(p['count'] for v in calls.values() for p in v['programs'].values())} calls")
    programs = sorted({p for v in t["syscalls"].get("x86_64", {}).values() for p in v["programs"]})
    print(f"  programs: {', '.join(programs)}")
    print(f"  paths: {len(t['files'])}, network endpoints: "
          f"{sum(len(a) for op in t['network'].values() for a in op.values())}")
    res = t.get("resources", {})
    print(f"  peaks: {res.get('max_rss_kib', 0)} KiB RSS, {res.get('max_processes', 0)} processes, "
          f"{res.get('max_threads', 0)} threads, {res.get('cpu_ms', 0)} ms CPU")
    print(f"Profiles in {prof}/:")
    if os.path.isdir(prof):
        for name in sorted(os.listdir(prof)):
            path = os.path.join(prof, name)
            with open(path, errors="replace") as f:
                lines = f.read().count("\n")
            print(f"  {name:20} {os.path.getsize(path):7} bytes, {lines} lines")
        sc = os.path.join(prof, "seccomp.json")
        if os.path.exists(sc):
            p = json.load(open(sc))
            names = {n for s in p.get("syscalls", []) if s.get("action") == "SCMP_ACT_ALLOW" for n in s["names"]}
            ref = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "templates",
                               "docker-default.json")
            docker = json.load(open(ref))["x86_64"]["allowed"] if os.path.exists(ref) else None
            print(f"  seccomp.json allows {len(names)} syscall names"
                  + (f" (Docker's default profile: {docker} on x86_64)" if docker else ""))
        caps = os.path.join(prof, "caps.txt")
        if os.path.exists(caps):
            needed = [l.split("#")[0].strip() for l in open(caps) if l.split("#")[0].strip()]
            print(f"  caps.txt: {', '.join(needed) if needed else 'no capability needed'}")


if __name__ == "__main__":
    main()
