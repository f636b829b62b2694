#!/usr/bin/env bash
# Installs what stsh needs on Debian 12 (only what is missing), then configures and builds
# into build/, saying what it does at each step and showing the build's progress. Run by
# scripts/demo.sh and scripts/test.sh; safe to run again.
#
# A new build/ is configured with --prefix=/usr (where `sudo meson install -C build` then
# installs, as the README's "Build and install" says). A build/ that exists keeps its options:
# `meson setup` cannot change them (it says "Directory already configured" and keeps them),
# so this script says which prefix it has when it is not /usr; `meson configure build
# -Dprefix=/usr` changes it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

packages=(meson ninja-build g++ pkg-config libseccomp-dev libreadline-dev libyaml-cpp-dev catch2
          clang libclang-rt-14-dev python3 rsyslog util-linux bsdutils mount passwd procps perl
          vim less git tar xz-utils findutils mawk
          openssh-server openssh-client rsync
          bubblewrap firejail strace)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: installing packages needs root: run this script with sudo" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  echo "setup: apt-get update"
  apt-get update -qq
  echo "setup: apt-get install (a few minutes on a fresh machine)"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Warnings are errors in CI; on a workstation they stay warnings.
werror=false
[[ ${CI:-} == true ]] && werror=true
if [[ ! -f build/build.ninja ]]; then
  echo "setup: configuring build/ (meson setup build --prefix=/usr -Dwerror=$werror)"
  meson setup build --prefix=/usr -Dwerror="$werror" >/dev/null
else
  read -r prefix configured_werror < <(meson introspect build --buildoptions | python3 -c '
import json, sys
options = {o["name"]: o["value"] for o in json.load(sys.stdin)}
print(options["prefix"], str(options["werror"]).lower())')
  # Only when it changes: meson configure regenerates the build files.
  if [[ $configured_werror != "$werror" ]]; then
    meson configure build -Dwerror="$werror" >/dev/null
  fi
  echo "setup: using build/ as configured (prefix $prefix, werror=$werror)"
  if [[ $prefix != /usr ]]; then
    echo "setup: note: 'meson install -C build' installs under $prefix; to install under /usr:" \
      "meson configure build -Dprefix=/usr"
  fi
fi
if [[ ! -f build/shell/stsh ]]; then
  echo "setup: building in build/ (the first build takes about 3 minutes on 2 cores)"
else
  echo "setup: building in build/ (what changed)"
fi
meson compile -C build
echo "setup: built build/shell/stsh, build/enforcer/stsh-run, build/policy/stsh-policy"
