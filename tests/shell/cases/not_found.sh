no-such-command; echo $?
/no/such/path; echo $?
# Messages about a command go to its own standard error.
nosuch-quiet 2>/dev/null; echo "quiet $?"
