#!/usr/bin/env bash
# Installs what is missing, builds, and starts the shell on the shipped demo policy
# (etc/stsh/demo.yaml). With sudo, the shell runs as the user who called sudo, with that
# user's home as $HOME. Without a terminal, it shows a few commands instead.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh >/dev/null

demo=etc/stsh/demo.yaml
stsh=build/shell/stsh
build/policy/stsh-policy check --policy "$demo" 2>&1 | grep -v '^note: --policy'

as_user=()
if [[ $(id -u) -eq 0 && -n ${SUDO_USER:-} && $SUDO_USER != root ]]; then
  as_user=(runuser -u "$SUDO_USER" --)
fi
if [[ -t 0 && -t 1 ]]; then
  echo "Starting stsh on $demo: try help, policy, ls /, cat /etc/shadow, vim then :!sh; exit with Ctrl-D."
  exec "${as_user[@]}" "$stsh" --policy "$demo"
fi
for line in 'help' 'ls /usr | head -3' 'cat /etc/shadow' 'echo x > /etc/stsh-demo' \
            "python3 -c 'import os; print(\"system() returned\", os.system(\"id\"))'" \
            "find /etc/hostname -exec sh -c id ';'"; do
  echo
  echo "stsh\$ $line"
  "${as_user[@]}" "$stsh" --policy "$demo" -c "$line" 2>&1 || echo "[exit $?]"
done
echo
echo "Run it in a terminal for the interactive shell: $stsh --policy $demo"
