#!/usr/bin/env bash
# Installs what stsh needs on Debian 12 (only what is missing), then configures and builds
# into build/. Sourced by scripts/demo.sh and scripts/test.sh; safe to run again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

packages=(meson ninja-build g++ pkg-config libseccomp-dev libreadline-dev libyaml-cpp-dev catch2
          clang libclang-rt-14-dev python3 rsyslog util-linux perl
          vim less git tar findutils mawk
          openssh-server openssh-client rsync)
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
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Warnings are errors in CI; on a workstation they stay warnings.
werror=false
[[ ${CI:-} == true ]] && werror=true
if [[ ! -f build/build.ninja ]]; then
  meson setup build -Dwerror="$werror" >/dev/null
else
  meson configure build -Dwerror="$werror" >/dev/null
fi
meson compile -C build
