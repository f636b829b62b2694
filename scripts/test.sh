#!/usr/bin/env bash
# Installs what is missing, builds, runs every test, and ends with "N passed, N failed"
# counting the test cases that ran (each Catch2 test case counts, each check of a test script
# counts; other tests count once). Needs root (the script tests make users and start their
# own rsyslogd and sshd in a private mount namespace; tests/lib/harness.sh).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
bash scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }

# A log left by an earlier run must not be counted if this one does not get to run.
rm -f build/meson-logs/testlog.json
meson test -C build --print-errorlogs
status=$?
if [[ ! -f build/meson-logs/testlog.json ]]; then
  echo "test: meson test ran no test (status $status)"
  echo "0 passed, 1 failed"
  exit 1
fi
python3 scripts/count_results.py build/meson-logs/testlog.json || status=1
exit $status
