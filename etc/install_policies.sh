#!/usr/bin/env bash
# meson install script: installs the shipped policy set SRC (etc/stsh) into DEST (the
# configured policy_dir), under $DESTDIR, without ever overwriting an administrator's file.
#
#   - a file that does not exist at the destination is installed (mode 0644);
#   - a file identical to the shipped one is left alone;
#   - a file that differs is kept as it is, and the shipped version is written next to it
#     as FILE.dist (replacing an older FILE.dist), so that the administrator can compare
#     them (diff -u FILE FILE.dist) and merge what they want. stsh never reads *.dist.
#   - directories are created mode 0755 if missing (users/ and groups/ included, empty);
#     existing directories keep their owner and mode.
#
# Run as root (a real install) the files and directories it creates are owned by
# root:root, as stsh requires of every policy file and directory. Run as another user
# (a staged DESTDIR install for a package) they belong to that user, and the packaging
# sets the owner.
#
# Usage: install_policies.sh SRC DEST   (meson passes both; DESTDIR comes from the
# environment; MESON_INSTALL_DESTDIR_PREFIX and MESON_INSTALL_PREFIX give it in absolute
# form when meson runs the script.)
set -euo pipefail
src=$1
dest=$2

destdir=${DESTDIR:-}
if [[ -n ${MESON_INSTALL_DESTDIR_PREFIX:-} && -n ${MESON_INSTALL_PREFIX:-} ]]; then
  # meson's absolute form of DESTDIR (a relative DESTDIR is relative to the build directory).
  destdir=${MESON_INSTALL_DESTDIR_PREFIX%"$MESON_INSTALL_PREFIX"}
fi
root=$destdir$dest

owner=()
[[ $(id -u) -eq 0 ]] && owner=(-o 0 -g 0)

make_dir() {
  [[ -d $1 ]] && return
  install -d -m 0755 "${owner[@]}" "$1"
  echo "Installing directory $1"
}

make_dir "$root"
# users/ and groups/ are where an administrator puts per-user and per-group policies.
make_dir "$root/users"
make_dir "$root/groups"

kept=0
while IFS= read -r -d '' file; do
  rel=${file#"$src"/}
  target=$root/$rel
  make_dir "$(dirname "$target")"
  if [[ ! -e $target && ! -L $target ]]; then
    install -m 0644 "${owner[@]}" "$file" "$target"
    echo "Installing $target"
  elif cmp -s "$file" "$target"; then
    echo "Up to date $target"
  else
    install -m 0644 "${owner[@]}" "$file" "$target.dist"
    echo "Keeping $target (it differs from the shipped version, installed as $target.dist)"
    kept=$((kept + 1))
  fi
done < <(find "$src" -type f -name '*.yaml' -print0 | sort -z)

if ((kept)); then
  # meson 1.0 shows an install script's output only when it fails; run by hand, this is seen.
  echo "install_policies: $kept policy file(s) kept as they were; compare each with its .dist"
fi
