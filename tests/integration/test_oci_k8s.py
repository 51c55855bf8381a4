#!/usr/bin/env python3
"""OCI and Kubernetes output of `minpriv generate --format k8s`.

Records the paths sample and static_hello, generates with --format k8s and
checks:
  - oci-seccomp.json is an OCI `linux.seccomp` object (defaultAction,
    defaultErrnoRet, architectures, syscalls with names/action/errnoRet/args
    only) with exactly the rules of seccomp.json;
  - k8s/seccompprofile.yaml, k8s/apparmorprofile.yaml and
    k8s/securitycontext.yaml are valid YAML with the expected resources:
    the SeccompProfile has seccomp.json's rules, the AppArmorProfile only
    paths the operator's schema accepts and the capabilities of caps.txt,
    the securityContext drops ALL, adds caps.txt, and follows hardening.md;
  - the files are byte-identical whatever the order of the traces;
  - runc: an OCI bundle (from `runc spec`, the host's /usr and the samples
    mounted read-only, a tmpfs /tmp) with the fragment spliced into
    config.json runs the paths sample to success; the same fragment without
    one syscall the sample needs (and runc does not) makes it fail at that
    call. Needs root and runc for that part.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mp  # noqa: E402

try:
    import yaml
except ImportError:
    mp.fail("python3-yaml is needed (scripts/deps.sh installs it)")

SPO_PATH = re.compile(r"^(?:/(?:[a-zA-Z0-9_./*?+@ -]|@\{[a-zA-Z0-9_]+\})*)$")
OCI_TOP = {"defaultAction", "defaultErrnoRet", "architectures", "syscalls"}
OCI_RULE = {"names", "action", "errnoRet", "args"}


def rules_of(profile):
    """The rules as comparable tuples (names sorted)."""
    out = []
    for r in profile["syscalls"]:
        args = tuple((a["index"], a["value"], a.get("valueTwo", 0), a["op"]) for a in r.get("args", []))
        out.append((tuple(sorted(r["names"])), r["action"], r.get("errnoRet"), args))
    return sorted(out)


def caps_of(path):
    with open(path) as f:
        return [w for w in (line.split("#", 1)[0].strip() for line in f) if w]


def generate(out, traces, *extra):
    rc, _, err = mp.minpriv("generate", "-q", "--format", "k8s", "-o", out, *extra, *traces)
    mp.check(rc == 0, f"generate --format k8s: {err}")
    files = sorted(os.path.relpath(os.path.join(d, f), out) for d, _, fs in os.walk(out) for f in fs)
    return files


# The Security Profiles Operator's layouts: (SeccompProfile version,
# AppArmorProfile version, localhostProfile directory under operator/).
LAYOUTS = {
    "cluster": ("v1", "v1", ""),  # v0.9 and later (the default): cluster-scoped, storage v1
    "namespaced": ("v1beta1", "v1alpha1", "default/"),  # before v0.9 (--spo-layout namespaced)
}


def check_files(work, traces, layout="cluster"):
    out = os.path.join(work, "profiles-" + layout)
    extra = ["--spo-layout", layout] if layout != "cluster" else []
    sp_version, aa_version, ns_dir = LAYOUTS[layout]
    files = generate(out, traces, *extra)
    for f in ("oci-seccomp.json", "k8s/seccompprofile.yaml", "k8s/apparmorprofile.yaml", "k8s/securitycontext.yaml"):
        mp.check(f in files, f"generate --format k8s did not write {f}: {files}")
    out2 = os.path.join(work, "profiles-reversed-" + layout)
    generate(out2, list(reversed(traces)), *extra)
    for f in files:
        mp.check(open(os.path.join(out, f), "rb").read() == open(os.path.join(out2, f), "rb").read(),
                 f"{f} depends on the order of the traces")
    # Without --format k8s: oci-seccomp.json, no k8s/.
    plain = os.path.join(work, "plain-" + layout)
    rc, _, err = mp.minpriv("generate", "-q", "-o", plain, *traces)
    mp.check(rc == 0 and os.path.isfile(os.path.join(plain, "oci-seccomp.json"))
             and not os.path.exists(os.path.join(plain, "k8s")), f"plain generate: {err} {os.listdir(plain)}")

    docker = json.load(open(os.path.join(out, "seccomp.json")))
    oci = json.load(open(os.path.join(out, "oci-seccomp.json")))
    mp.check(set(oci) <= OCI_TOP and {"defaultAction", "architectures", "syscalls"} <= set(oci),
             f"oci-seccomp.json members: {sorted(oci)}")
    for r in oci["syscalls"]:
        mp.check(set(r) <= OCI_RULE, f"oci-seccomp.json rule members: {sorted(r)}")
        for a in r.get("args", []):
            mp.check(set(a) == {"index", "value", "valueTwo", "op"}, f"oci arg members: {sorted(a)}")
    mp.check(oci["defaultAction"] == docker["defaultAction"] and
             oci.get("defaultErrnoRet") == docker.get("defaultErrnoRet"), "oci default action differs")
    arches = [m["architecture"] for m in docker["archMap"]] + [s for m in docker["archMap"]
                                                                for s in m["subArchitectures"]]
    mp.check(sorted(oci["architectures"]) == sorted(set(arches)), f"architectures {oci['architectures']} vs {arches}")
    mp.check(rules_of(oci) == rules_of(docker), "oci-seccomp.json's rules differ from seccomp.json's")

    docs = {}
    for f in ("seccompprofile", "apparmorprofile", "securitycontext"):
        with open(os.path.join(out, "k8s", f + ".yaml")) as fh:
            loaded = list(yaml.safe_load_all(fh))
        mp.check(len(loaded) == 1 and isinstance(loaded[0], dict), f"{f}.yaml: not one YAML mapping")
        docs[f] = loaded[0]
    name = docs["seccompprofile"]["metadata"]["name"]
    mp.check(re.fullmatch(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?", name), f"not a Kubernetes name: {name}")

    sp = docs["seccompprofile"]
    mp.check(sp["apiVersion"] == f"security-profiles-operator.x-k8s.io/{sp_version}" and sp["kind"] == "SeccompProfile"
             and "namespace" not in sp["metadata"],
             f"SeccompProfile header: {sp['apiVersion']} {sp['kind']}")
    spec = sp["spec"]
    mp.check(spec["defaultAction"] == docker["defaultAction"], "SeccompProfile defaultAction")
    mp.check(sorted(spec["architectures"]) == sorted(set(arches)), "SeccompProfile architectures")
    mp.check(rules_of(spec) == rules_of(docker), "SeccompProfile rules differ from seccomp.json's")

    aa = docs["apparmorprofile"]
    mp.check(aa["apiVersion"] == f"security-profiles-operator.x-k8s.io/{aa_version}" and aa["kind"] == "AppArmorProfile",
             "AppArmorProfile header")
    abstract = aa["spec"]["abstract"]
    paths = []
    for sect, keys in (("executable", ("allowedExecutables", "allowedLibraries")),
                       ("filesystem", ("readOnlyPaths", "writeOnlyPaths", "readWritePaths"))):
        for k in keys:
            paths += abstract.get(sect, {}).get(k, [])
    mp.check(paths, "AppArmorProfile lists no path")
    for p in paths:
        mp.check(SPO_PATH.match(p), f"AppArmorProfile path {p!r} does not match the operator's pattern")
    samples = os.path.dirname(mp.sample("paths"))
    mp.check(os.path.join(samples, "paths") in abstract["executable"]["allowedExecutables"],
             "the paths sample is not an allowed executable")
    caps = caps_of(os.path.join(out, "caps.txt"))
    mp.check(sorted(abstract.get("capability", {}).get("allowedCapabilities", [])) ==
             sorted(c[4:].lower() for c in caps), "AppArmorProfile capabilities differ from caps.txt")

    sc = docs["securitycontext"]["spec"]
    pod = sc["securityContext"]
    mp.check(pod["seccompProfile"] == {"type": "Localhost", "localhostProfile": f"operator/{ns_dir}{name}.json"},
             f"pod seccompProfile: {pod['seccompProfile']}")
    ctr = sc["containers"][0]
    csc = ctr["securityContext"]
    mp.check(csc["capabilities"]["drop"] == ["ALL"], "capabilities.drop")
    mp.check(sorted(csc["capabilities"].get("add", [])) == sorted(c[4:] for c in caps), "capabilities.add vs caps.txt")
    md = open(os.path.join(out, "hardening.md")).read()
    paste = md.split("```sh", 1)[1].split("```", 1)[0]
    nnp = "--security-opt no-new-privileges" in paste
    mp.check(csc["allowPrivilegeEscalation"] == (not nnp or "CAP_SYS_ADMIN" in caps),
             "allowPrivilegeEscalation disagrees with hardening.md")
    mp.check(csc["readOnlyRootFilesystem"] == ("--read-only" in paste), "readOnlyRootFilesystem vs hardening.md")
    mp.check(("--user" in paste) == bool(pod.get("runAsNonRoot")), "runAsNonRoot vs hardening.md")
    tmpfs = re.findall(r"--tmpfs (\S+)", paste)
    mounts = [m["mountPath"] for m in ctr.get("volumeMounts", [])]
    mp.check(sorted(t.split(":")[0] for t in tmpfs) == sorted(mounts), f"volumeMounts {mounts} vs tmpfs {tmpfs}")
    mem = re.search(r"--memory (\d+)m", paste)
    mp.check(mem and ctr["resources"]["limits"]["memory"] == f"{mem.group(1)}Mi", "memory limit vs hardening.md")
    mp.check(csc["appArmorProfile"] == {"type": "Localhost", "localhostProfile": name}, "appArmorProfile")
    print(f"ok: oci-seccomp.json has seccomp.json's {len(oci['syscalls'])} rules in OCI form; the three YAML files "
          f"parse, the SeccompProfile mirrors seccomp.json, the AppArmorProfile has {len(paths)} schema-valid paths "
          f"and caps.txt's capabilities, the securityContext follows caps.txt and hardening.md; order-independent")
    return out


def runc_run(work, tag, seccomp, argv, samples):
    bundle = os.path.join(work, f"bundle-{tag}")
    root = os.path.join(bundle, "rootfs")
    for d in ("usr", "tmp", "proc", "dev", "sys", samples.lstrip("/")):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    for link in ("bin", "lib", "lib64", "sbin"):
        if not os.path.lexists(os.path.join(root, link)):
            os.symlink(f"usr/{link}", os.path.join(root, link))
    subprocess.run(["runc", "spec"], cwd=bundle, check=True)
    with open(os.path.join(bundle, "config.json")) as f:
        config = json.load(f)
    config["process"]["terminal"] = False
    config["process"]["args"] = argv
    # /tmp first: runc mounts in this order, and the build tree may itself
    # live under /tmp (a CI checkout), which a later tmpfs would hide
    config["mounts"] += [
        {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "mode=1777"]},
        {"destination": "/usr", "type": "bind", "source": "/usr", "options": ["rbind", "ro"]},
        {"destination": samples, "type": "bind", "source": samples, "options": ["rbind", "ro"]},
    ]
    config["linux"]["seccomp"] = seccomp
    with open(os.path.join(bundle, "config.json"), "w") as f:
        json.dump(config, f, indent=1)
    cid = f"minpriv-oci-{os.getpid()}-{tag}"
    try:
        p = subprocess.run(["runc", "run", "--bundle", bundle, cid], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, timeout=120)
    finally:
        subprocess.run(["runc", "delete", "--force", cid], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")


def check_runc(work, out):
    if os.geteuid() != 0 or not shutil.which("runc"):
        print("note: not root or no runc: the OCI fragment was not run", file=sys.stderr)
        return
    samples = os.path.dirname(mp.sample("paths"))
    argv = [os.path.join(samples, "paths"), "/tmp/w"]
    with open(os.path.join(out, "oci-seccomp.json")) as f:
        oci = json.load(f)
    rc, text = runc_run(work, "ok", oci, argv, samples)
    mp.check(rc == 0, f"runc with oci-seccomp.json: exit {rc}\n{text}")
    # Without one call the sample makes (and checks) and runc's template lacks.
    template = json.load(open(os.path.join(os.environ.get("MINPRIV_SOURCE", mp.ROOT), "templates", "runc.json")))
    victim = "mkdirat"
    mp.check(victim not in template["syscalls"], f"{victim} is in runc's template; pick another")
    fewer = json.loads(json.dumps(oci))
    removed = 0
    for r in fewer["syscalls"]:
        if victim in r["names"]:
            r["names"].remove(victim)
            removed += 1
    mp.check(removed == 1, f"{victim} not in the fragment")
    fewer["syscalls"] = [r for r in fewer["syscalls"] if r["names"]]
    rc2, text2 = runc_run(work, "fewer", fewer, argv, samples)
    mp.check(rc2 != 0 and f"{victim}(" in text2 and "Operation not permitted" in text2,
             f"runc without {victim}: exit {rc2}, expected the sample to fail at {victim}\n{text2}")
    print(f"ok: runc {subprocess.run(['runc', '--version'], stdout=subprocess.PIPE).stdout.decode().split()[2]} runs "
          f"the paths sample under oci-seccomp.json spliced into config.json; without {victim} it fails there "
          f"({text2.strip().splitlines()[-1]})")


def check_netlink_raw(work):
    """`ip link` opens a netlink raw socket: apparmor.profile has `network
    netlink raw,`, and the AppArmorProfile must not turn it into allowRaw
    (which the operator renders `network raw,`: raw sockets of every
    family)."""
    if not shutil.which("ip"):
        print("note: no ip command; the netlink raw case is left out")
        return
    trace = os.path.join(work, "ip.json")
    mp.record(["ip", "-o", "link", "show", "lo"], out=trace, check_status=0)
    out = os.path.join(work, "ip-profiles")
    generate(out, [trace])
    prof = open(os.path.join(out, "apparmor.profile")).read()
    mp.check("network netlink raw," in prof, f"ip's profile has no netlink raw rule:\n{prof}")
    with open(os.path.join(out, "k8s", "apparmorprofile.yaml")) as f:
        aa = yaml.safe_load(f)
    net = aa["spec"]["abstract"]["network"]
    mp.check(net["allowRaw"] is False, f"netlink raw became allowRaw: {net}")


def main():
    work = tempfile.mkdtemp(prefix="minpriv-oci-")
    os.chmod(work, 0o755)
    try:
        t1 = os.path.join(work, "paths.json")
        mp.record([mp.sample("paths"), os.path.join(work, "p")], out=t1, check_status=0)
        t2 = os.path.join(work, "hello.json")
        mp.record([mp.sample("static_hello")], out=t2, check_status=0)
        out = check_files(work, [t1, t2])
        check_files(work, [t1, t2], "namespaced")
        check_netlink_raw(work)
        check_runc(work, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
