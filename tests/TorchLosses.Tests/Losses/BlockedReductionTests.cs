using TorchLosses;
using TorchLossesTests.Support;
using static TorchLossesTests.Support.Parity;

namespace TorchLossesTests.Losses;

/// <summary>
/// The pointwise losses reduce contiguous operands of at least <see cref="PairwiseGradientFunction.MinimumBlockedBytes"/> block
/// by block (the inputs are read once, the temporaries stay in cache). Held here: every gradient is libtorch's to the bit (the
/// per-element work is the unblocked one), and the reduced value is as accurate as libtorch's own sum: both are within the
/// error bound of pairwise summation, (⌈log₂ N⌉ + 2)·ε·Σ|ℓᵢ| (÷ N for mean; the 2 covers the sum of the block sums and the
/// division), of the exact value computed in float64 from the float64 per-element losses of the same inputs.
/// </summary>
[TestClass]
public sealed class BlockedReductionTests
{
    /// <summary>Blocked in float32 and float64, and not a whole number of blocks.</summary>
    private static readonly long Count = PairwiseGradientFunction.MinimumBlockedBytes / sizeof(float) + 5;

    public static IEnumerable<object[]> Losses => PairwiseLosses.Names;

    private static (Tensor x, Tensor y) Operands(ScalarType dtype)
    {
        using var generator = new torch.Generator(7);
        var x = (torch.randn(new[] { Count }, generator: generator, dtype: ScalarType.Float64) * 2).to(dtype);
        var y = torch.randn(new[] { Count }, generator: generator, dtype: ScalarType.Float64).to(dtype);
        return (x, y);
    }

    /// <summary>
    /// Blocked gradients equal the unblocked ones (the same loss on a non-contiguous copy of the operands, which is not
    /// blocked) to the bit, and for L1 and MSE libtorch's too. Smooth L1 (β ≠ 1) and Huber are held to the unblocked
    /// gradient only: inside the quadratic zone their kernels round (norm·d)·g/β where the composition rounds (d/β)·norm·g,
    /// and Huber's kernel rounds its linear zone's δ·g/N differently in its vectorised body and its scalar tail (see
    /// SmoothL1LossTests' edge test, which holds the unblocked path to libtorch's where the two round alike).
    /// </summary>
    [TestMethod]
    [DynamicData(nameof(Losses))]
    public void GradientsAreTheUnblockedOnesAndLibtorchs(string name)
    {
        foreach (var dtype in Dtypes)
            foreach (var reduction in new[] { torch.nn.Reduction.Mean, torch.nn.Reduction.Sum })
                foreach (double upstream in new[] { 1.0, 0.37 })
                {
                    using var scope = NewDisposeScope();
                    var (x, y) = Operands(dtype);
                    Tensor[] Gradients(Func<string, Tensor, Tensor, torch.nn.Reduction, Tensor> loss, bool contiguous = true)
                    {
                        Tensor Leaf(Tensor t) => (contiguous ? t.clone() : torch.stack(new[] { t, t }, 1).select(1, 0)).requires_grad_();
                        var (xs, ys) = (Leaf(x), Leaf(y));
                        Assert.AreEqual(contiguous, xs.is_contiguous());
                        var value = loss(name, xs, ys, reduction);
                        value.backward(new[] { torch.full_like(value, upstream) });
                        return new[] { xs.grad!, ys.grad! };
                    }
                    var (native, blocked, unblocked) = (Gradients(PairwiseLosses.Native), Gradients(PairwiseLosses.Ours), Gradients(PairwiseLosses.Ours, contiguous: false));
                    for (int k = 0; k < 2; k++)
                    {
                        string what = $"{name} {dtype} {reduction} upstream {upstream}: gradient {k}";
                        Assert.IsTrue(unblocked[k].eq(blocked[k]).all().item<bool>(), $"{what} differs from the unblocked one");
                        if (name is "l1" or "mse") Assert.IsTrue(native[k].eq(blocked[k]).all().item<bool>(), $"{what} differs from libtorch's");
                    }
                }
    }

    [TestMethod]
    [DynamicData(nameof(Losses))]
    public void ValuesAreWithinThePairwiseSummationBoundAsLibtorchsAre(string name)
    {
        foreach (var dtype in Dtypes)
            foreach (var reduction in new[] { torch.nn.Reduction.Mean, torch.nn.Reduction.Sum })
                foreach (bool recorded in new[] { false, true })
                {
                    using var scope = NewDisposeScope();
                    var (x, y) = Operands(dtype);
                    var perElement = PairwiseLosses.Native(name, x.to(ScalarType.Float64), y.to(ScalarType.Float64), torch.nn.Reduction.None);
                    double exact = perElement.sum().item<double>(), magnitude = perElement.abs().sum().item<double>();
                    double epsilon = dtype == ScalarType.Float32 ? Math.Pow(2, -24) : Math.Pow(2, -53);
                    double bound = (Math.Ceiling(Math.Log2(Count)) + 2) * epsilon * magnitude;
                    if (reduction == torch.nn.Reduction.Mean) (exact, bound) = (exact / Count, bound / Count);
                    double ours = PairwiseLosses.Ours(name, recorded ? x.clone().requires_grad_() : x, y, reduction).to(ScalarType.Float64).item<double>();
                    double native = PairwiseLosses.Native(name, x, y, reduction).to(ScalarType.Float64).item<double>();
                    Assert.IsLessThanOrEqualTo(bound, Math.Abs(native - exact), $"{name} {dtype} {reduction}: libtorch's own error");
                    Assert.IsLessThanOrEqualTo(bound, Math.Abs(ours - exact),
                        $"{name} {dtype} {reduction} (recorded: {recorded}): {ours:R} vs exact {exact:R}, libtorch {native:R}");
                }
    }
}
