// Handles.cs - one SafeHandle per native handle type. Release runs exactly once,
// after the last call that holds the handle returns (SafeHandle counts the calls
// under way), so Dispose on one thread never frees a dump another thread reads.
using System;
using System.Runtime.InteropServices;

namespace MemScry
{
    internal sealed class ContextHandle : SafeHandle
    {
        public ContextHandle() : base(0, true) { }
        public override bool IsInvalid => handle == 0;
        protected override bool ReleaseHandle() { Native.scry_context_free(handle); return true; }
    }

    internal sealed class DumpHandle : SafeHandle
    {
        public DumpHandle() : base(0, true) { }
        public override bool IsInvalid => handle == 0;
        protected override bool ReleaseHandle() { Native.scry_dump_close(handle); return true; }
    }

    /// <summary>A session borrows its dump (and context): it holds a reference on
    /// the dump's handle so the dump is closed only after the session.</summary>
    internal sealed class SessionHandle : SafeHandle
    {
        private DumpHandle? dump;

        private SessionHandle() : base(0, true) { }
        public override bool IsInvalid => handle == 0;

        internal static SessionHandle Open(ContextHandle ctx, DumpHandle dump)
        {
            var s = new SessionHandle();
            bool added = false;
            dump.DangerousAddRef(ref added);
            try
            {
                Native.Check(Native.scry_session_open(ctx, dump, out nint h));
                s.SetHandle(h);
                s.dump = dump;
                added = false; // now the session's reference
            }
            finally
            {
                if (added)
                    dump.DangerousRelease();
            }
            return s;
        }

        protected override bool ReleaseHandle()
        {
            Native.scry_session_close(handle);
            dump?.DangerousRelease();
            dump = null;
            return true;
        }
    }

    internal sealed class RunCtxHandle : SafeHandle
    {
        public RunCtxHandle() : base(0, true) { }
        public override bool IsInvalid => handle == 0;
        protected override bool ReleaseHandle() { Native.scry_runctx_free(handle); return true; }
    }

    internal sealed class ResultHandle : SafeHandle
    {
        public ResultHandle() : base(0, true) { }
        public override bool IsInvalid => handle == 0;
        protected override bool ReleaseHandle() { Native.scry_result_free(handle); return true; }
    }

    internal sealed class RulesHandle : SafeHandle
    {
        public RulesHandle() : base(0, true) { }
        public override bool IsInvalid => handle == 0;
        protected override bool ReleaseHandle() { Native.scry_rules_free(handle); return true; }
    }
}
