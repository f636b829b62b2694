# shellcheck shell=bash
# tests/e2e/lib.sh — functions for the end-to-end tests of stsh behind a real sshd.
#
# Sourced by ssh_e2e_test.sh (bash, as root), after tests/lib/harness.sh, which gives the
# run its results (pass, fail, check, die, summary), its work directory and undo journal
# (everything made outside the work directory is undone at exit, on a signal, or by the
# next run if this one was killed), its private mount namespace with a /dev/log of its own,
# the private rsyslogd and the log marks. On top of that, this file sets up:
#
#   - the rsyslogd's rules: the shipped etc/rsyslog/stsh.conf (writing to a file in the work
#     directory instead of /var/log/stsh.log) and a catch-all file;
#   - sshd on 127.0.0.1, on a port free at run time, with its own host key and
#     configuration, including the shipped etc/sshd/stsh.conf; it runs in the run's mount
#     namespace, so every process sshd starts (the login shell and what it confines) logs
#     to the private rsyslogd;
#   - users made with useradd (stsh-e2e-NAME, homes in the work directory, login shell the
#     stsh under test, public key authentication, members of the group "stsh" that the
#     sshd snippet matches) and their policies in /etc/stsh/users/;
#   - the ssh, scp, sftp and rsync clients with options that never prompt and never hang.
#
# Nothing that existed before is removed or changed. Every client command (e2e_run) marks
# the log first, so the log checks after it read only what was written since.

E2E_PREFIX=stsh-e2e                  # every user is $E2E_PREFIX-NAME
E2E_GROUP=stsh                       # the group etc/sshd/stsh.conf matches
E2E_POLICY_DIR=${E2E_POLICY_DIR:-/etc/stsh} # stsh's configured policy_dir
E2E_TIMEOUT=${E2E_TIMEOUT:-30}       # seconds for any one client command

# --- system set-up ---------------------------------------------------------------------

# e2e_init "$@": the run (tests/lib/harness.sh: root, the mount namespace, the work directory
# $E2E_WORK, the journal) and the programs the test needs.
e2e_init() {
  harness_init e2e "$@"
  E2E_WORK=$work
  require_tools /usr/sbin/sshd ssh scp sftp ssh-keygen rsync groupadd python3 timeout pgrep \
    /usr/lib/openssh/sftp-server
}

# e2e_ensure_dir DIR: make a root-owned 0755 DIR if it is missing (removed at exit if empty).
e2e_ensure_dir() {
  [[ -d $1 ]] && return 0
  undo rmdir "$1"
  install -d -m 0755 -o root -g root "$1" || die "cannot create $1"
}

# e2e_start_rsyslog SNIPPET: the private rsyslogd (start_private_log) with SNIPPET (the
# shipped etc/rsyslog/stsh.conf) as its rules, /var/log/stsh.log replaced by $E2E_LOG, then
# a catch-all rule writing everything else to $E2E_OTHER_LOG, so a test can tell that the
# snippet routes stsh's records and stops them.
e2e_start_rsyslog() {
  local snippet=$1
  E2E_LOG=$E2E_WORK/stsh.log
  E2E_OTHER_LOG=$E2E_WORK/other.log
  grep -q '/var/log/stsh.log' "$snippet" || die "$snippet does not write /var/log/stsh.log"
  mkdir -p "$E2E_WORK/rsyslog"
  sed "s#/var/log/stsh.log#$E2E_LOG#g" "$snippet" >"$E2E_WORK/rsyslog/stsh.conf"
  log_file=$E2E_LOG
  start_private_log "include(file=\"$E2E_WORK/rsyslog/stsh.conf\")
*.* action(type=\"omfile\" file=\"$E2E_OTHER_LOG\")"
}

# e2e_free_port: a TCP port on 127.0.0.1 that nothing listens on now.
e2e_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# e2e_keys: the host key, the client key and the client's known_hosts (after the port).
e2e_keys() {
  ssh-keygen -q -t ed25519 -N '' -C stsh-e2e-host -f "$E2E_WORK/ssh_host_ed25519_key" ||
    die "ssh-keygen (host key) failed"
  ssh-keygen -q -t ed25519 -N '' -C stsh-e2e-client -f "$E2E_WORK/client_key" ||
    die "ssh-keygen (client key) failed"
}

# e2e_start_sshd SNIPPET: sshd on a free port of 127.0.0.1 with SNIPPET (the shipped
# etc/sshd/stsh.conf) included where Debian includes /etc/ssh/sshd_config.d/*.conf: first.
# Sets E2E_PORT and the client options.
e2e_start_sshd() {
  local snippet=$1 try _ out
  # sshd's privilege separation directory, made by its service on a normal boot.
  if [[ ! -d /run/sshd ]]; then
    undo rmdir /run/sshd
    install -d -m 0755 -o root -g root /run/sshd
  fi
  for try in 1 2 3; do
    E2E_PORT=$(e2e_free_port) || die "no free port"
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
      die "sshd -t rejects the configuration (with $snippet)" "$out"
    # In the run's mount namespace, like the per-connection sshd processes it forks: /dev/log
    # is the private rsyslogd's.
    /usr/sbin/sshd -D -e -f "$E2E_WORK/sshd_config" 2>>"$E2E_WORK/sshd.log" &
    E2E_SSHD_PID=$!
    undo kill_pid "$E2E_SSHD_PID" sshd
    for _ in $(seq 100); do
      [[ -d /proc/$E2E_SSHD_PID ]] || break
      if (exec 3<>"/dev/tcp/127.0.0.1/$E2E_PORT") 2>/dev/null; then
        e2e_client_options
        return 0
      fi
      sleep 0.1
    done
    kill_pid "$E2E_SSHD_PID" sshd
    echo "e2e: sshd did not come up on port $E2E_PORT (try $try)" >&2
  done
  die "sshd did not start" "$(tail -n 20 "$E2E_WORK/sshd.log")"
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
  mkdir -p "$E2E_WORK/home"
  chmod 755 "$E2E_WORK/home"
  make_test_user "$user" --home-dir "$home" --no-create-home --shell "$E2E_SHELL" \
    --groups "$E2E_GROUP" --password '*'
  install -d -m 0700 -o "$user" -g "$user" "$home" "$home/.ssh"
  install -m 0600 -o "$user" -g "$user" "$E2E_WORK/client_key.pub" "$home/.ssh/authorized_keys"
  printf '%s\n' "$E2E_TOKEN" >"$home/e2e-marker.txt"
  chown "$user:$user" "$home/e2e-marker.txt"
}

# e2e_install_policy SOURCE NAME [MODE [OWNER]]: SOURCE as $E2E_POLICY_DIR/users/
# $E2E_PREFIX-NAME.yaml, mode MODE (0644) and owner OWNER (root); removed at exit.
e2e_install_policy() {
  local source=$1 target=$E2E_POLICY_DIR/users/$E2E_PREFIX-$2.yaml mode=${3:-0644} owner=${4:-root}
  [[ -e $target ]] && die "$target already exists; remove it if it is a leftover of this test"
  undo rm -f "$target"
  install -m "$mode" -o "$owner" -g root "$source" "$target" || die "cannot install $target"
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
    undo rm -f "$installed"
    install -m 0644 -o root -g root "$shipped" "$installed" || die "cannot install $installed"
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
# It marks the log first: the log checks after it read what was written since.
e2e_run() {
  local err=$E2E_WORK/stderr.$BASHPID in=${E2E_STDIN:-/dev/null}
  E2E_CMD=$*
  log_mark
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
    pass "$what"
  else
    fail "$what" "unmet: ${bad[*]}" "command: $E2E_CMD" "status: $E2E_STATUS" \
      "stdout:"$'\n'"$(head -c 3000 <<<"$E2E_STDOUT")" "stderr:"$'\n'"$(head -c 3000 <<<"$E2E_STDERR")"
  fi
}

# e2e_file_holds PATH TEXT: PATH is a file whose content is exactly TEXT and a newline.
e2e_file_holds() {
  [[ -f $1 && $(cat "$1") == "$2" ]]
}

# e2e_violation_logged WHAT NAME EXE-RE PATH: a violation record of user NAME, by a program
# whose exe matches EXE-RE, about exactly PATH.
e2e_violation_logged() {
  logged_all "$1" 'violation' "user=$(re_quote "$E2E_PREFIX-$2")( |\$)" "exe=$3( |\$)" \
    "path=$(re_quote "$4")( |\$)"
}

# e2e_no_processes_left WHAT USER: within 10 seconds, USER has no process left.
e2e_no_processes_left() {
  local _
  for _ in $(seq 100); do
    if ! pgrep -u "$2" >/dev/null; then
      pass "$1"
      return 0
    fi
    sleep 0.1
  done
  fail "$1" "still running as $2:"$'\n'"$(ps -o pid,ppid,stat,etime,args -u "$2")"
}
