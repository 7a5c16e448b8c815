#!/usr/bin/env bash
# windows.sh - end-to-end timing of `-r json windows.pslist.PsList` on a
# generated Windows image, memscry and (when $MEMSCRY_VOLATILITY names a
# vol.py) Volatility 3 side by side, in one run.
#
# usage: bench/windows.sh [options]
#   -n N        runs per measurement (default 5; Volatility: min(N, 3))
#   -f DUMP     the image (default: generated once into
#               build/bench-win/w10-1500.bitmap.dmp by the project's
#               generator, tests/fixtures/winimg: Windows 10 22H2 ISF,
#               1,500 processes, bitmap crash dump)
#   -p PLUGIN   the plugin (default windows.pslist.PsList)
#   -b MEMSCRY  the memscry binary (default $MEMSCRY_BIN, else build/bin/memscry)
#   -h          this help
#
# Environment: MEMSCRY_VOLATILITY (vol.py; unset: memscry only),
# MEMSCRY_PYTHON (default /usr/bin/python3), MEMSCRY_ISF (the ISF
# directory, default <repo>/../shared/isf).
#
# What is measured (the OS file cache is warm for both tools: the dump and
# the ISF are read once first):
#   memscry cold  - a new, empty --cache-dir per run: the ISF is parsed
#                   (nothing cached anywhere);
#   memscry no-cache - --no-cache: nothing read from or written to any
#                   cache (the ISF is parsed, no index, no compiled table);
#   memscry warm  - the compiled symbol table already in --cache-dir;
#   volatility    - a new --cache-path per run (nothing cached).
# Every memscry output is compared with Volatility's when it runs, else
# with memscry's first output; a mismatch stops the script (exit 1).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
runs=5
dump=""
plugin=windows.pslist.PsList
memscry="${MEMSCRY_BIN:-$repo/build/bin/memscry}"
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case "$1" in
        -n) runs=$2; shift 2 ;;
        -f) dump=$2; shift 2 ;;
        -p) plugin=$2; shift 2 ;;
        -b) memscry=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "windows.sh: unknown argument '$1' (-h for help)" >&2; exit 2 ;;
    esac
done
die() { echo "windows.sh: $*" >&2; exit 1; }
isf="${MEMSCRY_ISF:-$repo/../shared/isf}"
python="${MEMSCRY_PYTHON:-/usr/bin/python3}"
vol="${MEMSCRY_VOLATILITY:-}"
[ -x "$memscry" ] || die "no memscry binary $memscry (build it, or give -b)"
[ -d "$isf" ] || die "no ISF directory $isf (set MEMSCRY_ISF)"
if [ -z "$dump" ]; then
    dump="$repo/build/bench-win/w10-1500.bitmap.dmp"
    if [ ! -f "$dump" ]; then
        echo "# generating $dump"
        python3 "$repo/tests/fixtures/winimg/winimg.py" -q --procs 1500 --formats bitmap \
            --isf "$isf/windows/ntkrnlmp.pdb/606FF669409B00F7FC8C61A9C1670129-1.json.xz" \
            --out "$(dirname "$dump")" --name w10-1500
    fi
fi
[ -f "$dump" ] || die "no dump $dump"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/memscry-winbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=bench/timing.sh
. "$here/timing.sh"

echo "# host: nproc=$(nproc) cpu=\"$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)\" kernel=$(uname -r)"
echo "# load average at $(date +%T): $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# dump: $dump ($(stat -c %s "$dump") bytes); plugin: $plugin; runs: $runs"
cat "$dump" "$isf"/windows/*/* > /dev/null

ref=""
if [ -n "$vol" ]; then
    : > "$tmp/t.vol"
    for i in $(seq 1 $((runs < 3 ? runs : 3))); do
        mkdir -p "$tmp/volcache.$i"
        timed_run "$tmp/vol.json" "$tmp/t.vol" "$python" "$vol" -q --offline \
            --cache-path "$tmp/volcache.$i" -s "$isf" -r json -f "$dump" "$plugin"
    done
    ref="$tmp/vol.json"
fi
: > "$tmp/t.cold"; : > "$tmp/t.nocache"; : > "$tmp/t.warm"
for i in $(seq 1 "$runs"); do
    timed_run "$tmp/cold.json" "$tmp/t.cold" "$memscry" -q --cache-dir "$tmp/cold.$i" -s "$isf" \
        -f "$dump" -r json "$plugin"
    if [ -z "$ref" ]; then ref="$tmp/ref.json"; cp "$tmp/cold.json" "$ref"; fi
    cmp -s "$tmp/cold.json" "$ref" || die "memscry cold output differs from the reference"
    timed_run "$tmp/nocache.json" "$tmp/t.nocache" "$memscry" -q --no-cache -s "$isf" \
        -f "$dump" -r json "$plugin"
    cmp -s "$tmp/nocache.json" "$ref" || die "memscry --no-cache output differs from the reference"
done
"$memscry" -q --cache-dir "$tmp/warm" -s "$isf" -f "$dump" -r json "$plugin" > /dev/null 2>&1
for i in $(seq 1 "$runs"); do
    timed_run "$tmp/warm.json" "$tmp/t.warm" "$memscry" -q --cache-dir "$tmp/warm" -s "$isf" \
        -f "$dump" -r json "$plugin"
    cmp -s "$tmp/warm.json" "$ref" || die "memscry warm output differs from the reference"
done
summarise "memscry cold" "$tmp/t.cold"; cold=$med
summarise "memscry no-cache" "$tmp/t.nocache"; nocache=$med
summarise "memscry warm" "$tmp/t.warm"; warm=$med
if [ -n "$vol" ]; then
    summarise "volatility" "$tmp/t.vol"; v=$med
    awk -v v="$v" -v c="$cold" -v n="$nocache" -v w="$warm" 'BEGIN { printf "speed-up (median): cold %.0fx, no-cache %.0fx, warm %.0fx; outputs equal to Volatility'"'"'s\n", v / c, v / n, v / w }'
fi
if command -v hyperfine > /dev/null; then
    # The loop above times through /usr/bin/time and date(1), which add a
    # few ms a run: hyperfine (-N, no shell) is the figure for short runs.
    echo "# hyperfine cross-check (-N, 2 warm-ups, $((runs * 4)) runs):"
    hyperfine -N -w 2 -r $((runs * 4)) \
        "$memscry -q --cache-dir $tmp/warm -s $isf -f $dump -r json $plugin" \
        "$memscry -q --no-cache -s $isf -f $dump -r json $plugin" 2>&1 |
        grep -E "Benchmark|Time|Range" | sed 's/^/#   /'
fi
echo "# load average at $(date +%T): $(cut -d' ' -f1-3 /proc/loadavg)"
