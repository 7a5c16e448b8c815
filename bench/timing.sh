# timing.sh - what the end-to-end bench scripts (windows.sh, yara.sh) share:
# a run timed with the shell's nanosecond clock around /usr/bin/time (user,
# sys, peak RSS), and the median / min / peak-RSS summary of such runs.
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
