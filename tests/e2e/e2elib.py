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


# Everything a run of the suite writes goes under one temporary folder that is
# removed when the suite ends: the modules' own mkdtemp/mkstemp calls (through
# tempfile.tempdir) and every child process (through TMPDIR).  Tests never write
# into the user's real run store: every run of the binary inherits a store in
# that folder, unless a test passes its own env with BASELINE_STORE.
def _temp_root():
    import atexit
    import shutil
    import tempfile
    d = tempfile.mkdtemp(prefix="bl-e2e-")
    os.chmod(d, 0o711)  # the privilege-drop tests run the binary as nobody inside it
    atexit.register(shutil.rmtree, d, True)
    tempfile.tempdir = d
    os.environ["TMPDIR"] = d
    return d


TMP_ROOT = _temp_root()
os.environ["BASELINE_STORE"] = os.path.join(TMP_ROOT, "baseline.db")


def run(*args, stdin=None, cwd=ROOT, timeout=120, env=None):
    p = subprocess.run([BIN, *args], input=stdin, capture_output=True, cwd=cwd, timeout=timeout,
                       env=env)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def assess_json(*args, **kw):
    rc, out, err = run("assess", "-f", "json", *args, **kw)
    assert rc in (0, 1), f"exit {rc}: {err}"
    return rc, json.loads(out), err


def results_set(doc):
    return [(r["asset"].rsplit("/", 1)[-1], r["control"], r["status"]) for r in doc["results"]]


def eq(a, b, what=""):
    assert a == b, f"{what}: expected {b!r}, got {a!r}"


