# exec CMD runs CMD (confined) and ends the shell with its status.
echo before
exec sh_is_not_run_here 2>/dev/null
echo never
