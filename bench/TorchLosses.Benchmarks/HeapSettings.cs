using System.Runtime.InteropServices;

namespace TorchLosses.Benchmarks;

/// <summary>
/// How glibc's malloc (which serves libtorch's CPU allocator) treats large blocks during a run.
/// With glibc's defaults a block above the dynamic mmap threshold is a fresh <c>mmap</c> that is
/// unmapped on free, and free memory at the top of the heap is trimmed; the next N-sized tensor then
/// page-faults on first touch (≈ 1.6 µs per 4 KiB page on this VM), and whether a given call pays
/// for that depends on what ran before it. That made single cells at N = 1e6 vary 3–5× between runs.
/// By default the benchmark therefore keeps freed memory in the heap (no mmap for malloc, no
/// trimming) for the whole process, native and composed paths alike; <c>--glibc-malloc</c> keeps
/// glibc's defaults instead.
/// </summary>
public static class HeapSettings
{
    private const int TrimThreshold = -1; // M_TRIM_THRESHOLD
    private const int MmapMax = -4;       // M_MMAP_MAX

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int parameter, int value);

    /// <summary>Applies the run's setting (before any tensor is made) and describes it for the report.</summary>
    public static string Apply(bool glibcDefaults)
    {
        if (glibcDefaults)
            return "glibc malloc defaults (large blocks are mmap'ed and unmapped on free; the heap top is trimmed)";
        if (!OperatingSystem.IsLinux() || Mallopt(MmapMax, 0) != 1 || Mallopt(TrimThreshold, int.MaxValue) != 1)
            return "platform allocator defaults (mallopt unavailable)";
        return "heap reuse: mallopt(M_MMAP_MAX, 0) and mallopt(M_TRIM_THRESHOLD, 2^31−1), the same as " +
               "MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=2147483647; freed tensors stay in the heap, so a new " +
               "tensor reuses warm pages instead of page-faulting fresh ones";
    }
}
