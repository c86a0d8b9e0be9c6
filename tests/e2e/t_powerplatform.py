"""End-to-end tests of the Power Platform readers and builtin:power-platform:
an admin API export folder (compliant and weak tenants) and ScubaGear
provider exports (compliant, weak, a failed command, a partial export, the
"null" tenant isolation policy): the exact status of every (control, asset),
messages, framework roll-up onto cisa-scuba-pp, exit codes."""
import json
import os
import tempfile

from e2elib import FIX, ROOT, run, assess_json, eq, test

PP = os.path.join(FIX, "powerplatform")
SG = os.path.join(PP, "scubagear")
INV = os.path.join(PP, "inventory.yaml")
TID = "7f0c1d2e-3b4a-4c5d-8e9f-a0b1c2d3e4f5"
DEF = "Default-" + TID
PROD = "0d3b6a51-9c2e-4f17-a6b8-2e5f7c9d1a40"
SBX = "5e8f2c1b-7a4d-4b9e-93c6-1f0a2d4e6b8c"
TEN = [f"PP-TEN-{i:02d}" for i in range(1, 13)]
ENV = [f"PP-ENV-{i:02d}" for i in range(1, 12)]
PROD_ONLY = ENV[:9]          # applies: properties.environmentSku == Production
APPLIES = "not applicable: the applies condition does not hold"
TIER = "out of scope: tier 3 is not in the control's tiers"


def statuses(doc):
    return {(r["control"], r["asset"].rsplit("/", 1)[-1]): (r["status"], r["message"]) for r in doc["results"]}


def check(doc, want):
    """want: {(control, asset): status or (status, message)}; every result
    must be listed and every listed pair present."""
    got = statuses(doc)
    eq(sorted(got), sorted(want), "the (control, asset) pairs")
    for k, w in want.items():
        st, msg = got[k]
        if isinstance(w, tuple):
            eq((st, msg), w, f"{k}")
        else:
            eq(st, w, f"{k} ({msg})")


def folder_env_na(want, env, tier3=True):
    """Non-production environments: the production controls do not apply."""
    for c in PROD_ONLY:
        want[(c, env)] = ("not_applicable", APPLIES)
    if tier3:
        want[("PP-ENV-10", env)] = ("not_applicable", TIER)


@test
def pp_folder_compliant():
    rc, doc, err = assess_json("-b", "builtin:power-platform", "-s", os.path.join(PP, "compliant"),
                               "-i", INV, "--all", "--no-store")
    eq(rc, 0, f"exit ({err})")
    want = {(c, TID): "pass" for c in TEN}
    want.update({(c, PROD): "pass" for c in ENV})
    folder_env_na(want, DEF)
    want[("PP-ENV-11", DEF)] = ("not_applicable", APPLIES)
    folder_env_na(want, SBX)
    want[("PP-ENV-11", SBX)] = "pass"
    want[("PP-DLP-01", "9a1f3c5e-2b4d-4e6f-8a0c-1e3f5a7c9b2d")] = "pass"
    check(doc, want)
    s = doc["summary"]
    eq((s["assets"], s["pass"], s["fail"], s["error"], s["not_applicable"]), (5, 25, 0, 0, 21), "summary")
    types = sorted({r["asset_type"] for r in doc["results"]})
    eq(types, ["PowerPlatform/dlpPolicy", "PowerPlatform/environment", "PowerPlatform/tenant"], "types")
    rc, _, _ = run("assess", "-b", "builtin:power-platform", "-s", os.path.join(PP, "compliant"),
                   "-i", INV, "--fail-on", "low", "--no-store")
    eq(rc, 0, "--fail-on low exit")


@test
def pp_folder_weak():
    rc, doc, err = assess_json("-b", "builtin:power-platform", "-s", os.path.join(PP, "weak"),
                               "-i", INV, "--all", "--no-store")
    eq(rc, 0, f"exit without --fail-on ({err})")
    want = {(c, TID): "fail" for c in TEN}
    want[("PP-TEN-09", TID)] = "pass"      # a policy lists the default environment
    want.update({(c, PROD): "fail" for c in ENV})
    want[("PP-ENV-11", PROD)] = "pass"     # "Production only" covers it
    folder_env_na(want, DEF)
    want[("PP-ENV-11", DEF)] = ("not_applicable", APPLIES)
    folder_env_na(want, SBX)
    want[("PP-ENV-11", SBX)] = ("fail", "dlp.covered is false; expected equals true")
    want[("PP-DLP-01", "3c5e7a9b-1d2f-4a6c-8e0b-2d4f6a8c0e1a")] = \
        ("fail", 'defaultConnectorsClassification is "General"; expected equals "Blocked"')
    want[("PP-DLP-01", "6e8a0c2e-4f6b-4d8a-9c1e-3f5b7d9f1a3c")] = "pass"
    want[("PP-TEN-07", TID)] = ("fail", "tenantIsolation.isDisabled is true; expected equals false")
    want[("PP-ENV-01", PROD)] = ("fail", 'properties.governanceConfiguration.protectionLevel is "Basic"; expected equals "Standard"')
    want[("PP-ENV-04", PROD)] = ("fail", "organization.enableipbasedfirewallrule is false; expected equals true")
    check(doc, want)
    tw = [r for r in doc["results"] if r["control"] == "PP-TEN-12"][0]
    eq(tw["evidence"][0]["actual"], "/providers/Microsoft.PowerApps/apis/shared_dropbox", "first unapproved connector")
    rc, _, _ = run("assess", "-b", "builtin:power-platform", "-s", os.path.join(PP, "weak"),
                   "-i", INV, "--fail-on", "high", "--no-store")
    eq(rc, 1, "--fail-on high exit")


SG_ENV_NA = "not applicable: the export lists the environment without its properties (ScubaGear exports only names)"


def scuba_want(tenant, env11, dlp01=None):
    want = {(c, TID): s for c, s in zip(TEN, tenant)}
    for e in (DEF, PROD, SBX):
        for c in ENV[:9]:
            want[(c, e)] = ("not_applicable", SG_ENV_NA)
        want[("PP-ENV-10", e)] = ("not_applicable", SG_ENV_NA)
    want[("PP-ENV-11", DEF)] = ("not_applicable", APPLIES)
    want[("PP-ENV-11", PROD)] = env11[0]
    want[("PP-ENV-11", SBX)] = env11[1]
    if dlp01:
        want[("PP-DLP-01", dlp01)] = ("not_applicable", "not applicable: the export does not include the policy's "
                                      "default connector group (ScubaGear's DLP export omits it)")
    return want


@test
def pp_scubagear_compliant():
    rc, doc, err = assess_json("-b", "builtin:power-platform", "-s", os.path.join(SG, "compliant.json"),
                               "--all", "--no-store")
    eq(rc, 0, f"exit ({err})")
    check(doc, scuba_want(["pass"] * 12, ["pass", "pass"], "9a1f3c5e-2b4d-4e6f-8a0c-1e3f5a7c9b2d"))
    fw = {f["id"]: f for f in doc["frameworks"]}
    scuba = {c["id"].lower(): c["status"] for c in fw["cisa-scuba-pp"]["controls"]}
    eq(scuba["ms.powerplatform.2.1v1"], "pass", "2.1")
    eq(scuba["ms.powerplatform.6.1v1"], "pass", "6.1")
    eq(scuba["ms.powerplatform.4.1v1"], "not_applicable", "4.1 needs Dataverse settings ScubaGear lacks")


@test
def pp_scubagear_weak():
    rc, doc, err = assess_json("-b", "builtin:power-platform", "-s", os.path.join(SG, "weak.json"),
                               "--all", "--no-store", "--fail-on", "critical")
    eq(rc, 1, f"--fail-on critical exit ({err})")
    ten = ["fail"] * 7 + ["pass", "fail", "fail", "fail"]
    ten.append(("not_applicable", "not applicable: no DLP policy covers the default environment, so it has no connector groups"))
    check(doc, scuba_want(ten, ["pass", ("fail", "dlp.covered is false; expected equals true")],
                          "6e8a0c2e-4f6b-4d8a-9c1e-3f5b7d9f1a3c"))
    scuba = {c["id"].lower(): c["status"] for c in
             [f for f in doc["frameworks"] if f["id"] == "cisa-scuba-pp"][0]["controls"]}
    for pid in ("1.1", "1.2", "2.1", "2.2", "3.1", "5.1", "6.1"):
        eq(scuba[f"ms.powerplatform.{pid}v1"], "fail", pid)


@test
def pp_scubagear_failed_command_is_error():
    rc, doc, err = assess_json("-b", "builtin:power-platform", "-s", os.path.join(SG, "failed-dlp.json"),
                               "--all", "--no-store")
    eq(rc, 0, f"exit ({err})")
    why = "ScubaGear could not export the DLP policies: dlp_policies is an empty array (Get-DlpPolicy failed)"
    ten = ["pass"] * 8 + [("error", why)] * 4
    check(doc, scuba_want(ten, [("error", why), ("error", why)]))
    eq(doc["summary"]["error"], 6, "errors")
    scuba = {c["id"].lower(): c["status"] for c in
             [f for f in doc["frameworks"] if f["id"] == "cisa-scuba-pp"][0]["controls"]}
    for pid in ("2.1", "2.2", "2.3"):
        eq(scuba[f"ms.powerplatform.{pid}v1"], "error", pid)
    eq(scuba["ms.powerplatform.3.1v1"], "pass", "3.1")


@test
def pp_scubagear_partial_is_not_applicable():
    rc, doc, err = assess_json("-b", "builtin:power-platform", "-s", os.path.join(SG, "partial.json"),
                               "--all", "--no-store")
    eq(rc, 0, f"exit ({err})")
    iso = ("not_applicable", "not applicable: not in this ScubaGear export: it has no tenant_isolation key "
           "(a partial export without the tenant isolation policy)")
    dlp = ("not_applicable", "not applicable: not in this ScubaGear export: it has no dlp_policies key "
           "(a partial export without the DLP policies)")
    check(doc, scuba_want(["pass"] * 6 + [iso, iso] + [dlp] * 4, [dlp, dlp]))
    # the text report runs to completion too
    rc, out, err = run("assess", "-b", "builtin:power-platform", "-s", os.path.join(SG, "partial.json"), "--no-store")
    eq(rc, 0, f"text exit ({err})")
    assert "pass 6" in out, out


@test
def pp_scubagear_isolation_never_configured():
    rc, doc, err = assess_json("-b", "builtin:power-platform", "-s", os.path.join(SG, "isolation-null.json"),
                               "--all", "--no-store")
    eq(rc, 0, f"exit ({err})")
    got = statuses(doc)
    eq(got[("PP-TEN-07", TID)], ("fail", "tenantIsolation.isDisabled is true; expected equals false"), "PP-TEN-07")
    eq(got[("PP-TEN-08", TID)][0], "pass", "PP-TEN-08")


@test
def pp_scubagear_malformed_exits_2():
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "ProviderSettingsExport.json")
        with open(p, "w") as f:
            f.write('{"tenant_id": "t",\n  "dlp_policies": [{"value": [{"name": "p",\n    "environmentType": 7}]}]}\n')
        rc, out, err = run("assess", "-b", "builtin:power-platform", "-s", p, "--no-store")
        eq(rc, 2, "exit")
        assert f"{p}:3:24: DLP policy p: environmentType must be a string" in err, err


@test
def pp_folder_unjoinable_dataverse_exits_2():
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "organizations.json"), "w") as f:
            f.write('{"value": [{"organizationid": "o1", "isauditenabled": true}]}\n')
        with open(os.path.join(d, "envs.json"), "w") as f:
            f.write('{"value": [{"name": "e1", "properties": {"environmentSku": "Production"}}]}\n')
        rc, out, err = run("assess", "-b", "builtin:power-platform", "-s", d, "--no-store")
        eq(rc, 2, "exit")
        assert os.path.join(d, "organizations.json") + ":1:1: Dataverse organization settings for an unknown environment" in err, err


SHARED = os.path.join(os.environ.get("BASELINE_SHARED_DATA", os.path.join(os.path.dirname(ROOT), "shared", "data")),
                      "power-platform")


@test
def pp_shared_samples():
    """The real admin API response shapes of ../shared (skipped without it)."""
    shared = os.path.normpath(SHARED)
    if not os.path.isdir(shared):
        print(f"skip pp_shared_samples: {shared} is absent")
        return
    import shutil
    env = "00000000-0000-0000-0000-000000000001"
    with tempfile.TemporaryDirectory() as d:
        for f in ("tf_managed_env_get_environment.json", "tf_dlp_v2_get_policies.json", "tf_dlp_v2_get_policy.json"):
            shutil.copy(os.path.join(shared, f), d)
        # the mock's Dataverse host is not the environment's: tie by file name
        shutil.copy(os.path.join(shared, "tf_dataverse_organizations.json"), os.path.join(d, f"organizations-{env}.json"))
        shutil.copy(os.path.join(shared, "tf_dataverse_retrievesettinglist.json"), os.path.join(d, f"settings-{env}.json"))
        rc, doc, err = assess_json("-b", "builtin:power-platform", "-s", d, "--all", "--no-store")
        eq(rc, 0, f"exit ({err})")
        got = statuses(doc)
        eq(doc["summary"]["assets"], 4, "tenant, environment, 2 policies")
        eq(got[("PP-TEN-09", "123")][0], "pass", "policy a1 covers every environment")
        eq(got[("PP-TEN-01", "123")], ("not_applicable", "not applicable: not exported: the folder has no tenant "
                                       "settings (listTenantSettings response)"), "no tenant settings")
        eq(got[("PP-TEN-12", "123")], ("not_applicable", "not applicable: DLP policy a2 was exported without "
                                       "connectorGroups (a list response): export each policy"), "list-only a2")
        eq(got[("PP-ENV-01", env)][0], "not_applicable", "a sandbox")
        eq(got[("PP-ENV-10", env)], ("fail", 'properties.protectionStatus.keyManagedBy is "Microsoft"; '
                                     'expected equals "Customer"'), "no tier: assessed")
    # unrenamed, the Dataverse file cannot be tied to the environment
    rc, _, err = run("assess", "-b", "builtin:power-platform", "-s", shared, "--no-store")
    eq(rc, 2, "exit")
    assert "tf_dataverse_organizations.json:1:1: Dataverse organization settings for an unknown environment" in err, err


@test
def pp_docs_are_current():
    import subprocess
    import sys
    try:
        import yaml  # noqa: F401 - the generator needs PyYAML
    except ImportError:
        print("  skipped pp_docs_are_current: no PyYAML")
        return
    p = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "gen-pp-docs.py"), "--check"],
                       capture_output=True, text=True, timeout=60)
    eq((p.returncode, p.stderr), (0, ""), "docs/power-platform.md is generated from content")
