# A builtin whose output is lost (a full file system: /dev/full) says so and fails, like
# /usr/bin/echo; a command name with control bytes is shown escaped.
echo data > /dev/full; echo "echo $?"
printf x > /dev/full; echo "printf $?"
pwd > /dev/full; echo "pwd $?"
nosuch$(printf '\001\033[31m')x
echo "not found $?"
