using static TorchLossesTests.Support.Parity;

namespace TorchLossesTests.Losses;

/// <summary>Multi-margin and multilabel-margin: the strict kink, shapes, targets, empty batches, errors.</summary>
[TestClass]
public sealed class MultiClassMarginLossTests
{
    private static readonly double[] Row = { 0.1, 0.2, 0.4, 0.8 };

    private static void Throws<TException>(Action call, string message) where TException : Exception =>
        StringAssert.StartsWith(Assert.ThrowsExactly<TException>(call).Message, message);

    private static Tensor Longs(long[] values, params long[] shape) => tensor(values, shape.Length == 0 ? new[] { (long)values.Length } : shape);

    private static Tensor Scalar0(double value, ScalarType dtype) => tensor(value).to(dtype).requires_grad_();

    // ---- multi-margin -------------------------------------------------------------------------

    [TestMethod]
    public void MultiMarginByHand()
    {
        // Target 3, Δ = 1: z = 1 − 0.8 + [0.1, 0.2, 0.4] = [0.3, 0.4, 0.6]; p = 1: 1.3/4; p = 2: 0.61/4;
        // weight w[3] = 2 doubles it. Gradient (p = 1, sum): +1/4 for each active j, −3/4 at the target.
        using var scope = NewDisposeScope();
        var y = Longs(new long[] { 3 });
        var x = T(Row, shape: new long[] { 1, 4 });
        var loss = L.multi_margin_loss(x, y, reduction: R.Sum);
        Assert.AreEqual(1.3 / 4, loss.item<double>(), 1e-15);
        loss.backward();
        CollectionAssert.AreEqual(new[] { 0.25, 0.25, 0.25, -0.75 }, x.grad!.data<double>().ToArray());
        Assert.AreEqual(0.61 / 4, L.multi_margin_loss(x, y, p: 2).item<double>(), 1e-15);
        Assert.AreEqual(2 * 1.3 / 4, L.multi_margin_loss(x, y, weight: tensor(new[] { 1.0, 1, 1, 2 })).item<double>(), 1e-15);
        // Mean divides by N, not by the weights: two samples with w[y] = 2 and 4.
        var two = T(new[] { 0.0, 1, 1, 0 }, shape: new long[] { 2, 2 });
        var mean = L.multi_margin_loss(two, Longs(new long[] { 0, 1 }), weight: tensor(new[] { 2.0, 4.0 }));
        Assert.AreEqual((2 * 2.0 / 2 + 4 * 2.0 / 2) / 2, mean.item<double>(), 1e-15);
    }

    [TestMethod]
    public void MultiMarginGivesNoGradientAtTheKink()
    {
        // z = 1 − 1 + 0 = 0 exactly for j = 0 (strict: inactive), z = 1 − 1 + 0.5 > 0 for j = 1.
        using var scope = NewDisposeScope();
        var y = Longs(new long[] { 2 });
        foreach (var p in new[] { 1, 2 })
        {
            var x = T(new[] { 0.0, 0.5, 1.0 }, shape: new long[] { 1, 3 });
            L.multi_margin_loss(x, y, p, reduction: R.Sum).backward();
            // p = 1: ±1/3; p = 2: ±2·0.5/3, the same numbers here.
            CollectionAssert.AreEqual(new[] { 0.0, 1.0 / 3, -1.0 / 3 }, x.grad!.data<double>().ToArray(), $"p = {p}");
            AssertSame(a => L.multi_margin_loss(a[0], y, p, 1.0, null, R.Sum), a => N.multi_margin_loss(a[0], y, p, 1.0, null, R.Sum),
                T(new[] { 0.0, 0.5, 1.0 }, shape: new long[] { 1, 3 }));
        }
    }

    [TestMethod]
    public void MultiMarginMatchesLibtorch()
    {
        var y = Longs(new long[] { 0, 3, 1, 4, 2, 4 });
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
                foreach (var p in new[] { 1, 2 })
                    foreach (var margin in new[] { 1.0, 0.0, -0.5, 2.5 })
                        foreach (var weighted in new[] { false, true })
                        {
                            Tensor? w = weighted ? T(new[] { 0.5, 1, 2, 0.25, 3 }, dtype, false) : null;
                            AssertSame(a => L.multi_margin_loss(a[0], y, p, margin, w, reduction),
                                a => N.multi_margin_loss(a[0], y, p, margin, w, reduction), Normal(9, dtype, true, 6, 5));
                        }
    }

    [TestMethod]
    public void MultiMarginUnbatchedShapesMatchLibtorch()
    {
        // (C) with a 0-d or a (1) target, (1, C) with a 0-d target, and a 0-d input (one class, loss 0).
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
                foreach (var p in new[] { 1, 2 })
                {
                    var cases = new (Tensor input, Tensor target)[]
                    {
                        (T(Row, dtype), tensor(2L)),
                        (T(Row, dtype), Longs(new long[] { 2 }, 1)),
                        (T(Row, dtype, shape: new long[] { 1, 4 }), tensor(1L)),
                        (Scalar0(0.5, dtype), tensor(0L)),
                        (Scalar0(0.5, dtype), Longs(new long[] { 0 }, 1)),
                    };
                    foreach (var (input, target) in cases)
                        AssertSame(a => L.multi_margin_loss(a[0], target, p, 1.0, null, reduction),
                            a => N.multi_margin_loss(a[0], target, p, 1.0, null, reduction), input);
                }
    }

    [TestMethod]
    public void MultiMarginSpecialValuesMatchLibtorch()
    {
        // A NaN z is inactive in libtorch's kernel (z > 0 is false), so a NaN score adds nothing, even at the target.
        var nan = double.NaN;
        var inf = double.PositiveInfinity;
        var x = new[] { nan, 0, 1, 0.5, nan, 2, inf, 0, 1, -inf, 0, 1, 0, 1, -inf, 0.2, 0.3, 0.4 };
        var y = Longs(new long[] { 0, 1, 1, 0, 2, 0 });
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
                foreach (var p in new[] { 1, 2 })
                    AssertSame(a => L.multi_margin_loss(a[0], y, p, 1.0, null, reduction),
                        a => N.multi_margin_loss(a[0], y, p, 1.0, null, reduction), T(x, dtype, shape: new long[] { 6, 3 }));
    }

    [TestMethod]
    public void MultiMarginOnAnEmptyBatch()
    {
        // none matches libtorch (an empty result); for mean and sum libtorch's kernel (1.13 and 2.10 alike) returns
        // uninitialised memory, so those are ours only: NaN (0/0) and 0.
        using var scope = NewDisposeScope();
        var y = zeros(new long[] { 0 }, ScalarType.Int64);
        AssertSame(a => L.multi_margin_loss(a[0], y, reduction: R.None), a => N.multi_margin_loss(a[0], y, reduction: R.None),
            T(Array.Empty<double>(), shape: new long[] { 0, 3 }));
        var x = T(Array.Empty<double>(), shape: new long[] { 0, 3 });
        Assert.IsTrue(double.IsNaN(L.multi_margin_loss(x, y).item<double>()));
        var sum = L.multi_margin_loss(x, y, reduction: R.Sum);
        Assert.AreEqual(0.0, sum.item<double>());
        sum.backward();
        CollectionAssert.AreEqual(new long[] { 0, 3 }, x.grad!.shape);
        // libtorch skips the target checks on an empty input: a float target is accepted there.
        Assert.AreEqual(0L, L.multi_margin_loss(x, zeros(0L), reduction: R.None).numel());
    }

    [TestMethod]
    public void MultiMarginErrors()
    {
        using var scope = NewDisposeScope();
        var x = zeros(2, 3);
        var y = Longs(new long[] { 0, 1 });
        Throws<ArgumentOutOfRangeException>(() => L.multi_margin_loss(x, y, p: 3), "only p == 1 and p == 2 supported");
        Throws<ArgumentOutOfRangeException>(() => L.multi_margin_loss(x, y, p: 3, reduction: (R)4), "4 is not a valid value for reduction");
        Throws<ArgumentException>(() => L.multi_margin_loss(x, y, weight: ones(1, 3)), "weight must be one-dimensional");
        Throws<ArgumentException>(() => L.multi_margin_loss(x, y, weight: ones(3).requires_grad_()),
            "The function 'multi_margin_loss' is not differentiable with respect to argument 'weight'. This input cannot have requires_grad True.");
        Throws<ArgumentException>(() => L.multi_margin_loss(x, Longs(new long[] { 0, 1, 1 })), "inconsistent target size, expected 2 but got [3]");
        Throws<ArgumentException>(() => L.multi_margin_loss(x, Longs(new long[] { 0, 1 }, 2, 1)), "inconsistent target size, expected 2 but got [2, 1]");
        Throws<ArgumentException>(() => L.multi_margin_loss(zeros(3), Longs(new long[] { 0, 1 })), "inconsistent target size, expected 1 but got [2]");
        Throws<ArgumentException>(() => L.multi_margin_loss(zeros(2, 3, 4), Longs(new long[] { 0, 1 })),
            "Expected non-empty vector or matrix with optional 0-dim batch size, but got: [2, 3, 4]");
        Throws<ArgumentException>(() => L.multi_margin_loss(zeros(2L, 0L), y), "Expected non-empty vector or matrix with optional 0-dim batch size, but got: [2, 0]");
        Throws<ArgumentException>(() => L.multi_margin_loss(x, tensor(new[] { 0f, 1f })), "expected scalar type Long but found Float");
        Throws<ArgumentException>(() => L.multi_margin_loss(x, tensor(new byte[] { 0, 1 })), "expected scalar type Long but found Byte");
        Throws<ArgumentException>(() => L.multi_margin_loss(x, y, weight: ones(3, ScalarType.Float64)), "expected scalar type Float but found Double");
        Throws<ArgumentOutOfRangeException>(() => L.multi_margin_loss(x, Longs(new long[] { 0, 3 })), "target out of range");
        Throws<ArgumentOutOfRangeException>(() => L.multi_margin_loss(x, Longs(new long[] { -1, 0 })), "target out of range");
        // libtorch 2.10 checks the weight's length (PyTorch 1.13 did not, and read out of bounds).
        Throws<ArgumentException>(() => L.multi_margin_loss(x, y, weight: ones(2)), "inconsistent weight size, expected 3 but got [2]");
        StringAssert.StartsWith(Assert.ThrowsExactly<System.Runtime.InteropServices.ExternalException>(
            () => N.multi_margin_loss(x, y, weight: ones(2))).Message, "inconsistent weight size, expected 3 but got [2]");
        Assert.AreEqual("\"multi_margin_loss_cpu_kernel\" not implemented for 'Half' (Parameter 'input')",
            Assert.ThrowsExactly<ArgumentException>(() => L.multi_margin_loss(zeros(2, 3, ScalarType.Float16), y)).Message);
        Assert.AreEqual("\"multi_margin_loss_cpu_kernel\" not implemented for 'Long' (Parameter 'input')",
            Assert.ThrowsExactly<ArgumentException>(() => L.multi_margin_loss(zeros(new long[] { 2, 3 }, ScalarType.Int64), y)).Message);
        // The module checks p and the weight's rank when it is built, as PyTorch's constructor does.
        Throws<ArgumentOutOfRangeException>(() => TorchLosses.nn.MultiMarginLoss(p: 0), "only p == 1 and p == 2 supported");
        Throws<ArgumentException>(() => TorchLosses.nn.MultiMarginLoss(weight: ones(2, 2)), "weight must be one-dimensional");
    }

    [TestMethod]
    public void MultiMarginModuleEqualsFunctional()
    {
        using var scope = NewDisposeScope();
        var x = Normal(4, ScalarType.Float64, false, 3, 4);
        var y = Longs(new long[] { 0, 3, 1 });
        var w = tensor(new[] { 1.0, 0.5, 2, 3 });
        var module = TorchLosses.nn.MultiMarginLoss(2, 0.5, w, R.Sum);
        Assert.AreEqual(2, module.p);
        Assert.AreEqual(0.5, module.margin);
        AssertClose(L.multi_margin_loss(x, y, 2, 0.5, w, R.Sum), module.call(x, y), "module");
        AssertClose(L.multi_margin_loss(x, y, 2, 0.5, w, R.None), TorchLosses.nn.MultiMarginLoss(2, 0.5, w, null, reduce: false).call(x, y), "legacy module");
        AssertClose(L.multi_margin_loss(x, y, 1, 1.0, null, R.Sum), L.multi_margin_loss(x, y, 1, 1.0, null, size_average: false), "legacy functional");
    }

    [TestMethod]
    public void MultiMarginOnTwoClassesIsHalfTheBinaryHinge()
    {
        using var scope = NewDisposeScope();
        var x = Normal(12, ScalarType.Float64, false, 5, 2);
        var y = Longs(new long[] { 0, 1, 1, 0, 1 });
        var picked = x.gather(1, y.unsqueeze(1)).squeeze(1);
        var other = x.gather(1, (1 - y).unsqueeze(1)).squeeze(1);
        var hinge = (1 - (picked - other)).clamp_min(0) / 2;
        AssertClose(hinge, L.multi_margin_loss(x, y, reduction: R.None), "C = 2");
    }

    // ---- multilabel margin --------------------------------------------------------------------

    [TestMethod]
    public void MultiLabelMarginByHandWithARepeatedClass()
    {
        // J = [0, 0] (read up to the first −1; class 1 after it is ignored), S = {0}, k ∈ {1, 2, 3}:
        // z = 1 − 0.1 + [0.2, 0.4, 0.8] = [1.1, 1.3, 1.7], twice: 8.2 / 4 = 2.05.
        // Gradient: −6/4 at class 0, +2/4 at each k.
        using var scope = NewDisposeScope();
        var x = T(Row, shape: new long[] { 1, 4 });
        var loss = L.multilabel_margin_loss(x, Longs(new long[] { 0, 0, -1, 1 }, 1, 4));
        Assert.AreEqual(2.05, loss.item<double>(), 1e-15);
        loss.backward();
        CollectionAssert.AreEqual(new[] { -1.5, 0.5, 0.5, 0.5 }, x.grad!.data<double>().ToArray());
    }

    [TestMethod]
    public void MultiLabelMarginGivesNoGradientAtTheKink()
    {
        // J = {2}: z = 1 − 1 + 0 = 0 exactly for k = 0 (strict: inactive), z = 0.5 for k = 1.
        using var scope = NewDisposeScope();
        var y = Longs(new long[] { 2, -1, 0 }, 1, 3);
        var x = T(new[] { 0.0, 0.5, 1.0 }, shape: new long[] { 1, 3 });
        L.multilabel_margin_loss(x, y, R.Sum).backward();
        CollectionAssert.AreEqual(new[] { 0.0, 1.0 / 3, -1.0 / 3 }, x.grad!.data<double>().ToArray());
        AssertSame(a => L.multilabel_margin_loss(a[0], y, R.Sum), a => N.multilabel_margin_loss(a[0], y, R.Sum),
            T(new[] { 0.0, 0.5, 1.0 }, shape: new long[] { 1, 3 }));
    }

    // Rows: a normal list, duplicates, an empty list, a full list, entries after the −1, one class.
    private static readonly long[] TargetRows =
    {
        3, 0, -1, 1, 2,
        1, 1, 4, -1, -1,
        -1, 2, 3, 0, 1,
        4, 3, 2, 1, 0,
        0, -1, -1, 4, 4,
        2, -1, 0, 0, 0,
    };

    [TestMethod]
    public void MultiLabelMarginMatchesLibtorch()
    {
        var y = Longs(TargetRows, 6, 5);
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
            {
                AssertSame(a => L.multilabel_margin_loss(a[0], y, reduction), a => N.multilabel_margin_loss(a[0], y, reduction),
                    Normal(13, dtype, true, 6, 5));
                // Unbatched: (C) with (C), and a 0-d input (one class, loss 0) with a 0-d or (1) target.
                AssertSame(a => L.multilabel_margin_loss(a[0], y[0], reduction), a => N.multilabel_margin_loss(a[0], y[0], reduction),
                    Normal(14, dtype, true, 5));
                foreach (var target in new[] { tensor(0L), tensor(-1L), Longs(new long[] { 0 }, 1) })
                    AssertSame(a => L.multilabel_margin_loss(a[0], target, reduction), a => N.multilabel_margin_loss(a[0], target, reduction),
                        Scalar0(0.3, dtype));
            }
    }

    [TestMethod]
    public void MultiLabelMarginSpecialValuesMatchLibtorch()
    {
        var nan = double.NaN;
        var inf = double.PositiveInfinity;
        var x = new[] { 0, 1, nan, 0.5, nan, 0, 1, 2, 0, 1, inf, 0.5, -inf, 0, 1, 2 };
        var y = Longs(new long[] { 3, -1, 1, 1, 0, 2, -1, 0, 3, 0, -1, 0, 0, 1, -1, 0 }, 4, 4);
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
                AssertSame(a => L.multilabel_margin_loss(a[0], y, reduction), a => N.multilabel_margin_loss(a[0], y, reduction),
                    T(x, dtype, shape: new long[] { 4, 4 }));
    }

    [TestMethod]
    public void MultiLabelMarginWithOneClassIsMultiMargin()
    {
        using var scope = NewDisposeScope();
        var x = Normal(15, ScalarType.Float64, false, 4, 5);
        var classes = Longs(new long[] { 2, 0, 4, 1 });
        var lists = Longs(new long[] { 2, -1, 3, 3, 3, 0, -1, 0, 0, 0, 4, -1, 1, 2, 3, 1, -1, -1, -1, -1 }, 4, 5);
        AssertClose(L.multi_margin_loss(x, classes, reduction: R.None), L.multilabel_margin_loss(x, lists, R.None), "one-class lists");
    }

    [TestMethod]
    public void MultiLabelMarginOnAnEmptyBatch()
    {
        using var scope = NewDisposeScope();
        var y = zeros(new long[] { 0, 3 }, ScalarType.Int64);
        AssertSame(a => L.multilabel_margin_loss(a[0], y, R.None), a => N.multilabel_margin_loss(a[0], y, R.None),
            T(Array.Empty<double>(), shape: new long[] { 0, 3 }));
        var x = T(Array.Empty<double>(), shape: new long[] { 0, 3 });
        Assert.IsTrue(double.IsNaN(L.multilabel_margin_loss(x, y).item<double>()));
        Assert.AreEqual(0.0, L.multilabel_margin_loss(x, y, R.Sum).item<double>());
    }

    [TestMethod]
    public void MultiLabelMarginErrors()
    {
        using var scope = NewDisposeScope();
        var x = zeros(3, 4);
        Throws<ArgumentOutOfRangeException>(() => L.multilabel_margin_loss(zeros(3), Longs(new long[] { 0, -1, 3 })), "argument #2 'target' is out of range");
        Throws<ArgumentOutOfRangeException>(() => L.multilabel_margin_loss(zeros(3), Longs(new long[] { 0, -2, 1 })), "argument #2 'target' is out of range");
        Throws<ArgumentOutOfRangeException>(() => L.multilabel_margin_loss(zeros(Array.Empty<long>()), Longs(new long[] { 1 }, 1)),
            "argument #2 'target' is out of range");
        Throws<ArgumentException>(() => L.multilabel_margin_loss(zeros(3, 4), zeros(new long[] { 3, 5 }, ScalarType.Int64)),
            "inconsistent target size: [3, 5] for input of size: [3, 4]");
        Throws<ArgumentException>(() => L.multilabel_margin_loss(zeros(3), zeros(new long[] { 1, 3 }, ScalarType.Int64)),
            "inconsistent target size: [1, 3] for input of size: [3]");
        Throws<ArgumentException>(() => L.multilabel_margin_loss(zeros(2, 3, 4), zeros(new long[] { 2, 3, 4 }, ScalarType.Int64)),
            "Expected non-empty vector or matrix with optional 0-dim batch size, but got: [2, 3, 4]");
        Throws<ArgumentException>(() => L.multilabel_margin_loss(zeros(2L, 0L), zeros(new long[] { 2, 0 }, ScalarType.Int64)),
            "Expected non-empty vector or matrix with optional 0-dim batch size, but got: [2, 0]");
        Throws<ArgumentException>(() => L.multilabel_margin_loss(x, zeros(3, 4)), "expected scalar type Long but found Float");
        Throws<ArgumentException>(() => L.multilabel_margin_loss(x, zeros(new long[] { 3, 4 }, ScalarType.Int32)), "expected scalar type Long but found Int");
        // libtorch reads the range before the types: a float target out of range reports the range.
        Throws<ArgumentOutOfRangeException>(() => L.multilabel_margin_loss(x, full(new long[] { 3, 4 }, -2.0)), "argument #2 'target' is out of range");
        Assert.AreEqual("\"multilabel_margin_loss_forward_out_frame\" not implemented for 'Half' (Parameter 'input')",
            Assert.ThrowsExactly<ArgumentException>(() => L.multilabel_margin_loss(zeros(3, 4, ScalarType.Float16), zeros(new long[] { 3, 4 }, ScalarType.Int64))).Message);
        Throws<ArgumentOutOfRangeException>(() => L.multilabel_margin_loss(x, zeros(new long[] { 3, 5 }, ScalarType.Int64), (R)3), "3 is not a valid value for reduction");
    }

    [TestMethod]
    public void MultiLabelMarginModuleEqualsFunctional()
    {
        using var scope = NewDisposeScope();
        var x = Normal(4, ScalarType.Float64, false, 6, 5);
        var y = Longs(TargetRows, 6, 5);
        AssertClose(L.multilabel_margin_loss(x, y, R.Sum), TorchLosses.nn.MultiLabelMarginLoss(R.Sum).call(x, y), "module");
        AssertClose(L.multilabel_margin_loss(x, y, R.None), TorchLosses.nn.MultiLabelMarginLoss(null, reduce: false).call(x, y), "legacy module");
        AssertClose(L.multilabel_margin_loss(x, y, R.Sum), L.multilabel_margin_loss(x, y, size_average: false, reduce: null), "legacy functional");
    }
}
