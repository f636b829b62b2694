#!/usr/bin/env bash
# Installs what is missing, builds (showing the build's progress), and starts the shell on the
# shipped demo policy (etc/stsh/demo.yaml). Without a terminal it shows a few commands instead.
#
# Who the demo shell runs as:
#   - with sudo from your own account: you (the user who called sudo), with your home as $HOME;
#   - as a user who is not root: that user (installing missing packages needs sudo, though);
#   - as root without sudo: not root, unless you say so. stsh confines root's commands as it
#     confines anyone's, but what the policy permits they do with root's rights (the
#     supervisor performs calls with its own credentials). The demo offers a user of its own
#     instead, stsh-demo, made with useradd.
#
# Usage: scripts/demo.sh [--demo-user | --as-root | --remove-demo-user]
#   --demo-user         run as the user stsh-demo (made with useradd if missing; it stays, so
#                       that its history and files are there next time)
#   --as-root           run as root anyway
#   --remove-demo-user  remove stsh-demo and its home (userdel -r stsh-demo), and exit
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

demo_user="stsh-demo"
demo_mark="stsh demo user (scripts/demo.sh)" # its GECOS: how this script knows it made it
mode=

usage() {
  sed -n 's/^# \{0,1\}//; /^Usage:/,/^set -euo/p' "$0" | sed '$d'
}

for arg in "$@"; do
  case $arg in
    --demo-user) mode="demo-user" ;;
    --as-root) mode=as-root ;;
    --remove-demo-user) mode=remove ;;
    -h | --help) usage; exit 0 ;;
    *) echo "demo: unknown option $arg" >&2; usage >&2; exit 2 ;;
  esac
done

made_by_us() { [[ $(getent passwd "$demo_user" | cut -d: -f5) == "$demo_mark" ]]; }

if [[ $mode == remove ]]; then
  if ! getent passwd "$demo_user" >/dev/null; then
    echo "demo: there is no user $demo_user"
  elif made_by_us; then
    userdel -r "$demo_user" && echo "demo: removed the user $demo_user and its home"
  else
    echo "demo: $demo_user was not made by this script; leaving it alone" >&2
    exit 1
  fi
  exit 0
fi

# Root without sudo, and no choice made: say why not, and offer the demo user.
if [[ $(id -u) -eq 0 && ( -z ${SUDO_USER:-} || $SUDO_USER == root ) && -z $mode ]]; then
  cat <<EOF
demo: you are root. The demo shell would run as root: stsh confines its commands by the
      policy, but what the policy permits they do with root's rights. Choose one:
        sudo scripts/demo.sh              from your own account: the shell runs as you
        scripts/demo.sh --demo-user       a user of the demo's own, $demo_user (useradd;
                                          remove it with scripts/demo.sh --remove-demo-user)
        scripts/demo.sh --as-root         as root anyway
EOF
  if [[ -t 0 && -t 1 ]]; then
    read -r -p "Make (or use) the user $demo_user and run the demo as it? [y/N] " answer
    [[ $answer == [yY]* ]] || exit 1
    mode="demo-user"
  else
    exit 1
  fi
fi

bash scripts/setup.sh

demo=etc/stsh/demo.yaml
stsh=build/shell/stsh
run_as=()
where=$PWD
if [[ $mode == demo-user ]]; then
  [[ $(id -u) -eq 0 ]] || { echo "demo: --demo-user needs root (sudo)" >&2; exit 1; }
  if ! getent passwd "$demo_user" >/dev/null; then
    echo "demo: making the user $demo_user (useradd; scripts/demo.sh --remove-demo-user removes it)"
    useradd --create-home --shell /usr/sbin/nologin --comment "$demo_mark" "$demo_user"
  elif ! made_by_us; then
    echo "demo: a user $demo_user exists that this script did not make; not using it" >&2
    exit 1
  fi
  # The shell and the policy set where the demo user can reach them, root-owned as a policy
  # must be (the build directory may be in a home it cannot enter).
  copy=$(mktemp -d /tmp/stsh-demo.XXXXXX)
  trap 'rm -rf "$copy"' EXIT
  chmod 755 "$copy"
  install -m 755 "$stsh" "$copy/stsh"
  cp -r etc/stsh "$copy/policies"
  chmod -R go-w "$copy/policies"
  stsh=$copy/stsh
  demo=$copy/policies/demo.yaml
  run_as=(runuser -u "$demo_user" --)
  where=$(getent passwd "$demo_user" | cut -d: -f6)
  echo "demo: the shell runs as $demo_user"
elif [[ $(id -u) -eq 0 && $mode == as-root ]]; then
  echo "demo: the shell runs as root (--as-root): what the policy permits, it does with root's rights"
elif [[ $(id -u) -eq 0 && -n ${SUDO_USER:-} && $SUDO_USER != root ]]; then
  run_as=(runuser -u "$SUDO_USER" --)
  echo "demo: the shell runs as $SUDO_USER (who called sudo)"
else
  echo "demo: the shell runs as $(id -un)"
fi
build/policy/stsh-policy check --policy "$demo" 2>&1 | grep -v '^note: --policy'
if [[ ! -S /dev/log ]]; then
  echo "demo: this machine runs no syslog daemon (no /dev/log), so stsh's records have nowhere to"
  echo "      go: it says so after each command. With rsyslogd they go to syslog (authpriv)."
fi

cd "$where"
if [[ -t 0 && -t 1 ]]; then
  echo "Starting stsh on $demo: try help, policy, ls /, cat /etc/shadow, vim then :!sh; exit with Ctrl-D."
  status=0
  "${run_as[@]}" "$stsh" --policy "$demo" || status=$?
  exit "$status"
fi
for line in 'help' 'ls /usr | head -3' 'cat /etc/shadow' 'echo x > /etc/stsh-demo' \
            "python3 -c 'import os; print(\"system() returned\", os.system(\"id\"))'" \
            "find /etc/hostname -exec sh -c id ';'"; do
  echo
  echo "stsh\$ $line"
  "${run_as[@]}" "$stsh" --policy "$demo" -c "$line" 2>&1 || echo "[exit $?]"
done
echo
if [[ $mode == demo-user ]]; then
  echo "Run it in a terminal for the interactive shell: scripts/demo.sh --demo-user"
else
  echo "Run it in a terminal for the interactive shell: $stsh --policy $demo"
fi
