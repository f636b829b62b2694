env | sort
export LD_PRELOAD=/nonexistent.so; env | grep LD_PRELOAD || echo scrubbed
touch ~/umask.txt; ls -l ~/umask.txt | head -c 10; echo
grep "Max open files" /proc/self/limits | tr -s " "
