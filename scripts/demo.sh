#!/usr/bin/env bash
# Installs what is missing, builds, and shows stsh on the shipped demo policy.
# Until the shell (issue 4) lands, this runs stsh-policy on etc/stsh/demo.yaml (validates it and
# explains a few decisions) and then stsh-run, which confines single commands by it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh >/dev/null

tool=build/policy/stsh-policy
demo=etc/stsh/demo.yaml
show() {
  echo
  echo "\$ stsh-policy $*"
  "$tool" "$@" 2>&1 | grep -v '^note: --policy' || true
}
show check --policy "$demo"
show explain --policy "$demo" exec /usr/bin/ls
show explain --policy "$demo" exec /usr/bin/bash
show explain --policy "$demo" --command /usr/bin/vim.basic exec /usr/bin/sh -c id
show explain --policy "$demo" --command /usr/bin/cat fsread /etc/shadow
show explain --policy "$demo" --command /usr/bin/cat fswrite /etc/passwd
show explain --policy "$demo" --command /usr/bin/find exec /usr/bin/ls -l

run=build/enforcer/stsh-run
confined() {
  echo
  echo "\$ stsh-run --policy $demo -- $*"
  local out status=0
  out=$("$run" --policy "$demo" -- "$@" 2>&1) || status=$?
  grep -v '^note: --policy' <<<"$out" || true
  echo "[exit $status]"
}
confined ls /usr
confined cat /etc/shadow
confined python3 -c 'import os; print("system() returned", os.system("id"))'
confined find /etc/hostname -exec sh -c 'id' ';'
echo
echo "Try your own: $tool explain --policy $demo [--command PATH] SYSCALL ARGS..."
echo "          or: $run --policy $demo -- COMMAND ARGS..."
