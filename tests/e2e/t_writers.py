"""End-to-end tests of the SARIF, JUnit, CSV and OSCAL writers (assess -f FORMAT):
every output of the example run parsed back with a real parser (json, xml.etree,
csv) and checked against the JSON result document; hostile asset ids (a
spreadsheet formula, quotes, commas, newlines, markup) survive as data; the
OSCAL outputs validated against the OSCAL 1.2.1 JSON Schemas with ajv
(tests/validate/validate.mjs)."""
import csv
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET

from e2elib import ROOT, run, assess_json, eq, test

EX = os.path.join(ROOT, "examples")
EXAMPLE = ["--no-store", "-b", f"{EX}/baseline.yaml", "-s", "examples/snapshot.json",
           "-i", f"{EX}/inventory.yaml", "-x", f"{EX}/exceptions.yaml"]
SCHEMAS = os.path.join(os.path.dirname(ROOT), "shared", "data", "oscal", "schemas")
VALIDATE = os.path.join(ROOT, "tests", "validate", "validate.mjs")

FORMULA = '=HYPERLINK("http://evil.example","click")'
MESSY = 'a "quoted", comma\nnew line <script>alert(1)</script> & \'q\''

HOSTILE_BASELINE = """baseline: hostile
version: 1.0.0
title: Hostile ids
controls:
  - id: T-01
    title: "Things are <ok> & \\"fine\\""
    severity: high
    maps: {mcsb-v1: [DP-3], nist-800-53-r5: ["SC-8(1)"], cis-v8: ["3.10"]}
    expect: {field: properties.ok, equals: true}
    remediation: "Set ok = true"
"""


def out(fmt, *args):
    rc, text, err = run("assess", "-f", fmt, *args)
    assert rc in (0, 1), f"assess -f {fmt}: exit {rc}: {err}"
    return text


def example_json():
    _, doc, _ = assess_json(*EXAMPLE)
    return doc


def hostile_dir():
    d = tempfile.mkdtemp(prefix="bl-writers-")
    with open(os.path.join(d, "baseline.yaml"), "w") as f:
        f.write(HOSTILE_BASELINE)
    things = [{"id": FORMULA, "type": "Test/thing", "name": "formula", "properties": {"ok": False}},
              {"id": MESSY, "type": "Test/thing", "name": "messy", "properties": {"ok": False}},
              {"id": "good", "type": "Test/thing", "name": "good", "properties": {"ok": True}}]
    with open(os.path.join(d, "snap.json"), "w") as f:
        f.write("[\n" + ",\n".join("  " + json.dumps(t) for t in things) + "\n]\n")
    return d


def hostile(fmt):
    d = hostile_dir()
    try:
        return out(fmt, "--no-store", "-b", f"{d}/baseline.yaml", "-s", f"{d}/snap.json")
    finally:
        shutil.rmtree(d, True)


# ---- SARIF -------------------------------------------------------------------

@test
def sarif_example():
    doc = example_json()
    log = json.loads(out("sarif", *EXAMPLE))
    eq(log["version"], "2.1.0", "version")
    eq(len(log["runs"]), 1, "one run")
    run0 = log["runs"][0]
    rules = run0["tool"]["driver"]["rules"]
    eq(run0["tool"]["driver"]["name"], "baseline", "driver")
    eq(len(rules), doc["summary"]["controls"], "one rule per enabled control")
    levels = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
    sev = {"critical": "9.0", "high": "7.0", "medium": "5.0", "low": "3.0", "info": "0.0"}
    for rule in rules:
        s = rule["properties"]["severity"]
        eq(rule["defaultConfiguration"]["level"], levels[s], rule["id"])
        eq(rule["properties"]["security-severity"], sev[s], rule["id"])
    listed = [r for r in doc["results"] if r["status"] in ("fail", "error", "exempt")]
    eq(len(run0["results"]), len(listed), "one result per failing/exempt/error result")
    for want, got in zip(listed, run0["results"]):
        eq(got["ruleId"], want["control"], "ruleId")
        eq(rules[got["ruleIndex"]]["id"], want["control"], "ruleIndex")
        eq(got["message"]["text"], want["message"], "message")
        eq(got["locations"][0]["logicalLocations"][0]["fullyQualifiedName"], want["asset"], "asset")
        eq(got["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
           "examples/snapshot.json", "uri as given")
        assert got["locations"][0]["physicalLocation"]["region"]["startLine"] > 1
        eq("suppressions" in got, want["status"] == "exempt", "suppressed when exempt")
    eq(run0["automationDetails"]["guid"], run0["automationDetails"]["id"].rsplit("/", 1)[-1], "guid")


@test
def sarif_points_at_the_resource_line():
    log = json.loads(hostile("sarif"))
    res = log["runs"][0]["results"]
    eq([r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for r in res],
       [FORMULA, MESSY], "failing assets, ids intact")
    eq([(r["locations"][0]["physicalLocation"]["region"]["startLine"],
         r["locations"][0]["physicalLocation"]["region"]["startColumn"]) for r in res],
       [(2, 3), (3, 3)], "line:col of each resource")
    uri = res[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.startswith("file:///") and uri.endswith("/snap.json"), uri


# ---- JUnit -------------------------------------------------------------------

@test
def junit_example():
    doc = example_json()
    root = ET.fromstring(out("junit", *EXAMPLE).encode())
    eq(root.tag, "testsuites", "root")
    cases = root.findall("./testsuite/testcase")
    listed = [r for r in doc["results"] if r["status"] != "not_applicable"]
    eq(len(cases), len(listed), "a testcase per result")
    eq(int(root.get("failures")), doc["summary"]["fail"], "failures")
    eq(int(root.get("errors")), doc["summary"]["error"], "errors")
    eq(int(root.get("skipped")), doc["summary"]["exempt"], "skipped = exempt")
    got = {(c.get("classname"), c.get("name")): c for c in cases}
    for r in listed:
        c = got[(r["control"], r["asset"])]
        if r["status"] == "fail":
            eq(c.find("failure").get("message"), r["message"], "failure message")
        elif r["status"] == "exempt":
            eq(c.find("skipped").get("message"), "exempt: " + r["exception"]["id"], "exempt")
        else:
            eq(list(c), [], "pass has no child")
    for s in root.findall("testsuite"):
        eq(int(s.get("tests")), len(s.findall("testcase")), s.get("name"))
        eq(int(s.get("failures")), len(s.findall("testcase/failure")), s.get("name"))
    # --all adds not_applicable results as skipped
    root = ET.fromstring(out("junit", "--all", *EXAMPLE).encode())
    na = [c for c in root.iter("testcase")
          if c.find("skipped") is not None and c.find("skipped").get("message").startswith("not applicable")]
    eq(len(na), doc["summary"]["not_applicable"], "not_applicable with --all")


@test
def junit_hostile_ids_parse_back():
    root = ET.fromstring(hostile("junit").encode())
    suite = root.find("testsuite")
    eq(suite.get("name"), "T-01", "suite")
    eq([c.get("name") for c in suite.findall("testcase")], [FORMULA, MESSY, "good"], "names intact")
    eq(suite.find("properties/property[@name='title']").get("value"), 'Things are <ok> & "fine"', "title")
    eq(suite.find("testcase/failure").text, "properties.ok: false (expected equals true)", "evidence")


# ---- CSV -----------------------------------------------------------------------

HEADER = ["control", "title", "severity", "effect", "status", "asset", "asset_type", "tier",
          "environment", "owner", "message", "evidence", "exception"]


@test
def csv_example():
    doc = example_json()
    text = out("csv", *EXAMPLE)
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    eq(rows[0], HEADER, "header")
    eq(len(rows) - 1, len(doc["results"]), "one row per result")
    for want, got in zip(doc["results"], rows[1:]):
        row = dict(zip(HEADER, got))
        eq((row["control"], row["status"], row["asset"], row["severity"], row["message"]),
           (want["control"], want["status"], want["asset"], want["severity"], want["message"]), "row")
        eq(row["tier"], str(want["tier"]) if want["tier"] is not None else "", "tier")
        eq(row["owner"], want["owner"] or "", "owner")
        eq(json.loads(row["evidence"]), want["evidence"], "evidence")
        eq(row["exception"], want["exception"]["id"] if want["exception"] else "", "exception")


@test
def csv_hostile_cells_are_data():
    rows = list(csv.reader(io.StringIO(hostile("csv"), newline="")))
    eq(len(rows), 4, "header and three results")
    assets = [dict(zip(HEADER, r))["asset"] for r in rows[1:]]
    eq(assets, ["'" + FORMULA, MESSY, "good"], "formula neutralised, the rest verbatim")
    eq(dict(zip(HEADER, rows[1]))["title"], 'Things are <ok> & "fine"', "title")
    for r in rows[1:]:
        for cell in r:
            assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), f"formula cell {cell!r}"


# ---- OSCAL -------------------------------------------------------------------

def validate(schema, text, what):
    if not os.path.isdir(SCHEMAS):
        print(f"skip: {what} not validated: {SCHEMAS} is absent")
        return
    assert shutil.which("node"), "node is not installed (scripts/deps.sh)"
    assert os.path.isdir(os.path.join(ROOT, "tests", "validate", "node_modules", "ajv")), \
        "ajv is not installed: run scripts/deps.sh"
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        f.write(text)
    try:
        p = subprocess.run(["node", VALIDATE, os.path.join(SCHEMAS, schema), f.name],
                           capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, f"{what} is not valid OSCAL:\n{p.stderr[:4000]}"
    finally:
        os.unlink(f.name)


@test
def oscal_ar_example_validates():
    doc = example_json()
    text = out("oscal-ar", *EXAMPLE)
    validate("oscal_assessment-results_schema.json", text, "assessment results")
    ar = json.loads(text)["assessment-results"]
    eq(ar["metadata"]["oscal-version"], "1.2.1", "oscal-version")
    res = ar["results"][0]
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                        res["uuid"]), res["uuid"]
    eq((res["start"][:2], res["end"][-1]), ("20", "Z"), "RFC 3339 UTC times")
    obs = {o["uuid"]: o for o in res["observations"]}
    eq(len(obs), sum(1 for r in doc["results"] if r["status"] in ("fail", "error", "exempt")),
       "an observation per fail/error/exempt result")
    covered = [(fw["id"], c) for fw in doc["frameworks"] for c in fw["controls"]
               if c["status"] not in ("not_covered", "not_applicable")]
    eq(len(res["findings"]), len(covered), "a finding per assessed framework control")
    for (fw, c), f in zip(covered, res["findings"]):
        eq(f["title"], f"{fw} {c['id']}", "finding order")
        eq(f["target"]["status"]["state"], "satisfied" if c["status"] == "pass" else "not-satisfied",
           f["title"])
        for link in f.get("related-observations", []):
            assert link["observation-uuid"] in obs, "link to an observation of this result"


@test
def oscal_poam_example_validates():
    doc = example_json()
    text = out("oscal-poam", *EXAMPLE)
    validate("oscal_poam_schema.json", text, "POA&M")
    p = json.loads(text)["plan-of-action-and-milestones"]
    failing = {r["control"] for r in doc["results"] if r["status"] == "fail"}
    opened = [r for r in p["risks"] if r["status"] == "open"]
    eq(sorted(next(x["value"] for x in r["props"] if x["name"] == "control") for r in opened),
       sorted(failing), "an open risk per failing control")
    exempt = {(r["control"], r["exception"]["id"]) for r in doc["results"] if r["status"] == "exempt"}
    dev = [r for r in p["risks"] if r["status"] == "deviation-approved"]
    eq(len(dev), len(exempt), "a deviation per (control, exception)")
    for r in dev:
        assert r["deadline"].endswith("T23:59:59Z") and r["statement"], r
    risk_ids = {r["uuid"] for r in p["risks"]}
    for item in p["poam-items"]:
        for link in item["related-risks"]:
            assert link["risk-uuid"] in risk_ids


@test
def oscal_hostile_validates():
    validate("oscal_assessment-results_schema.json", hostile("oscal-ar"), "hostile assessment results")
    validate("oscal_poam_schema.json", hostile("oscal-poam"), "hostile POA&M")
    ar = json.loads(hostile("oscal-ar"))["assessment-results"]
    sel = ar["results"][0]["reviewed-controls"]["control-selections"]
    eq([s["include-controls"][0]["control-id"] for s in sel], ["dp-3", "sc-8.1", "cis-v8-3.10"],
       "framework ids as OSCAL tokens")
    titles = [o["title"] for o in ar["results"][0]["observations"]]
    eq(titles[1], "T-01 on " + MESSY.replace("\n", " "), "one-line title")
