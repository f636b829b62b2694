sleep 30 & kill %1; sleep 0.3; jobs
kill 1; echo status=$?
