using TorchLosses;
using TorchLossesTests.Support;

namespace TorchLossesTests.Losses;

/// <summary>
/// The new losses run in bfloat16 and float16 (the box losses promote them to float32, as torchvision): each result is
/// compared with the float64 result on the same (half-representable) inputs, with the loss tests' half-type tolerances
/// (bfloat16 1.6e-2, float16 2e-3, relative to the larger of 1 and the value).
/// </summary>
[TestClass]
public sealed class DetectionHalfPrecisionTests
{
    private static double Tolerance(ScalarType dtype) => Parity.Tolerance(dtype).rtol;

    private static double[] Values(Tensor t) => t.detach().to(ScalarType.Float64).flatten().data<double>().ToArray();

    private static void Compare(Func<ScalarType, Tensor> loss, string what)
    {
        using var scope = NewDisposeScope();
        var reference = Values(loss(ScalarType.Float64));
        foreach (var dtype in new[] { ScalarType.BFloat16, ScalarType.Float16 })
            ValueAssert.Close(reference, Values(loss(dtype)), Tolerance(dtype), $"{what} {dtype}");
    }

    /// <summary>Values exactly representable in bfloat16 (and so in float16): multiples of 1/16 in [−4, 4).</summary>
    private static Tensor Grid(int seed, ScalarType dtype, params long[] shape)
    {
        var random = new Random(seed);
        var values = new double[shape.Aggregate(1L, (a, b) => a * b)];
        for (int i = 0; i < values.Length; i++) values[i] = random.Next(-64, 64) / 16.0;
        return tensor(values, shape).to(dtype);
    }

    [TestMethod]
    public void FocalLossesInHalfTypes()
    {
        Compare(d => L.sigmoid_focal_loss(Grid(1, d, 4, 5), (Grid(2, d, 4, 5) > 0).to(d), reduction: R.None), "sigmoid_focal none");
        Compare(d => L.sigmoid_focal_loss(Grid(1, d, 4, 5), (Grid(2, d, 4, 5) > 0).to(d), reduction: R.Mean), "sigmoid_focal mean");
        Compare(d => L.softmax_focal_loss(Grid(3, d, 6, 4), tensor(new long[] { 0, 3, 1, 2, 2, 1 }), reduction: R.None), "softmax_focal none");
        Compare(d => L.softmax_focal_loss(Grid(3, d, 6, 4), tensor(new long[] { 0, 3, 1, 2, 2, 1 })), "softmax_focal mean");
    }

    [TestMethod]
    public void BalancedL1AndSegmentationLossesInHalfTypes()
    {
        Compare(d => L.balanced_l1_loss(Grid(4, d, 3, 4), Grid(5, d, 3, 4), reduction: R.None), "balanced_l1 none");
        Compare(d => L.balanced_l1_loss(Grid(4, d, 3, 4), Grid(5, d, 3, 4)), "balanced_l1 mean");
        var target = tensor(Enumerable.Range(0, 18).Select(i => (long)(i % 3)).ToArray(), new long[] { 2, 3, 3 });
        Compare(d => L.dice_loss(Grid(6, d, 2, 4, 3, 3), target, reduction: R.None), "dice none");
        Compare(d => L.jaccard_loss(Grid(6, d, 2, 4, 3, 3), target), "jaccard mean");
        Compare(d => L.tversky_loss(Grid(6, d, 2, 4, 3, 3), target, alpha: 0.3, beta: 0.7, gamma: 0.75), "focal tversky mean");
        Compare(d => L.dice_loss(Grid(7, d, 2, 1, 9), (Grid(8, d, 2, 9) > 0).to(d), SegmentationMode.Binary), "dice binary");
    }

    [TestMethod]
    public void BoxLossesPromoteHalfTypesToFloat32()
    {
        using var scope = NewDisposeScope();
        var p = tensor(new[] { 0.0, 0, 2, 1.5, -1, -1, 1, 1 }, new long[] { 2, 4 });
        var g = tensor(new[] { 0.5, 0.25, 2.5, 2, 0, 0, 1, 1 }, new long[] { 2, 4 });
        foreach (var dtype in new[] { ScalarType.BFloat16, ScalarType.Float16 })
        {
            var half = L.complete_box_iou_loss(p.to(dtype), g.to(dtype));
            Assert.AreEqual(ScalarType.Float32, half.dtype);
            CollectionAssert.AreEqual(Values(L.complete_box_iou_loss(p.to(ScalarType.Float32), g.to(ScalarType.Float32))), Values(half));
        }
    }
}
