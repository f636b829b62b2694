# read: from here-documents and pipes, IFS splitting, -r, the last name takes the rest.
read a b <<EOF
first second third
EOF
echo "[$a] [$b]"
read -r line <<'EOF'
back\slash  kept
EOF
echo "[$line]"
read x <<'EOF'
join\
ed
EOF
echo "[$x]"
printf 'one\ntwo\nthree\n' | while read l; do echo "line: $l"; done
IFS=: read u p rest <<EOF
root:x:0:0:root
EOF
echo "[$u] [$p] [$rest]"
read none </dev/null; echo "eof status $?"
while read -r n; do total=$((${total:-0} + n)); done <<EOF
1
2
3
EOF
echo "total $total"
