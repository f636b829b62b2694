# Field splitting by IFS (XCU 2.6.5), $@ and $*.
v='  a  b   c  '
set -- $v; echo "$# [$1] [$2] [$3]"
IFS=:
v='x::y:'; set -- $v; echo "$# [$1] [$2] [$3]"
v=':lead'; set -- $v; echo "$# [$1] [$2]"
IFS=' :'
v='a : b c'; set -- $v; echo "$# [$1] [$2] [$3]"
IFS=
v='no split here'; set -- $v; echo "$#"
unset IFS
set -- 'one two' three
for a in "$@"; do echo "at: [$a]"; done
for a in $@; do echo "bare: [$a]"; done
for a in "$*"; do echo "star: [$a]"; done
IFS=-; echo "joined: $*"; unset IFS
set --; for a in "$@"; do echo never; done; echo "empty \$@: $#"
e=''; set -- $e "$e"; echo "empty: $#"
