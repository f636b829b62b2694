# Redirections with descriptors above 2, duplication and closing, exec.
echo out 3>&1 1>&2 2>&3 2>/dev/null
{ echo to-three >&3; } 3>three.txt; cat three.txt
exec 4>four.txt; echo via-four >&4; echo again >&4; exec 4>&-; cat four.txt
exec 5<four.txt; read first <&5; echo "read: $first"; exec 5<&-
echo err-to-out 2>&1 >/dev/null | cat
{ echo a; echo b >&2; } 2>&1 | sort
cat <<EOF 3<&0
heredoc $((1+1))
EOF
cat <<-EOF
	tabs stripped
	EOF
while read l; do echo "got $l"; done < four.txt
echo appended >> four.txt; wc -l < four.txt
