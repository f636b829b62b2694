#!/usr/bin/env bash
# Ordinary use of every shipped policy leaves no violation record: the programs a hosting
# customer runs every day (id, mkdir -p, sort with threads, Python with threads and the
# resolver, tar with a compressor, a local git clone, an editor in batch mode) run through
# stsh -c as a real unprivileged user, and the session's records are read back from a
# private rsyslogd. Each line is also checked for doing its work.
#
# Needs root: useradd, a private rsyslogd, a private mount namespace for /dev/log.
# Usage: ordinary_use_test.sh STSH SOURCE_ROOT
set -u
stsh=$1
root=$2
source "$root/tests/lib/harness.sh"
harness_init ordinary-use "$@"  # a private mount namespace from here on (see harness.sh)
start_private_log

user=stsh-ordinary-$$
make_test_user "$user" --create-home --shell /usr/sbin/nologin
home=$(getent passwd "$user" | cut -d: -f6)

# The shipped set and the built shell where the user can reach them (a checkout may sit
# under a directory only root can enter).
cp -r "$root/etc/stsh" "$work/etc"
chown -R root:root "$work/etc"
chmod -R go-w "$work/etc"
install -m 755 "$stsh" "$work/stsh"
seq 1 300000 >"$home/numbers.txt"  # 2 MB: sort uses threads for it
chown "$user:" "$home/numbers.txt"

# as_user POLICY COMMAND-LINE: stsh -c as the test user, in its home.
as_user() {
  (cd "$home" && runuser -u "$user" -- env -i HOME="$home" LANG=C.UTF-8 \
     "$work/stsh" --policy "$work/etc/$1" -c "$2")
}

# ordinary POLICY WHAT EXPECTED-OUTPUT-REGEX COMMAND-LINE: works, and no violation record.
ordinary() {
  local policy=$1 what=$2 want=$3 line=$4 out
  log_mark
  out=$(as_user "$policy" "$line" 2>&1)
  if grep -Eq -- "$want" <<<"$out"; then
    pass "$policy: $what works"
  else
    fail "$policy: $what: output:"
    sed 's/^/    /' <<<"$out" | tail -8
  fi
  # The session's end record says how many violations it had; wait for it.
  for _ in $(seq 50); do log_since_mark | grep -q "event=end" && break; sleep 0.1; done
  if log_since_mark | grep -q "event=end.* violations=0" && ! log_since_mark | grep -q " violation "; then
    pass "$policy: $what leaves no violation record"
  else
    fail "$policy: $what wrote violation records:"
    log_since_mark | grep -E "violation|event=end" | cut -c1-400 | sed 's/^/    /'
  fi
}

for policy in default.yaml demo.yaml; do
  ordinary "$policy" "id, five times" '^uid=[0-9]+' 'id; id; id; id; id'
  ordinary "$policy" "mkdir -p, twice" '/a/b/c$' 'mkdir -p ~/a/b/c && mkdir -p ~/a/b/c && ls -d ~/a/b/c'
  twelve_sorts=$(printf 'sort -n numbers.txt >sorted.txt; %.0s' $(seq 12))
  ordinary "$policy" "sort of 2 MB, twelve times" '^300000$' "$twelve_sorts wc -l <sorted.txt"
  ordinary "$policy" "tar czf and tzf, cJf and tJf" 'a/b/c/\s*$' \
    'tar czf a.tgz a && tar tzf a.tgz >/dev/null && tar cJf a.txz a && tar tJf a.txz | tail -1'
done
ordinary demo.yaml "python3 with six threads and the resolver" '^threads 6 resolved$' \
  "python3 -c 'import threading, socket
ts = [threading.Thread(target=lambda: None) for _ in range(6)]
[t.start() for t in ts]; [t.join() for t in ts]
socket.getaddrinfo(\"localhost\", 80)
print(\"threads\", len(ts), \"resolved\")'"
ordinary demo.yaml "git init, commit and a local clone" '^cloned [0-9a-f]{7}' \
  'git init -q repo && git -C repo -c user.name=t -c user.email=t@t commit -q --allow-empty -m one &&
   git clone -q repo copy && echo cloned $(git -C copy rev-parse --short HEAD)'
ordinary demo.yaml "vim in batch mode" '^edited$' \
  'echo old >note.txt && vim -es -c "%s/old/edited/" -c wq note.txt; cat note.txt'

# A long pipeline under the shipped descriptor limit (nofile: 256): the supervisor's own
# descriptors (every stage's pipes and listener) must not count against each command's limit.
# nproc is raised so that the 300 processes may exist at all, as they may under bash.
cat >"$work/etc/pipeline.yaml" <<'YAML'
include: [default.yaml]
session:
  limits: { nproc: 2000, nofile: 256 }
YAML
ordinary pipeline.yaml "a pipeline of 300 stages" '^x$' \
  "echo x$(printf ' | cat%.0s' $(seq 299))"

summary
