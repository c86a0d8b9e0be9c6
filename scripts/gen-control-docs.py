#!/usr/bin/env python3
"""gen-control-docs.py - the list of a baseline's controls as Markdown, generated
from the baseline itself so the list is never written twice.

    scripts/gen-control-docs.py [BASELINE] [-o OUT.md]

BASELINE defaults to content/baselines/linux-host.yaml and OUT to stdout; `make
docs` writes docs/linux-host-controls.md, docs/azure-mcsb-controls.md and
docs/kubernetes-controls.md with it.  Any baseline file works (YAML or JSON).
Host baselines (controls scoped to linux.host) get the live-only "running"
column; other baselines get a "resource types" column instead, unless every
control has the same types (then they are listed once above the tables).  YAML needs PyYAML (python3-yaml); without it the script asks
the built binary (`baseline list controls FILE -f json`, BASELINE_BIN or
./baseline), which gives everything but tiers, categories and the live-only
flag.  Exit status: 0 written, 1 the baseline could not be read, 2 bad usage.
"""
import argparse
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Namespaces (and fields) FORMATS.md §3 calls live-only: a control that reads
# them is not_applicable under --root.
LIVE = re.compile(r'^(sysctl\[|mounts\[|listening\b|processes\b|kernel\b)|^modules\[.*\]\.loaded$|^services\[.*\]\.active$', re.I)

# Display order and names of the frameworks the shipped content maps to;
# other frameworks follow in the order they first appear.
FRAMEWORKS = [("nist-800-53-r5", "NIST SP 800-53 r5"), ("mcsb-v1", "MCSB v1"), ("cis-v8", "CIS Controls v8")]


def load(path):
    """The baseline as a dict, or raise SystemExit(1) with a message."""
    try:
        text = open(path, encoding="utf-8").read()
    except OSError as e:
        sys.exit("gen-control-docs: %s: %s" % (path, e.strerror))
    if path.endswith(".json"):
        try:
            return json.loads(text)
        except ValueError as e:
            sys.exit("gen-control-docs: %s: %s" % (path, e))
    try:
        import yaml
    except ImportError:
        return from_binary(path)
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        sys.exit("gen-control-docs: %s: %s" % (path, e))
    if not isinstance(doc, dict) or not isinstance(doc.get("controls"), list):
        sys.exit("gen-control-docs: %s: not a baseline (no controls list)" % path)
    return doc


def from_binary(path):
    exe = os.environ.get("BASELINE_BIN", os.path.join(ROOT, "baseline"))
    try:
        out = subprocess.run([exe, "list", "controls", path, "-f", "json"], capture_output=True, check=True).stdout
        controls = json.loads(out)
    except (OSError, subprocess.CalledProcessError, ValueError) as e:
        sys.exit("gen-control-docs: %s: PyYAML is not installed and %s could not list the controls (%s)" % (path, exe, e))
    base = os.path.splitext(os.path.basename(path))[0]
    for c in controls:
        c.setdefault("scope", {"types": c.get("types", [])})
    return {"baseline": base, "version": "", "title": "", "controls": controls, "_partial": True}


def fields(cond, out):
    """Every field path a condition reads (leaves and counts, recursively)."""
    if isinstance(cond, dict):
        for k, v in cond.items():
            if k.lower() == "field" and isinstance(v, str):
                out.append(v)
            else:
                fields(v, out)
    elif isinstance(cond, list):
        for x in cond:
            fields(x, out)
    return out


def is_live(c):
    paths = fields(c.get("expect") or c.get("violation") or {}, [])
    return any(LIVE.search(p) for p in paths)


def cell(s):
    return str(s).replace("|", "\\|").replace("\n", " ")


def types_of(c):
    return [str(t) for t in ((c.get("scope") or {}).get("types") or [])]


def is_host(controls):
    return any("linux.host" in types_of(c) for c in controls)


# Headings for the areas of the shipped cloud baselines (ids AZ-<AREA>-NN,
# K8S-<AREA>-NN); other areas are shown by their code alone.
AREA_NAMES = {"ST": "Storage accounts", "KV": "Key Vault", "SQL": "Azure SQL", "COS": "Cosmos DB",
              "APP": "App Service", "FN": "Function Apps", "AKS": "AKS", "VM": "Virtual machines",
              "DSK": "Managed disks", "NSG": "Network security groups and flow logs",
              "PIP": "Public IP addresses", "NET": "Virtual networks and interfaces",
              "WAF": "Application Gateway and Front Door", "ACR": "Container Registry",
              "LOG": "Log Analytics, diagnostic settings, Application Insights",
              "DEF": "Microsoft Defender for Cloud", "PS": "Pod Security Standards (restricted)",
              "HD": "Hardening"}


def area_of(cid):
    parts = cid.split("-")
    return parts[1] if len(parts) >= 3 else (parts[0] if parts else cid)


def anchor(a):
    """GitHub's heading anchor for "## CODE — Name"."""
    t = ("%s — %s" % (a, AREA_NAMES[a])).lower()
    t = re.sub(r"[^\w\- ]", "", t)
    return t.replace(" ", "-")


def render(doc, src):
    controls = doc["controls"]
    fws = [f for f, _ in FRAMEWORKS]
    for c in controls:
        for f in (c.get("maps") or {}):
            if f not in fws:
                fws.append(f)
    names = dict(FRAMEWORKS)
    partial = doc.get("_partial", False)
    host = is_host(controls)
    alltypes = {tuple(types_of(c)) for c in controls}
    same_types = list(alltypes)[0] if len(alltypes) == 1 else None
    out = []
    title = doc.get("title") or doc.get("baseline")
    out.append("# Controls of %s" % (("`%s`" % doc["baseline"]) if doc.get("baseline") else title))
    out.append("")
    out.append("<!-- Generated by scripts/gen-control-docs.py from %s; do not edit by hand (make docs). -->" % src)
    out.append("")
    if doc.get("title"):
        out.append("%s, version %s: %d controls." % (doc["title"], doc.get("version", "?"), len(controls)))
        out.append("")
    sev = {}
    live = 0
    tier1 = 0
    for c in controls:
        s = str(c.get("severity", "")).lower()
        sev[s] = sev.get(s, 0) + 1
        if not partial and is_live(c):
            live += 1
        if (c.get("scope") or {}).get("tiers") == [1]:
            tier1 += 1
    order = ["critical", "high", "medium", "low", "info"]
    out.append("By severity: " + ", ".join("%s %d" % (s, sev[s]) for s in order if s in sev) + ".")
    if not partial and host:
        out.append("")
        out.append("%d controls apply to tier 1 only (the most critical assets); %d read live-only "
                   "facts (\"running\" below) and are `not_applicable` with `--root`." % (tier1, live))
    elif not partial:
        out.append("")
        out.append("%d controls apply to tier 1 only (the most critical assets)." % tier1 if tier1 else
                   "Every control applies to every tier.")
    if same_types and not host:
        out.append("")
        out.append("Every control applies to the resource types " + ", ".join("`%s`" % t for t in same_types) + ".")
    out.append("")
    if host:
        out.append("Columns: *tiers* is the control's `scope.tiers` (all: every tier); *running* marks a "
                   "control that reads live-only facts.")
    elif same_types and not host:
        out.append("Columns: *tiers* is the control's `scope.tiers` (all: every tier).")
    else:
        out.append("Columns: *tiers* is the control's `scope.tiers` (all: every tier); *resource types* "
                   "is its `scope.types`.")
    out.append("")

    areas = []
    by_area = {}
    for c in controls:
        a = area_of(str(c.get("id", "")))
        if a not in by_area:
            by_area[a] = []
            areas.append(a)
        by_area[a].append(c)
    if len(areas) > 1:
        named = not host and all(a in AREA_NAMES for a in areas)
        out.append("| area | what | controls |" if named else "| area | controls |")
        out.append("|---|---|---|" if named else "|---|---|")
        for a in areas:
            if a in AREA_NAMES and not host:
                out.append("| [%s](#%s) | %s | %d |" % (a, anchor(a), AREA_NAMES[a], len(by_area[a])))
            else:
                out.append("| [%s](#%s) | %d |" % (a, a.lower(), len(by_area[a])))
        out.append("")

    extra = "running" if host else (None if same_types else "resource types")
    same_types = same_types if not host else None
    head = ["id", "title", "severity"] + ([] if partial else ["category", "tiers"] + ([extra] if extra else [])) + \
        [names.get(f, f) for f in fws]
    for a in areas:
        if len(areas) > 1:
            out.append("## %s" % (("%s — %s" % (a, AREA_NAMES[a])) if a in AREA_NAMES and not host else a))
            out.append("")
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "---|" * len(head))
        for c in by_area[a]:
            row = [cell(c.get("id", "")), cell(c.get("title", "")), cell(str(c.get("severity", "")).lower())]
            if not partial:
                tiers = (c.get("scope") or {}).get("tiers")
                row += [cell(c.get("category", "") or ""), ", ".join(str(t) for t in tiers) if tiers else "all"]
                if host:
                    row.append("yes" if is_live(c) else "")
                elif extra:
                    row.append(cell(", ".join("`%s`" % t for t in types_of(c))))
            maps = c.get("maps") or {}
            for f in fws:
                row.append(cell(", ".join(str(x) for x in maps.get(f, []))))
            out.append("| " + " | ".join(row) + " |")
        out.append("")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description="Generate the Markdown list of a baseline's controls.")
    ap.add_argument("baseline", nargs="?", default=os.path.join(ROOT, "content", "baselines", "linux-host.yaml"))
    ap.add_argument("-o", "--output", help="write here instead of stdout")
    a = ap.parse_args()
    doc = load(a.baseline)
    src = os.path.relpath(a.baseline, ROOT) if os.path.abspath(a.baseline).startswith(ROOT) else a.baseline
    text = render(doc, src) + "\n"
    if a.output:
        tmp = a.output + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, a.output)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
