#!/usr/bin/env bash
# The mixed workload (compile 8 C files, find/tar/grep over /usr/include, ls -laR
# /usr/share/doc) natively, under stsh-run on the kernel route (a private stsh-audit) and on the
# supervisor route, and under the peers a user would pick instead: bwrap, firejail, strace -f.
# Interleaved, several rounds, medians and ratios to native printed; not a pass/fail test.
# The policy is the shipped profiles (base, coreutils, build, archive) plus the work tree; the
# workload makes one read the policy denies, and its record must reach syslog.
# Needs root (tests/lib/harness.sh: a private rsyslogd and stsh-audit).
# Usage: peers_bench.sh STSH-RUN STSH-AUDIT SOURCE_ROOT [ROUNDS]
set -u
run=$1
audit_bin=$2
root=$3
rounds=${4:-5}
source "$root/tests/lib/harness.sh"
harness_init peers-bench "$@"
start_private_log
start_private_audit "$audit_bin"

bench=$work/bench
mkdir -p "$bench/src"
echo "not for the build user" >"$bench/secret"
for i in $(seq 8); do
  printf '#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\nint f%d(int x){char b[64];snprintf(b,sizeof b,"%%d",x);return (int)strlen(b)+atoi(b);}\n' "$i" >"$bench/src/f$i.c"
done
cat >"$bench/workload.sh" <<SH
cd $bench
for f in src/*.c; do cc -O1 -c "\$f" -o "\${f%.c}.o" || exit 1; done
find /usr/include -name '*.h' | wc -l >/dev/null
tar cf - /usr/include 2>/dev/null | wc -c >/dev/null
grep -r --include='*.h' -l 'define' /usr/include | wc -l >/dev/null
ls -laR /usr/share/doc >/dev/null 2>&1
cat $bench/secret >/dev/null 2>&1
exit 0
SH

# A realistic policy: the shipped profiles, the build user's tree, the temporary directory.
policy_dir=$work/etc
cp -r "$root/etc/stsh" "$policy_dir"
cat >"$policy_dir/bench.yaml" <<EOF
include: [profiles/base.yaml, profiles/coreutils.yaml, profiles/build.yaml, profiles/archive.yaml]
session:
  env: { keep: [TERM], set: { PATH: "/usr/bin:/bin" } }
  logging: { facility: local5, ident: stsh-bench }
defaults:
  read: ["$bench/src/**", /usr/include/**, /usr/share/doc/**, /tmp/**]
  write: ["$bench/src/**", /tmp/**]
commands:
  /usr/bin/dash: { exec: ["@commands"] }
  /usr/bin/find: {}
EOF
policy=$policy_dir/bench.yaml

ms() {  # ms CMD...: wall time of one run in ms
  local s
  s=$(date +%s%N)
  "$@" >/dev/null 2>&1 || { echo "peers_bench: failed: $*" >&2; return 1; }
  echo $((($(date +%s%N) - s) / 1000000))
}
declare -A times
contenders=(native stsh-run stsh-run-supervisor bwrap firejail strace)
command_of() {
  case $1 in
    native) echo "sh $bench/workload.sh" ;;
    stsh-run) echo "$run --policy $policy -- /usr/bin/dash $bench/workload.sh" ;;
    stsh-run-supervisor) echo "$run --route supervisor --policy $policy -- /usr/bin/dash $bench/workload.sh" ;;
    bwrap) echo "bwrap --ro-bind / / --dev /dev --proc /proc --bind /tmp /tmp -- sh $bench/workload.sh" ;;
    firejail) echo "firejail --quiet --noprofile sh $bench/workload.sh" ;;
    strace) echo "strace -f -qq -o /dev/null sh $bench/workload.sh" ;;
  esac
}
available=()
for c in "${contenders[@]}"; do
  read -r -a cmd <<<"$(command_of "$c")"
  if command -v "${cmd[0]}" >/dev/null && ms "${cmd[@]}" >/dev/null; then
    available+=("$c")
  else
    echo "($c: not installed or failed; left out)"
  fi
done
log_mark
for ((r = 0; r < rounds; r++)); do
  for c in "${available[@]}"; do
    read -r -a cmd <<<"$(command_of "$c")"
    times[$c]+="$(ms "${cmd[@]}") "
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
native=$(median <<<"${times[native]}")
echo "== mixed workload, median of $rounds interleaved rounds (ms), ratio to native =="
for c in "${available[@]}"; do
  m=$(median <<<"${times[$c]}")
  awk -v c="$c" -v m="$m" -v n="$native" -v all="${times[$c]}" \
    'BEGIN { printf "%-20s %6d ms  %5.2fx   (runs: %s)\n", c, m, m / n, all }'
done
if log_since_mark | grep -q "exe=/usr/bin/cat .*path=$bench/secret .*action=deny"; then
  echo "the injected denial is in syslog: $(log_since_mark | grep -c "path=$bench/secret") records"
else
  echo "peers_bench: the injected denial was NOT recorded" >&2
  exit 1
fi
