#!/bin/bash
# deps.sh [--dev] - install what memscry needs on Debian 12 / Ubuntu, only
# what is missing. Plain: build and run. --dev adds what the test suite uses
# (Check and jansson for the unit tests, clang + libFuzzer, python3, and
# makedumpfile for the corpus).
set -euo pipefail
pkgs=(build-essential cmake pkg-config zlib1g-dev libdeflate-dev liblzma-dev libxxhash-dev
      liblzo2-dev libsnappy-dev libzstd-dev xz-utils libzip-dev libbpf-dev liblz4-dev libsqlite3-dev
      libcapstone-dev libyara-dev)
if [ "${1:-}" = "--dev" ]; then
  pkgs+=(check libjansson-dev clang libclang-rt-14-dev python3 makedumpfile valgrind binutils sqlite3)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo=sudo
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
