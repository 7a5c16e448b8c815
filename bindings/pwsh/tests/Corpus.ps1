# Corpus.ps1 - where the test corpus is, as tests/integration/corpus.py finds it:
# $MEMSCRY_CORPUS or ../shared/corpus beside the source tree; unpacked dumps in
# $MEMSCRY_CORPUS_DATA or the build tree's corpus-data; .kdump-flat files read in
# place. Dot-source it; it sets $Corpus (a hashtable).
$src = if ($env:MEMSCRY_SOURCE) { $env:MEMSCRY_SOURCE } else { (Resolve-Path "$PSScriptRoot/../../..").Path }
$corpusDir = if ($env:MEMSCRY_CORPUS) { $env:MEMSCRY_CORPUS } else { Join-Path $src '../shared/corpus' }
$corpusDir = [IO.Path]::GetFullPath($corpusDir)
$dataDir = if ($env:MEMSCRY_CORPUS_DATA) { $env:MEMSCRY_CORPUS_DATA } else { Join-Path $src 'build/corpus-data' }
$linux = @('dev-small.raw', 'dev-small.lime', 'dev-small.elf', 'dev-small.kdump', 'dev-small.kdump-flat',
    'dev-1k.raw', 'dev-1k.lime', 'dev-1k.elf', 'dev-1k.kdump', 'dev-1k.kdump-flat', 'dev-vmcore.vmcore',
    'dev-la57.raw', 'dev-la57.lime', 'dev-la57.elf', 'dev-612.raw', 'dev-612.lime', 'dev-612.elf')
$windows = @('win10-22h2-19045.raw', 'win11-21h2-22000.bitmap.dmp', 'win7sp1-7601.full.dmp', 'win81-9600.raw')
$Corpus = @{
    Present  = Test-Path -PathType Container $corpusDir
    Dir      = $corpusDir
    Cli      = if ($env:MEMSCRY_CLI) { $env:MEMSCRY_CLI } else { Join-Path $src 'build/bin/memscry' }
    Module   = if ($env:MEMSCRY_MODULE) { $env:MEMSCRY_MODULE } else { Join-Path $src 'build/pwsh/MemScry/MemScry.psd1' }
    Linux    = @(foreach ($d in $linux) {
            $path = if ($d.EndsWith('.kdump-flat')) { Join-Path $corpusDir ($d.Split('.')[0]) $d } else { Join-Path $dataDir $d }
            @{ Name = $d; Path = $path; Os = 'linux'; Symbols = Join-Path $corpusDir 'symbols'; PsList = 'linux.pslist' }
        })
    Windows  = @(foreach ($d in $windows) {
            @{ Name = $d; Path = Join-Path $dataDir 'windows' $d; Os = 'windows'
                Symbols = [IO.Path]::GetFullPath((Join-Path $corpusDir '../isf')); PsList = 'windows.pslist' }
        })
}
$Corpus.All = @($Corpus.Linux) + @($Corpus.Windows)

# The CLI's rows for a plugin on a dump (-r json), as objects; throws when it fails.
function Invoke-Cli([string]$Dump, [string]$Symbols, [string[]]$Plugin) {
    $json = & $Corpus.Cli -q -s $Symbols -f $Dump -r json @Plugin 2>$null
    if ($LASTEXITCODE -ne 0) { throw "memscry $Plugin on $Dump exited $LASTEXITCODE" }
    $rows = ($json -join "`n") | ConvertFrom-Json -DateKind String -NoEnumerate
    , $rows
}

# A tree of rows (Volatility's "__children") flattened depth first, each with its Depth.
function Expand-CliTree($rows, [int]$Depth = 0) {
    foreach ($r in $rows) {
        [pscustomobject]@{ Row = $r; Depth = $Depth }
        Expand-CliTree $r.__children ($Depth + 1)
    }
}

# Volatility's JSON text of a UTC time, as the json renderer writes it.
function ConvertTo-VolTime($t) {
    if ($null -eq $t) { return $null }
    $us = ($t.Ticks % 10000000) / 10
    if ($us) { $t.ToString("yyyy-MM-ddTHH:mm:ss.ffffff+00:00") } else { $t.ToString("yyyy-MM-ddTHH:mm:ss+00:00") }
}
