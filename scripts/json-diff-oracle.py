#!/usr/bin/env python3
"""Differential test of Baseline's JSON reader against python3's json module.

    scripts/json-diff-oracle.py DUMP_TOOL PATH...

DUMP_TOOL is fuzz/fuzz_diffjson.c built with -DBL_DIFFJSON_MAIN (scripts/fuzz.sh
builds it as build-fuzz/diffjson-dump).  Every file under the PATHs (files or
folders: a fuzz corpus) goes through both readers; they must take the same
accept/reject decision and, on accept, produce the same canonical form (see
fuzz_diffjson.c: values only, numbers compared as doubles).  Prints one line
per disagreement and a summary; exit 0 when none, 1 otherwise, 2 on usage.

python's json is lenient by default, so it is configured to the RFC 8259
reading our reader implements (FORMATS.md §6, doc/json.h):
  - NaN, Infinity, -Infinity are rejected (parse_constant raises);
  - duplicate keys are rejected (object_pairs_hook raises on an exact repeat);
  - lone surrogates (\\ud800 without its pair) are rejected;
  - a number outside the range of a double (1e999, a 400-digit integer) is
    rejected (parse_float/parse_int check it), as FORMATS.md §6 requires;
  - the input must be valid UTF-8 (decoded strictly: overlongs, surrogates
    in UTF-8 and > U+10FFFF are errors), with no BOM.

Known, intended differences (counted, not failures):
  - depth: we reject nesting deeper than 512 (BL_ELIMIT, "limit"); python
    goes on to its recursion limit.  An input python accepts that is deeper
    than 512 and that we reject as "limit" is a match.
  - underflow: "1e-400" is 0 for python; we read it as 0 too (strtod's
    nearest double) - no difference, listed because other readers reject it.
  - python's int() refuses integers of more than 4300 digits; such a number
    is always outside the range of a double, which we reject too.
"""
import json
import math
import os
import subprocess
import sys

MAX_DEPTH = 512


class Reject(Exception):
    pass


def no_constants(name):
    raise Reject(f"constant {name}")


def pairs(items):
    seen = set()
    for k, _ in items:
        if k in seen:
            raise Reject(f"duplicate key {k!r}")
        seen.add(k)
    return items  # keep order and every pair for the canonical form


def parse_float(text):
    d = float(text)
    if math.isinf(d):
        raise Reject("number out of range")
    return d


def parse_int(text):
    try:
        d = float(int(text))
    except (ValueError, OverflowError):
        raise Reject("number out of range")
    return d


def lone_surrogate(s):
    return any(0xD800 <= ord(c) <= 0xDFFF for c in s)


def canon(v, depth=1):
    """Canonical text of a python value, as fuzz_diffjson.c writes ours.
    Returns (text, max depth)."""
    if v is None:
        return "n", depth
    if v is True:
        return "t", depth
    if v is False:
        return "f", depth
    if isinstance(v, float):
        d = 0.0 if v == 0 else v
        return "d" + format(d, ".17g"), depth
    if isinstance(v, str):
        if lone_surrogate(v):
            raise Reject("lone surrogate")
        return "s" + v.encode("utf-8").hex(), depth
    if isinstance(v, list) and not isinstance(v, Pairs):
        parts, deepest = [], depth
        for x in v:
            t, dd = canon(x, depth + 1)
            parts.append(t + ",")
            deepest = max(deepest, dd)
        return "[" + "".join(parts) + "]", deepest
    if isinstance(v, Pairs):
        parts, deepest = [], depth
        for k, x in v:
            if lone_surrogate(k):
                raise Reject("lone surrogate in key")
            t, dd = canon(x, depth + 1)
            parts.append(k.encode("utf-8").hex() + ":" + t + ",")
            deepest = max(deepest, dd)
        return "{" + "".join(parts) + "}", deepest
    raise TypeError(type(v))


class Pairs(list):
    """An object's members (a list of pairs), told apart from an array."""


def pairs_hook(items):
    return Pairs(pairs(items))


def python_reading(data):
    """('OK', canonical, depth) or ('ERR', reason, 0)."""
    try:
        text = data.decode("utf-8", errors="strict")
        if text.startswith("\ufeff"):
            raise Reject("BOM")
        v = json.loads(text, parse_constant=no_constants, object_pairs_hook=pairs_hook,
                       parse_float=parse_float, parse_int=parse_int)
        c, depth = canon(v)
        return "OK", c, depth
    except (Reject, ValueError, UnicodeDecodeError) as e:
        return "ERR", str(e)[:80], 0
    except RecursionError:
        return "ERR", "recursion", MAX_DEPTH + 1


def files_under(paths):
    for p in paths:
        if os.path.isdir(p):
            for d, _, names in os.walk(p):
                for n in sorted(names):
                    yield os.path.join(d, n)
        else:
            yield p


def ours(tool, files):
    out = {}
    for i in range(0, len(files), 200):
        batch = files[i:i + 200]
        p = subprocess.run([tool, *batch], capture_output=True, timeout=600)
        if p.returncode not in (0, 2):
            sys.exit(f"json-diff-oracle: {tool} failed ({p.returncode}): "
                     f"{p.stderr.decode(errors='replace')[-2000:]}")
        for line in p.stdout.decode("utf-8", "replace").splitlines():
            parts = line.split("\t")
            out[parts[0]] = parts[1:]
    return out


def main(argv):
    if len(argv) < 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    sys.setrecursionlimit(20000)
    tool, paths = argv[1], argv[2:]
    files = [f for f in files_under(paths) if os.path.isfile(f)]
    got = ours(tool, files)
    agree = intended = bad = 0
    for f in files:
        with open(f, "rb") as fh:
            data = fh.read()
        py = python_reading(data)
        us = got.get(f)
        if us is None:
            print(f"DIFF {f}: no answer from {tool}")
            bad += 1
            continue
        if us[0] == "OK" and py[0] == "OK" and us[1] == py[1]:
            agree += 1
        elif us[0] == "ERR" and py[0] == "ERR":
            agree += 1
        elif us[0] == "ERR" and us[1] == "limit" and py[0] == "OK" and py[2] > MAX_DEPTH:
            intended += 1
        elif us[0] == "ERR" and us[1] == "limit" and py[1] == "recursion":
            intended += 1
        else:
            bad += 1
            mine = us[1] if us[0] == "OK" else " ".join(us[1:])
            print(f"DIFF {f}: ours {us[0]} {mine[:160]!s} | python {py[0]} {str(py[1])[:160]}")
    print(f"json-diff-oracle: {len(files)} inputs, {agree} agree, "
          f"{intended} intended differences (depth), {bad} disagreements")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
