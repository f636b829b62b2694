#!/usr/bin/env bash
# mv between two file systems, for real: stsh-policy test --live runs the exec steps of
# tests/profiles/live/mv-xfs.yaml under stsh-run. /mnt/stsh-xfs/disk is a directory of the
# disk bind-mounted there and /mnt/stsh-xfs/tmpfs a tmpfs, both in this run's private mount
# namespace (tests/lib/harness.sh; nothing is mounted where the machine sees it), so rename(2)
# between them fails with EXDEV and mv falls back to copy and unlink. Under xfs-fragile.yaml
# (rename permitted, the fallback not) the same mv fails, as check's lint warned. Then the
# live: steps of the profile scenario files.
# Needs root: mount, and the harness's private rsyslogd for stsh-run's records.
# Usage: live_mv_test.sh PATH/TO/stsh-policy PATH/TO/stsh-run SOURCE_ROOT
set -u
tool=$1
run=$2
root=$3
source "$root/tests/lib/harness.sh"
harness_init live-mv "$@"
start_private_log
dir=$root/tests/profiles/live
etc=$root/etc/stsh

# A tmpfs on /mnt holds the two mount points, so /mnt itself is untouched too.
mount -t tmpfs -o mode=0755,size=16m stsh-xfs-top /mnt || die "mount -t tmpfs /mnt failed"
mkdir -p /mnt/stsh-xfs/disk /mnt/stsh-xfs/tmpfs "$work/disk"
mount --bind "$work/disk" /mnt/stsh-xfs/disk || die "mount --bind $work/disk failed"
mount -t tmpfs -o size=16m stsh-xfs /mnt/stsh-xfs/tmpfs || die "mount -t tmpfs failed"
disk_dev=$(stat -c %d /mnt/stsh-xfs/disk/.)
tmpfs_dev=$(stat -c %d /mnt/stsh-xfs/tmpfs/.)
check "the two directories are on different file systems" test "$disk_dev" != "$tmpfs_dev"

setup() {
  rm -rf /mnt/stsh-xfs/disk/* /mnt/stsh-xfs/tmpfs/*
  echo "moved across" >/mnt/stsh-xfs/disk/file
  mkdir -p /mnt/stsh-xfs/disk/dir/sub
  echo x >/mnt/stsh-xfs/disk/dir/sub/f
}

# live POLICY SCENARIOS: stsh-policy test --live passes.
live() {
  local out
  setup
  if out=$("$tool" test --live --stsh-run "$run" --policy-dir "$etc" "$dir/$1" "$dir/$2" 2>&1); then
    pass "$2 under $1, run live"
    printf '%s\n' "$out" | sed 's/^/    /'
  else
    fail "$2 under $1, run live" "$out"
  fi
}

live xfs-policy.yaml mv-xfs.yaml
check "the file arrived on the disk again" grep -qx "moved across" /mnt/stsh-xfs/disk/back
check "the directory arrived on the tmpfs" test -f /mnt/stsh-xfs/tmpfs/dir/sub/f
check "nothing is left of the directory on the disk" test ! -e /mnt/stsh-xfs/disk/dir
log_mark
live xfs-fragile.yaml mv-xfs-fragile.yaml
check "under the fragile policy the file stayed where it was" test -f /mnt/stsh-xfs/disk/file
# What the scenario cannot check itself (it does not read records): the denial was recorded.
logged_all "the fragile mv's denied create of the target" 'violation ' 'exe=/usr/bin/mv' \
  'syscall=openat' 'path=/mnt/stsh-xfs/tmpfs/file' 'action=deny\[EACCES\]'

# The profile scenarios' own live: steps (ls, a denied sh, jq on a missing file), for real.
for file in coreutils.yaml jq.yaml; do
  if out=$("$tool" test --live --stsh-run "$run" --policy-dir "$etc" "$root/tests/profiles/policy.yaml" \
      "$root/tests/profiles/$file" 2>&1); then
    pass "$file run live"
  else
    fail "$file run live" "$out"
  fi
done
summary
