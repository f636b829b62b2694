# What a command starts with ignored (XCU 2.11): what a trap ignores, and SIGINT and SIGQUIT
# for an asynchronous command when job control is off; a trap with an action or a reset
# leaves it at its default. SigIgn is the kernel's mask of ignored signals, in hex.
grep SigIgn /proc/self/status
trap '' INT; grep SigIgn /proc/self/status
trap - INT; grep SigIgn /proc/self/status
trap '' HUP PIPE USR1; grep SigIgn /proc/self/status
trap 'echo caught' USR1; grep SigIgn /proc/self/status
trap - HUP PIPE USR1
grep SigIgn /proc/self/status &
wait
(grep SigIgn /proc/self/status; trap - INT; grep SigIgn /proc/self/status) &
wait
trap '' TERM; (grep SigIgn /proc/self/status) | cat
grep SigIgn /proc/self/status | cat
trap - TERM; grep SigIgn /proc/self/status | cat
