# MemScry - memory forensics cmdlets over libmemscry (memscry's C engine, in process).
@{
    RootModule           = 'MemScry.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f0d6f8e-5b7c-4b8e-9a51-2f6c1d3e7a40'
    Author               = 'memscry'
    Description          = 'Memory forensics cmdlets: memscry''s engine (Volatility 3 compatible plugins) as objects, over P/Invoke.'
    PowerShellVersion    = '7.6'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('MemScry.Format.ps1xml')
    CmdletsToExport      = @(
        'Get-MemoryDump', 'Close-MemoryDump', 'Get-MemoryProcess', 'Get-MemoryProcessTree',
        'Test-ProcessTree', 'Invoke-MemoryScan', 'Invoke-MemoryPlugin')
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{ PSData = @{ Tags = @('forensics', 'memory', 'volatility') } }
}
