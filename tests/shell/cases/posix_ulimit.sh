# ulimit as dash has it, for values below every shell's hard limit (the policy's is 100).
ulimit -n 64; ulimit -n; ulimit -Hn; grep 'Max open files' /proc/self/limits
(ulimit -Sn 32; grep 'Max open files' /proc/self/limits)
ulimit -Sn; ulimit -f 2048; ulimit -f; grep 'Max file size' /proc/self/limits
ulimit -t 100; ulimit -Ht; ulimit -c 0; ulimit -c
