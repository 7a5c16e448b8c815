#!/bin/bash
# ab.sh - two builds of memscry, the same command, in one run: A and B run
# alternately N times (default 11) after one untimed warm-up each, and the
# medians of wall time and of user+sys CPU are printed side by side. Both
# outputs must be byte-identical (a difference stops the script, exit 1):
# "before vs after" means the same answer, faster or not.
#
#   bench/ab.sh [-n N] OLD_MEMSCRY NEW_MEMSCRY -- ARGS...
#   e.g. bench/ab.sh /tmp/old/bin/memscry build/bin/memscry -- \
#          -f /work/corpus-data/dev-1k.lime -s ../shared/corpus/symbols -r json linux.pslist
set -euo pipefail
n=11
if [ "${1:-}" = -n ]; then n=$2; shift 2; fi
a=$1 b=$2
shift 2
[ "${1:-}" = -- ] && shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

once() { # bin out -> "wall cpu"
  local t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -f '%U %S' -o "$tmp/time" "$1" "${@:3}" >"$2" 2>/dev/null || true
  t1=$(date +%s%N)
  read -r u s <"$tmp/time"
  echo "$(( (t1 - t0) / 1000 )) $(awk -v u="$u" -v s="$s" 'BEGIN {print u + s}')"
}
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

once "$a" "$tmp/a.out" "$@" >/dev/null
once "$b" "$tmp/b.out" "$@" >/dev/null
cmp -s "$tmp/a.out" "$tmp/b.out" || { echo "ab: outputs differ"; exit 1; }
for i in $(seq "$n"); do
  once "$a" "$tmp/a.out" "$@" >>"$tmp/a.t"
  once "$b" "$tmp/b.out" "$@" >>"$tmp/b.t"
  cmp -s "$tmp/a.out" "$tmp/b.out" || { echo "ab: outputs differ in run $i"; exit 1; }
done
for x in a b; do
  w=$(cut -d' ' -f1 "$tmp/$x.t" | median)
  c=$(cut -d' ' -f2 "$tmp/$x.t" | median)
  bin=$a; [ $x = b ] && bin=$b
  awk -v x="$x" -v w="$w" -v c="$c" -v bin="$bin" \
    'BEGIN {printf "%s  median wall %.3f s  median cpu %.3f s  (%s)\n", x, w / 1e6, c, bin}'
done
echo "runs: $n each, alternating; load: $(cut -d' ' -f1-3 /proc/loadavg)"
