using System.Diagnostics;

namespace TorchLosses.Benchmarks;

/// <summary>
/// How glibc's malloc (which serves libtorch's CPU allocator) treats large blocks during a run.
/// With glibc's defaults a block above the dynamic mmap threshold is a fresh <c>mmap</c> that is
/// unmapped on free, and free memory at the top of the heap is trimmed; the next N-sized tensor then
/// page-faults on first touch (≈ 1.6 µs per 4 KiB page on this VM), and whether a given call pays
/// for that depends on what ran before it. That made single cells at N = 1e6 vary 3–5× between runs.
/// By default the benchmark therefore keeps freed memory in the heap for the whole process, native
/// and composed paths alike: one arena, no mmap for malloc, no trimming. glibc reads these settings
/// when the process starts (a later <c>mallopt</c> does not reach the arenas the .NET runtime has
/// already made, and BenchmarkDotNet runs the cases on a thread of its own), so the benchmark starts
/// itself again with them in its environment. <c>--glibc-malloc</c> keeps glibc's defaults instead.
/// </summary>
public static class HeapSettings
{
    private static readonly (string name, string value)[] HeapReuse =
    {
        ("MALLOC_ARENA_MAX", "1"),
        ("MALLOC_MMAP_MAX_", "0"),
        ("MALLOC_TRIM_THRESHOLD_", "2147483647"),
    };

    private static bool InForce => HeapReuse.All(v => Environment.GetEnvironmentVariable(v.name) == v.value);

    /// <summary>
    /// With heap reuse wanted but not yet in force (and on Linux), runs this benchmark again as a child
    /// process with the settings in its environment and returns the child's exit code; otherwise null.
    /// </summary>
    public static int? RelaunchIfNeeded(bool glibcDefaults, string[] args)
    {
        if (glibcDefaults || InForce || !OperatingSystem.IsLinux()) return null;
        return RunChild(args, HeapReuse);
    }

    /// <summary>
    /// Runs this benchmark again as a child process with <paramref name="args"/> and <paramref name="environment"/> added to
    /// this process's environment (with heap reuse too, unless <paramref name="glibcDefaults"/>); returns the child's exit code.
    /// </summary>
    public static int RunChild(string[] args, IEnumerable<(string name, string value)> environment, bool glibcDefaults = false)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
        // Started as `dotnet TorchLosses.Benchmarks.dll …` the host needs the assembly again; the apphost does not.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
            start.ArgumentList.Add(Environment.GetCommandLineArgs()[0]);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (name, value) in (glibcDefaults ? Enumerable.Empty<(string, string)>() : HeapReuse).Concat(environment))
            start.Environment[name] = value;
        using var child = Process.Start(start)!;
        child.WaitForExit();
        return child.ExitCode;
    }

    /// <summary>The run's setting, for the report.</summary>
    public static string Describe(bool glibcDefaults) =>
        glibcDefaults ? "glibc malloc defaults (large blocks are mmap'ed and unmapped on free; the heap top is trimmed)"
        : InForce ? "heap reuse: " + string.Join(' ', HeapReuse.Select(v => $"{v.name}={v.value}")) +
                    " (set by the benchmark for itself); freed tensors stay in the heap, so a new tensor reuses warm pages " +
                    "instead of page-faulting fresh ones"
        : "platform allocator defaults";
}
