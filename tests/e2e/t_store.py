"""End-to-end tests of the run store: assess stores every run, report re-renders
a stored run byte for byte, trend and drift, atomic runs under SIGKILL,
concurrent writers, schema versions (docs/store.md)."""
import json
import os
import random
import signal
import sqlite3
import subprocess
import tempfile
import time

from e2elib import BIN, E2E, ROOT, run, eq, test

BASELINE = f"{E2E}/baseline.yaml"
SNAPSHOT = f"{E2E}/snapshot.json"


def store_env(path):
    e = dict(os.environ)
    e["BASELINE_STORE"] = path
    return e


def new_store():
    d = tempfile.mkdtemp(prefix="bl-store-")
    return d, os.path.join(d, "nested", "runs.db")


def db_query(path, sql):
    c = sqlite3.connect(path)
    try:
        return c.execute(sql).fetchall()
    finally:
        c.close()


@test
def store_report_equals_assess():
    d, db = new_store()
    env = store_env(db)
    rc, out1, err = run("assess", "-b", BASELINE, "-s", SNAPSHOT, "-f", "json", env=env)
    eq(rc, 0, err)
    rc, out2, err = run("assess", "-b", BASELINE, "-s", SNAPSHOT, "-f", "json", "-q", env=env)
    eq(rc, 0, err)
    eq(oct(os.stat(os.path.dirname(db)).st_mode & 0o777), "0o700", "store folder mode")
    eq(oct(os.stat(db).st_mode & 0o777), "0o600", "store file mode")
    rc, rep, err = run("report", "latest", "-f", "json", env=env)
    eq(rc, 0, err)
    eq(rep, out2, "report latest == assess -f json of that run")
    rc, rep_default, err = run("report", "-f", "json", env=env)
    eq(rep_default, out2, "latest is the default")
    first = json.loads(out1)["run"]["id"]
    rc, rep1, err = run("report", first[:8], "-f", "json", "--store", db)
    eq(rc, 0, err)
    eq(rep1, out1, "report by id prefix == first assess")
    # --all: not_applicable results too, as assess --all prints them
    rc, rep_all, _ = run("report", first, "-f", "json", "--all", env=env)
    na = [r for r in json.loads(rep_all)["results"] if r["status"] == "not_applicable"]
    eq(len(na), 1, "the store keeps not_applicable results")
    rc, text, err = run("report", "-f", "text", env=env)
    eq(rc, 0, err)
    rc, _, err = run("report", "nope", env=env)
    eq((rc, err.strip()), (2, "no run 'nope' in the store"), "unknown run")


@test
def store_report_with_inventory_and_exceptions():
    d, db = new_store()
    env = store_env(db)
    ex = f"{ROOT}/examples"
    args = ["-b", f"{ex}/baseline.yaml", "-s", f"{ex}/snapshot.json", "-i", f"{ex}/inventory.yaml",
            "-x", f"{ex}/exceptions.yaml", "-f", "json"]
    rc, out, err = run("assess", *args, env=env)
    eq(rc, 0, err)
    doc = json.loads(out)
    assert doc["exceptions"] and doc["inventory"], "the example uses both"
    rc, rep, err = run("report", "-f", "json", env=env)
    eq(rc, 0, err)
    eq(rep, out, "report == assess with inventory and exceptions")
    # every deterministic writer renders the stored run as it rendered the live one
    for fmt in ("text", "sarif", "junit", "csv"):
        fargs = args[:-1] + [fmt]
        rc, live, err = run("assess", *fargs, env=env)
        eq(rc, 0, err)
        rc, stored, err = run("report", "-f", fmt, env=env)
        eq(rc, 0, err)
        eq(stored, live, f"report -f {fmt}")


@test
def store_no_store_and_postgres():
    d, db = new_store()
    rc, _, err = run("assess", "-b", BASELINE, "-s", SNAPSHOT, "--no-store", env=store_env(db))
    eq(rc, 0, err)
    eq(os.path.exists(db), False, "--no-store writes nothing")
    rc, _, err = run("assess", "-b", BASELINE, "-s", SNAPSHOT, "--store", "postgresql://b@db/fleet")
    eq(rc, 2, "an unreachable PostgreSQL store")
    assert "cannot connect to the PostgreSQL store" in err, err
    rc, _, err = run("trend", "--store", f"sqlite:{db}")
    eq((rc, _), (0, "no runs stored yet\n"), "trend on an empty store")


@test
def store_trend_lists_runs():
    d, db = new_store()
    env = store_env(db)
    ids = []
    for _ in range(2):
        rc, out, err = run("assess", "-b", BASELINE, "-s", SNAPSHOT, "-f", "json", env=env)
        eq(rc, 0, err)
        ids.append(json.loads(out)["run"]["id"])
    rc, out, err = run("assess", "-b", BASELINE, "-s", SNAPSHOT, "-f", "json", "--no-store")
    mcsb = [f for f in json.loads(out)["frameworks"] if f["id"] == "mcsb-v1"][0]
    rc, out, err = run("trend", "-f", "json", "--framework", "mcsb-v1", env=env)
    eq(rc, 0, err)
    doc = json.loads(out)
    eq(doc["schema"], "baseline.trend/1", "schema")
    eq([r["id"] for r in doc["runs"]], ids, "both runs, oldest first")
    r0 = doc["runs"][0]
    eq((r0["pass"], r0["fail"], r0["error"], r0["not_applicable"], r0["exempt"], r0["compliance"]),
       (13, 6, 1, 1, 0, 65.0), "counts")
    fw = r0["framework"]
    eq((fw["pass"], fw["fail"], fw["error"], fw["compliance"]), (4, 5, 0, mcsb["compliance"]),
       "mcsb-v1 counts, as assess rolls them up")
    rc, text, err = run("trend", "--framework", "mcsb-v1", env=env)
    eq(rc, 0, err)
    lines = text.splitlines()
    assert lines[0].startswith("RUN "), text
    assert lines[1].startswith(ids[0][:8]) and lines[2].startswith(ids[1][:8]), text
    assert "65.00%" in lines[1], text
    eq(lines[4], "compliance ▆▆", "sparkline")
    rc, out, _ = run("trend", "-f", "json", "--since", "2999-01-01", env=env)
    eq(json.loads(out)["runs"], [], "--since filters")
    rc, _, err = run("trend", "--since", "yesterday", env=env)
    eq(rc, 2, "bad date")


@test
def store_drift_fixed_and_newly_failing():
    d, db = new_store()
    env = store_env(db)
    rc, out, err = run("assess", "-b", BASELINE, "-s", SNAPSHOT, env=env)
    eq(rc, 0, err)
    snap = json.load(open(SNAPSHOT))
    by_name = {r["name"]: r for r in snap}
    by_name["sabad"]["properties"]["supportsHttpsTrafficOnly"] = True      # ST-01 fixed
    by_name["sagood"]["properties"]["minimumTlsVersion"] = "TLS1_0"        # ST-02 newly failing
    snap = [r for r in snap if r["name"] != "kv2"]                         # removed asset
    kv3 = dict(by_name["kv1"], id=by_name["kv1"]["id"].replace("kv1", "kv3"), name="kv3")
    snap.append(kv3)                                                       # new asset
    edited = os.path.join(d, "snapshot2.json")
    json.dump(snap, open(edited, "w"))
    rc, out, err = run("assess", "-b", BASELINE, "-s", edited, env=env)
    eq(rc, 0, err)
    rc, out, err = run("drift", "-f", "json", env=env)
    eq(rc, 0, err)
    doc = json.loads(out)
    sa = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/"
    kv = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/"
    eq(doc["newly_failing"], [{"control": "ST-02", "asset": sa + "sagood", "from": "pass",
                               "to": "fail"}], "newly failing")
    eq(doc["fixed"], [{"control": "ST-01", "asset": sa + "sabad", "from": "fail", "to": "pass"}],
       "fixed")
    eq(doc["counts"]["still_failing"], 6, "still failing")
    eq(doc["new_asset"], [kv + "kv3"], "new assets")
    eq(doc["removed_asset"], [kv + "kv2"], "removed assets")
    eq(doc["baseline_changed"], {"id": False, "version": False, "sha256": False}, "baseline same")
    rc, text, err = run("drift", env=env)
    eq(rc, 0, err)
    assert "newly failing: 1\n  ST-02" in text and "fixed: 1\n  ST-01" in text, text
    assert "baseline unchanged" in text, text
    # explicit runs, the other way round
    runs = [r[0] for r in db_query(db, "SELECT uuid FROM runs ORDER BY id")]
    rc, out, err = run("drift", runs[1], runs[0], "-f", "json", env=env)
    eq(json.loads(out)["fixed"][0]["control"], "ST-02", "reversed")
    rc, _, err = run("drift", runs[0], env=env)
    eq(rc, 2, "one run is bad usage")
    # a new baseline version on the same snapshot: only the baseline changed
    b2 = os.path.join(d, "baseline2.yaml")
    with open(BASELINE) as f, open(b2, "w") as g:
        g.write(f.read().replace("version: 1.0.0", "version: 1.0.1", 1))
    rc, _, err = run("assess", "-b", b2, "-s", edited, env=env)
    eq(rc, 0, err)
    rc, out, err = run("drift", "-f", "json", env=env)
    doc = json.loads(out)
    eq(doc["baseline_changed"], {"id": False, "version": True, "sha256": True}, "version bump")
    eq((doc["from"]["baseline"]["version"], doc["to"]["baseline"]["version"]), ("1.0.0", "1.0.1"),
       "versions")
    eq(doc["counts"], {"newly_failing": 0, "fixed": 0, "exempted": 0, "still_failing": 7,
                       "new_asset": 0, "removed_asset": 0, "exception_expired": 0}, "nothing else changed")


def big_snapshot(path, n):
    res = []
    for i in range(n):
        k = i % 3
        if k == 0:
            res.append({"id": f"/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/"
                              f"storageAccounts/sa{i}", "name": f"sa{i}",
                        "type": "Microsoft.Storage/storageAccounts",
                        "properties": {"supportsHttpsTrafficOnly": i % 2 == 0,
                                       "minimumTlsVersion": "TLS1_2"}})
        elif k == 1:
            res.append({"id": f"/subscriptions/s1/resourceGroups/rg/providers/Microsoft.KeyVault/"
                              f"vaults/kv{i}", "name": f"kv{i}", "type": "Microsoft.KeyVault/vaults",
                        "properties": {"enablePurgeProtection": True}})
        else:
            res.append({"id": f"/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/"
                              f"virtualMachines/vm{i}", "name": f"vm{i}",
                        "type": "Microsoft.Compute/virtualMachines", "properties": {}})
    with open(path, "w") as f:
        json.dump(res, f)


def check_store(db, runs, results):
    eq(db_query(db, "PRAGMA integrity_check"), [("ok",)], "integrity_check")
    eq(db_query(db, "SELECT count(*) FROM runs")[0][0], runs, "runs visible")
    eq(db_query(db, "SELECT count(*) FROM results")[0][0], results, "results visible")
    eq(db_query(db, "SELECT count(*) FROM runs WHERE finished=''")[0][0], 0, "no unfinished run")


@test
def store_sigkill_leaves_no_partial_run():
    d, db = new_store()
    env = store_env(db)
    snap = os.path.join(d, "big.json")
    big_snapshot(snap, 50000)
    args = [BIN, "assess", "-b", BASELINE, "-s", snap, "-f", "json", "-o", os.devnull, "-q"]
    t0 = time.monotonic()
    p = subprocess.run(args, env=env, capture_output=True, timeout=300)
    full = time.monotonic() - t0
    eq(p.returncode, 0, p.stderr)
    per_run = db_query(db, "SELECT count(*) FROM results")[0][0]
    assert per_run > 100000, per_run
    check_store(db, 1, per_run)
    rng = random.Random(int(os.environ.get("BL_STORE_SEED", "5")))
    kills = int(os.environ.get("BL_STORE_KILLS", "10"))
    killed = 0
    # Random kill times up to 90% of a whole run's time; on a busy machine
    # runs vary, so a kill that came after the commit narrows the window
    # (every attempt, early or late, must leave a clean store).
    upper = full * 0.9
    for _ in range(3 * kills):
        if killed >= kills:
            break
        p = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, max(upper, 0.1)))
        p.send_signal(signal.SIGKILL)
        rc = p.wait()
        n = db_query(db, "SELECT count(*) FROM runs")[0][0]
        if rc == -signal.SIGKILL and n == 1:
            killed += 1
        else:
            upper *= 0.7
            # committed before the signal (the report is written after the
            # commit) or finished: a whole run, never a part of one
            assert rc in (0, -signal.SIGKILL), rc
        eq(n in (1, 2), True, f"{n} runs")
        check_store(db, n, n * per_run)
        if n == 2:
            c = sqlite3.connect(db)
            c.execute("DELETE FROM results WHERE run > 1")
            c.execute("DELETE FROM runs WHERE id > 1")
            c.commit()
            c.close()
    assert killed >= kills, f"only {killed} of {kills} runs were killed mid-way"
    # the store is usable afterwards and the earlier run is intact
    rc, out, err = run("report", "-f", "json", env=env)
    eq(rc, 0, err)
    eq(json.loads(out)["summary"]["assets"], 50000, "earlier run intact")


@test
def store_two_writers_at_once():
    d, db = new_store()
    env = store_env(db)
    snap = os.path.join(d, "big.json")
    big_snapshot(snap, 15000)
    args = [BIN, "assess", "-b", BASELINE, "-s", snap, "-f", "json", "-o", os.devnull, "-q"]
    ps = [subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
          for _ in range(2)]
    for p in ps:
        _, err = p.communicate(timeout=300)
        eq(p.returncode, 0, err)
    n = db_query(db, "SELECT count(*) FROM results")[0][0]
    eq(db_query(db, "SELECT count(*) FROM runs")[0][0], 2, "both runs stored")
    eq(n % 2, 0, "two whole runs")
    check_store(db, 2, n)


@test
def store_newer_schema_refused():
    d, db = new_store()
    env = store_env(db)
    rc, _, err = run("assess", "-b", BASELINE, "-s", SNAPSHOT, env=env)
    eq(rc, 0, err)
    c = sqlite3.connect(db)
    c.execute("PRAGMA user_version=9")
    c.commit()
    c.close()
    rc, _, err = run("assess", "-b", BASELINE, "-s", SNAPSHOT, env=env)
    eq(rc, 2, "newer store refused")
    eq(err.strip(), "store schema version 9 is newer than this baseline supports (3): "
                    "upgrade baseline to use this store", "message")
    rc, _, err = run("report", env=env)
    eq(rc, 2, "report refuses too")


@test
def store_gaps_of_a_stored_run():
    _, db = new_store()
    env = store_env(db)
    ex = os.path.join(ROOT, "examples")
    args = ["-b", f"{ex}/baseline.yaml", "-s", f"{ex}/snapshot.json", "-i", f"{ex}/inventory.yaml"]
    rc, _, err = run("assess", "-q", *args, env=env)
    eq(rc, 0, err)
    # gaps of the latest stored run equal gaps of a fresh assessment of the same inputs
    rc, stored, err = run("gaps", "-f", "json", env=env)
    eq(rc, 0, err)
    rc, fresh, err = run("gaps", "-f", "json", *args, env=env)
    eq(rc, 0, err)
    a, b = json.loads(stored), json.loads(fresh)
    eq(a["gaps"], b["gaps"], "stored vs fresh backlog")
    assert a["gaps"] and a["gaps"][0]["severity"] == "critical", a["gaps"][:1]
    rc, out, err = run("gaps", "latest", "-f", "csv", env=env)
    eq(rc, 0, err)
    assert out.splitlines()[0].startswith("rank,") or "," in out.splitlines()[0], out[:200]
    eq(run("gaps", "no-such-run", env=env)[0], 2, "unknown run")
    eq(run("gaps", "latest", "-b", f"{ex}/baseline.yaml", env=env)[0], 2, "RUN and -b together")


@test
def store_html_trend_over_stored_runs():
    _, db = new_store()
    env = store_env(db)
    args = ["assess", "-q", "-b", f"{E2E}/baseline.yaml", "-s", f"{E2E}/snapshot.json", "-f", "html"]
    rc, first, err = run(*args, env=env)
    eq(rc, 0, err)
    assert 'id="trend"' not in first, "no trend with a single run"
    rc, second, err = run(*args, env=env)
    eq(rc, 0, err)
    assert 'id="trend"' in second and "Compliance over the 2 stored runs" in second, second[:300]
    assert second.count("<circle") >= 2
    # report RUN draws the history up to that run, so it matches what assess wrote
    rc, again, err = run("report", "-f", "html", env=env)
    eq(rc, 0, err)
    eq(again, second, "report latest -f html equals the assess output")
