// Cmdlets.cs - the module's cmdlets: each says which plugin answers it and how
// the rows become objects; DumpCmdlet.cs does the rest.
using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Text;
using System.Text.RegularExpressions;

namespace MemScry
{
    /// <summary>Get-MemoryDump: opens dumps; the objects own the native handles.</summary>
    [Cmdlet(VerbsCommon.Get, "MemoryDump")]
    [OutputType(typeof(MemoryDump))]
    public sealed class GetMemoryDumpCommand : ParallelDumpCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName")]
        public string[] Path { get; set; } = Array.Empty<string>();

        [Parameter]
        public string[]? SymbolPath { get; set; }

        private string[]? symbolDirs;

        internal override bool KeepsOpenedDumps => true;

        protected override void ProcessRecord()
        {
            symbolDirs ??= SymbolDirs(SymbolPath);
            foreach (string p in Path)
                Submit(new DumpTarget { Path = FullPath(p), SymbolPath = symbolDirs });
        }

        internal override List<object> Work(MemoryDump dump, ProgressSink progress, Outcome o)
        {
            if (dump.DetectionError != null)
                o.Warnings.Add("no operating system detected: " + dump.DetectionError);
            return new List<object> { dump };
        }
    }

    /// <summary>Close-MemoryDump: releases dumps opened by Get-MemoryDump.</summary>
    [Cmdlet(VerbsCommon.Close, "MemoryDump")]
    public sealed class CloseMemoryDumpCommand : PSCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [Alias("InputObject")]
        public MemoryDump[] Dump { get; set; } = Array.Empty<MemoryDump>();

        protected override void ProcessRecord()
        {
            foreach (MemoryDump d in Dump)
                d.Dispose();
        }
    }

    /// <summary>Get-MemoryProcess: the process list (linux.pslist / windows.pslist).</summary>
    [Cmdlet(VerbsCommon.Get, "MemoryProcess", DefaultParameterSetName = "Dump")]
    [OutputType(typeof(MemoryProcess))]
    public sealed class GetMemoryProcessCommand : DumpInputCmdlet
    {
        /// <summary>Also fill CommandLine (linux.psaux's ARGS / windows.cmdline's Args):
        /// a second plugin run that reads every process's memory, so not by default.</summary>
        [Parameter]
        public SwitchParameter IncludeCommandLine { get; set; }

        internal override List<object> Work(MemoryDump dump, ProgressSink progress, Outcome o)
        {
            bool windows = dump.OS == "windows";
            string plugin = windows ? "windows.pslist.PsList" : "linux.pslist.PsList";
            List<object> procs = RunPlugin(dump, plugin, Array.Empty<string>(), progress, o,
                                           MemoryProcess.FromResult(dump.Path)).Objects!;
            if (!IncludeCommandLine)
                return procs;
            progress.Reset();
            Table args = RunPlugin(dump, windows ? "windows.cmdline.CmdLine" : "linux.psaux.PsAux",
                                   Array.Empty<string>(), progress, o);
            int pid = args.Find("PID"), text = args.Find("ARGS", "Args");
            var byPid = new Dictionary<long, string>();
            foreach (object?[] row in args.Rows)
                if (row.ElementAtOrNull(pid) is long p && row.ElementAtOrNull(text) is string a)
                    byPid.TryAdd(p, a);
            foreach (MemoryProcess p in procs)
                p.CommandLine = byPid.TryGetValue(p.Pid, out string? a) ? a : null;
            return procs;
        }
    }

    /// <summary>Get-MemoryProcessTree: processes with their children (linux.pstree / windows.pstree).</summary>
    [Cmdlet(VerbsCommon.Get, "MemoryProcessTree", DefaultParameterSetName = "Dump")]
    [OutputType(typeof(MemoryProcessTreeNode))]
    public sealed class GetMemoryProcessTreeCommand : DumpInputCmdlet
    {
        /// <summary>Only the roots (their descendants stay reachable through Children).</summary>
        [Parameter]
        public SwitchParameter RootOnly { get; set; }

        internal override List<object> Work(MemoryDump dump, ProgressSink progress, Outcome o)
        {
            string plugin = dump.OS == "windows" ? "windows.pstree.PsTree" : "linux.pstree.PsTree";
            List<object> nodes = RunPlugin(dump, plugin, Array.Empty<string>(), progress, o,
                                           MemoryProcessTreeNode.FromResult(dump.Path)).Objects!;
            if (RootOnly)
                nodes.RemoveAll(n => ((MemoryProcessTreeNode)n).Depth != 0);
            return nodes;
        }
    }

    /// <summary>Test-ProcessTree: anomalies memscry.proctree finds in the process tree.</summary>
    [Cmdlet(VerbsDiagnostic.Test, "ProcessTree", DefaultParameterSetName = "Dump")]
    [OutputType(typeof(ProcessTreeFinding))]
    public sealed class TestProcessTreeCommand : DumpInputCmdlet
    {
        /// <summary>Only findings of at least this severity.</summary>
        [Parameter]
        [ValidateSet("Low", "Medium", "High")]
        public string? MinimumSeverity { get; set; }

        private static int Rank(string s) => s switch { "High" => 3, "Medium" => 2, "Low" => 1, _ => 0 };

        internal override List<object> Work(MemoryDump dump, ProgressSink progress, Outcome o)
        {
            List<object> found = ProcessTreeFinding.FromTable(
                RunPlugin(dump, "memscry.proctree.ProcTreeCheck", Array.Empty<string>(), progress, o), dump.Path);
            if (MinimumSeverity != null)
                found.RemoveAll(f => Rank(((ProcessTreeFinding)f).Severity) < Rank(MinimumSeverity));
            return found;
        }
    }

    /// <summary>Invoke-MemoryScan: YARA rules over dumps (memscry.malscan), compiled once.</summary>
    [Cmdlet(VerbsLifecycle.Invoke, "MemoryScan", DefaultParameterSetName = "Dump")]
    [OutputType(typeof(MemoryScanHit))]
    public sealed class InvokeMemoryScanCommand : DumpInputCmdlet
    {
        /// <summary>YARA rule source; a text that holds no rule is searched for as a
        /// string (rule r1, string $a), as Volatility's --yara-string does.</summary>
        [Parameter]
        public string? Rule { get; set; }

        /// <summary>A file of YARA rules, source or compiled by yarac.</summary>
        [Parameter]
        public string? RuleFile { get; set; }

        /// <summary>Quick: executable and anonymous writable regions of processes and
        /// kernel modules; Full: every mapped page and all of physical memory.</summary>
        [Parameter]
        public ScanMode Mode { get; set; } = ScanMode.Quick;

        private RulesHandle? rules;

        private static readonly Regex RuleSource = new(@"\brule\s+\w+[^{]*\{", RegexOptions.Singleline);

        /// <summary>Volatility's --yara-string rule for a plain text.</summary>
        internal static string StringRule(string text)
        {
            var sb = new StringBuilder("rule r1 { strings: $a = \"");
            foreach (char c in text)
                sb.Append(c switch { '"' => "\\\"", '\\' => "\\\\", '\n' => "\\n", '\t' => "\\t", _ => c.ToString() });
            return sb.Append("\" condition: $a }").ToString();
        }

        protected override void BeginProcessing()
        {
            if ((Rule == null) == (RuleFile == null))
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("give one of -Rule or -RuleFile"),
                    "MemScry.RuleMissing", ErrorCategory.InvalidArgument, null));
            try
            {
                if (Rule != null)
                {
                    string source = RuleSource.IsMatch(Rule) ? Rule : StringRule(Rule);
                    Native.Check(Native.scry_rules_compile(source, out rules));
                }
                else
                {
                    string path = FullPath(RuleFile!);
                    if (!File.Exists(path))
                        throw new FileNotFoundException($"no such file: {path}", path);
                    Native.Check(Native.scry_rules_load(path, out rules));
                }
            }
            catch (Exception e)
            {
                ThrowTerminatingError(Errors.Record(e, "Invoke-MemoryScan", (object?)Rule ?? RuleFile));
            }
        }

        internal override List<object> Work(MemoryDump dump, ProgressSink progress, Outcome o)
        {
            Table t = Table.Scan(dump, rules!, (int)Mode, progress);
            o.Warnings.AddRange(t.Warnings);
            return MemoryScanHit.FromTable(t, dump.Path);
        }

        protected override void EndProcessing()
        {
            try { base.EndProcessing(); }
            finally { rules?.Dispose(); }
        }
    }

    /// <summary>The two scan modes of Invoke-MemoryScan.</summary>
    public enum ScanMode
    {
        Quick = 0,
        Full = 1,
    }

    /// <summary>Invoke-MemoryPlugin: any plugin; rows as objects named by Volatility's columns.</summary>
    [Cmdlet(VerbsLifecycle.Invoke, "MemoryPlugin", DefaultParameterSetName = "Dump")]
    [OutputType(typeof(PSObject))]
    public sealed class InvokeMemoryPluginCommand : DumpInputCmdlet
    {
        /// <summary>The plugin's full name (linux.lsmod.Lsmod) or alias (linux.lsmod).</summary>
        [Parameter(Mandatory = true)]
        [Alias("Plugin")]
        public string Name { get; set; } = "";

        /// <summary>The plugin's options as the command line spells them: '--pid', '1'.</summary>
        [Parameter]
        [Alias("Args")]
        public string[] ArgumentList { get; set; } = Array.Empty<string>();

        internal override List<object> Work(MemoryDump dump, ProgressSink progress, Outcome o)
        {
            Table t = RunPlugin(dump, Name, ArgumentList, progress, o);
            var rows = new List<object>(t.Rows.Count);
            for (int i = 0; i < t.Rows.Count; i++)
                rows.Add(t.ToPSObject(i, Name, dump.Path));
            return rows;
        }
    }
}
