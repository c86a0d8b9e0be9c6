#!/usr/bin/env python3
"""netlog.py NETLOG SITE - print every URL the page at SITE requested, as seen
in a Chromium net log (--log-net-log), one per line, de-duplicated.

Chromium itself makes requests a page never asked for (update checks, time
sync, account lookups) even with --disable-background-networking; those are
not the page's.  A request is the page's when its URL_REQUEST_START_JOB
carries a network isolation key whose top-frame site is SITE (for example
"http://127.0.0.1"): every frame, subresource, prefetch or beacon of the
page has that key, wherever it goes; browser requests have "null null" or
another site.  (check.sh also maps every host name but 127.0.0.1 to
NOTFOUND, so browser requests never leave the machine either.)

A net log of a browser that did not shut down cleanly may lack its closing
brackets; the events that were written are still read."""
import json
import sys


def load(path):
    text = open(path, encoding="utf-8", errors="replace").read().rstrip().rstrip(",")
    for tail in ("", "]}", "\n]}"):
        try:
            return json.loads(text + tail)
        except json.JSONDecodeError:
            continue
    raise SystemExit(f"netlog.py: cannot parse {path}")


def main():
    log, site = load(sys.argv[1]), sys.argv[2]
    types = log.get("constants", {}).get("logEventTypes", {})
    start = types.get("URL_REQUEST_START_JOB")
    if start is None:
        raise SystemExit("netlog.py: no URL_REQUEST_START_JOB event type in the log")
    seen = []
    for ev in log.get("events", []):
        if ev.get("type") != start:
            continue
        p = ev.get("params") or {}
        nik = str(p.get("network_isolation_key", ""))
        if nik.split(" ")[0] == site and p.get("url") not in seen:
            seen.append(p.get("url"))
    for u in seen:
        print(u)


main()
