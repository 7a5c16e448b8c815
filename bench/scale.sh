#!/usr/bin/env bash
# scale.sh - the figures of issue 16 that are not batch runs: a 4 GiB
# dump, cached results and the library's own overhead.
#
# usage: bench/scale.sh [options]
#   -n N        runs per end-to-end measurement (default 11)
#   -b DIR      the build directory (default build; needs bin/memscry and
#               bin/bench_scale, a Release build)
#   -h          this help
#
# Environment: MEMSCRY_CORPUS_DATA (the unpacked corpus, default
# build/corpus-data), MEMSCRY_SYMBOLS_DIR (default <repo>/../shared/corpus/symbols).
#
# What is measured:
#   4 GiB dump    - dev-1k.raw copied sparse and padded with a hole to
#                   4 GiB of physical memory (build/bench-scale, made once):
#                   scry_dump_open (bench_scale open, median of 21);
#                   `-r json linux.pslist.PsList` end to end with warm
#                   symbols (the compiled table already in --cache-dir),
#                   wall median and peak RSS; output equal to dev-1k.raw's.
#   cached pstree - linux.pstree.PsTree on dev-1k.raw: in process, the
#                   median of 101 scry_plugin_run calls answered by the
#                   in-memory result cache (bench_scale cached); end to end,
#                   `memscry --result-cache=DIR -r json` with the entry
#                   already in DIR, wall median; output equal to a fresh run.
#   context       - resident memory before and after scry_context_new in
#                   one process (bench_scale context).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
runs=11
build="$repo/build"
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case "$1" in
        -n) runs=$2; shift 2 ;;
        -b) build=$(cd "$2" && pwd); shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "scale.sh: unknown argument '$1' (-h for help)" >&2; exit 2 ;;
    esac
done
die() { echo "scale.sh: $*" >&2; exit 1; }
memscry="$build/bin/memscry"
bench="$build/bin/bench_scale"
data="${MEMSCRY_CORPUS_DATA:-$build/corpus-data}"
syms="${MEMSCRY_SYMBOLS_DIR:-$repo/../shared/corpus/symbols}"
[ -x "$memscry" ] && [ -x "$bench" ] || die "build $build first (bin/memscry, bin/bench_scale)"
[ -r "$data/dev-1k.raw" ] || die "$data/dev-1k.raw missing (set MEMSCRY_CORPUS_DATA)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
summary_width=28
# shellcheck source=timing.sh
. "$here/timing.sh"

big="$build/bench-scale/dev-1k-4g.raw"
if [ ! -f "$big" ] || [ "$(stat -c %s "$big")" != 4294967296 ]; then
    mkdir -p "$(dirname "$big")"
    cp --sparse=always "$data/dev-1k.raw" "$big.tmp"
    truncate -s 4G "$big.tmp"
    mv "$big.tmp" "$big"
fi
cat "$data/dev-1k.raw" > /dev/null # the OS file cache warm, as for every figure

echo "== 4 GiB dump ($big)"
"$bench" open "$big"
"$memscry" -q --cache-dir "$tmp/warm" -s "$syms" -f "$data/dev-1k.raw" -r json \
    linux.pslist.PsList > "$tmp/want.json" 2>/dev/null
: > "$tmp/t.big"
for _ in $(seq 1 "$runs"); do
    timed_run "$tmp/got.json" "$tmp/t.big" "$memscry" -q --cache-dir "$tmp/warm" -s "$syms" \
        -f "$big" -r json linux.pslist.PsList
    cmp -s "$tmp/got.json" "$tmp/want.json" || die "pslist on the 4 GiB dump differs from dev-1k.raw's"
done
summarise "pslist 4 GiB, warm symbols" "$tmp/t.big"
: > "$tmp/t.small"
for _ in $(seq 1 "$runs"); do
    timed_run "$tmp/got.json" "$tmp/t.small" "$memscry" -q --cache-dir "$tmp/warm" -s "$syms" \
        -f "$data/dev-1k.raw" -r json linux.pslist.PsList
done
summarise "pslist dev-1k.raw (512 MiB)" "$tmp/t.small"

echo "== cached linux.pstree.PsTree on dev-1k.raw"
"$bench" cached "$data/dev-1k.raw" "$syms"
"$memscry" -q --cache-dir "$tmp/warm" -s "$syms" -f "$data/dev-1k.raw" -r json \
    linux.pstree.PsTree > "$tmp/want.json" 2>/dev/null
"$memscry" -q --cache-dir "$tmp/warm" --result-cache="$tmp/results" -s "$syms" \
    -f "$data/dev-1k.raw" -r json linux.pstree.PsTree > /dev/null 2>&1
: > "$tmp/t.cached"; : > "$tmp/t.fresh"; : > "$tmp/t.version"
for _ in $(seq 1 "$runs"); do
    timed_run "$tmp/got.json" "$tmp/t.cached" "$memscry" -q --cache-dir "$tmp/warm" \
        --result-cache="$tmp/results" -s "$syms" -f "$data/dev-1k.raw" -r json linux.pstree.PsTree
    cmp -s "$tmp/got.json" "$tmp/want.json" || die "cached pstree differs from a fresh run"
    timed_run "$tmp/got.json" "$tmp/t.fresh" "$memscry" -q --cache-dir "$tmp/warm" -s "$syms" \
        -f "$data/dev-1k.raw" -r json linux.pstree.PsTree
    timed_run /dev/null "$tmp/t.version" "$memscry" --version
done
summarise "pstree, --result-cache warm" "$tmp/t.cached"
summarise "pstree, uncached (warm ISF)" "$tmp/t.fresh"
summarise "memscry --version (startup)" "$tmp/t.version"
if command -v perf > /dev/null && perf stat -r 1 true > /dev/null 2>&1; then
    # perf's mean and spread over 30 runs, without /usr/bin/time's own fork
    for what in cached version; do
        if [ "$what" = cached ]; then
            set -- "$memscry" -q --cache-dir "$tmp/warm" --result-cache="$tmp/results" -s "$syms" \
                -f "$data/dev-1k.raw" -r json linux.pstree.PsTree
        else
            set -- "$memscry" --version
        fi
        perf stat -r 30 "$@" 2>&1 > /dev/null | awk -v w="$what" \
            '/task-clock/ {cpu=$1} /time elapsed/ {printf "perf stat -r 30, %-8s elapsed %.2f ms +- %.2f, task-clock %s ms\n", w, $1*1000, $3*1000, cpu}'
    done
fi

echo "== library overhead"
"$bench" context
