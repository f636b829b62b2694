# Functions and compound commands in pipelines and with redirections (subshell-like).
echo start
f() { echo "f $1"; }
f 1 | cat
x=1; f() { x=2; }; f | cat; echo "x=$x"
echo $( f; echo "x=$x" )
g() { echo g; } >/dev/null; g; echo "after g"
h() { cat; }; echo piped | h
k() { while read l; do echo "k:$l"; done; }; printf 'a\nb\n' | k
for i in 1 2; do echo $i; done > loop.out; cat loop.out
if true; then echo in-if; fi | tr a-z A-Z
case x in x) echo case-pipe;; esac | cat
echo "x" | { read v; echo "got $v"; }
echo "[$v]"
while read line; do echo "w:$line"; done <<EOF
1
2
EOF
set -- a b c
while [ $# -gt 0 ]; do echo "arg $1"; shift; done
echo "${1-none}"
