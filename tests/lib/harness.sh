# shellcheck shell=bash
# tests/lib/harness.sh — the one harness of stsh's script tests (sourced, bash, as root).
#
# Used by tests/run/stsh_run_test.sh, tests/shell/common.sh (the shell's tests) and
# tests/e2e/lib.sh (the test behind sshd). It gives them:
#
#   - results: pass, fail, check, die, and summary, which prints the closing line
#     "script checks: N passed, M failed" that scripts/count_results.py counts;
#   - a run of its own (harness_init): a work directory /tmp/stsh-NAME.XXXXXX, an undo
#     journal of everything made outside it, run last-first at exit, on SIGINT/SIGTERM/
#     SIGHUP, and — for a run killed outright — by the next run of any of these tests;
#   - a private mount namespace for the whole run, whose /dev is an overlay of the
#     machine's, with a /dev/log of its own: the machine's /dev and /dev/log (a live
#     rsyslogd or journald socket, or nothing at all) are never written, replaced, created
#     or removed;
#   - a private rsyslogd (start_private_log) whose socket is mounted on that /dev/log, so
#     every record stsh writes during the run reaches a file the test reads;
#   - log assertions that read only what was written after their own mark (log_mark,
#     logged, logged_all, not_logged): a record of an earlier command cannot pass a later
#     check;
#   - test users made with useradd (make_test_user), recognised by their GECOS field and
#     removed at exit.
#
# Checks print "ok: WHAT" or "FAIL: WHAT" (details indented below).

HARNESS_LIB=${BASH_SOURCE[0]}
HARNESS_USER_MARK="stsh test user (tests/lib/harness.sh)" # GECOS of every user it makes
passes=0
failures=0

# --- results ---------------------------------------------------------------------------

pass() {
  echo "ok: $*"
  passes=$((passes + 1))
}

# fail WHAT [DETAIL...]: one failed check; each DETAIL is printed indented.
fail() {
  echo "FAIL: $1"
  shift
  local detail line
  for detail in "$@"; do
    [[ -n $detail ]] || continue
    while IFS= read -r line; do printf '    %s\n' "$line"; done <<<"$detail"
  done
  failures=$((failures + 1))
}

# check WHAT COMMAND...: passes when COMMAND succeeds.
check() {
  local what=$1
  shift
  if "$@"; then pass "$what"; else fail "$what" "false: $*"; fi
}

# summary: the line CI counts; the exit status says whether everything passed.
summary() {
  echo "script checks: $passes passed, $failures failed"
  [[ $failures -eq 0 ]]
}

# die WHAT [DETAIL...]: a set-up step failed; nothing after it can be tested.
die() {
  fail "set-up: $1" "${@:2}"
  summary
  exit 1
}

# re_quote TEXT: TEXT as an extended regular expression matching itself.
re_quote() {
  printf '%s' "$1" | sed 's/[][\.*^$+?(){}|]/\\&/g'
}

# require_tools TOOL...: each is a command on PATH (or an executable path).
require_tools() {
  local tool missing=()
  for tool in "$@"; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  ((${#missing[@]} == 0)) || die "missing: ${missing[*]} (scripts/setup.sh installs what the tests need)"
}

# --- a run: work directory, undo journal, stale runs -----------------------------------

# harness_proc_start PID: the start time of PID (field 22 of /proc/PID/stat), which tells a
# process from a later one that reuses its pid.
harness_proc_start() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  # shellcheck disable=SC2086 # split into the fields after the command name
  set -- $stat
  echo "${20}"
}

# undo CMD [ARG...]: at the end of the run, run CMD ARG... (a command or a function of this
# file). Call it before making the thing it undoes; undoing what was never made must be
# harmless. The journal is run by a bare `bash harness.sh --cleanup`, so CMD must not be a
# function of the test itself.
undo() {
  printf '%q ' "$@" >>"$work/undo"
  printf '\n' >>"$work/undo"
}

# harness_cleanup: run the journal last-first, then remove the work directory.
harness_cleanup() {
  trap - EXIT INT TERM HUP
  [[ -n ${work:-} && -d $work ]] || return 0
  # This process owns the clean-up now: a run starting meanwhile leaves it alone.
  echo "$BASHPID $(harness_proc_start "$BASHPID")" >"$work/harness-owner"
  local line
  if [[ -f $work/undo ]]; then
    while IFS= read -r line; do
      eval "$line" || true
    done < <(tac "$work/undo")
  fi
  # --one-file-system: whatever might still be mounted below it is not followed.
  rm -rf --one-file-system "$work"
}

# On SIGINT/SIGTERM/SIGHUP (meson's timeout sends SIGTERM to the test's process group, then
# SIGKILL soon after) the clean-up runs in a new session, out of reach of that SIGKILL.
harness_on_signal() {
  trap - EXIT INT TERM HUP
  setsid -f bash "$HARNESS_LIB" --cleanup "$work" </dev/null >/dev/null 2>&1
  echo "harness: interrupted; cleaning up in the background" >&2
  exit 1
}

# harness_recover_stale: undo what earlier runs that were killed outright left behind: a
# work directory whose owner is gone.
harness_recover_stale() {
  local dir pid start
  for dir in /tmp/stsh-*.*; do
    [[ -d $dir && ! -L $dir && -f $dir/harness-owner ]] || continue
    read -r pid start <"$dir/harness-owner"
    [[ -n $pid && $(harness_proc_start "$pid") == "$start" ]] && continue # still running
    echo "harness: cleaning up after an earlier run that did not finish ($dir)"
    bash "$HARNESS_LIB" --cleanup "$dir"
  done
  harness_recover_legacy
  harness_recover_legacy_e2e
}

# harness_recover_legacy: the stsh-run test before this harness kept its own work directory
# (/tmp/stsh-run-test.*, no journal), and a killed run left it behind with its rsyslogd still
# running. When no such test runs now (none but this run has stsh_run_test.sh on its command
# line), each is removed and its rsyslogd (the one whose command line names the directory)
# stopped.
harness_recover_legacy() {
  local dir pid cmdline ppid
  # This run, and the subshell this command substitution forks, are not another run.
  for pid in $(pgrep -f 'stsh_run_test\.sh'); do
    ppid=$(awk '{ sub(/.*\) /, ""); print $2 }' "/proc/$pid/stat" 2>/dev/null)
    [[ $pid == "$$" || $ppid == "$$" ]] || return 0
  done
  for dir in /tmp/stsh-run-test.*; do
    [[ -d $dir && ! -L $dir && -f $dir/rsyslog.conf && ! -e $dir/harness-owner ]] || continue
    if [[ -f $dir/rsyslogd.pid ]]; then
      pid=$(cat "$dir/rsyslogd.pid")
      cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)
      [[ $cmdline == *"$dir/rsyslog.conf"* ]] && kill_pid "$pid" rsyslogd
    fi
    echo "harness: removing the work directory of an earlier stsh-run test ($dir)"
    rm -rf --one-file-system "$dir"
  done
}

# harness_init NAME "$@": the start of every test script, called with the script's own
# arguments. Needs root. Re-executes the script in a private mount namespace (same pid),
# cleans up after earlier runs that were killed, makes the work directory $work
# (/tmp/stsh-NAME.XXXXXX, mode 0755: test users reach what the test puts there), its
# journal and traps, and gives the namespace its own /dev/log (harness_private_dev).
harness_init() {
  local name=$1
  shift
  if [[ $(id -u) -ne 0 ]]; then
    echo "$(basename "$0"): needs root (a private mount namespace, rsyslogd, test users); run it with sudo" >&2
    exit 1
  fi
  if [[ ${HARNESS_NAMESPACE:-} != "$$" ]]; then
    # unshare execs the script in place: the pid, and so meson's signals, stay the same.
    HARNESS_NAMESPACE=$$ exec unshare --mount --propagation private -- "$BASH" "$0" "$@"
  fi
  require_tools rsyslogd logger unshare mount umount setsid useradd userdel
  harness_recover_stale
  work=$(mktemp -d "/tmp/stsh-$name.XXXXXX") || die "mktemp failed"
  chmod 755 "$work"
  echo "$$ $(harness_proc_start $$)" >"$work/harness-owner"
  : >"$work/undo"
  trap harness_cleanup EXIT
  trap harness_on_signal INT TERM HUP
  harness_private_dev
}

# harness_recover_legacy_e2e: the end-to-end test before this harness kept an undo journal of
# its own (/tmp/stsh-e2e.*/undo, its pid in owner). One whose owner is no longer that test is
# undone here, with the old journal's actions mapped onto this file's.
harness_recover_legacy_e2e() {
  local dir pid
  for dir in /tmp/stsh-e2e.*; do
    [[ -d $dir && ! -L $dir && -f $dir/owner && -f $dir/undo && ! -e $dir/harness-owner ]] || continue
    pid=$(cat "$dir/owner")
    if [[ -n $pid && -d /proc/$pid ]] && grep -q ssh_e2e_test "/proc/$pid/cmdline" 2>/dev/null; then
      continue # still running
    fi
    echo "harness: cleaning up after an earlier end-to-end run that did not finish ($dir)"
    bash "$HARNESS_LIB" --cleanup-legacy-e2e "$dir"
  done
}

# --- the private /dev/log --------------------------------------------------------------

# harness_private_dev: in this run's mount namespace, /dev becomes an overlay whose lower
# layer is the machine's /dev and whose upper layer is a tmpfs of its own; the mounts below
# /dev (devpts, shm, ...) are put back on top of it. /dev/log there is an empty file of the
# overlay's upper layer, whatever the machine's /dev/log is (a socket of a running syslog
# daemon, a symlink to journald's, or nothing), for start_private_log to mount its socket
# on. An overlay never writes its lower layer, and no mount of the namespace propagates out.
harness_private_dev() {
  local ns=$work/ns p sub subs=() out
  [[ ${HARNESS_NAMESPACE:-} == "$$" ]] || die "harness_private_dev outside the run's mount namespace"
  # Mounts below /dev, outermost first (sorted, a prefix comes first).
  while read -r p; do
    # A /dev/log that is itself a mount (a container's bind of the host's socket) is hidden
    # below, not carried over.
    [[ $p == /dev/log ]] && continue
    for sub in "${subs[@]}"; do [[ $p == "$sub"/* ]] && continue 2; done
    subs+=("$p")
  done < <(awk '$5 ~ "^/dev/" { print $5 }' /proc/self/mountinfo | sort -u)
  mkdir "$ns" || die "mkdir $ns failed"
  out=$(mount -t tmpfs -o mode=0700,size=4m stsh-harness "$ns" 2>&1) || die "mount -t tmpfs $ns failed" "$out"
  mkdir "$ns/upper" "$ns/work" "$ns/orig"
  out=$(mount --rbind /dev "$ns/orig" 2>&1) || die "mount --rbind /dev $ns/orig failed" "$out"
  out=$(mount -t overlay stsh-harness-dev -o "lowerdir=/dev,upperdir=$ns/upper,workdir=$ns/work" /dev 2>&1) ||
    die "mount -t overlay on /dev failed (the kernel needs overlayfs)" "$out"
  # Nothing below is done unless /dev is the overlay: it must never be the machine's.
  [[ $(stat -f -c %T /dev) == overlayfs ]] || die "/dev is not the overlay after mounting it"
  for p in "${subs[@]}"; do
    out=$(mount --rbind "$ns/orig${p#/dev}" "$p" 2>&1) || die "mount --rbind $p failed" "$out"
  done
  umount -R "$ns/orig" || die "umount -R $ns/orig failed"
  # /dev/log in the upper layer: a whiteout hides the machine's (if any), then an empty file
  # is the mount point.
  if [[ -e /dev/log || -L /dev/log ]]; then
    rm -rf /dev/log || die "cannot hide /dev/log in the overlay"
  fi
  : >/dev/log || die "cannot make /dev/log in the overlay"
  # The overlay holds its upper layer; the tmpfs need not stay in the tree, so nothing of it
  # is below $work when the work directory is removed.
  umount -l "$ns" && rmdir "$ns"
}

# --- the private rsyslogd --------------------------------------------------------------

# start_private_log [RULES]: rsyslogd reading the socket $work/log.sock, mounted on this
# run's /dev/log, with RULES as its rules: by default local5 and authpriv (stsh-run's and
# stsh's facilities, and where a session refused before any policy is loaded goes) to
# $work/syslog.log. RULES may use $log_file. No rate limit. Sets log_socket and log_file,
# and marks the log (log_mark).
start_private_log() {
  log_socket=$work/log.sock
  log_file=${log_file:-$work/syslog.log}
  local rules=${1:-"local5.*;authpriv.* action(type=\"omfile\" file=\"$log_file\" template=\"RSYSLOG_FileFormat\")"}
  local dir=$work/rsyslog _ out
  mkdir -p "$dir"
  cat >"$dir/rsyslog.conf" <<CONF
global(workDirectory="$dir")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$log_socket" CreatePath="on" RateLimit.Interval="0")
$rules
CONF
  out=$(rsyslogd -N1 -f "$dir/rsyslog.conf" 2>&1) || die "rsyslogd rejects its configuration" "$out"
  undo kill_pidfile "$dir/rsyslogd.pid" rsyslogd
  out=$(rsyslogd -f "$dir/rsyslog.conf" -i "$dir/rsyslogd.pid" 2>&1) || die "rsyslogd did not start" "$out"
  for _ in $(seq 100); do
    [[ -S $log_socket ]] && break
    sleep 0.05
  done
  [[ -S $log_socket ]] || die "rsyslogd did not create $log_socket"
  out=$(mount --bind "$log_socket" /dev/log 2>&1) || die "mount --bind $log_socket /dev/log failed" "$out"
  log_mark
}

# in_private_log COMMAND...: runs COMMAND. Kept for the tests' readability: since
# harness_init, every process of the run sees the private rsyslogd at /dev/log.
in_private_log() {
  "$@"
}

# --- marks and log assertions ----------------------------------------------------------

harness_marks=0
log_mark_line=0 # the line of the current mark in $log_file: assertions read what follows

# log_sync: send a token through the socket and wait until rsyslogd has written it; sets
# log_sync_line to the token's line. Records sent before it (by processes that have logged
# and gone) are in the file above it: rsyslogd writes one socket's records in order.
log_sync() {
  local token _
  harness_marks=$((harness_marks + 1))
  token="stsh-harness-mark-$$-$harness_marks"
  logger --socket "$log_socket" -t stsh-harness -p local5.notice -- "$token" ||
    die "logger could not write to $log_socket"
  for _ in $(seq 500); do
    log_sync_line=$(grep -n -F -m1 -- "$token" "$log_file" 2>/dev/null | cut -d: -f1)
    [[ -n $log_sync_line ]] && return 0
    sleep 0.01
  done
  die "rsyslogd did not write the mark $token to $log_file within 5 s"
}

# log_mark: from here on, logged / logged_all / not_logged look only at records written
# after this point. The command runners of the tests mark before each command.
log_mark() {
  log_sync
  log_mark_line=$log_sync_line
}

# log_since_mark: the records written after the current mark.
log_since_mark() {
  tail -n +$((log_mark_line + 1)) "$log_file" 2>/dev/null
}

# log_lines RE...: the records since the mark that match every extended regex RE.
log_lines() {
  local lines re
  lines=$(log_since_mark)
  for re in "$@"; do
    lines=$(grep -E -- "$re" <<<"$lines")
  done
  printf '%s' "$lines"
}

# logged_all WHAT RE...: within 5 s (rsyslogd writes asynchronously), a record written since
# the mark matches every RE.
logged_all() {
  local what=$1 _ re wanted=
  shift
  for _ in $(seq 50); do
    if [[ -n $(log_lines "$@") ]]; then
      pass "logged $what"
      return 0
    fi
    sleep 0.1
  done
  for re in "$@"; do wanted+="  /$re/"$'\n'; done
  fail "not logged: $what" "wanted a record since the mark (line $log_mark_line of $log_file) matching all of:"$'\n'"$wanted" \
    "the records since the mark (last 15):"$'\n'"$(log_since_mark | tail -n 15)"
  return 1
}

# logged PATTERN [WHAT]: a record written since the mark matches the extended regex PATTERN.
logged() {
  logged_all "${2:-/$1/}" "$1"
}

# not_logged PATTERN [WHAT]: no record written between the mark and now matches (now: after
# a token sent through the socket has been written, so nothing already sent is missed).
not_logged() {
  local now
  log_sync
  now=$log_sync_line
  if sed -n "$((log_mark_line + 1)),${now}p" "$log_file" | grep -Eq -- "$1"; then
    fail "${2:-unexpected record /$1/}" "$(sed -n "$((log_mark_line + 1)),${now}p" "$log_file" | grep -E -- "$1")"
    return 1
  fi
  pass "${2:-no record /$1/}"
}

# --- test users ------------------------------------------------------------------------

# make_test_user NAME [USERADD-OPTION...]: a user of this run, made with useradd and removed
# (with its home, its processes and its own group) at the end of the run. A user of that
# name that this harness did not make is an error; one it made in a run that was killed is
# removed with that run's journal before this one starts.
make_test_user() {
  local name=$1 out
  shift
  if getent passwd "$name" >/dev/null; then
    die "user $name already exists and was not made by a run that can be recognised; remove it (userdel -r $name)"
  fi
  undo remove_test_user "$name"
  out=$(useradd --comment "$HARNESS_USER_MARK" "$@" "$name" 2>&1) || die "useradd $name failed" "$out"
}

# remove_test_user NAME: remove NAME if this harness made it (by its GECOS field).
remove_test_user() {
  local name=$1 _ pid
  [[ $(getent passwd "$name" | cut -d: -f5) == "$HARNESS_USER_MARK" ]] || return 0
  for _ in 1 2 3 4 5; do
    pgrep -u "$name" >/dev/null || break
    for pid in $(pgrep -u "$name"); do kill -9 "$pid" 2>/dev/null; done
    sleep 0.2
  done
  userdel -r "$name" 2>/dev/null || userdel -f -r "$name" 2>/dev/null
  # userdel removes the user's own group unless someone else is in it.
  getent group "$name" >/dev/null && groupdel "$name" 2>/dev/null
  return 0
}

# --- undo actions ----------------------------------------------------------------------

# kill_pid PID NAME: kill PID if it is still the process called NAME, and wait for it.
kill_pid() {
  local pid=$1 name=$2 _
  [[ -n $pid && $(cat "/proc/$pid/comm" 2>/dev/null) == "$name" ]] || return 0
  kill "$pid" 2>/dev/null
  for _ in $(seq 50); do
    [[ -d /proc/$pid ]] || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null
  return 0
}

# kill_pidfile FILE NAME
kill_pidfile() {
  [[ -f $1 ]] && kill_pid "$(cat "$1")" "$2"
  return 0
}

# Run as a program: bash harness.sh --cleanup WORKDIR (the clean-up of an interrupted run),
# or --cleanup-legacy-e2e WORKDIR (a journal of the end-to-end test before this harness).
if [[ ${BASH_SOURCE[0]} == "$0" && -n ${2:-} ]]; then
  case ${1:-} in
    --cleanup)
      work=$2
      harness_cleanup
      ;;
    --cleanup-legacy-e2e)
      work=$2
      e2e_kill_pid() { kill_pid "$@"; }
      e2e_kill_pidfile() { kill_pidfile "$@"; }
      # Its users carried this GECOS field.
      e2e_remove_user() {
        [[ $(getent passwd "$1" | cut -d: -f5) == "stsh end-to-end test user" ]] || return 0
        HARNESS_USER_MARK="stsh end-to-end test user" remove_test_user "$1"
      }
      # It made an empty /dev/log on a machine without one; that is left to the machine.
      e2e_remove_empty_file() { [[ $1 == /dev/log ]] || { [[ -f $1 && ! -L $1 && ! -s $1 ]] && rm -f "$1"; }; return 0; }
      harness_cleanup
      ;;
  esac
fi

# start_private_audit STSH-AUDIT: stsh-audit for this namespace only, so that stsh-run and stsh
# take the kernel route with their kernel-tier denials recorded (docs/ARCHITECTURE.md,
# "Per-command confinement"). /run/stsh becomes a tmpfs of this namespace (a tmpfs over /run
# when the machine has no /run/stsh: nothing is created on the machine). The daemon turns
# auditing on and raises the backlog for the run, and puts both back when it ends (undo).
# Needs Linux 6.15 (Landlock ABI 7); exits 77 (skipped, never passed) without it.
start_private_audit() {
  local daemon_bin=$1
  if [[ -d /run/stsh ]]; then
    mount -t tmpfs -o mode=0755 stsh-harness-audit /run/stsh || die "mount tmpfs on /run/stsh failed"
  else
    mount -t tmpfs -o mode=0755 stsh-harness-audit /run || die "mount tmpfs on /run failed"
  fi
  local err=$work/stsh-audit.err
  # Not a child of the test's shell, so that a test's plain `wait` does not wait for it.
  ("$daemon_bin" --enable-audit --backlog 8192 2>"$err" & echo $! >"$work/stsh-audit.pid")
  audit_pid=$(cat "$work/stsh-audit.pid")
  undo kill_pid "$audit_pid" stsh-audit
  local _
  for _ in $(seq 200); do
    [[ -S /run/stsh/audit.sock ]] && return 0
    kill -0 "$audit_pid" 2>/dev/null || break
    sleep 0.05
  done
  if grep -q "no Landlock audit" "$err"; then
    echo "skip: $(cat "$err")"
    exit 77
  fi
  die "stsh-audit did not start" "$(cat "$err")"
}
