#!/bin/bash
# fuzz.sh [HARNESS...] - builds every libFuzzer harness (fuzz/fuzz_*.c) with
# clang and runs each for FUZZ_SECONDS (default 30) seconds.
#
# Each harness starts from a scratch copy of its seeds, fuzz/corpus/<harness>/
# (libFuzzer adds what it finds to its first corpus folder: never the
# repository's), with its crash artifacts in the same scratch space. Exits
# non-zero when a harness crashed, timed out or ran out of memory, printing
# the reproducer's path and the commands that replay it; after a clean run
# the scratch space is removed. A harness with a dictionary,
# fuzz/dict/<harness>.dict (format magics, ISF keys), runs with -dict=.
# fuzz/README.md gives the command for a long campaign.
#
#   HARNESS...        only these (fuzz_kdump or kdump); default: all
#   FUZZ_SECONDS=N    time per harness (default 30)
#   FUZZ_BUILD_DIR=D  build folder (default build-fuzz)
#   FUZZ_WORK=D       scratch folder (default a new mktemp -d), kept on failure
#   FUZZ_KEEP=1       keep the scratch folder after a clean run too
#
# Needs cmake, clang and its libFuzzer runtime (Debian 12: clang
# libclang-rt-14-dev; scripts/deps.sh --dev installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
seconds=${FUZZ_SECONDS:-30}
build=${FUZZ_BUILD_DIR:-build-fuzz}
case $build in /*) ;; *) build=$top/$build ;; esac

die() { echo "fuzz.sh: $*" >&2; exit 2; }
[[ $seconds =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || die "FUZZ_SECONDS must be a positive integer"
command -v cmake >/dev/null || die "cmake not found (scripts/deps.sh installs it)"
cc=${CC:-clang}
command -v "$cc" >/dev/null || die "$cc not found (Debian: apt-get install clang libclang-rt-14-dev)"

# Without the libFuzzer runtime the link of every harness fails late and
# cryptically; say so up front.
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\n%s\n' \
  'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }' \
  >"$probe/t.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined "$probe/t.c" -o "$probe/t" 2>"$probe/err"; then
  cat "$probe/err" >&2
  die "$cc cannot link a libFuzzer binary (Debian 12: apt-get install libclang-rt-14-dev)"
fi
rm -rf "$probe"
trap - EXIT

# A build folder configured with another compiler cannot switch to clang.
if [ -f "$build/CMakeCache.txt" ] &&
   ! grep -q '^CMAKE_C_COMPILER:[A-Z]*=.*clang' "$build/CMakeCache.txt"; then
  die "$build was configured with another compiler; remove it or set FUZZ_BUILD_DIR"
fi

echo "== building the harnesses in $build"
CC=$cc cmake -S . -B "$build" -DMEMSCRY_FUZZ=ON -DMEMSCRY_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" >"$build/fuzz-build.log" 2>&1 || {
  tail -n 40 "$build/fuzz-build.log" >&2
  die "build failed (full log: $build/fuzz-build.log)"
}

# The harnesses: every fuzz/fuzz_<name>.c, or those asked for.
harnesses=()
if [ $# -gt 0 ]; then
  for h in "$@"; do
    h=${h%.c}
    h=fuzz_${h#fuzz_}
    [ -f "fuzz/$h.c" ] || die "no harness fuzz/$h.c"
    harnesses+=("$h")
  done
else
  for src in fuzz/fuzz_*.c; do
    h=$(basename "$src" .c)
    harnesses+=("$h")
  done
fi
[ ${#harnesses[@]} -gt 0 ] || die "no harness in fuzz/"

work=${FUZZ_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/memscry-fuzz.XXXXXX")}
mkdir -p "$work"
echo "== fuzzing ${#harnesses[@]} harness(es), $seconds s each; scratch: $work"

failed=()
summary=()
for h in "${harnesses[@]}"; do
  bin=$build/bin/$h
  [ -x "$bin" ] || die "$bin was not built"
  corpus=$work/$h/corpus
  artifacts=$work/$h/artifacts
  log=$work/$h/fuzz.log
  rm -rf "${work:?}/$h"
  mkdir -p "$corpus" "$artifacts"
  seeds=0
  if [ -d "fuzz/corpus/$h" ]; then
    # Regular files only; the copy is what libFuzzer may add to.
    find "fuzz/corpus/$h" -maxdepth 1 -type f ! -name '.*' -exec cp -t "$corpus" {} +
    seeds=$(find "$corpus" -type f | wc -l)
  fi
  dict=()
  dictnote=""
  if [ -f "fuzz/dict/$h.dict" ]; then
    dict=(-dict="$top/fuzz/dict/$h.dict")
    dictnote=", dictionary fuzz/dict/$h.dict"
  fi
  echo "-- $h: $seeds seed(s)$dictnote"
  rc=0
  # -close_fd_mask=1: the harnesses print nothing; keep libFuzzer's own
  # stderr output in the log.
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
      -artifact_prefix="$artifacts/" -print_final_stats=1 -close_fd_mask=1 \
      ${dict[@]+"${dict[@]}"} "$corpus" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  execs=${execs:-?}
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2 || true)
  units=$(find "$corpus" -type f | wc -l)
  repro=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
            -o -name 'oom-*' \) | head -n 1)
  if [ "$rc" -ne 0 ] || [ -n "$repro" ]; then
    failed+=("$h")
    summary+=("$(printf '%-18s %12s execs  cov %-6s corpus %-5s FAILED (exit %s)' \
      "$h" "$execs" "${cov:-?}" "$units" "$rc")")
    echo "   FAILED (exit $rc): log $log" >&2
    grep -m1 -E '^==[0-9]+==ERROR|runtime error|^==[0-9]+== ERROR|deadly signal|-timeout|out-of-memory' \
      "$log" >&2 || true
    if [ -n "$repro" ]; then
      echo "   reproducer: $repro" >&2
      echo "   replay:     $bin $repro" >&2
      echo "               $build/bin/fuzz_replay_${h#fuzz_} $repro (no libFuzzer)" >&2
    else
      tail -n 20 "$log" >&2
    fi
  else
    summary+=("$(printf '%-18s %12s execs  cov %-6s corpus %-5s ok' \
      "$h" "$execs" "${cov:-?}" "$units")")
  fi
done

echo "== summary ($seconds s per harness)"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: ${#failed[@]} harness(es) failed: ${failed[*]}; scratch kept in $work" >&2
  exit 1
fi
if [ "${FUZZ_KEEP:-0}" = 1 ] || [ -n "${FUZZ_WORK:-}" ]; then
  echo "scratch kept in $work"
else
  rm -rf "$work"
fi
