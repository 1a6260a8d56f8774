using static TorchSharp.PInvoke.NativeMethods;

namespace TorchSharp;

public static partial class torch
{
    /// <summary>Sets the number of threads libtorch uses to parallelise one CPU operation (intra-op).</summary>
    /// <param name="num">The number of threads. Range: ≥ 1.</param>
    public static void set_num_threads(int num) => Check(tl_set_num_threads(num));

    /// <summary>The number of threads libtorch uses to parallelise one CPU operation (intra-op).</summary>
    public static int get_num_threads() => tl_get_num_threads();
}
