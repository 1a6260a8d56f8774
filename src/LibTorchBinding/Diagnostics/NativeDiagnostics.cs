using System.Runtime.InteropServices;
using static TorchSharp.PInvoke.NativeMethods;

namespace TorchSharp.Diagnostics;

/// <summary>Facts about the native library for benchmarks and reports (not TorchSharp API).</summary>
public static class NativeDiagnostics
{
    /// <summary>The version of the libtorch the shim was compiled against (e.g. "1.13.1").</summary>
    public static string LibTorchVersion => Marshal.PtrToStringUTF8(tl_libtorch_version()) ?? "unknown";

    /// <summary>
    /// Times <c>at::add(x, 1)</c> on a 1-element float32 tensor in a C++ loop of
    /// <paramref name="iterations"/> calls, and returns the mean wall time per call in nanoseconds:
    /// the per-op cost of ATen itself, to compare with the same op through the binding.
    /// </summary>
    /// <param name="iterations">Calls to time. Range: ≥ 1.</param>
    public static double TimeAddNanoseconds(long iterations)
    {
        double nanoseconds = tl_diagnostics_time_add(iterations);
        if (nanoseconds < 0) throw Failure();
        return nanoseconds;
    }
}
