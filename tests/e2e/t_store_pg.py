"""End-to-end tests of the PostgreSQL run store against a real server
(scripts/pg-test.sh; `make e2e` starts one and sets BL_TEST_PG_URL): assess
into postgresql://, then report, trend and drift from it; BASELINE_STORE; 8
assess processes at once; SIGKILL in the middle of storing a large run
(docs/store.md).  Without BL_TEST_PG_URL each test says it is skipped."""
import json
import os
import random
import re
import signal
import subprocess
import tempfile
import time

from e2elib import BIN, E2E, run, eq, test
from t_store import big_snapshot

BASELINE = f"{E2E}/baseline.yaml"
SNAPSHOT = f"{E2E}/snapshot.json"
PG_URL = os.environ.get("BL_TEST_PG_URL", "")
_n = [0]


def psql(url, sql):
    p = subprocess.run(["psql", url, "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-c", sql],
                       capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr.decode()
    return p.stdout.decode().strip()


def new_db():
    """A fresh database on the test server, and its URL."""
    _n[0] += 1
    name = f"bl_e2e_{os.getpid()}_{_n[0]}"
    psql(PG_URL, f"DROP DATABASE IF EXISTS {name}")
    psql(PG_URL, f"CREATE DATABASE {name}")
    url = re.sub(r"^(postgres(?:ql)?://[^/]*/)[^?]*", lambda m: m.group(1) + name, PG_URL)
    assert name in url, url
    return url


def skipped(name):
    if PG_URL:
        return False
    print(f"{name}: skipped: no PostgreSQL (BL_TEST_PG_URL unset)")
    return True


@test
def store_pg_assess_report_trend_drift():
    if skipped("store_pg_assess_report_trend_drift"):
        return
    url = new_db()
    ids, outs = [], []
    for _ in range(2):
        rc, out, err = run("assess", "-b", BASELINE, "-s", SNAPSHOT, "-f", "json", "--store", url)
        eq(rc, 0, err)
        ids.append(json.loads(out)["run"]["id"])
        outs.append(out)
    eq(psql(url, "SELECT count(*) FROM runs"), "2", "two runs in PostgreSQL")
    eq(psql(url, "SELECT version FROM schema_version"), "3", "schema version")
    # report re-renders any stored run byte for byte
    rc, rep, err = run("report", "latest", "-f", "json", "--store", url)
    eq((rc, err), (0, ""), "report latest")
    eq(rep, outs[1], "report latest -f json equals assess -f json")
    rc, rep, err = run("report", ids[0][:8], "-f", "json", "--store", url)
    eq(rc, 0, err)
    eq(rep, outs[0], "report by id prefix")
    rc, out, err = run("trend", "-f", "json", "--framework", "mcsb-v1", "--store", url)
    eq(rc, 0, err)
    doc = json.loads(out)
    eq([r["id"] for r in doc["runs"]], ids, "trend: both runs, oldest first")
    r0 = doc["runs"][0]
    eq((r0["pass"], r0["fail"], r0["error"], r0["not_applicable"], r0["exempt"], r0["compliance"]),
       (13, 6, 1, 1, 0, 65.0), "trend counts as in SQLite")
    eq(r0["framework"]["fail"], 5, "per-framework counts")
    rc, out, err = run("drift", "-f", "json", "--store", url)
    eq(rc, 0, err)
    doc = json.loads(out)
    eq((doc["from"]["id"], doc["to"]["id"]), (ids[0], ids[1]), "drift: the last two runs")
    eq(doc["counts"], {"newly_failing": 0, "fixed": 0, "exempted": 0, "still_failing": 7,
                       "new_asset": 0, "removed_asset": 0, "exception_expired": 0}, "nothing changed")
    # BASELINE_STORE names the PostgreSQL store too
    env = dict(os.environ, BASELINE_STORE=url)
    rc, out, err = run("trend", "-f", "json", env=env)
    eq(rc, 0, err)
    eq(len(json.loads(out)["runs"]), 2, "BASELINE_STORE=postgresql://...")
    # every deterministic writer renders the stored run as it rendered the live one
    url2 = new_db()
    for fmt in ("text", "sarif", "junit", "csv", "html"):
        rc, live, err = run("assess", "-b", BASELINE, "-s", SNAPSHOT, "-f", fmt, "--store", url2)
        eq(rc, 0, err)
        rc, stored, err = run("report", "-f", fmt, "--store", url2)
        eq(rc, 0, err)
        eq(stored, live, f"report -f {fmt}")


@test
def store_pg_errors():
    if skipped("store_pg_errors"):
        return
    url = new_db()
    rc, out, err = run("report", "--store", url)
    eq((rc, err.strip()), (2, "the store has no runs yet"), "empty store")
    bad = re.sub(r"host=[^&]*", "host=/nonexistent-socket-dir", PG_URL)
    rc, _, err = run("assess", "-b", BASELINE, "-s", SNAPSHOT, "--store", bad)
    eq(rc, 2, err)
    assert "cannot connect to the PostgreSQL store" in err, err
    psql(url, "UPDATE schema_version SET version=9")
    rc, _, err = run("trend", "--store", url)
    eq((rc, err.strip()), (2, "store schema version 9 is newer than this baseline supports (3): "
                              "upgrade baseline to use this store"), "newer schema refused")


@test
def store_pg_eight_writers():
    if skipped("store_pg_eight_writers"):
        return
    url = new_db()
    d = tempfile.mkdtemp(prefix="bl-store-pg-")
    snap = os.path.join(d, "big.json")
    big_snapshot(snap, 3000)
    args = [BIN, "assess", "-b", BASELINE, "-s", snap, "-f", "json", "-o", os.devnull, "-q",
            "--store", url]
    ps = [subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
          for _ in range(8)]
    for p in ps:
        _, err = p.communicate(timeout=300)
        eq(p.returncode, 0, err.decode())
    eq(psql(url, "SELECT count(*) FROM runs"), "8", "all eight runs stored")
    per = int(psql(url, "SELECT count(*) FROM results")) // 8
    eq(psql(url, "SELECT count(*) FROM results GROUP BY run HAVING count(*) <> "
                 f"{per}"), "", "eight whole runs")
    eq(psql(url, "SELECT count(*) FROM assets"), "3000", "assets shared, stored once")


@test
def store_pg_sigkill_leaves_no_partial_run():
    if skipped("store_pg_sigkill_leaves_no_partial_run"):
        return
    url = new_db()
    d = tempfile.mkdtemp(prefix="bl-store-pg-")
    snap = os.path.join(d, "big.json")
    big_snapshot(snap, 20000)
    args = [BIN, "assess", "-b", BASELINE, "-s", snap, "-f", "json", "-o", os.devnull, "-q",
            "--store", url]
    t0 = time.monotonic()
    p = subprocess.run(args, capture_output=True, timeout=300)
    full = time.monotonic() - t0
    eq(p.returncode, 0, p.stderr)
    per_run = int(psql(url, "SELECT count(*) FROM results"))
    assert per_run > 40000, per_run
    rng = random.Random(int(os.environ.get("BL_STORE_SEED", "7")))
    killed = 0
    for _ in range(int(os.environ.get("BL_STORE_KILLS", "6"))):
        p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, full * 0.8))
        p.send_signal(signal.SIGKILL)
        rc = p.wait()
        n = int(psql(url, "SELECT count(*) FROM runs"))
        assert rc in (0, -signal.SIGKILL), rc
        if rc == -signal.SIGKILL and n == 1:
            killed += 1
        eq(psql(url, "SELECT count(*) FROM results"), str(n * per_run), "whole runs only")
        eq(psql(url, "SELECT count(*) FROM runs WHERE finished=''"), "0", "no unfinished run")
        if n == 2:
            psql(url, "DELETE FROM run_frameworks WHERE run > 1; DELETE FROM results WHERE run > 1;"
                      " DELETE FROM runs WHERE id > 1")
    assert killed >= 2, f"only {killed} runs were killed mid-way"
    rc, out, err = run("report", "-f", "json", "--store", url)
    eq(rc, 0, err)
    eq(json.loads(out)["summary"]["assets"], 20000, "earlier run intact")
