// Table.cs - a plugin result copied into managed memory (the native result is
// freed before anything reaches the pipeline): column names and types, rows of
// typed cells, tree depths and the run's warnings.
using System;
using System.Collections.Generic;
using System.Management.Automation;

namespace MemScry
{
    internal sealed class Table
    {
        internal string[] Columns = Array.Empty<string>();
        internal ScryColType[] Types = Array.Empty<ScryColType>();
        internal readonly List<object?[]> Rows = new();
        internal readonly List<int> Depths = new();
        internal readonly List<string> Warnings = new();
        /// <summary>What a map given to Run made of the rows (Rows is empty then).</summary>
        internal List<object>? Objects;

        /// <summary>The index of the first of these column names present, else -1.</summary>
        internal int Find(params string[] names)
        {
            foreach (string n in names)
            {
                int i = Array.IndexOf(Columns, n);
                if (i >= 0)
                    return i;
            }
            return -1;
        }

        /// <summary>Runs plugin name with argv on the dump's session. With map, the
        /// rows become objects straight from the native result (Objects), their
        /// cells read through CellRef, and Rows stays empty: the rows of boxed
        /// cells were a third of what Get-MemoryProcess allocated (dev-1k's 1,100
        /// processes: 0.73 MB with them, 0.49 without), and under -Parallel every
        /// collection stops every worker.</summary>
        internal static Table Run(MemoryDump dump, string name, string[] argv, ProgressSink progress,
                                  Func<Table, ResultHandle, List<object>>? map = null)
        {
            using RunCtxHandle run = progress.NewRunContext();
            Native.Check(Native.scry_plugin_run(dump.Session, name, argv.Length, argv, run, out ResultHandle result));
            using (result)
            {
                Table t = From(result, map == null);
                if (map != null)
                    t.Objects = map(t, result);
                return t;
            }
        }

        /// <summary>YARA rules over the dump in mode 0 (quick) or 1 (full).</summary>
        internal static Table Scan(MemoryDump dump, RulesHandle rules, int mode, ProgressSink progress)
        {
            using RunCtxHandle run = progress.NewRunContext();
            Native.Check(Native.scry_malscan(dump.Session, rules, mode, run, out ResultHandle result));
            using (result)
                return From(result);
        }

        internal static Table From(ResultHandle r, bool cells = true)
        {
            var t = new Table();
            int ncols = checked((int)Native.scry_result_column_count(r));
            t.Columns = new string[ncols];
            t.Types = new ScryColType[ncols];
            for (int c = 0; c < ncols; c++)
            {
                t.Columns[c] = Native.Str(Native.scry_result_column_name(r, (nuint)c)) ?? "";
                t.Types[c] = Native.scry_result_column_type(r, (nuint)c);
            }
            nuint nrows = Native.scry_result_row_count(r);
            for (nuint row = 0; row < nrows; row++)
            {
                if (cells)
                {
                    var values = new object?[ncols];
                    for (int c = 0; c < ncols; c++)
                        values[c] = Cell(r, row, (nuint)c, t.Types[c]);
                    t.Rows.Add(values);
                }
                t.Depths.Add(Native.scry_result_row_depth(r, row));
            }
            nuint ndiag = Native.scry_result_diag_count(r);
            for (nuint i = 0; i < ndiag; i++)
                if (Native.scry_result_diag(r, i, out int level, out _, out nint msg) == ScryStatus.Ok && level == 1)
                    t.Warnings.Add(Native.Str(msg) ?? "");
            return t;
        }

        // An absent cell (unreadable, N/A, ...) is null, as Volatility's JSON has it.
        private static object? Cell(ResultHandle r, nuint row, nuint col, ScryColType type)
        {
            var c = new CellRef(r, row, col, type);
            switch (type)
            {
                case ScryColType.Int:
                    return c.Int;
                case ScryColType.Bool:
                    return c.Bool;
                case ScryColType.Hex:
                case ScryColType.Hex128:
                    return c.UInt;
                case ScryColType.DateTime:
                    return c.Time;
                case ScryColType.Bytes:
                    return c.Bytes;
                default: // Str, HexBytes, Disasm
                    return c.Str;
            }
        }

        /// <summary>Row i as a PSObject whose properties are the plugin's column
        /// names, after TreeDepth (as Volatility's csv renderer writes them).</summary>
        internal PSObject ToPSObject(int i, string plugin, string dumpPath)
        {
            var o = new PSObject();
            o.TypeNames.Insert(0, "MemScry.PluginRow");
            o.TypeNames.Insert(0, "MemScry.PluginRow#" + plugin);
            o.Properties.Add(new PSNoteProperty("TreeDepth", Depths[i]));
            object?[] row = Rows[i];
            for (int c = 0; c < Columns.Length; c++)
                o.Properties.Add(new PSNoteProperty(Columns[c], row[c]));
            // Where the row came from, left out of the default display.
            o.Properties.Add(new PSNoteProperty("DumpPath", dumpPath));
            var shown = new string[Columns.Length + 1];
            shown[0] = "TreeDepth";
            Array.Copy(Columns, 0, shown, 1, Columns.Length);
            o.Members.Add(new PSMemberSet("PSStandardMembers",
                new PSMemberInfo[] { new PSPropertySet("DefaultDisplayPropertySet", shown) }));
            return o;
        }
    }

    /// <summary>One cell of a native result, read as the type a typed object
    /// wants (Table's boxed cells come from here too): null when the cell is
    /// absent or its column has another type.</summary>
    internal readonly struct CellRef
    {
        private readonly ResultHandle r;
        private readonly nuint row, col;
        private readonly ScryColType type;

        internal CellRef(ResultHandle r, nuint row, nuint col, ScryColType type)
        {
            this.r = r;
            this.row = row;
            this.col = col;
            this.type = type;
        }

        private bool Is(ScryColType t) => type == t && Native.scry_result_cell_state(r, row, col) == ScryCellState.Value;

        internal long? Int
        {
            get
            {
                if (!Is(ScryColType.Int))
                    return null;
                Native.Check(Native.scry_result_cell_int(r, row, col, out long v));
                return v;
            }
        }

        internal bool? Bool
        {
            get
            {
                if (!Is(ScryColType.Bool))
                    return null;
                Native.Check(Native.scry_result_cell_int(r, row, col, out long v));
                return v != 0;
            }
        }

        internal ulong? UInt
        {
            get
            {
                if (Is(ScryColType.Hex))
                {
                    Native.Check(Native.scry_result_cell_uint(r, row, col, out ulong v));
                    return v;
                }
                // Beyond 64 bits only on corrupt input: null then.
                if (Is(ScryColType.Hex128) && Native.scry_result_cell_uint(r, row, col, out ulong w) == ScryStatus.Ok)
                    return w;
                return null;
            }
        }

        internal DateTime? Time
        {
            get
            {
                if (!Is(ScryColType.DateTime))
                    return null;
                Native.Check(Native.scry_result_cell_datetime(r, row, col, out long s, out uint us));
                return DateTime.UnixEpoch.AddSeconds(s).AddTicks(us * 10L);
            }
        }

        internal byte[]? Bytes
        {
            get
            {
                if (!Is(ScryColType.Bytes))
                    return null;
                Native.Check(Native.scry_result_cell_str(r, row, col, out nint p, out nuint n));
                var bytes = new byte[checked((int)n)];
                if (n > 0)
                    System.Runtime.InteropServices.Marshal.Copy(p, bytes, 0, bytes.Length);
                return bytes;
            }
        }

        /// <summary>Text: every column type that is not a number, a time or bytes
        /// (Str, HexBytes, Disasm).</summary>
        internal string? Str
        {
            get
            {
                if (type is ScryColType.Int or ScryColType.Bool or ScryColType.Hex or ScryColType.Hex128
                        or ScryColType.DateTime or ScryColType.Bytes ||
                    Native.scry_result_cell_state(r, row, col) != ScryCellState.Value)
                    return null;
                Native.Check(Native.scry_result_cell_str(r, row, col, out nint p, out nuint n));
                return Native.Str(p, n);
            }
        }
    }
}
