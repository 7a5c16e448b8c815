// Progress.cs - the library's progress callback as shared state: the running
// thread stores (done, total); the pipeline thread reads it and calls
// Write-Progress. Cancellation (Ctrl+C) flows back as the callback's return.
using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace MemScry
{
    internal sealed unsafe class ProgressSink : IDisposable
    {
        private long done;
        private long total;
        private GCHandle self;
        private readonly CancellationToken cancel;
        // Called on the running thread when it is the pipeline thread (sequential
        // runs), so progress shows while the pipeline thread is inside the library.
        private readonly Action<ProgressSink>? onPipelineThread;
        private readonly int pipelineThread;

        internal ProgressSink(CancellationToken cancel, Action<ProgressSink>? onPipelineThread)
        {
            this.cancel = cancel;
            this.onPipelineThread = onPipelineThread;
            pipelineThread = Environment.CurrentManagedThreadId;
            self = GCHandle.Alloc(this);
        }

        internal ulong Done => (ulong)Interlocked.Read(ref done);
        internal ulong Total => (ulong)Interlocked.Read(ref total);

        internal int Percent
        {
            get
            {
                ulong t = Total, d = Done;
                return t == 0 ? -1 : (int)Math.Min(100, d * 100 / t);
            }
        }

        internal void Reset()
        {
            Interlocked.Exchange(ref done, 0);
            Interlocked.Exchange(ref total, 0);
        }

        /// <summary>A run context whose progress lands here.</summary>
        internal RunCtxHandle NewRunContext()
        {
            Native.Check(Native.scry_runctx_new(out RunCtxHandle run));
            Native.Check(Native.scry_runctx_set_progress(run, &OnProgress, GCHandle.ToIntPtr(self)));
            return run;
        }

        [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
        private static int OnProgress(nint user, ulong d, ulong t)
        {
            try
            {
                var sink = (ProgressSink)GCHandle.FromIntPtr(user).Target!;
                Interlocked.Exchange(ref sink.done, (long)d);
                Interlocked.Exchange(ref sink.total, (long)t);
                if (sink.onPipelineThread != null && Environment.CurrentManagedThreadId == sink.pipelineThread)
                    sink.onPipelineThread(sink);
                return sink.cancel.IsCancellationRequested ? 1 : 0;
            }
            catch
            {
                return 1; // an exception must not unwind through C: stop the run instead
            }
        }

        public void Dispose()
        {
            if (self.IsAllocated)
                self.Free();
        }
    }
}
