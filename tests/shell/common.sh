# Set-up shared by the shell's test scripts (sourced after `stsh` and `root` are set): a
# private rsyslogd, the test user stsh-shelltest with the home the tests expect, and copies
# of the built stsh and of tests/shell/shell.yaml that the user can reach. Removed at exit.
. "$root/tests/lib/harness.sh"
require_root "$(basename "$0")"

user=stsh-shelltest
work=$(mktemp -d /tmp/stsh-shell-test.XXXXXX)
chmod 755 "$work"
cleanup() {
  stop_private_log "$work"
  remove_test_user "$user"
  rm -rf "$work"
}
trap cleanup EXIT
start_private_log "$work" || exit 1
make_test_user "$user"
home=$(getent passwd "$user" | cut -d: -f6)
if [[ $home != /home/$user ]]; then
  echo "$user's home is $home; the tests expect /home/$user" >&2
  exit 1
fi

rm -rf "${home:?}"/{fifo,got.txt,n9,n68,globdir,secret,link.txt,noexec.sh,umask.txt,out.txt,err.txt,both.txt,ran,.stsh_history}
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
