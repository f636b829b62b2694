# Shared by the shell's test scripts (sourced): pass/fail counting with the summary line CI
# counts, a private rsyslogd whose records the tests read back, and a test user.
#
# A test that sources this needs root: rsyslogd binds a private socket, and commands run
# under `in_private_log` see that socket at /dev/log through a private mount namespace, so
# the records asserted are the ones stsh wrote, whatever syslog daemon the machine runs.

passes=0
failures=0

pass() { echo "ok: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# check DESCRIPTION COMMAND...: passes when COMMAND succeeds.
check() {
  local what=$1
  shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}

# summary: the line CI counts; the exit status says whether everything passed.
summary() {
  echo "script checks: $passes passed, $failures failed"
  [[ $failures -eq 0 ]]
}

require_root() {
  if [[ $(id -u) -ne 0 ]]; then
    echo "$1: needs root (a private rsyslogd, a test user); run it with sudo" >&2
    exit 1
  fi
  command -v rsyslogd >/dev/null || { echo "$1: rsyslogd is not installed" >&2; exit 1; }
}

# start_private_log WORKDIR: rsyslogd writing local5 and authpriv (where stsh records a
# session it refuses before any policy is loaded) to WORKDIR/syslog.log from the socket
# WORKDIR/log.sock. Sets log_socket and log_file.
start_private_log() {
  local dir=$1
  log_socket=$dir/log.sock
  log_file=$dir/syslog.log
  cat >"$dir/rsyslog.conf" <<CONF
global(workDirectory="$dir")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$log_socket" CreatePath="on")
local5.*;authpriv.* action(type="omfile" file="$log_file" template="RSYSLOG_FileFormat")
CONF
  rsyslogd -f "$dir/rsyslog.conf" -i "$dir/rsyslogd.pid"
  harness_devlog_made=false
  if [[ ! -e /dev/log ]]; then
    : >/dev/log && harness_devlog_made=true
  fi
  for _ in $(seq 50); do [[ -S $log_socket ]] && return 0; sleep 0.1; done
  echo "rsyslogd did not create $log_socket" >&2
  return 1
}

stop_private_log() {
  local dir=$1
  [[ -f $dir/rsyslogd.pid ]] && kill "$(cat "$dir/rsyslogd.pid")" 2>/dev/null
  ${harness_devlog_made:-false} && rm -f /dev/log
  return 0
}

# in_private_log COMMAND...: runs COMMAND with /dev/log pointing at the private rsyslogd.
in_private_log() {
  unshare --mount --propagation private bash -c 'mount --bind "$1" /dev/log && shift && exec "$@"' \
    _ "$log_socket" "$@"
}

# logged PATTERN [DESCRIPTION]: a record matching the extended regex PATTERN reached the log
# (rsyslogd writes asynchronously: wait up to 5 s).
logged() {
  for _ in $(seq 50); do
    if grep -Eq -- "$1" "$log_file" 2>/dev/null; then
      pass "logged ${2:-/$1/}"
      return 0
    fi
    sleep 0.1
  done
  fail "no record /$1/ in the log"
  sed 's/^/    /' "$log_file" 2>/dev/null | tail -5
  return 1
}

# not_logged PATTERN DESCRIPTION: no record matches (after giving rsyslogd a moment).
not_logged() {
  sleep 0.3
  if grep -Eq -- "$1" "$log_file" 2>/dev/null; then
    fail "${2:-unexpected record /$1/}"
  else
    pass "${2:-no record /$1/}"
  fi
}

# make_test_user NAME: a real unprivileged user with a home directory, removed by
# remove_test_user. Sets harness_user_made.
make_test_user() {
  harness_user_made=false
  if ! id "$1" >/dev/null 2>&1; then
    useradd --create-home --shell /usr/sbin/nologin "$1" && harness_user_made=true
  fi
}

remove_test_user() {
  if ${harness_user_made:-false}; then
    pkill -KILL -u "$1" 2>/dev/null
    userdel --remove "$1" 2>/dev/null
  fi
  return 0
}
