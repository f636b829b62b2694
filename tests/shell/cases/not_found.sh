no-such-command; echo $?
/no/such/path; echo $?
