// RoundTrip.cs - ns per call of Native.scry_version(), the module's own
// source-generated stub (the resolver loads libmemscry.so from beside
// MemScry.dll, as in pwsh). Prints the median of RUNS rounds of N calls.
using System;
using System.Diagnostics;
using MemScry;

static class RoundTrip
{
    static int Main(string[] args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0]) : 11;
        const int n = 10_000_000;
        if (Native.Str(Native.scry_version()) is not string v || v.Length == 0)
            return 1;
        nint sink = 0;
        for (int i = 0; i < n / 10; i++) // warm: tiered JIT settles on the final code
            sink ^= Native.scry_version();
        var ns = new double[rounds];
        for (int r = 0; r < rounds; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < n; i++)
                sink ^= Native.scry_version();
            ns[r] = Stopwatch.GetElapsedTime(t0).TotalNanoseconds / n;
        }
        Array.Sort(ns);
        Console.WriteLine($"scry_version {v}: {ns[rounds / 2]:F2} ns per call (median of {rounds} x {n:N0} calls; min {ns[0]:F2}, max {ns[^1]:F2}) [{sink & 0}]");
        return 0;
    }
}
