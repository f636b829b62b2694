# Set-up shared by the shell's test scripts (sourced after `stsh` and `root` are set, with the
# script's own arguments): tests/lib/harness.sh's run (a private mount namespace whose
# /dev/log is a private rsyslogd's, a work directory, clean-up at exit), a test user of this
# run, stsh-shelltest-PID, with the home the tests expect (/home/USER), and copies of the
# built stsh and of tests/shell/shell.yaml that the user can reach. The expected texts name
# the user stsh-shelltest; the scripts put this run's name in its place.
. "$root/tests/lib/harness.sh"
harness_init shell-test "$@"
require_tools runuser setpriv python3 pgrep

# A name of this run's own: two runs (two worktrees, two build directories) never share a
# user. At most 32 characters, as useradd wants.
user=stsh-shelltest-$$
export STSH_TEST_USER=$user # tests/shell/pty_session.py's prompt
start_private_log
make_test_user "$user" --create-home --shell /usr/sbin/nologin
home=$(getent passwd "$user" | cut -d: -f6)
if [[ $home != /home/$user ]]; then
  die "$user's home is $home; the tests expect /home/$user"
fi

mkdir -p "$home/globdir" "$home/secret"
touch "$home/globdir/a.txt" "$home/globdir/b.txt" "$home/globdir/.hidden"
echo secret >"$home/secret/file"
ln -s secret/file "$home/link.txt"
printf '#!/bin/sh\necho never\n' >"$home/noexec.sh"
chmod 644 "$home/noexec.sh"
mkfifo "$home/fifo"
chown -R "$user:" "$home"
install -m 755 "$stsh" "$work/stsh"
install -m 644 "$root/tests/shell/shell.yaml" "$work/shell.yaml"
policy=$work/shell.yaml

# for_this_user: standard input with the fixed name stsh-shelltest replaced by this run's.
for_this_user() {
  sed "s/stsh-shelltest/$user/g"
}
