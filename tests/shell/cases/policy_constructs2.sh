# test's file operators stat: names and metadata are visible (only a hide: tree is not).
if [ -f secret/file ]; then echo visible; else echo hidden; fi
[ -d globdir ] && echo "globdir is a directory"
[ -e /etc/passwd ] && echo "passwd exists"
exec 3>out3.txt; echo via-3 >&3; exec 3>&-; cat out3.txt
(exec 4>/etc/stsh-shell-test-exec) || echo "exec redirection refused"
bash() { echo "a function named bash"; }; bash
command bash -c 'echo never' ; echo "command bash $?"
f() { exec cat; }; echo "exec'd cat" | f
echo "exec in a pipeline stage ends only the stage"
exec cat out3.txt
echo never
