using TorchSharp.Diagnostics;

namespace TorchLossesTests.Binding;

// Serial: the allocation counters and the thread count are process-wide, and other test classes
// allocate and free tensors while these run.
[TestClass]
[DoNotParallelize]
public sealed class DiagnosticsTests
{
    private const long Million = 1_000_000;

    [TestMethod]
    public void PeakCountsAMillionFloatAllocationAsAtLeastFourMegabytes()
    {
        using var tracking = NativeMemory.Track();
        Assert.IsTrue(NativeMemory.IsTracking);
        long before = NativeMemory.Current;
        NativeMemory.ResetPeak();
        Assert.AreEqual(before, NativeMemory.Peak);
        using (var scope = NewDisposeScope())
        {
            var x = zeros(Million, dtype: ScalarType.Float32);
            Assert.IsTrue(NativeMemory.Current - before >= 4 * Million, $"current grew by {NativeMemory.Current - before} bytes");
        }
        Assert.IsTrue(NativeMemory.Peak - before >= 4 * Million, $"peak grew by {NativeMemory.Peak - before} bytes");
        // Freed again: the live count is back below the peak by at least the tensor's size.
        Assert.IsTrue(NativeMemory.Peak - NativeMemory.Current >= 4 * Million);
    }

    [TestMethod]
    public void PeakSeesTheTemporariesOfAnOpNotOnlyItsResult()
    {
        using var tracking = NativeMemory.Track();
        using var scope = NewDisposeScope();
        var x = ones(Million, dtype: ScalarType.Float64);
        long before = NativeMemory.Current;
        NativeMemory.ResetPeak();
        // ((x + 1) * 2).sum(): two 8 MB temporaries exist at once, the 8-byte result survives.
        using (var inner = NewDisposeScope())
        {
            var total = ((x + 1) * 2).sum();
            Assert.AreEqual(4_000_000.0, total.item<double>());
            inner.MoveToOuter(total);
        }
        Assert.IsTrue(NativeMemory.Peak - before >= 16 * Million, $"peak grew by {NativeMemory.Peak - before} bytes");
        Assert.IsTrue(NativeMemory.Current - before < Million, $"{NativeMemory.Current - before} bytes still counted");
    }

    [TestMethod]
    public void TrackingNestsAndRestoresTheAllocator()
    {
        var outer = NativeMemory.Track();
        var inner = NativeMemory.Track();
        inner.Dispose();
        Assert.IsTrue(NativeMemory.IsTracking, "the outer tracking ended with the inner one");
        outer.Dispose();
        outer.Dispose();  // a second dispose is a no-op
        Assert.IsFalse(NativeMemory.IsTracking);
        // Tensors still work with the original allocator back in place.
        using var scope = NewDisposeScope();
        Assert.AreEqual(6f, (ones(3) * 2).sum().item<float>());
    }

    [TestMethod]
    public void AStorageAllocatedWhileTrackingIsSubtractedWhenFreedAfterwards()
    {
        var tracking = NativeMemory.Track();
        long before = NativeMemory.Current;
        var scope = NewDisposeScope();
        _ = zeros(Million, dtype: ScalarType.Float32);
        tracking.Dispose();
        Assert.IsTrue(NativeMemory.Current - before >= 4 * Million);
        scope.Dispose();
        Assert.IsTrue(NativeMemory.Current - before < 4 * Million, $"{NativeMemory.Current - before} bytes still counted");
    }

    [TestMethod]
    public void SetNumThreadsRoundTrips()
    {
        int original = get_num_threads();
        Assert.IsTrue(original >= 1);
        try
        {
            set_num_threads(1);
            Assert.AreEqual(1, get_num_threads());
            set_num_threads(3);
            Assert.AreEqual(3, get_num_threads());
        }
        finally
        {
            set_num_threads(original);
        }
        Assert.AreEqual(original, get_num_threads());
    }

    [TestMethod]
    public void SetNumThreadsRejectsZero()
    {
        var error = Assert.ThrowsExactly<System.Runtime.InteropServices.ExternalException>(() => set_num_threads(0));
        StringAssert.Contains(error.Message, "positive");
    }

    [TestMethod]
    public void TheCppAddLoopReturnsAPlausibleTimePerOp()
    {
        double nanoseconds = NativeDiagnostics.TimeAddNanoseconds(2000);
        // An ATen dispatch with a fresh output costs around a microsecond; anything outside
        // (10 ns, 1 ms) means the loop did not run or measured the wrong thing.
        Assert.IsTrue(nanoseconds > 10 && nanoseconds < 1e6, $"{nanoseconds} ns per add");
        Assert.ThrowsExactly<System.Runtime.InteropServices.ExternalException>(() => NativeDiagnostics.TimeAddNanoseconds(0));
    }

    [TestMethod]
    public void TheLibTorchVersionIsReported() =>
        StringAssert.Matches(NativeDiagnostics.LibTorchVersion, new System.Text.RegularExpressions.Regex(@"^\d+\.\d+"));
}
