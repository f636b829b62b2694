#!/usr/bin/env bash
# The interactive shell through a real pseudo-terminal (tests/shell/interactive.py), as the
# test user, with the private syslog. Needs root. Usage: interactive_test.sh STSH SOURCE_ROOT
set -u
stsh=$1
root=$2
. "$root/tests/shell/common.sh"

install -m 644 "$root/tests/shell/idle.yaml" "$work/idle.yaml"
log_mark
output=$(python3 "$root/tests/shell/interactive.py" "$work/stsh" "$policy" "$user" "$home" \
  "$log_socket" "$work/idle.yaml" 2>&1)
echo "$output"
passes=$((passes + $(grep -c '^ok:' <<<"$output")))
failures=$((failures + $(grep -c '^FAIL:' <<<"$output")))
# A crash of the driver is a failure even if it printed no FAIL line.
grep -q '^ok: idle: the shell exits' <<<"$output" || fail "the pty driver ran to the end"
check "history file written through the policy" grep -q 'remembered-line-42' "$home/.stsh_history"
logged "violation user=$user .*syscall=execve path=/usr/bin/bash argv=bash rule=default" \
  "the denied bash at the prompt"
logged "session user=$user .*event=idle-timeout" "the idle timeout"
summary
