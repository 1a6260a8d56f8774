using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace TorchLosses.Benchmarks;

/// <summary>What libtorch's CPU allocator did during one measured step.</summary>
/// <param name="PeakExtraBytes">The highest number of live bytes above the level before the step.</param>
/// <param name="RetainedBytes">Live bytes after the step minus the level before it.</param>
/// <param name="Allocations">The size in bytes of each block the step allocated, in order.</param>
public sealed record AllocatorWindow(long PeakExtraBytes, long RetainedBytes, IReadOnlyList<long> Allocations);

/// <summary>
/// libtorch's own accounting of its CPU allocator, read from its log. libtorch's default CPU allocator reports every
/// allocation and every free to c10's <c>ProfiledCPUMemoryReporter</c>, which keeps the total of live bytes; with the c10
/// flag <c>caffe2_report_cpu_memory_usage</c> set it logs each event with that total ("C10 alloc 400 bytes, total alloc
/// 1200 bytes.", "C10 deleted …") through c10's logging, which writes lines of level INFO to the process's stderr once the
/// flag <c>caffe2_log_level</c> is 0. The counts are exact bytes of every CPU tensor storage, libtorch's internal
/// temporaries included, and do not depend on timing.
/// </summary>
/// <remarks>
/// TorchSharp exposes neither c10's flags nor the reporter, but both flags are exported variables of <c>libc10.so</c>
/// (<c>FLAGS_caffe2_report_cpu_memory_usage</c>, a C++ bool, and <c>FLAGS_caffe2_log_level</c>, an int, as c10's
/// <c>C10_DEFINE_bool</c>/<c>C10_DEFINE_int</c> define them) in the library TorchSharp has loaded. <see cref="Track"/> turns
/// the accounting on; <see cref="Measure"/> lowers the log level and points file descriptor 2 at a temporary file while one
/// step runs, then reads the events back. Only blocks allocated while tracking is on are counted (the reporter does not
/// know the size of older blocks, and libtorch warns once per 1000 frees of such a block). These are the quantities the
/// in-repo binding's counting wrapper around the CPU allocator gave, which TorchSharp has no counterpart of.
/// </remarks>
public static class AllocatorLog
{
    private const string Library = "libc10.so";
    private const string ReportFlag = "FLAGS_caffe2_report_cpu_memory_usage";
    private const string LogLevelFlag = "FLAGS_caffe2_log_level";

    /// <summary>One event line of c10's CPU memory reporter (the text before it is c10's log prefix).</summary>
    private static readonly Regex Event = new(@"C10 (?<kind>alloc|deleted) (?<bytes>\d+) bytes, total alloc (?<total>\d+) bytes\.",
        RegexOptions.Compiled);

    /// <summary>c10's lowest log level (GLOG_INFO), at which the reporter's lines are written.</summary>
    private const int Info = 0;

    /// <summary>
    /// Turns libtorch's allocator accounting on until the result is disposed (then the flag gets its previous value back);
    /// the log lines are written only inside <see cref="Measure"/>. TorchSharp's native library must already be loaded
    /// (any torch call loads it).
    /// </summary>
    public static IDisposable Track()
    {
        IntPtr report = Flag(ReportFlag);
        byte previous = Marshal.ReadByte(report);
        Marshal.WriteByte(report, 1);
        return new Restore(() => Marshal.WriteByte(report, previous));
    }

    /// <summary>The libc10 that TorchSharp's libtorch uses: loaded already, so dlopen finds it by its soname.</summary>
    private static readonly Lazy<IntPtr> C10 = new(() => NativeLibrary.Load(Library));

    /// <summary>The address of one of c10's flags.</summary>
    private static IntPtr Flag(string name) => NativeLibrary.GetExport(C10.Value, name);

    /// <summary>
    /// Runs <paramref name="step"/> (inside <see cref="Track"/>) with c10's log level at INFO and stderr going to a temporary
    /// file, and returns what the allocator log says about it. Everything written to stderr meanwhile (by .NET too) goes to
    /// that file; lines other than the reporter's are ignored.
    /// </summary>
    public static AllocatorWindow Measure(Action step)
    {
        if (Marshal.ReadByte(Flag(ReportFlag)) == 0) throw new InvalidOperationException("AllocatorLog.Measure runs inside AllocatorLog.Track()");
        IntPtr logLevel = Flag(LogLevelFlag);
        string path = Path.GetTempFileName();
        try
        {
            using (var log = new FileStream(path, FileMode.Create, FileAccess.Write))
            {
                Console.Error.Flush();
                int saved = Check(dup(StandardError), "dup");
                Check(dup2((int)log.SafeFileHandle.DangerousGetHandle(), StandardError), "dup2");
                int previousLevel = Marshal.ReadInt32(logLevel);
                Marshal.WriteInt32(logLevel, Info);
                try
                {
                    step();
                }
                finally
                {
                    Marshal.WriteInt32(logLevel, previousLevel);
                    Console.Error.Flush();
                    Check(dup2(saved, StandardError), "dup2");
                    close(saved);
                }
            }
            return Read(File.ReadLines(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The window's figures from the reporter's lines, in order; each line carries the total after its event.</summary>
    public static AllocatorWindow Read(IEnumerable<string> lines)
    {
        long? start = null;
        long peak = 0, last = 0;
        var allocations = new List<long>();
        foreach (var line in lines)
        {
            var match = Event.Match(line);
            if (!match.Success) continue;
            bool allocation = match.Groups["kind"].Value == "alloc";
            long bytes = long.Parse(match.Groups["bytes"].Value, CultureInfo.InvariantCulture);
            long total = long.Parse(match.Groups["total"].Value, CultureInfo.InvariantCulture);
            start ??= allocation ? total - bytes : total + bytes;
            peak = Math.Max(peak, total);
            last = total;
            if (allocation) allocations.Add(bytes);
        }
        return start is long level ? new AllocatorWindow(Math.Max(peak, level) - level, last - level, allocations) : new AllocatorWindow(0, 0, allocations);
    }

    private const int StandardError = 2;

    private static int Check(int result, string call) =>
        result >= 0 ? result : throw new IOException($"{call} failed with errno {Marshal.GetLastPInvokeError()}");

    [DllImport("libc", SetLastError = true)]
    private static extern int dup(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int dup2(int fd, int target);

    [DllImport("libc")]
    private static extern int close(int fd);

    private sealed class Restore(Action restore) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0) restore();
        }
    }
}
