"""End-to-end tests of assess (snapshots), lint and list."""
import json
import os
import tempfile

from e2elib import E2E, run, assess_json, results_set, eq, test

# ---------------------------------------------------------------- assess

EXPECTED = [
    ("sagood", "ST-01", "pass"), ("sagood", "ST-02", "pass"), ("sagood", "ALL-01", "pass"),
    ("sabad", "ST-01", "fail"), ("sabad", "ST-02", "fail"), ("sabad", "ALL-01", "fail"),
    ("samissing", "ST-01", "fail"), ("samissing", "ST-02", "fail"), ("samissing", "ALL-01", "pass"),
    ("nsg-open", "NSG-01", "fail"), ("nsg-open", "ALL-01", "pass"),
    ("nsg-closed", "NSG-01", "pass"), ("nsg-closed", "ALL-01", "pass"),
    ("kv1", "KV-01", "pass"), ("kv1", "ALL-01", "pass"),
    ("kv2", "ALL-01", "pass"),
    ("vm1", "ALL-01", "pass"), ("vm1", "VM-01", "pass"),
    ("vm2", "ALL-01", "pass"), ("vm2", "VM-01", "error"),
]


@test
def assess_exact_results():
    rc, doc, _ = assess_json("-b", f"{E2E}/baseline.yaml", "-s", f"{E2E}/snapshot.json")
    eq(rc, 0, "exit without --fail-on")
    eq(doc["schema"], "baseline.result/1", "schema")
    eq(results_set(doc), EXPECTED, "results")
    eq(doc["summary"], {"assets": 9, "controls": 6, "pass": 13, "fail": 6, "error": 1,
                        "not_applicable": 1, "exempt": 0, "compliance": 65.0}, "summary")
    b = doc["run"]["baseline"]
    eq((b["id"], b["version"], len(b["sha256"])), ("e2e-test", "1.0.0", 64), "run.baseline")
    eq(doc["run"]["targets"], [f"{E2E}/snapshot.json"], "targets")
    eq(doc["run"]["tool"]["name"], "baseline", "tool")
    assert doc["run"]["started"].endswith("Z") and len(doc["run"]["id"]) == 36


@test
def assess_frameworks_rollup():
    _, doc, _ = assess_json("-b", f"{E2E}/baseline.yaml", "-s", f"{E2E}/snapshot.json")
    fws = {f["id"]: f for f in doc["frameworks"]}
    eq(list(fws), ["mcsb-v1", "nist-800-53-r5", "cis-v8"], "framework order")
    # catalog controls no baseline control maps to are listed as not_covered
    # (t_frameworks.py checks them); here only the covered ones
    for f in fws.values():
        f["controls"] = [c for c in f["controls"] if c["status"] != "not_covered"]
    mcsb = fws["mcsb-v1"]
    eq(mcsb["compliance"], 44.44, "mcsb compliance")
    eq([(c["id"], c["status"], c["pass"], c["fail"], c["error"], c["exempt"]) for c in mcsb["controls"]],
       [("DP-3", "fail", 2, 4, 0, 0), ("DP-8", "pass", 1, 0, 0, 0), ("NS-1", "fail", 1, 1, 0, 0)],
       "mcsb controls")
    nist = fws["nist-800-53-r5"]
    eq([c["id"] for c in nist["controls"]], ["SC-7", "SC-8", "SC-8(1)"], "nist natural order")
    eq(nist["compliance"], 40.0, "nist compliance")
    eq(fws["cis-v8"]["compliance"], 33.33, "cis compliance")


@test
def assess_evidence_and_messages():
    _, doc, _ = assess_json("-b", f"{E2E}/baseline.yaml", "-s", f"{E2E}/snapshot.json")
    by = {(r["asset"].rsplit("/", 1)[-1], r["control"]): r for r in doc["results"]}
    r = by[("sabad", "ST-01")]
    eq(r["evidence"], [{"path": "properties.supportsHttpsTrafficOnly", "actual": "false",
                        "expected": "equals true"}], "evidence")
    eq((r["severity"], r["effect"], r["asset_type"], r["tier"], r["environment"], r["owner"],
        r["exception"]), ("high", "audit", "microsoft.storage/storageaccounts", None, None, None, None),
       "result fields")
    assert "supportsHttpsTrafficOnly" in r["message"], r["message"]
    m = by[("samissing", "ST-01")]
    eq(m["evidence"][0]["actual"], None, "missing actual")
    assert "missing" in m["message"], m["message"]
    e = by[("vm2", "VM-01")]
    eq(e["evidence"], [], "error has no evidence")
    assert e["message"], "error result has a reason"
    n = by[("nsg-open", "NSG-01")]
    assert n["evidence"] and "count" in n["evidence"][0]["path"], n["evidence"]
    # a violation's evidence states the compliant requirement: the count negated
    eq(n["evidence"][0]["actual"], 1, "count actual")
    assert n["evidence"][0]["expected"].endswith("lessOrEquals 0"), n["evidence"]


@test
def assess_all_lists_not_applicable():
    _, doc, _ = assess_json("-b", f"{E2E}/baseline.yaml", "-s", f"{E2E}/snapshot.json", "--all")
    na = [(r["asset"].rsplit("/", 1)[-1], r["control"]) for r in doc["results"]
          if r["status"] == "not_applicable"]
    eq(na, [("kv2", "KV-01")], "not_applicable with --all")
    eq(len(doc["results"]), len(EXPECTED) + 1, "count with --all")


@test
def assess_fail_on_thresholds():
    args = ["assess", "-b", f"{E2E}/baseline.yaml", "-s", f"{E2E}/snapshot.json", "-f", "json", "-q"]
    for sev, want in [("critical", 1), ("high", 1), ("medium", 1), ("low", 1), ("info", 1)]:
        rc, out, err = run(*args, "--fail-on", sev)
        eq(rc, want, f"--fail-on {sev}")
        json.loads(out)
    # only the medium VM error and below remain when the failing highs are gone
    only_low = os.path.join(E2E, "snapshot-vm.json")
    rc, _, err = run("assess", "-b", f"{E2E}/baseline.yaml", "-s", only_low, "--fail-on", "high")
    eq(rc, 0, "--fail-on high with only a medium error")
    rc, _, err = run("assess", "-b", f"{E2E}/baseline.yaml", "-s", only_low, "--fail-on", "medium")
    eq(rc, 1, "--fail-on medium counts error results")
    rc, _, err = run("assess", "-b", f"{E2E}/baseline.yaml", "-s", only_low, "--fail-on", "bogus")
    eq(rc, 2, "bad severity")


@test
def shapes_give_the_same_results():
    snap = json.load(open(f"{E2E}/snapshot.json"))
    with tempfile.TemporaryDirectory() as d:
        lines = os.path.join(d, "lines.jsonl")
        with open(lines, "w") as f:
            for r in snap:
                f.write(json.dumps(r) + "\n")
        arg = os.path.join(d, "arg.json")
        with open(arg, "w") as f:
            json.dump({"count": len(snap), "data": snap, "skip_token": None}, f, indent=2)
        arm = os.path.join(d, "arm.json")
        with open(arm, "w") as f:
            f.write(json.dumps({"value": snap[:4], "nextLink": "x"}) + "\n")
            f.write(json.dumps({"value": snap[4:]}) + "\n")
        base = results_set(assess_json("-b", f"{E2E}/baseline.yaml", "-s", f"{E2E}/snapshot.json")[1])
        for p in (lines, arg, arm):
            eq(results_set(assess_json("-b", f"{E2E}/baseline.yaml", "-s", p)[1]), base, p)
        with open(lines, "rb") as f:
            rc, out, err = run("assess", "-f", "json", "-b", f"{E2E}/baseline.yaml", "-s", "-",
                               stdin=f.read())
        eq(rc, 0, err)
        eq(results_set(json.loads(out)), base, "stdin")
        # a folder: every file below it, in name order
        rc, out, err = run("assess", "-f", "json", "-b", f"{E2E}/baseline.yaml", "-s", d)
        eq(rc, 0, err)
        eq(len(json.loads(out)["results"]), 3 * len(base), "folder")


@test
def yaml_manifests_snapshot():
    rc, doc, err = assess_json("-b", f"{E2E}/k8s-baseline.yaml", "-s", f"{E2E}/manifests.yaml", "--all")
    eq(rc, 0, err)
    eq([(r["asset"], r["asset_type"], r["control"], r["status"]) for r in doc["results"]],
       [("default/web", "apps/v1/Deployment", "K8S-01", "fail"),
        ("uid-123", "v1/Pod", "K8S-01", "pass"),
        ("v1/ConfigMap/cfg", "v1/ConfigMap", "K8S-01", "not_applicable")], "k8s results")


@test
def threads_do_not_change_output():
    with tempfile.TemporaryDirectory() as d:
        big = os.path.join(d, "big.jsonl")
        snap = json.load(open(f"{E2E}/snapshot.json"))
        with open(big, "w") as f:
            for i in range(3000):
                r = dict(snap[i % len(snap)])
                r["id"] = r["id"] + f"-{i}"
                f.write(json.dumps(r) + "\n")
        outs = []
        for t in ("1", "2", "4"):
            rc, out, err = run("assess", "-f", "json", "-b", f"{E2E}/baseline.yaml", "-s", big,
                               "--threads", t)
            eq(rc, 0, err)
            doc = json.loads(out)
            outs.append((doc["summary"], doc["frameworks"], doc["results"]))
        eq(outs[1], outs[0], "2 threads vs 1")
        eq(outs[2], outs[0], "4 threads vs 1")
        eq(outs[0][0]["assets"], 3000, "assets")


@test
def output_file_written_atomically():
    with tempfile.TemporaryDirectory() as d:
        o = os.path.join(d, "r.json")
        rc, out, err = run("assess", "-f", "json", "-o", o, "-b", f"{E2E}/baseline.yaml",
                           "-s", f"{E2E}/snapshot.json")
        eq((rc, out), (0, ""), "stdout empty with -o")
        eq(json.load(open(o))["summary"]["assets"], 9, "file content")
        o2 = os.path.join(d, "bad.json")
        rc, out, err = run("assess", "-f", "json", "-o", o2, "-b", f"{E2E}/baseline.yaml",
                           "-s", f"{E2E}/bad-resource.json")
        eq(rc, 2, "bad input")
        eq(sorted(os.listdir(d)), ["r.json"], "no partial output file")


@test
def output_to_a_pipe_is_written_in_place():
    import stat
    import threading
    with tempfile.TemporaryDirectory() as d:
        fifo = os.path.join(d, "out.fifo")
        os.mkfifo(fifo)
        got = []
        t = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()))
        t.start()
        rc, out, err = run("assess", "-f", "json", "-o", fifo, "-b", f"{E2E}/baseline.yaml",
                           "-s", f"{E2E}/snapshot.json")
        t.join(30)
        eq(rc, 0, err)
        assert stat.S_ISFIFO(os.stat(fifo).st_mode), "the pipe was replaced"
        eq(json.loads(got[0])["summary"]["assets"], 9, "content through the pipe")
        eq(sorted(os.listdir(d)), ["out.fifo"], "no temporary file left")


@test
def text_report():
    rc, out, err = run("assess", "-b", f"{E2E}/baseline.yaml", "-s", f"{E2E}/snapshot.json")
    eq(rc, 0, err)
    for want in ["e2e-test 1.0.0", "Compliance 65.0%", "pass 13", "fail 6", "error 1",
                 "not applicable 1", "CRITICAL  NSG-01", "HIGH      ST-01",
                 "properties.supportsHttpsTrafficOnly is \"false\"; expected equals true",
                 "Controls that could not be evaluated", "mcsb-v1", "44.4%"]:
        assert want in out, f"missing {want!r} in:\n{out}"
    assert "\033[" not in out, "no colour when not a terminal"
    # critical before high before medium
    assert out.index("NSG-01") < out.index("ST-01") < out.index("ST-02"), out


# ---------------------------------------------------------------- bad input

@test
def malformed_resource_is_exit_2_with_position():
    rc, out, err = run("assess", "-f", "json", "-b", f"{E2E}/baseline.yaml", "-s",
                       f"{E2E}/bad-resource.json")
    eq(rc, 2, "exit")
    eq(out, "", "nothing on stdout")
    assert f"{E2E}/bad-resource.json:4:" in err, err


@test
def invalid_json_cases_exit_2():
    cases = {
        "trailing.json": ('[{"id": "a"},]', ":1:"),
        "notobj.json": ('[{"id": "a"}, 42]', ":1:15"),
        "badid.json": ('{"id": 7}\n', ":1:8"),
        "huge.json": ('[{"id": "a", "n": 1e999999}]', ":1:19"),
        "utf8.json": (b'[{"id": "\xc0\xaf"}]', ":1:"),
        "trunc.json": ('[{"id": "a"}', ":1:"),
        "deep.json": ("[" * 100000, ":1:"),
    }
    with tempfile.TemporaryDirectory() as d:
        for name, (content, pos) in cases.items():
            p = os.path.join(d, name)
            with open(p, "wb") as f:
                f.write(content if isinstance(content, bytes) else content.encode())
            rc, out, err = run("assess", "-f", "json", "-b", f"{E2E}/baseline.yaml", "-s", p)
            eq(rc, 2, f"{name} exit ({err.strip()})")
            eq(out, "", f"{name} stdout")
            assert p + pos in err, f"{name}: {err}"


@test
def missing_inputs_and_usage():
    rc, out, err = run("assess", "-b", f"{E2E}/baseline.yaml", "-s", "/nonexistent.json")
    eq(rc, 2, "missing snapshot")
    assert "/nonexistent.json" in err and "No such file" in err, err
    rc, _, err = run("assess", "-b", "/nonexistent.yaml", "-s", f"{E2E}/snapshot.json")
    eq(rc, 2, "missing baseline")
    assert "/nonexistent.yaml" in err, err
    eq(run("assess", "-s", f"{E2E}/snapshot.json")[0], 2, "no baseline")
    eq(run("assess", "-b", f"{E2E}/baseline.yaml")[0], 2, "no snapshot")
    eq(run("assess", "-b", f"{E2E}/baseline.yaml", "-s", f"{E2E}/snapshot.json", "-f", "nope")[0],
       2, "bad format")
    rc, _, err = run("assess", "-b", f"{E2E}/baseline.yaml", "-s", f"{E2E}/snapshot.json",
                     "--allow-commands")
    eq(rc, 2, "--allow-commands without --host is refused, not ignored")
    assert "--allow-commands goes with --host" in err, err
    rc, _, err = run("assess", "-b", f"{E2E}/baseline.yaml", "-s", f"{E2E}/snapshot.json",
                     "--sca-version", "6")
    eq(rc, 2, "bad --sca-version")
    eq(run("assess", "--bogus")[0], 2, "unknown option")
    eq(run("nosuchcommand")[0], 2, "unknown command")
    eq(run()[0], 2, "no command")


@test
def help_for_every_command():
    for cmd in ("assess", "lint", "list"):
        rc, out, _ = run(cmd, "--help")
        eq(rc, 0, f"{cmd} --help")
        assert out.startswith("usage: baseline " + cmd), out
    rc, out, _ = run("--help")
    eq(rc, 0, "--help")
    assert "assess" in out and "lint" in out
    rc, out, _ = run("version")
    assert rc == 0 and out.startswith("baseline "), out


# ---------------------------------------------------------------- lint, list

@test
def lint_valid_and_invalid():
    rc, out, err = run("lint", f"{E2E}/baseline.yaml", "examples/baseline.yaml")
    eq(rc, 0, err)
    assert "e2e-test 1.0.0, 7 controls (1 disabled)" in out, out
    rc, out, err = run("lint", f"{E2E}/invalid-baseline.yaml")
    eq(rc, 2, "invalid exit")
    lines = [l for l in err.splitlines() if l.startswith(f"{E2E}/invalid-baseline.yaml:")]
    got = [l.split(": ", 1)[0].rsplit(":", 2)[1:] for l in lines]
    eq([tuple(map(int, g)) for g in got if len(g) == 2 and all(x.isdigit() for x in g)],
       [(4, 1), (8, 15), (10, 5), (13, 9), (20, 13), (20, 24)], "every error with line:col")
    # valid + invalid: still 2, valid one still reported ok
    rc, out, err = run("lint", f"{E2E}/baseline.yaml", f"{E2E}/invalid-baseline.yaml")
    eq(rc, 2, "mixed")
    assert "ok" in out


@test
def lint_inventory_and_exception_documents():
    rc, out, err = run("lint", "examples/inventory.yaml", "examples/exceptions.yaml")
    eq(rc, 0, err)
    assert "examples/inventory.yaml: ok: inventory" in out, out
    assert "examples/exceptions.yaml: ok:" in out, out
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "inv.yaml")
        with open(p, "w") as f:
            f.write("inventory: x\ndefaults: {tier: 7}\ncolour: blue\n")
        rc, out, err = run("lint", p)
        eq(rc, 2, "invalid inventory")
        assert f"{p}:3:1:" in err and "colour" in err, err
        assert f"{p}:2:" in err, err
        x = os.path.join(d, "exc.yaml")
        with open(x, "w") as f:
            f.write("exceptions:\n  - id: EX-1\n    control: A\n    assets: ['*']\n"
                    "    category: waiver\n")
        rc, out, err = run("lint", x)
        eq(rc, 2, "exception without justification/approver/expiry")
        for field in ("justification", "approved_by", "expires"):
            assert field in err, err


@test
def list_controls():
    rc, out, err = run("list", "controls", f"{E2E}/baseline.yaml")
    eq(rc, 0, err)
    eq([l.split()[0] for l in out.splitlines()],
       ["ST-01", "ST-02", "NSG-01", "KV-01", "ALL-01", "VM-01", "OFF-01"], "ids")
    rc, out, err = run("list", "controls", f"{E2E}/baseline.yaml", "--framework", "nist-800-53-r5")
    eq(rc, 0, err)
    eq([l.split()[0] for l in out.splitlines()], ["ST-01", "NSG-01"], "framework filter")
    assert "[SC-8, SC-8(1)]" in out, out
    rc, out, err = run("list", "controls", f"{E2E}/baseline.yaml", "-f", "json")
    eq(rc, 0, err)
    doc = json.loads(out)
    eq(doc[0]["maps"], {"mcsb-v1": ["DP-3"], "nist-800-53-r5": ["SC-8", "SC-8(1)"], "cis-v8": ["3.10"]},
       "json maps")
    eq(run("list", "controls")[0], 2, "missing baseline")
    rc, out, _ = run("list", "baselines", "-f", "json")
    eq(rc, 0, "list baselines")
    json.loads(out)


@test
def make_run_example():
    rc, out, err = run("assess", "-b", "examples/baseline.yaml", "-s", "examples/snapshot.json",
                       "-f", "json")
    eq(rc, 0, err)
    doc = json.loads(out)
    s = doc["summary"]
    assert s["assets"] >= 20 and s["pass"] > 0 and s["fail"] > 0, s


