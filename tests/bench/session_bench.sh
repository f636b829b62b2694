#!/usr/bin/env bash
# Session costs of stsh against bash, measured in one run, interleaved, several repetitions
# (not a test: these machines are noisy). Needs root: a useradd user runs both shells.
#   start-up:   `SHELL -c true`, RUNS times in a row: bash; stsh with its policy files in the
#               tree cache (as `stsh-policy check` as root leaves them, policy/tree_cache.h);
#               stsh parsing them (a copy of the set with one comment more in each file)
#   login:      from the start on a pseudo-terminal to the first prompt, then exit
#               (tests/bench/login_prompt.py, RUNS times): `bash -i` without rc files, and
#               `stsh -l` with and without its trees cached
#   concurrent: SESSIONS sessions at once, each LOOPS times
#               `ls -la /usr/bin | wc -l; cat /etc/hostname; cat /etc/shadow`
# Prints milliseconds and the ratio stsh/bash for each repetition, then the medians.
# The cache entries it adds to the build's tree cache directory are removed at the end.
# Usage: session_bench.sh STSH SOURCE_ROOT STSH_POLICY   (RUNS=50 SESSIONS=20 LOOPS=5 REPS=3)
set -u
stsh=$1
root=$2
stsh_policy=$3
runs=${RUNS:-50} sessions=${SESSIONS:-20} loops=${LOOPS:-5} reps=${REPS:-3}
[[ $(id -u) -eq 0 ]] || { echo "session_bench: needs root (a test user)" >&2; exit 1; }

user=stsh-bench-$$
work=$(mktemp -d /tmp/stsh-session-bench.XXXXXX)
chmod 755 "$work"
useradd --create-home --shell /usr/sbin/nologin "$user" || exit 1
cache=$("$stsh_policy" --help | sed -n 's/.*--tree-cache DIR .*(default \(.*\));/\1/p')
[[ -n $cache ]] || { echo "session_bench: cannot tell the tree cache directory" >&2; exit 1; }
cache_existed=false; [[ -d $cache ]] && cache_existed=true
ls "$cache" 2>/dev/null | sort >"$work/cache.before"
remove_added_entries() {
  comm -13 "$work/cache.before" <(ls "$cache" 2>/dev/null | sort) | sed "s|^|$cache/|" | xargs -r rm -f
  $cache_existed || rmdir "$cache" 2>/dev/null
}
trap 'pkill -KILL -u "$user" 2>/dev/null; userdel --remove "$user" 2>/dev/null; remove_added_entries; rm -rf "$work"' EXIT
cp -r "$root/etc/stsh" "$work/etc" && chown -R root:root "$work/etc" && chmod -R go-w "$work/etc"
# The demo policy with room for the concurrent sessions' processes.
cat >"$work/etc/bench.yaml" <<'YAML'
include: [demo.yaml]
session:
  warning_limit: 0
  limits: { nproc: 4000 }
YAML
# The same set, one comment longer per file: texts no cache holds.
cp -r "$work/etc" "$work/etc-cold"
find "$work/etc-cold" -name '*.yaml' -exec sh -c 'echo "# not in the tree cache" >>"$1"' _ {} \;
install -m 755 "$stsh" "$work/stsh"
"$stsh_policy" check --policy "$work/etc/bench.yaml" --tree-cache "$cache" | grep '^tree cache' || exit 1
stsh_cmd=("$work/stsh" --policy "$work/etc/bench.yaml" -c)
cold_cmd=("$work/stsh" --policy "$work/etc-cold/bench.yaml" -c)
bash_cmd=(bash -c)

# setpriv rather than runuser: no PAM session per run, which would cost more than the shells.
home=$(getent passwd "$user" | cut -d: -f6)
as_user() { setpriv --reuid="$user" --regid="$user" --init-groups env -i HOME="$home" "$@"; }
ms() { local s; s=$(date +%s%N); "$@" >/dev/null 2>&1; echo $(( ($(date +%s%N) - s) / 1000000 )); }

startup() {  # SHELL-ARRAY-NAME
  local -n cmd=$1
  for _ in $(seq "$runs"); do as_user "${cmd[@]}" true; done
}
workload='ls -la /usr/bin | wc -l; cat /etc/hostname; cat /etc/shadow'
concurrent() {
  local -n cmd=$1
  local pids=() i
  for i in $(seq "$sessions"); do
    as_user "${cmd[@]}" "$(printf '%s; %.0s' "$workload" $(seq "$loops"))" &
    pids+=($!)
  done
  wait "${pids[@]}"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }

login() { as_user PATH=/usr/bin:/bin TERM=xterm python3 "$root/tests/bench/login_prompt.py" "$runs" "$@"; }
each() { awk -v t="$1" -v n="$runs" 'BEGIN{printf "%.1f", t/n}'; }
echo "start-up: $runs runs of SHELL -c true; concurrent: $sessions sessions x $loops loops"
: >"$work/s.b"; : >"$work/s.s"; : >"$work/s.c"; : >"$work/c.b"; : >"$work/c.s"
for r in $(seq "$reps"); do
  b=$(ms startup bash_cmd); s=$(ms startup stsh_cmd); c=$(ms startup cold_cmd)
  echo "$b" >>"$work/s.b"; echo "$s" >>"$work/s.s"; echo "$c" >>"$work/s.c"
  lb=$(login bash --norc --noprofile -i); ls_=$(login "$work/stsh" -l --policy "$work/etc/bench.yaml")
  lc=$(login "$work/stsh" -l --policy "$work/etc-cold/bench.yaml")
  printf 'rep %d: login to prompt, median (range): bash %s, stsh %s (cached trees), stsh %s (parsing)\n' \
    "$r" "$lb" "$ls_" "$lc"
  cb=$(ms concurrent bash_cmd); cs=$(ms concurrent stsh_cmd)
  echo "$cb" >>"$work/c.b"; echo "$cs" >>"$work/c.s"
  printf 'rep %d: start-up ms each: bash %s, stsh %s (cached trees, x%s), stsh %s (parsing, x%s); concurrent bash %d ms stsh %d ms (x%s)\n' \
    "$r" "$(each "$b")" "$(each "$s")" "$(ratio "$s" "$b")" "$(each "$c")" "$(ratio "$c" "$b")" \
    "$cb" "$cs" "$(ratio "$cs" "$cb")"
done
mb=$(median <"$work/s.b"); msm=$(median <"$work/s.s"); mc=$(median <"$work/s.c")
mcb=$(median <"$work/c.b"); mcs=$(median <"$work/c.s")
echo "median: start-up bash $(each "$mb") ms, stsh $(each "$msm") ms with cached trees (x$(ratio "$msm" "$mb")), $(each "$mc") ms parsing (x$(ratio "$mc" "$mb")); concurrent x$(ratio "$mcs" "$mcb")"
