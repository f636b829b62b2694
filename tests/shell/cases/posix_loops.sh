# for, while, until, break and continue (with levels).
for f in a b c; do echo "f=$f"; done
for w in; do echo never; done
set -- x 'y z'
for p; do echo "p=$p"; done
i=0
while [ $i -lt 3 ]; do i=$((i + 1)); echo "while $i"; done
until [ $i -eq 0 ]; do i=$((i - 1)); done; echo "until $i"
for a in 1 2 3; do
  for b in 1 2 3; do
    [ $b = 2 ] && continue
    [ $a = 2 ] && continue 2
    [ $a = 3 ] && break 2
    echo "$a$b"
  done
done
for n in 1 2 3; do :; done; echo "last n=$n"
while false; do :; done; echo "while status $?"
