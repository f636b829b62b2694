# getopts inside a function starts at the function's first argument on every call, as in
# dash (POSIX leaves it unspecified; scripts that parse a function's options rely on it).
set -- -a -b
getopts ab o; echo "top $o $OPTIND"
f() { echo "in $OPTIND"; getopts a o; echo "$o $OPTIND"; }
f -a; echo "after $OPTIND"
getopts ab o; echo "top2 $o $OPTIND"
g() { while getopts xy: o; do echo "g $o ${OPTARG-}"; done; shift $((OPTIND - 1)); echo "rest $*"; }
g -x -y 1 one
g -y 2 -x two three
