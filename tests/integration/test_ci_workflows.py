#!/usr/bin/env python3
"""The CI examples in docs/ci, run as far as a machine without GitHub or
GitLab can run them.

GitHub (github-actions.yml + github-comment.yml):
  - minpriv.yml runs with a read-only token (permissions: contents: read
    only), installs a pinned release (sha256 checked, actions/cache keyed
    on it; no clone or build of minpriv), writes the job summary and
    uploads the artifact "minpriv";
  - its "Compare" step's script, run here with minpriv on PATH on real
    profiles that widen: status=1 in GITHUB_OUTPUT, diff.md under 65,536
    characters in the job summary and the artifact, diff-full.md,
    pr-number;
  - minpriv-comment.yml is triggered by workflow_run of that workflow's
    name, checks out nothing, and its comment script, run with a fake `gh`
    that keeps the pull request's comments: the first run creates the
    comment (marker first), the second updates the same comment (no second
    one), a pull request number that is not a number is refused before any
    API call.
GitLab (gitlab-ci.yml): the job's script lines, run with sh in a
checkout whose run-integration-tests widens the committed profiles: exit 1
(the profiles widen), diff.md and diff-full.md written, no note posted
without a token.
scripts/ci-example (ctest ci.example) runs the same commands on the sample
project."""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp  # noqa: E402

try:
    import yaml
except ImportError:
    mp.fail("python3-yaml is needed (scripts/deps.sh installs it)")

SOURCE = os.environ.get("MINPRIV_SOURCE", mp.ROOT)
CI = os.path.join(SOURCE, "docs", "ci")

FAKE_GH = r'''#!/usr/bin/env python3
# A fake `gh api` for the comment script: comments kept in $FAKE_GH_STATE.
import json, os, sys
state = os.environ["FAKE_GH_STATE"]
db = json.load(open(state)) if os.path.exists(state) else {"comments": [], "calls": []}
args = sys.argv[1:]
assert args[0] == "api", args
method, body, path, jq = "GET", None, None, None
i = 1
while i < len(args):
    a = args[i]
    if a == "--method": method = args[i + 1]; i += 2; continue
    if a == "-F": body = open(args[i + 1].split("=@", 1)[1]).read(); i += 2; continue
    if a == "--jq": jq = args[i + 1]; i += 2; continue
    if a == "--paginate": i += 1; continue
    path = a; i += 1
db["calls"].append([method, path])
parts = path.split("/")
if method == "GET":
    pr = int(parts[4])
    marker = "<!-- minpriv-profiles -->"
    for c in db["comments"]:
        if c["pr"] == pr and c["body"].startswith(marker):
            print(c["id"])
elif method == "POST":
    db["comments"].append({"id": 100 + len(db["comments"]), "pr": int(parts[4]), "body": body})
elif method == "PATCH":
    cid = int(parts[5])
    hit = [c for c in db["comments"] if c["id"] == cid]
    assert hit, cid
    hit[0]["body"] = body
json.dump(db, open(state, "w"))
'''


def load(name):
    with open(os.path.join(CI, name)) as f:
        doc = yaml.safe_load(f)
    doc["on"] = doc.get("on", doc.get(True))  # YAML 1.1 reads the key `on` as true
    return doc


def step(job, name_part):
    for s in job["steps"]:
        if name_part in s.get("name", ""):
            return s
    mp.fail(f"no step named like {name_part!r}")


def expand(script, values):
    for k, v in values.items():
        script = script.replace("${{ " + k + " }}", v)
    mp.check("${{" not in script, f"an expression left in the script: {script}")
    return script


def profiles(work):
    """Committed profiles (static_hello) and regenerated ones that widen (paths)."""
    out = {}
    for name, argv in (("profiles", [mp.sample("static_hello")]),
                       ("profiles.new", [mp.sample("paths"), os.path.join(work, "p")])):
        t = os.path.join(work, name + ".json")
        mp.record(argv, out=t, check_status=0)
        rc, _, err = mp.minpriv("generate", "-q", "--name", "app", "-o", os.path.join(work, name), t)
        mp.check(rc == 0, err)
        out[name] = t
    return out


def bindir(work):
    b = os.path.join(work, "bin")
    os.makedirs(b, exist_ok=True)
    os.symlink(os.path.abspath(mp.MINPRIV), os.path.join(b, "minpriv"))
    with open(os.path.join(b, "gh"), "w") as f:
        f.write(FAKE_GH)
    os.chmod(os.path.join(b, "gh"), 0o755)
    return b


def github(work, b):
    wf = load("github-actions.yml")
    cm = load("github-comment.yml")
    mp.check(wf["permissions"] == {"contents": "read"}, f"minpriv.yml permissions: {wf['permissions']}")
    mp.check(list(wf["on"]) == ["pull_request"], f"minpriv.yml triggers: {wf['on']}")
    job = wf["jobs"]["profiles"]
    code = [ln for ln in open(os.path.join(CI, "github-actions.yml")) if not ln.lstrip().startswith("#")]
    mp.check(not any(w in ln for ln in code for w in ("git clone", "cmake ", "gh pr comment", "gh api")),
             "minpriv.yml clones or builds minpriv, or comments")
    cache = step(job, "Cache")
    mp.check(cache["uses"].startswith("actions/cache@") and "MINPRIV_SHA256" in cache["with"]["key"], f"cache: {cache}")
    dl = step(job, "Download")
    mp.check("sha256sum --check" in dl["run"] and dl["if"] == "steps.cache.outputs.cache-hit != 'true'",
             f"download step: {dl}")
    up = step(job, "Keep")
    mp.check(up["uses"].startswith("actions/upload-artifact@") and up["with"]["name"] == "minpriv", f"upload: {up}")

    # The Compare step, run for real.
    run = os.path.join(work, "gh-run")
    os.makedirs(run)
    for d in ("profiles", "profiles.new"):
        shutil.copytree(os.path.join(work, d), os.path.join(run, d))
    gh_out, summary = os.path.join(work, "gh-output"), os.path.join(work, "gh-summary")
    script = expand(step(job, "Compare")["run"], {"github.event.pull_request.number": "42"})
    env = {**os.environ, "PATH": b + ":" + os.environ["PATH"], "GITHUB_OUTPUT": gh_out, "GITHUB_STEP_SUMMARY": summary,
           "RUN_URL": "https://github.example/o/r/actions/runs/7"}
    p = subprocess.run(["bash", "-e", "-c", script], cwd=run, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=300)
    mp.check(p.returncode == 0, f"Compare step: exit {p.returncode}: {p.stderr.decode()}")
    mp.check(open(gh_out).read() == "status=1\n", f"GITHUB_OUTPUT: {open(gh_out).read()!r}")
    md = open(os.path.join(run, "minpriv", "diff.md")).read()
    mp.check(0 < len(md) < 65536 and "**" in md and "<details open>" in md, f"diff.md: {md[:300]}")
    mp.check(open(summary).read() == md, "the job summary is not diff.md")
    mp.check(open(os.path.join(run, "minpriv", "pr-number")).read() == "42\n", "pr-number")
    mp.check(os.path.isfile(os.path.join(run, "minpriv", "diff-full.md")) and
             os.path.isfile(os.path.join(run, "minpriv", "profiles.new", "seccomp.json")), "artifact contents")

    # The comment workflow.
    mp.check(cm["on"] == {"workflow_run": {"workflows": [wf["name"]], "types": ["completed"]}},
             f"comment workflow trigger: {cm['on']}")
    mp.check(cm["permissions"] == {"actions": "read", "pull-requests": "write"}, f"permissions: {cm['permissions']}")
    cjob = cm["jobs"]["comment"]
    mp.check(not any("checkout" in s.get("uses", "") for s in cjob["steps"]), "the comment workflow checks out code")
    post = step(cjob, "Post")["run"]
    state = os.path.join(work, "gh-state.json")
    cenv = {**env, "FAKE_GH_STATE": state, "GH_REPO": "o/r"}

    def comment():
        return subprocess.run(["bash", "-e", "-c", post], cwd=run, env=cenv, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=60)

    p1 = comment()
    db = json.load(open(state))
    mp.check(p1.returncode == 0 and len(db["comments"]) == 1 and db["comments"][0]["pr"] == 42,
             f"first run: {p1.returncode} {p1.stderr.decode()} {db}")
    body = db["comments"][0]["body"]
    mp.check(body.startswith("<!-- minpriv-profiles -->\n### minpriv") and md in body and len(body) < 65536,
             "comment body")
    with open(os.path.join(run, "minpriv", "diff.md"), "w") as f:
        f.write("second push\n")
    p2 = comment()
    db = json.load(open(state))
    mp.check(p2.returncode == 0 and len(db["comments"]) == 1 and db["comments"][0]["body"].endswith("second push\n")
             and db["calls"][-1][0] == "PATCH", f"second run did not update the one comment: {db['calls']}")
    with open(os.path.join(run, "minpriv", "pr-number"), "w") as f:
        f.write("42; touch pwned\n")
    calls = len(db["calls"])
    p3 = comment()
    db = json.load(open(state))
    mp.check(p3.returncode != 0 and len(db["calls"]) == calls and not os.path.exists(os.path.join(run, "pwned")),
             "a bad pull request number was not refused")
    return len(md)


def gitlab(work, b):
    doc = yaml.safe_load(open(os.path.join(CI, "gitlab-ci.yml")))
    job = doc["minpriv"]
    run = os.path.join(work, "gl-run")
    os.makedirs(run)
    shutil.copytree(os.path.join(work, "profiles"), os.path.join(run, "profiles"))
    with open(os.path.join(run, "run-integration-tests"), "w") as f:
        f.write(f"#!/bin/sh\nexec {mp.sample('paths')} {os.path.join(work, 'gl-p')}\n")
    os.chmod(os.path.join(run, "run-integration-tests"), 0o755)
    script = "set -e\n" + "\n".join(job["script"]) + "\n"
    env = {k: v for k, v in os.environ.items() if k != "MINPRIV_NOTE_TOKEN"}
    env.update({"PATH": b + ":" + os.environ["PATH"], "CI_JOB_URL": "https://gitlab.example/o/r/-/jobs/9"})
    p = subprocess.run(["sh", "-c", script], cwd=run, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=300)
    out = p.stdout.decode() + p.stderr.decode()
    mp.check(p.returncode == 1 and "The profiles widen" in out, f"GitLab job: exit {p.returncode}\n{out}")
    md = open(os.path.join(run, "diff.md")).read()
    mp.check(0 < len(md) < 65536 and os.path.getsize(os.path.join(run, "diff-full.md")) >= len(md),
             "GitLab diff.md / diff-full.md")
    return len(md)


def main():
    work = os.path.realpath(mp.tmpdir())
    profiles(work)
    b = bindir(work)
    n_gh = github(work, b)
    n_gl = gitlab(work, b)
    shutil.rmtree(work, ignore_errors=True)
    print(f"ok: GitHub: read-only PR workflow (pinned cached release, job summary, artifact), sticky comment via "
          f"workflow_run created then updated, bad PR number refused; GitLab job run: exit 1 on widening; "
          f"diff.md {n_gh} / {n_gl} characters")


if __name__ == "__main__":
    main()
