# set -e (XCU 2.14 set): where a failure ends the shell and where it does not. Each case runs
# in a subshell, which is what ends.
(set -e; if false; then :; fi; while false; do :; done; until true; do :; done; echo "conditions: fine")
(set -e; false && true; false || true; echo "&& and || before the last: fine"; true && false; echo not reached); echo "last of && list: $?"
(set -e; false || false; echo not reached); echo "last of || list: $?"
(set -e; ! true; echo "! pipeline: fine"; ! false; echo "! false: fine")
(set -e; false | true; echo "pipeline, not its last: fine"; true | false; echo not reached); echo "pipeline's last: $?"
(set -e; (false); echo not reached); echo "subshell: $?"
(set -e; (exit 3); echo not reached); echo "subshell exit 3: $?"
(set -e; (false) || echo "subshell in ||: $?"; echo fine)
(set -e; f() { false; echo "not reached in f"; }; f; echo not reached); echo "function: $?"
(set -e; f() { false; echo "in f, going on: $?"; }; if f; then echo "f true"; fi; f || :; f && :; ! f; echo "function as a condition: fine")
(set -e; f() { return 3; }; f; echo not reached); echo "function returning 3: $?"
(set -e; x=$(false); echo not reached); echo "assignment of \$(false): $?"
(set -e; x=$(false) true; echo "assignment before true: $?")
(set -e; x=$(false; echo not reached); echo not reached); echo "set -e inside a substitution: $?"
(set -e; echo $(false); echo "a substitution in an argument: fine")
(set -e; { true; false; }; echo not reached); echo "group: $?"
(set -e; if true; then false; fi; echo not reached); echo "if body: $?"
(set -e; for i in 1; do false; done; echo not reached); echo "for body: $?"
(set -e; while :; do false; break; done; echo not reached); echo "while body: $?"
(set -e; case x in x) false ;; esac; echo not reached); echo "case body: $?"
(set -e; { false; echo "group in ||: goes on"; } || true; echo fine)
(set -e; if { false; echo "group as a condition: goes on"; }; then :; fi)
(set -e; eval false; echo not reached); echo "eval false: $?"
(set -e; if eval false; then :; else echo "eval as a condition: fine"; fi)
printf 'false\necho not reached\n' >errexit-dot.sh
(set -e; . ./errexit-dot.sh; echo not reached); echo ". a failing file: $?"
(set -e; cd ./no-such-dir 2>/dev/null; echo not reached); echo "cd: $?"
(set -e; command false; echo not reached); echo "command false: $?"
(set -e; nosuch-command 2>/dev/null; echo not reached); echo "not found: $?"
(set -e; (set +e; false; echo "set +e in a subshell: fine"); echo "outer still going")
(set -e; trap 'echo "EXIT trap: $?"' EXIT; false; echo not reached); echo "with an EXIT trap: $?"
(false; set -e; echo "set -e after false: fine")
