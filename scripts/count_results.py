#!/usr/bin/env python3
"""Reads meson's testlog.json and prints 'N passed, N failed'.

A Catch2 binary counts its test cases (from its own summary line), a test script its checks
(its "script checks: N passed, M failed" line); any other test counts once. A test that crashed or timed out before Catch2 printed a summary counts as one failure.
Exits non-zero when anything failed or nothing ran."""
import json
import re
import sys

CATCH_ALL_PASSED = re.compile(r"All tests passed \(\d+ assertions? in (\d+) test cases?\)")
CATCH_SUMMARY = re.compile(r"test cases:\s+(\d+)\s+\|\s+(\d+) passed\s+\|\s+(\d+) failed")
SCRIPT_SUMMARY = re.compile(r"^script checks: (\d+) passed, (\d+) failed$", re.M)

passed = failed = 0
with open(sys.argv[1]) as log:
    for line in log:
        test = json.loads(line)
        out = test.get("stdout") or ""
        ok = test.get("result") == "OK"
        all_passed = CATCH_ALL_PASSED.search(out)
        summary = CATCH_SUMMARY.search(out)
        script = SCRIPT_SUMMARY.search(out)
        if script:
            # A script that died before its summary still fails below through `ok`.
            passed += int(script.group(1))
            failed += max(int(script.group(2)), 0 if ok else 1)
        elif all_passed and ok:
            passed += int(all_passed.group(1))
        elif summary:
            passed += int(summary.group(2))
            failed += max(int(summary.group(3)), 0 if ok else 1)
        elif ok:
            passed += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed")
sys.exit(0 if failed == 0 and passed > 0 else 1)
