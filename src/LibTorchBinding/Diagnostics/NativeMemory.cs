using static TorchSharp.PInvoke.NativeMethods;

namespace TorchSharp.Diagnostics;

/// <summary>
/// Counts the bytes libtorch's CPU allocator hands out, for benchmarks and tests (not TorchSharp API).
/// <see cref="Track"/> puts a counting wrapper in front of the CPU allocator; every CPU tensor
/// storage allocated while it is installed adds its size to <see cref="Current"/> and subtracts it
/// when freed (also after tracking stops). <see cref="Peak"/> is the highest <see cref="Current"/>
/// since the last <see cref="ResetPeak"/>. The counters are process-wide atomics, so allocations
/// made by other threads count too.
/// </summary>
/// <example>
/// <code>
/// using (NativeMemory.Track())
/// {
///     long before = NativeMemory.Current;
///     NativeMemory.ResetPeak();
///     RunWork();
///     long extra = NativeMemory.Peak - before;   // bytes above the starting level at the high-water mark
/// }
/// </code>
/// </example>
public static class NativeMemory
{
    /// <summary>
    /// Installs the counting allocator (or adds a reference to it) until the result is disposed;
    /// the previous allocator is restored when the last reference goes. Only storages allocated
    /// after this call are counted.
    /// </summary>
    public static IDisposable Track()
    {
        Check(tl_diagnostics_memory_track());
        return new Tracking();
    }

    /// <summary>Whether the counting allocator is currently libtorch's CPU allocator.</summary>
    public static bool IsTracking => tl_diagnostics_memory_is_tracking() != 0;

    /// <summary>Bytes of counted storages still alive.</summary>
    public static long Current => tl_diagnostics_memory_current();

    /// <summary>The highest <see cref="Current"/> since the last <see cref="ResetPeak"/>.</summary>
    public static long Peak => tl_diagnostics_memory_peak();

    /// <summary>Starts a new peak window at the current level.</summary>
    public static void ResetPeak() => tl_diagnostics_memory_reset_peak();

    private sealed class Tracking : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0) Check(tl_diagnostics_memory_untrack());
        }
    }
}
