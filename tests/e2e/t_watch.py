"""End-to-end tests of `baseline watch` (alerts on drift to JSON lines and a
real webhook listener on loopback; SIGHUP, SIGTERM), `baseline fleet` and
`trend --target/--all-targets` (docs/watch.md, docs/store.md)."""
import datetime
import http.server
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time

from e2elib import BIN, E2E, ROOT, run, eq, test

BASELINE = f"{E2E}/baseline.yaml"
SNAPSHOT = f"{E2E}/snapshot.json"
SABAD = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sagood"


def workdir():
    d = tempfile.mkdtemp(prefix="bl-watch-")
    snap = os.path.join(d, "snapshot.json")
    shutil.copy(SNAPSHOT, snap)
    return d, snap, os.path.join(d, "runs.db")


def mutate(snap):
    """sagood stops requiring HTTPS (ST-01, high, newly failing); kv2 goes away;
    a new storage account appears."""
    with open(snap) as f:
        doc = json.load(f)
    items = doc if isinstance(doc, list) else doc.get("value", doc.get("data"))
    for r in items:
        if r["id"].endswith("/sagood"):
            r["properties"]["supportsHttpsTrafficOnly"] = False
    items[:] = [r for r in items if not r["id"].endswith("/kv2")]
    items.append({"id": "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sanew",
                  "type": "Microsoft.Storage/storageAccounts", "name": "sanew",
                  "tags": {"owner": "x"},
                  "properties": {"supportsHttpsTrafficOnly": True, "minimumTlsVersion": "TLS1_2"}})
    with open(snap, "w") as f:
        json.dump(doc, f)


class Hook(http.server.BaseHTTPRequestHandler):
    """Records every POST body; answers with the next status of `plan`."""
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        srv = self.server
        with srv.lock:
            srv.bodies.append((self.headers.get("Content-Type"), body))
            code = srv.plan.pop(0) if srv.plan else 200
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


def listener(plan=None):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    srv.lock = threading.Lock()
    srv.bodies = []
    srv.plan = list(plan or [])
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f"http://127.0.0.1:{srv.server_address[1]}/hook"


def watch(store, snap, *extra, timeout=60):
    return run("watch", "--store", store, "-b", BASELINE, "-s", snap, "--once", *extra,
               timeout=timeout)


def runs_in(db):
    c = sqlite3.connect(db)
    try:
        return c.execute("select count(*) from runs").fetchone()[0]
    finally:
        c.close()


@test
def watch_first_run_is_the_reference():
    d, snap, db = workdir()
    jl = os.path.join(d, "alerts.jsonl")
    rc, out, err = watch(db, snap, "--alert", f"jsonl={jl}", "--alert-min-severity", "info")
    assert rc in (0, 1), err
    eq(out, "", "watch writes results nowhere by default")
    assert "0 alerts" in err, err
    eq(os.path.getsize(jl), 0, "no drift on the first run")
    eq(runs_in(db), 1, "the run is stored")


@test
def watch_alerts_on_drift_to_jsonl_and_webhook():
    d, snap, db = workdir()
    jl = os.path.join(d, "alerts.jsonl")
    srv, url = listener()
    rc, _, err = watch(db, snap)
    assert rc in (0, 1), err
    mutate(snap)
    rc, _, err = watch(db, snap, "--alert", f"jsonl={jl}", "--alert", f"webhook={url}",
                       "--alert-min-severity", "info")
    assert rc in (0, 1), err
    srv.shutdown()
    events = [json.loads(line) for line in open(jl)]
    kinds = sorted((e["kind"], e["control"] or "", e["asset"].rsplit("/", 1)[-1] if e["asset"] else "")
                   for e in events)
    assert ("newly_failing", "ST-01", "sagood") in kinds, kinds
    assert ("new_asset", "", "sanew") in kinds, kinds
    assert ("removed_asset", "", "kv2") in kinds, kinds
    st01 = [e for e in events if e["control"] == "ST-01"][0]
    eq(st01["severity"], "high", "severity is the control's")
    assert "sagood" in st01["message"] and "pass -> fail" in st01["message"], st01["message"]
    for e in events:
        assert e["run"] and e["baseline"] == "e2e-test" and e["time"].endswith("Z"), e
    # one webhook document per run, same events
    eq(len(srv.bodies), 1, "webhook documents")
    ctype, body = srv.bodies[0]
    eq(ctype, "application/json", "content type")
    doc = json.loads(body)
    eq(doc["schema"], "baseline.alerts/1", "schema")
    eq(doc["events"], events, "webhook events equal the JSON lines")


@test
def watch_min_severity_filters():
    d, snap, db = workdir()
    jl = os.path.join(d, "alerts.jsonl")
    watch(db, snap)
    mutate(snap)
    rc, _, err = watch(db, snap, "--alert", f"jsonl={jl}", "--alert-min-severity", "high")
    assert rc in (0, 1), err
    events = [json.loads(line) for line in open(jl)]
    assert events and all(e["severity"] in ("high", "critical") for e in events), events
    assert not any(e["kind"] in ("new_asset", "removed_asset") for e in events), events


@test
def watch_webhook_retries_and_reports_failures():
    d, snap, db = workdir()
    srv, url = listener(plan=[500, 200])
    watch(db, snap)
    mutate(snap)
    rc, _, err = watch(db, snap, "--alert", f"webhook={url}", "--alert-min-severity", "info")
    assert rc in (0, 1), err
    eq(len(srv.bodies), 2, "one failed attempt, one retry")
    eq(srv.bodies[0][1], srv.bodies[1][1], "the retry resends the same document")
    # a receiver that never accepts: the problem is reported, watch still exits
    srv.plan = [503] * 10
    mutate(snap)  # no further change: make one by flipping back
    with open(snap) as f:
        doc = json.load(f)
    for r in doc["data"] if isinstance(doc, dict) else doc:
        if r["id"].endswith("/sagood"):
            r["properties"]["supportsHttpsTrafficOnly"] = True
    with open(snap, "w") as f:
        json.dump(doc, f)
    rc, _, err = watch(db, snap, "--alert", f"webhook={url}", "--alert-min-severity", "info",
                       "--webhook-attempts", "2")
    srv.shutdown()
    assert "alerts not delivered after 2 attempts (HTTP status 503)" in err, err


@test
def watch_webhook_never_delays_the_next_run():
    d, snap, db = workdir()
    # a receiver that accepts the connection and never answers
    import socket
    sink = socket.socket()
    sink.bind(("127.0.0.1", 0))
    sink.listen(16)
    url = f"http://127.0.0.1:{sink.getsockname()[1]}/hook"
    watch(db, snap)
    mutate(snap)
    t0 = time.monotonic()
    p = subprocess.Popen([BIN, "watch", "--store", db, "-b", BASELINE, "-s", snap,
                          "--interval", "1s", "--max-runs", "3", "--alert", f"webhook={url}",
                          "--alert-min-severity", "info", "--webhook-timeout", "30"],
                         stderr=subprocess.PIPE, text=True)
    # three runs one second apart are stored long before the webhook times out
    deadline = time.monotonic() + 20
    while runs_in(db) < 4 and time.monotonic() < deadline:
        time.sleep(0.1)
    took = time.monotonic() - t0
    eq(runs_in(db), 4, "runs stored while the webhook hangs")
    assert took < 15, f"runs were delayed by the webhook: {took:.1f}s"
    # at the end, undelivered documents get at most 10 s, then watch exits
    p.wait(timeout=40)
    err = p.stderr.read()
    assert "alerts not delivered" in err or "abandoned at shutdown" in err, err
    sink.close()


@test
def watch_sighup_runs_now_and_sigterm_stops():
    d, snap, db = workdir()
    p = subprocess.Popen([BIN, "watch", "--store", db, "-b", BASELINE, "-s", snap,
                          "--interval", "1h"], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while runs_in_safe(db) < 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    eq(runs_in(db), 1, "first run")
    p.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 20
    while runs_in(db) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    eq(runs_in(db), 2, "SIGHUP started a run")
    t0 = time.monotonic()
    p.send_signal(signal.SIGTERM)
    rc = p.wait(timeout=20)
    eq(rc, 0, "SIGTERM exits 0")
    assert time.monotonic() - t0 < 10, "SIGTERM while sleeping stops at once"


def runs_in_safe(db):
    try:
        return runs_in(db)
    except sqlite3.Error:
        return 0


@test
def watch_sigterm_mid_run_leaves_no_partial_run():
    d, snap, db = workdir()
    big = os.path.join(d, "big.json")
    with open(SNAPSHOT) as f:
        doc = json.load(f)
    items = doc if isinstance(doc, list) else doc.get("value", doc.get("data"))
    with open(big, "w") as f:
        f.write("[")
        for i in range(60000):
            r = dict(items[i % len(items)])
            r["id"] = f"{r['id']}-{i}"
            f.write(("," if i else "") + json.dumps(r))
        f.write("]")
    p = subprocess.Popen([BIN, "watch", "--store", db, "-b", BASELINE, "-s", big, "--threads", "1",
                          "--interval", "1h"], stderr=subprocess.PIPE, text=True)
    time.sleep(0.4)
    p.send_signal(signal.SIGTERM)
    rc = p.wait(timeout=60)
    eq(rc, 0, "SIGTERM exits 0")
    c = sqlite3.connect(db)
    try:
        eq(c.execute("pragma integrity_check").fetchone()[0], "ok", "integrity")
        runs = c.execute("select id, assets, pass + fail + error + not_applicable + exempt "
                         "from runs").fetchall()
        for key, assets, total in runs:  # a run that finished before the signal is whole
            eq(assets, 60000, "assets of a stored run")
            rows = c.execute("select count(*) from results where run = ?", (key,)).fetchone()[0]
            eq(rows, total, "every result of a stored run")
    finally:
        c.close()


@test
def watch_alerts_expiring_exceptions_once():
    d, snap, db = workdir()
    jl = os.path.join(d, "alerts.jsonl")
    soon = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    later = (datetime.date.today() + datetime.timedelta(days=90)).isoformat()
    exc = os.path.join(d, "exceptions.yaml")
    with open(exc, "w") as f:
        f.write(f"""exceptions:
  - id: EX-1
    control: ST-02
    assets: ["*/sabad"]
    category: waiver
    justification: legacy client
    approved_by: ciso@example.com
    expires: {soon}
  - id: EX-2
    control: KV-01
    assets: ["*/kv2"]
    category: mitigated
    justification: soft delete elsewhere
    approved_by: ciso@example.com
    expires: {later}
""")
    rc, _, err = run("watch", "--store", db, "-b", BASELINE, "-s", snap, "-x", exc,
                     "--interval", "1s", "--max-runs", "2", "--alert", f"jsonl={jl}",
                     "--expiring-days", "14", timeout=60)
    assert rc in (0, 1), err
    events = [json.loads(line) for line in open(jl)]
    exp = [e for e in events if e["kind"] == "exception_expiring"]
    eq(len(exp), 1, "announced once over two runs")
    assert "EX-1" in exp[0]["message"] and soon in exp[0]["message"], exp[0]


@test
def watch_run_failure_alerts_and_usage_errors():
    d, snap, db = workdir()
    jl = os.path.join(d, "alerts.jsonl")
    rc, _, err = run("watch", "--store", db, "-b", os.path.join(d, "missing.yaml"), "-s", snap,
                     "--once", "--alert", f"jsonl={jl}")
    eq(rc, 2, "the run's exit code with --once")
    events = [json.loads(line) for line in open(jl)]
    eq([e["kind"] for e in events], ["run_failed"], "kinds")
    eq(events[0]["severity"], "high", "severity")
    for bad, msg in ((["--interval", "soon"], "--interval"), (["--alert", "pager"], "unknown --alert"),
                     (["--alert", "webhook=ftp://x"], "http://"), (["--no-store"], "--no-store"),
                     (["--alert-min-severity", "urgent"], "--alert-min-severity")):
        rc, _, err = run("watch", "-b", BASELINE, "-s", snap, "--once", *bad)
        eq(rc, 2, f"{bad}")
        assert msg in err, err


@test
def fleet_and_trend_per_target():
    d, snap, db = workdir()
    other = os.path.join(d, "other.json")
    shutil.copy(snap, other)
    mutate(other)
    env = dict(os.environ, BASELINE_STORE=db)
    for s in (snap, other, snap):
        rc, _, err = run("assess", "-b", BASELINE, "-s", s, "-o", "/dev/null", env=env)
        assert rc in (0, 1), err
    rc, out, err = run("fleet", "-f", "json", env=env)
    eq(rc, 0, err)
    doc = json.loads(out)
    eq(doc["schema"], "baseline.fleet/1", "schema")
    byt = {t["target"]: t for t in doc["targets"]}
    eq(sorted(byt), sorted([snap, other]), "targets")
    eq(byt[snap]["runs"], 2, "runs of the first target")
    eq(byt[snap]["change"], 0.0, "no change between identical runs")
    eq(byt[other]["change"], None, "a single run has no change")
    assert byt[other]["compliance"] < byt[snap]["compliance"], doc
    eq(doc["targets"][0]["target"], other, "least compliant first")
    rc, out, err = run("fleet", env=env)
    eq(rc, 0, err)
    assert "2 targets, 2 with failing results" in out, out
    rc, out, err = run("trend", "--target", other, "-f", "json", env=env)
    eq(rc, 0, err)
    runs = json.loads(out)["runs"]
    eq(len(runs), 1, "runs of --target")
    sev = runs[0]["failing_by_severity"]
    eq(sorted(sev), ["critical", "high", "info", "low", "medium"], "severity keys")
    assert sev["high"] >= 2, sev  # ST-01 on sabad and sagood
    rc, out, err = run("trend", "--all-targets", "-f", "json", env=env)
    eq(rc, 0, err)
    tg = {t["target"]: len(t["runs"]) for t in json.loads(out)["targets"]}
    eq(tg, {snap: 2, other: 1}, "runs per target")
    rc, out, err = run("trend", "--all-targets", env=env)
    # a target longer than its 40 columns keeps its end: the file name shows
    shown = other if len(other) <= 40 else "..." + other[-37:]
    assert "TARGET" in out and shown in out, out
    rc, _, err = run("trend", "--all-targets", "--target", snap, env=env)
    eq(rc, 2, "both")


@test
def contrib_systemd_units_verify():
    import shutil as sh
    if not sh.which("systemd-analyze"):
        print("  skipped contrib_systemd_units_verify: no systemd-analyze")
        return
    src = os.path.join(ROOT, "contrib", "systemd")
    d = tempfile.mkdtemp(prefix="bl-units-")
    names = sorted(os.listdir(src))
    eq(names, ["baseline-assess.service", "baseline-assess.timer", "baseline-watch.service"], "units")
    for n in names:
        with open(os.path.join(src, n)) as f:
            text = f.read()
        assert "/usr/local/bin/baseline " in text or n.endswith(".timer"), n
        with open(os.path.join(d, n), "w") as f:
            f.write(text.replace("/usr/local/bin/baseline", BIN))
    p = subprocess.run(["systemd-analyze", "verify", *[os.path.join(d, n) for n in names]],
                       capture_output=True, text=True, timeout=60)
    eq((p.returncode, p.stdout + p.stderr), (0, ""), "systemd-analyze verify")
    # the ExecStart lines are valid watch command lines
    for n in ("baseline-watch.service", "baseline-assess.service"):
        with open(os.path.join(src, n)) as f:
            line = [x for x in f if x.startswith("ExecStart=")][0]
        args = line.split()[1:]
        assert args[0] == "watch", args
        rc, out, err = run(*args, "--help")
        eq(rc, 0, f"{n}: {err}")


@test
def drift_and_watch_report_an_expired_exception():
    d, snap, db = workdir()
    jl = os.path.join(d, "alerts.jsonl")
    exc = os.path.join(d, "exceptions.yaml")

    def exceptions(expires):
        with open(exc, "w") as f:
            f.write(f"""exceptions:
  - id: EX-9
    control: ST-02
    assets: ["*/sabad"]
    category: waiver
    justification: legacy client
    approved_by: ciso@example.com
    expires: {expires}
""")
    exceptions((datetime.date.today() + datetime.timedelta(days=60)).isoformat())
    rc, _, err = watch(db, snap, "-x", exc)
    assert rc in (0, 1), err
    exceptions((datetime.date.today() - datetime.timedelta(days=1)).isoformat())
    rc, _, err = watch(db, snap, "-x", exc, "--alert", f"jsonl={jl}", "--alert-min-severity", "info")
    assert rc in (0, 1), err
    events = [json.loads(line) for line in open(jl)]
    exp = [e for e in events if e["kind"] == "exception_expired"]
    eq([(e["control"], e["asset"].rsplit("/", 1)[-1], e["severity"]) for e in exp],
       [("ST-02", "sabad", "medium")], "exception_expired events")
    assert "exception expired" in exp[0]["message"] and "exempt -> fail" in exp[0]["message"], exp
    assert not [e for e in events if e["kind"] == "newly_failing"], events
    rc, out, err = run("drift", "--store", db, "-f", "json")
    eq(rc, 0, err)
    doc = json.loads(out)
    eq(doc["counts"]["exception_expired"], 1, "drift counts")
    eq([(i["control"], i["from"], i["to"]) for i in doc["exception_expired"]],
       [("ST-02", "exempt", "fail")], "drift items")
    rc, out, err = run("drift", "--store", db)
    assert "exceptions expired: 1" in out, out


@test
def watch_alerts_to_syslog():
    """syslog(3) writes to /dev/log: in a private mount namespace (root only)
    /dev/log is a datagram socket this test reads, so the real call is checked."""
    import socket
    if os.geteuid() != 0 or not shutil.which("unshare"):
        print("  skipped watch_alerts_to_syslog: needs root and unshare")
        return
    d, snap, db = workdir()
    watch(db, snap)
    mutate(snap)
    sock_path = os.path.join(d, "log")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(sock_path)
    s.settimeout(20)
    script = ("mount -t tmpfs tmpfs /dev && mknod -m 666 /dev/null c 1 3 && "
              "mknod -m 666 /dev/urandom c 1 9 && touch /dev/log && "
              f"mount --bind {sock_path} /dev/log && exec \"$@\"")
    p = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", BIN,
                        "watch", "--store", db, "-b", BASELINE, "-s", snap, "--once",
                        "--alert", "syslog", "--alert-min-severity", "high"],
                       capture_output=True, text=True, timeout=60)
    if p.returncode not in (0, 1) and "mount" in p.stderr:
        print(f"  skipped watch_alerts_to_syslog: cannot set up the namespace ({p.stderr.strip()})")
        return
    assert p.returncode in (0, 1), p.stderr
    msgs = []
    try:
        while True:
            msgs.append(s.recv(65536).decode())
            s.settimeout(1)
    except socket.timeout:
        pass
    s.close()
    # RFC 3164 framing from glibc: <PRI>TIMESTAMP baseline[PID]: MESSAGE; daemon = 3
    st01 = [m for m in msgs if '"control": "ST-01"' in m]
    eq(len(st01), 1, f"ST-01 messages in {msgs}")
    m = st01[0]
    assert m.startswith(f"<{3 * 8 + 3}>"), m          # daemon.err for high
    assert "baseline[" in m and '"kind": "newly_failing"' in m, m
    assert all('"severity": "high"' in x or '"severity": "critical"' in x for x in msgs), msgs
