# times (a special builtin): two lines, the shell's and its children's user and system time.
times > out.times; echo "times $?"
while read u s; do case $u$s in *m*.*s*m*.*s) echo form;; *) echo "bad: $u $s";; esac; done < out.times
