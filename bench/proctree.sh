#!/usr/bin/env bash
# proctree.sh - memscry.proctree.ProcTreeCheck end to end: dev-1k.lime
# (1100 processes) and the four Windows samples, warm symbols (compiled
# table cached), N runs each; beside it the two walks it is made of
# (linux.pslist + linux.psscan, windows.pslist + windows.psscan) timed the
# same way, so the rules' own cost shows. Every proctree output must equal
# the first run's; dev-1k's must be [] and each Windows sample's equal to
# tests/data/proctree/<image>.json.
#
# usage: bench/proctree.sh [options]
#   -n N        runs per measurement (default 5)
#   -d DIR      the unpacked corpus (default $MEMSCRY_CORPUS_DATA, else
#               build/corpus-data)
#   -b MEMSCRY  the memscry binary (default $MEMSCRY_BIN, else build/bin/memscry)
#   -h          this help
#
# Environment: MEMSCRY_CORPUS (default <repo>/../shared/corpus). The OS file
# cache is warm (each dump is read once first).
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
        *) echo "proctree.sh: unknown argument '$1' (-h for help)" >&2; exit 2 ;;
    esac
done
die() { echo "proctree.sh: $*" >&2; exit 1; }
corpus="${MEMSCRY_CORPUS:-$repo/../shared/corpus}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
summary_width=34
# shellcheck source=bench/timing.sh
. "$here/timing.sh"

# one DUMP SYMS WANT: proctree and its two walks, $runs runs each.
one() {
    local dump=$1 syms=$2 want=$3 i p
    [ -f "$dump" ] || die "$dump absent"
    cat "$dump" > /dev/null
    "$memscry" -q --cache-dir "$tmp/warm" -s "$syms" -f "$dump" -r json memscry.proctree \
        > "$tmp/first.json" 2> /dev/null
    if [ -n "$want" ]; then
        cmp -s "$tmp/first.json" "$want" || die "$(basename "$dump"): output differs from $want"
    else
        [ "$(tr -d ' \n' < "$tmp/first.json")" = "[]" ] || die "$(basename "$dump"): not []"
    fi
    : > "$tmp/t.p"; : > "$tmp/t.l"; : > "$tmp/t.s"
    local os=linux
    case "$(basename "$dump")" in win*) os=windows ;; esac
    for i in $(seq 1 "$runs"); do
        timed_run "$tmp/p.json" "$tmp/t.p" "$memscry" -q --cache-dir "$tmp/warm" -s "$syms" \
            -f "$dump" -r json memscry.proctree
        cmp -s "$tmp/p.json" "$tmp/first.json" || die "$(basename "$dump"): run $i differs"
        timed_run "$tmp/l.json" "$tmp/t.l" "$memscry" -q --cache-dir "$tmp/warm" -s "$syms" \
            -f "$dump" -r json "$os.pslist"
        timed_run "$tmp/s.json" "$tmp/t.s" "$memscry" -q --cache-dir "$tmp/warm" -s "$syms" \
            -f "$dump" -r json "$os.psscan"
    done
    echo "## $(basename "$dump")"
    summarise "memscry.proctree" "$tmp/t.p"
    summarise "$os.pslist" "$tmp/t.l"
    summarise "$os.psscan" "$tmp/t.s"
}

one "$data/dev-1k.lime" "$corpus/symbols" ""
for img in win10-22h2-19045.raw win11-21h2-22000.bitmap.dmp win7sp1-7601.full.dmp win81-9600.raw; do
    one "$data/windows/$img" "$corpus/../isf" "$repo/tests/data/proctree/$img.json"
done
