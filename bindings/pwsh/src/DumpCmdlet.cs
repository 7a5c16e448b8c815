// DumpCmdlet.cs - what every cmdlet over dumps shares: dumps from the pipeline
// or paths, one failure per bad dump as an ErrorRecord, -Parallel on the
// pipeline thread and the module's worker threads (costliest dump first), output
// written only from the pipeline thread (in input order, so a parallel run
// prints what a sequential one does), Write-Progress from the library's
// progress callback, Ctrl+C as cancellation.
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Management.Automation;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace MemScry
{
    /// <summary>A dump to work on: one the caller opened, or a path to open and close here.</summary>
    internal sealed class DumpTarget
    {
        internal MemoryDump? Dump;
        internal string? Path;
        internal string[] SymbolPath = Array.Empty<string>();
        internal object Id => (object?)Dump ?? Path ?? "";
        internal string Name => Dump?.Path ?? Path ?? "";
    }

    /// <summary>A dump -Parallel opened ahead (file and format only) to rank it by its
    /// work estimate, or the error opening it gave.</summary>
    internal sealed class OpenedAhead
    {
        internal int Index;
        internal DumpHandle? Handle;
        internal Exception? Error;
        internal ulong Estimate;
    }

    /// <summary>What one dump gave: objects or an error, and the run's warnings.</summary>
    internal sealed class Outcome
    {
        internal List<object>? Output;
        internal ErrorRecord? Error;
        internal List<string> Warnings = new();
    }

    /// <summary>The -Parallel engine and progress plumbing.</summary>
    public abstract class ParallelDumpCmdlet : PSCmdlet
    {
        /// <summary>Process the dumps on threads of the cmdlet (up to -ThrottleLimit at once).</summary>
        [Parameter]
        public SwitchParameter Parallel { get; set; }

        /// <summary>The most dumps -Parallel processes at once (default: the processor
        /// count); never more threads than processors run them (see EndProcessing).</summary>
        [Parameter]
        [ValidateRange(1, 1024)]
        public int ThrottleLimit { get; set; } = Environment.ProcessorCount;

        private readonly List<DumpTarget> pending = new();
        private readonly CancellationTokenSource cancel = new();
        private readonly Stopwatch sinceProgress = Stopwatch.StartNew();

        /// <summary>The progress activity's name.</summary>
        protected virtual string Activity => MyInvocation.MyCommand.Name;

        /// <summary>The work on one opened dump: the objects it writes. Runs on a
        /// worker thread under -Parallel: no Write* calls here.</summary>
        internal abstract List<object> Work(MemoryDump dump, ProgressSink progress, Outcome outcome);

        /// <summary>Whether a dump this cmdlet opened from a path stays open (Get-MemoryDump).</summary>
        internal virtual bool KeepsOpenedDumps => false;

        /// <summary>Queues (under -Parallel) or processes one dump.</summary>
        internal void Submit(DumpTarget t)
        {
            if (Parallel)
            {
                pending.Add(t);
                return;
            }
            using var sink = new ProgressSink(cancel.Token, s => ReportOne(t, s));
            Emit(t, Execute(t, sink));
            WriteProgress(new ProgressRecord(0, Activity, "done") { RecordType = ProgressRecordType.Completed });
        }

        /// <summary>A full file-system path for a PowerShell path (relative to the
        /// current location, not the process's directory).</summary>
        internal string FullPath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

        internal string[] SymbolDirs(string[]? symbolPath)
        {
            string[] dirs = Contexts.Resolve(symbolPath);
            var full = new string[dirs.Length];
            for (int i = 0; i < dirs.Length; i++)
                full[i] = FullPath(dirs[i]);
            return full;
        }

        private Outcome Execute(DumpTarget t, ProgressSink sink, OpenedAhead? ahead = null)
        {
            var o = new Outcome();
            MemoryDump? opened = null;
            DumpHandle? handle = ahead?.Handle;
            try
            {
                if (ahead?.Error != null)
                    ExceptionDispatchInfo.Throw(ahead.Error);
                cancel.Token.ThrowIfCancellationRequested();
                MemoryDump dump;
                if (t.Dump != null)
                    dump = t.Dump;
                else if (handle != null)
                {
                    DumpHandle h = handle;
                    handle = null; // Open owns it from here, also when it throws
                    dump = opened = MemoryDump.Open(h, t.Path!, t.SymbolPath);
                }
                else
                    dump = opened = MemoryDump.Open(t.Path!, t.SymbolPath);
                if (dump.IsClosed)
                    throw new ObjectDisposedException(nameof(MemoryDump), $"the dump {dump.Path} was closed");
                o.Output = Work(dump, sink, o);
                if (KeepsOpenedDumps)
                    opened = null;
            }
            catch (Exception e)
            {
                o.Error = Errors.Record(e, MyInvocation.MyCommand.Name, t.Id);
                o.Output = null;
            }
            finally
            {
                opened?.Dispose();
                handle?.Dispose();
            }
            return o;
        }

        /// <summary>Opens dump i's file ahead of its run (a dump already opened needs
        /// nothing): its estimate, or the error to report when its turn comes.</summary>
        private OpenedAhead OpenAhead(int i)
        {
            DumpTarget t = pending[i];
            var a = new OpenedAhead { Index = i };
            try
            {
                if (t.Dump != null)
                    a.Estimate = t.Dump.WorkEstimate;
                else
                {
                    a.Handle = MemoryDump.OpenFile(t.Path!, t.SymbolPath);
                    a.Estimate = Native.scry_dump_work_estimate(a.Handle);
                }
            }
            catch (Exception e)
            {
                a.Error = e;
            }
            return a;
        }

        private void Emit(DumpTarget t, Outcome o)
        {
            foreach (string w in o.Warnings)
                WriteWarning($"{t.Name}: {w}");
            if (o.Error != null)
                WriteError(o.Error);
            else if (o.Output != null)
                foreach (object x in o.Output)
                    WriteObject(x);
        }

        // Sequential runs: called from inside the library on the pipeline thread.
        private void ReportOne(DumpTarget t, ProgressSink s)
        {
            if (sinceProgress.ElapsedMilliseconds < 100 && s.Done < s.Total)
                return;
            sinceProgress.Restart();
            var r = new ProgressRecord(0, Activity, t.Name) { PercentComplete = s.Percent };
            WriteProgress(r);
        }

        /// <summary>Under -Parallel, the queued dumps are processed here.</summary>
        protected override void EndProcessing()
        {
            if (!Parallel || pending.Count == 0)
                return;
            int n = pending.Count;
            var outcomes = new Outcome?[n];
            var sinks = new ProgressSink[n];
            int emitted = 0, completed = 0;
            // Progress of the whole run: dumps done plus the running ones'
            // fractions. Written from the pipeline thread only: between its
            // own dumps, and from the library's callback while it runs one.
            void Report()
            {
                double share = completed;
                for (int i = emitted; i < n; i++)
                    if (sinks[i].Percent > 0 && outcomes[i] == null)
                        share += Math.Min(0.99, sinks[i].Percent / 100.0);
                sinceProgress.Restart();
                WriteProgress(new ProgressRecord(0, Activity, $"{completed} of {n} dumps")
                { PercentComplete = (int)Math.Min(100, share * 100 / n) });
            }
            for (int i = 0; i < n; i++)
                sinks[i] = new ProgressSink(cancel.Token, _ =>
                {
                    if (sinceProgress.ElapsedMilliseconds >= 100)
                        Report();
                });
            var finished = new BlockingCollection<int>();
            // Never more workers than processors: the analysis is CPU-bound
            // (a dump's pages are read once, then decoded and walked), and
            // threads beyond the cores only take turns on them. On 2 cores,
            // eight corpus dumps took 17.5 ms with 4 workers and 13.9 ms with
            // 2 (sequential: 26 ms): sharing a core, the costliest dump,
            // started first, ran at half speed and finished last, alone.
            int workers = Math.Min(Math.Min(ThrottleLimit, Environment.ProcessorCount), n);
            // The pipeline thread is one of them: it is running already, where
            // a blocked worker thread has to be woken first (on 2 cores the
            // second worker started 0-4.7 ms after the first).
            int helpers = workers - 1;
            int running = helpers; // decremented by the helper threads as they finish
            // Longest first: workers open dumps ahead (file and format only),
            // up to two per worker and at least 32 (as scry_batch_run), and
            // run the one with the largest scry_dump_work_estimate. In list
            // order, the costliest of the benchmark's eight (dev-1k.kdump)
            // came last and ran alone; with only 2 per worker open at
            // -ThrottleLimit 2 it still started after the four small dumps.
            var gate = new object();
            var ready = new List<OpenedAhead>();
            int nextOpen = 0, lookahead = Math.Max(2 * workers, 32);
            OpenedAhead? Take()
            {
                for (;;)
                {
                    int j;
                    lock (gate)
                    {
                        if (cancel.IsCancellationRequested)
                            return null;
                        if (nextOpen < n && ready.Count < lookahead)
                            j = nextOpen++;
                        else if (ready.Count > 0)
                        {
                            int best = 0;
                            for (int k = 1; k < ready.Count; k++)
                                if (ready[k].Estimate > ready[best].Estimate ||
                                    (ready[k].Estimate == ready[best].Estimate && ready[k].Index < ready[best].Index))
                                    best = k;
                            OpenedAhead a = ready[best];
                            ready.RemoveAt(best);
                            return a;
                        }
                        else
                            return null; // the rest are being opened or run by others
                    }
                    OpenedAhead opened = OpenAhead(j);
                    lock (gate)
                        ready.Add(opened);
                }
            }
            var allDone = new ManualResetEventSlim(helpers == 0);
            void Help()
            {
                try
                {
                    OpenedAhead? a;
                    while ((a = Take()) != null)
                    {
                        outcomes[a.Index] = Execute(pending[a.Index], sinks[a.Index], a);
                        finished.Add(a.Index);
                    }
                }
                finally
                {
                    if (Interlocked.Decrement(ref running) == 0)
                    {
                        finished.CompleteAdding();
                        allDone.Set();
                    }
                }
            }
            if (helpers == 0)
                finished.CompleteAdding();
            else
                Workers.Run(Help, helpers);
            void EmitReady()
            {
                while (emitted < n && outcomes[emitted] != null)
                {
                    Emit(pending[emitted], outcomes[emitted]!);
                    outcomes[emitted] = null; // let it go once written
                    emitted++;
                }
            }
            try
            {
                // The pipeline thread's own dumps; objects only between them,
                // never from inside the library's callback.
                OpenedAhead? mine;
                while ((mine = Take()) != null)
                {
                    outcomes[mine.Index] = Execute(pending[mine.Index], sinks[mine.Index], mine);
                    completed++;
                    while (finished.TryTake(out _))
                        completed++;
                    EmitReady();
                    Report();
                }
                while (!finished.IsCompleted)
                {
                    if (finished.TryTake(out _, 100))
                        completed++;
                    EmitReady();
                    Report();
                }
                EmitReady();
                WriteProgress(new ProgressRecord(0, Activity, "done") { RecordType = ProgressRecordType.Completed });
            }
            finally
            {
                cancel.Cancel(); // no-op when all went well; stops the workers when the pipeline stopped
                allDone.Wait();
                allDone.Dispose();
                foreach (OpenedAhead a in ready) // opened, never run: cancelled
                    a.Handle?.Dispose();
                foreach (ProgressSink s in sinks)
                    s.Dispose();
                pending.Clear();
            }
        }

        /// <summary>Ctrl+C: runs under way stop through their progress callback.</summary>
        protected override void StopProcessing() => cancel.Cancel();
    }

    /// <summary>Cmdlets that read opened dumps from the pipeline, or open paths themselves.</summary>
    public abstract class DumpInputCmdlet : ParallelDumpCmdlet
    {
        /// <summary>Dumps opened by Get-MemoryDump (left open).</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = "Dump")]
        [Alias("InputObject")]
        public MemoryDump[] Dump { get; set; } = Array.Empty<MemoryDump>();

        /// <summary>Dump files to open, process and close (Get-ChildItem output binds by FullName).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true,
                   ParameterSetName = "Path")]
        [Alias("FullName")]
        public string[] Path { get; set; } = Array.Empty<string>();

        /// <summary>Directories of ISF symbol tables (default: $env:MEMSCRY_SYMBOLS, ';'-separated).</summary>
        [Parameter(ParameterSetName = "Path")]
        public string[]? SymbolPath { get; set; }

        private string[]? symbolDirs;

        protected override void ProcessRecord()
        {
            if (ParameterSetName == "Dump")
            {
                foreach (MemoryDump d in Dump)
                    Submit(new DumpTarget { Dump = d });
                return;
            }
            symbolDirs ??= SymbolDirs(SymbolPath);
            foreach (string p in Path)
                Submit(new DumpTarget { Path = FullPath(p), SymbolPath = symbolDirs });
        }

        /// <summary>Runs plugin (chosen per OS by the caller) with its progress;
        /// map as for Table.Run.</summary>
        internal static Table RunPlugin(MemoryDump dump, string plugin, string[] argv, ProgressSink progress, Outcome o,
                                        Func<Table, ResultHandle, List<object>>? map = null)
        {
            Table t = Table.Run(dump, plugin, argv, progress, map);
            o.Warnings.AddRange(t.Warnings);
            return t;
        }
    }
}
