# XCU 2.9.2: each command of a multi-command pipeline runs in a subshell, streaming: a
# stage run by the shell (loop, group, function, builtin) neither collects its output nor
# runs before the next stage reads.
while true; do echo y; done | head -2
for i in 1 2 3; do echo $i; done | sort -r
printf '%s\n' a b c | while read l; do echo "line $l"; done
count() { i=0; while [ $i -lt $1 ]; do i=$((i + 1)); echo $i; done; }
n=0; count 2000 | while read l; do n=$l; done; echo "n=$n (the loop ran in a subshell)"
count 2000 | { s=0; while read l; do s=$((s + l)); done; echo "sum $s"; }
f() { while read a; do echo "f:$a"; done; }
echo one | f | cat
{ echo first; sleep 0.1; echo second; } | { read a; echo "got $a"; read b; echo "got $b"; }
echo hi | read v; echo "v=$v"
true | { exit 4; }; echo "status $?"
{ echo x; exit 2; } | cat; echo "status $?"
! { true; } | true; echo "negated $?"
i=0; while [ $i -lt 3 ]; do echo $i; i=$((i + 1)); done | { while read a; do echo "<$a>"; done; } | cat
