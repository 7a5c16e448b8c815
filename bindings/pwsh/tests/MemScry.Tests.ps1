# MemScry.Tests.ps1 - the PowerShell module against the CLI on the real corpus:
# the same processes and values as `memscry -r json linux.pslist` (windows.pslist
# on Windows dumps), -Parallel = sequential, one ErrorRecord per bad dump, no
# native or managed growth over 1,000 open/close cycles, help for every cmdlet.
BeforeDiscovery {
    . "$PSScriptRoot/Corpus.ps1"
    $cmdlets = 'Get-MemoryDump', 'Close-MemoryDump', 'Get-MemoryProcess', 'Get-MemoryProcessTree',
    'Test-ProcessTree', 'Invoke-MemoryScan', 'Invoke-MemoryPlugin'
    $noCorpus = -not $Corpus.Present
}

BeforeAll {
    . "$PSScriptRoot/Corpus.ps1"
    Import-Module $Corpus.Module -Force
    $small = $Corpus.Linux | Where-Object Name -EQ 'dev-small.raw'
}

Describe 'the module' {
    It 'exports exactly the cmdlets of issue 17' {
        (Get-Command -Module MemScry).Name | Sort-Object |
            Should -Be ('Close-MemoryDump', 'Get-MemoryDump', 'Get-MemoryProcess', 'Get-MemoryProcessTree',
                'Invoke-MemoryPlugin', 'Invoke-MemoryScan', 'Test-ProcessTree')
    }

    It 'loads libmemscry.so from beside MemScry.dll' {
        $dir = Split-Path (Get-Module MemScry).Path
        Test-Path (Join-Path $dir 'libmemscry.so') | Should -BeTrue
        # A run needs the library: the resolver found it there.
        [MemScry.MemoryDump].Assembly.Location | Should -Be (Join-Path $dir 'MemScry.dll')
    }

    It 'has help for <_>' -ForEach $cmdlets {
        $h = Get-Help $_ -Full
        $h.Synopsis | Should -Not -BeNullOrEmpty
        $h.Synopsis | Should -Not -BeLike "*$_ *[[]*"   # not the auto-generated syntax line
        ($h.description | Out-String).Trim() | Should -Not -BeNullOrEmpty
        @($h.examples.example).Count | Should -BeGreaterThan 0
        $h.examples.example[0].code | Should -Match $_
        $params = (Get-Command $_).Parameters.Keys | Where-Object { $_ -notin [Management.Automation.PSCmdlet]::CommonParameters }
        foreach ($p in $params) {
            ($h.parameters.parameter | Where-Object name -EQ $p).description | Out-String |
                Should -Not -BeNullOrEmpty -Because "parameter -$p of $_ is documented"
        }
    }
}

Describe 'Get-MemoryProcess on <Name>' -Skip:$noCorpus -ForEach $Corpus.All {
    BeforeAll {
        Test-Path -PathType Leaf $Path | Should -BeTrue -Because "the corpus dump $Path is unpacked"
        $cli = Invoke-Cli $Path $Symbols $PsList
        $procs = @(Get-MemoryProcess -Path $Path -SymbolPath $Symbols)
    }

    It 'returns exactly the processes the CLI prints' {
        $procs.Count | Should -Be $cli.Count
        $procs.Count | Should -BeGreaterThan 0
        @($procs | Where-Object { $_ -isnot [MemScry.MemoryProcess] }).Count | Should -Be 0
    }

    It 'with the same values' {
        # One line per process, compared as two lists (a Should per value is slow).
        if ($Os -eq 'linux') {
            $want = $cli | ForEach-Object { "$($_.PID)|$($_.PPID)|$($_.TID)|$($_.COMM)|$([uint64]$_.'OFFSET (V)')" }
            $got = $procs | ForEach-Object { "$($_.Pid)|$($_.Ppid)|$($_.Tid)|$($_.Name)|$($_.Offset)" }
        } else {
            $want = $cli | ForEach-Object {
                "$($_.PID)|$($_.PPID)|$($_.ImageFileName)|$([uint64]$_.'Offset(V)')|$($_.Threads)|$($_.Handles)|$($_.SessionId)|$($_.Wow64)|$($_.CreateTime)|$($_.ExitTime)" }
            $got = $procs | ForEach-Object {
                "$($_.Pid)|$($_.Ppid)|$($_.Name)|$($_.Offset)|$($_.Threads)|$($_.Handles)|$($_.SessionId)|$($_.Wow64)|$(ConvertTo-VolTime $_.CreateTime)|$(ConvertTo-VolTime $_.ExitTime)" }
            @($procs.Tid | Where-Object { $null -ne $_ }).Count | Should -Be 0
        }
        $got | Should -BeExactly $want
        @($procs.DumpPath | Select-Object -Unique) | Should -Be @($Path)
    }

    It 'gives the same from an opened dump' {
        $d = Get-MemoryDump -Path $Path -SymbolPath $Symbols
        try {
            $d.OS | Should -Be $Os
            $d.Size | Should -Be (Get-Item $Path).Length
            $d.Kernel | Should -Not -BeNullOrEmpty
            $again = @($d | Get-MemoryProcess)
            ($again | ForEach-Object { "$($_.Pid)/$($_.Name)/$($_.Offset)" }) |
                Should -Be ($procs | ForEach-Object { "$($_.Pid)/$($_.Name)/$($_.Offset)" })
        } finally { $d | Close-MemoryDump }
        $d.IsClosed | Should -BeTrue
    }
}

Describe 'Get-MemoryProcess -IncludeCommandLine' -Skip:$noCorpus {
    It 'fills CommandLine from <Plugin> on <Name>' -ForEach @(
        @{ Name = 'dev-small.raw'; Plugin = 'linux.psaux'; Text = 'ARGS' }
        @{ Name = 'win10-22h2-19045.raw'; Plugin = 'windows.cmdline'; Text = 'Args' }) {
        $dump = $Corpus.All | Where-Object Name -EQ $Name
        $cli = Invoke-Cli $dump.Path $dump.Symbols $Plugin
        $byPid = @{}
        foreach ($r in $cli) { if (-not $byPid.ContainsKey([long]$r.PID)) { $byPid[[long]$r.PID] = $r.$Text } }
        $procs = @(Get-MemoryProcess -Path $dump.Path -SymbolPath $dump.Symbols -IncludeCommandLine)
        $procs.Count | Should -Be (Invoke-Cli $dump.Path $dump.Symbols $dump.PsList).Count
        @($procs | ForEach-Object { "$($_.Pid)=$($_.CommandLine)" }) | Should -BeExactly @($procs | ForEach-Object { "$($_.Pid)=$($byPid[$_.Pid])" })
        @($procs | Where-Object CommandLine).Count | Should -BeGreaterThan 0
        @(Get-MemoryProcess -Path $dump.Path -SymbolPath $dump.Symbols | Where-Object CommandLine).Count | Should -Be 0
    }
}

Describe 'several dumps' -Skip:$noCorpus {
    BeforeAll {
        function Get-Key($p) { "$($p.DumpPath)|$($p.Pid)|$($p.Ppid)|$($p.Tid)|$($p.Name)|$($p.Offset)|$($p.CreateTime)" }
        # One symbol path list for all: Linux and Windows ISFs side by side.
        $syms = @($Corpus.Linux[0].Symbols, $Corpus.Windows[0].Symbols)
        $paths = @($Corpus.All.Path)
    }

    It '-Parallel over every corpus dump gives what a sequential run gives' {
        $seq = @(Get-MemoryProcess -Path $paths -SymbolPath $syms | ForEach-Object { Get-Key $_ })
        $par = @(Get-MemoryProcess -Path $paths -SymbolPath $syms -Parallel -ThrottleLimit 4 | ForEach-Object { Get-Key $_ })
        @($seq | ForEach-Object { $_.Split('|')[0] } | Select-Object -Unique).Count | Should -Be $paths.Count
        $par.Count | Should -Be $seq.Count
        $par | Should -Be $seq
    }

    It '-Parallel -ThrottleLimit 1 (the pipeline thread alone) gives what a sequential run gives' {
        $seq = @(Get-MemoryProcess -Path $paths -SymbolPath $syms | ForEach-Object { Get-Key $_ })
        $one = @(Get-MemoryProcess -Path $paths -SymbolPath $syms -Parallel -ThrottleLimit 1 | ForEach-Object { Get-Key $_ })
        $one.Count | Should -Be $seq.Count
        $one | Should -Be $seq
    }

    It '-Parallel runs no more threads than processors, whatever -ThrottleLimit' {
        $n = @(Get-MemoryProcess -Path $paths -SymbolPath $syms -Parallel -ThrottleLimit 64).Count
        $n | Should -BeGreaterThan 0
        # The module's worker threads, started on demand and kept (Workers.cs).
        $workers = [MemScry.MemoryDump].Assembly.GetType('MemScry.Workers', $true)
        $started = $workers.GetField('started', [Reflection.BindingFlags]'Static,NonPublic').GetValue($null)
        $paths.Count | Should -BeGreaterThan ([Environment]::ProcessorCount) -Because 'else the bound is not tested'
        # The pipeline thread is one of the workers: the module starts the others.
        $started | Should -BeLessOrEqual ([Environment]::ProcessorCount - 1)
    }

    It '-Parallel over opened dumps (Get-ChildItem | Get-MemoryDump) gives the same' {
        $dumps = Get-ChildItem -LiteralPath $paths | Get-MemoryDump -SymbolPath $syms -Parallel
        try {
            @($dumps).Count | Should -Be $paths.Count
            $seq = @($dumps | Get-MemoryProcessTree | ForEach-Object { Get-Key $_ })
            $par = @($dumps | Get-MemoryProcessTree -Parallel -ThrottleLimit 3 | ForEach-Object { Get-Key $_ })
            $par | Should -Be $seq
        } finally { $dumps | Close-MemoryDump }
    }

    Context 'a bad file in the batch' {
        BeforeAll {
            $tmp = Join-Path ([IO.Path]::GetTempPath()) "memscry-pester-$PID"
            New-Item -ItemType Directory -Force $tmp | Out-Null
            $corrupt = Join-Path $tmp 'truncated.elf'
            $stream = [IO.File]::OpenRead((Join-Path (Split-Path $small.Path) 'dev-small.elf'))
            try { $buf = [byte[]]::new(65536); $stream.ReadExactly($buf, 0, $buf.Length) } finally { $stream.Dispose() }
            [IO.File]::WriteAllBytes($corrupt, $buf)
            $missing = Join-Path $tmp 'no-such.raw'
            $good = @(($Corpus.Linux | Where-Object Name -In 'dev-small.raw', 'dev-1k.kdump', 'dev-612.lime').Path)
            $batch = @($good[0], $corrupt, $good[1], $good[2])
            $expected = @(foreach ($g in $good) { (Invoke-Cli $g $syms[0] 'linux.pslist').Count })
        }
        AfterAll { Remove-Item -Recurse -Force $tmp }

        It 'yields one InvalidData ErrorRecord and the others succeed (-Parallel: <_>)' -ForEach $false, $true {
            $out = @(Get-MemoryProcess -Path $batch -SymbolPath $syms -Parallel:$_ -ErrorVariable ev -ErrorAction SilentlyContinue)
            $ev.Count | Should -Be 1
            $ev[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $ev[0].TargetObject | Should -Be $corrupt
            $ev[0].Exception.Message | Should -BeExactly "$($corrupt): program header 1: file bytes [0x14a0, +0x10000000) run past the end of the file (65536 bytes)"
            $ev[0].FullyQualifiedErrorId | Should -BeLike 'MemScry.Corrupt,Get-MemoryProcess*'
            @($out.DumpPath | Select-Object -Unique) | Should -Be $good
            @(foreach ($g in $good) { @($out | Where-Object DumpPath -EQ $g).Count }) | Should -Be $expected
        }

        It 'a missing file is one ObjectNotFound ErrorRecord' {
            $out = @(Get-MemoryProcess -Path $missing, $good[0] -SymbolPath $syms -Parallel -ErrorVariable ev -ErrorAction SilentlyContinue)
            $ev.Count | Should -Be 1
            $ev[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $ev[0].TargetObject | Should -Be $missing
            $out.Count | Should -Be $expected[0]
        }

        It '-Parallel ends when early dumps finish before the last worker starts' {
            # Failing opens are instant: a worker could take every dump before the
            # others start (that once left the pipeline thread waiting forever).
            $ps = [PowerShell]::Create()
            try {
                $null = $ps.AddScript({
                        param($Module, $Missing, $Good, $Syms)
                        Import-Module $Module
                        foreach ($i in 1..50) {
                            $o = @(Get-MemoryProcess -Path $Missing, $Missing, $Missing, $Good -SymbolPath $Syms -Parallel -ThrottleLimit 4 -ErrorVariable ev -ErrorAction SilentlyContinue)
                            "$($o.Count) objects, $($ev.Count) errors"
                        }
                    }).AddArgument($Corpus.Module).AddArgument($missing).AddArgument($good[0]).AddArgument($syms)
                $async = $ps.BeginInvoke()
                $async.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(120)) | Should -BeTrue -Because 'every -Parallel run returns'
                $counts = $ps.EndInvoke($async)
                @($counts).Count | Should -Be 50
                @($counts | Select-Object -Unique) | Should -Be "$($expected[0]) objects, 3 errors"
            } finally { $ps.Dispose() }
        }

        It 'a file of no dump format is InvalidData' {
            $junk = Join-Path $tmp 'junk.bin'
            [IO.File]::WriteAllBytes($junk, [byte[]](1..100))
            Get-MemoryDump -Path $junk -ErrorVariable ev -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $ev.Count | Should -Be 1
            $ev[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $ev[0].FullyQualifiedErrorId | Should -BeLike 'MemScry.Format,Get-MemoryDump*'
        }

        It 'a closed dump is an InvalidOperation ErrorRecord, not a crash' {
            $d = Get-MemoryDump -Path $good[0] -SymbolPath $syms
            $d.Dispose(); $d.Dispose()
            $d | Get-MemoryProcess -ErrorVariable ev -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $ev[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        }
    }
}

Describe 'opening and disposing a dump 1,000 times' -Skip:$noCorpus {
    It 'grows memory by at most 1 MiB from iteration 100 to the end, and leaves no mapping' {
        # In a fresh pwsh of the same build (OpenClose.ps1 says why).
        $pwsh = if ($env:MEMSCRY_PWSH) { $env:MEMSCRY_PWSH } else { 'pwsh' }
        $json = & $pwsh -NoProfile -NonInteractive -File "$PSScriptRoot/OpenClose.ps1" $Corpus.Module $small.Path $small.Symbols
        $LASTEXITCODE | Should -Be 0
        $r = $json | ConvertFrom-Json
        Write-Host ("    managed {0:N0} -> {1:N0} bytes, C heap {2:N0} -> {3:N0} bytes, mappings left {4}" -f
            $r.At100.Managed, $r.End.Managed, $r.At100.Native, $r.End.Native, $r.Mappings)
        ($r.End.Managed - $r.At100.Managed) | Should -BeLessOrEqual 1MB
        ($r.End.Native - $r.At100.Native) | Should -BeLessOrEqual 1MB
        $r.Mappings | Should -Be 0
    }
}

Describe 'Get-MemoryProcessTree' -Skip:$noCorpus {
    It 'gives linux.pstree''s rows depth first, children linked' {
        $cli = @(Expand-CliTree (Invoke-Cli $small.Path $small.Symbols 'linux.pstree'))
        $nodes = @(Get-MemoryProcessTree -Path $small.Path -SymbolPath $small.Symbols)
        $nodes.Count | Should -Be $cli.Count
        @($nodes | ForEach-Object { "$($_.Depth)|$($_.Pid)|$($_.Name)|$(@($_.Children.Pid) -join ',')" }) |
            Should -BeExactly @($cli | ForEach-Object { "$($_.Depth)|$($_.Row.PID)|$($_.Row.COMM)|$(@($_.Row.__children.PID) -join ',')" })
        @(Get-MemoryProcessTree -Path $small.Path -SymbolPath $small.Symbols -RootOnly).Count |
            Should -Be (Invoke-Cli $small.Path $small.Symbols 'linux.pstree').Count
    }
}

Describe 'Invoke-MemoryPlugin' -Skip:$noCorpus {
    It 'rows carry Volatility''s column names and the CLI''s values (<_>)' -ForEach 'linux.lsmod', 'linux.psaux' {
        $cli = Invoke-Cli $small.Path $small.Symbols $_
        $rows = @(Invoke-MemoryPlugin -Name $_ -Path $small.Path -SymbolPath $small.Symbols)
        $rows.Count | Should -Be $cli.Count
        $keys = @($cli[0].PSObject.Properties.Name | Where-Object { $_ -ne '__children' } | Sort-Object)
        @($rows | ForEach-Object { @($_.PSObject.Properties.Name | Where-Object { $_ -notin 'TreeDepth', 'DumpPath' } | Sort-Object) -join ',' } |
            Select-Object -Unique) | Should -Be ($keys -join ',')
        @($rows | ForEach-Object { $_.PSStandardMembers.DefaultDisplayPropertySet.ReferencedPropertyNames -join ',' } | Select-Object -Unique) |
            Should -Be ((@('TreeDepth') + @($rows[0].PSObject.Properties.Name | Where-Object { $_ -notin 'TreeDepth', 'DumpPath' })) -join ',')
        @($rows | ForEach-Object { $r = $_; ($keys | ForEach-Object { "$($r.$_)" }) -join '|' }) |
            Should -BeExactly @($cli | ForEach-Object { $c = $_; ($keys | ForEach-Object { "$($c.$_)" }) -join '|' })
    }

    It 'passes -ArgumentList to the plugin' {
        $rows = @(Invoke-MemoryPlugin -Name linux.pslist.PsList -ArgumentList '--pid', '1' -Path $small.Path -SymbolPath $small.Symbols)
        $rows.Count | Should -Be 1
        $rows[0].PID | Should -Be 1
        $rows[0].COMM | Should -BeExactly 'init'
    }

    It 'an unknown option is an InvalidArgument ErrorRecord' {
        Invoke-MemoryPlugin -Name linux.pslist -ArgumentList '--bogus' -Path $small.Path -SymbolPath $small.Symbols -ErrorVariable ev -ErrorAction SilentlyContinue |
            Should -BeNullOrEmpty
        $ev.Count | Should -Be 1
        $ev[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'an unknown plugin is ObjectNotFound' {
        Invoke-MemoryPlugin -Name linux.nosuch -Path $small.Path -SymbolPath $small.Symbols -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $ev[0].Exception.Message | Should -BeExactly "unknown plugin 'linux.nosuch'"
    }
}

Describe 'Invoke-MemoryScan' -Skip:$noCorpus {
    BeforeAll {
        function Get-HitKey($h) { "$($h.Space)|$($h.Pid)|$($h.Process)|$($h.Region)|$($h.Offset)|$($h.Physical)|$($h.Rule)|$($h.Component)" }
        function Get-CliKey($r) { "$($r.Space)|$($r.PID)|$($r.Process)|$($r.Region)|$($r.Offset)|$($r.Physical)|$($r.Rule)|$($r.Component)" }
        $marker = 'MEMF_YARA_MARKER_7ae8'
        $rulesFile = Join-Path ([IO.Path]::GetTempPath()) "memscry-pester-$PID.yar"
        Set-Content -LiteralPath $rulesFile -Value "rule marker { strings: `$m = `"$marker`" condition: `$m }"
    }
    AfterAll { Remove-Item -LiteralPath $rulesFile }

    It '-Rule TEXT -Mode <_> finds what memscry.malscan --yara-string finds' -ForEach 'Quick', 'Full' {
        $cli = Invoke-Cli $small.Path $small.Symbols 'memscry.malscan', '--yara-string', $marker, '--mode', $_.ToLower()
        $hits = @(Invoke-MemoryScan -Rule $marker -Mode $_ -Path $small.Path -SymbolPath $small.Symbols)
        $hits.Count | Should -BeGreaterThan 0
        @($hits | ForEach-Object { Get-HitKey $_ }) | Should -Be @($cli | ForEach-Object { Get-CliKey $_ })
        [Text.Encoding]::ASCII.GetString($hits[0].Value) | Should -BeExactly $marker
    }

    It '-RuleFile finds the same as --yara-file' {
        $cli = Invoke-Cli $small.Path $small.Symbols 'memscry.malscan', '--yara-file', $rulesFile
        $d = Get-MemoryDump -Path $small.Path -SymbolPath $small.Symbols
        try { $hits = @($d | Invoke-MemoryScan -RuleFile $rulesFile) } finally { $d.Dispose() }
        @($hits | ForEach-Object { Get-HitKey $_ }) | Should -Be @($cli | ForEach-Object { Get-CliKey $_ })
        $hits[0].Rule | Should -BeExactly 'marker'
    }

    It 'rules that do not compile stop the cmdlet with the line' {
        { Invoke-MemoryScan -Rule 'rule x { strings: $a = "a" condition: $y }' -Path $small.Path -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*line 1*'
    }

    It 'feeds Write-Progress from the library''s progress callback' {
        $ps = [PowerShell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$($Corpus.Module)'; Invoke-MemoryScan -Rule '$marker' -Mode Full -Path '$($small.Path)' -SymbolPath '$($small.Symbols)'")
            $out = $ps.Invoke()
            $ps.Streams.Error.Count | Should -Be 0
            $out.Count | Should -BeGreaterThan 0
            $progress = @($ps.Streams.Progress)
            @($progress | Where-Object { $_.Activity -eq 'Invoke-MemoryScan' -and $_.PercentComplete -ge 0 }).Count | Should -BeGreaterThan 0
            $progress[-1].RecordType | Should -Be 'Completed'
        } finally { $ps.Dispose() }
    }
}
