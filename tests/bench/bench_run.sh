#!/usr/bin/env bash
# Native vs stsh-run in one run: (a) a syscall loop (openat+close, stat, getppid) and (b) a
# mixed shell workload (compile 8 C files, find/tar/grep over /usr/include, ls -laR
# /usr/share/doc) under tests/bench/workload.yaml. Prints times and ratios; not a test.
# Usage: bench_run.sh STSH-RUN SYSCALL_LOOP SOURCE_ROOT
set -eu
run=$1
loop_src=$2
root=$3
policy=$root/tests/bench/workload.yaml
work=/tmp/stsh-bench
rm -rf "$work"
mkdir -p "$work"
bash "$root/tests/bench/mixed_workload.sh" "$work"
cp "$loop_src" "$work/syscall_loop"

# A failed run would measure nothing: stop instead.
seconds() {
  local s=$(date +%s%N)
  "$@" >/dev/null 2>&1 || { echo "bench_run: failed: $*" >&2; exit 1; }
  echo $(( $(date +%s%N) - s ))
}
best_of() {  # best of 3 runs, in ms
  local best=
  for _ in 1 2 3; do
    local t=$(seconds "$@")
    [[ -z $best || $t -lt $best ]] && best=$t
  done
  echo $((best / 1000000))
}

echo "== (a) syscall loop, ns per call =="
native=$("$work/syscall_loop")
confined=$("$run" --policy "$policy" -- "$work/syscall_loop" 2>/dev/null)
paste <(echo "$native") <(echo "$confined" | awk '{print $2}') |
  awk '{printf "%-14s native %6d   stsh-run %6d   ratio %.2fx\n", $1, $2, $3, $3 / $2}'

echo "== (b) mixed shell workload, best of 3 =="
n=$(best_of sh "$work/workload.sh")
c=$(best_of "$run" --policy "$policy" -- /usr/bin/dash "$work/workload.sh")
awk -v n="$n" -v c="$c" 'BEGIN { printf "native %d ms   stsh-run %d ms   ratio %.2fx\n", n, c, c / n }'
rm -rf "$work"
