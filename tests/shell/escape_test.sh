#!/usr/bin/env bash
# The classic breakouts of restricted shells, each asserting that no shell ran (the marker
# the escaped shell would create is absent) and that the denied exec was logged with the
# program that tried it. Programs that need a terminal (vi's :!sh, less's !sh, a newline typed
# with Ctrl-V Ctrl-J) are driven through a pty by escapes_pty.py.
# Needs root. Usage: escape_test.sh STSH SOURCE_ROOT
set -u
stsh=$1
root=$2
. "$root/tests/shell/common.sh"
install -m 644 "$root/tests/shell/escapes.yaml" "$work/escapes.yaml"
policy=$work/escapes.yaml

# attempt NAME PROGRAM_EXE COMMAND: runs COMMAND in stsh; the escape would touch ~/escaped-NAME.
attempt() {
  local name=$1 exe=$2 command=$3
  log_mark
  (cd "$home" && in_private_log runuser -u "$user" -- env -i PATH=/usr/bin:/bin TERM=dumb \
    "$work/stsh" --policy "$policy" -c "$command" </dev/null >"$work/out" 2>&1)
  if [[ -e $home/escaped-$name ]]; then
    fail "$name: the escape ran a shell: $command"
    sed 's/^/    /' "$work/out"
  else
    pass "$name: no shell ran: $command"
  fi
  logged "violation user=$user .*exe=$exe .*syscall=execve(at)? path=/usr/bin/(dash|bash|sh)( |.*)rule=default action=deny" \
    "$name: the denied exec of a shell by $exe"
}

mark='touch $HOME/escaped'
attempt awk /usr/bin/mawk "awk 'BEGIN { system(\"$mark-awk\") }'"
attempt find /usr/bin/find "find . -maxdepth 0 -exec sh -c '$mark-find' \\;"
attempt git /usr/bin/git "git -c alias.x='!$mark-git' x"
attempt python /usr/bin/python3.11 "python3 -c 'import os; os.execl(\"/bin/sh\", \"sh\", \"-c\", \"$mark-python\")'"
attempt python-system /usr/bin/python3.11 "python3 -c 'import os; os.system(\"$mark-python-system\")'"
attempt perl /usr/bin/perl "perl -e 'exec \"/bin/sh\", \"-c\", \"$mark-perl\"'"
attempt tar /usr/bin/tar "tar -cf /dev/null /etc/hostname --checkpoint=1 --checkpoint-action=exec='$mark-tar'"
attempt env /usr/bin/env "env sh -c '$mark-env'"
attempt xargs /usr/bin/xargs "echo x | xargs sh -c '$mark-xargs'"
attempt vim-ex /usr/bin/vim.basic "vim -N -u NONE -i NONE -n -es -c '!$mark-vim-ex' -c 'qa!'"

# lshell's history: the shell's own syntax cannot smuggle a shell past the policy.
attempt and-list "$work/stsh" "echo && bash -c '$mark-and-list'"
attempt substitution "$work/stsh" "echo \"\$(bash -c '$mark-substitution')\""
mkdir -p "$home/bin" && ln -sf /usr/bin/bash "$home/bin/cat" && chown -R "$user:" "$home/bin"
attempt symlink "$work/stsh" "PATH=\$HOME/bin:/usr/bin; cat -c '$mark-symlink'"
# The POSIX language adds no way around the policy: functions, eval, exec, trap, ., command
# -p, aliases, background compound commands and pipeline stages run by subshell processes
# all end in the same denied exec (a subshell process's record reaches the log through the
# shell).
attempt function "$work/stsh" "cat() { bash -c '$mark-function'; }; cat"
attempt eval "$work/stsh" "eval \"bash -c '$mark-eval'\""
attempt exec "$work/stsh" "exec bash -c '$mark-exec'"
attempt trap "$work/stsh" "trap \"bash -c '$mark-trap'\" EXIT"
attempt command-p "$work/stsh" "command -p bash -c '$mark-command-p'"
attempt dot "$work/stsh" "echo \"bash -c '$mark-dot'\" > dot.sh; . ./dot.sh"
attempt alias "$work/stsh" "alias ls=bash"$'\n'"ls -c '$mark-alias'"
attempt signal-trap "$work/stsh" "trap \"bash -c '$mark-signal-trap'\" USR1; kill -USR1 \$\$"
attempt async "$work/stsh" "{ bash -c '$mark-async'; } & wait"
attempt async-list "$work/stsh" "true && bash -c '$mark-async-list' & wait"
attempt pipeline-stage "$work/stsh" "echo | { read x; bash -c '$mark-pipeline-stage'; } | cat"
attempt subshell "$work/stsh" "(bash -c '$mark-subshell')"
attempt loop "$work/stsh" "for s in sh bash dash; do \$s -c '$mark-loop'; done"

log_mark
output=$(python3 "$root/tests/shell/escapes_pty.py" "$work/stsh" "$policy" "$user" "$home" \
  "$log_socket" 2>&1)
echo "$output"
passes=$((passes + $(grep -c '^ok:' <<<"$output")))
failures=$((failures + $(grep -c '^FAIL:' <<<"$output")))
grep -q '^ok: the pty escapes ran to the end' <<<"$output" || fail "the pty driver ran to the end"
for name in vim less git-pager ctrl-v; do
  check "$name: no shell ran" test ! -e "$home/escaped-$name"
done
logged "violation user=$user .*exe=/usr/bin/vim.basic .*syscall=execve path=/usr/bin/dash .*action=deny" \
  "vim: :!sh denied"
logged "violation user=$user .*exe=/usr/bin/less .*syscall=execve path=/usr/bin/dash .*action=deny" \
  "less: !sh denied"
logged "violation user=$user .*exe=/usr/bin/git .*syscall=execve path=/usr/bin/dash .*argv=\"(/bin/)?sh -c touch \\\$HOME/escaped-git-pager.*action=deny" \
  "git: the pager through sh denied"
summary
