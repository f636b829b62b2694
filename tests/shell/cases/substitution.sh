echo "[$(echo a   b)]" [$(echo a   b)]
x=$(printf "%s\n" one two | wc -l); echo "lines=$x"
echo "$(echo "$(echo nested)")"
