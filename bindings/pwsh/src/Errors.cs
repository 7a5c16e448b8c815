// Errors.cs - library failures as exceptions and ErrorRecords with the category
// a script can act on.
using System;
using System.IO;
using System.Management.Automation;

namespace MemScry
{
    /// <summary>A libmemscry call failed: Status is the library's status name
    /// ("corrupt input", ...), Message its one-line error.</summary>
    public sealed class MemScryException : Exception
    {
        internal ScryStatus Code { get; }

        /// <summary>The library's status, as its name (see scry_status_str).</summary>
        public string Status => Native.Str(Native.scry_status_str(Code)) ?? Code.ToString();

        internal MemScryException(ScryStatus code, string message) : base(message) { Code = code; }
    }

    internal static class Errors
    {
        // One category per status: what a caller may do about it, not where it happened.
        private static readonly ErrorCategory[] Categories =
        {
            ErrorCategory.NotSpecified,        // Ok
            ErrorCategory.InvalidArgument,     // InvalidArg
            ErrorCategory.ResourceUnavailable, // NoMem
            ErrorCategory.ReadError,           // Io
            ErrorCategory.InvalidData,         // Format
            ErrorCategory.InvalidData,         // Corrupt
            ErrorCategory.InvalidData,         // NoData
            ErrorCategory.NotImplemented,      // Unsupported
            ErrorCategory.ObjectNotFound,      // NotFound
            ErrorCategory.ObjectNotFound,      // NoSymbols
            ErrorCategory.InvalidArgument,     // BadOption
            ErrorCategory.LimitsExceeded,      // Limit
            ErrorCategory.OperationStopped,    // Cancelled
        };

        internal static ErrorCategory Category(ScryStatus st) =>
            (int)st >= 0 && (int)st < Categories.Length ? Categories[(int)st] : ErrorCategory.NotSpecified;

        /// <summary>The ErrorRecord for a failure on one target (a dump path or object).</summary>
        internal static ErrorRecord Record(Exception e, string id, object? target)
        {
            return e switch
            {
                MemScryException m => new ErrorRecord(m, "MemScry." + m.Code + "," + id, Category(m.Code), target),
                FileNotFoundException f => new ErrorRecord(f, "MemScry.FileNotFound," + id, ErrorCategory.ObjectNotFound, target),
                ItemNotFoundException f => new ErrorRecord(f, "MemScry.FileNotFound," + id, ErrorCategory.ObjectNotFound, target),
                ObjectDisposedException d => new ErrorRecord(d, "MemScry.DumpClosed," + id, ErrorCategory.InvalidOperation, target),
                OperationCanceledException c => new ErrorRecord(c, "MemScry.Cancelled," + id, ErrorCategory.OperationStopped, target),
                _ => new ErrorRecord(e, "MemScry.Failed," + id, ErrorCategory.NotSpecified, target),
            };
        }
    }
}
