#!/usr/bin/env bash
# Installs what is missing, builds, runs every test, and ends with "N passed, N failed"
# counting the test cases that ran (each Catch2 test case counts; other tests count once).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }

meson test -C build --print-errorlogs
status=$?
python3 scripts/count_results.py build/meson-logs/testlog.json || status=1
exit $status
