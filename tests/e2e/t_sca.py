"""End-to-end tests of Wazuh SCA policies (docs/wazuh-sca.md): import, on-the-fly
assessment by content detection, 4.x and 5.x semantics against fake roots,
requirement failure, c: rules with and without --allow-commands (a hanging
command killed at the timeout), malformed policies as lint errors with
positions."""
import os
import tempfile

from e2elib import FIX, ROOT, run, assess_json, eq, test

SCA = f"{FIX}/sca"
P4, P5, PCMD, BAD = f"{SCA}/policy4.yml", f"{SCA}/policy5.yml", f"{SCA}/policy-cmd.yml", f"{SCA}/bad.yml"
ROOT_OK, ROOT_OTHER = f"{SCA}/root-ok", f"{SCA}/root-other"

MISSING = "not applicable: /etc/missing.conf does not exist (Wazuh: a content rule on a missing file is invalid)"
EXPECT4 = {
    "1001": "pass", "1002": "fail", "1003": "pass", "1004": "not_applicable", "1005": "pass",
    "1006": "pass", "1007": "pass", "1008": "pass", "1009": "pass", "1010": "pass",
    "1011": "pass", "1012": "not_applicable", "1013": "not_applicable", "1014": "not_applicable",
    "1015": "pass", "1016": "pass", "1017": "pass", "1018": "fail", "1019": "error",
    "1020": "not_applicable", "1021": "fail", "1022": "fail", "1023": "pass", "1024": "pass",
}
EXPECT5 = {"5001": "pass", "5002": "fail", "5003": "fail", "5004": "pass", "5005": "pass",
           "5006": "pass", "5007": "not_applicable", "5008": "pass", "5009": "pass"}


def statuses(doc, prefix):
    return {r["control"][len(prefix):]: r["status"] for r in doc["results"]}


def messages(doc, prefix):
    return {r["control"][len(prefix):]: r["message"] for r in doc["results"]}


@test
def sca_import_then_assess_4x():
    out = os.path.join(tempfile.mkdtemp(prefix="bl-sca-"), "p4.yaml")
    rc, _, err = run("import", "wazuh-sca", P4, "-o", out)
    eq(rc, 0, err)
    assert "24 controls from sca_test4 (SCA 4.x, OS_Regex regexes)" in err, err
    rc, lout, lerr = run("lint", out)
    eq(rc, 0, lerr)
    rc, doc, err = assess_json("--host", "--root", ROOT_OK, "-b", out, "--all")
    eq(statuses(doc, "sca_test4-"), EXPECT4, "4.x statuses")
    m = messages(doc, "sca_test4-")
    eq(m["1004"], MISSING)
    eq(m["1020"], MISSING)
    eq(m["1013"], "not applicable: commands disabled (run with --allow-commands)")
    eq(m["1014"], "not applicable: Windows registry rule (r:): no registry on this host")
    eq(m["1012"], f"not applicable: live-only fact: not available with --root {ROOT_OK}")
    eq(m["1019"], "/etc/loop: too many levels of symbolic links")
    # compliance: nist and cis-v8 mapped, the rest kept as references
    fw = {f["id"]: {c["id"]: c["status"] for c in f["controls"]} for f in doc["frameworks"]}
    eq(fw["nist-800-53-r5"]["AC-6(2)"], "pass")
    eq(fw["cis-v8"]["5.4"], "pass")


@test
def sca_evidence_names_file_and_line():
    rc, doc, err = assess_json("--host", "--root", ROOT_OK, "-b", P5)
    r = {x["control"]: x for x in doc["results"]}["sca_test5-5002"]
    eq(r["evidence"][0]["path"], 'file["/etc/issue"].lines[1]')
    eq(r["evidence"][0]["actual"], "Debian GNU/Linux 12")


@test
def sca_on_the_fly_5x_and_version_override():
    rc, doc, err = assess_json("--host", "--root", ROOT_OK, "-b", P5, "--all")
    eq(statuses(doc, "sca_test5-"), EXPECT5, "5.x statuses")
    eq(doc["run"]["baseline"]["id"], "sca_test5")
    rc, doc, err = assess_json("--host", "--root", ROOT_OK, "-b", P5, "--all", "--sca-version", "4")
    s = statuses(doc, "sca_test5-")
    # 4.x: a lone !r: is "some line does not match", literals ignore case,
    # and OS_Regex has no {2} nor tab in \s
    eq((s["5002"], s["5003"], s["5001"]), ("pass", "pass", "fail"))
    rc, out, err = run("assess", "--host", "-b", P5, "--sca-version", "6")
    eq(rc, 2, err)
    assert "--sca-version must be 4 or 5" in err, err


@test
def sca_requirement_failure():
    rc, doc, err = assess_json("--host", "--root", ROOT_OTHER, "-b", P4, "--all")
    eq(set(statuses(doc, "sca_test4-").values()), {"not_applicable"})
    eq(set(messages(doc, "sca_test4-").values()),
       {"not applicable: policy requirement not met: Debian system"})
    eq(doc["summary"]["not_applicable"], 24)


@test
def sca_commands_disabled_by_default():
    rc, doc, err = assess_json("--host", "-b", PCMD, "--all")
    eq(set(messages(doc, "sca_cmd-").values()),
       {"not applicable: commands disabled (run with --allow-commands)"})


@test
def sca_commands_never_with_root():
    rc, doc, err = assess_json("--host", "--root", ROOT_OK, "-b", PCMD, "--all", "--allow-commands")
    eq(set(messages(doc, "sca_cmd-").values()),
       {"not applicable: commands are never run with --root"})


@test
def sca_commands_allowed_and_timeout():
    env = dict(os.environ)
    env["BASELINE_COMMAND_TIMEOUT"] = "1"
    rc, doc, err = assess_json("--host", "-b", PCMD, "--all", "--allow-commands", env=env, timeout=20)
    eq(statuses(doc, "sca_cmd-"), {"1": "pass", "2": "pass", "3": "pass", "4": "fail",
                                   "5": "not_applicable", "6": "error", "7": "pass"})
    m = messages(doc, "sca_cmd-")
    eq(m["6"], "sleep 30: timed out after 1 s (process group killed)")
    eq(m["5"], "not applicable: /nonexistent/program: cannot run: no such file or directory")
    r = {x["control"]: x for x in doc["results"]}["sca_cmd-4"]
    eq(r["evidence"][0]["path"], 'command["echo root"].lines[0]')


@test
def sca_malformed_policy_lint():
    rel = os.path.relpath(BAD, ROOT)
    rc, out, err = run("lint", rel)
    eq(rc, 2, err)
    lines = [l for l in err.splitlines() if l.startswith(rel)]
    want = [
        f"{rel}:5:3: policy: unknown key \"colour\"",
        f"{rel}:11:9: rule \"x:/etc/passwd\": expected [not ]f:, d:, p:, c: or r: followed by a target",
        f"{rel}:14:16: check 2: condition \"most\" must be all, any or none",
        f"{rel}:17:9: check id 1 is a duplicate (first at line 7)",
        f"{rel}:21:9: rule \"f:/etc/passwd -> r:root\\\": OS_Regex: lone backslash at the end (offset 4)",
        f"{rel}:26:9: rule \"f:/etc/login.defs -> n:^UMASK\\s+(\\d+)\": n: needs \"REGEX compare OP NUMBER\"",
        f"{rel}:27:5: check 5: title (4.x) or name (5.x) is required",
        f"{rel}:29:12: check 5: rules must be a non-empty list of strings",
        f"{rel}:34:9: rule \"f:etc/passwd\": \"etc/passwd\" is not an absolute path",
        f"{rel}:35:9: rule \"f:/etc/passwd -> n:^UMASK\\s+\\d+ compare > 1\": n: regex needs a group (...) capturing the number",
        f"{rel}: 10 problems",
    ]
    eq(lines, want, "lint output")
    rc, out, err = run("import", "wazuh-sca", BAD)
    eq(rc, 2, err)
    eq(out, "")
    rc, out, err = run("assess", "--host", "-b", BAD)
    eq(rc, 2, err)


@test
def sca_import_refuses_other_documents():
    rc, out, err = run("import", "wazuh-sca", f"{FIX}/e2e/baseline.yaml")
    eq(rc, 2, err)
    assert "not a Wazuh SCA policy" in err, err
    rc, out, err = run("import", "wazuh-sca")
    eq(rc, 2, err)
