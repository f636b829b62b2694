# XCU 2.8.1 for what is not a builtin's own error. A variable assignment error ends the shell
# whatever the command; a redirection error ends it for a special builtin only (the others
# fail with status 2, as in dash); an expansion error ends it. Each case runs in a subshell.
(readonly r=1; r=2; echo not reached); echo "assignment alone: $?"
(readonly r=1; r=2 :; echo not reached); echo "before a special builtin: $?"
(readonly r=1; r=2 true; echo not reached); echo "before a regular builtin: $?"
(readonly r=1; r=2 command :; echo not reached); echo "before command: $?"
(readonly r=1; r=2 cat /dev/null; echo not reached); echo "before a program: $?"
(readonly r=1; f() { :; }; r=2 f; echo not reached); echo "before a function: $?"
(readonly r=1; for r in a; do :; done; echo not reached); echo "for: $?"
(readonly r=1; getopts a r -a; echo "getopts: $?")
(readonly r=1; read r <<EOF
x
EOF
echo "read: $?")
(: >no-such-dir/x; echo not reached); echo "special builtin redirection: $?"
(command : >no-such-dir/x; echo "command : redirection: $?")
(true >no-such-dir/x; echo "regular builtin redirection: $?")
({ true; } >no-such-dir/x; echo "group redirection: $?")
(cat <no-such-file; echo "program redirection: $?")
(: ${unset_x?is unset}; echo not reached); echo "\${x?}: $?"
(command eval ': ${unset_x?is unset}'; echo "command eval \${x?}: $?")
(echo $((1 / 0)); echo not reached); echo "division by zero: $?"
(x=$((1 +)); echo not reached); echo "arithmetic syntax error: $?"
(echo "$((1 / 0))" || true; echo not reached); echo "in an || list: $?"
