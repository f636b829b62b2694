#!/usr/bin/env bash
# The shell's grammar and builtins as script tests: each tests/shell/cases/NAME.sh runs as
# `stsh -c` for the test user stsh-shelltest under tests/shell/shell.yaml, and its standard
# output, standard error and status are compared with NAME.out, NAME.err and NAME.status
# (empty, empty and 0 when the file is absent). NAME.log lists records (extended regexes)
# that must reach syslog. In expected text, {policy} stands for the policy file's path.
#
# Needs root: a private rsyslogd (tests/lib/harness.sh) and a test user made with useradd.
# Usage: script_test.sh STSH SOURCE_ROOT
set -u
stsh=$1
root=$2
. "$root/tests/shell/common.sh"

expand() { sed -e "s|{policy}|$policy|g" -e "s|{home}|$home|g" "$1"; }

for case_file in "$root"/tests/shell/cases/*.sh; do
  name=$(basename "$case_file" .sh)
  base=${case_file%.sh}
  actual_out=$work/$name.out
  actual_err=$work/$name.err
  (cd "$home" && in_private_log runuser -u "$user" -- env -i PATH=/usr/bin:/bin TERM=dumb \
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

# Nothing the syntax error's line asked for ran.
check "a syntax error ran nothing" test ! -e "$home/ran"
check "a denied redirection created nothing" test ! -e /etc/stsh-shell-test
check "a denied write in secret/ created nothing" test ! -e "$home/secret/new"
summary
