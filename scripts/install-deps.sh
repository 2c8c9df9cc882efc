#!/usr/bin/env bash
# Installs what parsim needs to build and test on Debian 12, with apt-get, only when missing.
# Safe to run again: it does nothing when every package is present.
set -eu
packages=(cmake make gcc pkg-config libsimgrid-dev libcsv-dev libcmocka-dev libcjson-dev
          libsqlite3-dev sqlite3 zlib1g-dev clang libclang-rt-14-dev
          libxml2-utils chromium fonts-dejavu-core parallel)  # last line: the report's and sweep's tests
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
  exit 2
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
