# Functions: arguments, $#, return, recursion, local, shadowing a command.
greet() { echo "hello $1 ($# args)"; }
greet world extra
sum() {
  local total=0
  for n in "$@"; do total=$((total + n)); done
  echo "$total"
}
sum 1 2 3 4
fact() { if [ "$1" -le 1 ]; then echo 1; else echo $(( $1 * $(fact $(( $1 - 1 ))) )); fi; }
fact 5
ret() { return "$1"; echo never; }
ret 7; echo "returned $?"
total=outer; sum 5 >/dev/null; echo "total=$total"
ls() { echo "my ls $*"; }
ls -l
command ls -d /
unset -f ls
ls -d /
echo "args after: $# $1"
f() { echo "in f: $1"; g() { echo "g defined inside"; }; }
f one; g
