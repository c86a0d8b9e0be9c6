"""End-to-end tests of the built-in cloud baselines: builtin:azure-mcsb over
tests/fixtures/azure-mcsb/snapshot/ (ARG, ARM list and plain-array exports) and
builtin:kubernetes over tests/fixtures/kubernetes/ (a YAML stream, a List, a
JSON array and a single JSON manifest).  Every (control, asset) status is
asserted exactly; every control has at least one pass and one fail; SARIF
locations point at the manifest file and line; the generated control lists in
docs/ are current."""
import json
import os
import re
import subprocess
import sys
import tempfile

from e2elib import BIN, FIX, ROOT, run, eq, test

AZ = os.path.join(FIX, "azure-mcsb")
AZ_SNAP = os.path.join(AZ, "snapshot")
K8S_REL = os.path.join("tests", "fixtures", "kubernetes")
K8S = os.path.join(ROOT, K8S_REL)

# Every Kubernetes workload in the fixtures and the controls it must fail;
# it passes every other control (all 24 apply to every workload kind).
K8S_FAILS = {
    "apps/v1/DaemonSet/bad-k8s-ps-02": ["K8S-PS-02"],
    "apps/v1/DaemonSet/bad-k8s-ps-05": ["K8S-PS-05", "K8S-PS-13"],   # hostPath is also not an allowed volume type
    "apps/v1/DaemonSet/bad-k8s-ps-18": ["K8S-PS-18"],
    "apps/v1/Deployment/bad-k8s-hd-04": ["K8S-HD-04"],
    "apps/v1/Deployment/bad-k8s-ps-01": ["K8S-PS-01"],
    "apps/v1/Deployment/bad-k8s-ps-10": ["K8S-PS-10"],
    "apps/v1/Deployment/bad-k8s-ps-10-explicit-root": ["K8S-PS-10"],
    "apps/v1/Deployment/bad-k8s-ps-14": ["K8S-PS-14"],
    "apps/v1/Deployment/bad-k8s-ps-16": ["K8S-PS-16"],
    "apps/v1/ReplicaSet/bad-k8s-hd-02": ["K8S-HD-02"],
    "apps/v1/ReplicaSet/bad-k8s-ps-11": ["K8S-PS-11"],
    "apps/v1/StatefulSet/bad-k8s-hd-05": ["K8S-HD-05"],
    "apps/v1/StatefulSet/bad-k8s-ps-04": ["K8S-PS-04"],
    "apps/v1/StatefulSet/bad-k8s-ps-12": ["K8S-PS-12"],
    "batch/v1/CronJob/bad-k8s-hd-01": ["K8S-HD-01"],
    "batch/v1/CronJob/bad-k8s-hd-06-no-namespace": ["K8S-HD-06"],
    "batch/v1/CronJob/bad-k8s-ps-08": ["K8S-PS-08"],
    "batch/v1/Job/bad-k8s-hd-03": ["K8S-HD-02", "K8S-HD-03"],        # no resources at all: no CPU limit either
    "batch/v1/Job/bad-k8s-ps-07": ["K8S-PS-07"],
    "batch/v1/Job/bad-k8s-ps-13": ["K8S-PS-13"],
    "v1/Pod/bad-k8s-hd-04-untagged": ["K8S-HD-04"],
    "v1/Pod/bad-k8s-hd-06": ["K8S-HD-06"],
    "v1/Pod/bad-k8s-ps-03": ["K8S-PS-03"],
    "v1/Pod/bad-k8s-ps-06": ["K8S-PS-06"],
    "v1/Pod/bad-k8s-ps-09": ["K8S-PS-09"],
    "v1/Pod/bad-k8s-ps-12-no-seccomp": ["K8S-PS-12"],
    "v1/Pod/bad-k8s-ps-15": ["K8S-PS-15"],
    "v1/ReplicationController/bad-k8s-ps-17": ["K8S-PS-17"],
    "apps/v1/DaemonSet/good-daemonset": [],
    "apps/v1/Deployment/good-deployment": [],
    "apps/v1/Deployment/good-digest": [],
    "apps/v1/ReplicaSet/good-replicaset": [],
    "apps/v1/StatefulSet/good-per-container": [],
    "apps/v1/StatefulSet/good-statefulset": [],
    "batch/v1/CronJob/good-cronjob": [],
    "batch/v1/Job/good-job": [],
    "v1/Pod/good-pod": [],
    "v1/ReplicationController/good-replicationcontroller": [],
}


def assess(*args):
    rc, out, err = run("assess", "--no-store", "-f", "json", "--all", *args)
    assert rc in (0, 1), f"exit {rc}: {err}"
    return json.loads(out)


def control_ids(path):
    rc, out, err = run("list", "controls", path, "-f", "json")
    eq(rc, 0, f"list controls {path} ({err})")
    return [c["id"] for c in json.loads(out)]


def pass_and_fail_each(doc, ids, what):
    seen = {}
    for r in doc["results"]:
        seen.setdefault(r["control"], set()).add(r["status"])
    for cid in ids:
        st = seen.get(cid, set())
        assert "pass" in st and "fail" in st, f"{what}: {cid} has statuses {sorted(st)}, needs a pass and a fail"


@test
def content_cloud_builtins_lint_and_list():
    rc, out, err = run("lint", os.path.join(ROOT, "content", "baselines", "azure-mcsb.yaml"),
                       os.path.join(ROOT, "content", "baselines", "kubernetes.yaml"))
    eq(rc, 0, f"lint exit ({err})")
    assert "baseline azure-mcsb 1.0.0, 111 controls" in out, out
    assert "baseline kubernetes 1.0.0, 24 controls" in out, out
    rc, out, _ = run("list", "baselines")
    assert "builtin:azure-mcsb" in out.split() and "builtin:kubernetes" in out.split(), out
    az = control_ids("builtin:azure-mcsb")
    eq(len(az), 111, "azure-mcsb controls")
    eq(len(set(az)), 111, "azure-mcsb unique ids")
    assert all(re.fullmatch(r"AZ-[A-Z]+-\d\d", i) for i in az), az
    k8s = control_ids("builtin:kubernetes")
    eq(k8s[:3] + k8s[-2:], ["K8S-PS-01", "K8S-PS-02", "K8S-PS-03", "K8S-HD-05", "K8S-HD-06"], "kubernetes ids")
    # every Azure control maps to MCSB v1 and NIST SP 800-53 r5
    rc, out, _ = run("list", "controls", "builtin:azure-mcsb", "--framework", "nist-800-53-r5", "-f", "json")
    eq(rc, 0, "list --framework nist")
    eq(len(json.loads(out)), 111, "controls mapped to NIST")
    rc, out, _ = run("list", "controls", "builtin:azure-mcsb", "--framework", "mcsb-v1", "-f", "json")
    eq(len(json.loads(out)), 111, "controls mapped to MCSB")


@test
def content_cloud_azure_exact_statuses():
    expected = json.load(open(os.path.join(AZ, "expected.json")))
    doc = assess("-b", "builtin:azure-mcsb", "-s", AZ_SNAP)
    got = {"%s|%s" % (r["control"], r["asset"]): r["status"] for r in doc["results"]}
    missing = sorted(set(expected) - set(got))
    extra = sorted(set(got) - set(expected))
    assert not missing and not extra, f"missing {missing[:5]} extra {extra[:5]}"
    wrong = [(k, got[k], v) for k, v in expected.items() if got[k] != v]
    assert not wrong, f"{len(wrong)} wrong, e.g. {wrong[:5]}"
    eq(len(got), 952, "results")
    counts = {s: list(expected.values()).count(s) for s in ("pass", "fail", "not_applicable")}
    s = doc["summary"]
    eq((s["pass"], s["fail"], s["error"], s["not_applicable"]),
       (counts["pass"], counts["fail"], 0, counts["not_applicable"]), "summary")
    pass_and_fail_each(doc, control_ids("builtin:azure-mcsb"), "azure-mcsb")
    eq(sorted(f["id"] for f in doc["frameworks"]), ["cis-v8", "mcsb-v1", "nist-800-53-r5"], "frameworks")


@test
def content_cloud_azure_evidence():
    doc = assess("-b", "builtin:azure-mcsb", "-s", os.path.join(AZ_SNAP, "storage-keyvault.json"))
    res = {(r["control"], r["asset"].rsplit("/", 1)[-1]): r for r in doc["results"]}
    r = res[("AZ-ST-02", "bad-az-st-02")]
    eq(r["status"], "fail", "AZ-ST-02 status")
    eq(r["evidence"][0]["path"], "properties.minimumTlsVersion", "evidence path")
    eq(r["evidence"][0]["actual"], "TLS1_0", "evidence actual")
    # a missing field is absent, never compliant
    r = res[("AZ-ST-03", "bad-az-st-03")]
    eq(r["status"], "fail", "AZ-ST-03 status")
    assert "properties.allowBlobPublicAccess is missing" in r["message"], r["message"]
    eq(res[("AZ-ST-08", "good-storageaccounts")]["status"], "pass", "tier-1 control without an inventory")


@test
def content_cloud_azure_nsg_port_ranges():
    doc = assess("-b", "builtin:azure-mcsb", "-s", os.path.join(AZ_SNAP, "network.json"))
    st = {(r["control"], r["asset"].rsplit("/", 1)[-1]): r["status"] for r in doc["results"]}
    # 3300-3400 in destinationPortRanges, 3000-4000 in destinationPortRange: both cover 3389
    eq(st[("AZ-NSG-01", "bad-az-nsg-01")], "fail", "ranges list")
    eq(st[("AZ-NSG-01", "bad-az-nsg-01-range")], "fail", "single range")
    eq(st[("AZ-NSG-01", "good-nsg-range")], "pass", "4000-5000")
    eq(st[("AZ-NSG-02", "bad-az-nsg-01-range")], "pass", "SSH not covered")
    # allow-all from the Internet opens RDP and SSH too
    eq([st[(c, "bad-az-nsg-03")] for c in ("AZ-NSG-01", "AZ-NSG-02", "AZ-NSG-03")], ["fail"] * 3, "any port")


@test
def content_cloud_kubernetes_exact_statuses():
    doc = assess("-b", "builtin:kubernetes", "-s", K8S_REL)
    ids = control_ids("builtin:kubernetes")
    eq(len(ids), 24, "controls")
    got = {}
    for r in doc["results"]:
        got.setdefault(r["asset"], {})[r["control"]] = r["status"]
    eq(sorted(got), sorted(K8S_FAILS), "workload assets (Namespace, Service and ConfigMap are out of scope)")
    for asset, fails in K8S_FAILS.items():
        want = {c: ("fail" if c in fails else "pass") for c in ids}
        eq(got[asset], want, asset)
    eq(doc["summary"]["assets"], 41, "assets read (38 workloads + 3 other documents)")
    eq((doc["summary"]["fail"], doc["summary"]["error"]), (30, 0), "fail/error counts")
    pass_and_fail_each(doc, ids, "kubernetes")


def manifest_locations():
    """asset id -> (file, line, column) of the document or item, read from the files."""
    loc = {}

    def name_after(lines, i, pat):
        for j in range(i, len(lines)):
            m = re.match(pat, lines[j])
            if m:
                return m.group(1)
        raise AssertionError(f"no name after line {i + 1}")

    def kind_api(lines, i):
        api = kind = None
        for j in range(i, len(lines)):
            m = re.match(r'^\s*-?\s*"?apiVersion"?:\s*"?([^",]+)"?', lines[j])
            if m and api is None:
                api = m.group(1)
            m = re.match(r'^\s*"?kind"?:\s*"?([^",]+)"?', lines[j])
            if m and kind is None:
                kind = m.group(1)
            if api and kind:
                return api, kind
        raise AssertionError("no apiVersion/kind")

    # the YAML stream: a document starts at its first line that is not ---, blank or a comment
    f = "workloads.yaml"
    lines = open(os.path.join(K8S, f)).read().splitlines()
    starts, at_start = [], True
    for i, l in enumerate(lines):
        if l == "---":
            at_start = True
        elif at_start and l.strip() and not l.startswith("#"):
            starts.append(i)
            at_start = False
    for i in starts:
        api, kind = kind_api(lines, i)
        loc["%s/%s/%s" % (api, kind, name_after(lines, i, r"^  name: (\S+)$"))] = (f, i + 1, 1)
    # the List: items are "- " entries at column 0 under items:, the item's mapping at column 3
    f = "list.yaml"
    lines = open(os.path.join(K8S, f)).read().splitlines()
    for i, l in enumerate(lines):
        if l.startswith("- apiVersion: "):
            api, kind = kind_api(lines, i)
            loc["%s/%s/%s" % (api, kind, name_after(lines, i, r"^    name: (\S+)$"))] = (f, i + 1, 3)
    # the JSON array: elements open with "  {" (column 3)
    f = "more.json"
    lines = open(os.path.join(K8S, f)).read().splitlines()
    for i, l in enumerate(lines):
        if l == "  {":
            api, kind = kind_api(lines, i)
            loc["%s/%s/%s" % (api, kind, name_after(lines, i, r'^      "name": "([^"]+)"'))] = (f, i + 1, 3)
    loc["apps/v1/Deployment/good-digest"] = ("digest-deployment.json", 1, 1)
    return loc


@test
def content_cloud_kubernetes_sarif_locations():
    rc, out, err = run("assess", "--no-store", "-f", "sarif", "-b", "builtin:kubernetes", "-s", K8S_REL)
    eq(rc, 0, f"exit ({err})")
    sarif = json.loads(out)
    results = sarif["runs"][0]["results"]
    eq(len(results), 30, "one SARIF result per failure")
    loc = manifest_locations()
    eq(len(loc), 41, "documents located in the fixture files (38 workloads + Namespace, Service, ConfigMap)")
    assert set(K8S_FAILS) <= set(loc), sorted(set(K8S_FAILS) - set(loc))
    checked = set()
    for r in results:
        asset = r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
        phys = r["locations"][0]["physicalLocation"]
        f, line, col = loc[asset]
        eq(phys["artifactLocation"]["uri"], K8S_REL + "/" + f, f"{r['ruleId']} {asset} uri")
        eq((phys["region"]["startLine"], phys["region"]["startColumn"]), (line, col), f"{r['ruleId']} {asset} line:col")
        assert asset in K8S_FAILS and r["ruleId"] in K8S_FAILS[asset], (asset, r["ruleId"])
        checked.add(f)
    eq(sorted(checked), ["list.yaml", "more.json", "workloads.yaml"], "files with failures")
    # spot check against a line read by eye: bad-k8s-ps-03 (hostPID) in the stream
    hp = [r for r in results if r["ruleId"] == "K8S-PS-03"]
    eq(len(hp), 1, "K8S-PS-03 results")
    line = hp[0]["locations"][0]["physicalLocation"]["region"]["startLine"]
    text = open(os.path.join(K8S, "workloads.yaml")).read().splitlines()
    eq(text[line - 1], "apiVersion: v1", "first line of the hostPID pod")
    eq(text[line + 1:line + 3], ["metadata:", "  name: bad-k8s-ps-03"], "its metadata")


@test
def content_cloud_docs_are_current():
    script = os.path.join(ROOT, "scripts", "gen-control-docs.py")
    for name in ("azure-mcsb", "kubernetes"):
        src = os.path.join(ROOT, "content", "baselines", name + ".yaml")
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "out.md")
            p = subprocess.run([sys.executable, script, src, "-o", out], capture_output=True,
                               env=dict(os.environ, BASELINE_BIN=BIN))
            eq(p.returncode, 0, f"gen-control-docs {name}: {p.stderr!r}")
            text = open(out).read()
        for cid in control_ids(src):
            assert "| %s |" % cid in text, f"{cid} missing from the generated list"
        try:
            import yaml  # noqa: F401 - the committed pages are generated with PyYAML
        except ImportError:
            continue
        committed = open(os.path.join(ROOT, "docs", name + "-controls.md")).read()
        assert committed == text, f"docs/{name}-controls.md is stale: run make docs"


def doc_example(page):
    """The first ```yaml block of a docs page that is a baseline document."""
    text = open(os.path.join(ROOT, "docs", page)).read()
    m = re.search(r"```yaml\n(baseline:.*?)```", text, re.S)
    assert m, f"no baseline example in docs/{page}"
    return m.group(1)


@test
def content_cloud_tailoring_examples_from_docs():
    with tempfile.TemporaryDirectory() as d:
        az = os.path.join(d, "contoso-azure.yaml")
        k8s = os.path.join(d, "platform-k8s.yaml")
        open(az, "w").write(doc_example("azure-mcsb-baseline.md"))
        open(k8s, "w").write(doc_example("kubernetes-baseline.md"))
        rc, out, err = run("lint", az, k8s)
        eq(rc, 0, f"lint of the docs' examples ({err})")
        assert "baseline contoso-azure 1.0.0, 107 controls" in out, out   # 111 - 1 - 3 (AZ-FN-*) - 1 + 1 own
        assert "baseline platform-k8s 1.0.0, 23 controls" in out, out
        rc, out, _ = run("list", "controls", az, "--effective", "-f", "json")
        ctl = {c["id"]: c for c in json.loads(out)}
        assert "AZ-FN-01" not in ctl and "AZ-APP-12" not in ctl and "AZ-DEF-04" not in ctl, sorted(ctl)
        eq((ctl["AZ-ST-05"]["severity"], ctl["AZ-ST-05"]["effect"]), ("high", "deny"), "AZ-ST-05 override")
        # the tailored baseline assesses the fixtures: AZ-ST-05 is now a high deny failure
        doc = assess("-b", az, "-s", os.path.join(AZ_SNAP, "storage-keyvault.json"))
        r = [x for x in doc["results"] if x["control"] == "AZ-ST-05" and x["status"] == "fail"]
        eq([(x["asset"].rsplit("/", 1)[-1], x["severity"], x["effect"]) for x in r],
           [("bad-az-st-05", "high", "deny")], "tailored AZ-ST-05 failures")
        # the Kubernetes example: HD-06 gone, PS-02 also covers batch/v1beta1 CronJobs
        legacy = os.path.join(d, "legacy.yaml")
        open(legacy, "w").write(
            "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: old, namespace: ops}\n"
            "spec:\n  schedule: '0 1 * * *'\n  jobTemplate:\n    spec:\n      template:\n"
            "        spec:\n          hostNetwork: true\n          containers: [{name: c, image: 'busybox:1.36'}]\n")
        doc = assess("-b", k8s, "-s", legacy)
        eq([(r["control"], r["status"]) for r in doc["results"]], [("K8S-PS-02", "fail")],
           "only the re-scoped control applies to the v1beta1 CronJob")
        doc = assess("-b", k8s, "-s", K8S_REL)
        assert not [r for r in doc["results"] if r["control"] == "K8S-HD-06"], "K8S-HD-06 excluded"
        # the imagePattern parameter: digests only
        digest = os.path.join(d, "digest-only.yaml")
        open(digest, "w").write(
            "baseline: digest-only\nversion: 1.0.0\ntitle: t\nextends: [builtin:kubernetes]\n"
            "tailor:\n  parameters: {imagePattern: '^[^@]+@sha256:[a-f0-9]{64}$'}\n")
        doc = assess("-b", digest, "-s", K8S_REL)
        st = {r["asset"]: r["status"] for r in doc["results"] if r["control"] == "K8S-HD-04"}
        eq(st["apps/v1/Deployment/good-digest"], "pass", "digest-pinned")
        eq(st["apps/v1/Deployment/good-deployment"], "fail", "tagged image with digests required")
        eq(sorted(a for a, s in st.items() if s == "pass"), ["apps/v1/Deployment/good-digest"], "only digests pass")
