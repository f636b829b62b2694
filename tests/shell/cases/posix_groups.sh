# { ...; } runs in this shell, ( ... ) in a subshell: variables, cd and exit stay inside.
x=1; { x=2; echo "group x=$x"; }; echo "after group x=$x"
x=1; (x=2; echo "subshell x=$x"); echo "after subshell x=$x"
(cd /; pwd); pwd | grep -q / && echo "cwd kept"
(exit 3); echo "subshell exit $?"
{ echo a; echo b; } | sort -r
( echo c; echo d ) | wc -l
{ echo to-file; } > grp.txt; cat grp.txt
f() ( v=inside; echo "$v" ); v=outside; f; echo "$v"
echo "$( (echo nested) )"
