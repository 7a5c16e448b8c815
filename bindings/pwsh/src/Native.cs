// Native.cs - the libmemscry entry points the module calls (include/memscry/memscry.h).
// Source-generated P/Invoke (LibraryImport): no runtime marshalling stubs, UTF-8
// strings, SafeHandles for every handle. Strings the library returns are owned by
// the object they came from, so they come back as pointers and are copied by
// Native.Str while that object is alive.
using System;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace MemScry
{
    internal enum ScryStatus
    {
        Ok = 0, InvalidArg = 1, NoMem = 2, Io = 3, Format = 4, Corrupt = 5, NoData = 6,
        Unsupported = 7, NotFound = 8, NoSymbols = 9, BadOption = 10, Limit = 11, Cancelled = 12,
    }

    internal enum ScryColType
    {
        Int = 0, Hex = 1, Str = 2, Bool = 3, Bytes = 4, HexBytes = 5, DateTime = 6, Disasm = 7, Hex128 = 8,
    }

    internal enum ScryCellState { Value = 0, Unreadable = 1, Unparsable = 2, NotApplicable = 3, NotAvailable = 4 }

    internal static unsafe partial class Native
    {
        // The one name every import uses; NativeResolver maps it to the file beside the module.
        internal const string Lib = "memscry";

        // Runs before the first call into the library (an explicit static
        // constructor is never run lazily past a static method call).
        static Native() => NativeResolver.Install();

        [LibraryImport(Lib)] internal static partial nint scry_version();
        [LibraryImport(Lib)] internal static partial nint scry_last_error();
        [LibraryImport(Lib)] internal static partial nint scry_status_str(ScryStatus st);

        [LibraryImport(Lib)] internal static partial ScryStatus scry_context_new(out ContextHandle ctx);
        [LibraryImport(Lib)] internal static partial void scry_context_free(nint ctx);
        [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial ScryStatus scry_context_add_symbol_dir(ContextHandle ctx, string dir);

        [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial ScryStatus scry_dump_open(ContextHandle ctx, string path, out DumpHandle dump);
        [LibraryImport(Lib)] internal static partial void scry_dump_close(nint dump);
        [LibraryImport(Lib)] internal static partial nint scry_dump_format(DumpHandle dump);
        [LibraryImport(Lib)] internal static partial ulong scry_dump_work_estimate(DumpHandle dump);
        [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial ScryStatus scry_dump_meta_get(DumpHandle dump, string key, out nint value);

        [LibraryImport(Lib)] internal static partial ScryStatus scry_session_open(ContextHandle ctx, DumpHandle dump, out nint session);
        [LibraryImport(Lib)] internal static partial void scry_session_close(nint session);
        [LibraryImport(Lib)] internal static partial ScryStatus scry_session_detect(SessionHandle session);
        [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial ScryStatus scry_session_info(SessionHandle session, string key, out nint value);

        [LibraryImport(Lib)] internal static partial ScryStatus scry_runctx_new(out RunCtxHandle run);
        [LibraryImport(Lib)] internal static partial void scry_runctx_free(nint run);
        [LibraryImport(Lib)]
        internal static partial ScryStatus scry_runctx_set_progress(RunCtxHandle run,
            delegate* unmanaged[Cdecl]<nint, ulong, ulong, int> fn, nint user);

        [LibraryImport(Lib)] internal static partial nuint scry_plugin_count();
        [LibraryImport(Lib)] internal static partial nint scry_plugin_name(nuint index);
        [LibraryImport(Lib)] internal static partial nint scry_plugin_alias(nuint index);

        [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial ScryStatus scry_plugin_run(SessionHandle session, string name, int argc,
            string[] argv, RunCtxHandle run, out ResultHandle result);

        [LibraryImport(Lib)] internal static partial void scry_result_free(nint result);
        [LibraryImport(Lib)] internal static partial nuint scry_result_column_count(ResultHandle r);
        [LibraryImport(Lib)] internal static partial nint scry_result_column_name(ResultHandle r, nuint col);
        [LibraryImport(Lib)] internal static partial ScryColType scry_result_column_type(ResultHandle r, nuint col);
        [LibraryImport(Lib)] internal static partial nuint scry_result_row_count(ResultHandle r);
        [LibraryImport(Lib)] internal static partial int scry_result_row_depth(ResultHandle r, nuint row);
        [LibraryImport(Lib)] internal static partial ScryCellState scry_result_cell_state(ResultHandle r, nuint row, nuint col);
        [LibraryImport(Lib)] internal static partial ScryStatus scry_result_cell_int(ResultHandle r, nuint row, nuint col, out long value);
        [LibraryImport(Lib)] internal static partial ScryStatus scry_result_cell_uint(ResultHandle r, nuint row, nuint col, out ulong value);
        [LibraryImport(Lib)] internal static partial ScryStatus scry_result_cell_str(ResultHandle r, nuint row, nuint col, out nint value, out nuint length);
        [LibraryImport(Lib)] internal static partial ScryStatus scry_result_cell_datetime(ResultHandle r, nuint row, nuint col, out long seconds, out uint microseconds);
        [LibraryImport(Lib)] internal static partial nuint scry_result_diag_count(ResultHandle r);
        [LibraryImport(Lib)] internal static partial ScryStatus scry_result_diag(ResultHandle r, nuint index, out int level, out ScryStatus status, out nint message);

        [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial ScryStatus scry_rules_compile(string source, out RulesHandle rules);
        [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial ScryStatus scry_rules_load(string path, out RulesHandle rules);
        [LibraryImport(Lib)] internal static partial void scry_rules_free(nint rules);
        [LibraryImport(Lib)]
        internal static partial ScryStatus scry_malscan(SessionHandle session, RulesHandle rules, int mode,
            RunCtxHandle run, out ResultHandle result);

        /// <summary>A copy of a NUL-terminated UTF-8 string the library owns; null for NULL.</summary>
        internal static string? Str(nint p) => p == 0 ? null : Marshal.PtrToStringUTF8(p);

        internal static string Str(nint p, nuint length) =>
            p == 0 ? "" : System.Text.Encoding.UTF8.GetString((byte*)p, checked((int)length));

        /// <summary>The calling thread's last error, as the library words it.</summary>
        internal static string LastError() => Str(scry_last_error()) ?? "";

        /// <summary>Throws MemScryException with the thread's last error unless st is Ok.</summary>
        internal static void Check(ScryStatus st)
        {
            if (st != ScryStatus.Ok)
                throw new MemScryException(st, LastError());
        }
    }

    /// <summary>
    /// The module's one native library resolver: "memscry" is libmemscry.so in the
    /// directory MemScry.dll was loaded from (scripts/pwsh.sh copies it there), so
    /// the module never depends on LD_LIBRARY_PATH or a system install.
    /// </summary>
    internal static class NativeResolver
    {
        private static int installed;

        internal static void Install()
        {
            if (Interlocked.Exchange(ref installed, 1) != 0)
                return;
            NativeLibrary.SetDllImportResolver(typeof(NativeResolver).Assembly, Resolve);
        }

        private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path)
        {
            if (name != Native.Lib)
                return 0;
            string dir = System.IO.Path.GetDirectoryName(assembly.Location) ?? ".";
            string file = OperatingSystem.IsWindows() ? "memscry.dll"
                        : OperatingSystem.IsMacOS() ? "libmemscry.dylib" : "libmemscry.so";
            string full = System.IO.Path.Combine(dir, file);
            if (NativeLibrary.TryLoad(full, out nint handle))
                return handle;
            throw new DllNotFoundException($"MemScry: cannot load {full} (it is built beside MemScry.dll by scripts/pwsh.sh)");
        }
    }
}
