#!/bin/bash
# batch.sh [RUNS] - memscry batch figures (issue 16), from the repository root
# after a Release build:
#   1. `memscry batch -j 2` against `-j 1` over the unpacked corpus dumps
#      (every Linux format of every machine, the .kdump-flat files, the
#      Windows samples), plugins linux.pslist, linux.psaux, linux.lsmod,
#      linux.proc, windows.pslist, windows.dlllist, warm symbols (a private
#      cache dir filled by an untimed run), jsonl to a file: RUNS runs each
#      (default 5), alternating; wall median/min, user+sys CPU, throughput
#      in dumps/s and the -j 2 / -j 1 ratio, peak RSS of one more run of
#      each (outside the clock, see below); the outputs of every run must
#      be byte-identical (the same records in the same order);
#   2. bench_open64: 64 dumps open at once in one process (open only; with
#      detection; with linux.pslist run on each, at the default budget and
#      at 32 MiB; then with each dump's pages released after its run, at
#      budgets of 256, 64 and 32 MiB): RSS beyond the symbols.
# The machine's load average is printed before and after: the figures are
# only comparable on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
memscry=${MEMSCRY:-build/bin/memscry}
open64=${BENCH_OPEN64:-build/bin/bench_open64}
data=${MEMSCRY_CORPUS_DATA:-build/corpus-data}
corpus=${MEMSCRY_CORPUS:-../shared/corpus}
syms="$corpus/symbols;$corpus/../isf"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
die() { echo "batch.sh: $*" >&2; exit 1; }
# shellcheck source=bench/timing.sh
. bench/timing.sh

dumps=()
for m in dev-small dev-1k dev-612 dev-la57; do
  for f in raw lime elf kdump; do
    [ -e "$data/$m.$f" ] && dumps+=("$data/$m.$f")
  done
done
dumps+=("$data/dev-vmcore.vmcore" "$corpus/dev-small/dev-small.kdump-flat"
        "$corpus/dev-1k/dev-1k.kdump-flat" "$data"/windows/*.raw "$data"/windows/*.dmp)
for d in "${dumps[@]}"; do [ -r "$d" ] || die "$d missing (unpack the corpus first)"; done
total=$(du -cLb "${dumps[@]}" | tail -n 1 | cut -f1)
plugins=(linux.pslist , linux.psaux , linux.lsmod , linux.proc , windows.pslist , windows.dlllist)

echo "== memscry batch: ${#dumps[@]} dumps ($((total >> 20)) MiB), ${runs} runs each"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$memscry" batch -q -j 2 -s "$syms" --cache-dir "$tmp/cache" "${plugins[@]}" -- "${dumps[@]}" \
  > "$tmp/warm.jsonl" || [ $? -eq 3 ] || die "warm-up failed"
# Clock: bash's $EPOCHREALTIME, read without a fork. Earlier versions ran
# each timed command under /usr/bin/time and read the clock with $(date):
# the wrapper's own process (waiting, then writing its report) and the
# forks sat inside the clock and added 2.7 ms at -j 1, 4.3 ms at -j 2
# (alternated, 15 runs each): a third process's cost, and more of the
# shorter run. User and system time come from the shell's `times` (its
# children's totals, before and after each run); peak RSS from one more
# run of each under /usr/bin/time, outside the clock.
cpu_s() { # the children's user and system seconds in `times` output
  awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); printf "%.3f ", a[1] * 60 + a[2] } }' "$1"; }
for i in $(seq "$runs"); do
  for j in 1 2; do
    # The previous run's output is removed before the clock starts: a
    # truncation by the shell's > freed its 20 MB of page cache inside the
    # timed region (7 ms, serial, on both sides of the ratio).
    rm -f "$tmp/out.jsonl"
    times > "$tmp/times.0"
    t0=${EPOCHREALTIME/./}
    "$memscry" batch -q -j $j -s "$syms" --cache-dir "$tmp/cache" "${plugins[@]}" -- "${dumps[@]}" \
      > "$tmp/out.jsonl" 2>/dev/null || [ $? -eq 3 ] || die "-j $j failed"
    t1=${EPOCHREALTIME/./}
    times > "$tmp/times.1"
    cmp -s "$tmp/out.jsonl" "$tmp/warm.jsonl" || die "-j $j output differs from the warm-up's"
    read -r u0 s0 <<< "$(cpu_s "$tmp/times.0")"
    read -r u1 s1 <<< "$(cpu_s "$tmp/times.1")"
    echo "$(awk -v a="$t0" -v b="$t1" -v u0="$u0" -v u1="$u1" -v s0="$s0" -v s1="$s1" \
      'BEGIN { printf "%.4f %.3f %.3f 0", (b - a) / 1e6, u1 - u0, s1 - s0 }')" >> "$tmp/j$j"
  done
done
for j in 1 2; do
  /usr/bin/time -f '%M' -o "$tmp/rss$j" "$memscry" batch -q -j $j -s "$syms" --cache-dir "$tmp/cache" \
    "${plugins[@]}" -- "${dumps[@]}" > /dev/null 2>&1 || [ $? -eq 3 ] || die "-j $j failed"
  summarise "-j $j" "$tmp/j$j" > "$tmp/sum$j"
  sed 's/  peak RSS max=.*//' "$tmp/sum$j"
  awk -v n="${#dumps[@]}" -v r="$(tail -n 1 "$tmp/rss$j")" '{u += $2; s += $3} END {
    printf "  user+sys: %.3f s user + %.3f s sys per run (mean); peak RSS %.1f MiB (one more run)\n", u/NR, s/NR, r/1024 }' "$tmp/j$j"
  eval "med$j=$med"
done
awk -v a="$med1" -v b="$med2" -v n="${#dumps[@]}" 'BEGIN {
  printf "throughput: -j 1 %.1f dumps/s, -j 2 %.1f dumps/s, ratio %.2fx (target >= 1.8x)\n", n/a, n/b, a/b }'
echo "records per run: $(wc -l < "$tmp/warm.jsonl")"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== 64 dumps open at once (bench_open64)"
open_files=("$data/dev-small.raw" "$data/dev-small.lime" "$data/dev-small.elf" "$data/dev-small.kdump"
            "$data/dev-1k.raw" "$data/dev-1k.lime" "$data/dev-1k.elf" "$data/dev-1k.kdump"
            "$data/dev-612.lime" "$data/dev-vmcore.vmcore")
for mode in open detect run; do
  echo "-- -m $mode"
  "$open64" -s "$corpus/symbols" -m "$mode" "${open_files[@]}" | tail -n 3
done
echo "-- -m run -b 32"
"$open64" -s "$corpus/symbols" -m run -b 32 "${open_files[@]}" | tail -n 1
for b in 256 64 32; do
  echo "-- -m run -r -b $b (scry_dump_release_pages after each run)"
  "$open64" -s "$corpus/symbols" -m run -r -b "$b" "${open_files[@]}" | tail -n 1
done
