# "$@" inside words, here-documents in loops, functions defined in case, odd arithmetic.
set -- "a b" c
for w in "x$@y"; do echo "[$w]"; done
for w in "${@}"; do echo "{$w}"; done
for w in "$@" "$@"; do echo "<$w>"; done | wc -l
set --; for w in "x$@y"; do echo "[$w]"; done
for i in 1 2; do
  cat <<EOF
body $i
EOF
done
case a in a) f() { echo "from case"; };; esac; f
echo $(( 5 > 3 ? 1 : 0 )) $(( 1 - - 1 ))
x=10; echo $(( x /= 3 )) $x
echo "${x:-}" "${x:=}" 
v="a*b"; echo ${v#a\*} ${v#"a*"} ${v%\*b}
IFS=' '; s='a  b'; set -- $s; echo $#
unset IFS
w="  lead trail  "; echo "[${w}]" [$w]
echo a\
b
echo 'single
line'
