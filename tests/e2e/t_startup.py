"""End-to-end tests of what startup skips or shares (issue 9): a baseline
without `maps` assesses without loading the framework catalogs and lists no
frameworks; a baseline with maps still lists every catalog control of a
mapped framework (not_covered when nothing maps to it), in catalog spelling."""
import json
import os
import tempfile

from e2elib import assess_json, eq, test

NO_MAPS = """baseline: no-maps
version: 1.0.0
title: no maps
controls:
  - id: C-1
    title: one
    severity: high
    scope: {types: [T]}
    expect: {field: a, equals: 1}
"""

MAPS = NO_MAPS.replace("severity: high", "severity: high\n    maps: {nist-800-53-r5: [ac-2.1]}")


def _assess(text):
    with tempfile.TemporaryDirectory() as d:
        b = os.path.join(d, "b.yaml")
        s = os.path.join(d, "s.json")
        with open(b, "w") as f:
            f.write(text)
        with open(s, "w") as f:
            f.write('[{"id": "x", "type": "T", "a": 1}]')
        return assess_json("-b", b, "-s", s, "--no-store")


@test
def startup_no_maps_no_frameworks():
    rc, doc, err = _assess(NO_MAPS)
    eq(rc, 0, f"exit ({err})")
    eq(doc["frameworks"], [], "frameworks")
    eq(doc["scores"]["frameworks"], [], "framework scores")
    eq((doc["summary"]["pass"], doc["summary"]["fail"]), (1, 0), "summary")


@test
def startup_maps_list_catalog():
    rc, doc, err = _assess(MAPS)
    eq(rc, 0, f"exit ({err})")
    eq([f["id"] for f in doc["frameworks"]], ["nist-800-53-r5"], "frameworks")
    ctl = {c["id"]: c["status"] for c in doc["frameworks"][0]["controls"]}
    eq(ctl.get("AC-2(1)"), "pass", "mapped id in catalog spelling")
    eq(ctl.get("AC-1"), "not_covered", "unmapped catalog control")
    eq(len(ctl), 370, "every catalog control listed")


@test
def optional_libraries_are_not_linked():
    """libcurl, libpq, libmicrohttpd, libsqlite3, libyaml and the three
    decompressors are opened with dlopen by the code that needs them
    (util/dynlib.h), so a command that never uses them does not load or
    relocate them at start."""
    import subprocess
    from e2elib import BIN
    with open(BIN, "rb") as f:
        if f.read(4) != b"\x7fELF":
            print("  (skipped: BASELINE_BIN is a wrapper, not the binary)")
            return
    dyn = subprocess.run(["readelf", "-dW", BIN], capture_output=True, text=True, check=True).stdout
    needed = [l.split("[", 1)[1].rstrip("]") for l in dyn.splitlines() if "(NEEDED)" in l]
    # (libz.so, not libz: libzstd is not ours to judge)
    for lib in ("libcurl", "libpq", "libmicrohttpd", "libsqlite3", "libyaml", "liblz4", "libz.so",
                "liblzma"):
        assert not any(n.startswith(lib) for n in needed), f"{lib} is linked: {needed}"
    # and the store still works: a run is recorded and read back
    with tempfile.TemporaryDirectory() as d:
        from e2elib import run
        rc, _, err = run("assess", "-b", os.path.join(ROOT_DIR, "examples", "baseline.yaml"),
                         "-s", os.path.join(ROOT_DIR, "examples", "snapshot.json"),
                         "--store", os.path.join(d, "s.db"), "-f", "json")
        assert rc in (0, 1), err
        rc, out, err = run("report", "latest", "--store", os.path.join(d, "s.db"), "-f", "json")
        eq(rc, 0, f"report from the store ({err})")


ROOT_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@test
def missing_libyaml_is_an_internal_error():
    """With libyaml absent (hidden by a bind mount in a private mount
    namespace), a YAML baseline fails with exit 3 and a message naming the
    package, while a built-in baseline on a JSON snapshot never needs it."""
    import shutil
    import subprocess
    from e2elib import BIN
    lib = None
    for line in subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout.splitlines():
        if line.split(" ", 1)[0].strip() == "libyaml-0.so.2":
            lib = line.rsplit("=> ", 1)[-1].strip()
            break
    if not lib or not shutil.which("unshare") or os.geteuid() != 0:
        print("  (skipped: needs root, unshare and libyaml-0.so.2)")
        return

    def hidden(*args):
        script = 'mount --bind /dev/null "$0" && exec "$@"'
        return subprocess.run(["unshare", "-m", "sh", "-c", script, lib, BIN, *args],
                              capture_output=True, text=True, cwd=ROOT_DIR, timeout=60)
    probe = subprocess.run(["unshare", "-m", "sh", "-c", 'mount --bind /dev/null "$0"', lib],
                           capture_output=True, timeout=30)
    if probe.returncode != 0:
        print("  (skipped: cannot bind-mount in a private mount namespace here)")
        return
    p = hidden("lint", "examples/baseline.yaml")
    eq(p.returncode, 3, f"lint without libyaml ({p.stderr})")
    assert "install libyaml-0-2" in p.stderr, p.stderr
    p = hidden("assess", "--no-store", "-b", "examples/baseline.yaml", "-s", "examples/snapshot.json")
    eq(p.returncode, 3, f"assess with a YAML baseline without libyaml ({p.stderr})")
    p = hidden("assess", "--no-store", "-q", "-b", "builtin:azure-mcsb", "-s", "examples/snapshot.json",
               "-f", "json")
    assert p.returncode in (0, 1), p.stderr
    json.loads(p.stdout)
