// MemoryDump.cs - an opened dump and its session: what Get-MemoryDump returns
// and every other cmdlet accepts. It owns both native handles.
using System;
using System.IO;

namespace MemScry
{
    /// <summary>An opened memory dump with its analysis session. Dispose() (or
    /// Close-MemoryDump) releases the native handles; a run under way on another
    /// thread keeps them alive until it returns.</summary>
    public sealed class MemoryDump : IDisposable
    {
        private readonly DumpHandle dump;
        private readonly SessionHandle session;

        /// <summary>The dump file's full path.</summary>
        public string Path { get; }
        /// <summary>The detected container format: raw, lime, elf, kdump, kdump-flat, windump, ...</summary>
        public string Format { get; }
        /// <summary>The file's size in bytes.</summary>
        public long Size { get; }
        /// <summary>The operating system found ("linux", "windows"); null when detection failed.</summary>
        public string? OS { get; }
        /// <summary>Linux: the kernel banner; Windows: the OS description with its build.</summary>
        public string? Kernel { get; }
        /// <summary>Why detection failed (null when it worked).</summary>
        public string? DetectionError { get; }
        /// <summary>The symbol directories the dump was opened with.</summary>
        public string[] SymbolPath { get; }
        /// <summary>True once the dump was closed.</summary>
        public bool IsClosed => session.IsClosed;

        internal SessionHandle Session => session;

        private MemoryDump(string path, string[] symbolPath, DumpHandle dump, SessionHandle session)
        {
            Path = path;
            SymbolPath = symbolPath;
            this.dump = dump;
            this.session = session;
            Format = Native.Str(Native.scry_dump_format(dump)) ?? "";
            Size = new FileInfo(path).Length;
            ScryStatus st = Native.scry_session_detect(session);
            if (st != ScryStatus.Ok)
            {
                DetectionError = Native.LastError();
                return;
            }
            OS = Info("os");
            Kernel = Info("banner") ?? Info("description");
        }

        private string? Info(string key) =>
            Native.scry_session_info(session, key, out nint v) == ScryStatus.Ok ? Native.Str(v) : null;

        /// <summary>Opens path (a full file-system path) with these symbol
        /// directories. A missing file is FileNotFoundException; library failures
        /// are MemScryException.</summary>
        internal static MemoryDump Open(string path, string[] symbolPath) =>
            Open(OpenFile(path, symbolPath), path, symbolPath);

        /// <summary>The first half of Open: the file and its format, no detection
        /// (milliseconds at most; -Parallel opens dumps ahead to rank them by
        /// scry_dump_work_estimate).</summary>
        internal static DumpHandle OpenFile(string path, string[] symbolPath)
        {
            if (!File.Exists(path))
                throw new FileNotFoundException($"no such file: {path}", path);
            Native.Check(Native.scry_dump_open(Contexts.Get(symbolPath), path, out DumpHandle dump));
            return dump;
        }

        /// <summary>The second half: the session and detection; owns dump from here on.</summary>
        internal static MemoryDump Open(DumpHandle dump, string path, string[] symbolPath)
        {
            SessionHandle? session = null;
            try
            {
                session = SessionHandle.Open(Contexts.Get(symbolPath), dump);
                return new MemoryDump(path, symbolPath, dump, session);
            }
            catch
            {
                session?.Dispose();
                dump.Dispose();
                throw;
            }
        }

        /// <summary>scry_dump_work_estimate of this dump (0 once closed).</summary>
        internal ulong WorkEstimate
        {
            get
            {
                try { return IsClosed ? 0 : Native.scry_dump_work_estimate(dump); }
                catch (ObjectDisposedException) { return 0; } // closed meanwhile: fails fast anyway
            }
        }

        public void Dispose()
        {
            session.Dispose();
            dump.Dispose(); // the session's reference keeps it open until the session is gone
        }

        /// <summary>The path, for display and for cmdlets that take paths.</summary>
        public override string ToString() => Path;
    }
}
