#!/usr/bin/env python3
"""End-to-end tests: run the real binary on fixture documents and check exact
results, exit codes and messages.  Every tests/e2e/t_*.py module registers
tests with @test (e2elib.py); this runner runs them all (or those named on the
command line) and prints 'N passed, N failed' at the end.

BASELINE_BIN names the binary (default ./baseline).  Stdlib only."""
import glob
import importlib
import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402

def main():
    for path in sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "t_*.py"))):
        importlib.import_module(os.path.basename(path)[:-3])
    if not os.path.exists(e2elib.BIN):
        print(f"e2e: {e2elib.BIN} not built")
        return 1
    passed = failed = 0
    only = sys.argv[1:]
    for t in e2elib.TESTS:
        if only and t.__name__ not in only:
            continue
        try:
            t()
            passed += 1
        except Exception as e:  # noqa: BLE001 - report every failure, keep going
            failed += 1
            print(f"FAIL {t.__name__}: {e}")
            if os.environ.get("E2E_TRACE"):
                traceback.print_exc()
    print(f"e2e: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
