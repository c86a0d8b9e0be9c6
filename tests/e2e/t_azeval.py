"""End-to-end tests of Azure Policy evaluation in the engine
(docs/azure-policy-evaluation.md): `related:` existence checks over a snapshot
with diagnostic settings, child and resource-group resources; stdin spooling;
`not_applicable:` controls; `--parameters` files (good, missing value, bad
type, unknown name, bad shape); template functions pinned by BASELINE_NOW."""
import json
import os

from e2elib import FIX, ROOT, run, eq, test

D = os.path.join(FIX, "azeval")
BL = os.path.join(D, "related.yaml")
SNAP = os.path.join(D, "snapshot.json")
PARAMS = os.path.join(D, "params.json")


def statuses(doc):
    return {(r["control"], r["asset"].rsplit("/", 1)[-1]): r["status"] for r in doc["results"]}


def assess(*args, stdin=None, env=None):
    rc, out, err = run("assess", "--no-store", "-f", "json", "--all", *args, stdin=stdin, env=env)
    assert rc == 0, f"exit {rc}: {err}"
    return json.loads(out)


EXPECTED = {
    ("KV-DIAG", "kv-good"): "pass",
    ("KV-DIAG", "kv-none"): "fail",
    ("KV-DIAG", "kv-off"): "fail",
    ("SQL-AUDIT", "sql-good"): "pass",
    ("SQL-AUDIT", "sql-bad"): "fail",
    ("NW-WATCHER", "vnet-we"): "pass",
    ("NW-WATCHER", "vnet-us"): "fail",
    ("RETENTION", "st1"): "fail",
    ("AKS-MANUAL", "aks1"): "not_applicable",
}


@test
def related_verdicts():
    doc = assess("-b", BL, "-s", SNAP, "--parameters", PARAMS)
    eq(statuses(doc), EXPECTED, "statuses")
    by = {(r["control"], r["asset"].rsplit("/", 1)[-1]): r for r in doc["results"]}
    none = by[("KV-DIAG", "kv-none")]
    eq(none["message"], "no Microsoft.Insights/diagnosticSettings related to the resource exists "
                        "(looked in the resource's scope)", "absent")
    eq(none["evidence"], [{"path": "related(Microsoft.Insights/diagnosticSettings)",
                           "actual": None, "expected": "exists"}], "absent evidence")
    off = by[("KV-DIAG", "kv-off")]
    assert off["message"].startswith("no Microsoft.Insights/diagnosticSettings related to the "
                                     "resource satisfies count of properties.logs[*]"), off["message"]
    eq(off["evidence"][0]["path"], "/subscriptions/s1/resourceGroups/rg1/providers/"
       "Microsoft.KeyVault/vaults/kv-off/providers/Microsoft.Insights/diagnosticSettings/off: "
       "count(properties.logs[*])", "failing evidence path")
    eq(off["evidence"][0]["actual"], 0, "failing evidence value")
    us = by[("NW-WATCHER", "vnet-us")]
    eq(us["evidence"][0]["actual"], "westeurope", "watcher location")
    eq(by[("AKS-MANUAL", "aks1")]["message"],
       "not applicable: manual policy: attest outside this tool", "not_applicable reason")
    eq(by[("RETENTION", "st1")]["message"],
       "properties.retentionDays is 7; expected greaterOrEquals 14", "parameter value used")


@test
def related_from_stdin():
    with open(SNAP, "rb") as f:
        data = f.read()
    doc = assess("-b", BL, "-s", "-", "--parameters", PARAMS, stdin=data)
    eq(statuses(doc), EXPECTED, "statuses from a spooled stdin")


@test
def related_threads_same_output():
    one = assess("-b", BL, "-s", SNAP, "--parameters", PARAMS, "--threads", "1")
    four = assess("-b", BL, "-s", SNAP, "--parameters", PARAMS, "--threads", "4")
    eq([(r["control"], r["asset"], r["status"]) for r in one["results"]],
       [(r["control"], r["asset"], r["status"]) for r in four["results"]], "thread count")


@test
def parameters_full_deployment_file_wins_over_default():
    doc = assess("-b", BL, "-s", SNAP, "--parameters", os.path.join(D, "params-full.json"))
    s = statuses(doc)
    # logCategory allLogs: kv-good's setting only sends AuditEvent
    eq(s[("KV-DIAG", "kv-good")], "fail", "assigned value wins over the default")
    eq(s[("RETENTION", "st1")], "pass", "7 >= 7")
    base = assess("-b", BL, "-s", SNAP, "--parameters", PARAMS)
    assert doc["run"]["baseline"]["sha256"] != base["run"]["baseline"]["sha256"], \
        "assigned values are part of the baseline hash"


@test
def parameter_without_value_exit_2():
    rc, out, err = run("assess", "--no-store", "-b", BL, "-s", SNAP)
    eq(rc, 2, "exit code")
    eq(out, "", "no results")
    eq(err.strip(), f"{BL}:5:3: parameter \"requiredRetention\" has no value: give it a default, "
       "a value in tailor.parameters, or one with --parameters FILE", "message")
    # lint accepts the document: the value comes at assignment
    rc, out, err = run("lint", BL)
    eq(rc, 0, "lint: " + err)


@test
def parameters_bad_values_exit_2():
    p = os.path.join(D, "params-bad.json")
    rc, out, err = run("assess", "--no-store", "-b", BL, "-s", SNAP, "--parameters", p)
    eq(rc, 2, "exit code")
    eq(err.strip().splitlines(), [
        f"{p}:5:36: value of parameter \"requiredRetention\" must be an integer to match its type, not a string",
        f"{p}:6:30: value of parameter \"logCategory\": \"Everything\" is not one of its allowedValues",
    ], "messages")
    p = os.path.join(D, "params-unknown.json")
    rc, out, err = run("assess", "--no-store", "-b", BL, "-s", SNAP, "--parameters", p)
    eq(rc, 2, "unknown: exit code")
    eq(err.strip(), f"{p}:1:38: parameter \"retention\" is not defined by the baseline", "unknown")
    p = os.path.join(D, "params-shape.json")
    rc, out, err = run("assess", "--no-store", "-b", BL, "-s", SNAP, "--parameters", p)
    eq(rc, 2, "shape: exit code")
    eq(err.strip(), f"{p}:1:23: parameter \"requiredRetention\" must be an object such as "
       "{\"value\": ...}", "shape")
    rc, out, err = run("assess", "--no-store", "-b", BL, "-s", SNAP, "--parameters",
                       os.path.join(D, "no-such.json"))
    eq(rc, 2, "missing file: exit code")
    assert "no-such.json" in err, err


@test
def template_functions_in_a_run():
    bl = os.path.join(D, "functions.yaml")
    env = dict(os.environ)
    env["BASELINE_NOW"] = "2026-06-01T00:00:00Z"
    doc = assess("-b", bl, "-s", os.path.join(D, "functions-snapshot.json"), env=env)
    eq(sorted((r["control"], r["asset"].rsplit("/", 1)[-1], r["status"]) for r in doc["results"]), [
        ("FRESH-KEY", "key-new", "pass"),
        ("FRESH-KEY", "key-old", "fail"),
        ("SAME-RG-TAG", "key-new", "pass"),
        ("SAME-RG-TAG", "key-old", "fail"),
    ], "results")


@test
def parameters_reach_foreign_documents():
    # a Wazuh SCA policy given as -b is imported on the fly (foreign.c) and
    # takes --parameters like a baseline: it defines none, so any is unknown
    sca = os.path.join(FIX, "sca", "policy4.yml")
    if not os.path.exists(sca):
        return
    rc, out, err = run("assess", "--no-store", "-b", sca, "--host", "--root",
                       os.path.join(FIX, "sca", "root-ok"), "--parameters", PARAMS)
    eq(rc, 2, "exit code")
    eq(err.strip(), f"{PARAMS}:1:2: parameter \"requiredRetention\" is not defined by the baseline",
       "message")


@test
def subscription_and_resource_group_tags_from_the_snapshot():
    """subscription() and resourceGroup() take tags and displayName from the
    snapshot's subscription and resource-group resources (ids compared
    case-insensitively); without them, reading .tags is an error result."""
    b = os.path.join(D, "container-tags.yaml")
    s = os.path.join(D, "container-tags.json")
    for extra in ([], ["--threads", "1"]):
        doc = assess("-b", b, "-s", s, *extra)
        got = {(r["control"], r["asset"].rsplit("/", 1)[-1]): r for r in doc["results"]}
        want = {
            ("SUB-TAG", "st-good"): "pass", ("SUB-TAG", "st-bad"): "fail",
            ("RG-TAG", "st-good"): "pass", ("RG-TAG", "st-bad"): "fail",
            ("SUB-NAME", "st-good"): "pass", ("SUB-NAME", "st-bad"): "pass",
            ("SUB-TAG", "st-orphan"): "error", ("RG-TAG", "st-orphan"): "error",
            ("SUB-NAME", "st-orphan"): "error",
        }
        eq({k: v["status"] for k, v in got.items()}, want, "statuses")
        assert "tags" in got[("SUB-TAG", "st-orphan")]["message"], got[("SUB-TAG", "st-orphan")]
    # the same from standard input (spooled, read twice)
    with open(s, "rb") as f:
        doc = assess("-b", b, "-s", "-", stdin=f.read())
    eq(sum(r["status"] == "pass" for r in doc["results"]), 4, "passes from stdin")
