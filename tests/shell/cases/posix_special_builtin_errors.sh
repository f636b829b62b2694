# XCU 2.8.1: an error of a special builtin ends a non-interactive shell (status 2, as dash),
# and `command` takes the specialness away: the shell goes on with status 2. Each case runs
# in a subshell, which is what ends.
set -- a b
(shift 5; echo not reached); echo "shift 5: $?"
(command shift 5; echo "command shift 5: $?")
(readonly r=1; readonly r=2; echo not reached); echo "readonly again: $?"
(readonly r=1; command readonly r=2; echo "command readonly again: $?")
(export 1abc=x; echo not reached); echo "export bad name: $?"
(readonly a-b; echo not reached); echo "readonly bad name: $?"
(command export 1abc=x; echo "command export bad name: $?")
(export -z x; echo not reached); echo "export bad option: $?"
(readonly -z x; echo not reached); echo "readonly bad option: $?"
(readonly r=1; export r=2; echo not reached); echo "export readonly: $?"
(set -Q; echo not reached); echo "set -Q: $?"
(command set -Q; echo "command set -Q: $?")
(set -o nosuch; echo not reached); echo "set -o nosuch: $?"
(. ./no-such-file; echo not reached); echo ". missing file: $?"
(command . ./no-such-file; echo "command . missing file: $?")
(for i in 1; do break 0; done; echo not reached); echo "break 0: $?"
(for i in 1; do continue foo; done; echo not reached); echo "continue foo: $?"
(for i in 1; do command break foo; done; echo "command break foo: $?")
(for i in 1 2; do break 5; echo never; done; echo "break 5: $?")
(break; echo "break outside a loop: $?")
(exit foo; echo not reached); echo "exit foo: $?"
(exit -1; echo not reached); echo "exit -1: $?"
(exit 3 4; echo not reached); echo "exit 3 4: $?"
(command exit foo; echo "command exit foo: $?")
(return 3; echo not reached); echo "return outside a function: $?"
x=$(return 4; echo not reached); echo "return in a substitution: $? [$x]"
(f() { return foo; }; f; echo not reached); echo "return foo: $?"
(trap 'echo x' INT NOSUCH TERM; echo "trap bad signal: $?"; trap)
(trap -z; echo not reached); echo "trap bad option: $?"
(readonly r=1; unset r; echo not reached); echo "unset readonly: $?"
(readonly r=1; command unset r; echo "command unset readonly: $?")
(unset 1x; echo not reached); echo "unset bad name: $?"
(unset -z x; echo not reached); echo "unset bad option: $?"
(eval 'if'; echo not reached); echo "eval syntax error: $?"
(command eval 'if'; echo "command eval syntax error: $?")
(command eval 'shift 5; echo not reached'; echo "command eval 'shift 5': $?")
(command eval 'command shift 5; echo "inner: $?"'; echo "outer: $?")
(eval 'exit 3'; echo not reached); echo "eval exit: $?"
(command eval 'exit 4'; echo not reached); echo "command eval exit: $?"
printf 'shift 5\necho not reached\n' >dot-shift.sh
(. ./dot-shift.sh; echo not reached); echo ". a file that fails: $?"
(command . ./dot-shift.sh; echo "command . a file that fails: $?")
(local x; echo not reached); echo "local outside a function: $?"
(f() { local 1x; echo not reached; }; f; echo not reached); echo "local bad name: $?"
(readonly r=1; f() { local r=2; echo not reached; }; f; echo not reached); echo "local readonly: $?"
