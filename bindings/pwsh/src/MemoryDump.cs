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
        internal static MemoryDump Open(string path, string[] symbolPath)
        {
            if (!File.Exists(path))
                throw new FileNotFoundException($"no such file: {path}", path);
            ContextHandle ctx = Contexts.Get(symbolPath);
            Native.Check(Native.scry_dump_open(ctx, path, out DumpHandle dump));
            SessionHandle? session = null;
            try
            {
                session = SessionHandle.Open(ctx, dump);
                return new MemoryDump(path, symbolPath, dump, session);
            }
            catch
            {
                session?.Dispose();
                dump.Dispose();
                throw;
            }
        }

        /// <summary>Closes the session, then the dump (once; later calls do nothing).</summary>
        public void Dispose()
        {
            session.Dispose();
            dump.Dispose(); // the session's reference keeps it open until the session is gone
        }

        /// <summary>The path, for display and for cmdlets that take paths.</summary>
        public override string ToString() => Path;
    }
}
