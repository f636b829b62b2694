# exec CMD runs CMD (confined) and ends the shell with its status.
echo before
echo piped | exec cat
echo "after the pipeline"
exec sh_is_not_run_here 2>/dev/null
echo never
