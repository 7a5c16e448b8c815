#!/usr/bin/env bash
# pslist.sh - end-to-end timing of `-r json linux.pslist.PsList`, memscry and
# (when $MEMSCRY_VOLATILITY names a vol.py) Volatility 3 side by side.
#
# usage: bench/pslist.sh [options]
#   -n N          runs per measurement (default 5)
#   -f DUMP       the dump (default $MEMSCRY_CORPUS_DATA/dev-1k.lime)
#   -g GOLDEN     expected output (default
#                 $MEMSCRY_CORPUS/golden/<dump name>/linux.pslist.PsList.json,
#                 following golden/<dump name> when it is a link stored as text;
#                 "none" skips the check)
#   -b MEMSCRY    the memscry binary (default $MEMSCRY_BIN, else
#                 <repo>/build-bench/bin/memscry, else <repo>/build/bin/memscry)
#   --rss         instead: peak RSS (and wall) of one memscry pslist on every
#                 dev-1k format (.raw .lime .elf .kdump .kdump-flat) and on
#                 dev-vmcore.vmcore, each checked against its golden
#   --no-hyperfine  do not use hyperfine even when it is installed
#   -h            this help
#
# Environment:
#   MEMSCRY_CORPUS       the corpus (symbols/, golden/, dev-1k/...);
#                        default <repo>/../shared/corpus
#   MEMSCRY_CORPUS_DATA  the unpacked dumps; default <repo>/build/corpus-data
#   MEMSCRY_VOLATILITY   path of Volatility 3's vol.py; unset: memscry only
#   MEMSCRY_PYTHON       the python for vol.py (default /usr/bin/python3)
#
# Conventions (shared/corpus/README.md, "Benchmark conventions"): the OS file
# cache is warm for both tools (the dump and the ISF are read once first);
# "fresh" = each tool's own caches empty (memscry has none; Volatility gets a
# new --cache-path per run); "warm" = Volatility's cache dir filled by one
# earlier run. Every run's output is compared with the golden file; a
# mismatch stops the script (exit 1).
#
# Each measurement runs N times under /usr/bin/time (user, sys, peak RSS)
# with wall time from the shell's nanosecond clock; median and min are
# printed. When hyperfine is installed, memscry's wall time is measured again
# with it (one warm-up, N runs) as a cross-check; Volatility is not run under
# hyperfine (its 10+ s runs make the loop's clock precise enough).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

runs=5
dump=""
golden=""
memscry="${MEMSCRY_BIN:-}"
mode=time
use_hyperfine=1
plugin=linux.pslist.PsList

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
    case "$1" in
        -n) runs=$2; shift 2 ;;
        -f) dump=$2; shift 2 ;;
        -g) golden=$2; shift 2 ;;
        -b) memscry=$2; shift 2 ;;
        --rss) mode=rss; shift ;;
        --no-hyperfine) use_hyperfine=0; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "pslist.sh: unknown argument '$1' (-h for help)" >&2; exit 2 ;;
    esac
done
case "$runs" in ''|*[!0-9]*|0) echo "pslist.sh: -n needs a positive integer" >&2; exit 2 ;; esac

corpus="${MEMSCRY_CORPUS:-$repo/../shared/corpus}"
data="${MEMSCRY_CORPUS_DATA:-$repo/build/corpus-data}"
symdir="$corpus/symbols"
python="${MEMSCRY_PYTHON:-/usr/bin/python3}"
vol="${MEMSCRY_VOLATILITY:-}"
[ -n "$dump" ] || dump="$data/dev-1k.lime"
if [ -z "$memscry" ]; then
    for c in "$repo/build-bench/bin/memscry" "$repo/build/bin/memscry"; do
        if [ -x "$c" ]; then memscry=$c; break; fi
    done
fi

die() { echo "pslist.sh: $*" >&2; exit 1; }
[ -n "$memscry" ] && [ -x "$memscry" ] || die "no memscry binary (build it, or give -b / MEMSCRY_BIN)"
[ -x /usr/bin/time ] || die "/usr/bin/time is needed (Debian package 'time')"
[ -d "$symdir" ] || die "no ISF directory $symdir (set MEMSCRY_CORPUS)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/memscry-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

now_ns() { date +%s%N; }

# median and min of the numbers on stdin: "median min"
stats() { sort -g | awk '{v[NR]=$1} END {
    if (NR == 0) { print "- -"; exit }
    m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2
    printf "%.3f %.3f\n", m, v[1] }'; }

# warm_files FILE...: read each once so the OS file cache holds it.
warm_files() { local w; for w in "$@"; do cat "$w" > /dev/null; done; }

# timed_run OUT TFILE CMD...: one run; appends "wall user sys rss_kib" to TFILE.
timed_run() {
    local out=$1 tfile=$2 t0 t1 rc=0
    shift 2
    t0=$(now_ns)
    /usr/bin/time -f '%U %S %M' -o "$tmp/time.one" "$@" > "$out" 2> "$tmp/stderr.one" || rc=$?
    t1=$(now_ns)
    if [ "$rc" -ne 0 ]; then
        cat "$tmp/stderr.one" >&2
        die "exit status $rc: $*"
    fi
    # /usr/bin/time may prefix lines (e.g. "Command exited..."): take the last.
    echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }') $(tail -n 1 "$tmp/time.one")" >> "$tfile"
}

# golden_for DUMPNAME: the golden pslist file for a dump, or "none". A
# golden/<dump> that is a plain file (a symbolic link stored as text) names
# the directory of the same machine's golden.
golden_for() {
    local d="$corpus/golden/$1"
    if [ -f "$d" ] && [ ! -d "$d" ]; then
        d="$corpus/golden/$(tr -d '\n' < "$d")"
    fi
    if [ -f "$d/$plugin.json" ]; then echo "$d/$plugin.json"; else echo none; fi
}

check_output() { # OUT GOLDEN LABEL
    [ "$2" = none ] && return 0
    if ! cmp -s "$1" "$2"; then
        cp "$1" "${TMPDIR:-/tmp}/memscry-bench-mismatch.json"
        die "$3: output differs from the golden file $2 (kept in ${TMPDIR:-/tmp}/memscry-bench-mismatch.json)"
    fi
}

# summarise LABEL TFILE: one line of medians and minima.
summarise() {
    local label=$1 tfile=$2 w u s r
    w=$(awk '{print $1}' "$tfile" | stats)
    u=$(awk '{print $2}' "$tfile" | stats)
    s=$(awk '{print $3}' "$tfile" | stats)
    r=$(awk '{print $4}' "$tfile" | sort -g | tail -n 1)
    printf '%-34s runs=%d wall median=%ss min=%ss  user median=%ss  sys median=%ss  peak RSS max=%s KiB (%.1f MiB)\n' \
        "$label" "$(wc -l < "$tfile")" ${w% *} ${w#* } ${u% *} ${s% *} "$r" "$(awk -v k="$r" 'BEGIN{print k/1024}')"
}

machine_line() {
    echo "# host: nproc=$(nproc) cpu=\"$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)\" kernel=$(uname -r)"
    echo "# load average at $(date +%T): $(cut -d' ' -f1-3 /proc/loadavg)"
}

# memscry_cmd DUMP / vol_cmd CACHEDIR: set the array cmd.
memscry_cmd() { cmd=("$memscry" -f "$1" -s "$symdir" -r json "$plugin"); }

# ------------------------------------------------------------------ --rss
if [ "$mode" = rss ]; then
    machine_line
    echo "# memscry: $memscry; peak RSS of one '$plugin -r json' per dump (the larger of 2 runs)"
    found=0
    for name in dev-1k.raw dev-1k.lime dev-1k.elf dev-1k.kdump dev-1k.kdump-flat dev-vmcore.vmcore; do
        f=""
        for c in "$data/$name" "$corpus/${name%%.*}/$name"; do
            if [ -f "$c" ]; then f=$c; break; fi
        done
        if [ -z "$f" ]; then
            echo "$name: not found in $data or $corpus/${name%%.*} (skipped)"
            continue
        fi
        found=$((found + 1))
        warm_files "$f" "$symdir"/linux/*
        g=$(golden_for "$name")
        : > "$tmp/rss.$name"
        memscry_cmd "$f"
        for i in 1 2; do
            timed_run "$tmp/out.json" "$tmp/rss.$name" "${cmd[@]}"
            check_output "$tmp/out.json" "$g" "memscry on $name"
        done
        rss=$(awk '{print $4}' "$tmp/rss.$name" | sort -g | tail -n 1)
        wall=$(awk '{print $1}' "$tmp/rss.$name" | stats)
        printf '%-20s peak RSS %7d KiB = %6.1f MiB  (target <= 64 MiB: %s)  wall min %ss  golden %s\n' \
            "$name" "$rss" "$(awk -v k="$rss" 'BEGIN{print k/1024}')" \
            "$([ "$rss" -le 65536 ] && echo ok || echo MISSED)" "${wall#* }" \
            "$([ "$g" = none ] && echo "none" || echo "equal")"
    done
    [ "$found" -gt 0 ] || die "no dump found (set MEMSCRY_CORPUS_DATA)"
    echo "# load average at $(date +%T): $(cut -d' ' -f1-3 /proc/loadavg)"
    exit 0
fi

# ----------------------------------------------------------------- timing
[ -f "$dump" ] || die "no dump $dump (set MEMSCRY_CORPUS_DATA or give -f)"
dname=$(basename "$dump")
if [ -z "$golden" ]; then
    golden=$(golden_for "$dname")
    [ "$golden" != none ] || die "no golden file for $dname under $corpus/golden (give -g FILE or -g none)"
fi
[ "$golden" = none ] || [ -f "$golden" ] || die "no golden file $golden (give -g FILE or -g none)"

machine_line
echo "# dump: $dump ($(stat -c %s "$dump") bytes); golden: $golden; runs: $runs"
echo "# memscry: $memscry ($("$memscry" --version 2>&1 | head -n 1))"
echo "# warming the OS file cache (dump, ISF)"
warm_files "$dump" "$symdir"/linux/*

# memscry: fresh by definition (it keeps no cache between runs).
: > "$tmp/memscry.t"
memscry_cmd "$dump"
for i in $(seq "$runs"); do
    timed_run "$tmp/out.json" "$tmp/memscry.t" "${cmd[@]}"
    check_output "$tmp/out.json" "$golden" "memscry run $i"
done
summarise "memscry (fresh)" "$tmp/memscry.t"
m_wall=$(awk '{print $1}' "$tmp/memscry.t" | stats)

if [ "$use_hyperfine" = 1 ] && command -v hyperfine > /dev/null; then
    hyperfine -N --style none --warmup 1 --runs "$runs" --export-json "$tmp/hf.json" \
        "$(printf '%q ' "${cmd[@]}")" > /dev/null 2>&1 || die "hyperfine failed"
    "$python" - "$tmp/hf.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("%-34s runs=%d wall median=%.3fs min=%.3fs mean=%.3fs stddev=%.3fs" % (
    "memscry (hyperfine cross-check)", len(r["times"]), r["median"], r["min"], r["mean"], r["stddev"] or 0))
EOF
elif [ "$use_hyperfine" = 1 ]; then
    echo "# hyperfine not installed: the loop's clock only"
fi

if [ -z "$vol" ]; then
    echo "# MEMSCRY_VOLATILITY is not set: Volatility not timed (set it to Volatility 3's vol.py for the ratio)"
    echo "# load average at $(date +%T): $(cut -d' ' -f1-3 /proc/loadavg)"
    exit 0
fi
[ -f "$vol" ] || die "MEMSCRY_VOLATILITY=$vol: no such file"
[ -x "$python" ] || die "MEMSCRY_PYTHON=$python: not executable"
echo "# volatility: $python $vol"

vol_cmd() { cmd=("$python" "$vol" --offline -q --cache-path "$1" -s "$symdir" -f "$dump" -r json "$plugin"); }

# Volatility fresh: a new, empty --cache-path each run.
: > "$tmp/vol-fresh.t"
for i in $(seq "$runs"); do
    rm -rf "$tmp/vcache.$i"
    mkdir "$tmp/vcache.$i"
    vol_cmd "$tmp/vcache.$i"
    timed_run "$tmp/out.json" "$tmp/vol-fresh.t" "${cmd[@]}"
    check_output "$tmp/out.json" "$golden" "Volatility fresh run $i"
    rm -rf "$tmp/vcache.$i"
done
summarise "Volatility (fresh --cache-path)" "$tmp/vol-fresh.t"
v_wall=$(awk '{print $1}' "$tmp/vol-fresh.t" | stats)

# Volatility warm: one untimed run fills the cache dir, then N timed runs.
mkdir "$tmp/vcache.warm"
vol_cmd "$tmp/vcache.warm"
"${cmd[@]}" > "$tmp/out.json" 2> /dev/null || die "Volatility warm-up run failed"
: > "$tmp/vol-warm.t"
for i in $(seq "$runs"); do
    timed_run "$tmp/out.json" "$tmp/vol-warm.t" "${cmd[@]}"
    check_output "$tmp/out.json" "$golden" "Volatility warm run $i"
done
summarise "Volatility (warm --cache-path)" "$tmp/vol-warm.t"
w_wall=$(awk '{print $1}' "$tmp/vol-warm.t" | stats)

# CPU time (user+sys) per run: less sensitive than wall to a loaded machine.
cpu_med() { awk '{print $2 + $3}' "$1" | stats | cut -d' ' -f1; }
awk -v m="${m_wall% *}" -v v="${v_wall% *}" -v w="${w_wall% *}" -v mm="${m_wall#* }" -v vm="${v_wall#* }" -v wm="${w_wall#* }" \
    -v mc="$(cpu_med "$tmp/memscry.t")" -v vc="$(cpu_med "$tmp/vol-fresh.t")" -v wc="$(cpu_med "$tmp/vol-warm.t")" 'BEGIN {
    printf "ratio (median wall) Volatility fresh / memscry = %.1fx   (min/min %.1fx)   target >= 20x: %s\n", v / m, vm / mm, (v / m >= 20 ? "ok" : "MISSED")
    printf "ratio (median wall) Volatility warm  / memscry = %.1fx   (min/min %.1fx)\n", w / m, wm / mm
    printf "ratio (median user+sys) Volatility fresh / memscry = %.1fx (%.2fs / %.3fs), warm %.1fx\n", vc / mc, vc, mc, wc / mc
}'
echo "# load average at $(date +%T): $(cut -d' ' -f1-3 /proc/loadavg)"
