# Lists, statuses, local, exec descriptors, here-documents, compared with dash.
{ echo one; false; } && echo and || echo or
if { false; }; then echo t; else echo f; fi
x=$(false) || echo "sub failed"
echo $( echo a ; echo b )
echo "$( printf 'x\n\n\n' )|"
f() { return; }; false; f; echo "return with no arg: $?"
g() { false; return; }; g; echo "g: $?"
h() { local a=1 b; b=2; echo $a $b; }; h; echo "[$a] [$b]"
u() { local x; x=inner; }; x=outer; u; echo $x
for i in a b; do :; done; echo $i
c=0; until [ $c -ge 2 ]; do c=$((c+1)); done; echo $c
exec 3>&1; echo via3 >&3; exec 3>&-
echo done >&2 2>/dev/null
( echo sub; exit 2 ) | cat; echo "pipe status $?"
true | false; echo $?
false | true; echo $?
! false | false; echo $?
read a <<EOF
$(echo from-subst)
EOF
echo $a
cat <<EOF | tr a-z A-Z
lower $((1+1))
EOF
