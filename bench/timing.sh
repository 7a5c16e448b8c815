# timing.sh - what the end-to-end bench scripts (windows.sh, yara.sh,
# linux.sh) share: a run timed with the shell's nanosecond clock around
# /usr/bin/time (user, sys, peak RSS), the median / min / peak-RSS summary
# of such runs, and one plugin timed against Volatility.
# Sourced; the caller defines die() and $tmp (a scratch directory) first,
# and may set summary_width (the label column, default 16).

now_ns() { date +%s%N; }

# median and min of the numbers on stdin
stats() { sort -g | awk '{v[NR]=$1} END { m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2
    printf "%.4f %.4f\n", m, v[1] }'; }

timed_run() { # OUT TFILE CMD...: stdout to OUT, "wall user sys rss_kib" appended to TFILE
    local out=$1 tfile=$2 t0 t1 rc=0
    shift 2
    t0=$(now_ns)
    /usr/bin/time -f '%U %S %M' -o "$tmp/time.one" "$@" > "$out" 2> "$tmp/stderr.one" || rc=$?
    t1=$(now_ns)
    [ "$rc" -eq 0 ] || { cat "$tmp/stderr.one" >&2; die "exit status $rc: $*"; }
    echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }') $(tail -n 1 "$tmp/time.one")" >> "$tfile"
}

summarise() { # LABEL TFILE -> prints; sets med (s) and rss (MiB)
    local w r
    w=$(awk '{print $1}' "$2" | stats)
    r=$(awk '{print $4}' "$2" | sort -g | tail -n 1)
    med=${w% *}
    rss=$(awk -v k="$r" 'BEGIN{printf "%.1f", k/1024}')
    printf "%-${summary_width:-16}s runs=%d wall median=%ss min=%ss  peak RSS max=%s MiB\n" "$1" \
        "$(wc -l < "$2")" "${w% *}" "${w#* }" "$rss"
}

# versus_volatility DUMP PLUGIN [OPTION...]: the plugin on DUMP, fresh and
# warm, memscry ($memscry, $runs runs each) against Volatility ($vol through
# $python, min($runs, 3) runs each; skipped when $vol is empty), symbols
# from $syms. Fresh: nothing cached (memscry --no-cache, Volatility a new
# --cache-path); warm: each tool's cache filled by an earlier run
# (memscry's compiled symbol table in $tmp/warm, Volatility's identifier
# cache). Every output must equal Volatility's. Prints the summaries; sets
# speedup_fresh and speedup_warm (empty without Volatility).
versus_volatility() {
    local dump=$1 name=$2 ref="" i
    shift
    speedup_fresh="" speedup_warm=""
    "$memscry" -q --cache-dir "$tmp/warm" -s "$syms" -f "$dump" -r json "$@" > /dev/null 2>&1 || true
    : > "$tmp/t.m"; : > "$tmp/t.mw"; : > "$tmp/t.v"; : > "$tmp/t.vw"
    if [ -n "$vol" ]; then
        for i in $(seq 1 $((runs < 3 ? runs : 3))); do
            rm -rf "$tmp/volcache"; mkdir -p "$tmp/volcache"
            timed_run "$tmp/vol.json" "$tmp/t.v" "$python" "$vol" -q --offline \
                --cache-path "$tmp/volcache" -s "$syms" -r json -f "$dump" "$@"
            timed_run "$tmp/volw.json" "$tmp/t.vw" "$python" "$vol" -q --offline \
                --cache-path "$tmp/volcache" -s "$syms" -r json -f "$dump" "$@"
        done
        ref="$tmp/vol.json"
        cmp -s "$tmp/volw.json" "$ref" || die "$name: Volatility's warm output differs from its cold"
    fi
    for i in $(seq 1 "$runs"); do
        timed_run "$tmp/m.json" "$tmp/t.m" "$memscry" -q --no-cache -s "$syms" -f "$dump" -r json "$@"
        timed_run "$tmp/mw.json" "$tmp/t.mw" "$memscry" -q --cache-dir "$tmp/warm" -s "$syms" \
            -f "$dump" -r json "$@"
        if [ -n "$ref" ]; then
            cmp -s "$tmp/m.json" "$ref" || die "$name: memscry differs from Volatility"
            cmp -s "$tmp/mw.json" "$ref" || die "$name: memscry (warm) differs from Volatility"
        fi
    done
    echo "## $*, $(basename "$dump")$([ -n "$ref" ] && echo ": outputs equal to Volatility's")"
    summarise "memscry $name fresh" "$tmp/t.m"; vv_m=$med
    summarise "memscry $name warm" "$tmp/t.mw"; vv_mw=$med
    if [ -n "$vol" ]; then
        summarise "volatility $name fresh" "$tmp/t.v"; vv_v=$med
        summarise "volatility $name warm" "$tmp/t.vw"; vv_vw=$med
        speedup_fresh=$(awk -v v="$vv_v" -v m="$vv_m" 'BEGIN { printf "%.0f", v / m }')
        speedup_warm=$(awk -v v="$vv_vw" -v m="$vv_mw" 'BEGIN { printf "%.0f", v / m }')
        echo "speed-up (median): fresh ${speedup_fresh}x, warm ${speedup_warm}x"
    fi
}
