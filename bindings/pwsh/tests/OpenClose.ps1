# OpenClose.ps1 - opens and disposes one dump 1,000 times in a fresh pwsh (run by
# MemScry.Tests.ps1: the Pester process's own allocations would drown the
# figures) and prints, as JSON, the managed heap (after [GC]::Collect()) and the
# C heap in use (glibc mallinfo2: libmemscry's allocations live there) at
# iteration 100 and at the end, and how many mappings of the dump remain.
# Each figure is taken after a short pause: the runtime's background JIT
# allocates from the C heap too, and settles within it.
param([string]$Module, [string]$Dump, [string]$Symbols)
$ErrorActionPreference = 'Stop'
Import-Module $Module
Add-Type -Namespace MemScryTest -Name LibC -MemberDefinition @'
[StructLayout(LayoutKind.Sequential)]
public struct MallInfo2 { public ulong arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost; }
[DllImport("libc", EntryPoint = "mallinfo2")] public static extern MallInfo2 mallinfo2();
'@
function Measure-Heap {
    Start-Sleep -Milliseconds 1500
    [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
    $m = [MemScryTest.LibC]::mallinfo2()
    @{ Managed = [GC]::GetTotalMemory($true); Native = [int64]($m.uordblks + $m.hblkhd) }
}
$at100 = $null
for ($i = 1; $i -le 1000; $i++) {
    $d = Get-MemoryDump -Path $Dump -SymbolPath $Symbols
    if ($d.OS -ne 'linux') { throw "iteration $($i): OS '$($d.OS)'" }
    $d.Dispose()
    if ($i -eq 100) { $at100 = Measure-Heap }
}
$end = Measure-Heap
$maps = @(Get-Content /proc/self/maps | Where-Object { $_.EndsWith($Dump) }).Count
@{ At100 = $at100; End = $end; Mappings = $maps } | ConvertTo-Json -Compress
