# stsh FILE ARGS and stsh -s: positional parameters, the EXIT trap, command by command
# (what came before a syntax error ran, as in dash).
printf '#!/bin/sh\necho "script: $# $1 $2"\ntrap "echo exit trap" EXIT\nexit 4\n' > script.sh
$SHELL --policy $POLICY script.sh one two; echo "status $?"
$SHELL --policy $POLICY -c 'echo "$0 $1"' name first
printf 'echo "stdin $1"\nif true; then\n  echo multi-line\nfi\nif then\necho never\n' | $SHELL --policy $POLICY -s arg
echo "status $?"
# (the nested shell sees what the outer policy hides as missing)
$SHELL --policy $POLICY secret/file; echo "unreadable script $?"
