#!/bin/bash
# pwsh.sh [RUNS] - the PowerShell module's figures (issue 17), from the
# repository root; builds what it needs (scripts/pwsh.sh --build-only):
#   1. one P/Invoke round trip into libmemscry (scry_version through the
#      module's LibraryImport stub; bench/pwsh/RoundTrip.cs): ns per call;
#   2. Get-MemoryProcess on an opened dev-1k dump in a warm pwsh session, and
#      from -Path with the symbol cache warm;
#   3. Get-MemoryProcess -Parallel -ThrottleLimit 4 over 8 dumps against the
#      sequential run (bench/pwsh/bench.ps1).
# The load average is printed before and after: compare figures taken on a
# quiet machine only.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-21}
build=${MEMSCRY_BUILD:-build}
data=${MEMSCRY_CORPUS_DATA:-$build/corpus-data}
corpus=${MEMSCRY_CORPUS:-../shared/corpus}
home=${MEMSCRY_PWSH_HOME:-${HOME:-$build}/.cache/memscry-pwsh}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
bash scripts/pwsh.sh --build-only "$build"
out=$build/pwsh/roundtrip
dotnet build bench/pwsh/RoundTrip.csproj -c Release -o "$out" -nologo -v quiet >/dev/null
cp -L "$build/lib/libmemscry.so" "$out/libmemscry.so"
"$out/MemScryBench"
"$home/pwsh-7.6.10/pwsh" -NoProfile -NonInteractive -File bench/pwsh/bench.ps1 \
  "$(realpath "$build/pwsh/MemScry/MemScry.psd1")" "$(realpath "$data")" "$(realpath "$corpus/symbols")" "$runs"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
