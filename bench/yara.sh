#!/usr/bin/env bash
# yara.sh - `yarascan --physical` against the yara CLI on one dump.
#
# usage: bench/yara.sh [-n N] [-f DUMP] [-s STRING] [-b MEMSCRY]
#   -n N       runs per tool (default 5)
#   -f DUMP    the dump (default $MEMSCRY_CORPUS_DATA/dev-1k.raw)
#   -s STRING  the --yara-string (default MEMF_YARA_MARKER_7ae8)
#   -b MEMSCRY the memscry binary (default <repo>/build/bin/memscry)
#
# Both tools scan the same bytes with the same rule (Volatility's wrapping
# of --yara-string): memscry reads the dump's runs (a raw file: all of it)
# in 16 MiB windows, two at a time; `yara -p 2` maps the file whole. The
# offsets memscry prints must equal those `yara -s` prints (a raw file's
# offsets are physical addresses), else the script stops (exit 1). For each
# tool: median and min wall time (nanosecond clock) and the peak RSS of the
# runs (/usr/bin/time). The OS file cache is warm for both (one untimed
# run each first).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
n=5
dump=${MEMSCRY_CORPUS_DATA:-$here/build/corpus-data}/dev-1k.raw
str=MEMF_YARA_MARKER_7ae8
bin=$here/build/bin/memscry
while getopts "n:f:s:b:h" o; do
  case $o in
    n) n=$OPTARG ;; f) dump=$OPTARG ;; s) str=$OPTARG ;; b) bin=$OPTARG ;;
    *) sed -n '2,18p' "$0"; exit 2 ;;
  esac
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'rule r1 {strings: $a = "%s" condition: $a}\n' "$str" > "$tmp/r.yar"

ours=( "$bin" -q -f "$dump" -r json yarascan --physical --yara-string "$str" )
theirs=( yara -p 2 -s "$tmp/r.yar" "$dump" )

"${ours[@]}" 2>/dev/null | python3 -c 'import json,sys; print("\n".join(hex(r["Offset"]) for r in json.load(sys.stdin)))' > "$tmp/ours"
"${theirs[@]}" | sed -n 's/^\(0x[0-9a-f]*\):.*/\1/p' | sort -u > "$tmp/theirs"
if ! cmp -s <(sort -u "$tmp/ours") "$tmp/theirs"; then
  echo "yara.sh: memscry and yara disagree:"; diff <(sort -u "$tmp/ours") "$tmp/theirs" || true
  exit 1
fi
echo "$(wc -l < "$tmp/ours") hits, the same for both; $n runs each on $dump"

measure() { # name cmd... -> median/min wall, peak RSS
  local name=$1; shift
  local walls=() rss=0
  for ((i = 0; i < n; i++)); do
    local t0 t1 r
    t0=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$tmp/time" "$@" > /dev/null 2>&1
    t1=$(date +%s%N)
    walls+=( $(( (t1 - t0) / 1000000 )) )
    r=$(tail -1 "$tmp/time"); (( r > rss )) && rss=$r
  done
  local sorted=( $(printf '%s\n' "${walls[@]}" | sort -n) )
  printf '%-8s median %5d ms  min %5d ms  peak RSS %6d KiB\n' "$name" \
    "${sorted[$(( n / 2 ))]}" "${sorted[0]}" "$rss"
}
measure memscry "${ours[@]}"
measure "yara -p2" "${theirs[@]}"
