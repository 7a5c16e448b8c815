#!/usr/bin/env bash
# linux.sh - issue 15's figures, side by side in one run:
#   1. every Linux plugin whose Volatility output the tests keep for dev-1k
#      (tests/data/vol/dev-1k/<plugin>[--opt...].json[.xz]; runs that write
#      files, --dump, left out) on dev-1k.lime, memscry against Volatility 3,
#      fresh and warm, outputs equal; a table of the speed-ups at the end;
#   2. linux.psscan.PsScan over dev-1k.raw: physical memory scanned per
#      second, end to end.
#
# usage: bench/linux.sh [options] [PLUGIN-RUN...]
#   PLUGIN-RUN  a name as the test data spells it (linux.lsof.Lsof--pid=146);
#               default: all of them
#   -n N        runs per measurement (default 3; Volatility: min(N, 3))
#   -d DIR      the unpacked corpus (default $MEMSCRY_CORPUS_DATA, else
#               build/corpus-data)
#   -b MEMSCRY  the memscry binary (default $MEMSCRY_BIN, else build/bin/memscry)
#   -h          this help
#
# Environment: MEMSCRY_VOLATILITY (vol.py; unset: memscry alone),
# MEMSCRY_PYTHON (default /usr/bin/python3), MEMSCRY_CORPUS (default
# <repo>/../shared/corpus). The OS file cache is warm for every tool.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
runs=3
data="${MEMSCRY_CORPUS_DATA:-$repo/build/corpus-data}"
memscry="${MEMSCRY_BIN:-$repo/build/bin/memscry}"
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
only=()
while [ $# -gt 0 ]; do
    case "$1" in
        -n) runs=$2; shift 2 ;;
        -d) data=$2; shift 2 ;;
        -b) memscry=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "linux.sh: unknown argument '$1' (-h for help)" >&2; exit 2 ;;
        *) only+=("$1"); shift ;;
    esac
done
die() { echo "linux.sh: $*" >&2; exit 1; }
corpus="${MEMSCRY_CORPUS:-$repo/../shared/corpus}"
syms="$corpus/symbols"
python="${MEMSCRY_PYTHON:-/usr/bin/python3}"
vol="${MEMSCRY_VOLATILITY:-}"
lime="$data/dev-1k.lime"
raw="$data/dev-1k.raw"
[ -x "$memscry" ] || die "no memscry binary $memscry (build it, or give -b)"
[ -f "$raw" ] && [ -f "$lime" ] || die "no $raw or $lime (unpack the corpus: $corpus/unpack DIR)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/memscry-linuxbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
summary_width=44
# shellcheck source=bench/timing.sh
. "$here/timing.sh"

echo "# host: nproc=$(nproc) cpu=\"$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)\" kernel=$(uname -r)"
echo "# load average at $(date +%T): $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# memscry $("$memscry" --version | cut -d' ' -f2); runs: $runs; Volatility: ${vol:-none}"
cat "$raw" "$lime" "$syms"/linux/* > /dev/null

if [ ${#only[@]} -eq 0 ]; then
    for f in "$repo"/tests/data/vol/dev-1k/*.json*; do
        n=$(basename "$f"); n=${n%.xz}; n=${n%.json}
        case "$n" in *--dump*) continue ;; esac
        only+=("$n")
    done
fi
[ ${#only[@]} -gt 0 ] || die "no plugin runs in tests/data/vol/dev-1k"

# 1. each plugin run against Volatility
: > "$tmp/table"
cd "$tmp" # a plugin that writes files writes them here
for n in "${only[@]}"; do
    # linux.lsof.Lsof--pid=146 -> linux.lsof.Lsof --pid=146
    IFS=$'\n' read -r -d '' -a args < <(echo "$n" | sed 's/--/\n--/g' && printf '\0') || true
    versus_volatility "$lime" "${args[@]}"
    echo "| \`${args[*]}\` | $vv_m | $vv_mw | ${vv_v:-} | ${vv_vw:-} | ${speedup_fresh:-} | ${speedup_warm:-} |" >> "$tmp/table"
done

# 2. psscan's throughput over the raw image
size=$(stat -c %s "$raw")
: > "$tmp/t.psscan"
for i in $(seq 1 "$runs"); do
    timed_run "$tmp/psscan.json" "$tmp/t.psscan" "$memscry" -q --cache-dir "$tmp/warm" -s "$syms" \
        -f "$raw" -r json linux.psscan.PsScan
done
echo "## 2. linux.psscan.PsScan, dev-1k.raw ($size bytes), end to end (warm symbol cache)"
summarise "memscry psscan" "$tmp/t.psscan"
awk -v s="$size" -v m="$med" 'BEGIN { printf "throughput (median): %.2f GiB/s\n", s / m / 1073741824 }'

echo
echo "| run, dev-1k.lime | memscry fresh (s) | memscry warm (s) | Volatility fresh (s) | Volatility warm (s) | fresh | warm |"
echo "|---|---|---|---|---|---|---|"
cat "$tmp/table"
echo "# load average at $(date +%T): $(cut -d' ' -f1-3 /proc/loadavg)"
