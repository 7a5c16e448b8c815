#!/bin/bash
# batch-merge.sh OUT.db SHARD.db... - merges the SQLite databases of
# `memscry batch --shard I/N --sqlite SHARD.db` runs into one (ATTACH, then
# every table's rows appended). The shards of one command have the same
# tables, and dump ids are positions in the whole list, so nothing clashes.
# OUT.db must not exist. Needs the sqlite3 shell.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 OUT.db SHARD.db..." >&2; exit 2; }
out=$1
shift
[ ! -e "$out" ] || { echo "$0: $out exists" >&2; exit 1; }
cp -- "$1" "$out"
shift
for shard in "$@"; do
  sql="ATTACH '${shard//\'/\'\'}' AS s; BEGIN;"
  while IFS= read -r t; do
    sql+=" INSERT INTO main.\"$t\" SELECT * FROM s.\"$t\";"
  done < <(sqlite3 "$shard" "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
  sqlite3 "$out" "$sql COMMIT; DETACH s;"
done
