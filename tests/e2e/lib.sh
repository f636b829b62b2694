# shellcheck shell=bash
# tests/e2e/lib.sh — functions for the end-to-end tests of stsh behind a real sshd.
#
# Sourced by ssh_e2e_test.sh (bash, as root). It sets up, and takes down again, everything
# a test session needs on this machine:
#
#   - a private rsyslogd whose configuration is the shipped etc/rsyslog/stsh.conf (writing
#     to a file in the work directory instead of /var/log/stsh.log) and a catch-all file;
#   - sshd on 127.0.0.1, on a port free at run time, with its own host key and
#     configuration, including the shipped etc/sshd/stsh.conf; it runs in a private mount
#     namespace where the rsyslogd's socket is bound over /dev/log, so every process sshd
#     starts (the login shell and what it confines) logs there;
#   - users made with useradd (stsh-e2e-NAME, homes in the work directory, login shell the
#     stsh under test, public key authentication, members of the group "stsh" that the
#     sshd snippet matches) and their policies in /etc/stsh/users/;
#   - the ssh, scp, sftp and rsync clients with options that never prompt and never hang.
#
# Everything the harness creates outside its work directory is written to an undo
# journal ($E2E_WORK/undo) before it is created, and undone last-first at exit, on
# failure, on SIGINT/SIGTERM, and, for a run that was killed outright (SIGKILL), by the
# next run (e2e_recover_stale). Nothing that existed before is removed or changed.
#
# Checks print "ok: ..." or "FAIL: ..."; e2e_summary prints the closing line
# "script checks: N passed, M failed" that CI's counter reads.

E2E_PREFIX=stsh-e2e                  # every user is $E2E_PREFIX-NAME
E2E_MARK="stsh end-to-end test user" # their GECOS field: how a leftover is recognised
E2E_GROUP=stsh                       # the group etc/sshd/stsh.conf matches
E2E_POLICY_DIR=${E2E_POLICY_DIR:-/etc/stsh} # stsh's configured policy_dir
E2E_LIB=${BASH_SOURCE[0]}
E2E_TIMEOUT=${E2E_TIMEOUT:-30}       # seconds for any one client command
e2e_passes=0
e2e_failures=0

# --- results ---------------------------------------------------------------------------

e2e_ok() {
  echo "ok: $*"
  e2e_passes=$((e2e_passes + 1))
}

# e2e_fail WHAT [DETAIL...]: one failed check; each DETAIL is printed indented.
e2e_fail() {
  echo "FAIL: $1"
  shift
  local detail line
  for detail in "$@"; do
    [[ -n $detail ]] || continue
    while IFS= read -r line; do printf '    %s\n' "$line"; done <<<"$detail"
  done
  e2e_failures=$((e2e_failures + 1))
}

e2e_summary() {
  echo "script checks: $e2e_passes passed, $e2e_failures failed"
  [[ $e2e_failures -eq 0 ]]
}

# e2e_die WHAT [DETAIL...]: a set-up step failed; nothing after it can be tested.
e2e_die() {
  e2e_fail "set-up: $1" "${@:2}"
  e2e_summary
  exit 1
}

# e2e_re TEXT: TEXT as an extended regular expression matching itself.
e2e_re() {
  printf '%s' "$1" | sed 's/[][\.*^$+?(){}|]/\\&/g'
}

# --- the undo journal ------------------------------------------------------------------

# e2e_undo CMD [ARG...]: at exit, run CMD ARG... (a command or a function of this file).
# Call it before creating the thing it undoes; undoing something that was never made
# must be harmless.
e2e_undo() {
  printf '%q ' "$@" >>"$E2E_WORK/undo"
  printf '\n' >>"$E2E_WORK/undo"
}

# e2e_cleanup: undo everything in the journal, last first, then remove the work directory.
e2e_cleanup() {
  trap - EXIT INT TERM HUP
  local line
  if [[ -f $E2E_WORK/undo ]]; then
    while IFS= read -r line; do
      eval "$line" || true
    done < <(tac "$E2E_WORK/undo")
  fi
  rm -rf "$E2E_WORK"
}

# On SIGINT/SIGTERM (meson's timeout sends SIGTERM to the test's process group, then
# SIGKILL half a second later) the clean-up runs from a new session, out of reach of that
# SIGKILL, and the test exits at once.
e2e_on_signal() {
  trap - EXIT INT TERM HUP
  setsid -f bash "$E2E_LIB" --cleanup "$E2E_WORK" </dev/null >/dev/null 2>&1
  echo "e2e: interrupted; cleaning up in the background" >&2
  exit 1
}

# e2e_recover_stale: undo what earlier runs that were killed outright left behind (their
# work directory and journal are still there, their process is gone).
e2e_recover_stale() {
  local dir pid
  for dir in /tmp/stsh-e2e.*; do
    [[ -f $dir/owner && -f $dir/undo ]] || continue
    pid=$(cat "$dir/owner")
    if [[ -n $pid && -d /proc/$pid ]] && grep -q ssh_e2e_test "/proc/$pid/cmdline" 2>/dev/null; then
      continue # still running
    fi
    echo "e2e: cleaning up after an earlier run that did not finish ($dir)"
    bash "$E2E_LIB" --cleanup "$dir"
  done
}

# e2e_init: the work directory (traversable by the test users: their homes are in it),
# the journal and the traps.
e2e_init() {
  e2e_recover_stale
  E2E_WORK=$(mktemp -d /tmp/stsh-e2e.XXXXXX) || e2e_die "mktemp failed"
  chmod 755 "$E2E_WORK"
  echo $$ >"$E2E_WORK/owner"
  : >"$E2E_WORK/undo"
  trap e2e_cleanup EXIT
  trap e2e_on_signal INT TERM HUP
}

# --- undo actions ----------------------------------------------------------------------

# e2e_kill_pid PID NAME: kill PID if it is still the process called NAME, and wait for it.
e2e_kill_pid() {
  local pid=$1 name=$2 _
  [[ -n $pid && -r /proc/$pid/comm && $(cat "/proc/$pid/comm" 2>/dev/null) == "$name" ]] || return 0
  kill "$pid" 2>/dev/null
  for _ in $(seq 50); do
    [[ -d /proc/$pid ]] || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null
}

# e2e_kill_pidfile FILE NAME
e2e_kill_pidfile() {
  [[ -f $1 ]] && e2e_kill_pid "$(cat "$1")" "$2"
  return 0
}

# e2e_kill_user_processes USER: kill every process of USER, one by one by its pid.
e2e_kill_user_processes() {
  local pid
  for pid in $(pgrep -u "$1"); do
    kill -9 "$pid" 2>/dev/null
  done
}

# e2e_remove_user NAME: remove a user this harness made (recognised by its GECOS field),
# with its home, its processes and its own group.
e2e_remove_user() {
  local name=$1 _
  [[ $(getent passwd "$name" | cut -d: -f5) == "$E2E_MARK" ]] || return 0
  for _ in 1 2 3; do
    pgrep -u "$name" >/dev/null || break
    e2e_kill_user_processes "$name"
    sleep 0.2
  done
  userdel -r "$name" 2>/dev/null || userdel -f -r "$name" 2>/dev/null
  # userdel removes the user's own group unless someone else is in it; a group of that
  # name left behind is this harness's too.
  getent group "$name" >/dev/null && groupdel "$name" 2>/dev/null
  return 0
}

# e2e_remove_empty_file PATH: remove PATH only if it is still the empty regular file we made.
e2e_remove_empty_file() {
  [[ -f $1 && ! -L $1 && ! -s $1 ]] && rm -f "$1"
  return 0
}

# --- system set-up ---------------------------------------------------------------------

# e2e_require_root_and_tools: the test needs root and these programs.
e2e_require_root_and_tools() {
  [[ $(id -u) -eq 0 ]] || e2e_die "needs root (useradd, sshd, a private mount namespace); run it with sudo"
  local tool missing=()
  for tool in /usr/sbin/sshd ssh scp sftp ssh-keygen rsync rsyslogd unshare useradd userdel \
    groupadd python3 setsid timeout pgrep /usr/lib/openssh/sftp-server; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  ((${#missing[@]} == 0)) || e2e_die "missing: ${missing[*]} (scripts/setup.sh installs openssh-server, openssh-client, rsync, rsyslog)"
}

# e2e_ensure_dir DIR: make a root-owned 0755 DIR if it is missing (removed at exit if empty).
e2e_ensure_dir() {
  [[ -d $1 ]] && return 0
  e2e_undo rmdir "$1"
  install -d -m 0755 -o root -g root "$1" || e2e_die "cannot create $1"
}

# e2e_start_rsyslog SNIPPET: a private rsyslogd on $E2E_WORK/log.sock. Its configuration is
# SNIPPET (the shipped etc/rsyslog/stsh.conf) with /var/log/stsh.log replaced by
# $E2E_LOG, then a catch-all rule writing everything else to $E2E_OTHER_LOG, so a test can
# tell that the snippet routes stsh's records and stops them.
e2e_start_rsyslog() {
  local snippet=$1 _
  E2E_SOCK=$E2E_WORK/log.sock
  E2E_LOG=$E2E_WORK/stsh.log
  E2E_OTHER_LOG=$E2E_WORK/other.log
  grep -q '/var/log/stsh.log' "$snippet" || e2e_die "$snippet does not write /var/log/stsh.log"
  mkdir -p "$E2E_WORK/rsyslog"
  sed "s#/var/log/stsh.log#$E2E_LOG#g" "$snippet" >"$E2E_WORK/rsyslog/stsh.conf"
  cat >"$E2E_WORK/rsyslog/rsyslog.conf" <<CONF
global(workDirectory="$E2E_WORK/rsyslog")
module(load="imuxsock" SysSock.Use="off")
# No rate limit: twenty sessions log at once.
input(type="imuxsock" Socket="$E2E_SOCK" CreatePath="on" RateLimit.Interval="0")
include(file="$E2E_WORK/rsyslog/stsh.conf")
*.* action(type="omfile" file="$E2E_OTHER_LOG")
CONF
  local check
  check=$(rsyslogd -N1 -f "$E2E_WORK/rsyslog/rsyslog.conf" 2>&1) ||
    e2e_die "rsyslogd rejects the configuration with $snippet" "$check"
  e2e_undo e2e_kill_pidfile "$E2E_WORK/rsyslog/rsyslogd.pid" rsyslogd
  rsyslogd -f "$E2E_WORK/rsyslog/rsyslog.conf" -i "$E2E_WORK/rsyslog/rsyslogd.pid" ||
    e2e_die "rsyslogd did not start"
  for _ in $(seq 50); do
    [[ -S $E2E_SOCK ]] && break
    sleep 0.1
  done
  [[ -S $E2E_SOCK ]] || e2e_die "rsyslogd did not create $E2E_SOCK"
  # The bind mount needs something at /dev/log; a machine without a syslog socket gets an
  # empty file there for the duration of the test.
  if [[ ! -e /dev/log && ! -L /dev/log ]]; then
    e2e_undo e2e_remove_empty_file /dev/log
    : >/dev/log
  fi
}

# e2e_free_port: a TCP port on 127.0.0.1 that nothing listens on now.
e2e_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# e2e_keys: the host key, the client key and the client's known_hosts (after the port).
e2e_keys() {
  ssh-keygen -q -t ed25519 -N '' -C stsh-e2e-host -f "$E2E_WORK/ssh_host_ed25519_key" ||
    e2e_die "ssh-keygen (host key) failed"
  ssh-keygen -q -t ed25519 -N '' -C stsh-e2e-client -f "$E2E_WORK/client_key" ||
    e2e_die "ssh-keygen (client key) failed"
}

# e2e_start_sshd SNIPPET: sshd on a free port of 127.0.0.1 with SNIPPET (the shipped
# etc/sshd/stsh.conf) included where Debian includes /etc/ssh/sshd_config.d/*.conf: first.
# Sets E2E_PORT and the client options.
e2e_start_sshd() {
  local snippet=$1 try _ out
  # sshd's privilege separation directory, made by its service on a normal boot.
  if [[ ! -d /run/sshd ]]; then
    e2e_undo rmdir /run/sshd
    install -d -m 0755 -o root -g root /run/sshd
  fi
  for try in 1 2 3; do
    E2E_PORT=$(e2e_free_port) || e2e_die "no free port"
    cat >"$E2E_WORK/sshd_config" <<CONF
# The shipped snippet first, as Debian's sshd_config includes sshd_config.d/*.conf first.
Include $snippet

Port $E2E_PORT
ListenAddress 127.0.0.1
HostKey $E2E_WORK/ssh_host_ed25519_key
PidFile $E2E_WORK/sshd.pid
# Key authentication only. No PAM: the users' password field is "*" (no password, not
# locked), which sshd accepts for key logins without PAM's account and session stacks.
UsePAM no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
StrictModes yes
AuthorizedKeysFile .ssh/authorized_keys
# The external sftp server, which sshd starts through the login shell (the snippet says
# why internal-sftp must not be used).
Subsystem sftp /usr/lib/openssh/sftp-server
PrintMotd no
PrintLastLog no
# Twenty concurrent logins must not meet MaxStartups' random early drop.
MaxStartups 100
MaxSessions 100
LogLevel VERBOSE
CONF
    out=$(/usr/sbin/sshd -t -f "$E2E_WORK/sshd_config" 2>&1) ||
      e2e_die "sshd -t rejects the configuration (with $snippet)" "$out"
    # The per-connection sshd processes are forked by this one and inherit its namespace.
    # shellcheck disable=SC2016 # $1 and $@ are the inner bash's
    unshare --mount --propagation private bash -c 'mount --bind "$1" /dev/log && shift && exec "$@"' \
      _ "$E2E_SOCK" /usr/sbin/sshd -D -e -f "$E2E_WORK/sshd_config" 2>>"$E2E_WORK/sshd.log" &
    E2E_SSHD_PID=$!
    e2e_undo e2e_kill_pid "$E2E_SSHD_PID" sshd
    for _ in $(seq 100); do
      [[ -d /proc/$E2E_SSHD_PID ]] || break
      if (exec 3<>"/dev/tcp/127.0.0.1/$E2E_PORT") 2>/dev/null; then
        e2e_client_options
        return 0
      fi
      sleep 0.1
    done
    e2e_kill_pid "$E2E_SSHD_PID" sshd
    echo "e2e: sshd did not come up on port $E2E_PORT (try $try)" >&2
  done
  e2e_die "sshd did not start" "$(tail -n 20 "$E2E_WORK/sshd.log")"
}

e2e_client_options() {
  printf '[127.0.0.1]:%s %s\n' "$E2E_PORT" "$(cut -d' ' -f1,2 "$E2E_WORK/ssh_host_ed25519_key.pub")" \
    >"$E2E_WORK/known_hosts"
  # -F /dev/null: no ~/.ssh/config, no /etc/ssh/ssh_config (whose SendEnv would pass LANG).
  E2E_SSH_OPTS=(-F /dev/null -i "$E2E_WORK/client_key" -o IdentitiesOnly=yes -o BatchMode=yes
    -o ConnectTimeout=5 -o ServerAliveInterval=5 -o ServerAliveCountMax=3
    -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$E2E_WORK/known_hosts"
    -o GlobalKnownHostsFile=/dev/null -o LogLevel=ERROR)
}

# e2e_add_user NAME: user $E2E_PREFIX-NAME, home $E2E_WORK/home/NAME (0700), login shell
# $E2E_SHELL, password "*", a member of $E2E_GROUP, the client key in authorized_keys.
# Its home gets e2e-marker.txt holding $E2E_TOKEN.
e2e_add_user() {
  local user=$E2E_PREFIX-$1 home=$E2E_WORK/home/$1 out
  if getent passwd "$user" >/dev/null; then
    e2e_die "user $user already exists and was not made by a run of this test that can be recognised; remove it (userdel -r $user)"
  fi
  mkdir -p "$E2E_WORK/home"
  chmod 755 "$E2E_WORK/home"
  e2e_undo e2e_remove_user "$user"
  out=$(useradd --comment "$E2E_MARK" --home-dir "$home" --no-create-home --shell "$E2E_SHELL" \
    --groups "$E2E_GROUP" --password '*' "$user" 2>&1) || e2e_die "useradd $user failed" "$out"
  install -d -m 0700 -o "$user" -g "$user" "$home" "$home/.ssh"
  install -m 0600 -o "$user" -g "$user" "$E2E_WORK/client_key.pub" "$home/.ssh/authorized_keys"
  printf '%s\n' "$E2E_TOKEN" >"$home/e2e-marker.txt"
  chown "$user:$user" "$home/e2e-marker.txt"
}

# e2e_install_policy SOURCE NAME [MODE [OWNER]]: SOURCE as $E2E_POLICY_DIR/users/
# $E2E_PREFIX-NAME.yaml, mode MODE (0644) and owner OWNER (root); removed at exit.
e2e_install_policy() {
  local source=$1 target=$E2E_POLICY_DIR/users/$E2E_PREFIX-$2.yaml mode=${3:-0644} owner=${4:-root}
  [[ -e $target ]] && e2e_die "$target already exists; remove it if it is a leftover of this test"
  e2e_undo rm -f "$target"
  install -m "$mode" -o "$owner" -g root "$source" "$target" || e2e_die "cannot install $target"
}

# e2e_policy_dir SOURCE_ROOT: the policy directory, users/, and the shipped profiles the
# test policies include (profiles/base.yaml), each made if missing and removed at exit.
# An installed profile that differs from the shipped one is used as it is, with a note.
e2e_policy_dir() {
  local shipped=$1/etc/stsh/profiles/base.yaml installed=$E2E_POLICY_DIR/profiles/base.yaml
  e2e_ensure_dir "$E2E_POLICY_DIR"
  e2e_ensure_dir "$E2E_POLICY_DIR/users"
  e2e_ensure_dir "$E2E_POLICY_DIR/profiles"
  if [[ ! -e $installed ]]; then
    e2e_undo rm -f "$installed"
    install -m 0644 -o root -g root "$shipped" "$installed" || e2e_die "cannot install $installed"
  elif ! cmp -s "$shipped" "$installed"; then
    echo "note: $installed differs from the shipped one; the test uses it as it is"
  fi
}

# --- clients ---------------------------------------------------------------------------

# e2e_remote NAME PATH: the scp/rsync form of PATH on NAME's account.
e2e_remote() {
  printf '%s@127.0.0.1:%s' "$E2E_PREFIX-$1" "$2"
}

# e2e_ssh NAME [SSH-OPTION...] [-- REMOTE-COMMAND]: ssh to NAME's account.
e2e_ssh() {
  local user=$E2E_PREFIX-$1 opts=()
  shift
  while (($#)) && [[ $1 != -- ]]; do
    opts+=("$1")
    shift
  done
  (($#)) && shift
  timeout --foreground -k 5 "$E2E_TIMEOUT" \
    ssh "${E2E_SSH_OPTS[@]}" -p "$E2E_PORT" -l "$user" "${opts[@]}" 127.0.0.1 "$@"
}

# e2e_scp ARG...: scp with the harness's options (ARGs: -O, sources, target).
e2e_scp() {
  timeout --foreground -k 5 "$E2E_TIMEOUT" scp "${E2E_SSH_OPTS[@]}" -P "$E2E_PORT" "$@"
}

# e2e_sftp NAME BATCH: sftp in batch mode (-b) running the lines of BATCH on NAME's account.
# Batch mode stops at the first command that fails, with status 1.
e2e_sftp() {
  local batch
  batch=$(mktemp "$E2E_WORK/sftp-batch.XXXXXX")
  printf '%s\n' "$2" >"$batch"
  timeout --foreground -k 5 "$E2E_TIMEOUT" \
    sftp "${E2E_SSH_OPTS[@]}" -P "$E2E_PORT" -b "$batch" "$E2E_PREFIX-$1@127.0.0.1"
  local status=$?
  rm -f "$batch"
  return $status
}

# e2e_rsync ARG...: rsync over ssh with the harness's options.
e2e_rsync() {
  # rsync splits -e at blanks; no option holds one (the work directory is mktemp's).
  timeout --foreground -k 5 "$E2E_TIMEOUT" \
    rsync -e "ssh ${E2E_SSH_OPTS[*]} -p $E2E_PORT" "$@"
}

# --- running and judging ---------------------------------------------------------------

# e2e_run CMD...: run CMD with standard input from /dev/null (unless E2E_STDIN names a
# file); sets E2E_STDOUT, E2E_STDERR (carriage returns removed), E2E_STATUS and E2E_CMD.
e2e_run() {
  local err=$E2E_WORK/stderr.$BASHPID in=${E2E_STDIN:-/dev/null}
  E2E_CMD=$*
  E2E_STDOUT=$("$@" <"$in" 2>"$err")
  E2E_STATUS=$?
  E2E_STDERR=$(cat "$err")
  rm -f "$err"
  E2E_STDOUT=${E2E_STDOUT//$'\r'/}
  E2E_STDERR=${E2E_STDERR//$'\r'/}
}

# e2e_expect WHAT CRITERION...: judge the last e2e_run. Criteria:
#   status=N   status!=0   out~RE   out!~RE   err~RE   err!~RE   all~RE   all!~RE
# where out is standard output, err standard error, all both; RE an extended regex.
e2e_expect() {
  local what=$1 criterion text re bad=()
  shift
  for criterion in "$@"; do
    case $criterion in
      status=*) [[ $E2E_STATUS -eq ${criterion#status=} ]] || bad+=("$criterion") ;;
      status!=0) [[ $E2E_STATUS -ne 0 ]] || bad+=("$criterion") ;;
      out~* | out!~* | err~* | err!~* | all~* | all!~*)
        case ${criterion%%~*} in
          out | out!) text=$E2E_STDOUT ;;
          err | err!) text=$E2E_STDERR ;;
          *) text=$E2E_STDOUT$'\n'$E2E_STDERR ;;
        esac
        re=${criterion#*~}
        if [[ ${criterion%%~*} == *! ]]; then
          ! grep -Eq -- "$re" <<<"$text" || bad+=("$criterion")
        else
          grep -Eq -- "$re" <<<"$text" || bad+=("$criterion")
        fi
        ;;
      *) bad+=("unknown criterion $criterion") ;;
    esac
  done
  if ((${#bad[@]} == 0)); then
    e2e_ok "$what"
  else
    e2e_fail "$what" "unmet: ${bad[*]}" "command: $E2E_CMD" "status: $E2E_STATUS" \
      "stdout:"$'\n'"$(head -c 3000 <<<"$E2E_STDOUT")" "stderr:"$'\n'"$(head -c 3000 <<<"$E2E_STDERR")"
  fi
}

# e2e_check WHAT COMMAND...: a check that passes when COMMAND succeeds.
e2e_check() {
  local what=$1
  shift
  if "$@"; then e2e_ok "$what"; else e2e_fail "$what" "false: $*"; fi
}

# e2e_file_holds PATH TEXT: PATH is a file whose content is exactly TEXT and a newline.
e2e_file_holds() {
  [[ -f $1 && $(cat "$1") == "$2" ]]
}

# e2e_log_lines RE...: the lines of the stsh log that match every RE.
e2e_log_lines() {
  local lines re
  lines=$(cat "$E2E_LOG" 2>/dev/null)
  for re in "$@"; do
    lines=$(grep -E -- "$re" <<<"$lines")
  done
  printf '%s' "$lines"
}

# e2e_logged WHAT RE...: within 5 seconds (rsyslogd writes asynchronously), a line of the
# stsh log matches every RE.
e2e_logged() {
  local what=$1 _
  shift
  for _ in $(seq 50); do
    if [[ -n $(e2e_log_lines "$@") ]]; then
      e2e_ok "logged: $what"
      return 0
    fi
    sleep 0.1
  done
  local wanted re
  for re in "$@"; do wanted+="  /$re/"$'\n'; done
  e2e_fail "not logged: $what" "wanted one line of $E2E_LOG matching all of:"$'\n'"$wanted" \
    "its last lines:"$'\n'"$(tail -n 15 "$E2E_LOG" 2>/dev/null)"
}

# e2e_violation_logged WHAT NAME EXE-RE PATH: a violation record of user NAME, by a program
# whose exe matches EXE-RE, about exactly PATH.
e2e_violation_logged() {
  e2e_logged "$1" 'violation' "user=$(e2e_re "$E2E_PREFIX-$2")( |\$)" "exe=$3( |\$)" \
    "path=$(e2e_re "$4")( |\$)"
}

# e2e_no_processes_left WHAT USER: within 10 seconds, USER has no process left.
e2e_no_processes_left() {
  local _
  for _ in $(seq 100); do
    if ! pgrep -u "$2" >/dev/null; then
      e2e_ok "$1"
      return 0
    fi
    sleep 0.1
  done
  e2e_fail "$1" "still running as $2:"$'\n'"$(ps -o pid,ppid,stat,etime,args -u "$2")"
}

# Run as a program: bash lib.sh --cleanup WORKDIR (the clean-up of an interrupted run).
if [[ ${BASH_SOURCE[0]} == "$0" && ${1:-} == --cleanup && -n ${2:-} ]]; then
  E2E_WORK=$2
  e2e_cleanup
fi
