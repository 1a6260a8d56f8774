using static TorchLossesTests.Support.Parity;

namespace TorchLossesTests.Losses;

/// <summary>
/// NLL and cross entropy with many class-index targets, where the forward reads the targets' scores of a 2-D contiguous
/// input with index_select at i·C + yᵢ instead of gather (from 4096 targets), and the target range check runs on the
/// targets' minimum and maximum: values and gradients against libtorch, the first out-of-range target named, ignore
/// indices inside the class range, uint8 and strided targets.
/// </summary>
[TestClass]
public sealed class ManyClassTargetsTests
{
    private const long Rows = 5000;   // above the 4096 targets from which the flat read is taken
    private const long Classes = 7;

    /// <summary>Same shape, dtype and every value equal (no NaN arises here).</summary>
    private static bool Identical(Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.eq(b).all().item<bool>();

    private static Tensor Targets(int seed, long rows = Rows, long classes = Classes)
    {
        var random = new Random(seed);
        var values = new long[rows];
        for (int i = 0; i < values.Length; i++) values[i] = random.NextInt64(classes);
        return tensor(values);
    }

    [TestMethod]
    public void ManyTargetsMatchLibtorch() => InBothGradientModes(() =>
    {
        var y = Targets(1);
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
            {
                AssertSame(a => L.nll_loss(a[0], y, null, -100, reduction), a => N.nll_loss(a[0], y, null, reduction, -100),
                    Normal(3, dtype, true, Rows, Classes));
                AssertSame(a => L.cross_entropy(a[0], y, null, -100, reduction), a => N.cross_entropy(a[0], y, null, -100, reduction),
                    Normal(4, dtype, true, Rows, Classes));
            }
    });

    [TestMethod]
    public void PlainTargetsGiveLibtorchsGradientsBitForBit()
    {
        // Without a weight or an ignored target the default mode records the pick and the reduction (and cross entropy's
        // log_softmax) as libtorch's own nodes: the input gradient equals libtorch's to the bit, under a random upstream, for
        // 4 targets (gather), 5000 targets (index_select on the flat scores), a K-dimensional input and one unbatched row. The
        // value is held to the dtype's tolerance: libtorch's nll kernels add the picked scores in an order of their own (runs of
        // 16 in sequence, then a cascade), libtorch's sum in another, so the last bits of the total can differ.
        var cases = new (long[] shape, Tensor target)[]
        {
            (new[] { 4L, Classes }, tensor(new long[] { 0, 6, 2, 2 })),
            (new[] { Rows, Classes }, Targets(7)),
            (new[] { 2L, Classes, 3 }, tensor(new long[] { 0, 1, 6, 4, 5, 2 }, new long[] { 2, 3 })),
            (new[] { Classes }, tensor(4L)),
        };
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
                foreach (var (shape, y) in cases)
                    foreach (bool logits in new[] { false, true })
                    {
                        using var scope = NewDisposeScope();
                        var input = Normal(8, dtype, false, shape);
                        if (!logits) input = input.log_softmax(shape.Length == 1 ? 0 : 1);
                        (Tensor value, Tensor gradient) Run(Func<Tensor, Tensor> loss)
                        {
                            var x = input.detach().requires_grad_();
                            var value = loss(x);
                            var upstream = torch.rand(value.shape, generator: new torch.Generator(9)).to(dtype).add_(0.37);
                            return (value.detach(), torch.autograd.grad(new[] { value }, new[] { x }, new[] { upstream })[0]);
                        }
                        var ours = Run(x => logits ? L.cross_entropy(x, y, null, -100, reduction) : L.nll_loss(x, y, null, -100, reduction));
                        var theirs = Run(x => logits ? N.cross_entropy(x, y, null, -100, reduction) : N.nll_loss(x, y, null, reduction, -100));
                        string what = $"{(logits ? "cross_entropy" : "nll")} {dtype} {reduction} [{string.Join(", ", shape)}]";
                        AssertClose(theirs.value, ours.value, $"{what}: value");
                        Assert.IsTrue(Identical(theirs.gradient, ours.gradient), $"{what}: gradient");
                    }
    }

    [TestMethod]
    public void ManyTargetsOfAStridedInputMatchLibtorch() => InBothGradientModes(() =>
    {
        // The transposed input is not contiguous, so the scores are read with gather.
        var y = Targets(2);
        foreach (var reduction in AllReductions)
            AssertSame(a => L.nll_loss(a[0].t(), y, null, -100, reduction), a => N.nll_loss(a[0].t(), y, null, reduction, -100),
                Normal(5, ScalarType.Float64, true, Classes, Rows));
    });

    [TestMethod]
    public void ForwardWithoutGradientEqualsTheRecordedForward()
    {
        // The forward alone (no graph) and the forward of the custom function read the same entries and reduce them alike.
        using var scope = NewDisposeScope();
        var y = Targets(3);
        var x = Normal(6, ScalarType.Float32, false, Rows, Classes).log_softmax(1);
        foreach (var reduction in AllReductions)
        {
            var plain = L.nll_loss(x, y, reduction: reduction);
            var recorded = L.nll_loss(x.detach().requires_grad_(true), y, reduction: reduction).detach();
            Assert.IsTrue(Identical(plain, recorded), $"{reduction}");
        }
    }

    [TestMethod]
    public void TheFirstTargetOutOfRangeIsNamed()
    {
        using var scope = NewDisposeScope();
        var x = zeros(Rows, Classes);
        foreach (var (first, second) in new[] { (9L, -3L), (-3L, 9L), (7L, 100L) })
        {
            var y = Targets(4);
            y[3000] = tensor(first);
            y[4000] = tensor(second);
            var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.nll_loss(x, y));
            StringAssert.StartsWith(error.Message, $"Target {first} is out of bounds.");
            Assert.AreEqual("target", error.ParamName);
            StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.cross_entropy(x, y, ignore_index: second)).Message,
                $"Target {first} is out of bounds.");
        }
    }

    [TestMethod]
    public void TargetsBeyondOneSpanAreCheckedSpanBySpanInOrder()
    {
        // More targets than a span holds (2³¹ bytes) are read in spans; here spans of 3 targets stand in for them: an ignore
        // index found in any span counts, and the first target out of range is the one named, though a later span holds another.
        using var scope = NewDisposeScope();
        Assert.IsFalse(TorchLosses.ClassTargets.CheckRangeOnHost(tensor(new long[] { 0, 1, 2, 3, 4, 0, 1 }), 5, -100, spanElements: 3));
        Assert.IsTrue(TorchLosses.ClassTargets.CheckRangeOnHost(tensor(new long[] { 0, 1, 2, 3, 4, 0, 9 }), 5, 9, spanElements: 3));
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            TorchLosses.ClassTargets.CheckRangeOnHost(tensor(new long[] { 0, 1, 2, 3, 7, 0, -4 }), 5, -100, spanElements: 3));
        StringAssert.StartsWith(error.Message, "Target 7 is out of bounds.");
    }

    [TestMethod]
    public void AnIgnoreIndexInsideTheClassRangeIsFound() => InBothGradientModes(() =>
    {
        // ignore_index 3 lies between the least and the greatest target: the targets equal to it are ignored.
        var y = Targets(5);
        Assert.IsTrue(y.eq(3L).any().item<bool>());
        foreach (var reduction in AllReductions)
        {
            AssertSame(a => L.nll_loss(a[0], y, null, 3, reduction), a => N.nll_loss(a[0], y, null, reduction, 3),
                Normal(7, ScalarType.Float64, true, Rows, Classes));
            AssertSame(a => L.cross_entropy(a[0], y, null, 3, reduction), a => N.cross_entropy(a[0], y, null, 3, reduction),
                Normal(8, ScalarType.Float64, true, Rows, Classes));
        }
        // ignore_index 6 with targets in [0, 5]: nothing is ignored.
        var low = Targets(6, classes: Classes - 1);
        AssertSame(a => L.nll_loss(a[0], low, null, 6, R.Mean), a => N.nll_loss(a[0], low, null, R.Mean, 6),
            Normal(9, ScalarType.Float64, true, Rows, Classes));
    });

    [TestMethod]
    public void ManyUint8AndStridedTargetsAreReadInOrder()
    {
        using var scope = NewDisposeScope();
        var x = Normal(10, ScalarType.Float64, false, Rows, Classes);
        var y = Targets(7);
        var expected = N.nll_loss(x, y, null, R.None, -100);
        Assert.IsTrue(Identical(L.nll_loss(x, y.to(ScalarType.Byte), reduction: R.None), expected));
        // Every other entry of a longer target tensor: a strided view.
        var spread = stack(new[] { y, full(Rows, 100L) }, 1).flatten();
        var strided = spread.slice(0, 0, 2 * Rows, 2);
        Assert.IsFalse(strided.is_contiguous());
        Assert.IsTrue(Identical(L.nll_loss(x, strided, reduction: R.None), expected));
        var bad = spread.slice(0, 1, 2 * Rows, 2);   // every entry 100
        StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.nll_loss(x, bad)).Message, "Target 100 is out of bounds.");
    }
}
