# alias, unalias, type and command -v, compared with dash.
alias ll='ls -d'
ll /
type ll
alias ll
unalias ll
type ll >/dev/null 2>&1 || echo "ll is gone"
f() { :; }
type f if cat
command -v cat; command -v f; command -v if; command -v nosuch; echo "not found $?"
command -V true
