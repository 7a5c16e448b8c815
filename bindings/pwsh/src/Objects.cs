// Objects.cs - the typed objects the cmdlets return, filled from plugin rows by
// column name (Linux and Windows plugins name the same facts differently).
using System;
using System.Collections.Generic;

namespace MemScry
{
    /// <summary>One process (Linux task / Windows EPROCESS) of a dump's process list.</summary>
    public class MemoryProcess
    {
        /// <summary>Process id (Linux: the thread-group id).</summary>
        public long Pid { get; set; }
        /// <summary>Parent process id.</summary>
        public long Ppid { get; set; }
        /// <summary>Linux: the task's thread id (= Pid for a process); null on Windows.</summary>
        public long? Tid { get; set; }
        /// <summary>Linux COMM / Windows ImageFileName.</summary>
        public string Name { get; set; } = "";
        /// <summary>Virtual address of the task_struct / EPROCESS.</summary>
        public ulong Offset { get; set; }
        /// <summary>Windows: creation time (UTC); null where the plugin has none.</summary>
        public DateTime? CreateTime { get; set; }
        /// <summary>Windows: exit time (UTC) of an exited process.</summary>
        public DateTime? ExitTime { get; set; }
        /// <summary>Windows: thread count.</summary>
        public long? Threads { get; set; }
        /// <summary>Windows: handle count, where readable.</summary>
        public long? Handles { get; set; }
        /// <summary>Windows: session id, where readable.</summary>
        public long? SessionId { get; set; }
        /// <summary>Windows: a 32-bit process on 64-bit Windows.</summary>
        public bool? Wow64 { get; set; }
        /// <summary>The command line: windows.pstree's Cmd; with Get-MemoryProcess
        /// -IncludeCommandLine, linux.psaux's ARGS or windows.cmdline's Args, as Volatility words them.</summary>
        public string? CommandLine { get; set; }
        /// <summary>Windows: the image path (windows.pstree's Path).</summary>
        public string? ImagePath { get; set; }
        /// <summary>The dump the process was read from.</summary>
        public string DumpPath { get; set; } = "";

        // Column-name → setter: one table for both OSes' plugins.
        private static readonly Dictionary<string, Action<MemoryProcess, CellRef>> Setters = new(StringComparer.Ordinal)
        {
            ["PID"] = (p, c) => p.Pid = c.Int ?? 0,
            ["PPID"] = (p, c) => p.Ppid = c.Int ?? 0,
            ["TID"] = (p, c) => p.Tid = c.Int,
            ["COMM"] = (p, c) => p.Name = c.Str ?? "",
            ["ImageFileName"] = (p, c) => p.Name = c.Str ?? "",
            ["OFFSET (V)"] = (p, c) => p.Offset = c.UInt ?? 0,
            ["Offset(V)"] = (p, c) => p.Offset = c.UInt ?? 0,
            ["CreateTime"] = (p, c) => p.CreateTime = c.Time,
            ["ExitTime"] = (p, c) => p.ExitTime = c.Time,
            ["Threads"] = (p, c) => p.Threads = c.Int,
            ["Handles"] = (p, c) => p.Handles = c.Int,
            ["SessionId"] = (p, c) => p.SessionId = c.Int,
            ["Wow64"] = (p, c) => p.Wow64 = c.Bool,
            ["Cmd"] = (p, c) => p.CommandLine = c.Str,
            ["Path"] = (p, c) => p.ImagePath = c.Str,
        };

        /// <summary>Fills a process from row i of r: the setters of t's columns,
        /// looked up once per result.</summary>
        internal static Action<MemoryProcess, nuint> Filler(Table t, ResultHandle r, string dumpPath)
        {
            var cols = new List<(nuint Col, ScryColType Type, Action<MemoryProcess, CellRef> Set)>();
            for (int c = 0; c < t.Columns.Length; c++)
                if (Setters.TryGetValue(t.Columns[c], out var set))
                    cols.Add(((nuint)c, t.Types[c], set));
            var all = cols.ToArray();
            return (p, row) =>
            {
                foreach (var (col, type, set) in all)
                    set(p, new CellRef(r, row, col, type));
                p.DumpPath = dumpPath;
            };
        }

        /// <summary>A map for Table.Run: one process per row.</summary>
        internal static Func<Table, ResultHandle, List<object>> FromResult(string dumpPath) => (t, r) =>
        {
            var fill = Filler(t, r, dumpPath);
            var list = new List<object>(t.Depths.Count);
            for (int i = 0; i < t.Depths.Count; i++)
            {
                var p = new MemoryProcess();
                fill(p, (nuint)i);
                list.Add(p);
            }
            return list;
        };
    }

    /// <summary>A process in the parent/child tree: its depth and its children.</summary>
    public sealed class MemoryProcessTreeNode : MemoryProcess
    {
        /// <summary>0 for a root; a child is one deeper than its parent.</summary>
        public int Depth { get; set; }
        /// <summary>The node's children, in the plugin's order.</summary>
        public List<MemoryProcessTreeNode> Children { get; } = new();

        /// <summary>A map for Table.Run: every node, depth first (the plugin's
        /// order), each with its children linked.</summary>
        internal static new Func<Table, ResultHandle, List<object>> FromResult(string dumpPath) => (t, r) =>
        {
            var fill = Filler(t, r, dumpPath);
            var list = new List<object>(t.Depths.Count);
            var path = new List<MemoryProcessTreeNode>(); // the open ancestors, by depth
            for (int i = 0; i < t.Depths.Count; i++)
            {
                var n = new MemoryProcessTreeNode { Depth = t.Depths[i] };
                fill(n, (nuint)i);
                // Rows are depth first: the parent is the last node one level up.
                int d = Math.Min(Math.Max(n.Depth, 0), path.Count);
                if (d > 0)
                    path[d - 1].Children.Add(n);
                path.RemoveRange(d, path.Count - d);
                path.Add(n);
                list.Add(n);
            }
            return list;
        };
    }

    /// <summary>One anomaly memscry.proctree found in a process tree.</summary>
    public sealed class ProcessTreeFinding
    {
        /// <summary>The rule that fired (its name in the plugin's Rule column).</summary>
        public string Rule { get; set; } = "";
        /// <summary>High, Medium or Low.</summary>
        public string Severity { get; set; } = "";
        public long Pid { get; set; }
        public long Ppid { get; set; }
        /// <summary>The process's name.</summary>
        public string Process { get; set; } = "";
        /// <summary>Virtual address of the process's task_struct / EPROCESS.</summary>
        public ulong Offset { get; set; }
        /// <summary>Why the rule fired, in words.</summary>
        public string Explanation { get; set; } = "";
        public string DumpPath { get; set; } = "";

        internal static List<object> FromTable(Table t, string dumpPath)
        {
            int rule = t.Find("Rule"), sev = t.Find("Severity"), pid = t.Find("PID"), ppid = t.Find("PPID"),
                proc = t.Find("Process"), off = t.Find("Offset(V)"), why = t.Find("Explanation");
            var list = new List<object>(t.Rows.Count);
            foreach (object?[] r in t.Rows)
                list.Add(new ProcessTreeFinding
                {
                    Rule = At<string>(r, rule) ?? "",
                    Severity = At<string>(r, sev) ?? "",
                    Pid = r.ElementAtOrNull(pid) is long p ? p : 0,
                    Ppid = r.ElementAtOrNull(ppid) is long pp ? pp : 0,
                    Process = At<string>(r, proc) ?? "",
                    Offset = r.ElementAtOrNull(off) is ulong o ? o : 0,
                    Explanation = At<string>(r, why) ?? "",
                    DumpPath = dumpPath,
                });
            return list;
        }

        private static T? At<T>(object?[] row, int i) where T : class => i >= 0 ? row[i] as T : null;
    }

    /// <summary>One YARA hit of Invoke-MemoryScan (memscry.malscan's row).</summary>
    public sealed class MemoryScanHit
    {
        /// <summary>process, kernel or physical.</summary>
        public string? Space { get; set; }
        public long? Pid { get; set; }
        public string? Process { get; set; }
        /// <summary>The region's name ([heap], a file, Anonymous Mapping, a module).</summary>
        public string? Region { get; set; }
        public ulong? Start { get; set; }
        public ulong? End { get; set; }
        public string? Protection { get; set; }
        /// <summary>Virtual address of the hit.</summary>
        public ulong? Offset { get; set; }
        /// <summary>Physical address of the hit.</summary>
        public ulong? Physical { get; set; }
        public string? Rule { get; set; }
        /// <summary>The rule's string that matched ($a).</summary>
        public string? Component { get; set; }
        /// <summary>The matched bytes.</summary>
        public byte[]? Value { get; set; }
        public string DumpPath { get; set; } = "";

        internal static List<object> FromTable(Table t, string dumpPath)
        {
            int[] ix = new int[12];
            string[] names = { "Space", "PID", "Process", "Region", "Start", "End", "Protection", "Offset", "Physical", "Rule", "Component", "Value" };
            for (int i = 0; i < names.Length; i++)
                ix[i] = t.Find(names[i]);
            var list = new List<object>(t.Rows.Count);
            foreach (object?[] r in t.Rows)
                list.Add(new MemoryScanHit
                {
                    Space = r.ElementAtOrNull(ix[0]) as string,
                    Pid = r.ElementAtOrNull(ix[1]) as long?,
                    Process = r.ElementAtOrNull(ix[2]) as string,
                    Region = r.ElementAtOrNull(ix[3]) as string,
                    Start = r.ElementAtOrNull(ix[4]) as ulong?,
                    End = r.ElementAtOrNull(ix[5]) as ulong?,
                    Protection = r.ElementAtOrNull(ix[6]) as string,
                    Offset = r.ElementAtOrNull(ix[7]) as ulong?,
                    Physical = r.ElementAtOrNull(ix[8]) as ulong?,
                    Rule = r.ElementAtOrNull(ix[9]) as string,
                    Component = r.ElementAtOrNull(ix[10]) as string,
                    Value = r.ElementAtOrNull(ix[11]) as byte[],
                    DumpPath = dumpPath,
                });
            return list;
        }
    }

    internal static class RowExtensions
    {
        internal static object? ElementAtOrNull(this object?[] row, int i) => i >= 0 && i < row.Length ? row[i] : null;
    }
}
