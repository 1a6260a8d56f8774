using TorchLosses;
using TorchLossesTests.Support;
using static TorchLossesTests.Support.Parity;

namespace TorchLossesTests.Losses;

/// <summary>BCE and BCE with logits: clamps, the native kernels' gradients, weights, pos_weight, edges, errors.</summary>
[TestClass]
public sealed class BinaryCrossEntropyLossTests
{

    private static void Throws<TException>(Action call, string message) where TException : Exception =>
        StringAssert.StartsWith(Assert.ThrowsExactly<TException>(call).Message, message);

    // Probabilities strictly inside (0, 1), soft targets, and logits from mild to saturated.
    private static readonly double[] Probabilities = { 0.1, 0.5, 0.9, 0.25, 0.999, 0.001, 0.6, 0.35 };
    private static readonly double[] Targets = { 0.0, 1.0, 1.0, 0.3, 0.0, 1.0, 0.5, 0.8 };
    private static readonly double[] Logits = { -2.0, 0.0, 3.5, -0.25, 12.0, -30.0, 100.0, 0.75 };

    // ---- BCE --------------------------------------------------------------------------------------

    [TestMethod]
    public void BceByHandWithTheLogClamp() => InBothGradientModes(() =>
    {
        using var scope = NewDisposeScope();
        var loss = L.binary_cross_entropy(tensor(new[] { 0.5, 0.0, 1.0, 0.25, 1e-300 }), tensor(new[] { 0.5, 1.0, 0.0, 0.0, 1.0 }), reduction: R.None);
        var values = loss.data<double>().ToArray();
        Assert.AreEqual(Math.Log(2), values[0], 1e-15);
        Assert.AreEqual(100.0, values[1]); // log 0 clamped at −100
        Assert.AreEqual(100.0, values[2]);
        Assert.AreEqual(-Math.Log(0.75), values[3], 1e-15);
        Assert.AreEqual(100.0, values[4]); // log(1e-300) = −690.8, clamped
        // In float32, 1e-30 is representable and its log (−69.08) is not clamped.
        Assert.AreEqual(69.07755f, L.binary_cross_entropy(tensor(new[] { 1e-30f }), tensor(new[] { 1f })).item<float>(), 1e-4f);
        // Weights scale each element; the mean divides by the element count, not the weight total.
        var weighted = L.binary_cross_entropy(tensor(new[] { 0.5, 0.5 }), tensor(new[] { 1.0, 0.0 }), tensor(new[] { 3.0, 0.0 }));
        Assert.AreEqual(1.5 * Math.Log(2), weighted.item<double>(), 1e-15);
    });

    [TestMethod]
    public void BceMatchesLibtorch() => InBothGradientModes(() =>
    {
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
                foreach (var weight in new[] { null, tensor(new[] { 0.5, 2.0, 1.0, 3.0 }), tensor(new[] { 1.0, 0.0, 2.0, 4.0, 0.5, 1.5, 3.0, 0.25 }).reshape(2, 4) })
                {
                    var w = weight?.to(dtype);
                    AssertSame(a => L.binary_cross_entropy(a[0], a[1], w, reduction), a => N.binary_cross_entropy(a[0], a[1], w, reduction),
                        T(Probabilities, dtype, shape: new long[] { 2, 4 }), T(Targets, dtype, shape: new long[] { 2, 4 }));
                }
    });

    [TestMethod]
    public void BceGradientsAtTheEdgesAreTheKernels() => InBothGradientModes(() =>
    {
        // x ∈ {0, 1}: ∂/∂x = ±1e12 (the float EPS floor), ∂/∂y = ±∞ (unclamped logs), 690.8 at 1e-300;
        // a zero weight turns the infinite target gradient into NaN (∞·0), as in libtorch.
        var x = new[] { 0.0, 1.0, 1e-300, 0.5, 0.0, 1.0, 0.0, 1.0 };
        var y = new[] { 1.0, 0.0, 1.0, 0.5, 0.0, 1.0, 0.3, 0.7 };
        var weights = new[] { 1.0, 2.0, 1.0, 1.0, 0.0, 0.5, 1.0, 0.0 };
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
            {
                AssertSame(a => L.binary_cross_entropy(a[0], a[1], null, reduction), a => N.binary_cross_entropy(a[0], a[1], null, reduction), T(x, dtype), T(y, dtype));
                var w = T(weights, dtype, false);
                AssertSame(a => L.binary_cross_entropy(a[0], a[1], w, reduction), a => N.binary_cross_entropy(a[0], a[1], w, reduction), T(x, dtype), T(y, dtype));
            }
    });

    [TestMethod]
    public void BceInputGradientUsesTheFloatEpsilonInFloat64() => InBothGradientModes(() =>
    {
        using var scope = NewDisposeScope();
        var x = T(new[] { 0.0, 1.0 });
        var y = T(new[] { 1.0, 0.0 });
        L.binary_cross_entropy(x, y, reduction: R.Sum).backward();
        // −1/9.999999960041972e-13 (the C++ float 1e-12), not −1e12.
        CollectionAssert.AreEqual(new[] { -1000000003995.8029, 1000000003995.8029 }, x.grad!.data<double>().ToArray());
        CollectionAssert.AreEqual(new[] { double.PositiveInfinity, double.NegativeInfinity }, y.grad!.data<double>().ToArray());
    });

    [TestMethod]
    public void BceTargetsOutsideTheUnitIntervalAreRejectedAsInLibtorch()
    {
        // libtorch 2.10 checks the target too (1.13 computed a value for any target), element by element after the input:
        // the first element that fails names which of the two.
        var inf = double.PositiveInfinity;
        var cases = new (double[] X, double[] Y)[]
        {
            (new[] { 0.5, 0.5, 0.5 }, new[] { 0.0, 1.5, 1.0 }),
            (new[] { 0.5, 0.5, 0.5 }, new[] { -1e-4, 0.5, 1.0 }),
            (new[] { 0.5, 0.5, 0.5 }, new[] { 0.0, double.NaN, 1.0 }),
            (new[] { 0.5, 0.5, 0.5 }, new[] { inf, 0.5, -inf }),
            (new[] { 0.5, 0.5, 2.0 }, new[] { 0.5, -1.0, 0.5 }),   // the target fails first
            (new[] { 0.5, 2.0, 0.5 }, new[] { 0.5, 0.5, -1.0 }),   // the input fails first
            (new[] { 0.5, -1.0, 0.5 }, new[] { 0.5, 2.0, 0.5 }),   // the same element: the input is checked first
        };
        foreach (var dtype in new[] { ScalarType.Float64, ScalarType.Float32, ScalarType.BFloat16, ScalarType.Float16 })
            foreach (var (x, y) in cases)
                foreach (var reduction in AllReductions)
                {
                    using var scope = NewDisposeScope();
                    var input = T(x, dtype, false);
                    var target = T(y, dtype, false);
                    var native = Assert.ThrowsExactly<System.Runtime.InteropServices.ExternalException>(
                        () => N.binary_cross_entropy(input, target, null, reduction)).Message;
                    var ours = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.binary_cross_entropy(input, target, null, reduction));
                    StringAssert.StartsWith(ours.Message, native);
                    Assert.AreEqual(native.Contains("input") ? "input" : "target", ours.ParamName);
                }
    }

    [TestMethod]
    public void BceHalfAndBFloat16MatchLibtorch() => InBothGradientModes(() =>
    {
        // libtorch 2.10 has float16 and bfloat16 CPU kernels for BCE (1.13 had none); in float16 the EPS floor of the input
        // gradient rounds to 0, so the edges give ±∞ (NaN where x = y), as in libtorch.
        var x = new[] { 0.1, 0.5, 0.9, 0.25, 0.0, 1.0, 0.0, 1.0 };
        var y = new[] { 0.0, 1.0, 0.5, 0.3, 1.0, 0.0, 0.0, 1.0 };
        foreach (var dtype in new[] { ScalarType.BFloat16, ScalarType.Float16 })
            foreach (var reduction in AllReductions)
            {
                var w = T(new[] { 1.0, 2.0, 0.5, 1.0, 1.0, 0.5, 2.0, 1.0 }, dtype, false);
                AssertSame(a => L.binary_cross_entropy(a[0], a[1], w, reduction), a => N.binary_cross_entropy(a[0], a[1], w, reduction),
                    T(x, dtype), T(y, dtype));
                AssertSame(a => L.binary_cross_entropy_with_logits(a[0], a[1], w, reduction, w),
                    a => N.binary_cross_entropy_with_logits(a[0], a[1], w, reduction, w), T(Logits, dtype), T(y, dtype));
            }
    });

    [TestMethod]
    public void BceErrorsCarryPyTorchsMessages()
    {
        using var scope = NewDisposeScope();
        var x = full(3, 4, 0.5f);
        var y = zeros(3, 4);
        Throws<ArgumentException>(() => L.binary_cross_entropy(x, zeros(4)),
            "Using a target size (torch.Size([4])) that is different to the input size (torch.Size([3, 4])) is deprecated. Please ensure they have the same size.");
        Throws<ArgumentException>(() => L.binary_cross_entropy(x, zeros(new long[] { 3, 4, 1 })), "Using a target size (torch.Size([3, 4, 1]))");
        Throws<ArgumentException>(() => L.binary_cross_entropy(x, y, ones(5)), "The size of tensor a (4) must match the size of tensor b (5) at non-singleton dimension 1");
        Throws<ArgumentException>(() => L.binary_cross_entropy(x, y, ones(2, 3, 4)), "output with shape [3, 4] doesn't match the broadcast shape [2, 3, 4]");
        Throws<ArgumentOutOfRangeException>(() => L.binary_cross_entropy(tensor(new[] { 0.5f, 1.5f }), zeros(2)), "all elements of input should be between 0 and 1");
        Throws<ArgumentOutOfRangeException>(() => L.binary_cross_entropy(tensor(new[] { 0.5f, float.NaN }), zeros(2)), "all elements of input should be between 0 and 1");
        Throws<ArgumentException>(() => L.binary_cross_entropy(x, zeros(3, 4, ScalarType.Float64)), "Found dtype Double but expected Float");
        Throws<ArgumentException>(() => L.binary_cross_entropy(x, zeros(3, 4, ScalarType.Int64)), "Found dtype Long but expected Float");
        Assert.AreEqual("\"binary_cross_entropy\" not implemented for 'Long' (Parameter 'input')",
            Assert.ThrowsExactly<ArgumentException>(() => L.binary_cross_entropy(x.to(ScalarType.Int64), y.to(ScalarType.Int64))).Message);
        var trainable = ones(3, 4).requires_grad_();
        Throws<ArgumentException>(() => L.binary_cross_entropy(x, y, trainable),
            "The function 'binary_cross_entropy' is not differentiable with respect to argument 'weight'. This input cannot have requires_grad True.");
        using (no_grad()) Assert.AreEqual(ScalarType.Float32, L.binary_cross_entropy(x, y, trainable).dtype);
        // The reduction is checked first, as PyTorch's Python does.
        Throws<ArgumentOutOfRangeException>(() => L.binary_cross_entropy(x, zeros(4), reduction: (R)3), "3 is not a valid value for reduction");
        // A float64 weight keeps the float32 result, as libtorch's in-place product does.
        Assert.AreEqual(ScalarType.Float32, L.binary_cross_entropy(x, y, ones(4, ScalarType.Float64)).dtype);
    }

    // ---- BCE with logits --------------------------------------------------------------------------

    [TestMethod]
    public void BceWithLogitsByHand() => InBothGradientModes(() =>
    {
        using var scope = NewDisposeScope();
        // x = 0: log 2 for any y; pos_weight p scales the positive term: y = 1 gives p·log 2.
        Assert.AreEqual(Math.Log(2), L.binary_cross_entropy_with_logits(tensor(new[] { 0.0 }), tensor(new[] { 0.3 })).item<double>(), 1e-15);
        Assert.AreEqual(3 * Math.Log(2), L.binary_cross_entropy_with_logits(tensor(new[] { 0.0 }), tensor(new[] { 1.0 }), pos_weight: tensor(new[] { 3.0 })).item<double>(), 1e-15);
        // Saturated logits stay finite: x = −1000 with y = 1 costs 1000 (+ log(1 + e⁻¹⁰⁰⁰)).
        Assert.AreEqual(1000.0, L.binary_cross_entropy_with_logits(tensor(new[] { -1000.0 }), tensor(new[] { 1.0 })).item<double>());
    });

    [TestMethod]
    public void BceWithLogitsMatchesLibtorch() => InBothGradientModes(() =>
    {
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
                foreach (var weighted in new[] { false, true })
                    foreach (var posWeight in new[] { null, new[] { 0.5, 2.0, 1.0, 3.0 }, new[] { 0.0, -1.0, 1.0, 10.0, 2.0, 0.5, 1.0, 1.0 } })
                    {
                        var w = weighted ? tensor(new[] { 1.0, 0.0, 2.0, 0.5 }).to(dtype) : null;
                        var pw = posWeight is null ? null : T(posWeight, dtype, false, posWeight.Length == 4 ? new long[] { 4 } : new long[] { 2, 4 });
                        AssertSame(a => L.binary_cross_entropy_with_logits(a[0], a[1], w, reduction, pw),
                            a => N.binary_cross_entropy_with_logits(a[0], a[1], w, reduction, pw),
                            T(Logits, dtype, shape: new long[] { 2, 4 }), T(Targets, dtype, shape: new long[] { 2, 4 }));
                    }
    });

    [TestMethod]
    public void BceWithLogitsInfinitiesMatchLibtorch() => InBothGradientModes(() =>
    {
        // Values (libtorch 2.10's (1 − y)·x − (1 + (p − 1)·y)·log σ(x)): at x = +∞, +∞ for y < 1, NaN for y = 1, −∞ for y > 1;
        // at x = −∞, NaN for y ∈ [0, 1] (∞ − ∞), +∞ for y > 1 and −∞ for y < 1 when 1 + (p − 1)·y < 0 (PyTorch 1.13 gave NaN at
        // x = −∞ for every y); NaN stays NaN. Gradients: ∂/∂x stays finite at ±∞, ∂/∂y is ∓∞.
        var inf = double.PositiveInfinity;
        var x = new[] { inf, inf, -inf, -inf, -inf, inf, double.NaN, -inf, -inf, -inf, inf, inf };
        var y = new[] { 1.0, 0.0, 0.0, 1.0, 0.5, 0.5, 1.0, 2.0, -0.5, 1.5, 2.0, -1.0 };
        var pw = new[] { 1.0, 2.0, 1.0, 2.0, 3.0, 1.0, 1.0, 0.0, -3.0, 0.5, 1.0, 2.0 };
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
            {
                AssertSame(a => L.binary_cross_entropy_with_logits(a[0], a[1], null, reduction), a => N.binary_cross_entropy_with_logits(a[0], a[1], null, reduction),
                    T(x, dtype), T(y, dtype));
                var p = T(pw, dtype, false);
                AssertSame(a => L.binary_cross_entropy_with_logits(a[0], a[1], null, reduction, p),
                    a => N.binary_cross_entropy_with_logits(a[0], a[1], null, reduction, p), T(x, dtype), T(y, dtype));
            }
    });

    [TestMethod]
    public void BceWithLogitsComputesTheValueAtMinusInfinityOnlyWhenTheMinimumOfXCallsForIt() => InBothGradientModes(() =>
    {
        // The value at x = −∞ is added only when the minimum of x is −∞ or NaN (a NaN hides the minimum): libtorch's values
        // in each of those cases and where x holds +∞ but no −∞, with and without pos_weight.
        var inf = double.PositiveInfinity;
        var inputs = new[]
        {
            new[] { -inf, 0.5, -inf, 2.0, -inf },            // the minimum is −∞
            new[] { -inf, double.NaN, -inf, 2.0, 0.0 },      // a NaN hides it
            new[] { -3.0, 0.5, inf, 2.0, inf },              // no −∞
        };
        var y = new[] { 2.0, 0.5, 0.5, 1.0, -0.5 };
        var pw = new[] { 3.0, 1.0, -1.0, 2.0, 0.5 };
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
                foreach (var x in inputs)
                {
                    using var scope = NewDisposeScope();
                    AssertSame(a => L.binary_cross_entropy_with_logits(a[0], a[1], null, reduction),
                        a => N.binary_cross_entropy_with_logits(a[0], a[1], null, reduction), T(x, dtype), T(y, dtype));
                    var p = T(pw, dtype, false);
                    AssertSame(a => L.binary_cross_entropy_with_logits(a[0], a[1], null, reduction, p),
                        a => N.binary_cross_entropy_with_logits(a[0], a[1], null, reduction, p), T(x, dtype), T(y, dtype));
                }

        // What it costs, in the mode that composes the log σ form (the default mode runs libtorch's sequence, which needs no
        // correction): tensors are made for it only when x holds −∞ (TorchSharp counts every tensor made on the thread).
        if (LossGradients.Current != GradientMode.Autograd) return;
        static long Made(double[] x)
        {
            using var scope = NewDisposeScope();
            var (input, target) = (T(x, grad: false), T(new[] { 2.0, 0.5, 0.5, 1.0, -0.5 }, grad: false));
            var statistics = DisposeScopeManager.Statistics.TensorStatistics;
            long before = statistics.CreatedInScopeCount + statistics.CreatedOutsideScopeCount;
            L.binary_cross_entropy_with_logits(input, target);
            return statistics.CreatedInScopeCount + statistics.CreatedOutsideScopeCount - before;
        }
        Assert.IsLessThan(Made(inputs[0]), Made(inputs[2]), "tensors made without −∞ in x, against with it");
    });

    [TestMethod]
    public void BceWithLogitsEqualsBceOfSigmoidAwayFromSaturation() => InBothGradientModes(() =>
    {
        using var scope = NewDisposeScope();
        var x = T(new[] { -10.0, -4.0, -1.0, -0.1, 0.0, 0.3, 2.0, 6.0, 10.0 }, grad: false);
        var y = T(new[] { 0.0, 1.0, 0.2, 0.5, 1.0, 0.9, 0.0, 0.4, 1.0 }, grad: false);
        var w = T(new[] { 1.0, 2.0, 0.5, 1.0, 1.0, 3.0, 1.0, 1.0, 0.25 }, grad: false);
        // Computed in float64 and compared at float32's tolerance: log σ(x) of a rounded σ(x) keeps only about 12 digits
        // near |x| = 10, which is what "away from saturation" costs the sigmoid-then-log form.
        AssertClose(L.binary_cross_entropy(x.sigmoid(), y, w, R.None).to(ScalarType.Float32),
            L.binary_cross_entropy_with_logits(x, y, w, R.None).to(ScalarType.Float32), "logits vs sigmoid");
    });

    [TestMethod]
    public void BceWithLogitsDtypesAndErrors()
    {
        using var scope = NewDisposeScope();
        var x = zeros(3, 4);
        var y = full(3, 4, 0.5f);
        // The result has the target's dtype (libtorch builds the loss in place on 1 − target).
        Assert.AreEqual(ScalarType.Float32, L.binary_cross_entropy_with_logits(x.to(ScalarType.Float64), y).dtype);
        Assert.AreEqual(ScalarType.Float64, L.binary_cross_entropy_with_logits(x, y.to(ScalarType.Float64)).dtype);
        Assert.AreEqual(ScalarType.Float32, L.binary_cross_entropy_with_logits(x, y, ones(4, ScalarType.Float64), pos_weight: ones(4, ScalarType.Float64)).dtype);
        AssertSame(a => L.binary_cross_entropy_with_logits(a[0], a[1]), a => N.binary_cross_entropy_with_logits(a[0], a[1]),
            T(Logits, ScalarType.BFloat16, false), T(Targets, ScalarType.BFloat16, false));

        Throws<ArgumentException>(() => L.binary_cross_entropy_with_logits(x, zeros(4)),
            "Target size (torch.Size([4])) must be the same as input size (torch.Size([3, 4]))");
        Throws<ArgumentException>(() => L.binary_cross_entropy_with_logits(x, zeros(3, 4, ScalarType.Int64)),
            "result type Float can't be cast to the desired output type Long");
        Throws<ArgumentException>(() => L.binary_cross_entropy_with_logits(x, zeros(3, 4, ScalarType.Bool)),
            "Subtraction, the `-` operator, with two bool tensors is not supported.");
        // libtorch 2.10 starts with log_sigmoid(x), so the input is read first (also with an int64 target).
        foreach (var target in new[] { y, zeros(3, 4, ScalarType.Int64) })
            Assert.AreEqual("\"log_sigmoid_cpu\" not implemented for 'Long' (Parameter 'input')",
                Assert.ThrowsExactly<ArgumentException>(() => L.binary_cross_entropy_with_logits(zeros(3, 4, ScalarType.Int64), target)).Message);
        AssertSame(a => L.binary_cross_entropy_with_logits(a[0], a[1]), a => N.binary_cross_entropy_with_logits(a[0], a[1]),
            T(Logits, ScalarType.Float16, false), T(Targets, ScalarType.Float16, false));
        Throws<ArgumentException>(() => L.binary_cross_entropy_with_logits(x, y, ones(2, 3, 4)), "output with shape [3, 4] doesn't match the broadcast shape [2, 3, 4]");
        Throws<ArgumentException>(() => L.binary_cross_entropy_with_logits(x, y, pos_weight: ones(2, 3, 4)), "output with shape [3, 4] doesn't match the broadcast shape [2, 3, 4]");
        Throws<ArgumentException>(() => L.binary_cross_entropy_with_logits(x, y, pos_weight: ones(5)), "The size of tensor a (5) must match the size of tensor b (4) at non-singleton dimension 1");
        Throws<ArgumentException>(() => L.binary_cross_entropy_with_logits(x, y, pos_weight: ones(4).requires_grad_()),
            "The function 'binary_cross_entropy_with_logits' is not differentiable with respect to argument 'pos_weight'. This input cannot have requires_grad True.");
        Throws<ArgumentException>(() => L.binary_cross_entropy_with_logits(x, y, ones(4).requires_grad_()),
            "The function 'binary_cross_entropy_with_logits' is not differentiable with respect to argument 'weight'.");
    }

    [TestMethod]
    public void BceWithLogitsDoubleBackwardIsThePlainComposition()
    {
        // d²ℓ/dx² = w·(1 + (p − 1)·y)·σ(x)·(1 − σ(x)), on the autograd path.
        using var scope = NewDisposeScope();
        using var mode = LossGradients.Use(GradientMode.Autograd);
        var x = T(new[] { -1.0, 0.0, 2.0 });
        var y = T(new[] { 0.0, 1.0, 0.5 }, grad: false);
        var p = T(new[] { 2.0, 3.0, 0.5 }, grad: false);
        var loss = L.binary_cross_entropy_with_logits(x, y, null, R.Sum, p);
        var dx = autograd.grad(new[] { loss }, new[] { x }, retain_graph: true, create_graph: true)[0]!;
        var d2 = autograd.grad(new[] { dx.sum() }, new[] { x })[0]!;
        var s = x.detach().sigmoid();
        AssertClose((1 + (p - 1) * y) * s * (1 - s), d2, "second derivative");
    }

    [TestMethod]
    public void BceWithLogitsValueInTheDefaultModeIsLibtorchsBitForBit()
    {
        // The analytic forward runs libtorch's own sequence: every element and every reduction equal to libtorch's, with and
        // without a recorded graph, for logits from 1e-3 to 1e3 in magnitude (where a differently ordered form rounds
        // differently), ±∞ and NaN logits, soft, hard and out-of-range targets, weights and per-class pos_weight.
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
                foreach (bool grad in new[] { false, true })
                {
                    using var scope = NewDisposeScope();
                    var magnitude = (Normal(31, dtype, false, 40, 8) * 3).exp() * 1e-3;
                    var x = magnitude * Normal(32, dtype, false, 40, 8).sign();
                    x.view(-1).index_put_(tensor(new[] { double.PositiveInfinity, double.NegativeInfinity, double.NaN }, dtype), tensor(new long[] { 0, 9, 17 }));
                    var y = Normal(33, dtype, false, 40, 8).sigmoid();
                    y.view(-1).index_put_(tensor(new[] { 0.0, 1.0, 1.5, -0.5 }, dtype), tensor(new long[] { 1, 2, 3, 4 }));
                    var w = Normal(34, dtype, false, 8).abs() * 2;
                    var p = Normal(35, dtype, false, 8).abs() * 3;
                    foreach (var (weight, posWeight) in new (Tensor?, Tensor?)[] { (null, null), (w, null), (null, p), (w, p) })
                    {
                        var input = x.detach().requires_grad_(grad);
                        var ours = L.binary_cross_entropy_with_logits(input, y, weight, reduction, posWeight);
                        var theirs = N.binary_cross_entropy_with_logits(x, y, weight, reduction, posWeight);
                        Assert.IsTrue(ours.detach().eq(theirs).logical_or(ours.detach().isnan().logical_and(theirs.isnan())).all().item<bool>(),
                            $"{dtype} {reduction} grad {grad} weight {weight is not null} pos_weight {posWeight is not null}: not libtorch's bits");
                    }
                }
    }

    [TestMethod]
    public void BceWithLogitsMatchesLibtorchOverAWideRange() => InBothGradientModes(() =>
    {
        // Logits up to ±40 (both saturations), hard and soft targets, weights up to 3 and per-class pos_weight.
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
            {
                using var scope = NewDisposeScope();
                var x = Normal(21, dtype, true, 6, 5) * 12;
                var soft = Normal(22, dtype, false, 6, 5).sigmoid();
                var y = torch.where(soft > 0.75, ones_like(soft), torch.where(soft < 0.25, zeros_like(soft), soft)).requires_grad_();
                var w = Normal(23, dtype, false, 5).abs() * 2;
                var pw = Normal(24, dtype, false, 5).abs() * 3;
                AssertSame(a => L.binary_cross_entropy_with_logits(a[0], a[1], w, reduction, pw),
                    a => N.binary_cross_entropy_with_logits(a[0], a[1], w, reduction, pw), x.detach().requires_grad_(), y);
                AssertSame(a => L.binary_cross_entropy_with_logits(a[0], a[1], null, reduction),
                    a => N.binary_cross_entropy_with_logits(a[0], a[1], null, reduction), x.detach().requires_grad_(), y);
            }
    });

    [TestMethod]
    public void GradientOfOneOperandAtATime() => InBothGradientModes(() =>
    {
        // Only the input, or only the target, requires grad: each path saves and computes only what it needs.
        var pw = T(new[] { 0.5, 2.0, 1.0, 3.0 }, ScalarType.Float64, false);
        var w = T(new[] { 1.0, 0.0, 2.0, 0.5 }, ScalarType.Float64, false);
        foreach (var (inputGrad, targetGrad) in new[] { (true, false), (false, true) })
            foreach (var reduction in AllReductions)
            {
                AssertSame(a => L.binary_cross_entropy(a[0], a[1], w, reduction), a => N.binary_cross_entropy(a[0], a[1], w, reduction),
                    T(Probabilities, grad: inputGrad, shape: new long[] { 2, 4 }), T(Targets, grad: targetGrad, shape: new long[] { 2, 4 }));
                foreach (var p in new[] { null, pw })
                    AssertSame(a => L.binary_cross_entropy_with_logits(a[0], a[1], w, reduction, p),
                        a => N.binary_cross_entropy_with_logits(a[0], a[1], w, reduction, p),
                        T(Logits, grad: inputGrad, shape: new long[] { 2, 4 }), T(Targets, grad: targetGrad, shape: new long[] { 2, 4 }));
            }
    });

    [TestMethod]
    public void SecondDerivativesInBothModes()
    {
        using var scope = NewDisposeScope();
        Assert.AreEqual(GradientMode.Analytic, LossGradients.Default);
        var x = T(new[] { -1.0, 0.0, 2.0 });
        var y = T(new[] { 0.0, 1.0, 0.5 }, grad: false);
        var p = T(new[] { 2.0, 3.0, 0.5 }, grad: false);
        // BCE with logits: d²ℓ/dx² = (1 + (p − 1)·y)·σ(x)·(1 − σ(x)) on the autograd path.
        var s = x.detach().sigmoid();
        GradientPath.AssertTwiceDifferentiableInBothModes(() => L.binary_cross_entropy_with_logits(x, y, null, R.Sum, p), x, x,
            (1 + (p - 1) * y) * s * (1 - s));
        // BCE: libtorch's double backward, (x² − 2xy + y)/((x + 1e-12)²·(1 − x + 1e-12)²), and −1/(x(1 − x)) across.
        var probabilities = T(new[] { 0.25, 0.5, 0.9 });
        var q = probabilities.detach();
        GradientPath.AssertTwiceDifferentiableInBothModes(() => L.binary_cross_entropy(probabilities, y, null, R.Sum), probabilities, probabilities,
            (q * q - 2 * q * y + y) / ((q + 1e-12).square() * (1 - q + 1e-12).square()));
        var soft = T(new[] { 0.0, 1.0, 0.5 });
        GradientPath.AssertTwiceDifferentiableInBothModes(() => L.binary_cross_entropy(probabilities, soft, null, R.Sum), soft, probabilities,
            -1 / (q * (1 - q)));
    }

    // ---- shared ---------------------------------------------------------------------------------

    [TestMethod]
    public void LegacyArgumentsModulesAndEmptyInputs() => InBothGradientModes(() =>
    {
        using var scope = NewDisposeScope();
        var x = T(Probabilities, grad: false);
        var y = T(Targets, grad: false);
        var w = T(new[] { 1.0, 2, 3, 4, 5, 6, 7, 8 }, grad: false);
        AssertClose(L.binary_cross_entropy(x, y, w, R.Sum), L.binary_cross_entropy(x, y, w, size_average: false), "bce legacy");
        AssertClose(L.binary_cross_entropy_with_logits(x, y, w, R.None), L.binary_cross_entropy_with_logits(x, y, w, null, reduce: false), "logits legacy");
        Assert.AreEqual(R.None, TorchLosses.nn.BCELoss(null, size_average: true, reduce: false).reduction);
        Assert.AreEqual(R.Sum, TorchLosses.nn.BCEWithLogitsLoss(null, size_average: false).reduction);

        var bce = TorchLosses.nn.BCELoss(w, R.Sum);
        AssertClose(L.binary_cross_entropy(x, y, w, R.Sum), bce.call(x, y), "bce module");
        var pw = T(new[] { 2.0, 2, 2, 2, 1, 1, 1, 1 }, grad: false);
        var logits = TorchLosses.nn.BCEWithLogitsLoss(w, R.None, pos_weight: pw);
        Assert.IsNotNull(logits.pos_weight);
        Assert.IsTrue(logits.pos_weight!.Equals(pw));
        AssertClose(L.binary_cross_entropy_with_logits(x, y, w, R.None, pw), logits.call(x, y), "logits module");

        // Empty inputs of shape (0, 3): the leaves are 1-D (0) and reshaped inside, because TorchSharp's data<T>() cannot
        // read an empty tensor of two or more dimensions; the (0, 3) shape of reduction none is compared on its own.
        foreach (var reduction in AllReductions)
        {
            AssertSame(a => L.binary_cross_entropy(a[0].reshape(0, 3), a[1].reshape(0, 3), null, reduction).flatten(),
                a => N.binary_cross_entropy(a[0].reshape(0, 3), a[1].reshape(0, 3), null, reduction).flatten(),
                zeros(0).requires_grad_(), zeros(0).requires_grad_());
            AssertSame(a => L.binary_cross_entropy_with_logits(a[0].reshape(0, 3), a[1].reshape(0, 3), null, reduction).flatten(),
                a => N.binary_cross_entropy_with_logits(a[0].reshape(0, 3), a[1].reshape(0, 3), null, reduction).flatten(),
                zeros(0).requires_grad_(), zeros(0).requires_grad_());
        }
        CollectionAssert.AreEqual(new long[] { 0, 3 }, L.binary_cross_entropy(zeros(0, 3), zeros(0, 3), reduction: R.None).shape);
        CollectionAssert.AreEqual(new long[] { 0, 3 }, L.binary_cross_entropy_with_logits(zeros(0, 3), zeros(0, 3), reduction: R.None).shape);
    });
}
