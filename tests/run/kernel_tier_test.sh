#!/usr/bin/env bash
# The kernel route (docs/ARCHITECTURE.md, "Per-command confinement"): what Landlock denies on
# its own becomes a stsh record through stsh-audit, named by the rule that would have decided
# it, before stsh-run returns; without stsh-audit the supervisor decides those calls itself so
# nothing is denied unrecorded; `kernel_denials: unrecorded` is the fast path without records;
# a hidden tree is not there for any call; a nested Landlock domain is refused.
#
# Needs root and Linux 6.15 (Landlock ABI 7): a private rsyslogd and a private stsh-audit in a
# private mount namespace (tests/lib/harness.sh); auditing is turned on for the run and put
# back after.
# Usage: kernel_tier_test.sh STSH-RUN STSH-AUDIT SOURCE_ROOT
set -u
run=$1
audit_bin=$2
root=$3
source "$root/tests/lib/harness.sh"
harness_init kernel-tier "$@"
start_private_log

data=$work/data
mkdir -p "$data/open" "$data/closed" "$data/hidden"
echo visible >"$data/open/f"
echo secret >"$data/closed/f"
echo hidden >"$data/hidden/f"

# policy NAME EXTRA-SESSION-LOGGING EXTRA-DEFAULTS: a policy file of this run.
policy() {
  cat >"$work/$1.yaml" <<EOF
session:
  logging: { facility: local5, ident: stsh-test$2 }
defaults:
  read: [/usr/**, /lib/**, /lib64/**, /etc/ld.so.cache, /proc/self/**, /dev/null, "$data/open/**"]
  write: [/dev/null]
  exec: [/usr/bin/*]
$3
commands:
  /usr/bin/cat: {}
  /usr/bin/ls: {}
  /usr/bin/stat: {}
  /usr/bin/dash: {}
  /usr/bin/python3: {}
EOF
  echo "$work/$1.yaml"
}
audited=$(policy audited "" "")
unrecorded=$(policy unrecorded ", kernel_denials: unrecorded" "")
hidden=$(policy hidden "" "  hide: [\"$data/hidden/**\"]")
echo quiet >"$data/open/quiet"

# expect STATUS PATTERN POLICY CMD...
expect() {
  local want=$1 pattern=$2 pol=$3 out status
  shift 3
  log_mark
  out=$("$run" --policy "$pol" -- "$@" 2>&1)
  status=$?
  if [[ $status -eq $want ]] && grep -Eq -- "$pattern" <<<"$out"; then
    pass "$* (status $status)"
  else
    fail "$* -> status $status (want $want), output:" "$(head -20 <<<"$out")"
  fi
}

# 1. No stsh-audit: the supervisor decides every open (the supervisor route), so the denial is
#    recorded all the same.
expect 1 "Permission denied" "$audited" cat "$data/closed/f"
logged "exe=/usr/bin/cat .*syscall=openat path=$data/closed/f rule=default action=deny\\[EACCES\\]" \
  "no stsh-audit: the supervisor decided and recorded the denial"
logged "event=start .*route=\"supervisor \\(stsh-audit is not running" "the start record names the supervisor route"

# 2. With stsh-audit: the kernel denies, the record arrives through the audit path, named as
#    the Plan would name it, before stsh-run has returned (the barrier at the end of a launch).
start_private_audit "$audit_bin"
expect 1 "Permission denied" "$audited" cat "$data/closed/f"
logged "exe=/usr/bin/cat .*entry=[^ ]*audited.yaml:[0-9]+:3 syscall=openat path=$data/closed/f rule=default action=deny\\[EACCES\\]" \
  "kernel route: Landlock's denial recorded as a stsh record"
logged "event=start .*route=\"kernel \\(denials recorded by stsh-audit\\)\"" "the start record names the kernel route"
expect 0 "^visible$" "$audited" cat "$data/open/f"
not_logged " violation user=" "kernel route: a permitted read leaves no record"
# A deny rule inside the granted tree: Landlock cannot say it, so reads go to the supervisor,
# which names the rule.
ruled=$(policy ruled "" "  rules:
    - fsread: filename eq \"$data/open/quiet\" then deny[eperm] log")
expect 1 "Operation not permitted" "$ruled" cat "$data/open/quiet"
logged "syscall=openat path=$data/open/quiet rule=[^ ]*ruled.yaml:[0-9]+:[0-9]+ action=deny\\[EPERM\\]" \
  "a deny rule inside a granted tree: the supervisor's errno and record"
# A grandchild, after two execs, is still reported under its command entry.
expect 1 "Permission denied" "$audited" dash -c "dash -c 'cat $data/closed/f'"
logged "exe=/usr/bin/cat .*syscall=openat path=$data/closed/f rule=default action=deny\\[EACCES\\]" \
  "kernel route: a grandchild's denial is recorded"

# 3. Many denials in one command: each counted, none silently gone (the end record's total).
log_mark
"$run" --policy "$audited" -- /usr/bin/python3 -c "
import os
n = 0
for i in range(500):
    try:
        open('$data/closed/f').close()
    except PermissionError:
        n += 1
print(n)" >"$work/flood.out" 2>&1
check "500 kernel-tier denials in one command" grep -qx 500 "$work/flood.out"
log_sync
end=$(log_since_mark | grep -E "event=end" | tail -1)
if [[ $end =~ violations=([0-9]+) && ${BASH_REMATCH[1]} -ge 1 ]]; then
  pass "the end record counts the kernel-tier denials ($end)"
else
  fail "no end record with the violations counted" "$(log_since_mark | tail -5)"
fi
logged "syscall=openat path=$data/closed/f rule=default action=deny" "the first of them recorded"

# 4. The fast path without records: denied in the kernel, no record.
expect 1 "Permission denied" "$unrecorded" cat "$data/closed/f"
not_logged "path=$data/closed/f" "kernel_denials: unrecorded: denied, not recorded"
logged "event=start .*route=\"kernel \\(its denials unrecorded" "the start record says they are not recorded"

# 5. Names and metadata are visible; a hidden tree is not there for any call.
expect 0 "closed" "$audited" ls "$data"
expect 0 "^7$" "$audited" stat -c %s "$data/closed/f"
expect 1 "No such file or directory" "$hidden" cat "$data/hidden/f"
logged "syscall=openat path=$data/hidden/f rule=[^ ]*hidden.yaml:[0-9]+:[0-9]+ action=deny\\[ENOENT\\]" \
  "a read in a hidden tree: ENOENT, recorded"
expect 1 "No such file or directory" "$hidden" stat "$data/hidden/f"
logged "syscall=statx path=$data/hidden/f .*action=deny\\[ENOENT\\]" "stat in a hidden tree: ENOENT"
expect 2 "No such file or directory" "$hidden" ls "$data/hidden"
expect 0 "^visible$" "$hidden" cat "$data/open/f"

# 6. A confined program cannot make a Landlock domain of its own (it could turn off the audit
#    records of its denials): the kernel answers ENOSYS, as if it had no Landlock.
expect 0 "^errno 38$" "$audited" python3 -c "
import ctypes, ctypes.util
libc = ctypes.CDLL(None, use_errno=True)
r = libc.syscall(444, None, 0, 1)  # landlock_create_ruleset(NULL, 0, VERSION)
print('errno', ctypes.get_errno() if r < 0 else 'none', flush=True)"

summary
