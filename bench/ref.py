#!/usr/bin/env python3
"""bench/ref.py - the 10 controls of bench/baseline-10.yaml in plain python
(json module), the second reference for the bench's equality check.

    python3 bench/ref.py SNAPSHOT      (JSON lines, one array, or {"data": [...]})

Prints "asset_id<TAB>control_id" for every failing (asset, control) pair, with
the semantics of FORMATS.md section 2 as far as the generated inputs need them
(see bench/rules.jq).  Exit status 0, or 2 on unreadable input.
"""
import json
import sys

MISSING = object()


def get(obj, *keys):
    """Walk keys; MISSING when a step is absent or not an object."""
    for k in keys:
        if not isinstance(obj, dict) or k not in obj:
            return MISSING
        obj = obj[k]
    return obj


def lc(v):
    """The string form a comparison uses; None for absent/null/containers."""
    if isinstance(v, str):
        return v.lower()
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return json.dumps(v)
    return None


def eq(v, want):
    return lc(v) == want


def isin(v, wants):
    return lc(v) in wants


def num(v):
    if isinstance(v, bool):
        raise ValueError("boolean in an ordering comparison")
    if isinstance(v, (int, float)):
        return v
    return float(v)


def fails(r):
    t = r.get("type", "").lower()
    p = r.get("properties")
    if not isinstance(p, dict):
        p = {}
    if t == "microsoft.storage/storageaccounts":
        if not eq(p.get("supportsHttpsTrafficOnly"), "true"):
            yield "BENCH-01"
        if not isin(p.get("minimumTlsVersion"), ("tls1_2", "tls1_3")):
            yield "BENCH-02"
        if not (eq(get(p, "networkAcls", "defaultAction"), "deny")
                or eq(p.get("publicNetworkAccess"), "disabled")):
            yield "BENCH-03"
    elif t == "microsoft.network/networksecuritygroups":
        n = 0
        for rule in p.get("securityRules") or ():
            rp = rule.get("properties") if isinstance(rule, dict) else None
            if not isinstance(rp, dict):
                continue
            if (eq(rp.get("access"), "allow") and eq(rp.get("direction"), "inbound")
                    and isin(rp.get("sourceAddressPrefix"), ("*", "internet", "0.0.0.0/0"))
                    and isin(rp.get("destinationPortRange"), ("22", "3389", "*"))):
                n += 1
        if not n < 1:
            yield "BENCH-04"
    elif t == "microsoft.compute/virtualmachines":
        disks = get(p, "storageProfile", "dataDisks")
        if not isinstance(disks, list):
            disks = ()          # missing: [*] is vacuously true
        if not all(not eq(get(d, "managedDisk", "storageAccountType"), "standard_lrs")
                   for d in disks):
            yield "BENCH-05"
        if (eq(get(p, "storageProfile", "osDisk", "osType"), "linux")
                and not eq(get(p, "osProfile", "linuxConfiguration",
                               "disablePasswordAuthentication"), "true")):
            yield "BENCH-06"
    elif t == "microsoft.keyvault/vaults":
        if not (not eq(p.get("enableSoftDelete"), "false")
                and "enablePurgeProtection" in p
                and eq(p.get("enablePurgeProtection"), "true")):
            yield "BENCH-07"
    elif t == "microsoft.sql/servers":
        if not (num(p.get("minimalTlsVersion")) >= 1.2
                and not eq(p.get("publicNetworkAccess"), "enabled")):
            yield "BENCH-08"
    elif t == "microsoft.web/sites":
        sc = p.get("siteConfig")
        if not isinstance(sc, dict):
            sc = {}
        if (eq(p.get("httpsOnly"), "false") or eq(sc.get("ftpsState"), "allallowed")
                or num(sc.get("minTlsVersion")) < 1.2):
            yield "BENCH-09"
    tags = r.get("tags")
    cc = tags.get("costCenter") if isinstance(tags, dict) else None
    if not (isinstance(tags, dict) and "owner" in tags
            and isinstance(cc, str) and cc.lower().startswith("cc-")):
        yield "BENCH-10"


def resources(f):
    """Yield resources from JSON lines, one array, or a wrapper object."""
    first = f.readline()
    try:
        doc = json.loads(first) if first.strip() else None
        whole = False
    except json.JSONDecodeError:
        whole = True
    if whole or (first.lstrip().startswith("[")):
        doc = json.loads(first + f.read())
        if isinstance(doc, dict):
            doc = doc.get("data", doc.get("value", []))
        yield from doc
        return
    docs = [doc] if doc is not None else []
    for d in docs:
        if isinstance(d, dict) and isinstance(d.get("data"), list):
            yield from d["data"]
        elif d is not None:
            yield d
    for line in f:
        if line.strip():
            d = json.loads(line)
            if isinstance(d, dict) and "id" not in d and isinstance(d.get("data"), list):
                yield from d["data"]
            else:
                yield d


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: ref.py SNAPSHOT\n")
        return 2
    out = []
    write = sys.stdout.write
    try:
        with open(argv[1], encoding="utf-8") as f:
            for r in resources(f):
                rid = r.get("id", "")
                for c in fails(r):
                    out.append(f"{rid}\t{c}\n")
                if len(out) > 4096:
                    write("".join(out))
                    out.clear()
    except (OSError, ValueError) as e:
        sys.stderr.write(f"ref.py: {argv[1]}: {e}\n")
        return 2
    write("".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
