// Contexts.cs - library contexts, one per distinct symbol path list, kept for
// the life of the process: dumps opened with the same symbol paths share loaded
// symbol tables and caches (ten dumps of one kernel load its ISF once).
using System;
using System.Collections.Generic;

namespace MemScry
{
    internal static class Contexts
    {
        private static readonly object Gate = new();
        private static readonly Dictionary<string, ContextHandle> ByKey = new(StringComparer.Ordinal);

        /// <summary>The symbol directories a cmdlet uses: its -SymbolPath, else
        /// $MEMSCRY_SYMBOLS (';'-separated, as the CLI reads it).</summary>
        internal static string[] Resolve(string[]? symbolPath)
        {
            if (symbolPath is { Length: > 0 })
                return symbolPath;
            string? env = Environment.GetEnvironmentVariable("MEMSCRY_SYMBOLS");
            return string.IsNullOrEmpty(env)
                ? Array.Empty<string>()
                : env.Split(';', StringSplitOptions.RemoveEmptyEntries);
        }

        /// <summary>The context for these directories (full paths), made and set up
        /// once under the lock: a context's setters must run before other threads use it.</summary>
        internal static ContextHandle Get(string[] symbolDirs)
        {
            string key = string.Join('\0', symbolDirs);
            lock (Gate)
            {
                if (ByKey.TryGetValue(key, out var ctx))
                    return ctx;
                Native.Check(Native.scry_context_new(out ctx));
                try
                {
                    foreach (string d in symbolDirs)
                        Native.Check(Native.scry_context_add_symbol_dir(ctx, d));
                }
                catch
                {
                    ctx.Dispose();
                    throw;
                }
                ByKey.Add(key, ctx);
                return ctx;
            }
        }
    }
}
