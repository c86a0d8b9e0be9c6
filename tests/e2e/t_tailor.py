"""End-to-end tests of extends/tailor, list --effective, diff, keygen/sign/verify."""
import json
import os
import tempfile

from e2elib import FIX, run, eq, test

T = os.path.join(FIX, "baselines", "tailor")
LEAF = os.path.join(T, "leaf", "leaf.yaml")


@test
def tailor_lint_chain():
    rc, out, err = run("lint", LEAF, os.path.join(T, "mid.yaml"))
    eq(rc, 0, f"lint exit ({err})")
    assert "tailor-leaf 2.0.0, 5 controls" in out, out


@test
def tailor_cycle_is_an_error():
    rc, _, err = run("lint", os.path.join(T, "cycle-a.yaml"))
    eq(rc, 2, "exit")
    assert "cycle-b.yaml:5:5: extends cycle: " in err, err
    assert err.count("cycle-a.yaml ->") == 1, err


@test
def tailor_list_effective():
    rc, out, _ = run("list", "controls", LEAF, "--effective")
    eq(rc, 0, "exit")
    lines = out.splitlines()
    eq([l.split()[0] for l in lines if not l.startswith(" ")], ["T-01", "T-02", "T-04", "M-01", "L-01"], "ids")
    eq(lines[0].split()[:5], ["T-01", "high", "deny", "from", "tailor-base"], "T-01 origin")
    assert "override by tailor-mid" in lines[1] and "severity=critical effect=deny" in lines[1], lines[1]
    assert "override by tailor-leaf" in lines[2] and lines[2].endswith("severity=high"), lines[2]
    rc, out, _ = run("list", "controls", LEAF, "--effective", "-f", "json")
    eq(rc, 0, "json exit")
    doc = json.loads(out)
    eq(doc[0]["origin"]["baseline"], "tailor-base", "origin")
    eq([o["baseline"] for o in doc[0]["overrides"]], ["tailor-mid", "tailor-leaf"], "overrides")
    eq(doc[4]["origin"]["inherited"], False, "own control")


@test
def tailor_assess_records_effective_hash():
    snap = json.dumps([{"id": "/s/sa1", "type": "Microsoft.Storage/storageAccounts", "name": "sa1",
                        "location": "westeurope",
                        "properties": {"supportsHttpsTrafficOnly": True, "minimumTlsVersion": "TLS1_1"}}])
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        f.write(snap)
    try:
        rc, out, err = run("assess", "-f", "json", "--no-store", "-b", LEAF, "-s", f.name)
        if rc == 2 and "--no-store" in err:
            rc, out, err = run("assess", "-f", "json", "-b", LEAF, "-s", f.name)
        assert rc in (0, 1), err
        doc = json.loads(out)
        b = doc["run"]["baseline"]
        eq((b["id"], b["version"], len(b["sha256"])), ("tailor-leaf", "2.0.0", 64), "run.baseline")
        res = {r["control"]: r for r in doc["results"]}
        # minTls is TLS1_2 after the leaf's tailoring: TLS1_1 fails.
        eq(res["T-02"]["status"], "fail", "T-02 uses the tailored parameter")
        eq((res["T-01"]["severity"], res["T-01"]["effect"]), ("high", "deny"), "override of override")
    finally:
        os.unlink(f.name)


def write(d, name, text):
    p = os.path.join(d, name)
    with open(p, "w") as f:
        f.write(text)
    return p


BASE = """baseline: d
version: {v}
controls:
  - {{id: A-1, title: one, severity: {sev}, effect: {eff}, scope: {{tiers: [{tiers}]}}, expect: {{field: a, equals: {val}}}}}
{extra}"""


@test
def diff_weakening_warnings():
    with tempfile.TemporaryDirectory() as d:
        old = write(d, "old.yaml", BASE.format(v="1.0.0", sev="high", eff="deny", tiers="1, 2", val=1,
                                               extra="  - {id: A-2, title: two, severity: low, expect: {field: b, exists: true}}\n"))
        new = write(d, "new.yaml", BASE.format(v="1.0.0", sev="medium", eff="audit", tiers="1", val=2, extra=""))
        bumped = write(d, "bumped.yaml", BASE.format(v="1.1.0", sev="medium", eff="audit", tiers="1", val=2, extra=""))
        rc, out, _ = run("diff", old, new)
        eq(rc, 0, "diff exits 0")
        warnings = [l for l in out.splitlines() if l.startswith("warning: weakening")]
        eq(len(warnings), 4, f"one line per weakening change:\n{out}")
        assert any("A-2: control removed" in w for w in warnings), warnings
        assert any("severity lowered from high to medium" in w for w in warnings), warnings
        assert any("effect deny -> audit" in w for w in warnings), warnings
        assert any("fewer tiers" in w for w in warnings), warnings
        assert "    - a equals 1\n    + a equals 2\n" in out, out
        rc, out, _ = run("diff", old, bumped)
        eq(rc, 0, "exit")
        assert "warning" not in out, out
        rc, out, err = run("diff", old, new, "-f", "json")
        eq(rc, 0, "json exit")
        doc = json.loads(out)
        eq(len(doc["warnings"]), 4, "json warnings")
        eq(doc["removed"][0]["id"], "A-2", "removed")
        eq(err.count("warning: weakening"), 4, "warnings on stderr too")
        bad = write(d, "bad.yaml", "baseline: d\nversion: 1\ncontrols: []\n")
        rc, _, err = run("diff", old, bad)
        eq(rc, 2, "invalid document")
        assert "bad.yaml:2:10:" in err, err
        rc, _, _ = run("diff", old)
        eq(rc, 2, "usage")


@test
def diff_tailored_chain():
    rc, out, _ = run("diff", os.path.join(T, "mid.yaml"), LEAF)
    eq(rc, 0, "exit")
    assert "added:   L-01" in out, out
    assert "severity: critical -> high" in out, out
    assert "warning" not in out, out   # 1.1.0 -> 2.0.0 is a bump


@test
def sign_and_verify():
    with tempfile.TemporaryDirectory() as d:
        b = write(d, "b.yaml", "baseline: x\nversion: 1.0.0\ncontrols: []\n")
        key = os.path.join(d, "k")
        eq(run("keygen", "-o", key)[0], 0, "keygen")
        eq(oct(os.stat(key + ".sec").st_mode & 0o777), "0o600", "secret key mode")
        eq(run("keygen", "-o", key)[0], 2, "keygen refuses to overwrite")
        rc, _, err = run("verify", b, "--key", key + ".pub")
        eq(rc, 1, "unsigned")
        assert "missing signature" in err, err
        eq(run("sign", b, "--key", key + ".sec")[0], 0, "sign")
        rc, out, _ = run("verify", b, "--key", key + ".pub")
        eq(rc, 0, "good")
        assert "good signature" in out, out
        with open(b, "ab") as f:
            f.write(b" ")
        rc, _, err = run("verify", b, "--key", key + ".pub")
        eq(rc, 1, "tampered baseline")
        assert "bad signature" in err, err
        eq(run("sign", b, "--key", key + ".sec")[0], 0, "re-sign")
        sig = b + ".sig"
        data = bytearray(open(sig, "rb").read())
        data[-6] ^= 1
        open(sig, "wb").write(bytes(data))
        eq(run("verify", b, "--key", key + ".pub")[0], 1, "tampered signature")
        eq(run("verify", b)[0], 2, "no --key")
        eq(run("verify", b, "--key", os.path.join(d, "none.pub"))[0], 2, "unreadable key")
        eq(run("sign", "--key", key + ".sec")[0], 2, "no file")
