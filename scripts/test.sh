#!/bin/bash
# test.sh - the whole test suite, as CI runs it, from a fresh clone:
#   1. install what is missing (Debian 12 packages);
#   2. build with warnings as errors; unit tests, corpus integration tests
#      (golden outputs, ground truth, bad input) and fuzz-corpus replays;
#   3. valgrind memcheck on the Release build (scripts/valgrind.sh): the
#      hostile-input and API unit suites and the CLI on one dump per corpus
#      machine, zero bytes definitely or indirectly lost; capped at 15 min;
#   4. the same tests again under ASan+UBSan;
#   5. the threaded unit suites (eight threads on one session, concurrent
#      detection, per-thread errors, YARA scans on two threads, a shared
#      result cache, batch runs on eight threads, the page pool and the
#      page cache on four) under ThreadSanitizer, capped at 10 minutes;
#   6. every libFuzzer harness for FUZZ_SECONDS (default 30) each;
#   7. the PowerShell module (scripts/pwsh.sh): installs pwsh 7.6.10 and
#      Pester 5.7.1 when absent, builds bindings/pwsh, runs its Pester tests
#      on the corpus. Needs the .NET SDK (`dotnet`): without it the step
#      fails with a message (MEMSCRY_SKIP_PWSH=1 skips it knowingly).
# Each step prints its wall time.
# The corpus is ../shared/corpus (or $MEMSCRY_CORPUS); its dumps are unpacked
# once into $MEMSCRY_CORPUS_DATA (default build/corpus-data). Corpus tests
# are reported as skipped when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
jobs=$(nproc)
bash scripts/deps.sh --dev
export MEMSCRY_CORPUS_DATA=${MEMSCRY_CORPUS_DATA:-$top/build/corpus-data}
mkdir -p "$MEMSCRY_CORPUS_DATA"

step_start=$SECONDS
step_done() { echo "== step took $((SECONDS - step_start)) s"; step_start=$SECONDS; }

echo "== build (Release, -Werror) and test"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DMEMSCRY_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build -j"$jobs" --output-on-failure --timeout 1800
step_done

echo "== valgrind memcheck (Release build), at most 15 minutes"
timeout --kill-after=30 900 bash scripts/valgrind.sh build
step_done

echo "== ASan+UBSan build and test"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMEMSCRY_WERROR=ON \
      -DMEMSCRY_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
# MEMSCRY_TIME_FACTOR scales the wall-clock caps of the hostile-input tests.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  MEMSCRY_TIME_FACTOR=10 ctest --test-dir build-asan -j"$jobs" --output-on-failure --timeout 3600
step_done

echo "== ThreadSanitizer build and threaded tests"
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMEMSCRY_WERROR=ON \
      -DMEMSCRY_TSAN=ON >/dev/null
cmake --build build-tsan -j"$jobs" --target test_session test_api test_yara test_malscan_api \
  test_result_cache test_batch test_pagepool test_kdump
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 timeout --kill-after=30 600 \
  ctest --test-dir build-tsan -R '^unit\.test_(session|api|yara|malscan_api|result_cache|batch|pagepool|kdump)$' \
  --output-on-failure --timeout 600
step_done

if [ "${MEMSCRY_SKIP_FUZZ:-0}" != 1 ]; then
  echo "== fuzzing, ${FUZZ_SECONDS:-30} s per harness"
  bash scripts/fuzz.sh
  step_done
fi
echo "== PowerShell module: build and Pester tests (pwsh 7.6.10)"
if [ "${MEMSCRY_SKIP_PWSH:-0}" = 1 ]; then
  echo "skipped: MEMSCRY_SKIP_PWSH=1"
else
  bash scripts/pwsh.sh build
fi
step_done
echo "== all tests passed"
