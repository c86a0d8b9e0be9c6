"""End-to-end tests of governance: assess -i -x, exceptions list|check exit codes,
gaps in every format (the CSV parsed back with the csv module)."""
import csv
import datetime
import io
import json
import os
import tempfile

from e2elib import E2E, FIX, run, assess_json, eq, test

GOV = os.path.join(FIX, "governance")
BASE = ["-b", f"{E2E}/baseline.yaml", "-s", f"{E2E}/snapshot.json"]
INV = ["-i", f"{GOV}/inventory.yaml"]


def day(offset):
    return (datetime.datetime.now(datetime.timezone.utc).date()
            + datetime.timedelta(days=offset)).isoformat()


def exceptions_file(entries):
    """Write an exception document; entries: (id, control, asset glob, expires)."""
    fd, path = tempfile.mkstemp(suffix=".yaml")
    with os.fdopen(fd, "w") as f:
        f.write("exceptions:\n")
        for eid, control, asset, expires in entries:
            f.write(f"  - id: {eid}\n    control: \"{control}\"\n    assets: [\"{asset}\"]\n"
                    f"    category: waiver\n    justification: e2e test\n"
                    f"    approved_by: ciso@example.com\n    ticket: SEC-1\n    expires: {expires}\n")
    return path


def by_asset(doc):
    return {(r["asset"].rsplit("/", 1)[-1], r["control"]): r for r in doc["results"]}


@test
def assess_inventory_tiers_owners():
    _, doc, _ = assess_json(*BASE, *INV)
    r = by_asset(doc)
    eq((r[("sabad", "ST-01")]["tier"], r[("sabad", "ST-01")]["owner"],
        r[("sabad", "ST-01")]["classification"], r[("sabad", "ST-01")]["tags"],
        r[("sabad", "ST-01")]["environment"]),
       (1, "team-payments", "confidential", {"cost-center": "4711"}, "production"), "explicit entry")
    eq((r[("samissing", "ST-01")]["tier"], r[("samissing", "ST-01")]["owner"]), (2, "team-storage"),
       "second classify rule")
    eq((r[("nsg-open", "NSG-01")]["tier"], r[("nsg-open", "NSG-01")]["owner"]), (1, "team-net"),
       "first classify rule")
    eq((r[("kv1", "KV-01")]["tier"], r[("kv1", "KV-01")]["owner"]), (3, None), "defaults")
    eq(doc["inventory"]["assets_without_tier"], 4, "kv1, kv2, vm1, vm2 got the default tier")
    tiers = {t["tier"]: (t["pass"], t["fail"], t["error"]) for t in doc["scores"]["tiers"]}
    eq(tiers, {1: (3, 4, 0), 2: (4, 2, 0), 3: (6, 0, 1)}, "scores per tier")
    owners = {o["owner"]: o["compliance"] for o in doc["scores"]["owners"]}
    eq(owners["team-net"], 75.0, "owner score: nsg-open and nsg-closed, 3 of 4")
    eq(doc["scores"]["weighted"]["weights"],
       {"critical": 10, "high": 5, "medium": 3, "low": 1, "info": 0}, "weights")
    w = doc["scores"]["weighted"]
    eq(w["compliance"], round(100 * w["pass"] / (w["pass"] + w["fail"] + w["error"]), 2), "weighted")
    rc, out, _ = run("assess", *BASE, *INV)
    assert "4 of 9 assets had no tier of their own (default tier applied)" in out, out


@test
def assess_exceptions_active_expired_stale():
    path = exceptions_file([("EX-ACTIVE", "ST-01", "*/sabad", day(0)),
                            ("EX-EXPIRED", "ST-02", "*/SABAD", day(-1)),
                            ("EX-STALE", "ST-*", "*/nothing-here", day(90))])
    try:
        rc, doc, _ = assess_json(*BASE, *INV, "-x", path, "--fail-on", "high")
        r = by_asset(doc)
        eq(r[("sabad", "ST-01")]["status"], "exempt", "active exception exempts")
        eq(r[("sabad", "ST-01")]["exception"],
           {"id": "EX-ACTIVE", "state": "active", "expires": day(0), "category": "waiver"}, "active")
        eq(r[("sabad", "ST-02")]["status"], "fail", "expired exception leaves fail")
        eq(r[("sabad", "ST-02")]["exception"]["state"], "expired", "expired state")
        eq(doc["summary"]["exempt"], 1, "exempt counted")
        eq(doc["summary"]["fail"], 5, "fail count")
        x = doc["exceptions"]
        eq((x["active"], x["expired"], x["stale"]), (2, 1, 1), "exception counts")
        eq([(i["id"], i["state"], i["stale"], i["matches"]) for i in x["items"]],
           [("EX-ACTIVE", "active", False, 1), ("EX-EXPIRED", "expired", False, 1),
            ("EX-STALE", "active", True, 0)], "exception items")
        eq(rc, 1, "samissing ST-01 still fails at high")
        rc, out, _ = run("assess", *BASE, "-x", path)
        assert "Exempt (covered by an active exception)" in out, out
        assert "EX-EXPIRED (ST-02 on */SABAD) expired on " + day(-1) in out, out
        assert "(exception EX-EXPIRED expired on " + day(-1) + ")" in out, out
        assert "stale    EX-STALE" in out, out
    finally:
        os.unlink(path)


@test
def exceptions_check_exit_codes():
    fine = exceptions_file([("EX-1", "ST-01", "*/sabad", day(31))])
    soon = exceptions_file([("EX-1", "ST-01", "*/sabad", day(30))])
    gone = exceptions_file([("EX-1", "ST-01", "*/sabad", day(-1))])
    stale = exceptions_file([("EX-1", "ST-01", "*/sagood", day(200))])
    toolong = exceptions_file([("EX-1", "ST-01", "*", day(366))])
    try:
        eq(run("exceptions", "check", "-x", fine)[0], 0, "valid and current")
        rc, out, _ = run("exceptions", "check", "-x", soon)
        eq(rc, 1, "expires within 30 days")
        assert "expiring: EX-1 (ST-01) expires on " + day(30) + ", in 30 days" in out, out
        rc, out, _ = run("exceptions", "check", "-x", gone)
        eq(rc, 1, "expired")
        assert "expired: EX-1" in out, out
        eq(run("exceptions", "check", "-x", fine, *BASE)[0], 0, "with targets, still used")
        rc, out, _ = run("exceptions", "check", "-x", stale, *BASE)
        eq(rc, 1, "stale with targets (sagood passes)")
        assert "stale: EX-1 (ST-01) covered no failing result" in out, out
        eq(run("exceptions", "check", "-x", stale)[0], 0, "stale needs targets")
        rc, _, err = run("exceptions", "check", "-x", toolong)
        eq(rc, 2, "more than 365 days ahead")
        assert "366 days ahead" in err, err
        eq(run("exceptions", "check", "-x", toolong, "--max-exception-days", "400")[0], 0,
           "--max-exception-days")
        rc, _, err = run("exceptions", "check", "-x", f"{GOV}/invalid-exceptions.yaml")
        eq(rc, 2, "invalid document")
        lines = [l for l in err.splitlines() if "invalid-exceptions.yaml:" in l and ": " in l]
        p = f"{GOV}/invalid-exceptions.yaml"
        assert f"{p}:2:5: exception is missing required key \"approved_by\"" in err, err
        assert f"{p}:5:15: category must be waiver, mitigated or risk-accepted" in err, err
        assert f"{p}:7:14: expires must be a date YYYY-MM-DD (UTC)" in err, err
        assert lines, err
        rc, out, _ = run("exceptions", "list", "-x", fine, "-f", "json")
        eq(rc, 0, "list")
        item = json.loads(out)["exceptions"][0]
        eq((item["id"], item["days_left"], item["state"], item["ticket"]), ("EX-1", 31, "active", "SEC-1"),
           "list json")
        eq(run("exceptions", "list", "-x", fine, *BASE)[0], 2, "targets go with check")
        eq(run("exceptions", "frob", "-x", fine)[0], 2, "unknown subcommand")
        eq(run("exceptions", "check")[0], 2, "no -x")
    finally:
        for p in (fine, soon, gone, stale, toolong):
            os.unlink(p)


@test
def assess_invalid_governance_documents():
    rc, _, err = run("assess", *BASE, "-i", f"{GOV}/invalid-inventory.yaml")
    eq(rc, 2, "invalid inventory")
    p = f"{GOV}/invalid-inventory.yaml"
    assert f"{p}:2:18: tier must be 1, 2 or 3" in err, err
    assert f"{p}:4:5: asset entry is missing required key \"id\"" in err, err
    rc, _, err = run("assess", *BASE, "-x", f"{GOV}/invalid-exceptions.yaml")
    eq(rc, 2, "invalid exceptions")
    rc, _, err = run("assess", *BASE, "--require-signed", "/nonexistent.pub")
    eq(rc, 2, "unsigned baseline refused")
    assert "refusing" in err, err


GAP_ORDER = ["NSG-01", "ST-01", "ST-02", "ALL-01"]


@test
def gaps_formats():
    rc, out, err = run("gaps", *BASE, *INV, "-f", "json")
    eq(rc, 0, err)
    doc = json.loads(out)
    eq([g["control"] for g in doc["gaps"]], GAP_ORDER, "gap order")
    st01 = doc["gaps"][1]
    eq((st01["failing_assets"], st01["top_tier"], st01["owners"]), (2, 1, ["team-payments", "team-storage"]),
       "ST-01 gap")
    eq(st01["blocks"][0], {"framework": "mcsb-v1", "id": "DP-3"}, "blocks")
    eq(st01["remediation"], "Set supportsHttpsTrafficOnly to true.", "remediation")
    rc, out, _ = run("gaps", *BASE, *INV, "-f", "csv")
    eq(rc, 0, "csv")
    assert "\r\n" in out
    rows = list(csv.reader(io.StringIO(out, newline="")))
    eq(rows[0][:4], ["rank", "control", "title", "severity"], "csv header")
    eq([r[1] for r in rows[1:]], GAP_ORDER, "csv order")
    eq(rows[2][5:8], ["2", "1", "team-payments; team-storage"], "csv ST-01")
    rc, out, _ = run("gaps", *BASE, *INV)
    eq(rc, 0, "text")
    assert "1. CRITICAL NSG-01" in out and "fix: Set supportsHttpsTrafficOnly to true." in out, out
    # an active exception removes the gap; an expired one keeps it
    path = exceptions_file([("EX-N", "NSG-01", "*", day(10))])
    try:
        _, out, _ = run("gaps", *BASE, *INV, "-x", path, "-f", "json")
        eq([g["control"] for g in json.loads(out)["gaps"]], GAP_ORDER[1:], "exempt is not a gap")
    finally:
        os.unlink(path)
    eq(run("gaps", *BASE, "-f", "xml")[0], 2, "bad format")
    # a stored run that does not exist (the e2e store is a fresh temporary file)
    eq(run("gaps", "no-such-run")[0], 2, "unknown stored run")


@test
def gaps_csv_formula_injection():
    d = tempfile.mkdtemp()
    b = os.path.join(d, "b.yaml")
    with open(b, "w") as f:
        f.write("baseline: inj\nversion: 1.0.0\ntitle: t\ncontrols:\n"
                "  - id: C1\n    title: \"=cmd|' /C calc'!A0\"\n    severity: high\n"
                "    remediation: \"@SUM(1,2), \\\"quoted\\\"\"\n"
                "    expect: {field: ok, equals: true}\n")
    s = os.path.join(d, "s.json")
    with open(s, "w") as f:
        f.write('[{"id": "-x", "type": "T", "ok": false}]')
    rc, out, err = run("gaps", "-b", b, "-s", s, "-f", "csv")
    eq(rc, 0, err)
    rows = list(csv.reader(io.StringIO(out, newline="")))
    eq(rows[1][2], "'=cmd|' /C calc'!A0", "title neutralised")
    eq(rows[1][8], "'-x", "asset neutralised")
    eq(rows[1][10], "'@SUM(1,2), \"quoted\"", "remediation neutralised and quoted")


@test
def assess_require_signed():
    d = tempfile.mkdtemp()
    b = os.path.join(d, "b.yaml")
    with open(f"{E2E}/baseline.yaml") as src, open(b, "w") as dst:
        dst.write(src.read())
    key = os.path.join(d, "k")
    eq(run("keygen", "-o", key)[0], 0, "keygen")
    eq(run("sign", b, "--key", key + ".sec")[0], 0, "sign")
    rc, out, err = run("assess", "-b", b, "-s", f"{E2E}/snapshot.json", "--require-signed", key + ".pub")
    eq(rc, 0, err)
    assert "Compliance" in out
    with open(b, "a") as f:
        f.write("# changed after signing\n")
    rc, out, err = run("assess", "-b", b, "-s", f"{E2E}/snapshot.json", "--require-signed", key + ".pub")
    eq((rc, out), (2, ""), "tampered baseline refused, nothing printed")
    assert "refusing" in err and "bad signature" in err, err
    eq(run("assess", "--host", "--require-signed", key + ".pub")[0], 2, "builtin cannot be signed")


@test
def assess_require_signed_covers_the_extends_chain():
    d = tempfile.mkdtemp()
    parent = os.path.join(d, "parent.yaml")
    child = os.path.join(d, "child.yaml")
    with open(f"{E2E}/baseline.yaml") as src, open(parent, "w") as dst:
        dst.write(src.read())
    with open(child, "w") as f:
        f.write("baseline: child\nversion: 1.0.0\ntitle: Child\nextends: [parent.yaml]\n"
                "tailor: {exclude: [OFF-01]}\n")
    key = os.path.join(d, "k")
    eq(run("keygen", "-o", key)[0], 0, "keygen")
    eq(run("sign", child, "--key", key + ".sec")[0], 0, "sign child")
    # the child is signed, its parent is not: refused
    rc, out, err = run("assess", "-b", child, "-s", f"{E2E}/snapshot.json",
                       "--require-signed", key + ".pub")
    eq((rc, out), (2, ""), "unsigned parent refused")
    assert "parent.yaml" in err, err
    eq(run("sign", parent, "--key", key + ".sec")[0], 0, "sign parent")
    rc, out, err = run("assess", "-b", child, "-s", f"{E2E}/snapshot.json",
                       "--require-signed", key + ".pub")
    eq(rc, 0, err)
    with open(parent, "a") as f:
        f.write("# changed after signing\n")
    rc, out, err = run("assess", "-b", child, "-s", f"{E2E}/snapshot.json",
                       "--require-signed", key + ".pub")
    eq((rc, out), (2, ""), "tampered parent refused")
