"""Shared by the end-to-end tests (tests/e2e/t_*.py): how to run the binary,
where fixtures live, the @test registry and small assertions.  Stdlib only."""
import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("BASELINE_BIN", os.path.join(ROOT, "baseline"))
FIX = os.path.join(ROOT, "tests", "fixtures")
E2E = os.path.join(FIX, "e2e")
TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def run(*args, stdin=None, cwd=ROOT, timeout=120):
    p = subprocess.run([BIN, *args], input=stdin, capture_output=True, cwd=cwd, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def assess_json(*args, **kw):
    rc, out, err = run("assess", "-f", "json", *args, **kw)
    assert rc in (0, 1), f"exit {rc}: {err}"
    return rc, json.loads(out), err


def results_set(doc):
    return [(r["asset"].rsplit("/", 1)[-1], r["control"], r["status"]) for r in doc["results"]]


def eq(a, b, what=""):
    assert a == b, f"{what}: expected {b!r}, got {a!r}"


