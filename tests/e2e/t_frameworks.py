"""End-to-end tests of the framework catalogs: list frameworks, list controls
--framework, OSCAL import (each shared NIST file, then lint), and not_covered
framework controls in assess -f json."""
import json
import os
import re
import tempfile

from e2elib import E2E, ROOT, run, assess_json, eq, test

SHARED = os.environ.get("BASELINE_SHARED_DATA", os.path.join(os.path.dirname(ROOT), "shared", "data"))
NIST = os.path.join(SHARED, "oscal", "nist-800-53-rev5")
INCOMPLETE = "control needs exactly one of expect or violation (neither is given)"

# ---------------------------------------------------------------- list


@test
def list_frameworks_json():
    rc, out, err = run("list", "frameworks", "-f", "json")
    eq(rc, 0, f"exit ({err})")
    eq(json.loads(out), [
        {"id": "cis-v8", "title": "CIS Critical Security Controls v8", "version": "8.0",
         "controls": 153, "selections": {}},
        {"id": "cisa-scuba-pp", "title": "CISA SCuBA Secure Configuration Baseline for Power Platform",
         "version": "1", "controls": 10, "selections": {}},
        {"id": "mcsb-v1", "title": "Microsoft cloud security benchmark v1", "version": "1.0",
         "controls": 86, "selections": {}},
        {"id": "nist-800-53-r5", "title": "NIST SP 800-53 Rev. 5 Security and Privacy Controls",
         "version": "5.1.1", "controls": 370,
         "selections": {"low": 149, "moderate": 287, "high": 370}},
    ], "frameworks")


@test
def list_frameworks_text():
    rc, out, _ = run("list", "frameworks")
    eq(rc, 0, "exit")
    lines = out.splitlines()
    eq(len(lines), 5, "header + 4 catalogs")
    eq(lines[0].split(), ["ID", "VERSION", "CONTROLS", "SELECTIONS", "TITLE"], "header")
    eq(lines[2].split()[:3], ["cisa-scuba-pp", "1", "10"], "scuba row")
    eq(lines[3].split()[:3], ["mcsb-v1", "1.0", "86"], "mcsb row")
    assert "low 149, moderate 287, high 370" in lines[4], lines[4]
    rc, _, err = run("list", "frameworks", "extra")
    eq(rc, 2, "extra argument")
    assert "frameworks takes no argument" in err, err


@test
def list_controls_framework_checked():
    rc, out, err = run("list", "controls", f"{E2E}/baseline.yaml", "--framework", "MCSB-V1")
    eq(rc, 0, f"exit ({err})")
    eq([l.split()[0] for l in out.splitlines()], ["ST-01", "ST-02", "NSG-01", "KV-01"], "mcsb controls")
    rc, out, err = run("list", "controls", f"{E2E}/baseline.yaml", "--framework", "iso-27001")
    eq(rc, 2, "unknown framework")
    eq(out, "", "no output")
    assert "unknown framework 'iso-27001'; known: cis-v8, cisa-scuba-pp, mcsb-v1, nist-800-53-r5" in err, err

# ---------------------------------------------------------------- import oscal


def import_to(path):
    d = tempfile.mkdtemp()
    out = os.path.join(d, "out.yaml")
    rc, stdout, err = run("import", "oscal", path, "-o", out)
    return rc, out, stdout, err


IMPORTS = [
    ("NIST_SP-800-53_rev5_LOW-baseline_profile.json", 149, "nist-sp-800-53-rev5-low-baseline-profile"),
    ("NIST_SP-800-53_rev5_MODERATE-baseline_profile.json", 287, "nist-sp-800-53-rev5-moderate-baseline-profile"),
    ("NIST_SP-800-53_rev5_HIGH-baseline_profile.json", 370, "nist-sp-800-53-rev5-high-baseline-profile"),
    ("NIST_SP-800-53_rev5_LOW-baseline-resolved-profile_catalog.json", 149,
     "nist-sp-800-53-rev5-low-baseline-resolved-profile-catalog"),
]


@test
def import_oscal_nist_files_then_lint():
    if not os.path.isdir(NIST):
        print(f"  (skipped: no shared NIST data at {NIST}; set BASELINE_SHARED_DATA)")
        return
    for name, count, bid in IMPORTS:
        rc, out, stdout, err = import_to(os.path.join(NIST, name))
        eq(rc, 0, f"{name}: exit ({err})")
        eq(stdout, "", f"{name}: nothing on stdout with -o")
        assert f"{count} controls from" in err, err
        text = open(out).read()
        ids = re.findall(r'^  - id: "(NIST-[^"]+)"$', text, re.M)
        eq(len(ids), count, f"{name}: controls")
        eq(len(set(ids)), count, f"{name}: distinct ids")
        eq(ids[0], "NIST-AC-1", f"{name}: first")
        eq(ids[-1], "NIST-SR-12", f"{name}: last")
        assert f'baseline: "{bid}"\n' in text, text[:800]
        assert "version: 0.1.0\n" in text
        assert text.startswith("# Baseline skeleton imported from the OSCAL"), text[:200]
        eq(text.count("    severity: medium\n"), count, f"{name}: severities")
        assert "expect" not in text.replace("`expect`", "").replace("exactly one of expect", ""), name
        # lint: exactly one incomplete-control problem per control, nothing else
        rc, lout, lerr = run("lint", out)
        eq(rc, 2, f"{name}: lint exit")
        problems = [l for l in lerr.splitlines() if re.match(r"^.+:\d+:\d+: ", l)]
        eq(len(problems), count, f"{name}: lint problems")
        assert all(l.endswith(": " + INCOMPLETE) for l in problems), problems[:3]
        eq(problems[0], f"{out}:12:5: {INCOMPLETE}", f"{name}: first problem position")
    # sample ids and titles
    _, out, _, _ = import_to(os.path.join(NIST, IMPORTS[2][0]))
    text = open(out).read()
    assert ('  - id: "NIST-AC-2.11"\n    title: "NIST SP 800-53 AC-2(11)"\n    severity: medium\n'
            '    maps: {nist-800-53-r5: ["AC-2(11)"]}\n') in text
    assert '  - id: "NIST-IA-2.1"\n    title: "Multi-factor Authentication to Privileged Accounts"\n' in text
    assert 'title: "NIST Special Publication 800-53 Revision 5.1.1 HIGH IMPACT BASELINE"\n' in text
    _, out, _, _ = import_to(os.path.join(NIST, IMPORTS[3][0]))
    assert '  - id: "NIST-AT-2.2"\n    title: "Insider Threat"\n' in open(out).read()


@test
def import_oscal_stdout():
    if not os.path.isdir(NIST):
        print(f"  (skipped: no shared NIST data at {NIST})")
        return
    rc, out, err = run("import", "oscal", os.path.join(NIST, IMPORTS[0][0]))
    eq(rc, 0, f"exit ({err})")
    eq(err, "", "stderr")
    eq(len(re.findall(r'^  - id: ', out, re.M)), 149, "controls on stdout")


@test
def import_oscal_bad_input():
    d = tempfile.mkdtemp()
    notoscal = os.path.join(d, "x.json")
    with open(notoscal, "w") as f:
        f.write('{\n  "baseline": "x"\n}\n')
    rc, out, err = run("import", "oscal", notoscal)
    eq((rc, out), (2, ""), "not OSCAL")
    eq(err.strip(), f'{notoscal}:2:3: not an OSCAL catalog or profile: unexpected key "baseline" '
                    '(expected one "catalog" or "profile")', "message")
    syntax = os.path.join(d, "y.json")
    with open(syntax, "w") as f:
        f.write('{"profile": {"imports": [\n  {"include-controls": [{"with-ids": ["ac-1",]}]}]}}\n')
    rc, _, err = run("import", "oscal", syntax)
    eq(rc, 2, "syntax error")
    assert err.startswith(f"{syntax}:2:"), err
    shape = os.path.join(d, "z.json")
    with open(shape, "w") as f:
        f.write('{"catalog": {"groups": [\n  {"controls": [{"id": "ac-1"}, {"title": "no id"}]}]}}\n')
    rc, _, err = run("import", "oscal", shape)
    eq(rc, 2, "wrong shape")
    eq(err.strip(), f'{shape}:2:33: OSCAL control has no "id"', "shape message")
    out = os.path.join(d, "never.yaml")
    rc, _, _ = run("import", "oscal", shape, "-o", out)
    eq((rc, os.path.exists(out)), (2, False), "no output on error")
    rc, _, err = run("import", "oscal", os.path.join(d, "missing.json"))
    eq(rc, 2, "missing file")
    assert "missing.json" in err, err
    rc, _, err = run("import", "oscal")
    eq(rc, 2, "no file")
    rc, _, err = run("import", "nessus", "x")
    eq(rc, 2, "unknown kind")
    assert "unknown kind 'nessus'" in err and "oscal" in err, err
    rc, out, _ = run("import", "--help")
    eq(rc, 0, "help")
    assert "oscal" in out

# ---------------------------------------------------------------- not_covered


@test
def assess_not_covered():
    _, doc, _ = assess_json("-b", f"{E2E}/baseline.yaml", "-s", f"{E2E}/snapshot.json")
    fws = {f["id"]: f for f in doc["frameworks"]}
    mcsb = fws["mcsb-v1"]
    eq(len(mcsb["controls"]), 86, "every MCSB control listed")
    covered = [(c["id"], c["status"]) for c in mcsb["controls"] if c["status"] != "not_covered"]
    eq(covered, [("DP-3", "fail"), ("DP-8", "pass"), ("NS-1", "fail")], "covered")
    nc = [c for c in mcsb["controls"] if c["status"] == "not_covered"]
    eq(len(nc), 83, "not covered")
    eq({(c["pass"], c["fail"], c["error"], c["exempt"]) for c in nc}, {(0, 0, 0, 0)}, "empty tallies")
    eq(mcsb["compliance"], 44.44, "compliance unchanged by not_covered")
    ids = [c["id"] for c in mcsb["controls"]]
    eq(ids[:3], ["AM-1", "AM-2", "AM-3"], "natural order")
    eq(len(fws["nist-800-53-r5"]["controls"]), 370, "nist")
    eq(len(fws["cis-v8"]["controls"]), 153, "cis")
