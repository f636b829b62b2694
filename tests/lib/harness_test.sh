#!/usr/bin/env bash
# The harness's own checks (tests/lib/harness.sh): the run's /dev/log is its private
# rsyslogd's while the machine's stays as it was; a log assertion sees only records written
# after its mark; not_logged sees a record sent just before it; a killed run's journal is run
# by the next run. Needs root. Usage: harness_test.sh SOURCE_ROOT
set -u
root=$1
# The machine's /dev/log as PID 1 sees it (its mount namespace is the machine's): what it is,
# before this run enters its own namespace.
host_dev_log() { stat -c '%F %i %Y' /proc/1/root/dev/log 2>/dev/null || echo absent; }
host_before=${HARNESS_HOST_DEV_LOG:-$(host_dev_log)}
export HARNESS_HOST_DEV_LOG=$host_before
# shellcheck source=tests/lib/harness.sh
. "$root/tests/lib/harness.sh"
harness_init harness-test "$@"
start_private_log

# /dev/log here is the private rsyslogd's socket; the machine's is untouched.
check "/dev/log in the run's namespace is the private rsyslogd's socket" \
  test "$(stat -L -c %i /dev/log)" = "$(stat -c %i "$log_socket")"
check "/dev is the run's overlay" test "$(stat -f -c %T /dev)" = overlayfs
check "the machine's /dev/log is as it was ($host_before)" test "$(host_dev_log)" = "$host_before"
check "a pseudo-terminal can be opened in the run's /dev" \
  python3 -c 'import os; m, s = os.openpty(); os.ttyname(s)'

# A record written through /dev/log (as syslog(3) writes) reaches the log file.
log_mark
logger -t stsh-harness-test -p local5.info "first record $$"
logged "stsh-harness-test: first record $$" "a record sent through /dev/log"

# After a mark, an earlier record no longer satisfies a check.
log_mark
if (logged "first record $$" >/dev/null); then
  fail "a record written before the mark satisfied logged"
else
  pass "a record written before the mark does not satisfy logged"
fi
not_logged "first record $$" "not_logged ignores records written before the mark"

# A record sent just before not_logged is seen by it (the sync token comes after it).
logger -t stsh-harness-test -p local5.info "second record $$"
if (not_logged "second record $$" >/dev/null); then
  fail "not_logged missed a record sent just before it"
else
  pass "not_logged sees a record sent just before it"
fi

# A run killed outright: its work directory holds its journal and a dead owner. The next run
# undoes it and removes the directory.
stale=$(mktemp -d /tmp/stsh-harness-stale.XXXXXX)
touch "$work/made-by-the-stale-run"
printf 'rm -f %q\n' "$work/made-by-the-stale-run" >"$stale/undo"
sleep 0 &
dead=$!
wait "$dead"
echo "$dead 1" >"$stale/harness-owner"
harness_recover_stale >/dev/null
check "a killed run's journal is undone by the next run" test ! -e "$work/made-by-the-stale-run"
check "a killed run's work directory is removed" test ! -e "$stale"

summary
