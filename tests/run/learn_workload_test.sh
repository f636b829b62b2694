#!/usr/bin/env bash
# learn -> review -> enforce on the benchmark's mixed workload (tests/bench/mixed_workload.sh:
# compile 8 C files, find, tar and grep over /usr/include, ls -laR /usr/share/doc), as a real
# unprivileged user: `stsh-policy learn -- dash workload.sh` writes a draft; a second learn of
# the same run (the same starting state) writes the same draft, byte for byte; the draft loads
# and passes the review checks below; and under it, enforced by stsh-run, the workload runs
# and does its work with no violation record in syslog (a private rsyslogd) — on the
# supervisor route, then on the kernel route with a private stsh-audit.
#
# Needs root: useradd, a private rsyslogd and stsh-audit in a private mount namespace
# (tests/lib/harness.sh). The kernel route needs Linux 6.15; without it that part is skipped.
# Usage: learn_workload_test.sh STSH-POLICY STSH-RUN STSH-AUDIT SOURCE_ROOT
set -u
policy_tool=$1
stsh_run=$2
audit_bin=$3
root=$4
source "$root/tests/lib/harness.sh"
harness_init learn-workload "$@"
require_tools runuser cc dash tar find grep cmp
start_private_log

user=stsh-learn-$$
make_test_user "$user" --create-home --shell /usr/sbin/nologin
home=$(getent passwd "$user" | cut -d: -f6)

# The tools where the user can run them (a checkout may sit under a directory only root can
# enter); stsh-policy finds stsh-run next to itself.
mkdir "$work/bin"
install -m 755 "$policy_tool" "$work/bin/stsh-policy"
install -m 755 "$stsh_run" "$work/bin/stsh-run"

install -m 644 "$root/tests/bench/mixed_workload.sh" "$work/mixed_workload.sh"
bench=$home/bench
runuser -u "$user" -- bash "$work/mixed_workload.sh" "$bench" ||
  die "mixed_workload.sh $bench failed"

# as_user CMD...: CMD as the test user in its home, with a plain environment.
as_user() {
  (cd "$home" && runuser -u "$user" -- env -i HOME="$home" PATH=/usr/bin:/bin LANG=C.UTF-8 "$@")
}
# fresh: the state the workload starts from (no objects from an earlier run).
fresh() {
  rm -f "$bench"/src/*.o
}

# --- learn, twice ---------------------------------------------------------------------------
for n in 1 2; do
  fresh
  out=$(as_user "$work/bin/stsh-policy" learn -o "$home/draft$n.yaml" -- /usr/bin/dash "$bench/workload.sh" 2>&1)
  status=$?
  if [[ $status -eq 0 && $out == *"exited with status 0"* && -s $home/draft$n.yaml ]]; then
    pass "learn $n: the workload ran under stsh-run --mode audit and a draft was written"
  else
    fail "learn $n: status $status" "$out"
  fi
done
draft=$home/draft1.yaml
if cmp -s "$draft" "$home/draft2.yaml"; then
  pass "a second learn of the same run writes the same draft, byte for byte"
else
  fail "the two drafts differ" "$(diff "$draft" "$home/draft2.yaml" | head -40)"
fi

# --- review ---------------------------------------------------------------------------------
out=$(as_user "$work/bin/stsh-policy" check --policy "$draft" 2>&1)
if [[ $? -eq 0 && $out == *"policy OK"* ]]; then
  pass "the draft loads (stsh-policy check)"
else
  fail "stsh-policy check on the draft" "$out"
fi
# What a reviewer looks for: every entry explained; no grant of a protected tree; exec entries
# that name programs (a glob would let the workload start shells it never ran); nothing of
# the run's own temporary directory or process ids.
uncommented=$(awk '/^ *- / && prev !~ /^ *# / { print } { prev = $0 }' "$draft")
check "every entry of the draft says what it was seen for" test -z "$uncommented"
protected=$(grep -E '^ *- "(/etc/shadow|/etc/gshadow|/etc/ssh|/etc/sudoers|/root|/home/\*|/proc/[0-9]|\$HOME/\.ssh|/\*\*|/etc/\*\*|/home/\*\*)' "$draft")
check "the draft grants no protected tree" test -z "$protected"
exec_globs=$(awk '/^    exec:/ { e = 1; next } /^    [a-z]+:/ { e = 0 } e && /^ *- / && /[*?[]/' "$draft")
check "the draft's exec entries name programs, no globs" test -z "$exec_globs"
check "the draft names the compiler's temporary files by a pattern" grep -q '^ *- "/tmp/\*\.s"$' "$draft"
check "nothing of the learn run itself is in the draft" bash -c "! grep -Eq 'stsh-learn\.|/proc/[0-9]' '$draft'"
check "the draft keeps the workload's tree under \$HOME" grep -q '^ *- "\$HOME/bench/' "$draft"

# --- enforce --------------------------------------------------------------------------------
# enforce ROUTE: the workload under the draft, enforced on ROUTE (supervisor or kernel); it
# must do its work (8 objects) and leave no violation record.
enforce() {
  local route=$1 out status objects args=()
  [[ $route == supervisor ]] && args=(--route supervisor)
  fresh
  log_mark
  out=$(as_user "$work/bin/stsh-run" "${args[@]}" --policy "$draft" -- /usr/bin/dash "$bench/workload.sh" 2>&1)
  status=$?
  objects=$(find "$bench/src" -name '*.o' | wc -l)
  if [[ $status -eq 0 && $objects -eq 8 ]]; then
    pass "$route route: the workload runs under the draft (exit 0, 8 objects)"
  else
    fail "$route route: status $status, $objects objects" "$out"
  fi
  logged "event=start .*route=\"$route" "$route route: the start record names the route"
  # stsh-run's end record comes last: wait for it, then count.
  logged "event=end.* violations=0" "$route route: the end record counts 0 violations"
  not_logged " violation " "$route route: no violation record in syslog"
}
enforce supervisor
# The kernel route needs Landlock's audit records (Linux 6.15).
if [[ $(printf '%s\n' 6.15 "$(uname -r | cut -d- -f1)" | sort -V | head -1) == 6.15 ]]; then
  start_private_audit "$audit_bin"
  enforce kernel
else
  echo "skip: the kernel route (Linux $(uname -r) has no Landlock audit records)"
fi

summary
