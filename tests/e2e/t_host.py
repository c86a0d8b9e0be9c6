"""End-to-end tests of host assessment: offline fixture roots against their
expected results, this very machine, and `baseline facts`."""
import json
import os
import subprocess
import tempfile

from e2elib import FIX, ROOT, run, eq, test

HOSTS = os.path.join(FIX, "hosts")


def fixture_root(name, dest):
    """Copy a fake root with its modes and owners applied (needs root)."""
    p = subprocess.run([os.path.join(ROOT, "scripts", "fixture-root.sh"),
                        os.path.join(HOSTS, name), dest], capture_output=True)
    if p.returncode == 77:
        return False
    assert p.returncode == 0, p.stderr.decode()
    return True


def expected(name):
    out = {}
    with open(os.path.join(HOSTS, f"expected-{name}.tsv")) as f:
        for line in f:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                cid, status = line.split("\t")[:2]
                out[cid] = status
    return out


def check_root(name):
    with tempfile.TemporaryDirectory() as d:
        root = os.path.join(d, name)
        if not fixture_root(name, root):
            print(f"  (skipped {name}: fixture roots need root to set owners)")
            return
        rc, out, err = run("assess", "--host", "--root", root, "-f", "json", "--all")
        eq(rc, 0, err)
        doc = json.loads(out)
        got = {r["control"]: r["status"] for r in doc["results"]}
        want = expected(name)
        eq(sorted(got), sorted(want), f"{name}: controls with a result")
        wrong = [(c, got[c], want[c]) for c in want if got[c] != want[c]]
        eq(wrong, [], f"{name}: (control, got, expected)")
        eq(doc["summary"]["controls"], len(want), f"{name}: enabled controls")
        # the asset is named after the root's /etc/hostname
        assert doc["run"]["targets"][0].startswith("host:"), doc["run"]["targets"]
        # under --root, live-only facts are not_applicable with the reason
        live = [r for r in doc["results"] if "(running)" in r.get("message", "") or
                "live-only" in r.get("message", "")]
        assert all(r["status"] == "not_applicable" for r in live), live[:3]


@test
def host_root_hardened_passes_everything():
    check_root("hardened")


@test
def host_root_weak_fails_the_expected_controls():
    check_root("weak")


@test
def host_live_every_control_has_a_status():
    rc, out, err = run("assess", "--host", "-f", "json", "--all", timeout=600)
    eq(rc, 0, err)
    doc = json.loads(out)
    s = doc["summary"]
    total = s["pass"] + s["fail"] + s["error"] + s["not_applicable"] + s["exempt"]
    eq(total, s["controls"], "one result per enabled control")
    eq(len(doc["results"]), total, "every result listed with --all")
    for r in doc["results"]:
        assert r["status"] in ("pass", "fail", "error", "not_applicable"), r
        assert r["message"], r
        if r["status"] == "error":
            assert r["evidence"] == [] and len(r["message"]) > 5, r


@test
def host_text_report_and_fail_on():
    rc, out, err = run("assess", "--host", "--fail-on", "info", timeout=600)
    assert rc in (0, 1), err
    assert "linux-host" in out and "Compliance" in out, out[:500]


@test
def facts_command():
    rc, out, err = run("facts")
    eq(rc, 0, err)
    for ns in ("os", "file", "sshd", "sysctl", "packages", "walk"):
        assert ns in out, out
    rc, out, err = run("facts", "os")
    eq(rc, 0, err)
    doc = json.loads(out)
    assert "id" in doc and "hostname" in doc, doc
    rc, out, err = run("facts", 'file["/etc/passwd"]')
    eq(rc, 0, err)
    f = json.loads(out)
    eq((f["exists"], f["type"]), (True, "file"), "file fact")
    assert any(l.startswith("root:") for l in f["lines"]), f["lines"][:3]
    rc, out, err = run("facts", 'file["/nonexistent/x"]')
    eq((rc, json.loads(out)), (0, {"exists": False}), "missing file")
    eq(run("facts", "nosuchnamespace")[0], 2, "unknown namespace")
    eq(run("facts", "file[")[0], 2, "bad path")


@test
def facts_offline_root_marks_live_only():
    with tempfile.TemporaryDirectory() as d:
        root = os.path.join(d, "weak")
        if not fixture_root("weak", root):
            return
        rc, out, err = run("facts", "--root", root, 'sysctl["net.ipv4.ip_forward"]')
        eq(rc, 0, err)
        assert "$not_applicable" in out, out
        rc, out, err = run("facts", "--root", root, "sshd.permitrootlogin")
        eq(rc, 0, err)
        assert json.loads(out) is not None


@test
def host_options_usage():
    eq(run("assess", "--root", "/tmp")[0], 2, "--root without --host")
    rc, _, err = run("assess", "--host", "--root", "/nonexistent/root")
    eq(rc, 2, "missing root")
    assert "/nonexistent/root" in err, err


@test
def host_drop_privileges():
    import pwd
    if os.geteuid() != 0:
        print("  (skipped: --drop-privileges needs root)")
        return
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        print("  (skipped: no user nobody)")
        return
    with tempfile.TemporaryDirectory() as d:
        os.chmod(d, 0o777)
        out = os.path.join(d, "r.json")
        rc, _, err = run("assess", "--host", "-f", "json", "-o", out, "--drop-privileges", "nobody",
                         timeout=600)
        eq(rc, 0, err)
        # the host was read as root (shadow facts present), the report written as nobody
        eq(os.stat(out).st_uid, nobody.pw_uid, "report written after dropping to nobody")
        json.load(open(out))
    rc, _, err = run("assess", "--host", "--drop-privileges", "no-such-user-here")
    eq(rc, 2, "unknown user")
    assert "no such user" in err, err
