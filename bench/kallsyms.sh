#!/usr/bin/env bash
# kallsyms.sh [-n N] [-b BUILD] [-d DATA] - issue 19's kallsyms figures:
# finding and decoding the kernel's kallsyms out of a dump
# (scry_kallsyms_read through tests/integration/kallsyms_read.c, built with
# the tests) on dev-1k.raw (structural scan: no VMCOREINFO) and dev-1k.elf
# (VMCOREINFO), plus the scan forced on dev-1k.elf, dev-1k.lime and
# dev-612.raw. Per case: N fresh processes (open + find + decode + check,
# no memscry cache exists for this), median / min wall and peak RSS; then
# the decode alone repeated N times in one process (median). Every run's
# symbols must equal the first run's of its machine (exit 1 otherwise).
# The OS file cache is warm (each dump read once first), as in every
# benchmark here.
set -euo pipefail
n=11
build=build
data=${MEMSCRY_CORPUS_DATA:-/work/corpus-data}
while getopts n:b:d: o; do
  case $o in
    n) n=$OPTARG ;;
    b) build=$OPTARG ;;
    d) data=$OPTARG ;;
    *) echo "usage: $0 [-n N] [-b BUILD] [-d DATA]" >&2; exit 2 ;;
  esac
done
die() { echo "kallsyms.sh: $*" >&2; exit 1; }
bin=$build/bin/kallsyms_read
[ -x "$bin" ] || die "$bin not built (cmake --build $build --target kallsyms_read)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
summary_width=26
. "$(dirname "$0")/timing.sh"

cases=("dev-1k.raw --scan" "dev-1k.elf" "dev-1k.elf --scan" "dev-1k.lime --scan"
       "dev-612.raw --scan" "dev-612.elf")
for c in "${cases[@]}"; do
  set -- $c
  dump=$1
  shift
  [ -f "$data/$dump" ] || die "$data/$dump missing (run the corpus.unpack test)"
  cat "$data/$dump" > /dev/null # warm the file cache
  : > "$tmp/t"
  for _ in $(seq "$n"); do
    timed_run "$tmp/out" "$tmp/t" "$bin" "$@" "$data/$dump"
    want=$tmp/want.${dump%%.*}
    tail -n +2 "$tmp/out" > "$tmp/syms"
    if [ -f "$want" ]; then
      cmp -s "$tmp/syms" "$want" || die "$dump $*: symbols differ from the first run"
    else
      cp "$tmp/syms" "$want"
    fi
  done
  summarise "$dump ${*:-(VMCOREINFO)}" "$tmp/t"
  echo "    CPU (user+sys) median=$(awk '{print $2 + $3}' "$tmp/t" | stats | cut -d' ' -f1)s"
  "$bin" "$@" --repeat "$n" "$data/$dump" 2>&1 > /dev/null | sed 's/^/    in one process: /'
done
echo "symbols: dev-1k $(wc -l < "$tmp/want.dev-1k"), dev-612 $(wc -l < "$tmp/want.dev-612"); load: $(cut -d' ' -f1-3 /proc/loadavg)"
