// Workers.cs - the module's worker threads, kept between invocations. A fresh
// thread's first native calls start a fresh malloc arena and fault its memory
// in: eight corpus dumps took 15-20% longer on a new thread than on one that
// had run them before, and -Parallel runs are repeated within a session.
// Dedicated threads rather than the thread pool, which adds a thread only
// every half second past its minimum and so serialises short runs.
using System;
using System.Collections.Concurrent;
using System.Threading;

namespace MemScry
{
    internal static class Workers
    {
        private static readonly BlockingCollection<Action> Jobs = new();
        private static int idle;    // threads waiting for a job none is queued for yet
        private static int started;

        /// <summary>Runs job on copies threads at once: idle ones first, new ones
        /// for the rest (the module never has fewer threads than jobs queued).</summary>
        internal static void Run(Action job, int copies)
        {
            for (int i = 0; i < copies; i++)
            {
                int seen = Volatile.Read(ref idle);
                while (seen > 0 && Interlocked.CompareExchange(ref idle, seen - 1, seen) != seen)
                    seen = Volatile.Read(ref idle);
                if (seen <= 0)
                    Start();
                Jobs.Add(job);
            }
        }

        private static void Start()
        {
            int k = Interlocked.Increment(ref started);
            new Thread(Loop) { IsBackground = true, Name = "MemScry worker " + k }.Start();
        }

        private static void Loop()
        {
            for (;;)
            {
                Action job = Jobs.Take();
                try
                {
                    job();
                }
                catch (Exception)
                {
                    // A job reports its own failures; a worker must outlive them.
                }
                Interlocked.Increment(ref idle);
            }
        }
    }
}
