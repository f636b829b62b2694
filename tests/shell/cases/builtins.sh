cd /usr; pwd; cd -; cd /; pwd
type echo cat
type bash
type no-such-thing; echo $?
