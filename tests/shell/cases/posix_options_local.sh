# set -u, set -C, $- and local, as dash has them ($LINENO: trace_lineno.sh; dash -c leaves it empty).
(set -u; echo "$unset_a"; echo not reached); echo "set -u: $?"
(set -u; : "${unset_a-default}" "$@" "$#"; echo "set -u, defaults and \$@: fine")
(set -u; echo "$1"; echo not reached); echo "set -u \$1: $?"
(set -u; echo "$((unset_a + 1))"; echo not reached); echo "set -u in arithmetic: $?"
(set -u; echo "${#unset_a}"; echo not reached); echo "set -u \${#x}: $?"
echo data >clobber.txt
(set -C; echo again >clobber.txt; echo "set -C: $?"; cat clobber.txt)
(set -C; echo forced >|clobber.txt; echo ">|: $?"; cat clobber.txt)
(set -C; echo x >/dev/null; echo "set -C /dev/null: $?")
(set -efuC; echo "\$-: $-")
(set -e; set -u; echo "\$-: $-"; set +eu; echo "\$- after +eu: [$-]")
x=g
f() { local x=l; echo "local: $x"; g; }
g() { echo "seen by g: $x"; }
f; echo "after f: $x"
f() { local x; echo "local without a value: [${x-unset}]"; x=set; }
f; echo "after: $x"
f() { local y=1 z; echo "two: $y [${z-unset}]"; }
f; echo "outside: [${y-unset}] [${z-unset}]"
f() { local x; unset x; echo "unset local: [${x-unset}]"; }
f; echo "global kept: $x"
f() { local -; set -u; echo "in f: $-"; }
f; echo "local -: [$-]"
