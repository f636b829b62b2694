# Quoting and expansion corners, compared with dash.
x="a b"; set -- $x; echo $#
echo "${x#"a "}" ${x%%b}
echo ${undefined:-"with space"}x
y=${x:+"$x"}; echo "$y"
for i in "${x}" ${x}; do echo "<$i>"; done
echo "$(echo "nested "quote"")"
case "$x" in "a b") echo quoted-case;; esac
z='*'; case x in $z) echo star-var;; esac; case x in "$z") echo no;; *) echo quoted-star;; esac
i=0; while :; do i=$((i+1)); if [ $i -ge 3 ]; then break; fi; done; echo $i
echo $((010 + 0x10)) $(( -5 / 2 )) $(( -5 % 2 ))
a=1; a=$((a+1)) b=$a; echo $a $b
f() { echo "$@"; echo "$*"; echo $#; }; f "1 2" 3
IFS=,; g() { echo "$*"; }; g a b c; unset IFS
echo ${#}
set -- 1 2 3 4 5 6 7 8 9 10 11; echo ${10} ${11} $10
v=abcabc; echo ${v#*b} ${v##*b} ${v%b*} ${v%%b*}
echo ${v#} ${#v}
n=; echo ${n:-} "${n:-}" x
echo "${v:+}" x
