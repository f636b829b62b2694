#!/usr/bin/env bash
# stsh-policy import, report and learn from the outside: exit statuses, reports, and every
# policy they write loading with `stsh-policy check`.
# Usage: stsh_policy_tools_test.sh PATH/TO/stsh-policy SOURCE_ROOT [PATH/TO/stsh-run]
# learn -- CMD runs CMD under stsh-run (found next to stsh-policy in the build tree).
set -u
tool=$1
root=$2
fixtures=$root/tests/policies/systrace
failures=0
passes=0
work=$(mktemp -d)
chmod 700 "$work"
trap 'rm -rf "$work"' EXIT

ok() { echo "ok: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect STATUS PATTERN CMD...: CMD's exit status, and its combined output matching PATTERN.
expect() {
  local want=$1 pattern=$2
  shift 2
  local out status
  out=$("$@" 2>&1)
  status=$?
  if [[ $status -ne $want ]] || ! grep -Eq -- "$pattern" <<<"$out"; then
    fail "$* -> status $status (want $want), output:"
    sed 's/^/    /' <<<"$out" | head -40
    echo "    (wanted /$pattern/)"
  else
    ok "$*"
  fi
}

# loads FILE: the policy loads with stsh-policy check.
loads() {
  local out
  if out=$("$tool" check --policy "$1" 2>&1) && grep -q '^policy OK' <<<"$out"; then
    ok "check --policy $(basename "$1")"
  else
    fail "check --policy $1:"
    sed 's/^/    /' <<<"$out" | head -20
  fi
}

# --- import ---------------------------------------------------------------------------------
for f in "$fixtures"/*; do
  name=$(basename "$f")
  # Every fixture has constructs Linux lacks: exit 1, each reported as file:line: not translated.
  expect 1 "^$f:[0-9]+: not translated: " "$tool" import -o "$work/$name.yaml" "$f"
  loads "$work/$name.yaml"
done
expect 1 "ports.filter: 17 translated, 3 not translated, 4 notes" "$tool" import -o "$work/p.yaml" "$fixtures/ports.filter"
expect 1 "usr_sbin_named:13: not translated: 'ptrace' is always denied by stsh" \
  "$tool" import -o "$work/n.yaml" "$fixtures/usr_sbin_named"
# The forms of OpenBSD's regress policies: OpenBSD's names for Linux calls translated, its own
# calls reported by line.
expect 1 "openbsd_regress: 28 translated, 4 not translated, 0 notes" \
  "$tool" import -o "$work/r.yaml" "$fixtures/openbsd_regress"
expect 1 "openbsd_regress:20: translated: pread64: true then permit" "$tool" import "$fixtures/openbsd_regress"
expect 1 "openbsd_regress:14: translated: rt_sigprocmask: true then permit" "$tool" import "$fixtures/openbsd_regress"
expect 1 "openbsd_regress:37: not translated: Linux \(x86_64\) has no system call 'minherit'" \
  "$tool" import "$fixtures/openbsd_regress"
# Several files make one policy.
"$tool" import "$fixtures/bin_ls" "$fixtures/ports.filter" >"$work/two.yaml" 2>/dev/null
loads "$work/two.yaml"

printf 'Policy: /usr/bin/cat, Emulation: native\n\tnative-fsread: filename eq "/etc/hostname" then permit\n\tnative-fsread: filename match "/usr/lib/*" then permit\n' >"$work/cat.policy"
expect 0 'cat.policy:3: translated: fsread: filename match "/usr/lib/\*" then permit' \
  "$tool" import -o "$work/cat.yaml" "$work/cat.policy"
loads "$work/cat.yaml"
expect 0 'decision: permit' "$tool" explain --policy "$work/cat.yaml" --command /usr/bin/cat fsread /etc/hostname
expect 1 'decision: deny' "$tool" explain --policy "$work/cat.yaml" --command /usr/bin/cat fsread /etc/passwd
# The YAML goes to standard output, the report to standard error.
out=$("$tool" import "$work/cat.policy" 2>/dev/null)
if grep -q '^commands:' <<<"$out" && ! grep -q 'translated:' <<<"$out"; then ok "import: YAML alone on stdout"; else fail "import: stdout is not the YAML alone"; fi

printf 'native-fsread: filename eq "/x" permit\n' >"$work/bad.policy"
expect 2 "^$work/bad.policy:1:33: expected 'then' after the expression$" "$tool" import "$work/bad.policy"
expect 2 'cannot open' "$tool" import "$work/missing.policy"
expect 2 'import needs at least one FILE' "$tool" import

# --- report ---------------------------------------------------------------------------------
rec='violation user=alice session=3f9a pid=12 ppid=1 exe=/usr/bin/cat policy=/etc/stsh/users/alice.yaml entry=/etc/stsh/profiles/coreutils.yaml:31 syscall=openat path=/srv/data rule=default action=audit-deny[EACCES] mode=audit oflags=O_RDONLY'
{
  echo "Dec  2 07:43:43 vm stsh[12]: $rec"
  echo "Dec  2 07:43:44 vm stsh[12]: ${rec/\/srv\/data/\/srv\/data2}"
  echo "Dec  2 07:43:45 vm sshd[9]: Accepted publickey for alice"
  echo "Dec  2 07:43:46 vm stsh[12]: violation user=\"broken"
  printf 'Dec  2 07:43:47 vm stsh[12]: violation user=mallory path="/a\\nb" exe=/x\033[2J\n'
} >"$work/syslog"
expect 0 'rule default: 2 would have been denied \(audit\)' "$tool" report "$work/syslog"
expect 0 '1 lines from other programs, 2 unreadable stsh lines' "$tool" report "$work/syslog"
expect 0 'read list: /srv/data /srv/data2' "$tool" report - <"$work/syslog"
if "$tool" report "$work/syslog" | grep -q $'\033'; then fail "report: an escape byte reached the output"; else ok "report: no escape bytes"; fi
expect 2 'cannot open' "$tool" report "$work/nothing"
expect 2 'report needs a FILE' "$tool" report

# --- learn ----------------------------------------------------------------------------------
expect 0 'draft with 2 list entries' "$tool" learn --from-log "$work/syslog" -o "$work/draft.yaml"
loads "$work/draft.yaml"
expect 2 'learn needs --from-log FILE or -- CMD' "$tool" learn
expect 1 "mode 'learn' is refused: .*'stsh-policy learn'" "$tool" check --policy "$root/tests/policies/bad/mode_learn.yaml"

# learn -- CMD: a real run under stsh-run --mode audit --records.
stsh_run=$(dirname "$tool")/../enforcer/stsh-run
if [[ -x $stsh_run ]]; then
  expect 0 'draft with [0-9]+ list entries' "$tool" learn -o "$work/run.yaml" -- /usr/bin/cat /etc/hostname
  loads "$work/run.yaml"
  if grep -q '"/etc/hostname"' "$work/run.yaml"; then ok "learn: the file cat read is in the draft"; else fail "learn: /etc/hostname missing from the draft"; cat "$work/run.yaml"; fi
  # The draft, enforced, runs the same command without a denial.
  rm -f "$work/records"
  "$stsh_run" --policy "$work/run.yaml" --records "$work/records" -- /usr/bin/cat /etc/hostname >/dev/null 2>&1
  if grep -q '^.* violation ' "$work/records"; then fail "learn: the draft still denies:"; cat "$work/records"; else ok "learn: the draft runs the command with no denial"; fi
  # A second learn of the same run gives the same draft.
  "$tool" learn -o "$work/run2.yaml" -- /usr/bin/cat /etc/hostname >/dev/null 2>&1
  if cmp -s "$work/run.yaml" "$work/run2.yaml"; then ok "learn: same run, same draft, byte for byte"; else fail "learn: drafts differ"; diff "$work/run.yaml" "$work/run2.yaml"; fi
  expect 0 'violation user=.* syscall=openat path=/etc/shadow .*mode=audit oflags=O_RDONLY' \
    bash -c "rm -f '$work/r2'; '$stsh_run' --policy '$work/run.yaml' --mode audit --records '$work/r2' -- /usr/bin/cat /etc/shadow >/dev/null 2>&1; cat '$work/r2'"
  ln -s "$work/records" "$work/link"
  expect 2 'stsh-run: --records .*/link: ' "$stsh_run" --policy "$work/run.yaml" --records "$work/link" -- /usr/bin/cat /etc/hostname
fi

echo "script checks: $passes passed, $failures failed"
[[ $failures -eq 0 ]]
