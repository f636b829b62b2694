#!/usr/bin/env bash
# stsh-run against native and the peers a user would pick instead (bwrap, firejail, strace -f),
# in one run, interleaved, several rounds; medians and ratios to native printed. Not a pass/fail
# test, except that the workload's one injected denial must reach syslog.
#   (a) the mixed workload: compile 8 C files, find/tar/grep over /usr/include, ls -laR
#       /usr/share/doc, and one read the policy denies (cat /etc/shadow, base.yaml's rule);
#   (b) the syscall loop: openat+close, stat and getppid of a permitted file;
#   (c) a command's start-up: /usr/bin/true, 20 times a round.
# stsh-run runs on the kernel route (a private stsh-audit records its denials) and on the
# supervisor route, under a realistic policy: the shipped base, coreutils, build and archive
# profiles plus the work tree.
# Needs root (tests/lib/harness.sh: a private rsyslogd and stsh-audit).
# Usage: peers_bench.sh STSH-RUN STSH-AUDIT SYSCALL_LOOP SOURCE_ROOT [ROUNDS]
set -u
run=$1
audit_bin=$2
loop_bin=$3
root=$4
rounds=${5:-5}
source "$root/tests/lib/harness.sh"
harness_init peers-bench "$@"
start_private_log
start_private_audit "$audit_bin"

bench=$work/bench
mkdir -p "$bench/src"
cp "$loop_bin" "$bench/syscall_loop"
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
cat /etc/shadow >/dev/null 2>&1
exit 0
SH
cat >"$bench/startup.sh" <<'SH'
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do "$@" || exit 1; done
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
  $bench/syscall_loop: {}
EOF
policy=$policy_dir/bench.yaml

contenders=(native stsh-run stsh-run-supervisor bwrap firejail strace)
# wrap CONTENDER: the words that run a command under CONTENDER.
wrap() {
  case $1 in
    native) ;;
    stsh-run) echo "$run --policy $policy --" ;;
    stsh-run-supervisor) echo "$run --route supervisor --policy $policy --" ;;
    bwrap) echo "bwrap --ro-bind / / --dev /dev --proc /proc --bind /tmp /tmp --" ;;
    firejail) echo "firejail --quiet --noprofile" ;;
    strace) echo "strace -f -qq -o /dev/null" ;;
  esac
}
ms() {  # ms CMD...: wall time of one run in ms; a failed run measures nothing
  local s
  s=$(date +%s%N)
  "$@" >/dev/null 2>&1 || { echo "peers_bench: failed: $*" >&2; return 1; }
  echo $((($(date +%s%N) - s) / 1000000))
}
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

available=()
for c in "${contenders[@]}"; do
  read -r -a w <<<"$(wrap "$c")"
  if [[ ${#w[@]} -eq 0 ]] || command -v "${w[0]}" >/dev/null && ms "${w[@]}" /usr/bin/true >/dev/null; then
    available+=("$c")
  else
    echo "($c: not installed or failed; left out)"
  fi
done

declare -A workload loop_open loop_stat loop_ppid startup
log_mark
for ((r = 0; r < rounds; r++)); do
  for c in "${available[@]}"; do
    read -r -a w <<<"$(wrap "$c")"
    workload[$c]+="$(ms "${w[@]}" /usr/bin/dash "$bench/workload.sh") "
    out=$("${w[@]}" "$bench/syscall_loop" 100000 "$bench/src/f1.c" 2>/dev/null)
    loop_open[$c]+="$(awk '/^openat/ {print $2}' <<<"$out") "
    loop_stat[$c]+="$(awk '/^stat/ {print $2}' <<<"$out") "
    loop_ppid[$c]+="$(awk '/^getppid/ {print $2}' <<<"$out") "
    t=$(ms dash "$bench/startup.sh" "${w[@]}" /usr/bin/true)
    startup[$c]+="$(awk -v t="$t" 'BEGIN { printf "%.1f", t / 20 }') "
  done
done

# table TITLE UNIT ARRAY: median per contender and its ratio to native.
table() {
  local -n times=$3
  local native c m
  native=$(median <<<"${times[native]}")
  echo "== $1, median of $rounds interleaved rounds ($2), ratio to native =="
  for c in "${available[@]}"; do
    m=$(median <<<"${times[$c]}")
    awk -v c="$c" -v m="$m" -v n="$native" -v u="$2" -v all="${times[$c]}" \
      'BEGIN { printf "%-20s %9.1f %s %7.2fx   (runs: %s)\n", c, m, u, (n > 0 ? m / n : 0), all }'
  done
}
table "(a) mixed workload" ms workload
table "(b) syscall loop: openat+close" "ns" loop_open
table "(b) syscall loop: stat" "ns" loop_stat
table "(b) syscall loop: getppid" "ns" loop_ppid
table "(c) start-up of /usr/bin/true" ms startup

log_sync
if log_since_mark | grep -q "exe=/usr/bin/cat .*path=/etc/shadow .*action=deny"; then
  echo "the injected denial is in syslog: $(log_since_mark | grep -c "path=/etc/shadow") records" \
    "($rounds rounds x 2 routes wanted)"
else
  echo "peers_bench: the injected denial was NOT recorded; records since the start:" >&2
  log_since_mark | tail -5 >&2
  exit 1
fi
