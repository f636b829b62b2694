#!/usr/bin/env bash
# stsh end to end: real users whose login shell is stsh, behind a real sshd, logging to a
# real rsyslogd, driven with the real ssh, scp, sftp and rsync clients.
#
# Usage (as root): ssh_e2e_test.sh STSH SOURCE_ROOT
#   STSH         the stsh binary to test (copied into the work directory: the users' login
#                shell must be reachable by them wherever the build directory is)
#   SOURCE_ROOT  the source tree: the shipped etc/ snippets and profiles, tests/e2e/policies
# Environment: E2E_POLICY_DIR (default /etc/stsh) must be the policy_dir stsh was built
# with; E2E_TIMEOUT (default 30) bounds every client command, in seconds.
#
# It makes users stsh-e2e-{alice,bob,carol,dave,erin,frank}, their policies in
# $E2E_POLICY_DIR/users/, the group "stsh" if missing, and starts its own sshd and rsyslogd;
# all of it is removed at exit (tests/lib/harness.sh, tests/e2e/lib.sh). Every denial it asserts is one that Unix
# permissions would allow: the files and directories "outside" are world-readable and
# world-writable, so with another shell (bash) the transfers and reads succeed and the
# checks fail. The closing line is "script checks: N passed, M failed".
set -u
if (($# != 2)); then
  echo "usage: $0 STSH SOURCE_ROOT" >&2
  exit 2
fi
shell_under_test=$1
root=$2
# shellcheck source=tests/lib/harness.sh
source "$root/tests/lib/harness.sh"
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_init "$@"
[[ -x $shell_under_test ]] || die "$shell_under_test is not an executable"
echo "e2e: work directory $E2E_WORK"

# Tokens the checks look for: in each home's e2e-marker.txt, and in the files outside
# the homes that no policy lets anyone read.
E2E_TOKEN=E2E-MARK-$RANDOM$RANDOM
secret=E2E-OUTSIDE-$RANDOM$RANDOM
out=$E2E_WORK/outside
mkdir -m 0777 "$out" "$out/conc-dirs"
chmod 0777 "$out" # mkdir -m is subject to the umask
printf '%s\n' "$secret" >"$out/readable.txt"
chmod 0644 "$out/readable.txt"
for i in $(seq 20); do
  printf '%s\n' "$secret" >"$out/conc-$i.txt"
  chmod 0644 "$out/conc-$i.txt"
  mkdir -m 0755 "$out/conc-dirs/$i"
done

# The login shell, reachable by the users.
mkdir -m 0755 "$E2E_WORK/bin"
install -m 0755 "$shell_under_test" "$E2E_WORK/bin/stsh"
E2E_SHELL=$E2E_WORK/bin/stsh

e2e_start_rsyslog "$root/etc/rsyslog/stsh.conf"
e2e_keys
if ! getent group "$E2E_GROUP" >/dev/null; then
  undo groupdel "$E2E_GROUP"
  groupadd --system "$E2E_GROUP" || die "groupadd $E2E_GROUP failed"
fi
e2e_policy_dir "$root"

policies=$root/tests/e2e/policies
for name in alice bob carol dave erin frank up; do
  e2e_add_user "$name"
done
# up is an SFTP-only upload account: the shipped recipe (etc/stsh/examples/sftp-upload.yaml).
install -d -m 0750 -o "$E2E_PREFIX-up" -g "$E2E_PREFIX-up" "$E2E_WORK/home/up/upload"
printf '%s\n' "$E2E_TOKEN" >"$E2E_WORK/home/up/upload/inbox.txt"
chown "$E2E_PREFIX-up:" "$E2E_WORK/home/up/upload/inbox.txt"
e2e_install_policy "$root/etc/stsh/examples/sftp-upload.yaml" up
e2e_install_policy "$policies/alice.yaml" alice
e2e_install_policy "$policies/bob.yaml" bob
e2e_install_policy "$policies/frank.yaml" frank
# carol's policy is alice's, writable by its group; dave's is alice's, owned by dave.
e2e_install_policy "$policies/alice.yaml" carol 0664
e2e_install_policy "$policies/alice.yaml" dave 0644 "$E2E_PREFIX-dave"
# erin has no policy file of her own.

e2e_start_sshd "$root/etc/sshd/stsh.conf"
echo "e2e: sshd on 127.0.0.1:$E2E_PORT (pid $E2E_SSHD_PID), log records in $E2E_LOG"

# The shipped snippet applies to the test users (they are in its group).
e2e_run /usr/sbin/sshd -T -f "$E2E_WORK/sshd_config" -C "user=$E2E_PREFIX-alice,host=localhost,addr=127.0.0.1"
e2e_expect "the shipped sshd snippet applies to members of group $E2E_GROUP" status=0 \
  'out~^disableforwarding yes$' 'out~^permittunnel no$' 'out~^allowtcpforwarding no$' \
  'out~^x11forwarding no$' 'out~^allowagentforwarding no$' 'out~^permituserenvironment no$' \
  'out~^subsystem sftp /usr/lib/openssh/sftp-server$'

home_alice=$E2E_WORK/home/alice
token_re=$(re_quote "$E2E_TOKEN")
secret_re=$(re_quote "$secret")

# --- an interactive login -----------------------------------------------------------------
# The client sends the lines at once; the terminal echoes them, so the checks look for
# what only running them prints: the marker token (the typed line says only the file
# name) and "E2E-ESC" (the typed line splits it in two).
interactive() { # NAME LINES: an interactive session (ssh -tt) typing LINES
  printf '%s\n' "$2" >"$E2E_WORK/typed"
  E2E_STDIN=$E2E_WORK/typed e2e_run e2e_ssh "$1" -tt
}
interactive alice "cat e2e-marker.txt
perl -e 'print \"E2E-\", \"ESC\\n\"'
cat $out/readable.txt
exit"
e2e_expect "interactive: a permitted command runs, a denied program does not, a file outside the policy is not read" \
  "out~$token_re" 'out!~E2E-ESC' "out!~$secret_re" 'out~Permission denied|not permitted'
logged_all "interactive: the denied program (user, program, path)" 'violation' \
  "user=$E2E_PREFIX-alice( |\$)" 'path=/usr/bin/perl( |$)'
e2e_violation_logged "interactive: the denied read" alice /usr/bin/cat "$out/readable.txt"

# warning_limit (alice's is 5): the fifth violation ends the session, so the last command
# never runs.
interactive alice "cat $out/conc-1.txt
cat $out/conc-2.txt
cat $out/conc-3.txt
cat $out/conc-4.txt
cat $out/conc-5.txt
cat e2e-marker.txt
exit"
e2e_expect "interactive: the session ends at the warning limit (5 violations)" \
  'out~Permission denied' "out!~$token_re" "out!~$secret_re"
e2e_violation_logged "interactive: the violation that reached the limit" alice /usr/bin/cat "$out/conc-5.txt"

# --- ssh host command -------------------------------------------------------------------
e2e_run e2e_ssh alice -- cat e2e-marker.txt
e2e_expect "ssh cmd: a permitted command runs" status=0 "out~^$token_re\$"
e2e_run e2e_ssh alice -- id -un
e2e_expect "ssh cmd: it runs as the user" status=0 "out~^$E2E_PREFIX-alice\$"
e2e_run e2e_ssh alice -- "perl -e 'print \"E2E-\", \"ESC\\n\"'"
e2e_expect "ssh cmd: a program that is not a command of the policy does not run" \
  status!=0 'out!~E2E-ESC' 'err~perl'
logged_all "ssh cmd: the denied program" 'violation' "user=$E2E_PREFIX-alice( |\$)" \
  'path=/usr/bin/perl( |$)'
e2e_run e2e_ssh alice -- cat "$out/readable.txt"
e2e_expect "ssh cmd: a permitted program cannot read outside the policy" \
  status!=0 "out!~$secret_re" 'err~Permission denied'
e2e_violation_logged "ssh cmd: the denied read" alice /usr/bin/cat "$out/readable.txt"
e2e_run e2e_ssh alice -- cp e2e-marker.txt "$out/cp-alice.txt"
e2e_expect "ssh cmd: a permitted program cannot write outside the policy" status!=0
check "ssh cmd: the denied write did not land" test ! -e "$out/cp-alice.txt"
e2e_violation_logged "ssh cmd: the denied write" alice /usr/bin/cp "$out/cp-alice.txt"
e2e_run e2e_ssh alice -- mkdir "$out/mkdir-alice"
e2e_expect "ssh cmd: mkdir outside the policy fails" status!=0
check "ssh cmd: the denied mkdir did not happen" test ! -e "$out/mkdir-alice"
e2e_violation_logged "ssh cmd: the denied mkdir" alice /usr/bin/mkdir "$out/mkdir-alice"

# bob: the command toggle is off (and scp and rsync; sftp is on).
e2e_run e2e_ssh bob -- echo E2E-BOB-CMD
e2e_expect "ssh cmd: refused when the policy's ssh command toggle is off (status 1, why on stderr)" \
  status=1 'out!~E2E-BOB-CMD' 'err~.'
logged_all "ssh cmd: bob's refusal, with the command" "user=$E2E_PREFIX-bob( |\$)" 'E2E-BOB-CMD'
interactive bob "cat e2e-marker.txt
exit"
e2e_expect "ssh cmd: the toggle does not stop bob's interactive login" "out~$token_re"

# --- scp, legacy (-O: scp -t / scp -f through the shell) and SFTP-based (the default) --
printf 'E2E-UPLOAD-%s\n' "$RANDOM" >"$E2E_WORK/upload.txt"
upload=$(cat "$E2E_WORK/upload.txt")
scp_cases() { # LABEL EXE-RE [SCP-OPTION]
  local label=$1 exe=$2
  shift 2
  e2e_run e2e_scp "$@" "$E2E_WORK/upload.txt" "$(e2e_remote alice "scp-$label.txt")"
  e2e_expect "scp $label: upload into the home" status=0
  check "scp $label: the upload landed" e2e_file_holds "$home_alice/scp-$label.txt" "$upload"
  e2e_run e2e_scp "$@" "$(e2e_remote alice "scp-$label.txt")" "$E2E_WORK/scp-$label-down.txt"
  e2e_expect "scp $label: download from the home" status=0
  check "scp $label: the download arrived" e2e_file_holds "$E2E_WORK/scp-$label-down.txt" "$upload"
  e2e_run e2e_scp "$@" "$E2E_WORK/upload.txt" "$(e2e_remote alice "$out/scp-$label.txt")"
  e2e_expect "scp $label: upload outside the policy fails" status!=0
  check "scp $label: the denied upload did not land" test ! -e "$out/scp-$label.txt"
  e2e_violation_logged "scp $label: the denied upload" alice "$exe" "$out/scp-$label.txt"
  e2e_run e2e_scp "$@" "$(e2e_remote alice "$out/readable.txt")" "$E2E_WORK/scp-$label-out.txt"
  e2e_expect "scp $label: download from outside the policy fails" status!=0
  check "scp $label: nothing of the denied file arrived" \
    test ! -s "$E2E_WORK/scp-$label-out.txt"
  e2e_violation_logged "scp $label: the denied download" alice "$exe" "$out/readable.txt"
}
scp_cases legacy /usr/bin/scp -O
scp_cases sftp-protocol /usr/lib/openssh/sftp-server

e2e_run e2e_scp -O "$E2E_WORK/upload.txt" "$(e2e_remote bob e2e-bob-scp.txt)"
e2e_expect "scp legacy: refused when the policy's scp toggle is off" status!=0
check "scp legacy: nothing landed for bob" test ! -e "$E2E_WORK/home/bob/e2e-bob-scp.txt"
logged_all "scp legacy: bob's refusal, with the command" "user=$E2E_PREFIX-bob( |\$)" 'e2e-bob-scp\.txt'

# --- sftp -----------------------------------------------------------------------------
e2e_run e2e_sftp alice "ls
put $E2E_WORK/upload.txt sftp-up.txt
get sftp-up.txt $E2E_WORK/sftp-down.txt"
e2e_expect "sftp: ls, put and get in the home" status=0 'out~e2e-marker\.txt'
check "sftp: the put landed" e2e_file_holds "$home_alice/sftp-up.txt" "$upload"
check "sftp: the get arrived" e2e_file_holds "$E2E_WORK/sftp-down.txt" "$upload"
e2e_run e2e_sftp alice "ls $out"
# Names are metadata, visible unless hidden: the listing works, the contents (below) do not.
e2e_expect "sftp: ls outside the policy lists names" status=0 'out~readable\.txt'
e2e_run e2e_sftp alice "get $out/readable.txt $E2E_WORK/sftp-out.txt"
e2e_expect "sftp: get outside the policy fails" status!=0
check "sftp: nothing of the denied file arrived" test ! -s "$E2E_WORK/sftp-out.txt"
e2e_violation_logged "sftp: the denied get" alice /usr/lib/openssh/sftp-server "$out/readable.txt"
e2e_run e2e_sftp alice "put $E2E_WORK/upload.txt $out/sftp-put.txt"
e2e_expect "sftp: put outside the policy fails" status!=0
check "sftp: the denied put did not land" test ! -e "$out/sftp-put.txt"
e2e_violation_logged "sftp: the denied put" alice /usr/lib/openssh/sftp-server "$out/sftp-put.txt"
e2e_run e2e_sftp bob "put $E2E_WORK/upload.txt e2e-bob-sftp.txt"
e2e_expect "sftp: works for bob, whose sftp toggle is on" status=0
check "sftp: bob's put landed" e2e_file_holds "$E2E_WORK/home/bob/e2e-bob-sftp.txt" "$upload"

# --- rsync ----------------------------------------------------------------------------
e2e_run e2e_rsync "$E2E_WORK/upload.txt" "$(e2e_remote alice rsync-up.txt)"
e2e_expect "rsync: to the home" status=0
check "rsync: the upload landed" e2e_file_holds "$home_alice/rsync-up.txt" "$upload"
e2e_run e2e_rsync "$(e2e_remote alice rsync-up.txt)" "$E2E_WORK/rsync-down.txt"
e2e_expect "rsync: from the home" status=0
check "rsync: the download arrived" e2e_file_holds "$E2E_WORK/rsync-down.txt" "$upload"
# An absolute path in the home is as permitted as a relative one.
e2e_run e2e_rsync "$E2E_WORK/upload.txt" "$(e2e_remote alice "$home_alice/rsync-abs.txt")"
e2e_expect "rsync: to an absolute path in the home" status=0
check "rsync: the upload to an absolute path landed" e2e_file_holds "$home_alice/rsync-abs.txt" "$upload"
e2e_run e2e_rsync "$E2E_WORK/upload.txt" "$(e2e_remote alice "$out/rsync-up.txt")"
e2e_expect "rsync: to a path outside the policy fails" status!=0
# shellcheck disable=SC2016 # the inner bash's $1
check "rsync: nothing landed outside the policy" \
  bash -c 'shopt -s nullglob dotglob; files=("$1"/*rsync-up*); ((${#files[@]} == 0))' _ "$out"
# The denied path is the target, or rsync's temporary file next to it
# (.rsync-up.txt.XXXXXX), or a directory on the way: rsync 3.5 opens an absolute
# destination one directory at a time from / (O_PATH|O_DIRECTORY), so the first directory
# the policy does not let it read is where it stops.
logged_all "rsync: the denied write (or the first denied directory on its way)" 'violation' \
  "user=$E2E_PREFIX-alice( |\$)" 'exe=/usr/bin/rsync( |$)' \
  "path=(/tmp|$(re_quote "$E2E_WORK")|$(re_quote "$out")|$(re_quote "$out/")\\.?rsync-up\\.txt[^ ]*)( |\$)"
e2e_run e2e_rsync "$(e2e_remote alice "$out/readable.txt")" "$E2E_WORK/rsync-out.txt"
e2e_expect "rsync: from a path outside the policy fails" status!=0
check "rsync: nothing of the denied file arrived" test ! -s "$E2E_WORK/rsync-out.txt"
# The sender enters the file's directory first (chdir), so the denial may name it.
logged_all "rsync: the denied read (or its directory)" 'violation' \
  "user=$E2E_PREFIX-alice( |\$)" 'exe=/usr/bin/rsync( |$)' \
  "path=($(re_quote "$out")|$(re_quote "$out/readable.txt"))( |\$)"
e2e_run e2e_rsync "$E2E_WORK/upload.txt" "$(e2e_remote bob e2e-bob-rsync.txt)"
e2e_expect "rsync: refused when the policy's rsync toggle is off" status!=0
check "rsync: nothing landed for bob" test ! -e "$E2E_WORK/home/bob/e2e-bob-rsync.txt"
logged_all "rsync: bob's refusal, with the command" "user=$E2E_PREFIX-bob( |\$)" 'rsync --server'

# --- forwarding, refused by the shipped snippet (the global configuration allows it) ---
e2e_run e2e_ssh alice -W "127.0.0.1:$E2E_PORT"
e2e_expect "forwarding: ssh -W (a direct TCP channel) is refused" status!=0 'out!~^SSH-' \
  'err~forwarding failed|administratively prohibited|open failed'
e2e_run e2e_ssh alice -N -o ExitOnForwardFailure=yes -R "0:127.0.0.1:$E2E_PORT"
e2e_expect "forwarding: ssh -R (a remote listener) is refused" status!=0 \
  'err~forwarding failed'

# --- sessions refused for an unusable policy -----------------------------------------
e2e_run e2e_ssh carol -- id
e2e_expect "insecure policy (group-writable): nothing runs, and the user is told why" \
  status!=0 'out!~uid=' "err~$E2E_PREFIX-carol\\.yaml: insecure policy file"
logged_all "insecure policy (group-writable): the refusal" "$E2E_PREFIX-carol\\.yaml" 'insecure'
interactive carol "cat e2e-marker.txt
exit"
e2e_expect "insecure policy (group-writable): no interactive session either" \
  "out!~$token_re" 'all~insecure policy file'
e2e_run e2e_sftp carol "ls"
e2e_expect "insecure policy (group-writable): no sftp either" status!=0 'out!~e2e-marker'
e2e_run e2e_ssh dave -- id
e2e_expect "insecure policy (owned by the user): nothing runs, and the user is told why" \
  status!=0 'out!~uid=' "err~$E2E_PREFIX-dave\\.yaml: insecure policy file: it is owned by uid"
logged_all "insecure policy (owned by the user): the refusal" "$E2E_PREFIX-dave\\.yaml" 'insecure'

# erin has no users/ file; she gets a group's policy or default.yaml if this machine has
# one, and is refused if it has none.
erin_policy=
for candidate in "groups/$E2E_PREFIX-erin.yaml" "groups/$E2E_GROUP.yaml" default.yaml; do
  if [[ -e $E2E_POLICY_DIR/$candidate ]]; then
    erin_policy=$candidate
    break
  fi
done
if [[ -z $erin_policy ]]; then
  e2e_run e2e_ssh erin -- id
  e2e_expect "no policy at all: nothing runs, and the user is told why" \
    status!=0 'out!~uid=' "err~no policy for user '$E2E_PREFIX-erin'"
  logged_all "no policy at all: the refusal" "$E2E_PREFIX-erin" 'no policy'
else
  echo "note: not testing a user without any policy: $E2E_POLICY_DIR/$erin_policy exists"
fi

# --- twenty concurrent sessions ------------------------------------------------------
# Each makes a directory and copies into it (permitted), reads a file and lists a
# directory outside the policy (two denials with paths of its own), and reads its copy.
mkdir "$E2E_WORK/conc"
log_mark
pids=()
for i in $(seq 20); do
  (
    e2e_ssh frank -- "cat e2e-marker.txt; mkdir conc-$i; cp e2e-marker.txt conc-$i/copy; cat $out/conc-$i.txt; cp $out/conc-$i.txt conc-$i/stolen; cat conc-$i/copy" \
      </dev/null >"$E2E_WORK/conc/$i.out" 2>"$E2E_WORK/conc/$i.err"
    echo $? >"$E2E_WORK/conc/$i.status"
  ) &
  pids+=($!)
done
wait "${pids[@]}"
bad=()
for i in $(seq 20); do
  o=$(tr -d '\r' <"$E2E_WORK/conc/$i.out")
  tokens=$(grep -c -- "^$token_re\$" <<<"$o")
  if [[ $tokens -ne 2 || $o == *"$secret"* || ! -f $E2E_WORK/home/frank/conc-$i/copy ]]; then
    bad+=("session $i: status $(cat "$E2E_WORK/conc/$i.status"), $tokens tokens, stdout: $o, stderr: $(cat "$E2E_WORK/conc/$i.err")")
  fi
done
if ((${#bad[@]} == 0)); then
  pass "20 concurrent sessions: each ran its permitted commands and read nothing outside the policy"
else
  fail "20 concurrent sessions: ${#bad[@]} went wrong" "$(printf '%s\n' "${bad[@]}")"
fi
# Every session's two denials are in the log.
missing=()
for _ in $(seq 50); do
  missing=()
  for i in $(seq 20); do
    [[ -n $(log_lines 'violation' "user=$E2E_PREFIX-frank( |\$)" 'exe=/usr/bin/cat( |$)' \
      "path=$(re_quote "$out/conc-$i.txt")( |\$)") ]] || missing+=("session $i: cat $out/conc-$i.txt")
    [[ -n $(log_lines 'violation' "user=$E2E_PREFIX-frank( |\$)" 'exe=/usr/bin/cp( |$)' \
      "path=$(re_quote "$out/conc-$i.txt")( |\$)") ]] || missing+=("session $i: cp $out/conc-$i.txt")
  done
  ((${#missing[@]} == 0)) && break
  sleep 0.1
done
if ((${#missing[@]} == 0)); then
  pass "20 concurrent sessions: all 40 denials are in the log"
else
  fail "20 concurrent sessions: ${#missing[@]} of 40 denials not in the log" "$(printf '%s\n' "${missing[@]}")"
fi
e2e_no_processes_left "20 concurrent sessions: no process of the user outlives them" "$E2E_PREFIX-frank"

# An interactive session whose client dies while a command runs: the command dies with it.
mkfifo "$E2E_WORK/typing"
ssh "${E2E_SSH_OPTS[@]}" -p "$E2E_PORT" -l "$E2E_PREFIX-frank" -tt 127.0.0.1 \
  <"$E2E_WORK/typing" >"$E2E_WORK/killed.out" 2>&1 &
client=$!
exec 7>"$E2E_WORK/typing"
# In a subshell: if the client is already gone, SIGPIPE ends the subshell, not the test.
(echo "sleep 300" >&7) 2>/dev/null
sleeping=
for _ in $(seq 100); do
  sleeping=$(pgrep -u "$E2E_PREFIX-frank" -x sleep)
  [[ -n $sleeping ]] && break
  sleep 0.1
done
if [[ -n $sleeping ]]; then
  kill -9 "$client"
  e2e_no_processes_left "killed client: the running command and the session end" "$E2E_PREFIX-frank"
else
  kill -9 "$client" 2>/dev/null
  fail "killed client: the interactive session never ran sleep" "$(tr -d '\r' <"$E2E_WORK/killed.out")"
fi
exec 7>&-
wait "$client" 2>/dev/null

# --- an SFTP-only upload account (README, "An SFTP-only upload account") ---------------
home_up=$E2E_WORK/home/up
printf 'upload %s\n' "$E2E_TOKEN" >"$E2E_WORK/to-upload.txt"
e2e_run e2e_sftp up "pwd
ls -l
get inbox.txt $E2E_WORK/got-inbox.txt
put $E2E_WORK/to-upload.txt sent.txt
mkdir sub
rename sent.txt sub/sent.txt
ls sub"
e2e_expect "sftp-only: the session starts in ~/upload; get, put, mkdir, rename work" status=0 \
  "out~Remote working directory: $(re_quote "$home_up/upload")\$" 'out~inbox.txt' 'out~sub/sent.txt'
check "sftp-only: the download is the file" e2e_file_holds "$E2E_WORK/got-inbox.txt" "$E2E_TOKEN"
check "sftp-only: the upload landed in ~/upload" \
  e2e_file_holds "$home_up/upload/sub/sent.txt" "upload $E2E_TOKEN"
not_logged "violation user=$(re_quote "$E2E_PREFIX-up")( |\$)" \
  "sftp-only: ordinary transfers leave no violation record"
e2e_run e2e_sftp up "get $out/readable.txt $E2E_WORK/up-outside.txt"
e2e_expect "sftp-only: a file outside ~/upload cannot be downloaded" status!=0
check "sftp-only: nothing outside was downloaded" test ! -e "$E2E_WORK/up-outside.txt"
e2e_violation_logged "sftp-only: the denied download" up /usr/lib/openssh/sftp-server "$out/readable.txt"
e2e_run e2e_sftp up "put $E2E_WORK/to-upload.txt $home_up/outside-upload.txt"
e2e_expect "sftp-only: nothing can be uploaded beside ~/upload" status!=0
check "sftp-only: the upload beside ~/upload did not land" test ! -e "$home_up/outside-upload.txt"
printf 'echo E2E-PROMPT\nexit\n' >"$E2E_WORK/typed-up"
E2E_STDIN=$E2E_WORK/typed-up e2e_run e2e_ssh up -tt
e2e_expect "sftp-only: an interactive login (ssh -tt) is refused" status!=0 \
  'all~interactive logins are not permitted' 'out!~^E2E-PROMPT'
logged_all "sftp-only: the refused login" 'event=refused' "user=$(re_quote "$E2E_PREFIX-up")( |\$)" \
  'ssh=interactive'
e2e_run e2e_ssh up -- cat upload/inbox.txt
e2e_expect "sftp-only: a command (ssh host cmd) is refused" status!=0 "out!~$token_re" \
  'err~remote commands are not permitted'
e2e_run e2e_scp -O "$(e2e_remote up upload/inbox.txt)" "$E2E_WORK/up-scp.txt"
e2e_expect "sftp-only: scp is refused" status!=0
check "sftp-only: scp copied nothing" test ! -e "$E2E_WORK/up-scp.txt"
# The sshd snippet for such accounts: sshd forces the external sftp-server and no terminal
# for members of stsh-sftp.
if ! getent group stsh-sftp >/dev/null; then
  undo groupdel stsh-sftp
  groupadd --system stsh-sftp || die "groupadd stsh-sftp failed"
fi
usermod -aG stsh-sftp "$E2E_PREFIX-up"
sed "s|^Include .*|Include $root/etc/sshd/stsh.conf\nInclude $root/etc/sshd/stsh-sftp.conf|" \
  "$E2E_WORK/sshd_config" >"$E2E_WORK/sshd_config.sftp"
e2e_run /usr/sbin/sshd -T -f "$E2E_WORK/sshd_config.sftp" -C "user=$E2E_PREFIX-up,host=localhost,addr=127.0.0.1"
e2e_expect "the shipped stsh-sftp.conf forces sftp-server and no terminal for its group" status=0 \
  'out~^forcecommand /usr/lib/openssh/sftp-server$' 'out~^permittty no$' 'out~^disableforwarding yes$'
e2e_run /usr/sbin/sshd -T -f "$E2E_WORK/sshd_config.sftp" -C "user=$E2E_PREFIX-alice,host=localhost,addr=127.0.0.1"
e2e_expect "stsh-sftp.conf leaves other stsh users alone" status=0 'out~^forcecommand none$' 'out~^permittty yes$'

# --- the log as a whole ---------------------------------------------------------------
# shellcheck disable=SC2016 # the inner bash's $1, $2 and $3
check "syslog: the shipped rsyslog snippet routes stsh's records to its file, and stops them there" \
  bash -c 'grep -q "violation user=$1" "$2" && ! grep -q "violation user=$1" "$3" 2>/dev/null' \
  _ "$E2E_PREFIX-" "$E2E_LOG" "$E2E_OTHER_LOG"
for name in alice bob carol dave erin up; do
  e2e_no_processes_left "no process of $E2E_PREFIX-$name is left" "$E2E_PREFIX-$name"
done

summary
