"""End-to-end tests of `baseline gate` (docs/guardrails-in-ci.md): exit codes
0/1/2, the text a developer reads (resource, file:line:col, field, found,
required, fix, summary), exceptions letting a deny failure through, SARIF
levels, Terraform values known only after apply, ARM expressions never
passing, several baselines, and that the gate never writes the store."""
import datetime
import json
import os
import tempfile

from e2elib import FIX, run, eq, test

G = os.path.join(FIX, "gate")
REL = "tests/fixtures/gate"   # the binary runs from the repository root
TF = ["-b", f"{REL}/terraform-baseline.yaml", "-s", f"{REL}/plan.json"]
ARM = ["-b", f"{REL}/arm-baseline.yaml", "-s", f"{REL}/template.json"]
K8S = ["-b", f"{REL}/k8s-baseline.yaml", "-s", f"{REL}/manifests.yaml"]


def day(offset):
    return (datetime.datetime.now(datetime.timezone.utc).date()
            + datetime.timedelta(days=offset)).isoformat()


def exceptions(*entries):
    """The fixture's exception document with `expires` days from today, plus
    more entries (id, control, asset glob, days)."""
    with open(os.path.join(G, "exceptions.yaml")) as f:
        text = f.read().replace("2027-06-30", day(90))
    for eid, control, asset, days in entries:
        text += (f"  - id: {eid}\n    control: {control}\n    assets: [\"{asset}\"]\n"
                 f"    category: waiver\n    justification: e2e\n"
                 f"    approved_by: ciso@contoso.example\n    expires: {day(days)}\n")
    fd, path = tempfile.mkstemp(suffix=".yaml")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return path


def blocks(out):
    """The findings of the text output: {(label, control, resource id): block}."""
    found = {}
    for block in out.split("\n\n"):
        lines = block.strip("\n").split("\n")
        if len(lines) < 2 or not lines[1].startswith("  resource  "):
            continue
        label, control = lines[0].split()[:2]
        rid = lines[1][len("  resource  "):].split(" (")[0]
        found[(label, control, rid)] = lines
    return found


@test
def gate_terraform_text():
    rc, out, err = run("gate", *TF)
    eq(rc, 1, "a deny failure blocks")
    eq(err, "", "stderr")
    f = blocks(out)
    eq(sorted(f), [("DENIED", "TF-NSG-01", "module.network.azurerm_network_security_group.web"),
                   ("DENIED", "TF-ST-01", "azurerm_storage_account.logs"),
                   ("PENDING", "TF-KV-01", "azurerm_key_vault.main"),
                   ("WARNING", "TF-ST-02", "azurerm_storage_account.logs")], "findings")
    eq(f[("DENIED", "TF-ST-01", "azurerm_storage_account.logs")], [
        "DENIED  TF-ST-01  Storage accounts require TLS 1.2  [high, deny]",
        f"  resource  azurerm_storage_account.logs (azurerm_storage_account) at {REL}/plan.json:7:9",
        "  field     min_tls_version",
        "  found     \"TLS1_0\"",
        "  required  equals \"TLS1_2\"",
        "  fix       Set min_tls_version = \"TLS1_2\" on the azurerm_storage_account."],
        "TF-ST-01 block")
    eq(f[("PENDING", "TF-KV-01", "azurerm_key_vault.main")][2],
       "  pending   network_acls is known only after apply", "unknown value")
    # denied first, then warnings, then pending, then the summary
    assert out.index("DENIED") < out.index("WARNING") < out.index("PENDING"), out
    eq(out.splitlines()[-1],
       "gate: blocked: 2 denied, 1 warning, 0 exempt, 1 known only after apply "
       "(5 resources, 5 controls)", "summary")
    # the deleted account and the data source are not assessed
    assert "azurerm_storage_account.old" not in out and "client_config" not in out, out


@test
def gate_exception_lets_deny_through():
    x = exceptions(("EX-GATE-2", "TF-ST-01", "azurerm_storage_account.logs", 30))
    try:
        rc, out, err = run("gate", *TF, "-x", x)
    finally:
        os.unlink(x)
    eq(rc, 0, f"every deny failure is covered: {out}{err}")
    f = blocks(out)
    assert ("EXEMPT", "TF-NSG-01", "module.network.azurerm_network_security_group.web") in f, out
    ex = f[("EXEMPT", "TF-ST-01", "azurerm_storage_account.logs")]
    eq(ex[-1], f"  exception EX-GATE-2 (waiver, expires {day(30)})", "exception line")
    eq(f[("EXEMPT", "TF-NSG-01", "module.network.azurerm_network_security_group.web")][-1],
       f"  exception EX-GATE-1 (mitigated, expires {day(90)}, ticket SEC-4242)", "ticket")
    # audit failures stay warnings and do not block
    assert ("WARNING", "TF-ST-02", "azurerm_storage_account.logs") in f, out
    eq(out.splitlines()[-1],
       "gate: passed: 0 denied, 1 warning, 2 exempt, 1 known only after apply "
       "(5 resources, 5 controls)", "summary")


@test
def gate_expired_exception_blocks():
    x = exceptions(("EX-OLD", "TF-ST-01", "azurerm_storage_account.*", -2))
    try:
        rc, out, _ = run("gate", *TF, "-x", x)
    finally:
        os.unlink(x)
    eq(rc, 1, "an expired exception covers nothing")
    b = blocks(out)[("DENIED", "TF-ST-01", "azurerm_storage_account.logs")]
    eq(b[-2], f"  exception EX-OLD (waiver, expired on {day(-2)})", "expired line")


@test
def gate_passes_clean_input():
    plan = {"format_version": "1.2", "planned_values": {"root_module": {"resources": [
        {"address": "azurerm_storage_account.ok", "mode": "managed",
         "type": "azurerm_storage_account", "name": "ok",
         "values": {"min_tls_version": "TLS1_2", "public_network_access_enabled": False}}]}}}
    fd, path = tempfile.mkstemp(suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump(plan, f)
    try:
        rc, out, err = run("gate", "-b", f"{REL}/terraform-baseline.yaml", "-s", path)
    finally:
        os.unlink(path)
    eq(rc, 0, err)
    eq(out, "gate: passed: 0 denied, 0 warnings, 0 exempt, 0 known only after apply "
            "(1 resources, 5 controls)\n", "only the summary")


@test
def gate_arm_expression_never_passes():
    rc, out, _ = run("gate", *ARM)
    eq(rc, 1, "an unevaluated deny check blocks")
    f = blocks(out)
    tid = f"{REL}/template.json#/resources/0"
    eq(f[("DENIED", "ARM-ST-02", tid)][1:3], [
        f"  resource  {tid} (Microsoft.Storage/storageAccounts) at {REL}/template.json:9:5",
        "  unchecked properties.minimumTlsVersion is an unevaluated template expression: "
        "[parameters('tlsVersion')]"], "expression")
    child = f"{REL}/template.json#/resources/0/resources/0"
    assert ("WARNING", "ARM-BLOB-01", child) in f, out
    assert ("DENIED", "ARM-ST-01", f"{REL}/template.json#/resources/1") in f, out
    rc, out, _ = run("gate", *ARM, "-f", "json")
    eq(rc, 1, "json exit")
    res = {(r["control"], r["asset"]): r for r in json.loads(out)["results"]}
    eq(res[("ARM-ST-02", tid)]["status"], "error", "expression status")
    eq(res[("ARM-ST-02", f"{REL}/template.json#/resources/1")]["status"], "pass", "literal")
    eq(res[("ARM-BLOB-01", child)]["asset_type"],
       "Microsoft.Storage/storageAccounts/blobServices", "child type")


@test
def gate_sarif_levels():
    fd, path = tempfile.mkstemp(suffix=".sarif")
    os.close(fd)
    try:
        rc, out, err = run("gate", *TF, "-f", "sarif", "-o", path)
        with open(path) as f:
            doc = json.load(f)
    finally:
        os.unlink(path)
    eq(rc, 1, "exit")
    eq(out, "", "report went to the file")
    eq(err, "gate: blocked: 2 denied, 1 warning, 0 exempt\n", "verdict on stderr")
    got = sorted((r["ruleId"], r["level"]) for r in doc["runs"][0]["results"])
    eq(got, [("TF-NSG-01", "error"), ("TF-ST-01", "error"), ("TF-ST-02", "warning")], "levels")
    loc = [r for r in doc["runs"][0]["results"] if r["ruleId"] == "TF-ST-01"][0]["locations"][0]
    eq(loc["physicalLocation"]["region"], {"startLine": 7, "startColumn": 9}, "region")


@test
def gate_sarif_level_follows_the_effect():
    # K8S-01 is a low-severity deny control, K8S-02 a low-severity audit one:
    # in a gate, the level says blocked (error) or warned (warning)
    rc, out, _ = run("gate", *K8S, "-f", "sarif")
    eq(rc, 1, "exit")
    doc = json.loads(out)
    got = sorted((r["ruleId"], r["kind"], r["level"]) for r in doc["runs"][0]["results"])
    eq(got, [("K8S-01", "fail", "error"), ("K8S-02", "fail", "warning")], "levels")
    rules = {r["id"]: r["defaultConfiguration"]["level"] for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    eq(rules, {"K8S-01": "error", "K8S-02": "warning"}, "rule levels")
    # assess keeps severity levels: low -> note
    rc, out, _ = run("assess", "--no-store", "-b", f"{FIX}/gate/k8s-baseline.yaml", "-s",
                     f"{FIX}/gate/manifests.yaml", "-f", "sarif")
    doc = json.loads(out)
    eq(sorted((r["ruleId"], r["level"]) for r in doc["runs"][0]["results"]),
       [("K8S-01", "note"), ("K8S-02", "note")], "assess levels")


@test
def gate_junit_and_kubernetes():
    rc, out, _ = run("gate", *K8S, "-f", "junit")
    eq(rc, 1, "privileged container")
    assert out.startswith("<?xml") and 'failures="2"' in out, out[:300]
    rc, out, _ = run("gate", *K8S)
    f = blocks(out)
    eq(sorted(f), [("DENIED", "K8S-01", "apps/v1/Deployment/debug"),
                   ("WARNING", "K8S-02", "apps/v1/Deployment/debug")], "k8s findings")
    eq(f[("DENIED", "K8S-01", "apps/v1/Deployment/debug")][1],
       f"  resource  apps/v1/Deployment/debug (apps/v1/Deployment) at {REL}/manifests.yaml:16:1",
       "manifest position")


@test
def gate_several_baselines():
    rc, out, _ = run("gate", *TF, *ARM)
    eq(rc, 1, "exit")
    eq(out.splitlines()[-1],
       "gate: blocked: 4 denied, 2 warnings, 0 exempt, 1 known only after apply "
       "(8 resources, 8 controls)", "summary")
    rc, _, err = run("gate", "-b", f"{REL}/arm-baseline.yaml", "-b", f"{REL}/arm-baseline.yaml",
                     "-s", f"{REL}/template.json")
    eq(rc, 2, "duplicate control ids")
    assert "control ARM-ST-01 is also defined in" in err, err


@test
def gate_usage_and_bad_input():
    for args, msg in [((), "no baseline"),
                      (("-b", f"{REL}/arm-baseline.yaml"), "nothing to check"),
                      ((*ARM, "-f", "html"), "unknown format 'html'"),
                      ((*ARM, "extra"), "unexpected argument 'extra'")]:
        rc, out, err = run("gate", *args)
        eq(rc, 2, f"{args}")
        eq(out, "", "no output")
        assert msg in err, err
    fd, path = tempfile.mkstemp(suffix=".json")
    with os.fdopen(fd, "w") as f:
        f.write('{"format_version": "1.2",\n "resource_changes": [{"address": 1}]}\n')
    try:
        rc, out, err = run("gate", "-b", f"{REL}/terraform-baseline.yaml", "-s", path)
    finally:
        os.unlink(path)
    eq(rc, 2, "malformed plan")
    eq(out, "", "nothing that looks like a result")
    assert f"{path}:2:35: terraform plan: resource change \"address\" must be a non-empty string" in err, err
    rc, _, err = run("gate", "-b", f"{REL}/plan.json", "-s", f"{REL}/plan.json")
    eq(rc, 2, "a plan is not a baseline")


@test
def gate_never_writes_the_store():
    d = tempfile.mkdtemp()
    store = os.path.join(d, "store.db")
    env = dict(os.environ, BASELINE_STORE=store)
    rc, _, _ = run("gate", *TF, env=env)
    eq(rc, 1, "exit")
    eq(os.path.exists(store), False, "store created")
    os.rmdir(d)


@test
def gate_parameters_shared_by_several_baselines():
    d = tempfile.mkdtemp(prefix="bl-gate-params-")
    def write(name, text):
        p = os.path.join(d, name)
        with open(p, "w") as f:
            f.write(text)
        return p
    b1 = write("b1.yaml", """baseline: b1
version: 1.0.0
parameters:
  minTls: {type: string, allowedValues: [TLS1_2, TLS1_3]}
controls:
  - id: P-01
    title: TLS
    severity: high
    effect: deny
    scope: {types: [x.test/a]}
    expect: {field: tls, equals: "[parameters('minTls')]"}
""")
    b2 = write("b2.yaml", """baseline: b2
version: 1.0.0
parameters:
  owner: {type: string}
controls:
  - id: P-02
    title: Owner
    severity: low
    effect: audit
    scope: {types: [x.test/a]}
    expect: {field: owner, equals: "[parameters('owner')]"}
""")
    snap = write("snap.json", '[{"id": "a1", "type": "x.test/a", "tls": "TLS1_2", "owner": "ops"}]')
    good = write("params.json", '{"minTls": {"value": "TLS1_2"}, "owner": {"value": "ops"}}')
    rc, out, err = run("gate", "-b", b1, "-b", b2, "-s", snap, "--parameters", good)
    eq((rc, err), (0, ""), "each baseline takes the names it defines")
    assert "gate: passed" in out, out
    bad = write("bad.json", '{"minTls": {"value": "TLS1_2"}, "owner": {"value": "ops"},\n "ownr": {"value": "x"}}')
    rc, out, err = run("gate", "-b", b1, "-b", b2, "-s", snap, "--parameters", bad)
    eq(rc, 2, "a name no baseline defines")
    assert f'{bad}:2:2: parameter "ownr" is not defined by any of the baselines' in err, err
    rc, out, err = run("gate", "-b", b1, "-b", b2, "-s", snap)
    eq(rc, 2, "values missing")
    assert "minTls" in err and "owner" in err, err
