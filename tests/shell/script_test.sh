#!/usr/bin/env bash
# The shell's grammar and builtins as script tests: each tests/shell/cases/NAME.sh runs as
# `stsh -c` for this run's test user (stsh-shelltest-PID, tests/shell/common.sh; expected texts
# say stsh-shelltest) under tests/shell/shell.yaml, and its standard
# output, standard error and status are compared with NAME.out, NAME.err and NAME.status
# (empty, empty and 0 when the file is absent). NAME.log lists records (extended regexes)
# that must reach syslog. Cases named posix_* are also run under dash, whose standard output
# and status must be stsh's. In expected text, {policy} stands for the policy file's path.
#
# Needs root: a private rsyslogd (tests/lib/harness.sh) and a test user made with useradd.
# Usage: script_test.sh STSH SOURCE_ROOT
set -u
stsh=$1
root=$2
. "$root/tests/shell/common.sh"

# The rules that guard ~/secret, as file:line:col, wherever they are in the policy.
rule_at() { echo "$policy:$(grep -n -- "$1" "$policy" | head -1 | cut -d: -f1):7"; }
secret_read=$(rule_at '- fsread: filename inpath')
secret_write=$(rule_at '- fswrite: filename inpath')
expand() {
  for_this_user <"$1" | sed -e "s|{policy}|$policy|g" -e "s|{home}|$home|g" -e "s|{work}|$work|g" \
    -e "s|{secret-read}|$secret_read|g" -e "s|{secret-write}|$secret_write|g"
}

for case_file in "$root"/tests/shell/cases/*.sh; do
  name=$(basename "$case_file" .sh)
  base=${case_file%.sh}
  actual_out=$work/$name.out
  actual_err=$work/$name.err
  log_mark
  (cd "$home" && in_private_log runuser -u "$user" -- env -i PATH=/usr/bin:/bin TERM=dumb POLICY="$policy" \
    "$work/stsh" --policy "$policy" -c "$(cat "$case_file")" </dev/null >"$actual_out" 2>"$actual_err")
  status=$?
  want_status=0
  [[ -f $base.status ]] && want_status=$(cat "$base.status")
  problems=()
  [[ $status -eq $want_status ]] || problems+=("status $status, wanted $want_status")
  if ! diff -u <( [[ -f $base.out ]] && expand "$base.out") "$actual_out" >"$work/diff" 2>&1; then
    problems+=("stdout differs: $(cat "$work/diff")")
  fi
  if [[ -f $base.err ]] || [[ $want_status -eq 0 ]]; then
    if ! diff -u <( [[ -f $base.err ]] && expand "$base.err") "$actual_err" >"$work/diff" 2>&1; then
      problems+=("stderr differs: $(cat "$work/diff")")
    fi
  fi
  # The POSIX cases (posix_*) involve no policy decision: dash, run the same way, must print
  # the same standard output and end with the same status.
  if [[ $name == posix_* ]]; then
    (cd "$home" && runuser -u "$user" -- env -i PATH=/usr/bin:/bin TERM=dumb \
      dash -c "$(cat "$case_file")" </dev/null >"$work/$name.dash" 2>/dev/null)
    dash_status=$?
    [[ $dash_status -eq $status ]] || problems+=("status $status, dash's $dash_status")
    if ! diff -u "$work/$name.dash" "$actual_out" >"$work/diff" 2>&1; then
      problems+=("stdout differs from dash's: $(cat "$work/diff")")
    fi
  fi
  if ((${#problems[@]})); then
    fail "$name"
    printf '    %s\n' "${problems[@]}"
    [[ -s $actual_err ]] && sed 's/^/    stderr: /' "$actual_err"
  else
    pass "$name"
  fi
  if [[ -f $base.log ]]; then
    while IFS= read -r pattern; do
      [[ -n $pattern ]] && logged "$pattern" "$name: ${pattern:0:60}..."
    done < <(expand "$base.log")
  fi
done

# as_user ARGS...: stsh as the test user, output in $work/out, status in $status.
as_user() {
  log_mark
  (cd "$home" && in_private_log runuser -u "$user" -- env -i PATH=/usr/bin:/bin \
    "$work/stsh" "$@" </dev/null >"$work/out" 2>&1)
  status=$?
}

# Signals ignored when a non-interactive shell starts stay ignored for its commands, and a
# trap cannot take them back (XCU 2.11): nohup, as dash has it.
nohup_script='trap - HUP; trap "echo caught" HUP; grep SigIgn /proc/self/status'
(cd "$home" && in_private_log runuser -u "$user" -- env -i PATH=/usr/bin:/bin \
  nohup "$work/stsh" --policy "$policy" -c "$nohup_script" </dev/null >"$work/out" 2>/dev/null)
(cd "$home" && runuser -u "$user" -- env -i PATH=/usr/bin:/bin \
  nohup dash -c "$nohup_script" </dev/null >"$work/dash.out" 2>/dev/null)
check "nohup: SIGHUP stays ignored for the commands, whatever a trap says" \
  test "$(cat "$work/out")" = "$(printf 'SigIgn:\t0000000000000001')"
check "nohup: as dash has it" cmp -s "$work/out" "$work/dash.out"

# warning_limit: after the second violation the session ends, and says so.
install -m 644 "$root/tests/shell/warning.yaml" "$work/warning.yaml"
as_user --policy "$work/warning.yaml" -c 'bash; bash; echo never-printed'
check "warning_limit: the session ends with status 1" test "$status" -eq 1
check "warning_limit: nothing after the limit ran" bash -c "! grep -q never-printed '$work/out'"
check "warning_limit: the user is told" \
  grep -q 'stsh: 2 policy violations in this session (the limit is 2); the session ends' "$work/out"
logged "session user=$user .*event=warning-limit violations=2 limit=2" "the warning limit"

# A login whose policy file is insecure, or missing, runs nothing and says why.
mkdir -p "$work/pdir/users" "$work/empty"
install -m 664 "$root/tests/shell/shell.yaml" "$work/pdir/users/$user.yaml"
as_user --policy-dir "$work/pdir" -c 'echo should-not-run'
check "insecure policy: refused with status 1" test "$status" -eq 1
check "insecure policy: the message names the file and the problem" \
  grep -q "stsh: refusing the session: $work/pdir/users/$user.yaml: .*writable" "$work/out"
check "insecure policy: nothing ran" bash -c "! grep -q should-not-run '$work/out'"
logged "stsh\[[0-9]+\]: session user=$user event=refused reason=.*users/$user.yaml" \
  "the refused session (insecure policy)"
as_user --policy-dir "$work/empty" -c 'echo should-not-run'
check "missing policy: refused with status 1" test "$status" -eq 1
check "missing policy: the message says so" grep -q "stsh: refusing the session: .*default.yaml" "$work/out"
check "missing policy: nothing ran" bash -c "! grep -q should-not-run '$work/out'"

# A client that goes away (here: the reader of our output) ends the job and the session, as
# a hang-up would: sshd sends no SIGHUP to a session without a terminal.
started=$SECONDS
log_mark
(cd "$home" && in_private_log runuser -u "$user" -- env -i PATH=/usr/bin:/bin \
  "$work/stsh" --policy "$policy" -c 'echo start; sleep 60; echo never' </dev/null | head -1 >/dev/null)
check "hang-up: the session ends at once" test $((SECONDS - started)) -lt 10
check "hang-up: no process of the session is left" bash -c "! pgrep -u $user -x sleep"
logged "session user=$user .*event=hangup" "the hang-up"
# ... also from a loop the shell runs itself, which never waits for a command.
started=$SECONDS
(cd "$home" && in_private_log runuser -u "$user" -- env -i PATH=/usr/bin:/bin \
  timeout 30 "$work/stsh" --policy "$policy" -c 'echo start; while :; do :; done' </dev/null | head -1 >/dev/null)
check "hang-up: a loop of builtins ends at once too" test $((SECONDS - started)) -lt 10

# Nothing the syntax error's line asked for ran.
check "a syntax error ran nothing" test ! -e "$home/ran"
check "a denied redirection created nothing" test ! -e /etc/stsh-shell-test
check "a denied write in secret/ created nothing" test ! -e "$home/secret/new"
summary
