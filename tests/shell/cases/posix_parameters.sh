# ${...} forms (XCU 2.6.2), with and without the colon.
unset u; e=; s=set
echo "1 ${u-dflt} ${e-dflt} ${s-dflt}"
echo "2 ${u:-dflt} ${e:-dflt} ${s:-dflt}"
echo "3 ${u+alt} ${e+alt} ${s+alt}"
echo "4 ${u:+alt} ${e:+alt} ${s:+alt}"
echo "5 ${a=assigned} $a ${e:=now} $e"
p=/usr/local/lib/libfoo.so.1
echo "6 ${#p} ${p%/*} ${p%%/*}x ${p#*/} ${p##*/}"
echo "7 ${p%.*} ${p%%.*} ${p#/usr} ${p##*.}"
echo "8 ${u:-"a b"} ${u:-a  b} '${s}'"
set -- "a b" c
echo "9 ${#} ${1} ${2} ${3-none}"
n=file.tar.gz; echo "10 ${n%".gz"} ${n%\.*}"
echo "11 ${s:?never fails} ${s:+s is set}"
( : "${u:?is required}" ) 2>/dev/null; echo "12 status $?"
echo "13 $(( ${#s} + 1 ))"
