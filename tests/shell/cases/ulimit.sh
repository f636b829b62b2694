# ulimit: the limits of the commands the shell starts, within the policy's (nofile: 100 in
# tests/shell/shell.yaml); /proc/self/limits shows what a command got (soft, then hard).
ulimit -n; ulimit -Hn
grep 'Max open files' /proc/self/limits
ulimit -Sn 50; ulimit -n; ulimit -Hn
grep 'Max open files' /proc/self/limits
(ulimit -n 20; grep 'Max open files' /proc/self/limits)
(ulimit -n 30; grep 'Max open files' /proc/self/limits) | cat
grep 'Max open files' /proc/self/limits
ulimit -Sn 100; grep 'Max open files' /proc/self/limits
ulimit -n 200; echo "raise: $?"
ulimit -Sn 40; ulimit -Hn 30; echo "hard below soft: $?"
ulimit -f 1000; grep 'Max file size' /proc/self/limits
ulimit -f; ulimit 2000; ulimit
ulimit -n abc; echo "not a number: $?"
ulimit -x; echo "unknown option: $?"
ulimit -a | grep -e nofiles -e file
