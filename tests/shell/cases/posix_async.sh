# XCU 2.9.3.1: an asynchronous list runs in a subshell, whatever its commands: compound
# commands, functions, && and || lists; $! is its process and wait returns its status.
{ sleep 0.2; echo group; } &
g=$!
echo "started"
wait $g; echo "group waited $?"
( echo subshell; exit 3 ) &
wait $!; echo "subshell status $?"
if true; then echo if-async; fi &
wait
for i in 1 2; do echo "for $i"; done &
wait
false || echo or-list &
wait $!; echo "or status $?"
true && false &
wait $!; echo "and status $?"
x=outer; { x=inner; } & wait; echo "x=$x"
f() { echo "function $1"; return 5; }
f bg &
wait $!; echo "function status $?"
{ sleep 5; } &
kill $!; wait $!; echo "killed $?"
[ "$g" != "$!" ] && echo "new \$!"
