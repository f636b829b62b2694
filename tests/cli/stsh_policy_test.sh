#!/usr/bin/env bash
# stsh-policy from the outside: exit statuses, messages, and the login's checks (--user).
# Usage: stsh_policy_test.sh PATH/TO/stsh-policy SOURCE_ROOT
# Runs as any user; the --user case builds a policy directory for the invoking user and
# asserts acceptance as root and the ownership refusal otherwise.
set -u
tool=$1
root=$2
demo=$root/etc/stsh/demo.yaml
bad=$root/tests/policies/bad
failures=0
passes=0

# expect STATUS PATTERN CMD...: runs CMD, checks its exit status and that its combined
# output matches the extended regular expression PATTERN.
expect() {
  local want=$1 pattern=$2
  shift 2
  local out status
  out=$("$@" 2>&1)
  status=$?
  if [[ $status -ne $want ]] || ! grep -Eq -- "$pattern" <<<"$out"; then
    echo "FAIL: $* -> status $status (want $want), output:"
    sed 's/^/    /' <<<"$out"
    echo "    (wanted /$pattern/)"
    failures=$((failures + 1))
  else
    echo "ok: $*"; passes=$((passes + 1))
  fi
}

expect 0 '^usage: stsh-policy check' "$tool" --help
expect 0 '^stsh-policy [0-9]+\.[0-9]+' "$tool" --version
expect 2 'missing command' "$tool"
expect 2 "unknown option '--polcy'" "$tool" check --polcy x
expect 2 'explain needs --policy FILE or --user NAME' "$tool" explain exec /usr/bin/ls
expect 2 "unknown user 'no-such-user-xyz'" "$tool" check --user no-such-user-xyz

expect 0 'policy OK' "$tool" check --policy "$demo"
expect 0 'note: --policy: the file.s owner may be root or you' "$tool" check --policy "$demo"
expect 1 "unknown_key.yaml:2:3: unknown key 'wirte' in defaults \(did you mean 'write'\?\)" \
  "$tool" check --policy "$bad/unknown_key.yaml"
expect 1 'cannot open policy: No such file or directory' "$tool" check --policy /nonexistent/p.yaml

expect 0 'decision: permit' "$tool" explain --policy "$demo" exec /usr/bin/ls -l
expect 1 'decision: deny\[EACCES\] log' "$tool" explain --policy "$demo" exec /usr/bin/bash
expect 1 'rule:     default' "$tool" explain --policy "$demo" --command /usr/bin/vim.basic exec /usr/bin/sh
expect 1 'decision: deny\[EACCES\] log' "$tool" explain --policy "$demo" --command /usr/bin/cat fsread /etc/shadow
expect 2 'is not a command of this policy' "$tool" explain --policy "$demo" --command /usr/bin/bash fsread /etc/hosts
# Words after SYSCALL belong to the call, even when they look like options.
expect 0 'argv="/usr/bin/ls -h --version"' "$tool" explain --policy "$demo" exec /usr/bin/ls -h --version
expect 1 'argv="/usr/bin/env FOO=bar /usr/bin/ls"' "$tool" explain --policy "$demo" exec /usr/bin/env FOO=bar /usr/bin/ls
expect 0 'no list governs this call' "$tool" explain --policy "$demo" getpid
expect 2 "unknown syscall or alias 'opne'" "$tool" explain --policy "$demo" opne /etc/hosts
expect 2 'filename must be an absolute path' "$tool" explain --policy "$demo" fsread etc/hosts

# Messages (issue 11.8): unquoted @, ~ for $HOME, a bare address for net.
expect 1 "unquoted_at.yaml:2:10: YAML syntax error: unknown token \(a value starting with '@' must be quoted: \"@commands\"\)$" \
  "$tool" check --policy "$bad/unquoted_at.yaml"
expect 1 "tilde_path.yaml:2:11: '~' is not expanded in a policy; write '\\\$HOME/public_html/\*\*'$" \
  "$tool" check --policy "$bad/tilde_path.yaml"
expect 1 'call:     connect sockaddr="inet:127.0.0.1:3306"' "$tool" explain --policy "$demo" net 127.0.0.1:3306
expect 1 'call:     connect sockaddr="inet6:\[::1\]:22"' "$tool" explain --policy "$demo" net '[::1]:22'
# mode: learn is refused; learning is stsh-policy learn, which writes a draft (issues 8.7, 13).
expect 1 "mode_learn.yaml:2:9: mode 'learn' is refused: .*'stsh-policy learn'" \
  "$tool" check --policy "$bad/mode_learn.yaml"

# Symlinked command keys and exec entries (issue 11.2), extended entries (issue 11.3).
links=$(mktemp -d)
chmod 755 "$links"
mkdir "$links/bin" "$links/alt"
: >"$links/bin/vim.basic"
: >"$links/bin/py3.11"
chmod 755 "$links/bin/vim.basic" "$links/bin/py3.11"
ln -s "$links/bin/vim.basic" "$links/alt/vi"
ln -s "$links/alt/vi" "$links/bin/vi"
ln -s py3.11 "$links/bin/py3"
printf 'commands:\n  %s/bin/vi: { exec: [] }\n  %s/bin/make: { exec: [%s/bin/py3] }\n' \
  "$links" "$links" "$links" >"$links/keys.yaml"
expect 0 "keys.yaml:2:3: note: command $links/bin/vi is a symlink to $links/bin/vim.basic: the entry applies to that" \
  "$tool" check --policy "$links/keys.yaml"
expect 0 "keys.yaml:3:[0-9]+: note: exec entry $links/bin/py3 is a symlink to $links/bin/py3.11: the entry applies to that" \
  "$tool" check --policy "$links/keys.yaml"
expect 0 'decision: permit' "$tool" explain --policy "$links/keys.yaml" exec "$links/bin/vim.basic"
expect 0 'decision: permit' "$tool" explain --policy "$links/keys.yaml" --command "$links/bin/make" exec "$links/bin/py3.11"
# explain answers for what the kernel runs, as the session would.
expect 0 "note: $links/bin/vi is a symlink to $links/bin/vim.basic: the kernel runs that" \
  "$tool" explain --policy "$links/keys.yaml" exec "$links/bin/vi"
expect 0 'decision: permit' "$tool" explain --policy "$links/keys.yaml" exec "$links/bin/vi"
expect 1 "context:  $links/bin/vim.basic " "$tool" explain --policy "$links/keys.yaml" --command "$links/bin/vi" exec /usr/bin/sh
printf 'commands:\n  %s/bin/vi: {}\n  %s/bin/vim.basic: {}\n' "$links" "$links" >"$links/dup.yaml"
expect 1 "dup.yaml:3:3: duplicate command '$links/bin/vim.basic': it names $links/bin/vim.basic, as does '$links/bin/vi' \(first defined at $links/dup.yaml:2:3\)$" \
  "$tool" check --policy "$links/dup.yaml"

mkdir "$links/profiles"
printf 'commands:\n  /usr/bin/git:\n    exec: [/usr/lib/git-core/*]\n  /usr/bin/python3.11: {}\n' \
  >"$links/profiles/dev.yaml"
printf 'include: [profiles/dev.yaml]\ncommands:\n  /usr/bin/git:\n    extend: true\n    exec: [/usr/bin/ssh]\n  /usr/bin/python3.11:\n    extend: true\n    connect: ["inet:*:443"]\n' \
  >"$links/bob.yaml"
expect 0 "profiles/dev.yaml:2:3: note: command '/usr/bin/git' is extended by $links/bob.yaml:3:3; the merged entry:" \
  "$tool" check --policy "$links/bob.yaml"
expect 0 "    exec: /usr/bin/ssh  \($links/bob.yaml:5:12\)" "$tool" check --policy "$links/bob.yaml"
expect 0 "    exec: /usr/lib/git-core/\*  \($links/profiles/dev.yaml:3:12\)" "$tool" check --policy "$links/bob.yaml"
expect 0 'decision: permit' "$tool" explain --policy "$links/bob.yaml" --command /usr/bin/python3.11 net 192.0.2.1:443
expect 1 'decision: deny' "$tool" explain --policy "$links/bob.yaml" --command /usr/bin/python3.11 net 192.0.2.1:80
sed -i 's/extend: true/extend: false/' "$links/bob.yaml"
expect 1 "bob.yaml:3:3: duplicate command '/usr/bin/git' \(first defined at $links/profiles/dev.yaml:2:3\); to add to that entry, give this one 'extend: true'$" \
  "$tool" check --policy "$links/bob.yaml"
rm -rf "$links"

# test and diff: exit 0 all pass / nothing changed, 1 failures / changes, 2 bad input.
sc=$(mktemp -d)
etc=$root/etc/stsh
cat >"$sc/pass.yaml" <<'YAML'
scenarios:
  - name: cat reads home, not shadow
    as: /usr/bin/cat
    steps:
      - open: ~/x
        expect: permit
      - open: /etc/shadow
        expect: deny[EACCES] log
YAML
cat >"$sc/fail.yaml" <<'YAML'
scenarios:
  - name: wrong on purpose
    steps:
      - exec: /usr/bin/bash
        expect: permit
YAML
printf 'scenarios:\n  - name: x\n    steps:\n      - open: /x\n        expect: maybe\n' >"$sc/bad.yaml"
printf 'include: [default.yaml]\ncommands:\n  /usr/bin/bash: {}\n' >"$sc/new.yaml"
expect 0 '^scenarios: 1 passed, 0 failed \(2 operations' "$tool" test "$etc/default.yaml" "$sc/pass.yaml"
expect 1 "^FAIL  $sc/fail.yaml:2:5: wrong on purpose" "$tool" test "$etc/default.yaml" "$sc/fail.yaml"
expect 1 "$sc/fail.yaml:4:9: exec: /usr/bin/bash" "$tool" test "$etc/default.yaml" "$sc/fail.yaml"
expect 1 'to change: add a command entry  /usr/bin/bash: \{\}' "$tool" test "$etc/default.yaml" "$sc/fail.yaml"
expect 2 "^$sc/bad.yaml:5:17: expect: unknown decision 'maybe'" "$tool" test "$etc/default.yaml" "$sc/bad.yaml"
expect 2 'test needs a POLICY and at least one SCENARIOS file' "$tool" test "$etc/default.yaml"
expect 2 "unknown option '--liv'" "$tool" test --liv "$etc/default.yaml" "$sc/pass.yaml"
expect 0 '^diff: 0 of 3 decisions changed' "$tool" diff "$etc/default.yaml" "$etc/default.yaml" --scenarios "$sc/pass.yaml" "$sc/fail.yaml"
expect 1 "^$sc/fail.yaml:4:9: exec: /usr/bin/bash" "$tool" diff --policy-dir "$etc" "$etc/default.yaml" "$sc/new.yaml" --scenarios "$sc/fail.yaml"
expect 1 "  new:  permit  rule $sc/new.yaml:3:3  command /usr/bin/bash" "$tool" diff --policy-dir "$etc" "$etc/default.yaml" "$sc/new.yaml" --scenarios "$sc/fail.yaml"
expect 2 'diff needs --scenarios FILE... or --log FILE...' "$tool" diff "$etc/default.yaml" "$sc/new.yaml"
# --log: the violation records of a syslog file (other programs' lines and garbage counted).
{
  echo 'Dec  2 08:00:00 h stsh[7]: violation user=alice session=1 pid=9 exe=/usr/bin/dash entry=(login) syscall=execve path=/usr/bin/bash rule=default action=deny[EACCES] mode=enforce'
  echo 'Dec  2 08:00:01 h stsh[7]: violation user=alice session=1 pid=9 exe=/usr/bin/dash entry=(login) syscall=execve path=/usr/bin/bash rule=default action=deny[EACCES] mode=enforce'
  echo 'Dec  2 08:00:02 h cron[8]: violation user=root syscall=execve path=/usr/bin/bash'
  echo 'Dec  2 08:00:03 h stsh[7]: violation user=alice syscall=execve path=/usr/bin/bash "unterminated'
} >"$sc/syslog"
expect 1 "^$sc/syslog:1:1: logged call of /usr/bin/dash \(2 records\)" "$tool" diff --policy-dir "$etc" "$etc/default.yaml" "$sc/new.yaml" --log "$sc/syslog"
expect 1 '^diff: 1 of 1 decisions changed \(1 log lines not read as violation records\)' "$tool" diff --policy-dir "$etc" "$etc/default.yaml" "$sc/new.yaml" --log "$sc/syslog"
rm -rf "$sc"

# The login's path: --user NAME selects users/NAME.yaml and requires root ownership.
me=$(id -un)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
chmod 755 "$dir"
mkdir -m 755 "$dir/users"
printf 'commands:\n  /usr/bin/ls: {}\n' >"$dir/users/$me.yaml"
chmod 644 "$dir/users/$me.yaml"
if [[ $(id -u) -eq 0 ]]; then
  expect 0 "files:    $dir/users/$me.yaml" "$tool" check --user "$me" --policy-dir "$dir"
  chown 65534 "$dir/users/$me.yaml"
  expect 1 'insecure policy file: it is owned by uid 65534, must be owned by root$' \
    "$tool" check --user "$me" --policy-dir "$dir"
  chown 0 "$dir/users/$me.yaml"
else
  expect 1 "insecure policy (file|directory).*must be owned by root$" "$tool" check --user "$me" --policy-dir "$dir"
fi
chmod 666 "$dir/users/$me.yaml"
expect 1 'writable by others' "$tool" check --user "$me" --policy-dir "$dir"
rm "$dir/users/$me.yaml"
expect 1 "no policy for user '$me'" "$tool" check --user "$me" --policy-dir "$dir"

# The tree cache (policy/tree_cache.h): a check as root stores each file of the set once; a
# check of a draft outside the policy directory stores nothing unless --tree-cache says where.
# not_in PATTERN CMD...: CMD's output must not match PATTERN.
not_in() {
  local pattern=$1 out
  shift
  out=$("$@" 2>&1)
  if grep -Eq -- "$pattern" <<<"$out"; then
    echo "FAIL: $* printed /$pattern/:"; sed 's/^/    /' <<<"$out"; failures=$((failures + 1))
  else
    echo "ok: $* (no /$pattern/)"; passes=$((passes + 1))
  fi
}
not_in 'tree cache' "$tool" check --policy "$demo"
if [[ $(id -u) -eq 0 ]]; then
  cache=$dir/cache
  files=$(( $(grep -c '^  - profiles/' "$demo") + 1 ))
  # Made readable by the users whose logins read it, whatever the umask of the admin's check.
  expect 0 "^tree cache $cache: $files stored, 0 already there$" bash -c 'umask 077 && exec "$@"' _ "$tool" check --policy "$demo" --tree-cache "$cache"
  expect 0 '^drwxr-xr-x -rw-r--r--$' bash -c 'echo "$(stat -c %A "$1") $(stat -c %A "$(ls "$1"/*.tree | head -1)")"' _ "$cache"
  expect 0 "^tree cache $cache: 0 stored, $files already there$" "$tool" check --policy "$demo" --tree-cache "$cache"
  expect 0 '^-rw-r--r-- root root$' stat -c '%A %U %G' "$(ls "$cache"/*.tree | head -1)"
  # An entry others could have written is not used (the file is parsed and stored again).
  entry=$(ls "$cache"/*.tree | head -1)
  chmod 664 "$entry"
  expect 0 "^tree cache $cache: 1 stored, $((files - 1)) already there$" "$tool" check --policy "$demo" --tree-cache "$cache"
  # Nor an entry cut short.
  truncate -s -5 "$entry"
  expect 0 "^tree cache $cache: 1 stored, $((files - 1)) already there$" "$tool" check --policy "$demo" --tree-cache "$cache"
  # Nor a cache directory others can write to: nothing is stored there either.
  chmod 777 "$cache"
  expect 0 "warning: tree cache: $cache \\(or a directory above it\\) is not root's alone" "$tool" check --policy "$demo" --tree-cache "$cache"
  chmod 755 "$cache"
fi

echo "script checks: $passes passed, $failures failed"
[[ $failures -eq 0 ]]
