#!/bin/bash
# exports.sh - install.exports: libmemscry.so exports exactly the functions
# memscry.h declares with SCRY_API, all named scry_*, and nothing else.
# usage: exports.sh LIBMEMSCRY_SO MEMSCRY_H [NM]
set -u
if [ $# -lt 2 ]; then
    echo "usage: $0 LIBMEMSCRY_SO MEMSCRY_H [NM]" >&2
    exit 2
fi
LIB=$1 HDR=$2 NM=${3:-nm}

exported=$("$NM" -D --defined-only "$LIB" | awk 'NF >= 3 { print $3 }' | sed 's/@.*//' | sort -u)
[ -n "$exported" ] || { echo "FAIL: $LIB exports nothing (or nm failed)" >&2; exit 1; }
n=$(printf '%s\n' "$exported" | wc -l)

bad=$(printf '%s\n' "$exported" | grep -v '^scry_')
if [ -n "$bad" ]; then
    printf 'FAIL: %s exports symbols outside scry_:\n%s\n' "$LIB" "$bad" >&2
    exit 1
fi
echo "ok: all $n exported symbols start with scry_"

# Every declaration "SCRY_API <type> <name>(" in the public header.
declared=$(grep -E '^SCRY_API ' "$HDR" | sed -E 's/\(.*//; s/.*[ *]//' | sort -u)
[ -n "$declared" ] || { echo "FAIL: no SCRY_API declarations found in $HDR" >&2; exit 1; }
if [ "$exported" != "$declared" ]; then
    echo "FAIL: exported symbols and SCRY_API declarations differ (< exported only, > declared only):" >&2
    diff <(printf '%s\n' "$exported") <(printf '%s\n' "$declared") >&2
    exit 1
fi
echo "ok: the exports are exactly the $n SCRY_API functions of memscry.h"
echo "PASS install.exports"
