#!/usr/bin/env bash
# Attacks on the enforcement core, each written as an attacker would run it under stsh-run:
# unix socket paths swapped between the decision and the call, a TCP server without bind, a
# FIFO that would freeze the supervisor, changes through descriptors, inotify and fanotify on
# hidden paths. Each asserts the errno, what reached the other side, and the syslog record.
#
# Needs root: a private rsyslogd whose socket stsh-run sees at /dev/log in a private mount
# namespace (tests/lib/harness.sh), nothing written to the machine's /dev/log.
# Usage: core_attack_test.sh STSH-RUN SOURCE_ROOT EXEC-ATTACKS
set -u
run=$1
root=$2
attacks=$3
source "$root/tests/lib/harness.sh"
harness_init core-attack "$@"  # a private mount namespace from here on (see harness.sh)
start_private_log
# Both routes (docs/ARCHITECTURE.md, "Per-command confinement"): STSH_TEST_ROUTE=kernel runs a
# private stsh-audit (STSH_AUDIT), so the kernel decides what it can say exactly and its
# denials come back as records; supervisor makes stsh-run decide every open and stat itself.
route_args=()
if [[ ${STSH_TEST_ROUTE:-supervisor} == kernel ]]; then
  start_private_audit "${STSH_AUDIT:?STSH_AUDIT names stsh-audit for the kernel route}"
else
  route_args=(--route supervisor)
fi

policy=$work/core.yaml
sed "s|@DIR@|$work|g" "$root/tests/run/core.yaml" >"$policy"
mkdir -p "$work/open" "$work/ro" "$work/rw" "$work/race/ok" "$work/race/denied"
ln -s "$work/race/denied" "$work/race/swap"
echo probe >"$work/open/probe"

confined() { "$run" "${route_args[@]}" --policy "$policy" -- "$@"; }

# expect STATUS PATTERN CMD...: the exit status and a regex over stdout+stderr of CMD
# confined; sets the log mark first, so `logged` sees only what CMD wrote.
expect() {
  local want=$1 pattern=$2 out status
  shift 2
  log_mark
  out=$(confined "$@" 2>&1)
  status=$?
  if [[ $status -eq $want ]] && grep -Eq -- "$pattern" <<<"$out"; then
    pass "$*"
  else
    fail "$* -> status $status (want $want), output:"
    sed 's/^/    /' <<<"$out" | head -20
    echo "    (wanted /$pattern/)"
  fi
}

# A server (unconfined) on a unix socket that counts the clients it accepts, or the datagrams
# it receives, for SECONDS, into FILE.
count_server() {  # stream|dgram PATH SECONDS FILE
  python3 -c 'import socket, sys, time
kind = socket.SOCK_STREAM if sys.argv[1] == "stream" else socket.SOCK_DGRAM
s = socket.socket(socket.AF_UNIX, kind)
s.bind(sys.argv[2])
if kind == socket.SOCK_STREAM: s.listen(64)
s.settimeout(0.2)
n, end = 0, time.time() + float(sys.argv[3])
while time.time() < end:
    try:
        if kind == socket.SOCK_STREAM: s.accept()[0].close()
        else: s.recv(10)
        n += 1
    except socket.timeout:
        pass
open(sys.argv[4], "w").write(str(n))' "$@" &
}
wait_for_socket() { for _ in $(seq 50); do [[ -S $1 ]] && return 0; sleep 0.1; done; return 1; }

# 1. Unix socket paths: the decision and the call must be on the same object. race/ok and
#    race/swap trade places (a rename the supervisor itself serves) while the process connects,
#    binds or sends through race/ok; what the kernel reaches must be what was decided.
race=$work/race
count_server stream "$race/ok/s.sock" 25 "$work/ok-stream.count"
count_server stream "$race/denied/s.sock" 25 "$work/denied-stream.count"
count_server dgram "$race/ok/d.sock" 25 "$work/ok-dgram.count"
count_server dgram "$race/denied/d.sock" 25 "$work/denied-dgram.count"
for s in ok/s.sock denied/s.sock ok/d.sock denied/d.sock; do wait_for_socket "$race/$s"; done
expect 0 'unix-connect-race: ok=[1-9]' "$attacks" unix-connect-race "$race" 3000
logged "syscall=connect sockaddr=unix:$race/denied/s.sock rule=default action=deny" \
  "the connects that resolved into race/denied are denied"
expect 0 'unix-sendto-race: ok=[1-9]' "$attacks" unix-sendto-race "$race" 3000
expect 0 'unix-bind-race: ok=[1-9]' "$attacks" unix-bind-race "$race" 3000
check "bind: no socket was made in the denied directory" test ! -e "$race/denied/new.sock"
# The swap leaves the names as they were or exchanged: put them back.
[[ -L $race/ok ]] && mv -T "$race/ok" "$race/tmp" && mv -T "$race/swap" "$race/ok" &&
  mv -T "$race/tmp" "$race/swap"
# 2. inotify and fanotify: a watch is a read of the directory's names.
mkdir -p "$work/hidden"
expect 0 'watch-inotify: errno=EACCES' "$attacks" watch inotify "$work/hidden"
logged "syscall=inotify_add_watch path=$work/hidden rule=default action=deny\\[EACCES\\]"
expect 0 'watch-fanotify: errno=EACCES' "$attacks" watch fanotify "$work/hidden"
logged "syscall=fanotify_mark path=$work/hidden rule=default action=deny\\[EACCES\\]"
expect 0 'watch-inotify: ok' "$attacks" watch inotify "$work/rw"
expect 0 'watch-fanotify: ok' "$attacks" watch fanotify "$work/rw"
expect 0 'inotify-race: added=[1-9][0-9]* escaped=0$' \
  "$attacks" inotify-race "$race" 2000 "$(stat -c %i "$race/denied")"
wait  # the counting servers
check "connect: clients reached the permitted socket ($(cat "$work/ok-stream.count"))" \
  test "$(cat "$work/ok-stream.count")" -gt 0
check "connect: no client reached the denied socket ($(cat "$work/denied-stream.count"))" \
  test "$(cat "$work/denied-stream.count")" -eq 0
check "sendto: datagrams reached the permitted socket ($(cat "$work/ok-dgram.count"))" \
  test "$(cat "$work/ok-dgram.count")" -gt 0
check "sendto: no datagram reached the denied socket ($(cat "$work/denied-dgram.count"))" \
  test "$(cat "$work/denied-dgram.count")" -eq 0

# 3. A TCP server without bind: listen() on an unbound socket would bind it to a port of the
#    kernel's choosing on every interface. The policy's bind list says none.
for family in inet inet6 unix; do
  expect 0 'listen-unbound: errno=EACCES' "$attacks" listen-unbound "$family"
  logged "syscall=listen sockaddr=$family.* rule=default action=deny\\[EACCES\\]" \
    "listen on an unbound $family socket is a bind the policy does not permit"
done

# 4. The supervisor cannot be frozen: a deleted FIFO reopened through /proc/self/fd waits for
#    a writer that never comes; meanwhile another process of the command is still served.
log_mark
started=$SECONDS
(confined "$attacks" fifo-freeze "$work/open" >"$work/freeze.out" 2>&1
 echo $? >"$work/freeze.status") &
for _ in $(seq 150); do [[ -s $work/freeze.status ]] && break; sleep 0.1; done
if [[ $(cat "$work/freeze.out") == *"fifo-freeze: child open ok"* &&
      $(cat "$work/freeze.status" 2>/dev/null) == 137 ]]; then
  pass "a FIFO reopened through /proc/self/fd does not freeze the supervisor"
else
  fail "fifo-freeze: after $((SECONDS - started)) s, status $(cat "$work/freeze.status" 2>/dev/null): $(cat "$work/freeze.out")"
  pkill -KILL -f "stsh-run --policy $policy -- $attacks fifo-freeze"
fi
# A program the exec list permits that is a FIFO: the supervisor looks for a #! line in it
# without waiting for a writer (the kernel then refuses to execute it: EACCES).
log_mark
(confined "$attacks" exec-fifo "$work/open" >"$work/exec-fifo.out" 2>&1
 echo $? >"$work/exec-fifo.status") &
for _ in $(seq 150); do [[ -s $work/exec-fifo.status ]] && break; sleep 0.1; done
if grep -q "exec-fifo: child open ok" "$work/exec-fifo.out" &&
   grep -q "exec-fifo: errno=EACCES" "$work/exec-fifo.out"; then
  pass "exec of a FIFO does not freeze the supervisor (EACCES)"
else
  fail "exec-fifo: $(cat "$work/exec-fifo.out")"
  pkill -KILL -f "stsh-run --policy $policy -- $attacks exec-fifo"
fi
# Helper threads are bounded: 200 threads each waiting on a FIFO of their own.
mkdir -p "$work/open/fifos"
confined "$attacks" fifo-threads "$work/open/fifos" 200 >"$work/fifo-threads.out" 2>&1 &
confined_job=$!
sleep 3
supervisor=$(pgrep -f -n "stsh-run .*--policy $policy -- $attacks fifo-threads")
threads=$(awk '/^Threads:/ {print $2}' "/proc/$supervisor/status" 2>/dev/null)
check "200 blocked FIFO opens use a bounded number of supervisor threads (${threads:-?})" \
  test "${threads:-999}" -le 24
kill "$confined_job" 2>/dev/null
[[ -n $supervisor ]] && kill "$supervisor" 2>/dev/null
wait "$confined_job" 2>/dev/null

# 5. Changes through descriptors are decided on the file the descriptor names: a file the
#    policy only lets us read keeps its mode, owner, times and attributes.
echo secret >"$work/ro/file"
chmod 644 "$work/ro/file"
before=$(stat -c '%a %u %g %Y' "$work/ro/file")
log_mark
out=$(confined "$attacks" fd-change "$work/ro/file" 2>&1)
for call in fchmod fchown fsetxattr fremovexattr futimens fchmodat2-empty fchownat-empty \
            utimensat-empty opath-fchmodat2 opath-fchownat opath-utimensat; do
  check "$call on a read-only file: EACCES" grep -q "^$call: errno=EACCES$" <<<"$out"
done
for syscall in fchmod fchown fsetxattr fremovexattr utimensat fchmodat2 fchownat; do
  logged "syscall=$syscall path=$work/ro/file rule=default action=deny\\[EACCES\\]"
done
check "the read-only file is unchanged" test "$(stat -c '%a %u %g %Y' "$work/ro/file")" = "$before"
check "the read-only file has no new attribute" \
  python3 -c 'import os, sys; sys.exit("user.stsh" in os.listxattr(sys.argv[1]))' "$work/ro/file"
echo mine >"$work/rw/file"
out=$(confined "$attacks" fd-change "$work/rw/file" 2>&1)
for call in fchmod fchown fsetxattr fremovexattr futimens fchmodat2-empty fchownat-empty \
            utimensat-empty opath-fchmodat2 opath-fchownat opath-utimensat; do
  check "$call on a writable file: ok" grep -q "^$call: ok$" <<<"$out"
done

# One denial, one record: the same call denied twice in a row to one thread is recorded once.
echo x >"$work/hidden/x"
expect 0 'open-twice: EACCES' "$attacks" open-twice "$work/hidden/x"
sleep 0.5
records=$(log_since_mark | grep -c "syscall=openat path=$work/hidden/x ")
check "a call repeated at once after its denial is recorded once ($records)" test "$records" -eq 1

jobs -p | xargs -r kill 2>/dev/null
summary
