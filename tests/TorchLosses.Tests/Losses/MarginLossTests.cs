using static TorchLossesTests.Support.Parity;

namespace TorchLossesTests.Losses;

/// <summary>Hinge embedding, soft margin and multilabel soft margin: values, kinks, gradients, identities, errors.</summary>
[TestClass]
public sealed class MarginLossTests
{
    private static readonly long[] Shape34 = { 3, 4 };

    // Labels ±1 plus the "other" values PyTorch treats as neither (0, 0.5, 2).
    private static readonly double[] Labels = { 1, -1, -1, 1, 0, 0.5, 2, -1, 1, -1, 1, -1 };

    private static void Throws<TException>(Action call, string message) where TException : Exception =>
        StringAssert.StartsWith(Assert.ThrowsExactly<TException>(call).Message, message);

    // ---- hinge embedding ----------------------------------------------------------------------

    [TestMethod]
    public void HingeByHandInEveryRegime()
    {
        // margin 1: y = 1 → x; y = −1 → max(0, 1 − x) (x = 2: 0, x = 0.5: 0.5, x = 1 exactly: 0);
        // y = 0 → x + max(0, 1 − x) = −1 + 2 = 1.
        // Gradient: y = 1 → 1; y = −1 → −1 where 1 − x ≥ 0 (the kink x = 1 passes: −1), 0 at x = 2; y = 0 → 1 − 1 = 0.
        using var scope = NewDisposeScope();
        var x = T(new[] { 0.3, 2.0, 0.5, 1.0, -1.0 });
        var y = T(new[] { 1.0, -1, -1, -1, 0 }, grad: true);
        var loss = L.hinge_embedding_loss(x, y, reduction: R.None);
        CollectionAssert.AreEqual(new[] { 0.3, 0.0, 0.5, 0.0, 1.0 }, loss.detach().data<double>().ToArray());
        loss.sum().backward();
        CollectionAssert.AreEqual(new[] { 1.0, 0, -1, -1, 0 }, x.grad!.data<double>().ToArray());
        Assert.IsNull(y.grad, "the target only selects branches; PyTorch gives it no gradient");
        Assert.AreEqual(1.8 / 5, L.hinge_embedding_loss(x, y).item<double>(), 1e-15);
    }

    [TestMethod]
    public void HingeMatchesLibtorch()
    {
        var x = new[] { 0.3, 2.0, 0.5, 1.0, -1.0, 1.5, -0.5, 0.0, 3.0, 0.75, 1.0, -2.0 };
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
                foreach (var margin in new[] { 1.0, 0.0, -0.5, 0.75, 2.5 })
                {
                    AssertSame(a => L.hinge_embedding_loss(a[0], a[1], margin, reduction),
                        a => N.hinge_embedding_loss(a[0], a[1], margin, reduction), T(x, dtype), T(Labels, dtype));
                    // Silent broadcasting both ways.
                    AssertSame(a => L.hinge_embedding_loss(a[0], a[1], margin, reduction),
                        a => N.hinge_embedding_loss(a[0], a[1], margin, reduction), T(x, dtype, shape: Shape34), T(Labels[..4], dtype));
                    AssertSame(a => L.hinge_embedding_loss(a[0], a[1], margin, reduction),
                        a => N.hinge_embedding_loss(a[0], a[1], margin, reduction), T(x[..4], dtype), T(Labels, dtype, shape: Shape34));
                }
    }

    [TestMethod]
    public void HingeSpecialValuesMatchLibtorch()
    {
        var x = new[] { double.NaN, double.NaN, double.PositiveInfinity, double.PositiveInfinity, double.NegativeInfinity, double.NegativeInfinity, 0.5 };
        var y = new[] { 1.0, -1, 1, -1, 1, -1, double.NaN };
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
                AssertSame(a => L.hinge_embedding_loss(a[0], a[1], 1.0, reduction), a => N.hinge_embedding_loss(a[0], a[1], 1.0, reduction),
                    T(x, dtype), T(y, dtype));
    }

    [TestMethod]
    public void HingeOnIntegersFillsTheMarginInTheInputType()
    {
        // libtorch fills Δ into the input's type before subtracting: Δ = −1.5 becomes −1 for int64.
        using var scope = NewDisposeScope();
        var x = tensor(new long[] { -3, 0, 2, 5 });
        var y = tensor(new[] { -1.0, -1, 0, 1 });
        foreach (var margin in new[] { 1.5, -1.5, 4.0 })
            foreach (var reduction in new[] { R.None, R.Sum })
                AssertClose(N.hinge_embedding_loss(x, y, margin, reduction), L.hinge_embedding_loss(x, y, margin, reduction), $"int64, margin {margin}");
    }

    [TestMethod]
    public void HingeOnNegativesIsMarginRankingAgainstZero()
    {
        using var scope = NewDisposeScope();
        var x = Normal(11, ScalarType.Float64, false, 12);
        var negatives = -ones(12, ScalarType.Float64);
        foreach (var margin in new[] { 0.5, 1.0, 2.0 })
            AssertClose(N.margin_ranking_loss(x, zeros(12, ScalarType.Float64), ones(12, ScalarType.Float64), margin, R.None),
                L.hinge_embedding_loss(x, negatives, margin, R.None), $"hinge(y = −1) vs margin ranking, margin {margin}");
        AssertClose(x, L.hinge_embedding_loss(x, ones(12, ScalarType.Float64), 1.0, R.None), "hinge(y = 1) is x");
    }

    [TestMethod]
    public void HingeDefaultsToPyTorchsMarginAndModuleEqualsFunctional()
    {
        using var scope = NewDisposeScope();
        var x = T(new[] { 0.25, 0.5, 3.0 }, grad: false);
        var y = T(new[] { -1.0, -1, 1 }, grad: false);
        Assert.AreEqual((0.75 + 0.5 + 3.0) / 3, L.hinge_embedding_loss(x, y).item<double>(), 1e-15);
        Assert.AreEqual(1.0, TorchLosses.nn.HingeEmbeddingLoss().margin);
        AssertClose(L.hinge_embedding_loss(x, y, 0.3, R.Sum), TorchLosses.nn.HingeEmbeddingLoss(0.3, R.Sum).call(x, y), "module");
        AssertClose(L.hinge_embedding_loss(x, y, 0.3, R.Sum), TorchLosses.nn.HingeEmbeddingLoss(0.3, size_average: false).call(x, y), "legacy module");
        AssertClose(L.hinge_embedding_loss(x, y, 0.3, R.None), L.hinge_embedding_loss(x, y, 0.3, null, reduce: false), "legacy functional");
    }

    [TestMethod]
    public void HingeErrors()
    {
        using var scope = NewDisposeScope();
        Throws<ArgumentException>(() => L.hinge_embedding_loss(zeros(3), zeros(4)),
            "The size of tensor a (4) must match the size of tensor b (3) at non-singleton dimension 0");
        Throws<ArgumentOutOfRangeException>(() => L.hinge_embedding_loss(zeros(3), zeros(4), reduction: (R)5), "5 is not a valid value for reduction");
    }

    // ---- soft margin --------------------------------------------------------------------------

    [TestMethod]
    public void SoftMarginByHand()
    {
        // x·y = 0 → log 2, gradient −y/2; x = 2, y = −1 → log(1 + e²), gradient e²/(1 + e²).
        using var scope = NewDisposeScope();
        var x = T(new[] { 0.0, 0.0, 2.0 });
        var y = T(new[] { 1.0, -1, -1 }, grad: false);
        var loss = L.soft_margin_loss(x, y, R.Sum);
        Assert.AreEqual(2 * Math.Log(2) + Math.Log(1 + Math.Exp(2)), loss.item<double>(), 1e-15);
        loss.backward();
        var g = x.grad!.data<double>().ToArray();
        Assert.AreEqual(-0.5, g[0]);
        Assert.AreEqual(0.5, g[1]);
        Assert.AreEqual(Math.Exp(2) / (1 + Math.Exp(2)), g[2], 1e-15);
    }

    [TestMethod]
    public void SoftMarginMatchesLibtorch()
    {
        var x = new[] { 0.3, 2.0, -0.5, 1.0, -1.0, 1.5, -3.5, 0.0, 3.0, 0.75, 10.0, -2.0 };
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
            {
                AssertSame(a => L.soft_margin_loss(a[0], a[1], reduction), a => N.soft_margin_loss(a[0], a[1], reduction),
                    T(x, dtype), T(Labels, dtype, false));
                // The target may broadcast up to the input's shape.
                AssertSame(a => L.soft_margin_loss(a[0], a[1], reduction), a => N.soft_margin_loss(a[0], a[1], reduction),
                    T(x, dtype, shape: Shape34), T(Labels[..4], dtype, false));
            }
        // A float64 target with a float32 input: the product is rounded to float32, as libtorch's in-place kernel does.
        foreach (var reduction in AllReductions)
            AssertSame(a => L.soft_margin_loss(a[0], a[1], reduction), a => N.soft_margin_loss(a[0], a[1], reduction),
                T(x, ScalarType.Float32), T(Labels, ScalarType.Float64, false));
        AssertSame(a => L.soft_margin_loss(a[0], a[1], R.Mean), a => N.soft_margin_loss(a[0], a[1], R.Mean),
            T(x, ScalarType.BFloat16), T(Labels, ScalarType.BFloat16, false));
    }

    [TestMethod]
    public void SoftMarginOverflowAndUnderflowLikeLibtorch()
    {
        // libtorch 2.10's log1p(exp(−y·x)): float32 y·x = 17 gives e^−17 ≈ 4.14e-8 (PyTorch 1.13's log(1 + e) gave 0),
        // −y·x = 89 gives +∞ and a NaN gradient. float64: −y·x = 709 is finite, 710 overflows.
        var x = new[] { 17.0, 20, 40, -88, -89, -709, -710, -1000, 0 };
        var y = new[] { 1.0, 1, 1, 1, 1, 1, 1, 1, 1 };
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
                AssertSame(a => L.soft_margin_loss(a[0], a[1], reduction), a => N.soft_margin_loss(a[0], a[1], reduction),
                    T(x, dtype), T(y, dtype, false));
        using var scope = NewDisposeScope();
        var f = T(x, ScalarType.Float32);
        var loss = L.soft_margin_loss(f, T(y, ScalarType.Float32, false), R.None);
        var values = loss.detach().data<float>().ToArray();
        Assert.AreEqual(Math.Exp(-17), values[0], 1e-6 * Math.Exp(-17), "log1p keeps the small value");
        Assert.AreEqual(float.PositiveInfinity, values[4]);
        loss.sum().backward();
        Assert.IsTrue(float.IsNaN(f.grad!.data<float>()[4]), "∞/∞ in the gradient, as libtorch");
        var d = L.soft_margin_loss(T(x, ScalarType.Float64, false), T(y, ScalarType.Float64, false), R.None).data<double>().ToArray();
        Assert.AreEqual(709.0, d[5], 1e-12);
        Assert.AreEqual(double.PositiveInfinity, d[6]);
    }

    [TestMethod]
    public void SoftMarginSpecialValuesMatchLibtorch()
    {
        var x = new[] { double.NaN, double.PositiveInfinity, double.PositiveInfinity, double.NegativeInfinity, double.NegativeInfinity, 1.0, 0.0 };
        var y = new[] { 1.0, 1, -1, 1, -1, double.NaN, double.PositiveInfinity };
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
                AssertSame(a => L.soft_margin_loss(a[0], a[1], reduction), a => N.soft_margin_loss(a[0], a[1], reduction),
                    T(x, dtype), T(y, dtype, false));
    }

    [TestMethod]
    public void SoftMarginIsBceWithLogitsOfTheZeroOneLabels()
    {
        using var scope = NewDisposeScope();
        var x = Normal(5, ScalarType.Float64, false, 3, 4) * 3;
        var y = tensor(new[] { 1.0, -1, -1, 1, 1, 1, -1, -1, 1, -1, 1, -1 }, Shape34);
        var bce = N.binary_cross_entropy_with_logits(x, (y + 1) / 2, reduction: R.None);
        AssertClose(bce, L.soft_margin_loss(x, y, R.None), "soft margin vs BCE with logits");
    }

    [TestMethod]
    public void SoftMarginErrors()
    {
        using var scope = NewDisposeScope();
        var x = zeros(4);
        Throws<ArgumentException>(() => L.soft_margin_loss(x, zeros(4).requires_grad_()),
            "The function 'soft_margin_loss' is not differentiable with respect to argument 'target'. This input cannot have requires_grad True.");
        Throws<ArgumentException>(() => L.soft_margin_loss(x, zeros(3, 4)), "output with shape [4] doesn't match the broadcast shape [3, 4]");
        Throws<ArgumentException>(() => L.soft_margin_loss(x, zeros(5)), "The size of tensor a (4) must match the size of tensor b (5) at non-singleton dimension 0");
        Throws<ArgumentException>(() => L.soft_margin_loss(zeros(4, ScalarType.Int64), zeros(4, ScalarType.Int64)),
            "result type Float can't be cast to the desired output type Long");
        Throws<ArgumentException>(() => L.soft_margin_loss(zeros(4, ScalarType.Int32), zeros(4, ScalarType.Float64)),
            "result type Double can't be cast to the desired output type Int");
        Throws<ArgumentException>(() => L.soft_margin_loss(zeros(4, ScalarType.Bool), zeros(4, ScalarType.Bool)),
            "Negation, the `-` operator, on a bool tensor is not supported.");
        Throws<ArgumentOutOfRangeException>(() => L.soft_margin_loss(x, zeros(3, 4), (R)9), "9 is not a valid value for reduction");
        // The requires-grad check is libtorch's autograd check: off under no_grad, as in PyTorch. An int64 target is accepted.
        using (no_grad())
            Assert.AreEqual(Math.Log(2), L.soft_margin_loss(x, zeros(4).requires_grad_()).item<float>(), 1e-7);
        Assert.AreEqual(Math.Log(2), L.soft_margin_loss(x, zeros(4, ScalarType.Int64)).item<float>(), 1e-7);
    }

    [TestMethod]
    public void SoftMarginModuleEqualsFunctional()
    {
        using var scope = NewDisposeScope();
        var x = Normal(2, ScalarType.Float64, false, 3, 4);
        var y = tensor(Labels, Shape34);
        AssertClose(L.soft_margin_loss(x, y, R.Sum), TorchLosses.nn.SoftMarginLoss(R.Sum).call(x, y), "module");
        AssertClose(L.soft_margin_loss(x, y, R.None), TorchLosses.nn.SoftMarginLoss(null, reduce: false).call(x, y), "legacy module");
        AssertClose(L.soft_margin_loss(x, y, R.Sum), L.soft_margin_loss(x, y, size_average: false, reduce: null), "legacy functional");
    }

    // ---- multilabel soft margin ---------------------------------------------------------------

    [TestMethod]
    public void MultiLabelSoftMarginByHand()
    {
        // x = 0 everywhere: every element costs log 2; weight [1, 2, 3] on C = 3 gives 6·log 2 / 3 per row.
        // Gradient at x = 0: w·(σ(0) − y)/C = w·(0.5 − y)/3.
        using var scope = NewDisposeScope();
        var x = T(new double[6], shape: new long[] { 2, 3 });
        var y = T(new[] { 1.0, 0, 1, 0, 0, 1 }, grad: false, shape: new long[] { 2, 3 });
        var w = tensor(new[] { 1.0, 2, 3 });
        var loss = L.multilabel_soft_margin_loss(x, y, w, R.None);
        CollectionAssert.AreEqual(new[] { 2 * Math.Log(2), 2 * Math.Log(2) }, loss.detach().data<double>().ToArray());
        loss.sum().backward();
        CollectionAssert.AreEqual(new[] { -0.5 / 3, 1.0 / 3, -0.5, 0.5 / 3, 1.0 / 3, -0.5 }, x.grad!.data<double>().ToArray());
    }

    [TestMethod]
    public void MultiLabelSoftMarginMatchesLibtorch()
    {
        var shapes = new[] { new long[] { 5 }, new long[] { 3, 5 }, new long[] { 2, 3, 5 } };
        foreach (var dtype in Dtypes)
            foreach (var shape in shapes)
                foreach (var reduction in AllReductions)
                    foreach (var weighted in new[] { false, true })
                    {
                        // Soft labels in [0, 1] that require grad, and a weight that requires grad (the Python loss differentiates both).
                        var y = Normal(3, dtype, false, shape).sigmoid().requires_grad_();
                        var inputs = weighted
                            ? new[] { Normal(8, dtype, true, shape) * 3, y, T(new[] { 0.5, 1, 2, 0.25, 3 }, dtype) }
                            : new[] { Normal(8, dtype, true, shape) * 3, y };
                        AssertSame(a => L.multilabel_soft_margin_loss(a[0], a[1], weighted ? a[2] : null, reduction),
                            a => N.multilabel_soft_margin_loss(a[0], a[1], weighted ? a[2] : null, reduction), inputs);
                    }
    }

    [TestMethod]
    public void MultiLabelSoftMarginSpecialValuesMatchLibtorch()
    {
        // x = +∞ with y = 1 is NaN (0·−∞), as in PyTorch; C = 0 is NaN per sample.
        var x = new[] { double.PositiveInfinity, double.PositiveInfinity, double.NegativeInfinity, double.NaN, 1e4, -1e4 };
        var y = new[] { 1.0, 0, 1, 1, 0, 0 };
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
            {
                AssertSame(a => L.multilabel_soft_margin_loss(a[0], a[1], null, reduction), a => N.multilabel_soft_margin_loss(a[0], a[1], null, reduction),
                    T(x, dtype, shape: new long[] { 2, 3 }), T(y, dtype, shape: new long[] { 2, 3 }));
                AssertSame(a => L.multilabel_soft_margin_loss(a[0], a[1], null, reduction),
                    a => N.multilabel_soft_margin_loss(a[0], a[1], null, reduction),
                    T(Array.Empty<double>(), dtype, shape: new long[] { 2, 0 }), T(Array.Empty<double>(), dtype, shape: new long[] { 2, 0 }));
            }
    }

    [TestMethod]
    public void MultiLabelSoftMarginIsTheClassMeanOfBceWithLogits()
    {
        using var scope = NewDisposeScope();
        foreach (var shape in new[] { new long[] { 6 }, new long[] { 4, 6 }, new long[] { 2, 3, 6 } })
        {
            var x = Normal(21, ScalarType.Float64, false, shape) * 4;
            var y = Normal(22, ScalarType.Float64, false, shape).sigmoid();
            var bce = N.binary_cross_entropy_with_logits(x, y, reduction: R.None).mean(new[] { -1L });
            AssertClose(bce, L.multilabel_soft_margin_loss(x, y, reduction: R.None), $"class-mean of BCE with logits, shape [{string.Join(", ", shape)}]");
        }
    }

    [TestMethod]
    public void MultiLabelSoftMarginErrors()
    {
        using var scope = NewDisposeScope();
        Throws<ArgumentException>(() => L.multilabel_soft_margin_loss(zeros(Array.Empty<long>()), zeros(Array.Empty<long>())),
            "Dimension specified as -1 but tensor has no dimensions");
        Throws<ArgumentException>(() => L.multilabel_soft_margin_loss(zeros(Array.Empty<long>()), zeros(Array.Empty<long>()), reduction: (R)5),
            "Dimension specified as -1 but tensor has no dimensions");
        Throws<ArgumentException>(() => L.multilabel_soft_margin_loss(zeros(2, 3), zeros(2, 4)),
            "The size of tensor a (4) must match the size of tensor b (3) at non-singleton dimension 1");
        Throws<ArgumentException>(() => L.multilabel_soft_margin_loss(zeros(2, 3), zeros(2, 3), ones(4)),
            "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1");
        Throws<ArgumentOutOfRangeException>(() => L.multilabel_soft_margin_loss(zeros(2, 3), zeros(2, 3), reduction: (R)5), "5 is not valid");
    }

    [TestMethod]
    public void MultiLabelSoftMarginAveragesOverTheInputsLastDimension()
    {
        // As in PyTorch, the class dimension is input.dim() − 1 counted in the broadcast loss: input (3) with
        // target (2, 3) sums the loss over its dimension 0 and divides by 3.
        using var scope = NewDisposeScope();
        var loss = L.multilabel_soft_margin_loss(zeros(3, ScalarType.Float64), zeros(2, 3, ScalarType.Float64), reduction: R.None);
        CollectionAssert.AreEqual(new long[] { 3 }, loss.shape);
        Assert.AreEqual(2 * Math.Log(2) / 3, loss.data<double>()[0], 1e-15);
        var int64Target = L.multilabel_soft_margin_loss(zeros(2, 3), zeros(new long[] { 2, 3 }, ScalarType.Int64), reduction: R.None);
        Assert.AreEqual(ScalarType.Float32, int64Target.dtype);
    }

    [TestMethod]
    public void MultiLabelSoftMarginModuleEqualsFunctional()
    {
        using var scope = NewDisposeScope();
        var x = Normal(4, ScalarType.Float64, false, 3, 4);
        var y = Normal(6, ScalarType.Float64, false, 3, 4).sigmoid();
        var w = tensor(new[] { 1.0, 0.5, 2, 3 });
        AssertClose(L.multilabel_soft_margin_loss(x, y, w, R.Sum), TorchLosses.nn.MultiLabelSoftMarginLoss(w, R.Sum).call(x, y), "module");
        AssertClose(L.multilabel_soft_margin_loss(x, y, w, R.None), TorchLosses.nn.MultiLabelSoftMarginLoss(w, null, reduce: false).call(x, y), "legacy module");
        AssertClose(L.multilabel_soft_margin_loss(x, y, null, R.Sum), L.multilabel_soft_margin_loss(x, y, null, size_average: false), "legacy functional");
    }

    // ---- all three ----------------------------------------------------------------------------

    [TestMethod]
    public void EmptyInputsMatchLibtorch()
    {
        // mean of nothing is NaN, sum is 0, none is empty; the gradients are empty.
        var empty = Array.Empty<double>();
        var shape = new long[] { 0, 4 };
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
            {
                AssertSame(a => L.hinge_embedding_loss(a[0], a[1], 1.0, reduction), a => N.hinge_embedding_loss(a[0], a[1], 1.0, reduction),
                    T(empty, dtype, shape: shape), T(empty, dtype, shape: shape));
                AssertSame(a => L.soft_margin_loss(a[0], a[1], reduction), a => N.soft_margin_loss(a[0], a[1], reduction),
                    T(empty, dtype, shape: shape), T(empty, dtype, false, shape));
                AssertSame(a => L.multilabel_soft_margin_loss(a[0], a[1], null, reduction),
                    a => N.multilabel_soft_margin_loss(a[0], a[1], null, reduction), T(empty, dtype, shape: shape), T(empty, dtype, shape: shape));
            }
    }

    [TestMethod]
    public void BFloat16AndFloat16MatchLibtorch()
    {
        // libtorch 2.10 has float16 CPU kernels for clamp_min, exp, log1p and log_sigmoid (1.13 had none): all three losses
        // run in float16 there, values and gradients, and so do the compositions.
        var x = new[] { 0.3, 2.0, -0.5, 1.0, -1.0, 1.5, -3.5, 0.0, 3.0, 0.75, 10.0, -2.0 };
        var soft = new[] { 1.0, 0, 1, 0.5, 0, 1, 1, 0, 0.25, 1, 0, 1 };
        foreach (var dtype in new[] { ScalarType.BFloat16, ScalarType.Float16 })
            foreach (var reduction in AllReductions)
            {
                AssertSame(a => L.hinge_embedding_loss(a[0], a[1], 1.0, reduction), a => N.hinge_embedding_loss(a[0], a[1], 1.0, reduction),
                    T(x, dtype), T(Labels, dtype));
                AssertSame(a => L.soft_margin_loss(a[0], a[1], reduction), a => N.soft_margin_loss(a[0], a[1], reduction),
                    T(x, dtype), T(Labels, dtype, false));
                AssertSame(a => L.multilabel_soft_margin_loss(a[0], a[1], null, reduction),
                    a => N.multilabel_soft_margin_loss(a[0], a[1], null, reduction), T(x, dtype, shape: Shape34), T(soft, dtype, shape: Shape34));
            }
    }
}
