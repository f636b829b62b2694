# XCU 2.11 and trap: a trapped signal's action runs between commands, $? is kept across
# it; '' ignores; - resets; `trap` lists in a form the shell takes again.
trap 'echo "got USR1, status $?"' USR1
false
kill -USR1 $$
echo "after USR1 $?"
trap 'echo got TERM' TERM
kill $$; echo "same list"
i=0
trap 'echo "usr2 $i"' USR2
while [ $i -lt 2 ]; do i=$((i + 1)); kill -USR2 $$; done
f() { kill -USR1 $$; return 3; }
f; echo "f $?"
trap 'echo "status in trap $?"' USR1
(exit 7); kill -USR1 $$ || true; echo "after $?"
trap 'echo hup' HUP
trap '' INT
trap 'echo bye' EXIT
trap
trap - HUP USR2
trap 1 2
echo "--- after resets"
trap
trap '' TERM
kill -TERM $$
echo "ignored TERM"
trap 'echo "in trap"; trap - USR1' USR1
kill -USR1 $$
kill -USR1 $$ 2>/dev/null
echo "not reached: USR1 is default now"
