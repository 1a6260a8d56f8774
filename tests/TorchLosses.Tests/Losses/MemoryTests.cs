using System.Diagnostics;

namespace TorchLossesTests.Losses;

/// <summary>
/// Native memory does not leak: 100,000 evaluations of TorchLosses' smooth L1 (forward and backward, on its analytic
/// path: a TorchSharp custom autograd function) keep the native heap flat, whether each iteration's tensors are released
/// by a dispose scope or left to the finalizers. Native memory is process-wide, so the class runs alone.
/// </summary>
/// <remarks>
/// The measure is the bytes glibc's malloc has handed out and not taken back (<c>mallinfo2</c>: <c>uordblks</c> in its
/// arenas plus <c>hblkhd</c> in its own mappings), which is where libtorch's CPU allocator, TorchSharp's native glue and
/// the autograd graph live. The resident set is printed beside it but not asserted: it also holds the .NET garbage
/// collector's heap, which grows by tens of MB when other work or GC.Collect() timing makes it reserve more (measured:
/// 54–65 MB of RSS growth, almost all of it the managed heap's commit, with a flat native heap). A leak of one 8-element
/// tensor per iteration (its TensorImpl, storage and allocator headers, a few hundred bytes) is over 20 MB in 100,000
/// iterations, so the bound of 8 MB catches it.
/// </remarks>
[TestClass]
[DoNotParallelize]
public sealed class MemoryTests
{
    private const int WarmUp = 2_000;
    private const int Iterations = 100_000;
    private const double AllowedGrowthMB = 8;

    /// <summary>Resident memory in MB: resident pages (second field of /proc/self/statm) × page size.</summary>
    private static double ResidentMB()
    {
        var fields = File.ReadAllText("/proc/self/statm").Split(' ');
        return long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) * (double)Environment.SystemPageSize / (1 << 20);
    }

    /// <summary>glibc's malloc statistics (<c>struct mallinfo2</c>, glibc 2.33 and later: ten size_t fields).</summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct MallInfo2
    {
        public nuint arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mallinfo2")]
    private static extern MallInfo2 mallinfo2();

    /// <summary>Native heap in use, in MB: malloc's allocated bytes in its arenas plus its mmapped blocks.</summary>
    private static double NativeInUseMB()
    {
        var info = mallinfo2();
        return ((double)info.uordblks + info.hblkhd) / (1 << 20);
    }

    private static readonly float[] InputValues = { 0.5f, 1.5f, 2.5f, -0.25f, 3f, -2f, 0.125f, 1f };
    private static readonly float[] TargetValues = { 1f, 2f, 5f, 0.25f, -1f, -2.5f, 0.5f, 1f };

    /// <summary>One smooth_l1 forward and backward on fresh 8-element tensors; returns the loss.</summary>
    private static float LossAndGradient()
    {
        var input = tensor(InputValues, requires_grad: true);
        var target = tensor(TargetValues);
        var loss = L.smooth_l1_loss(input, target, beta: 0.5);
        loss.backward();
        _ = input.grad; // a handle on the gradient, released like the rest
        return loss.item<float>();
    }

    /// <summary>
    /// The expected loss, by hand: d = input − target = [−0.5, −0.5, −2.5, −0.5, 4, 0.5, −0.375, 0];
    /// with beta = 0.5, |d| &lt; 0.5 gives d²/(2·0.5) = d² and |d| ≥ 0.5 gives |d| − 0.25:
    /// [0.25, 0.25, 2.25, 0.25, 3.75, 0.25, 0.140625, 0], mean = 7.140625 / 8 = 0.892578125.
    /// </summary>
    private const float Expected = 0.892578125f;

    private static (double Before, double After, TimeSpan Elapsed) Measure(Action<int> iteration)
    {
        for (int k = 0; k < WarmUp; k++) iteration(k);
        Settle();
        var before = NativeInUseMB();
        var residentBefore = ResidentMB();
        var managedBefore = ManagedCommittedMB();
        var clock = Stopwatch.StartNew();
        for (int k = 0; k < Iterations; k++) iteration(k);
        clock.Stop();
        Settle();
        var after = NativeInUseMB();
        Console.WriteLine($"native heap in use after {WarmUp} warm-up iterations: {before:F1} MB; after {Iterations} more: {after:F1} MB " +
                          $"(growth {after - before:F1} MB); RSS growth {ResidentMB() - residentBefore:F1} MB, of which the managed heap's " +
                          $"commit {ManagedCommittedMB() - managedBefore:F1} MB; in {clock.Elapsed.TotalSeconds:F1} s");
        return (before, after, clock.Elapsed);
    }

    private static double ManagedCommittedMB() => GC.GetGCMemoryInfo().TotalCommittedBytes / (double)(1 << 20);

    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    [TestMethod]
    [TestCategory("Memory")]
    public void LossLoopWithADisposeScopePerIterationKeepsResidentMemoryFlat()
    {
        var (before, after, _) = Measure(k =>
        {
            using var scope = NewDisposeScope();
            var loss = LossAndGradient();
            if (k % 10_000 == 0) Assert.AreEqual(Expected, loss, 1e-7f);
        });
        Assert.IsLessThan(AllowedGrowthMB, after - before, $"native heap in use grew from {before:F1} MB to {after:F1} MB");
    }

    [TestMethod]
    [TestCategory("Memory")]
    public void ForgottenTensorsAreReleasedByTheirFinalizers()
    {
        var (before, after, _) = Measure(k =>
        {
            var loss = LossAndGradient(); // nothing disposed, no scope
            if (k % 10_000 == 0) Assert.AreEqual(Expected, loss, 1e-7f);
            if (k % 1_000 == 999)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        });
        Assert.IsLessThan(AllowedGrowthMB, after - before, $"native heap in use grew from {before:F1} MB to {after:F1} MB");
    }
}
