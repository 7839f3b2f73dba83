#!/usr/bin/env bash
# Installs what building and testing stacklite needs, from Debian packages, when missing.
# Safe to run again: it only calls apt-get when a package is absent.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libsqlite3-dev sqlite3
  libcurl4-openssl-dev libsimdjson-dev
  libgtest-dev libcpp-httplib-dev
  python3 python3-pandas python3-matplotlib
  bsdutils  # script(1): the progress line's test runs the shell on a pseudo-terminal
  clang-format
)
if [[ "${STACKLITE_FUZZ:-0}" == 1 ]]; then packages+=(clang libclang-rt-dev); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if (( ${#missing[@]} )); then
  echo "installing: ${missing[*]}"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
