# XCU 2.12: a subshell starts with the traps' actions reset (ignores kept) and runs its own
# EXIT trap as it ends; a signal for the outer shell's trap waits for it.
(trap "echo sub-exit" EXIT; echo in); echo out
trap "echo t" INT
trap '' HUP
trap
echo "--- in a subshell"
(trap)
trap "echo usr1" USR1
(kill -USR1 $$; echo insub); echo after
x=$(trap "echo subst-exit" EXIT; echo v); echo "$x"
(trap 'exit 5' EXIT; exit 2); echo "sub status $?"
