# if / elif / else, and the status of an if whose branches did not run.
if true; then echo one; fi
if false; then echo no; elif true; then echo two; else echo no; fi
if false; then echo no; else echo three; fi
if false; then :; fi; echo "status $?"
x=5
if [ "$x" -gt 3 ] && [ "$x" -lt 10 ]; then echo "in range"; fi
if ! [ -z "$x" ]; then echo "not empty"; fi
if
  false
then
  echo no
else
  echo multi-line
fi
