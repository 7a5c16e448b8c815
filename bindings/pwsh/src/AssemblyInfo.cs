// AssemblyInfo.cs - bench/pwsh/RoundTrip.cs times the internal P/Invoke stubs themselves.
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("MemScryBench")]
