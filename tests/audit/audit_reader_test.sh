#!/usr/bin/env bash
# The kernel-tier denial path end to end: stsh-audit reading Landlock's audit records and
# handing them to the supervisors (tests/helpers/audit_session, linked against AuditClient)
# whose children made the domains.
#
# Needs root and Linux 6.15 or later (Landlock ABI 7): it starts stsh-audit, which joins the
# audit multicast group, in a private mount namespace whose /run/stsh is a tmpfs of its own
# (tests/lib/harness.sh; the machine's /run is not touched), makes a test user with useradd,
# and runs a private rsyslogd for the daemon's own records. Kernel auditing is global: the
# daemon turns it on (--enable-audit) and raises backlog_limit (--backlog 8192) for the run;
# both are restored when the daemon exits, and by the undo journal if it did not.
# Usage: audit_reader_test.sh STSH-AUDIT SOURCE_ROOT AUDIT_SESSION AUDIT_FLOOD
set -u
daemon_bin=$1
root=$2
session=$3
flood=$4
source "$root/tests/lib/harness.sh"
harness_init audit "$@" # a private mount namespace from here on
require_tools setpriv awk
start_private_log

# --- set-up --------------------------------------------------------------------------------

read -r saved_enabled saved_backlog < <("$session" status | sed -E 's/enabled=([0-9]+) backlog_limit=([0-9]+).*/\1 \2/')
[[ -n ${saved_enabled:-} && -n ${saved_backlog:-} ]] || die "cannot read the audit status" "$("$session" status 2>&1)"
undo "$session" set-audit "$saved_enabled" "$saved_backlog"

# /run/stsh of this namespace only. When the machine has none, a tmpfs over /run gives this
# namespace an empty one without creating anything on the machine.
if [[ -d /run/stsh ]]; then
  mount -t tmpfs -o mode=0755 stsh-audit-test /run/stsh || die "mount tmpfs on /run/stsh failed"
else
  mount -t tmpfs -o mode=0755 stsh-audit-test /run || die "mount tmpfs on /run failed"
fi

user=stsh-audit-$$
make_test_user "$user" --no-create-home --shell /usr/sbin/nologin
uid=$(id -u "$user")
gid=$(id -g "$user")
as_user() { setpriv --reuid="$uid" --regid="$gid" --clear-groups -- "$@"; }

out=$(as_user "$daemon_bin" 2>&1)
status=$?
if [[ $status -eq 1 && $out == *"must run as root"* ]]; then
  pass "stsh-audit as a user: one line and exit 1 ($out)"
else
  fail "stsh-audit as a user" "status $status: $out"
fi

# Audit off and no --enable-audit: the daemon runs, and says why it is of no use.
if [[ $saved_enabled == 0 ]]; then
  "$daemon_bin" 2>"$work/daemon-off.err" &
  off=$!
  undo kill_pid "$off" stsh-audit
  for _ in $(seq 100); do
    [[ -S /run/stsh/audit.sock ]] && break
    sleep 0.05
  done
  out=$(as_user "$session" not-child 1 2>&1)
  check "audit off, no --enable-audit: the client is told audit_disabled ($out)" \
    grep -q "connect: audit_disabled" <<<"$out"
  kill -TERM "$off"
  wait "$off"
  st=$("$session" status)
  check "that daemon left audit off ($st)" grep -q "^enabled=0 " <<<"$st"
  check "and removed its socket" test ! -e /run/stsh/audit.sock
fi

daemon_err=$work/daemon.err
"$daemon_bin" --enable-audit --backlog 8192 --verbose 2>"$daemon_err" &
daemon=$!
undo kill_pid "$daemon" stsh-audit
for _ in $(seq 100); do
  [[ -S /run/stsh/audit.sock ]] && break
  kill -0 "$daemon" 2>/dev/null || break
  sleep 0.05
done
if ! [[ -S /run/stsh/audit.sock ]]; then
  if grep -q "no Landlock audit" "$daemon_err"; then
    echo "skip: $(cat "$daemon_err")"
    exit 77
  fi
  die "stsh-audit did not start" "$(cat "$daemon_err")"
fi
check "socket mode 0666 in a root-owned 0755 directory" \
  test "$(stat -c '%a %U' /run/stsh/audit.sock) $(stat -c '%a %U' /run/stsh)" == "666 root 755 root"
st=$("$session" status)
if [[ $st =~ enabled=1\ backlog_limit=([0-9]+) ]] && ((BASH_REMATCH[1] >= 8192)); then
  pass "audit enabled, backlog_limit >= 8192 ($st)"
else
  fail "audit status while the daemon runs" "$st"
fi

# --- a registered child's denial after exec; an unregistered one's is nobody's ----------------

secret=$work/unregistered-secret
echo secret >"$secret"
chmod 644 "$secret"
log_mark
out=$(as_user "$session" exec-denial "$secret" 2>&1)
status=$?
child=$(sed -n 's/^registered //p' <<<"$out")
if [[ $status -eq 0 && -n $child ]] &&
  grep -Eq "^denial domain=[0-9a-f]+ creator=$child pid=$child syscall=257 blockers=fs.read_file path=/etc/hostname dev=[^ ]+ ino=[0-9]+ exe=/usr/bin/cat exit=-13$" <<<"$out"; then
  pass "DENIAL of cat /etc/hostname after exec, with pid, path and exe (as $user)"
else
  fail "DENIAL of cat /etc/hostname after exec" "status $status" "$out"
fi
check "barrier completes" grep -qx "barrier ok" <<<"$out"
check "the unregistered child was denied" grep -q "unregistered exit=0" <<<"$out"
if grep -qF "$secret" <<<"$out"; then
  fail "an unregistered domain's denial was delivered" "$out"
else
  pass "an unregistered domain's denial is delivered to no one"
fi
not_logged "unregistered-secret" "an unregistered domain's denial is not written to syslog either"

# --- REGISTER of what is not the caller's child --------------------------------------------

out=$(as_user "$session" not-child 1 2>&1)
check "REGISTER pid 1 refused ($out)" grep -q "refused.*not_your_child" <<<"$out"
sleep 30 &
other=$!
out=$(as_user "$session" not-child "$other" 2>&1)
check "REGISTER of another user's process refused ($out)" grep -q "refused.*not_your_child" <<<"$out"
out=$("$session" not-child "$other" 2>&1)
check "REGISTER of a process that is not the caller's child refused, for root too ($out)" \
  grep -q "refused.*not_your_child" <<<"$out"
kill "$other" 2>/dev/null
wait "$other" 2>/dev/null

# --- what any local user may send --------------------------------------------------------

out=$(as_user "$session" hostile 2>&1)
status=$?
while IFS= read -r line; do
  case $line in
    ok\ *) pass "hostile client: ${line#ok }" ;;
    *) fail "hostile client: $line" ;;
  esac
done <<<"$out"
[[ $status -eq 0 ]] || fail "hostile client helper exit $status"
sleep 0.3 # the daemon sees the held connections close
out=$(as_user "$session" exec-denial "$secret" 2>&1)
check "the daemon serves a normal client after the hostile one" grep -qx "barrier ok" <<<"$out"

# --- hostile names: quotes, spaces, newlines, fake fields -----------------------------------

weird=$work/$'we"ird name\n path=etc shadow %41='
echo x >"$weird"
chmod 644 "$weird"
out=$(as_user "$session" flood 3 "$flood" 0 "$weird" 2>&1)
check "a path with '\"', spaces, a newline and ' path=' arrives intact (3 of 3)" \
  grep -q "delivered=3 lost=0 barrier=ok" <<<"$out"

# --- latency ---------------------------------------------------------------------------------

out=$(as_user "$session" latency 200 2>&1)
if grep -q "^latency_us n=200" <<<"$out"; then
  pass "latency from denial to DENIAL: $(grep '^latency_us' <<<"$out")"
else
  fail "latency" "$out"
fi

# --- a flood: every denial delivered or counted ---------------------------------------------

cpu() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$daemon/stat"; }
ticks=$(getconf CLK_TCK)
before=$(cpu)
out=$(as_user "$session" flood 10000 "$flood" 0 2>&1)
after=$(cpu)
line=$(grep '^flood ' <<<"$out")
if [[ $line =~ delivered=([0-9]+)\ lost=([0-9]+)\ barrier=ok ]] &&
  ((BASH_REMATCH[1] <= 10000 && BASH_REMATCH[1] + BASH_REMATCH[2] >= 10000)); then
  pass "flood of 10,000: delivered + lost covers every one ($line)"
else
  fail "flood of 10,000" "$out"
fi
echo "    daemon CPU for the flood: $(((after - before) * 1000 / ticks)) ms"

# --- the kernel's own losses: at a backlog of 64 the kernel drops records, and says so ------

"$session" set-audit 1 64 || fail "set backlog_limit 64"
out=$(as_user "$session" flood 10000 "$flood" 0 2>&1)
"$session" set-audit 1 8192 || fail "set backlog_limit 8192"
line=$(grep '^flood ' <<<"$out")
if [[ $line =~ delivered=([0-9]+)\ lost=([0-9]+)\ barrier=ok ]] &&
  ((BASH_REMATCH[1] <= 10000 && BASH_REMATCH[1] + BASH_REMATCH[2] >= 10000)); then
  pass "flood of 10,000 at backlog_limit 64: delivered + lost covers every one ($line)"
  grep -q "kernel_lost" <<<"$out" && echo "    (the kernel lost records: $(grep -c kernel_lost <<<"$out") LOST reports)"
else
  fail "flood of 10,000 at backlog_limit 64" "$out"
fi

# --- a client that stops reading stalls no one ----------------------------------------------

as_user "$session" flood 10000 "$flood" 3000 >"$work/stalled.out" 2>&1 &
stalled=$!
for _ in $(seq 100); do
  grep -q '^registered' "$work/stalled.out" && break
  sleep 0.05
done
sleep 0.5 # the flood is under way and its client reads nothing
out=$(as_user "$session" exec-denial "$secret" 2>&1)
if grep -q "path=/etc/hostname" <<<"$out" && grep -qx "barrier ok" <<<"$out"; then
  pass "another client gets its DENIAL and barrier while one stops reading"
else
  fail "another client while one stops reading" "$out"
fi
wait "$stalled"
line=$(grep '^flood ' "$work/stalled.out")
if [[ $line =~ delivered=([0-9]+)\ lost=([0-9]+)\ barrier=ok ]] &&
  ((BASH_REMATCH[2] > 0 && BASH_REMATCH[1] + BASH_REMATCH[2] >= 10000)) &&
  grep -q "client_queue" "$work/stalled.out"; then
  pass "the client that stopped reading gets LOST for what did not fit ($line)"
else
  fail "the client that stopped reading" "$(cat "$work/stalled.out")"
fi
kill -0 "$daemon" 2>/dev/null && pass "the daemon is still running" || fail "the daemon died"

# --- a denial whose client has gone goes to syslog -------------------------------------------

orphan=$work/orphan-secret
echo x >"$orphan"
chmod 644 "$orphan"
log_mark
out=$(as_user "$session" orphan "$orphan" 2>&1)
logged_all "the daemon's own record of a denial whose client has gone" \
  "stsh-audit\[$daemon\]: kernel_denial uid=$uid " "path=$(re_quote "$orphan") " "reason=client_gone"

# --- exit restores the audit settings ---------------------------------------------------------

kill -TERM "$daemon"
wait "$daemon"
status=$?
check "stsh-audit exits 0 on SIGTERM" test "$status" -eq 0
st=$("$session" status)
check "audit enabled and backlog_limit restored ($st)" \
  grep -q "^enabled=$saved_enabled backlog_limit=$saved_backlog " <<<"$st"

summary
