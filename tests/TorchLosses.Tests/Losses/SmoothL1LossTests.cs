using TorchLossesTests.Support;
using static TorchLossesTests.Support.Parity;

namespace TorchLossesTests.Losses;

[TestClass]
public sealed class SmoothL1LossTests
{
    // d = x − y covers |d| < β, |d| > β and |d| == β exactly (for β = 0.5 and 1), both signs, and ties.
    private static readonly double[] X = { 0.5, 1.5, 2.5, -3.0, 0.25, 1.0, -1.0, 2.0, 0.0 };
    private static readonly double[] Y = { 1.0, 2.0, 5.0, -3.5, 0.0, 0.0, 0.0, 0.0, 0.0 };

    [TestMethod]
    public void WorkedExampleIsOneEighthNotSevenEighths()
    {
        // input [[0.5],[1.5],[2.5]] vs target [[1],[2],[3]]: every |d| = 0.5 < 1, so each term is 0.5·0.25 = 0.125.
        using var scope = NewDisposeScope();
        var input = tensor(new[] { 0.5f, 1.5f, 2.5f }, new long[] { 3, 1 });
        var target = tensor(new[] { 1f, 2f, 3f }, new long[] { 3, 1 });
        Assert.AreEqual(0.125f, L.smooth_l1_loss(input, target).item<float>());
    }

    [TestMethod]
    public void DesignExampleIsThreeQuarters()
    {
        using var scope = NewDisposeScope();
        var loss = L.smooth_l1_loss(tensor(new[] { 0.5f, 1.5f, 2.5f }), tensor(new[] { 1f, 2f, 5f }));
        Assert.AreEqual(0.75f, loss.item<float>(), 1e-7f);
    }

    [TestMethod]
    [DataRow(0.5, DisplayName = "beta 0.5: |d| == beta at several elements")]
    [DataRow(1.0, DisplayName = "beta 1: |d| == beta at several elements")]
    [DataRow(2.5, DisplayName = "beta 2.5")]
    public void HandComputedPerElementValuesAndGradients(double beta)
    {
        using var scope = NewDisposeScope();
        var x = T(X);
        var y = T(Y, grad: false);
        var loss = L.smooth_l1_loss(x, y, torch.nn.Reduction.None, beta);
        loss.sum().backward();
        var values = loss.data<double>().ToArray();
        var grads = x.grad!.data<double>().ToArray();
        for (int i = 0; i < X.Length; i++)
        {
            double d = X[i] - Y[i], z = Math.Abs(d);
            double expected = z < beta ? 0.5 * d * d / beta : z - 0.5 * beta;
            double gradient = Math.Clamp(d, -beta, beta) / beta;
            // Our form (m/β)·(d − m/2) and PyTorch's 0.5·d²/β round in a different order: ≤ 2 ulp apart.
            Assert.AreEqual(expected, values[i], 4 * double.Epsilon + 4 * Math.Pow(2, -52) * Math.Abs(expected), $"value at d = {d}");
            Assert.AreEqual(gradient, grads[i], 1e-15, $"gradient at d = {d}");
        }
    }

    [TestMethod]
    public void AtExactlyBetaTheLinearBranchIsUsedAndBothBranchesAgree()
    {
        using var scope = NewDisposeScope();
        var x = T(new[] { 1.0, -1.0 });
        var loss = L.smooth_l1_loss(x, zeros(2, ScalarType.Float64), torch.nn.Reduction.None, beta: 1.0);
        loss.sum().backward();
        CollectionAssert.AreEqual(new[] { 0.5, 0.5 }, loss.data<double>().ToArray());
        CollectionAssert.AreEqual(new[] { 1.0, -1.0 }, x.grad!.data<double>().ToArray());
    }

    [TestMethod]
    [DataRow(0.0), DataRow(1e-6), DataRow(0.5), DataRow(1.0), DataRow(2.5), DataRow(1e6), DataRow(1e-300), DataRow(1e-46), DataRow(1e39)]
    public void MatchesLibtorchForEveryReductionAndDtype(double beta) => InBothGradientModes(() =>
    {
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
                AssertSame(a => L.smooth_l1_loss(a[0], a[1], reduction, beta), a => N.smooth_l1_loss(a[0], a[1], reduction, beta),
                    T(X, dtype), T(Y, dtype));
    });

    /// <summary>
    /// β = 0 is l1_loss, as PyTorch 2.10's F.smooth_l1_loss makes it (it calls l1_loss there, never the smooth-L1 kernel):
    /// the same values and gradients to the bit, 0 for input and target at d = 0 (the kernel would give −1 to both) and at NaN,
    /// every reduction, float32 and float64, and the witness agrees.
    /// </summary>
    [TestMethod]
    public void BetaZeroIsL1Exactly() => InBothGradientModes(() =>
    {
        var x = new[] { 0.0, 1.0, double.NaN, double.PositiveInfinity, 2.0, -1.0, 0.5, -3.0, 0.25, 0.0, 7.0 };
        var y = new[] { 0.0, 0.0, 0.0, 0.0, double.PositiveInfinity, -1.0, 1.0, 0.0, 0.0, 2.0, 7.0 };
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
            {
                using var scope = NewDisposeScope();
                var (smooth, l1) = (Run(a => L.smooth_l1_loss(a[0], a[1], reduction, 0.0)), Run(a => L.l1_loss(a[0], a[1], reduction)));
                for (int k = 0; k < 3; k++)
                    CollectionAssert.AreEqual(l1[k], smooth[k], $"{dtype} {reduction}: {(k == 0 ? "value" : k == 1 ? "input gradient" : "target gradient")}");
                Assert.AreEqual(0.0, smooth[1][0], "input gradient at d = 0");
                Assert.AreEqual(0.0, smooth[2][0], "target gradient at d = 0");
                AssertSame(a => L.smooth_l1_loss(a[0], a[1], reduction, 0.0), a => N.smooth_l1_loss(a[0], a[1], reduction, 0.0), T(x, dtype), T(y, dtype));

                double[][] Run(Func<Tensor[], Tensor> loss)
                {
                    var (xs, ys) = (T(x, dtype), T(y, dtype));
                    var value = loss(new[] { xs, ys });
                    value.backward(new[] { ones_like(value) * 0.3 });
                    return new[] { value, xs.grad!, ys.grad! }.Select(t => t.detach().to(ScalarType.Float64).flatten().data<double>().ToArray()).ToArray();
                }
            }
    });

    [TestMethod]
    public void BetaZeroAcceptsWhatL1AcceptsAndWarnsAsSmoothL1()
    {
        using var scope = NewDisposeScope();
        // The smooth-L1 kernel's dtype check does not apply at β = 0: PyTorch never reaches it there.
        var x = tensor(new long[] { 1, 5, 3 });
        var y = tensor(new long[] { 2, 2, 3 });
        Assert.AreEqual(4L, L.smooth_l1_loss(x, y, torch.nn.Reduction.Sum, 0.0).item<long>());
        Assert.AreEqual(ScalarType.Int64, L.smooth_l1_loss(x, y, torch.nn.Reduction.None, 0.0).dtype);
        var warned = new List<string>();
        EventHandler<TorchLosses.LossWarningEventArgs> handler = (_, e) => warned.Add(e.Loss);
        TorchLosses.LossWarnings.Warned += handler;
        try
        {
            L.smooth_l1_loss(ones(3, 2), ones(2), torch.nn.Reduction.Mean, 0.0);
        }
        finally
        {
            TorchLosses.LossWarnings.Warned -= handler;
        }
        CollectionAssert.AreEqual(new[] { "smooth_l1_loss" }, warned);
    }

    /// <summary>
    /// The edges, to the bit, on the default (analytic) path: |d| = β exactly, the linear zone beyond it, d = 0, ±∞ and NaN,
    /// in float32 and float64, every reduction, with an upstream gradient that is not a power of two (so a gradient scaled
    /// by β and back would show), for β and δ in the normal range and beyond float32's (1e-300 and 1e-46 round to 0 there,
    /// 1e39 to ∞: the losses follow the kernels' rounding, no NaN and no exception). Values: SmoothL1 for every β, Huber for
    /// every δ. Gradients: SmoothL1 everywhere (β = 0 is L1, whose gradient libtorch composes as autograd does); Huber at
    /// d = 0 and NaN (its kernel itself rounds the linear zone's δ·g/N differently in its vectorised body and its
    /// scalar tail). A zero may differ in sign: libtorch's target gradient comes from its kernel run with the arguments
    /// swapped. Inside the quadratic zone the two round in different orders.
    /// </summary>
    [TestMethod]
    [DataRow("smooth_l1", 0.0), DataRow("smooth_l1", 1e-6), DataRow("smooth_l1", 0.1), DataRow("smooth_l1", 1.0 / 9),
     DataRow("smooth_l1", 2.5), DataRow("smooth_l1", 1e6), DataRow("smooth_l1", 1e-300), DataRow("smooth_l1", 1e-46), DataRow("smooth_l1", 1e39),
     DataRow("huber", 1e-6), DataRow("huber", 0.1), DataRow("huber", 2.5), DataRow("huber", 1e6),
     DataRow("huber", 1e-300), DataRow("huber", 1e-46), DataRow("huber", 1e39)]
    public void EdgeValuesAndGradientsAreLibtorchsToTheBit(string loss, double parameter)
    {
        double b = parameter == 0 ? 1 : parameter, inf = double.PositiveInfinity, nan = double.NaN;
        // d = b, −b, 2b, −3b, 0, 0, ∞, −∞, −∞, NaN, NaN (in float32, b itself may round to 0 or ∞)
        var x = new[] { b, -b, 2 * b, -3 * b, 0, 1, inf, -inf, 3, nan, 0 };
        var y = new[] { 0, 0, 0, 0, 0, 1, 0, 2, inf, 0, nan };
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
            {
                using var scope = NewDisposeScope();
                (double[] value, double[] input, double[] target) Run(bool native)
                {
                    var xs = T(x, dtype);
                    var ys = T(y, dtype);
                    var value = (loss, native) switch
                    {
                        ("huber", true) => N.huber_loss(xs, ys, parameter, reduction),
                        ("huber", false) => L.huber_loss(xs, ys, reduction, parameter),
                        (_, true) => N.smooth_l1_loss(xs, ys, reduction, parameter),
                        _ => L.smooth_l1_loss(xs, ys, reduction, parameter),
                    };
                    var upstream = tensor(Enumerable.Range(0, (int)value.numel()).Select(i => 0.1 + 0.37 * i).ToArray(), value.shape).to(dtype);
                    value.backward(new[] { upstream });
                    return (Read(value), Read(xs.grad!), Read(ys.grad!));
                }
                var (expected, composed) = (Run(native: true), Run(native: false));
                void Same(string what, double[] e, double[] a, Func<int, bool> compared)
                {
                    // Equal doubles other than ±0 have equal bits (a float32 converts to float64 exactly).
                    for (int i = 0; i < e.Length; i++)
                        if (compared(i))
                            Assert.IsTrue(double.IsNaN(e[i]) ? double.IsNaN(a[i]) : e[i] == a[i],
                                $"{loss}({parameter}) {dtype} {reduction}: {what}[{i}] is {a[i]:R}, libtorch's {e[i]:R}");
                }
                Func<int, bool> gradientCompared = loss == "smooth_l1" ? _ => true
                    : i => i is 4 or 5 or 9 or 10;              // Huber: d = 0 and NaN (±∞ has the finite gradient ±δ)
                Same("value", expected.value, composed.value, _ => true);
                Same("input gradient", expected.input, composed.input, gradientCompared);
                Same("target gradient", expected.target, composed.target, gradientCompared);
            }

        static double[] Read(Tensor t) => t.detach().to(ScalarType.Float64).flatten().data<double>().ToArray();
    }

    /// <summary>
    /// float16 and bfloat16 with an infinite difference and a parameter the half type rounds to 0 or ∞ while float32 holds it
    /// (β, δ = 1e-40 or 3.4e38): the half kernels' forward and backward round differently, and at d = ±∞ one of them is
    /// ∞ − ∞. libtorch: smooth L1's float16 forward gives NaN there with the gradient ±1 (3.4e38 rounds to ∞ in float16),
    /// Huber's forward (float32 inside) gives ∞. Values and both gradients are libtorch's, to the bit (±0 aside).
    /// </summary>
    [TestMethod]
    [DataRow("smooth_l1", 3.4e38), DataRow("smooth_l1", 1e-40), DataRow("huber", 3.4e38), DataRow("huber", 1e-40)]
    public void HalfTypesWithAParameterTheyRoundAwayKeepLibtorchsValuesAtInfinity(string loss, double parameter) => InBothGradientModes(() =>
    {
        double inf = double.PositiveInfinity;
        var x = new[] { inf, -inf, 1.0, 0.0, 3.0, 0.5 };
        var y = new[] { 0.0, 0.0, 0.0, 0.0, inf, 0.25 };
        foreach (var dtype in new[] { ScalarType.Float16, ScalarType.BFloat16 })
            foreach (var reduction in AllReductions)
            {
                using var scope = NewDisposeScope();
                double[][] Run(bool native)
                {
                    var xs = tensor(x).to(dtype).requires_grad_();
                    var ys = tensor(y).to(dtype).requires_grad_();
                    var value = (loss, native) switch
                    {
                        ("huber", true) => N.huber_loss(xs, ys, parameter, reduction),
                        ("huber", false) => L.huber_loss(xs, ys, reduction, parameter),
                        (_, true) => N.smooth_l1_loss(xs, ys, reduction, parameter),
                        _ => L.smooth_l1_loss(xs, ys, reduction, parameter),
                    };
                    value.backward(new[] { ones_like(value) });
                    return new[] { value, xs.grad!, ys.grad! }.Select(t => t.detach().to(ScalarType.Float64).flatten().data<double>().ToArray()).ToArray();
                }
                var (expected, composed) = (Run(native: true), Run(native: false));
                var what = new[] { "value", "input gradient", "target gradient" };
                for (int k = 0; k < 3; k++)
                    for (int i = 0; i < expected[k].Length; i++)
                        Assert.IsTrue(double.IsNaN(expected[k][i]) ? double.IsNaN(composed[k][i]) : expected[k][i] == composed[k][i],
                            $"{loss}({parameter}) {dtype} {reduction}: {what[k]}[{i}] is {composed[k][i]:R}, libtorch's {expected[k][i]:R}");
            }
    });

    [TestMethod]
    public void BetaZeroHasFiniteGradients()
    {
        using var scope = NewDisposeScope();
        var x = T(X);
        L.smooth_l1_loss(x, T(Y, grad: false), beta: 0.0).backward();
        Assert.IsTrue(x.grad!.isfinite().all().item<bool>());
    }

    [TestMethod]
    [DataRow(1e-6), DataRow(0.5), DataRow(1.0), DataRow(1e6), DataRow(1e-300), DataRow(1e39)]
    public void NanAndInfinityPropagateAsInLibtorch(double beta) => InBothGradientModes(() =>
    {
        var x = new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1.0, double.PositiveInfinity, 3.0 };
        var y = new[] { 0.0, 0.0, 0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity };
        AssertSame(a => L.smooth_l1_loss(a[0], a[1], torch.nn.Reduction.None, beta),
            a => N.smooth_l1_loss(a[0], a[1], torch.nn.Reduction.None, beta), T(x), T(y));
    });

    [TestMethod]
    public void InfiniteBetaGivesZeroForFiniteDifferencesAndNanWithSlopeOneForInfiniteOnes() => InBothGradientModes(() =>
    {
        // libtorch: 0.5·d²/∞ = 0 for finite d, ∞ − ∞ = NaN for infinite d, whose gradient is ±1.
        var x = X.Concat(new[] { double.PositiveInfinity, double.NegativeInfinity, double.NaN, 1e200 }).ToArray();
        var y = Y.Concat(new[] { 0.0, 0.0, 0.0, 0.0 }).ToArray();
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
                AssertSame(a => L.smooth_l1_loss(a[0], a[1], reduction, double.PositiveInfinity),
                    a => N.smooth_l1_loss(a[0], a[1], reduction, double.PositiveInfinity), T(x, dtype), T(y, dtype));
    });

    [TestMethod]
    public void HugeBetaAndInfiniteBeta()
    {
        using var scope = NewDisposeScope();
        var big = L.smooth_l1_loss(tensor(new[] { 1e7f }), tensor(new[] { 0f }), beta: 1e6);
        Assert.AreEqual(9.5e6f, big.item<float>());
        var none = L.smooth_l1_loss(tensor(new[] { 1.0 }), tensor(new[] { 0.0 }), beta: double.PositiveInfinity);
        Assert.AreEqual(0.0, none.item<double>());
    }

    [TestMethod]
    public void EmptyInputGivesNanMeanZeroSumEmptyNone()
    {
        using var scope = NewDisposeScope();
        var x = zeros(0, ScalarType.Float32, requires_grad: true);
        var y = zeros(0, ScalarType.Float32);
        Assert.IsTrue(float.IsNaN(L.smooth_l1_loss(x, y).item<float>()));
        Assert.AreEqual(0f, L.smooth_l1_loss(x, y, torch.nn.Reduction.Sum).item<float>());
        Assert.AreEqual(0L, L.smooth_l1_loss(x, y, torch.nn.Reduction.None).numel());
    }

    [TestMethod]
    [DataRow(-1.0), DataRow(double.NaN)]
    public void NegativeOrNanBetaIsRejectedWithPyTorchsMessage(double beta)
    {
        using var scope = NewDisposeScope();
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.smooth_l1_loss(ones(3), zeros(3), beta: beta));
        Assert.AreEqual("beta", e.ParamName);
        StringAssert.StartsWith(e.Message, "smooth_l1_loss does not support negative values for beta.");
        // Even on empty tensors, as in PyTorch.
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.smooth_l1_loss(zeros(0), zeros(0), beta: beta));
    }

    [TestMethod]
    public void NegativeZeroBetaBehavesAsZero()
    {
        using var scope = NewDisposeScope();
        Assert.AreEqual(1f, L.smooth_l1_loss(ones(1), zeros(1), beta: -0.0).item<float>());
    }

    [TestMethod]
    public void ModuleEqualsFunctional()
    {
        using var scope = NewDisposeScope();
        var x = T(X);
        var y = T(Y, grad: false);
        var module = TorchLosses.nn.SmoothL1Loss(torch.nn.Reduction.Sum, beta: 0.5);
        Assert.AreEqual(0.5, module.beta);
        Assert.AreEqual(torch.nn.Reduction.Sum, module.reduction);
        AssertClose(L.smooth_l1_loss(x, y, torch.nn.Reduction.Sum, 0.5), module.call(x, y), "module vs functional");
        var defaults = TorchLosses.nn.SmoothL1Loss();
        Assert.AreEqual(1.0, defaults.beta);
        Assert.AreEqual(torch.nn.Reduction.Mean, defaults.reduction);
    }

    [TestMethod]
    public void IntegerInputsAreRejectedLikeTheNativeKernel()
    {
        using var scope = NewDisposeScope();
        var e = Assert.ThrowsExactly<ArgumentException>(() => L.smooth_l1_loss(ones(3, ScalarType.Int64), zeros(3, ScalarType.Int64)));
        Assert.AreEqual("\"smooth_l1_cpu\" not implemented for 'Long' (Parameter 'input')", e.Message);
    }

    [TestMethod]
    public void RunsOnTheMetaDevice()
    {
        using var scope = NewDisposeScope();
        var x = empty(new long[] { 3, 4 }, device: META);
        var loss = L.smooth_l1_loss(x, empty(new long[] { 3, 4 }, device: META), beta: 0.5);
        Assert.AreEqual(DeviceType.META, loss.device_type);
        Assert.AreEqual(0L, loss.dim());
        // β = 0 is l1_loss, which libtorch 2.10 cannot run on the meta device (no meta kernel for abs): neither can this.
        var native = Assert.ThrowsExactly<System.Runtime.InteropServices.ExternalException>(() => N.smooth_l1_loss(x, x, beta: 0.0));
        var composed = Assert.ThrowsExactly<System.Runtime.InteropServices.ExternalException>(() => L.smooth_l1_loss(x, x, beta: 0.0));
        Assert.AreEqual(native.Message.Split('\n')[0], composed.Message.Split('\n')[0]);
    }
}
