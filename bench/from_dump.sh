#!/bin/bash
# from_dump.sh - Linux with no symbol files (issue 19): how long until the
# profile exists, and pslist with no symbol files against the compiled ISF.
#
#   bench/from_dump.sh [BUILD_DIR] [DUMP]   (defaults: build, dev-1k.raw)
#
# 1. bench_profile: context + dump + session + detection, cold (profile
#    built from the dump's BTF + kallsyms each time), cached (its compiled
#    entry mapped) and with the corpus ISF's compiled entry (the target).
# 2. hyperfine, whole processes, -r json linux.pslist.PsList: no symbol
#    files with an emptied cache (cold), no symbol files with a warm cache,
#    -s corpus symbols with a warm cache. Outputs are compared first.
set -euo pipefail
build=${1:-build}
dump=${2:-${MEMSCRY_CORPUS_DATA:-/work/corpus-data}/dev-1k.raw}
syms=$(cd "$(dirname "$0")/../.." && pwd)/shared/corpus/symbols
memscry=$build/bin/memscry
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/bin/bench_profile" -n 15 -s "$syms" "$dump"
env -u MEMSCRY_SYMBOLS XDG_CACHE_HOME="$tmp/own" "$memscry" -q -f "$dump" -r json \
  linux.pslist.PsList >"$tmp/own.json"
XDG_CACHE_HOME="$tmp/isf" "$memscry" -q -s "$syms" -f "$dump" -r json linux.pslist.PsList \
  >"$tmp/isf.json"
cmp "$tmp/own.json" "$tmp/isf.json"
hyperfine -N -w 2 -r 15 \
  --prepare "rm -rf $tmp/cold" \
  -n "no symbol files, cold" \
  "env -u MEMSCRY_SYMBOLS XDG_CACHE_HOME=$tmp/cold $memscry -q -f $dump -r json linux.pslist.PsList" \
  -n "no symbol files, cached" \
  "env -u MEMSCRY_SYMBOLS XDG_CACHE_HOME=$tmp/own $memscry -q -f $dump -r json linux.pslist.PsList" \
  -n "compiled ISF (-s), cached" \
  "env XDG_CACHE_HOME=$tmp/isf $memscry -q -s $syms -f $dump -r json linux.pslist.PsList"
