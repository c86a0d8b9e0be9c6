"""End-to-end tests of `baseline serve` and `baseline token` (docs/server.md):
the real server on a free loopback port with a real SQLite store; decisions,
every route with each role, the exception workflow and its audit log,
reload on SIGHUP with a broken baseline, body/header caps, slow headers,
a flood of malformed requests, and the loopback-only default."""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from e2elib import BIN, FIX, ROOT, run, eq, test

SV = os.path.join(FIX, "serve")
BASELINE = os.path.join(SV, "baseline.yaml")
SNAPSHOT = os.path.join(SV, "snapshot.json")
ROLES = ["viewer", "owner", "approver", "admin"]

GOOD = {"id": "st-good", "type": "Microsoft.Storage/storageAccounts",
        "properties": {"supportsHttpsTrafficOnly": True, "minimumTlsVersion": "TLS1_2"}}
BAD = {"id": "st-bad", "type": "Microsoft.Storage/storageAccounts",
       "properties": {"supportsHttpsTrafficOnly": False, "minimumTlsVersion": "TLS1_0"}}


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """A store in a temporary folder, tokens of every role, the server on it."""

    def __init__(self, baselines=(BASELINE,), args=(), runs=0):
        self.dir = tempfile.mkdtemp(prefix="bl-serve-")
        self.db = os.path.join(self.dir, "s.db")
        self.env = dict(os.environ, BASELINE_STORE=self.db)
        for _ in range(runs):
            rc, _, err = run("assess", "-b", BASELINE, "-s", SNAPSHOT, "-q", env=self.env)
            assert rc in (0, 1), err
        self.tok = {}
        for r in ROLES:
            self.tok[r] = self.token(r, r + "-user")
        self.port = free_port()
        cmd = [BIN, "serve", "--listen", f"127.0.0.1:{self.port}"]
        for b in baselines:
            cmd += ["-b", b]
        self.errf = open(os.path.join(self.dir, "stderr"), "w+")
        self.p = subprocess.Popen(cmd + list(args), env=self.env, stdout=subprocess.DEVNULL,
                                  stderr=self.errf)
        for _ in range(100):
            try:
                if self.req("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            if self.p.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise AssertionError("the server did not start: " + self.stderr())

    def token(self, role, name):
        rc, out, err = run("token", "create", "--role", role, "--name", name, env=self.env)
        eq(rc, 0, err)
        tok = out.strip().splitlines()[-1]
        assert tok.startswith("bl_") and len(tok) == 46, tok
        return tok

    def req(self, method, path, body=None, role=None, token=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        h = dict(headers or {})
        t = token or (self.tok[role] if role else None)
        if t:
            h["Authorization"] = "Bearer " + t
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, data.decode("utf-8", "replace"), r.getheader("Content-Type")

    def json(self, method, path, body=None, role="viewer"):
        st, data, _ = self.req(method, path, body, role=role)
        return st, json.loads(data)

    def stderr(self):
        self.errf.flush()
        self.errf.seek(0)
        return self.errf.read()

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        code = self.p.returncode
        self.errf.close()
        shutil.rmtree(self.dir, True)
        return code


@test
def serve_decide_compliant_and_not():
    s = Server()
    try:
        st, d = s.json("POST", "/v1/decide", GOOD)
        eq(st, 200, "compliant")
        eq(d, {"allow": True, "baseline": {"id": "serve-test", "version": "1.0.0"},
               "violations": [], "warnings": []}, "compliant answer")
        st, d = s.json("POST", "/v1/decide?baseline=serve-test", [BAD, GOOD])
        eq(st, 200, "non-compliant")
        eq(d["allow"], False, "deny control failed")
        eq([(v["control"], v["severity"], v["asset"]) for v in d["violations"]],
           [("SV-01", "high", "st-bad")], "violations")
        eq(d["violations"][0]["evidence"], [{"path": "properties.supportsHttpsTrafficOnly",
                                            "actual": False, "expected": "equals true"}],
           "evidence")
        eq(d["violations"][0]["remediation"], "Turn on secure transfer.", "remediation")
        eq([(w["control"], w["asset"]) for w in d["warnings"]], [("SV-02", "st-bad")], "warnings")
        # the Content-Type does not matter: the body is JSON
        st, data, _ = s.req("POST", "/v1/decide", json.dumps(GOOD), role="viewer",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
        eq((st, json.loads(data)["allow"]), (200, True), "form content type")
        st, d = s.json("POST", "/v1/decide", "{\"id\": [1,\n 2,,]}")
        eq(st, 400, "malformed json")
        eq((d["line"], d["col"]), (2, 4), "parse error position")
        st, _ = s.json("POST", "/v1/decide?baseline=nope", GOOD)
        eq(st, 404, "unknown baseline")
    finally:
        eq(s.stop(), 0, "clean stop")


# route -> (method, minimum role, expected success status)
ROUTES = [
    ("POST", "/v1/decide", "viewer", 200),
    ("GET", "/v1/runs", "viewer", 200),
    ("GET", "/v1/runs/latest", "viewer", 200),
    ("GET", "/v1/runs/latest/results?status=fail&limit=1", "viewer", 200),
    ("GET", "/v1/trend", "viewer", 200),
    ("GET", "/v1/drift", "viewer", 200),
    ("GET", "/v1/gaps", "viewer", 200),
    ("GET", "/v1/baselines", "viewer", 200),
    ("GET", "/v1/frameworks", "viewer", 200),
    ("GET", "/v1/exceptions", "viewer", 200),
    ("GET", "/v1/exceptions/export", "viewer", 200),
    ("GET", "/", "viewer", 200),
    ("GET", "/metrics", "viewer", 200),
    ("POST", "/v1/exceptions", "owner", 201),
    ("GET", "/v1/audit", "admin", 200),
]
EXC = {"control": "SV-01", "assets": ["st-*"], "category": "waiver",
       "justification": "legacy client", "ticket": "SEC-1", "expires": "2027-03-31"}


@test
def serve_every_route_with_each_role():
    s = Server(runs=2)
    try:
        for method, path, need, ok in ROUTES:
            body = GOOD if path == "/v1/decide" else EXC if method == "POST" else None
            st, data, _ = s.req(method, path, body)
            eq(st, 401, f"{path} without a token")
            eq(data, "{\"error\":\"a valid bearer token is needed\"}\n", f"{path} 401 body")
            st, _, _ = s.req(method, path, body, token="bl_not-a-token")
            eq(st, 401, f"{path} unknown token")
            for r in ROLES:
                st, data, _ = s.req(method, path, body, role=r)
                if ROLES.index(r) >= ROLES.index(need):
                    eq(st, ok, f"{path} as {r}")
                else:
                    eq((st, data), (403, "{\"error\":\"this token's role may not do that\"}\n"),
                       f"{path} as {r}")
        # approving needs approver or admin, never the requester's token
        st, d = s.json("GET", "/v1/exceptions")
        ids = [e["id"] for e in d["requests"]]
        eq(len(ids), 3, "owner, approver and admin requested one each")
        for r, want in (("viewer", 403), ("owner", 403), ("approver", 200), ("admin", 200)):
            st, _, _ = s.req("POST", f"/v1/exceptions/{ids[0]}/approve", role=r)
            if r in ("approver", "admin"):
                want = 200 if r == "approver" else 409   # decided once only
            eq(st, want, f"approve as {r}")
        st, data, ctype = s.req("GET", "/healthz")
        eq((st, data), (200, "{\"status\":\"ok\"}\n"), "healthz needs no token")
        st, data, ctype = s.req("GET", "/", role="viewer")
        assert ctype.startswith("text/html"), ctype
        assert "<nav class=\"bl-runs\"" in data and data.count("<a href=\"/runs/") == 2, \
            "dashboard links both runs"
        st, d = s.json("GET", "/v1/runs")
        eq(len(d["runs"]), 2, "two runs")
        st, data, _ = s.req("GET", "/runs/" + d["runs"][0]["id"], role="viewer")
        eq(st, 200, "an older run's page")
        eq(s.req("GET", "/runs/nope", role="viewer")[0], 404, "no such run page")
        st, d = s.json("GET", "/v1/runs/latest/results?status=fail")
        eq(sorted((r["control"], r["asset"], r["severity"]) for r in d["results"]),
           [("SV-01", "st-bad", "high"), ("SV-02", "st-bad", "medium")], "failing results")
        eq(d["total"], 2, "total")
        st, d = s.json("GET", "/v1/runs/latest/results?limit=2&offset=1")
        eq((len(d["results"]), d["total"], d["offset"]), (2, 5, 1), "paging")
        st, d = s.json("GET", "/v1/gaps")
        eq([(g["control"], g["failing"]) for g in d["gaps"]], [("SV-01", 1), ("SV-02", 1)], "gaps")
        st, d = s.json("GET", "/v1/drift")
        eq(d["counts"]["newly_failing"], 0, "same snapshot twice: no drift")
        st, data, _ = s.req("GET", "/metrics", role="viewer")
        assert "baseline_http_requests_total{route=\"/v1/audit\",code=\"403\"} 3" in data, data
        assert "baseline_compliance_ratio{baseline=\"serve-test\"" in data, data
    finally:
        eq(s.stop(), 0, "clean stop")


@test
def serve_exception_workflow_and_audit():
    s = Server()
    try:
        pete2 = s.token("approver", "pete2")
        st, d = s.json("POST", "/v1/exceptions", EXC, role="approver")
        eq((st, d), (201, {"id": 1, "state": "requested"}), "requested by an approver")
        st, data, _ = s.req("POST", "/v1/exceptions/1/approve", role="approver")
        eq((st, json.loads(data)["error"]), (403, "the requester's token may not decide its own "
                                            "request"), "self-approval refused")
        st, data, _ = s.req("POST", "/v1/exceptions/1/approve", token=pete2,
                            body=json.dumps({"note": "ok until Q1"}))
        eq(st, 200, "approved by another approver")
        st, data, ctype = s.req("GET", "/v1/exceptions/export", role="viewer")
        eq(ctype, "application/yaml", "export type")
        path = os.path.join(s.dir, "x.yaml")
        with open(path, "w") as f:
            f.write(data)
        rc, out, err = run("exceptions", "list", "-x", path, env=s.env)
        eq(rc, 0, "the export is a valid exception document: " + err)
        assert "EXR-1" in out and "SV-01" in out, out
        st, d = s.json("GET", "/v1/exceptions/export?format=json")
        eq(d["exceptions"][0]["approved_by"], "pete2", "approved_by")
        st, d = s.json("GET", "/v1/audit", role="admin")
        acts = [(e["who"], e["action"]) for e in d["entries"]]
        assert ("approver-user", "exception.request") in acts, acts
        assert ("pete2", "exception.approve") in acts, acts
        assert ("cli", "token.create") in acts, acts
        approve = [e for e in d["entries"] if e["action"] == "exception.approve"][0]
        eq(approve["detail"], {"request": 1, "note": "ok until Q1"}, "audit detail")
        assert approve["at"].endswith("Z") and len(approve["at"]) == 20, approve["at"]
    finally:
        eq(s.stop(), 0, "clean stop")


@test
def serve_token_list_and_revoke():
    s = Server()
    try:
        rc, out, err = run("token", "list", env=s.env)
        eq(rc, 0, err)
        assert "viewer-user" in out and "admin-user" in out, out
        eq(s.req("GET", "/v1/baselines", role="viewer")[0], 200, "before revoke")
        rc, out, err = run("token", "revoke", "1", env=s.env)
        eq((rc, out), (0, "token 1 revoked\n"), err)
        time.sleep(1.2)   # the server trusts a verified token for 1 s
        eq(s.req("GET", "/v1/baselines", role="viewer")[0], 401, "after revoke")
        rc, _, err = run("token", "revoke", "1", env=s.env)
        eq(rc, 2, "revoking twice")
        rc, _, err = run("token", "create", "--role", "root", env=s.env)
        eq(rc, 2, "unknown role")
        assert "--role viewer, owner, approver or admin" in err, err
    finally:
        s.stop()


@test
def serve_reload_on_sighup_keeps_old_when_broken():
    d = tempfile.mkdtemp(prefix="bl-serve-bl-")
    path = os.path.join(d, "b.yaml")
    shutil.copy(BASELINE, path)
    s = Server(baselines=(path,))
    try:
        eq(s.json("POST", "/v1/decide", BAD)[1]["allow"], False, "before")
        with open(path, "w") as f:
            f.write("baseline: serve-test\nversion: 2\ncontrols: [{id: X}]\n")
        s.p.send_signal(signal.SIGHUP)
        time.sleep(1.5)
        err = s.stderr()
        assert "a baseline failed to reload; the loaded one stays" in err, err
        assert "b.yaml" in err, err
        st, dd = s.json("POST", "/v1/decide", BAD)
        eq((st, dd["allow"], dd["baseline"]["version"]), (200, False, "1.0.0"), "old one stays")
        with open(BASELINE) as f:
            text = f.read().replace("version: 1.0.0", "version: 1.1.0").replace(
                "    effect: deny\n    remediation: Turn on", "    effect: audit\n"
                "    remediation: Turn on")
        with open(path, "w") as f:
            f.write(text)
        s.p.send_signal(signal.SIGHUP)
        time.sleep(1.0)
        st, dd = s.json("POST", "/v1/decide", BAD)
        eq((dd["allow"], dd["baseline"]["version"]), (True, "1.1.0"), "new one after a fix")
        assert "reloaded 1 baseline" in s.stderr()
    finally:
        s.stop()
        shutil.rmtree(d, True)


@test
def serve_limits_body_headers_slowloris():
    s = Server(args=("--max-body", "2048", "--timeout", "1", "--max-header", "4096"))
    try:
        big = json.dumps(dict(GOOD, pad="x" * 4096))
        st, data, _ = s.req("POST", "/v1/decide", big, role="viewer")
        eq(st, 413, "oversize body")
        eq(json.loads(data)["error"], "the request body is larger than --max-body", "413 body")
        st, _, _ = s.req("POST", "/v1/decide", json.dumps(GOOD), role="viewer")
        eq(st, 200, "a body under the cap")
        # a body without Content-Length (chunked) is capped while it is read
        c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
        chunk = b"x" * 1500
        c.sendall(b"POST /v1/decide HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                  s.tok["viewer"].encode() + b"\r\nTransfer-Encoding: chunked\r\n\r\n" +
                  (b"%x\r\n" % len(chunk) + chunk + b"\r\n") * 3 + b"0\r\n\r\n")
        reply = c.recv(4096)
        c.close()
        assert reply.startswith(b"HTTP/1.1 413"), reply[:80]
        st, _, _ = s.req("GET", "/healthz", headers={"X-Pad": "y" * 8000})
        eq(st, 431, "headers beyond the cap")
        st, _, _ = s.req("GET", "/v1/runs?" + "a" * 9000, role="viewer")
        assert st in (414, 431), st
        # slow headers: the connection is closed once idle for --timeout
        c = socket.create_connection(("127.0.0.1", s.port), timeout=6)
        c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        t0 = time.monotonic()
        got = c.recv(100)
        waited = time.monotonic() - t0
        c.close()
        eq(got, b"", "closed without an answer")
        assert 0.5 < waited < 4, waited
        eq(s.req("GET", "/healthz")[0], 200, "still serving")
    finally:
        eq(s.stop(), 0, "clean stop")


@test
def serve_survives_malformed_flood():
    s = Server()
    try:
        junk = [b"\x00\x01\x02\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                b"POST /v1/decide HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                b"GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n",
                b"GET / HTTP/1.1\r\nNo colon here\r\n\r\n",
                b"POST /v1/decide HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n{[\"",
                b"GET /v1/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \xff\xfe\r\n\r\n"]
        for i in range(1000):
            # send and hang up, as a flood does; some requests get an answer
            # first (400, 404, 505), some are dropped by libmicrohttpd
            c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
            c.sendall(junk[i % len(junk)])
            c.close()
        for i in range(50):
            st, _, _ = s.req("POST", "/v1/decide", "{\"id\": " + "[" * (i * 20), role="viewer")
            eq(st, 400, "malformed decide body")
        eq(s.p.poll(), None, "still running")
        st, d = s.json("POST", "/v1/decide", GOOD)
        eq((st, d["allow"]), (200, True), "a good request after the flood")
    finally:
        eq(s.stop(), 0, "clean stop")


@test
def serve_refuses_non_loopback():
    rc, out, err = run("serve", "-b", BASELINE, "--listen", "0.0.0.0:18999")
    eq(rc, 2, "refused")
    assert "not a loopback address: refusing without --allow-remote" in err, err
    rc, out, err = run("serve", "-b", BASELINE, "--listen", "localhost:80")
    eq(rc, 2, "not an address")
    rc, out, err = run("serve", "--listen", "127.0.0.1:0")
    eq(rc, 2, "no baseline")
    rc, out, err = run("serve", "-b", os.path.join(SV, "missing.yaml"), "--listen",
                       "127.0.0.1:0")
    eq(rc, 2, "a baseline that does not load")
    assert "missing.yaml" in err, err


@test
def serve_drop_privileges():
    import pwd
    if os.geteuid() != 0:
        print("  skipped serve_drop_privileges: needs root")
        return
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        print("  skipped serve_drop_privileges: no user nobody")
        return
    # nobody must reach the baseline: copy it into a world-readable folder
    d = tempfile.mkdtemp(prefix="bl-serve-drop-")
    os.chmod(d, 0o755)
    base = os.path.join(d, "baseline.yaml")
    shutil.copy(BASELINE, base)
    os.chmod(base, 0o644)
    db = os.path.join(d, "s.db")
    # the server makes its temporary folder after dropping to nobody: in d
    env = dict(os.environ, BASELINE_STORE=db, TMPDIR=d)
    rc, out, err = run("token", "create", "--role", "viewer", "--name", "v", env=env)
    eq(rc, 0, err)
    tok = out.strip().splitlines()[-1]
    for f in os.listdir(d):
        os.chown(os.path.join(d, f), nobody.pw_uid, nobody.pw_gid)
    os.chown(d, nobody.pw_uid, nobody.pw_gid)
    port = free_port()
    p = subprocess.Popen([BIN, "serve", "--listen", f"127.0.0.1:{port}", "-b", base,
                          "--drop-privileges", "nobody"], env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    try:
        status = None
        for _ in range(100):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", "/v1/runs", headers={"Authorization": "Bearer " + tok})
                r = c.getresponse()
                r.read()
                status = r.status
                c.close()
                break
            except OSError:
                if p.poll() is not None:
                    break
                time.sleep(0.05)
        eq(status, 200, f"a viewer reads runs from the server running as nobody ({p.poll()}: "
                        f"{p.stderr.read() if p.poll() is not None else ''})")
        with open(f"/proc/{p.pid}/status") as f:
            uids = [l.split()[1:] for l in f if l.startswith("Uid:")][0]
        eq(uids, [str(nobody.pw_uid)] * 4, "real, effective, saved, fs uid")
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(10)
        shutil.rmtree(d, True)
    rc, _, err = run("serve", "-b", BASELINE, "--drop-privileges", "no-such-user-xyz")
    eq(rc, 2, "unknown user")
    assert "no-such-user-xyz" in err, err
