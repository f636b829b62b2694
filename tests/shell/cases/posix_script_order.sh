# POSIX 2.1: a script is parsed and run command by command, as dash does: an alias applies
# to the commands read after it, and a syntax error late in the text comes after what
# precedes it has run.
echo before
alias say=echo
say after-alias
alias said=echo; said same-line 2>/dev/null || echo not-yet
said next-line
if true; then echo compound; fi
echo end
fi
echo never
