# TestProcessTree.Tests.ps1 - Test-ProcessTree presents memscry.proctree's rows
# (issue 17's checks, implemented in the C plugin) as typed findings: the same
# rows, in order, as `memscry -r json memscry.proctree` on every corpus dump.
BeforeDiscovery {
    . "$PSScriptRoot/Corpus.ps1"
    $noCorpus = -not $Corpus.Present
}

BeforeAll {
    . "$PSScriptRoot/Corpus.ps1"
    Import-Module $Corpus.Module -Force
}

Describe 'Test-ProcessTree on <Name>' -Skip:$noCorpus -ForEach $Corpus.All {
    It 'returns memscry.proctree''s findings as typed objects' {
        $cli = Invoke-Cli $Path $Symbols 'memscry.proctree'
        $found = @(Test-ProcessTree -Path $Path -SymbolPath $Symbols)
        $found.Count | Should -Be $cli.Count
        for ($i = 0; $i -lt $cli.Count; $i++) {
            $f = $found[$i]; $c = $cli[$i]
            $f | Should -BeOfType MemScry.ProcessTreeFinding
            $f.Rule | Should -BeExactly $c.Rule
            $f.Severity | Should -BeExactly $c.Severity
            $f.Severity | Should -BeIn 'High', 'Medium', 'Low'
            $f.Pid | Should -Be $c.PID
            $f.Ppid | Should -Be $c.PPID
            $f.Process | Should -BeExactly $c.Process
            $f.Offset | Should -Be ([uint64]$c.'Offset(V)')
            $f.Explanation | Should -BeExactly $c.Explanation
            $f.DumpPath | Should -Be $Path
        }
        $high = @($cli | Where-Object Severity -EQ 'High').Count
        @(Test-ProcessTree -Path $Path -SymbolPath $Symbols -MinimumSeverity High).Count | Should -Be $high
    }
}
