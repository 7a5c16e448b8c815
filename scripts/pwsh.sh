#!/bin/bash
# pwsh.sh - the PowerShell module (bindings/pwsh) as CI tests it:
#   1. installs PowerShell 7.6.10 (the dotnet global tool, into a tool path)
#      and Pester 5.7.1 (its NuGet package) when absent, into $MEMSCRY_PWSH_HOME
#      (default ~/.cache/memscry-pwsh); idempotent;
#   2. builds libmemscry and the CLI when the build tree lacks them, then the
#      module into build/pwsh/MemScry/ (MemScry.dll, manifest, format views,
#      help, and libmemscry.so beside them);
#   3. runs the Pester tests (bindings/pwsh/tests/*.Tests.ps1) in pwsh 7.6.10
#      on the corpus; exits non-zero when any test fails.
# Usage: scripts/pwsh.sh [--build-only] [BUILD_DIR (default build)]
# Needs the .NET SDK 10 (`dotnet`) and NuGet; without dotnet it fails with a
# message, never a silent success.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
build_only=0
if [ "${1:-}" = --build-only ]; then build_only=1; shift; fi
build=$(realpath -m "${1:-build}")
home=${MEMSCRY_PWSH_HOME:-${HOME:-$build}/.cache/memscry-pwsh}
pwsh_version=7.6.10
pester_version=5.7.1
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! command -v dotnet >/dev/null 2>&1; then
  echo "pwsh.sh: 'dotnet' (the .NET SDK 10) is not installed: the PowerShell module" >&2
  echo "pwsh.sh: cannot be built or tested. Install the SDK (it is not a Debian package)" >&2
  echo "pwsh.sh: or skip this step knowingly with MEMSCRY_SKIP_PWSH=1." >&2
  exit 1
fi

# 1. PowerShell and Pester, once.
pwsh=$home/pwsh-$pwsh_version/pwsh
if [ ! -x "$pwsh" ]; then
  echo "pwsh.sh: installing PowerShell $pwsh_version into $home/pwsh-$pwsh_version"
  dotnet tool install --tool-path "$home/pwsh-$pwsh_version" PowerShell --version "$pwsh_version" >/dev/null
fi
pester=$home/packages/pester/$pester_version/tools/Pester.psd1
if [ ! -f "$pester" ]; then
  echo "pwsh.sh: fetching Pester $pester_version (NuGet package) into $home/packages"
  fetch=$home/pester-fetch
  mkdir -p "$fetch"
  cat > "$fetch/fetch.csproj" <<PROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="Pester" Version="[$pester_version]" /></ItemGroup>
</Project>
PROJ
  dotnet restore "$fetch/fetch.csproj" --packages "$home/packages" >/dev/null
  [ -f "$pester" ] || { echo "pwsh.sh: Pester restore gave no $pester" >&2; exit 1; }
fi

# 2. The library and CLI (built by the main step; built here when missing),
# then the module beside its native library.
if [ ! -f "$build/lib/libmemscry.so" ] || [ ! -x "$build/bin/memscry" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DMEMSCRY_WERROR=ON >/dev/null
  cmake --build "$build" -j"$(nproc)" --target memscry memscry_cli
fi
out=$build/pwsh/MemScry
rm -rf "$out"
dotnet build "$top/bindings/pwsh/MemScry.csproj" -c Release -o "$out" -nologo -v quiet \
  -p:BaseOutputPath="$build/pwsh/bin/" >/dev/null || {
  dotnet build "$top/bindings/pwsh/MemScry.csproj" -c Release -o "$out" -nologo -v minimal >&2
  exit 1
}
cp -L "$build/lib/libmemscry.so" "$out/libmemscry.so"
echo "pwsh.sh: module built in $out"
[ "$build_only" = 1 ] && exit 0

# 3. Pester, in the pinned pwsh.
export MEMSCRY_MODULE=$out/MemScry.psd1
export MEMSCRY_CLI=$build/bin/memscry
export MEMSCRY_SOURCE=$top
export MEMSCRY_CORPUS_DATA=${MEMSCRY_CORPUS_DATA:-$build/corpus-data}
export MEMSCRY_PESTER=$pester MEMSCRY_PWSH=$pwsh
exec "$pwsh" -NoProfile -NonInteractive -File "$top/bindings/pwsh/tests/run.ps1"
