# set -x traces expanded commands on standard error after PS4; $LINENO is the line of the
# command being run; trap lists and resets.
echo "line $LINENO"
f() {
  echo "f at line $LINENO"
}
f
set -x
v=$((1 + 1)); echo "v=$v" "$HOME" >/dev/null
set +x
trap 'echo bye' EXIT
trap
trap - EXIT
trap
echo end
