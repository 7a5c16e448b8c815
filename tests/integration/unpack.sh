#!/bin/bash
# unpack.sh SOURCE_DIR DEST - recreate the corpus dumps into DEST once (the
# corpus's own unpack is idempotent and skips re-hashing after a verified
# run). Exit 77 (skipped) without a corpus.
corpus=${MEMSCRY_CORPUS:-$1/../shared/corpus}
if [ ! -x "$corpus/unpack" ] && [ ! -f "$corpus/unpack" ]; then
  echo "SKIP: corpus not found at $corpus (set MEMSCRY_CORPUS)"
  exit 77
fi
exec bash "$corpus/unpack" "$2"
