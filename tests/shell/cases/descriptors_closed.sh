ls / >&-; echo st=$?
cd ~/globdir && find . | sort
