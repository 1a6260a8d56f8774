// Tests run in parallel by class; each test owns its tensors, and libtorch is thread-safe for
// independent tensors (ThreadTests checks that on purpose).
[assembly: Parallelize(Workers = 2, Scope = ExecutionScope.ClassLevel)]

namespace TorchLossesTests;

/// <summary>Process-wide set-up before the first test.</summary>
[TestClass]
public static class TestAssembly
{
    /// <summary>
    /// libtorch's intra-op threads: TORCHLOSSES_THREADS, default 1. libtorch starts one thread per core; with two test
    /// workers on a shared 2-core machine that oversubscribes the cores, and runs were 5–30× slower. The tensors here are
    /// small, so one thread per worker is also the fastest.
    /// </summary>
    [AssemblyInitialize]
    public static void LimitLibtorchThreads(TestContext _)
    {
        var setting = Environment.GetEnvironmentVariable("TORCHLOSSES_THREADS");
        int threads = 1;
        if (!string.IsNullOrEmpty(setting) && (!int.TryParse(setting, out threads) || threads < 1))
            throw new ArgumentException($"TORCHLOSSES_THREADS must be a whole number ≥ 1, not '{setting}'.");
        torch.set_num_threads(threads);
    }
}
