#!/bin/bash
# store.sh [BUILD_DIR] - the identifier index on a 1,000-ISF store.
#
# Builds a throw-away store in a temp dir (never committed) with
# tests/fixtures/make_store.py: 900 Windows variants of one JPCERT ntkrnlmp
# ISF and 100 Linux variants of the corpus's 6.12 ISF, each with its own
# identifier (see that script for how variants are made cheaply).
# Then times, with bench_index: the cold build (2 threads), a refresh after
# touching one file (same bytes: re-keyed), one after changing one file
# (identified again), and a warm refresh with nothing changed.
set -euo pipefail
# The machine's load is printed first: wall times on a shared 2-core machine
# move with it, CPU times much less.
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
bench=$build/bin/bench_index
shared=${MEMSCRY_SHARED:-$here/../../shared}
win=$shared/isf/windows/ntkrnlmp.pdb/22597D0B40394E23936F6A24C6C52D5B-1.json.xz
lin=${MEMSCRY_CORPUS:-$shared/corpus}/symbols/linux/debian-6.12.107-cloud-amd64.json.xz
[ -x "$bench" ] || { echo "store.sh: build bench_index first ($bench)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$here/../tests/fixtures/make_store.py" "$tmp/store" "$win" "$lin" 900 100
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "store: $(find "$tmp/store" -type f | wc -l) files, $(du -sh "$tmp/store" | cut -f1)"
cat "$tmp/store"/windows/ntkrnlmp.pdb/* "$tmp/store"/linux/* > /dev/null # warm the page cache
mkdir "$tmp/cache"
echo -n "cold build (2 threads):       "
/usr/bin/time -f "                              cpu: user %U s, sys %S s, peak RSS %M KiB" \
  "$bench" "$tmp/cache" 2 "$tmp/store"
echo -n "warm, nothing changed:        "; "$bench" "$tmp/cache" 2 "$tmp/store"
one=$(ls "$tmp/store/windows/ntkrnlmp.pdb" | sed -n 1p) # sed reads all: no SIGPIPE under pipefail
touch "$tmp/store/windows/ntkrnlmp.pdb/$one"
echo -n "one file touched (same bytes):"; "$bench" "$tmp/cache" 2 "$tmp/store"
printf ' ' | gzip >> "$tmp/store/windows/ntkrnlmp.pdb/$one" # one more member, whitespace: new bytes, same JSON
echo -n "one file changed:             "; "$bench" "$tmp/cache" 2 "$tmp/store"
echo -n "warm, nothing changed:        "; "$bench" "$tmp/cache" 2 "$tmp/store"
