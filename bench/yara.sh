#!/usr/bin/env bash
# yara.sh - issue 14's figures, side by side in one run:
#   1. `yarascan --physical` of dev-1k.raw (512 MiB) against the yara CLI
#      (`yara -p 2`) with the same rule over the same file: wall time,
#      throughput and peak RSS;
#   2. `memscry.malscan --mode quick` of dev-1k end to end;
#   3. `yarascan` and `linux.proc.Maps` on dev-1k.lime against Volatility 3
#      (when $MEMSCRY_VOLATILITY names its vol.py; outputs must be equal).
#
# usage: bench/yara.sh [options]
#   -n N        runs per measurement (default 5; Volatility: min(N, 3))
#   -d DIR      the unpacked corpus (default $MEMSCRY_CORPUS_DATA, else
#               build/corpus-data)
#   -b MEMSCRY  the memscry binary (default $MEMSCRY_BIN, else build/bin/memscry)
#   -h          this help
#
# Environment: MEMSCRY_VOLATILITY (vol.py; unset: no Volatility columns),
# MEMSCRY_PYTHON (default /usr/bin/python3), MEMSCRY_CORPUS (default
# <repo>/../shared/corpus). The OS file cache is warm for every tool (each
# file is read once first); memscry runs with --no-cache except where noted.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
runs=5
data="${MEMSCRY_CORPUS_DATA:-$repo/build/corpus-data}"
memscry="${MEMSCRY_BIN:-$repo/build/bin/memscry}"
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case "$1" in
        -n) runs=$2; shift 2 ;;
        -d) data=$2; shift 2 ;;
        -b) memscry=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "yara.sh: unknown argument '$1' (-h for help)" >&2; exit 2 ;;
    esac
done
die() { echo "yara.sh: $*" >&2; exit 1; }
corpus="${MEMSCRY_CORPUS:-$repo/../shared/corpus}"
syms="$corpus/symbols"
python="${MEMSCRY_PYTHON:-/usr/bin/python3}"
vol="${MEMSCRY_VOLATILITY:-}"
rule=MEMF_YARA_MARKER_7ae8
raw="$data/dev-1k.raw"
lime="$data/dev-1k.lime"
[ -x "$memscry" ] || die "no memscry binary $memscry (build it, or give -b)"
[ -f "$raw" ] && [ -f "$lime" ] || die "no $raw or $lime (unpack the corpus: $corpus/unpack DIR)"
command -v yara > /dev/null || die "no yara CLI (apt-get install yara)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/memscry-yarabench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
summary_width=34
# shellcheck source=bench/timing.sh
. "$here/timing.sh"

echo "# host: nproc=$(nproc) cpu=\"$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)\" kernel=$(uname -r)"
echo "# load average at $(date +%T): $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# memscry $("$memscry" --version | cut -d' ' -f2); $(yara --version | sed 's/^/yara /'); runs: $runs"
cat "$raw" "$lime" "$syms"/linux/* > /dev/null
size=$(stat -c %s "$raw")

# 1. physical scan against the yara CLI
printf 'rule r1 {strings: $a = "%s" condition: $a}\n' "$rule" > "$tmp/rule.yar"
: > "$tmp/t.yara"; : > "$tmp/t.phys"
for i in $(seq 1 "$runs"); do
    timed_run "$tmp/yara.out" "$tmp/t.yara" yara -p 2 -s "$tmp/rule.yar" "$raw"
    timed_run "$tmp/phys.json" "$tmp/t.phys" "$memscry" -q --no-cache -f "$raw" -r json \
        yarascan.YaraScan --physical --yara-string "$rule"
done
# the same hits: yara prints 0xOFFSET:$a: TEXT per instance
grep -o '^0x[0-9a-f]*' "$tmp/yara.out" | sort > "$tmp/yara.offs"
"$python" -c 'import json,sys; [print(hex(r["Offset"])) for r in json.load(open(sys.argv[1]))]' \
    "$tmp/phys.json" | sort > "$tmp/phys.offs"
cmp -s "$tmp/yara.offs" "$tmp/phys.offs" || die "--physical hits differ from yara's"
echo "## 1. physical scan, dev-1k.raw ($size bytes), rule $rule: $(wc -l < "$tmp/yara.offs") hits, equal in both"
summarise "yara -p 2" "$tmp/t.yara"; y=$med
summarise "memscry yarascan --physical" "$tmp/t.phys"; p=$med
awk -v y="$y" -v p="$p" -v s="$size" 'BEGIN { printf "throughput (median): yara %.0f MiB/s, memscry %.0f MiB/s = %.0f%% of yara\n", s/y/1048576, s/p/1048576, 100*y/p }'

# 2. quick malware scan
: > "$tmp/t.quick"
for i in $(seq 1 "$runs"); do
    timed_run "$tmp/quick.json" "$tmp/t.quick" "$memscry" -q --no-cache -s "$syms" -f "$lime" \
        -r json memscry.malscan --mode quick --yara-string "$rule"
done
echo "## 2. malscan --mode quick, dev-1k.lime: $("$python" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$tmp/quick.json") hits"
summarise "memscry malscan quick" "$tmp/t.quick"

# 3. against Volatility, fresh and warm (timing.sh's versus_volatility)
echo "## 3. against Volatility"
versus_volatility "$lime" yarascan.YaraScan --yara-string "$rule"
versus_volatility "$lime" linux.proc.Maps
echo "# load average at $(date +%T): $(cut -d' ' -f1-3 /proc/loadavg)"
