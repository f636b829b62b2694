#!/usr/bin/env bash
# stsh's violation log against a real rsyslogd that misbehaves: records that try to hide or
# forge others, a daemon that stops reading (SIGSTOP), a daemon killed and restarted. Each
# check reads only the records written after its own mark.
#
# Needs root: it runs its own rsyslogd on a private socket, and stsh-run sees that socket at
# /dev/log in a private mount namespace whose /dev is an overlay (nothing is made in, or taken
# from, the machine's /dev). /dev/log there is a symlink to the socket's path, not a bind
# mount, so a restarted daemon's new socket is what the next connect reaches.
# Usage: log_fault_test.sh STSH-RUN SOURCE_ROOT STSH
set -u
run=$1
root=$2
stsh=$3
source "$root/tests/lib/harness.sh"
harness_init log-fault "$@"  # a private mount namespace and /dev from here on (harness.sh)

sock=$work/log.sock
logfile=$work/stsh.log
cat >"$work/rsyslog.conf" <<CONF
global(workDirectory="$work")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$sock" CreatePath="on")
local5.*;authpriv.* action(type="omfile" file="$logfile" template="RSYSLOG_FileFormat")
CONF
sed "s|@WORK@|$work|g" "$root/tests/log/log.yaml" >"$work/log.yaml"
policy=$work/log.yaml
secret=$work/secret
mkdir -p "$secret" "$work/open"

daemon_pid=
start_log() {
  rm -f "$work/rsyslogd.pid"
  rsyslogd -f "$work/rsyslog.conf" -i "$work/rsyslogd.pid"
  for _ in $(seq 50); do
    [[ -S $sock && -s $work/rsyslogd.pid ]] && { daemon_pid=$(cat "$work/rsyslogd.pid"); return 0; }
    sleep 0.1
  done
  echo "log_fault_test: rsyslogd did not create $sock" >&2
  exit 1
}
# kill_log SIGNAL: the daemon gone, and waited for.
kill_log() {
  kill "-$1" "$daemon_pid" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
}
undo kill_pidfile "$work/rsyslogd.pid" rsyslogd
start_log

# /dev/log in this run's /dev (an overlay: harness.sh) is a symlink to the socket's path, not
# a bind mount, so a restarted daemon's new socket is what the next connect reaches.
rm -f /dev/log && ln -s "$sock" /dev/log || die "cannot point /dev/log at $sock"
in_log_ns() { "$@"; }
confined() { "$run" --policy "$policy" -- "$@"; }

log_mark=0
set_mark() { log_mark=$(cat "$logfile" 2>/dev/null | wc -l); }
since_mark() { tail -n +$((log_mark + 1)) "$logfile" 2>/dev/null; }
ok() { pass "$*"; }
bad() { fail "$*"; }

# logged PATTERN [WAIT_S]: a record matching PATTERN arrived since the mark.
logged() {
  for _ in $(seq $((${2:-5} * 10))); do
    since_mark | grep -Eq -- "$1" && { ok "logged /$1/"; return 0; }
    sleep 0.1
  done
  bad "no record /$1/ since line $log_mark:"
  since_mark | tail -5 | sed 's/^/    /'
  return 1
}
# count PATTERN: records matching PATTERN since the mark.
count() { since_mark | grep -Ec -- "$1"; }
# field NAME LINE: the plain (numeric) value of NAME= in LINE.
field() { sed -nE "s/.* $1=([0-9]+).*/\\1/p" <<<"$2"; }

# The perl program of every check: opens each argument, prints "NAME: error" for each it
# could not open, sleeps $SLEEP_AFTER seconds (a session still alive when the daemon is
# back), prints DONE.
opener='$| = 1; for (@ARGV) { open(my $f, "<", $_) or print "$_: $!\n"; select(undef, undef, undef, $ENV{GAP} // 0) }
        print "OPENED\n"; select(undef, undef, undef, $ENV{SLEEP_AFTER} // 0); print "DONE\n"'
# stsh-run scrubs the environment, so the timings ride in through env(1)... which the policy
# does not permit; they are passed as perl's own assignments instead.
opens() {  # opens GAP SLEEP_AFTER FILE...
  local gap=$1 after=$2
  shift 2
  confined perl -e "\$ENV{GAP}=$gap; \$ENV{SLEEP_AFTER}=$after; $opener" -- "$@"
}

# --- 1. Log hiding: 20 junk denials, then the one that matters. --------------------------
for i in $(seq -w 1 20); do : >"$secret/junk$i"; done
: >"$secret/shadow"
junk=()
for i in $(seq -w 1 20); do junk+=("$secret/junk$i"); done
set_mark
out=$(opens 0 0 "${junk[@]}" "$secret/shadow" 2>&1)
[[ $out == *"$secret/shadow: Permission denied"* ]] && ok "the open that matters is denied" ||
  bad "shadow open: $out"
logged "violation .*exe=/usr/bin/perl .*syscall=openat path=$secret/shadow "
# The same with two junk files opened 20 times each, in turn (a thread making the very call
# it was just denied gets no second record at all): repeats are summarised, firsts kept.
set_mark
repeats=()
for _ in $(seq 20); do repeats+=("$secret/junk01" "$secret/junk02"); done
out=$(opens 0 0 "${repeats[@]}" "$secret/shadow" 2>&1)
logged "violation .*syscall=openat path=$secret/shadow "
logged "suppressed .*exe=/usr/bin/perl syscall=openat path=$secret/junk01 action=deny\[EACCES\] count=[0-9]+"
line=$(since_mark | grep -E "suppressed .*path=$secret/junk01 " | tail -1)
shown=$(count "violation .*path=$secret/junk01 ")
n=$(field count "$line")
[[ -n $n && $((n + shown)) -eq 20 ]] && ok "20 opens of junk01: $shown recorded + $n suppressed" ||
  bad "20 opens of junk01: $shown recorded, suppressed line: $line"

# --- 2. Log injection: file names with a newline, a tab, an escape sequence. -------------
# Without a space or '=' the name used to go into the record as it was (rsyslogd then shows
# the newline as #012, other readers as a second line).
forged=$'x\nforged\tline\e[2J'
: >"$secret/$forged"
set_mark
out=$(opens 0 0 "$secret/$forged" 2>&1)
logged 'path="[^"]*/secret/x\\nforged\\tline\\x1b\[2J" '
[[ $(count '#012|#011|#033') -eq 0 ]] && ok "no raw control byte reached the daemon" ||
  { bad "raw control bytes:"; since_mark | sed 's/^/    /'; }
# A value that looks like more fields: it stays inside its quotes.
lookalike=$'y user=root\rsession=forged "q" \\'
: >"$secret/$lookalike"
set_mark
out=$(opens 0 0 "$secret/$lookalike" 2>&1)
logged 'path="[^"]*/secret/y user=root\\rsession=forged \\"q\\" \\\\" rule='

# --- 3. A stopped daemon: the command is not held up; what is queued arrives later. -------
many=()
for i in $(seq 1 1500); do : >"$secret/m$i"; many+=("$secret/m$i"); done
# (a) The session outlives the stall: SIGCONT while it still runs.
set_mark
kill -STOP "$daemon_pid"
start=$EPOCHREALTIME
opens 0 6 "${many[@]}" >"$work/a.out" 2>&1 &
job=$!
for _ in $(seq 50); do grep -q OPENED "$work/a.out" && break; sleep 0.1; done
elapsed=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
grep -q OPENED "$work/a.out" && ok "1500 denials with syslog stopped took ${elapsed}s" ||
  bad "1500 denials with syslog stopped not done after 5 s"
[[ $(grep -c ': Permission denied' "$work/a.out") -eq 1500 ]] && ok "each denied with EACCES" ||
  bad "denials: $(grep -c ': Permission denied' "$work/a.out") of 1500"
kill -CONT "$daemon_pid"
wait "$job"; status=$?
[[ $status -eq 0 ]] && ok "exit status 0" || bad "exit status $status"
logged 'session .*event=end .*undelivered=' 10
got=$(count "violation .*path=$secret/m[0-9]+ ")
lost=$(count 'undelivered ')
ulines=$(since_mark | grep -E '^.* undelivered ' )
lostv=0
while read -r l; do [[ -n $l ]] && lostv=$((lostv + $(field violations "$l"))); done <<<"$ulines"
[[ $((got + lostv)) -eq 1500 ]] && ok "stopped daemon: $got arrived, $lostv reported undelivered" ||
  bad "stopped daemon: $got arrived + $lostv reported undelivered != 1500"
endline=$(since_mark | grep -E 'session .*event=end' | tail -1)
[[ $(field violations "$endline") -eq 1500 && -n $(field sent "$endline") ]] &&
  ok "the end record carries the totals: ${endline#*event=end}" || bad "end record: $endline"
[[ $lost -eq 0 || $ulines == *"records could not be delivered"* ]] || bad "undelivered wording"

# (b) The session ends while the daemon is still stopped: it ends promptly, and says what it
# could not deliver.
set_mark
kill -STOP "$daemon_pid"
start=$(date +%s)
# (timeout: a log that blocks would otherwise hold the test here until SIGCONT.)
out=$(timeout 15 bash -c "$(declare -f in_log_ns confined opens); $(declare -p opener run policy work sock); opens 0 0 \"\$@\"" _ "${many[@]:0:100}" 2>&1); status=$?
elapsed=$(($(date +%s) - start))
kill -CONT "$daemon_pid"
[[ $status -eq 0 && $elapsed -le 5 ]] && ok "ends in ${elapsed}s with syslog stopped" ||
  bad "status $status after ${elapsed}s with syslog stopped"
sleep 1
got=$(count "violation .*path=$secret/m[0-9]+ ")
told=$(sed -nE 's/.* [0-9]+ log records \(([0-9]+) violations\) could not be delivered.*/\1/p' <<<"$out")
[[ -n $told && $((got + told)) -eq 100 && $got -ge 1 ]] &&
  ok "stopped to the end: $got arrived, $told reported undelivered on stderr" ||
  bad "stopped to the end: $got arrived, stderr: $(tail -2 <<<"$out")"

# --- 4. A daemon killed and restarted 2 s later, during the session. ----------------------
set_mark
kill_log KILL
twenty=("${many[@]:0:20}")
opens 0.2 2 "${twenty[@]}" >"$work/b.out" 2>&1 &
job=$!
sleep 2
start_log
wait "$job"; status=$?
[[ $status -eq 0 ]] && ok "exit status 0 across a restart" || bad "exit status $status"
logged 'session .*event=end' 10
got=$(count "violation .*path=$secret/m[0-9]+ ")
lostv=0
while read -r l; do [[ -n $l ]] && lostv=$((lostv + $(field violations "$l"))); done \
  <<<"$(since_mark | grep -E ' undelivered ')"
[[ $((got + lostv)) -eq 20 ]] && ok "restart: $got of 20 arrived, $lostv reported undelivered" ||
  bad "restart: $got arrived + $lostv reported != 20"
endline=$(since_mark | grep -E 'session .*event=end' | tail -1)
[[ $(field violations "$endline") -eq 20 ]] && ok "end record: ${endline#*event=end}" ||
  bad "end record after restart: $endline"

# --- 5. The shell: a refused login and a session's end, with the daemon stopped. ----------
printf 'session:\n  wirte: 1\n' >"$work/bad.yaml"
set_mark
kill -STOP "$daemon_pid"
start=$EPOCHREALTIME
out=$(timeout 15 bash -c "$(declare -f in_log_ns); $(declare -p work sock); in_log_ns \"\$@\"" _ \
  "$stsh" --policy "$work/bad.yaml" -c true 2>&1); status=$?
elapsed=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
kill -CONT "$daemon_pid"
[[ $status -eq 1 && $out == *"refusing the session"* ]] &&
  ok "a refused login with syslog stopped ends in ${elapsed}s" || bad "refused login: $status $out"
logged "stsh\[[0-9]+\]: session user=root event=refused reason=\"[^\"]*bad.yaml:2:3: unknown key 'wirte'"
set_mark
out=$(in_log_ns "$stsh" --policy "$policy" -c "perl -e 'open(F, \"<\", \"$secret/shadow\") or print \"\$!\\n\"'" 2>&1); status=$?
[[ $out == *"Permission denied"* ]] && ok "the shell's command denied" || bad "shell: $status $out"
logged 'session .*event=end status=0 violations=1 suppressed=0 sent=2 undelivered=0$'

summary
