#!/usr/bin/env bash
# The profile library's scenario files (tests/profiles/NAME.yaml, one per profile of
# etc/stsh/profiles) decided by stsh-policy test under tests/profiles/policy.yaml (network.yaml
# under network-policy.yaml), each scenario one check; and check's robustness lint on a policy
# that breaks mv across file systems. No root needed: nothing is run, only decided.
# Usage: profile_scenarios_test.sh PATH/TO/stsh-policy SOURCE_ROOT
set -u
tool=$1
root=$2
dir=$root/tests/profiles
etc=$root/etc/stsh
passes=0
failures=0

# Every shipped profile has its scenario file.
for profile in "$etc"/profiles/*.yaml; do
  name=$(basename "$profile")
  if [[ -f $dir/$name ]]; then
    echo "ok: profiles/$name has scenarios"; passes=$((passes + 1))
  else
    echo "FAIL: profiles/$name has no scenario file tests/profiles/$name"; failures=$((failures + 1))
  fi
done

# Every program a profile has an entry for is named in its scenario file: the library's
# scenarios cover programs, not only files.
for profile in "$etc"/profiles/*.yaml; do
  name=$(basename "$profile")
  [[ -f $dir/$name ]] || continue
  missing=()
  for key in $(grep -E '^  /[^ ]*:' "$profile" | sed 's/^  //; s/:.*//'); do
    word=$(basename "$key" | sed 's/[][\.*^$+?(){}|]/\\&/g')
    grep -Eq -- "(^|[ /\[])$word( |$|,|\])" "$dir/$name" || missing+=("$key")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    echo "ok: every program of profiles/$name is in its scenarios"; passes=$((passes + 1))
  else
    echo "FAIL: profiles/$name: no scenario names ${missing[*]}"; failures=$((failures + 1))
  fi
done

for file in "$dir"/*.yaml; do
  name=$(basename "$file")
  case $name in *policy.yaml) continue ;; esac
  policy=$dir/policy.yaml
  [[ $name == network.yaml ]] && policy=$dir/network-policy.yaml
  out=$("$tool" test --policy-dir "$etc" "$policy" "$file" 2>&1)
  status=$?
  ok=$(grep -c '^ok ' <<<"$out")
  bad=$(grep -c '^FAIL ' <<<"$out")
  passes=$((passes + ok))
  if [[ $status -ne 0 || $bad -ne 0 || $ok -eq 0 ]]; then
    echo "FAIL: $name (status $status):"
    sed 's/^/    /' <<<"$out"
    failures=$((failures + (bad > 0 ? bad : 1)))
  else
    echo "ok: $name: $ok scenarios"
  fi
done

# The live scenarios' decisions, without running them (the live test runs them as root).
for pair in "xfs-policy.yaml mv-xfs.yaml" "xfs-fragile.yaml mv-xfs-fragile.yaml"; do
  read -r policy file <<<"$pair"
  if out=$("$tool" test --policy-dir "$etc" "$dir/live/$policy" "$dir/live/$file" 2>&1); then
    echo "ok: live/$file decided under $policy"; passes=$((passes + 1))
  else
    echo "FAIL: live/$file under $policy:"; sed 's/^/    /' <<<"$out"; failures=$((failures + 1))
  fi
done

# The lint: the rename-only policy is valid (exit 0) and warned about; the sound one is not.
out=$("$tool" check --policy "$dir/live/xfs-fragile.yaml" --policy-dir "$etc" 2>&1)
status=$?
if [[ $status -eq 0 ]] && grep -Eq '^[^ ]+coreutils.yaml:[0-9]+:[0-9]+: warning: /usr/bin/mv: may rename .* EXDEV .*create the target' <<<"$out"; then
  echo "ok: check warns that xfs-fragile.yaml breaks mv across file systems"; passes=$((passes + 1))
else
  echo "FAIL: check on xfs-fragile.yaml (status $status):"; sed 's/^/    /' <<<"$out"; failures=$((failures + 1))
fi
for policy in "$dir/live/xfs-policy.yaml" "$dir/policy.yaml" "$dir/network-policy.yaml" "$etc/default.yaml"; do
  out=$("$tool" check --policy "$policy" --policy-dir "$etc" 2>&1)
  if [[ $? -eq 0 ]] && ! grep -q 'warning:' <<<"$out"; then
    echo "ok: check on $(basename "$policy"): no robustness warning"; passes=$((passes + 1))
  else
    echo "FAIL: check on $policy:"; sed 's/^/    /' <<<"$out"; failures=$((failures + 1))
  fi
done

echo "script checks: $passes passed, $failures failed"
[[ $failures -eq 0 ]]
