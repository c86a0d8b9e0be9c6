"""End-to-end tests of what startup skips or shares (issue 9): a baseline
without `maps` assesses without loading the framework catalogs and lists no
frameworks; a baseline with maps still lists every catalog control of a
mapped framework (not_covered when nothing maps to it), in catalog spelling."""
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
