using TorchLosses;
using static TorchLossesTests.Support.Parity;

namespace TorchLossesTests.Losses;

/// <summary>Huber, L1 and MSE: values, regimes, gradients, identities and errors.</summary>
[TestClass]
public sealed class RegressionLossTests
{
    private static readonly double[] X = { 0.5, 1.5, 2.5, -3.0, 0.25, 1.0, -1.0, 2.0, 0.0 };
    private static readonly double[] Y = { 1.0, 2.0, 5.0, -3.5, 0.0, 0.0, 0.0, 0.0, 0.0 };

    [TestMethod]
    public void HuberOfTheDesignExampleWithDeltaHalf()
    {
        // d = [-0.5, -0.5, -2.5], δ = 0.5: every |d| ≥ δ, so ℓ = 0.5·(|d| − 0.25) = [0.125, 0.125, 1.125]; mean 0.458333…
        using var scope = NewDisposeScope();
        var loss = L.huber_loss(tensor(new[] { 0.5, 1.5, 2.5 }), tensor(new[] { 1.0, 2.0, 5.0 }), delta: 0.5);
        Assert.AreEqual(1.375 / 3, loss.item<double>(), 1e-16);
    }

    [TestMethod]
    [DataRow(1e-6), DataRow(0.5), DataRow(1.0), DataRow(2.5), DataRow(1e6)]
    public void HuberMatchesLibtorch(double delta) => InBothGradientModes(() =>
    {
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
                AssertSame(a => L.huber_loss(a[0], a[1], reduction, delta), a => N.huber_loss(a[0], a[1], delta, reduction),
                    T(X, dtype), T(Y, dtype));
    });

    [TestMethod]
    public void L1AndMseMatchLibtorch() => InBothGradientModes(() =>
    {
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
            {
                AssertSame(a => L.l1_loss(a[0], a[1], reduction), a => N.l1_loss(a[0], a[1], reduction), T(X, dtype), T(Y, dtype));
                AssertSame(a => L.mse_loss(a[0], a[1], reduction), a => N.mse_loss(a[0], a[1], reduction), T(X, dtype), T(Y, dtype));
            }
    });

    [TestMethod]
    public void SpecialValuesMatchLibtorch() => InBothGradientModes(() =>
    {
        var x = new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1.0, double.PositiveInfinity, 0.0 };
        var y = new[] { 0.0, 0.0, 0.0, double.NaN, double.PositiveInfinity, 0.0 };
        AssertSame(a => L.l1_loss(a[0], a[1], R.None), a => N.l1_loss(a[0], a[1], R.None), T(x), T(y));
        AssertSame(a => L.mse_loss(a[0], a[1], R.None), a => N.mse_loss(a[0], a[1], R.None), T(x), T(y));
        AssertSame(a => L.huber_loss(a[0], a[1], R.None, 1.0), a => N.huber_loss(a[0], a[1], 1.0, R.None), T(x), T(y));
    });

    [TestMethod]
    public void BroadcastingMatchesLibtorchAndWarns()
    {
        var warnings = new List<string>();
        EventHandler<LossWarningEventArgs> handler = (_, e) => warnings.Add(e.Message);
        LossWarnings.Warned += handler;
        try
        {
            var x = new double[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
            var y = new double[] { 0.5, 2, 3.5, 9 };
            foreach (var reduction in AllReductions)
            {
                AssertSame(a => L.mse_loss(a[0], a[1], reduction), a => N.mse_loss(a[0], a[1], reduction), T(x, shape: new long[] { 3, 4 }), T(y));
                AssertSame(a => L.smooth_l1_loss(a[0], a[1], reduction, 2.0), a => N.smooth_l1_loss(a[0], a[1], reduction, 2.0),
                    T(x, shape: new long[] { 3, 4 }), T(y));
            }
        }
        finally
        {
            LossWarnings.Warned -= handler;
        }
        Assert.IsTrue(warnings.Count > 0);
        Assert.AreEqual(
            "Using a target size (torch.Size([4])) that is different to the input size (torch.Size([3, 4])). " +
            "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.", warnings[0]);
    }

    [TestMethod]
    public void IncompatibleShapesAreRejectedWithLibtorchsMessage()
    {
        using var scope = NewDisposeScope();
        var e = Assert.ThrowsExactly<ArgumentException>(() => L.l1_loss(ones(3, 4), ones(5)));
        StringAssert.StartsWith(e.Message, "The size of tensor a (4) must match the size of tensor b (5) at non-singleton dimension 1");
    }

    [TestMethod]
    public void HuberIsDeltaTimesSmoothL1()
    {
        using var scope = NewDisposeScope();
        foreach (var delta in new[] { 1e-3, 0.5, 1.0, 2.5, 100.0 })
        {
            var huber = L.huber_loss(T(X), T(Y), R.None, delta);
            var smooth = L.smooth_l1_loss(T(X), T(Y), R.None, delta) * delta;
            AssertClose(huber.detach(), smooth.detach(), $"huber vs delta * smooth_l1 at delta {delta}");
        }
    }

    [TestMethod]
    public void HuberTendsToHalfMseAndSmoothL1ToZeroForLargeDelta()
    {
        using var scope = NewDisposeScope();
        var halfMse = L.mse_loss(T(X), T(Y), R.None) * 0.5;
        AssertClose(halfMse.detach(), L.huber_loss(T(X), T(Y), R.None, 1e6).detach(), "huber(1e6) vs mse/2");
        Assert.AreEqual(0.0, L.smooth_l1_loss(T(X), T(Y), R.Sum, double.PositiveInfinity).item<double>());
    }

    [TestMethod]
    [DataRow(0.0), DataRow(-0.0), DataRow(-1.0), DataRow(double.NaN)]
    public void NonPositiveDeltaIsRejected(double delta)
    {
        using var scope = NewDisposeScope();
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.huber_loss(ones(2), zeros(2), delta: delta));
        Assert.AreEqual("delta", e.ParamName);
        StringAssert.StartsWith(e.Message, "huber_loss does not support non-positive values for delta.");
    }

    [TestMethod]
    public void HuberKeepsTheInputDtype()
    {
        using var scope = NewDisposeScope();
        Assert.AreEqual(ScalarType.Float32, L.huber_loss(ones(3), zeros(3, ScalarType.Float64)).dtype);
        Assert.AreEqual(ScalarType.Float64, L.mse_loss(ones(3), zeros(3, ScalarType.Float64)).dtype);
    }

    [TestMethod]
    public void UnknownReductionIsRejected()
    {
        using var scope = NewDisposeScope();
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.mse_loss(ones(2), zeros(2), (R)7));
        StringAssert.StartsWith(e.Message, "7 is not a valid value for reduction");
    }

    [TestMethod]
    public void MseRejectsIntegersLikeTheNativeKernel()
    {
        using var scope = NewDisposeScope();
        Assert.AreEqual("\"mse_cpu\" not implemented for 'Long' (Parameter 'input')",
            Assert.ThrowsExactly<ArgumentException>(() => L.mse_loss(ones(2, ScalarType.Int64), zeros(2, ScalarType.Int64))).Message);
    }

    [TestMethod]
    public void L1OnIntegersSumsLikePyTorch()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new long[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, new long[] { 3, 4 });
        var y = tensor(new long[] { 1, 2, 3, 4 });
        var sum = L.l1_loss(x, y, R.Sum);
        Assert.AreEqual(ScalarType.Int64, sum.dtype);
        Assert.AreEqual(48L, sum.item<long>());
    }

    [TestMethod]
    public void HalfAndBFloat16MatchLibtorch()
    {
        // libtorch 2.10 has float16 and bfloat16 kernels, forward and backward, for all four (1.13 had neither mse in bfloat16
        // nor any float16 backward).
        foreach (var dtype in new[] { ScalarType.Float16, ScalarType.BFloat16 })
            foreach (var reduction in AllReductions)
            {
                AssertSame(a => L.smooth_l1_loss(a[0], a[1], reduction, 1.0), a => N.smooth_l1_loss(a[0], a[1], reduction, 1.0), T(X, dtype), T(Y, dtype));
                AssertSame(a => L.smooth_l1_loss(a[0], a[1], reduction, 0.0), a => N.smooth_l1_loss(a[0], a[1], reduction, 0.0), T(X, dtype), T(Y, dtype));
                AssertSame(a => L.huber_loss(a[0], a[1], reduction, 1.0), a => N.huber_loss(a[0], a[1], 1.0, reduction), T(X, dtype), T(Y, dtype));
                AssertSame(a => L.l1_loss(a[0], a[1], reduction), a => N.l1_loss(a[0], a[1], reduction), T(X, dtype), T(Y, dtype));
                AssertSame(a => L.mse_loss(a[0], a[1], reduction), a => N.mse_loss(a[0], a[1], reduction), T(X, dtype), T(Y, dtype));
            }
    }

    /// <summary>
    /// float16 and bfloat16 to the bit against libtorch 2.10's kernels, on 4096 random pairs (whole vectorised blocks: the
    /// kernels' scalar tails round some operations differently). Each loss follows its kernel's arithmetic: SmoothL1's forward
    /// works in float32 for bfloat16 and rounds every operation to float16 for float16, its backward works in float32;
    /// Huber's forward works in float32 for float16 and rounds every operation to bfloat16 for bfloat16, its backward rounds
    /// every operation to the half type; MSE and L1 round every operation to it. Values for every reduction; gradients for
    /// none and sum, and under mean within one rounding: there autograd divides the upstream gradient by N in the half type
    /// where the kernels scale their own factor first.
    /// </summary>
    [TestMethod]
    public void HalfTypesFollowTheirKernelsToTheBit()
    {
        foreach (var dtype in new[] { ScalarType.Float16, ScalarType.BFloat16 })
            foreach (var (name, parameter) in new[] { ("l1", 0.0), ("mse", 0.0), ("smooth_l1", 0.5), ("smooth_l1", 1.0), ("smooth_l1", 2.5),
                         ("smooth_l1", 1e-3), ("huber", 0.5), ("huber", 1.0), ("huber", 2.5), ("huber", 1e-3) })
                foreach (var reduction in AllReductions)
                {
                    using var scope = NewDisposeScope();
                    double scale = Math.Max(parameter, 1e-2);
                    var x = (Normal(31, ScalarType.Float64, false, 4096) * (2 * scale)).to(dtype);
                    var y = (Normal(32, ScalarType.Float64, false, 4096) * scale).to(dtype);
                    var upstream = reduction == R.None ? (Normal(33, ScalarType.Float64, false, 4096) + 0.1).to(dtype) : tensor(0.7).to(dtype);
                    (double[] value, double[] input, double[] target) Run(Func<Tensor, Tensor, R, Tensor> loss)
                    {
                        var (xs, ys) = (x.clone().requires_grad_(), y.clone().requires_grad_());
                        var value = loss(xs, ys, reduction);
                        value.backward(new[] { upstream });
                        return (Read(value), Read(xs.grad!), Read(ys.grad!));
                    }
                    var native = Run(name switch
                    {
                        "l1" => (a, b, r) => N.l1_loss(a, b, r),
                        "mse" => (a, b, r) => N.mse_loss(a, b, r),
                        "smooth_l1" => (a, b, r) => N.smooth_l1_loss(a, b, r, parameter),
                        _ => (a, b, r) => N.huber_loss(a, b, parameter, r),
                    });
                    var ours = Run(name switch
                    {
                        "l1" => (a, b, r) => L.l1_loss(a, b, r),
                        "mse" => (a, b, r) => L.mse_loss(a, b, r),
                        "smooth_l1" => (a, b, r) => L.smooth_l1_loss(a, b, r, parameter),
                        _ => (a, b, r) => L.huber_loss(a, b, r, parameter),
                    });
                    string what = $"{dtype} {name}({parameter}) {reduction}";
                    CollectionAssert.AreEqual(native.value, ours.value, $"{what}: value");
                    int ulps = reduction == R.Mean ? 1 : 0;
                    AssertWithinUlps(native.input, ours.input, dtype, ulps, $"{what}: input gradient");
                    AssertWithinUlps(native.target, ours.target, dtype, ulps, $"{what}: target gradient");
                }

        static double[] Read(Tensor t) => t.detach().to(ScalarType.Float64).flatten().data<double>().ToArray();
    }

    /// <summary>Asserts that every element is within <paramref name="ulps"/> units in the last place of the half type.</summary>
    private static void AssertWithinUlps(double[] expected, double[] actual, ScalarType dtype, int ulps, string what)
    {
        int bits = dtype == ScalarType.Float16 ? 10 : 7;                 // explicit significand bits
        double smallest = dtype == ScalarType.Float16 ? Math.Pow(2, -24) : Math.Pow(2, -133);
        for (int i = 0; i < expected.Length; i++)
        {
            if (double.IsNaN(expected[i]) || double.IsInfinity(expected[i]) || ulps == 0)
            {
                Assert.IsTrue(expected[i].Equals(actual[i]) || expected[i] == actual[i], $"{what}[{i}]: {actual[i]:R}, libtorch's {expected[i]:R}");
                continue;
            }
            double ulp = expected[i] == 0 ? smallest : Math.Max(smallest, Math.Pow(2, Math.Floor(Math.Log2(Math.Abs(expected[i]))) - bits));
            Assert.IsTrue(Math.Abs(actual[i] - expected[i]) <= ulps * ulp, $"{what}[{i}]: {actual[i]:R}, libtorch's {expected[i]:R} (more than {ulps} ulp)");
        }
    }

    [TestMethod]
    public void L1GradientIsRoundedAsLibtorchComposesIt()
    {
        // libtorch 2.10 composes l1_loss from abs and the reduction: under mean autograd divides the upstream by N, then
        // multiplies by sgn(d). N = 7 and N = 7·587 = 4109 make u·(1/N) and u/N round differently for some u; below 4096
        // elements L1 is recorded as that composition, from 4096 on its custom function rounds the same way.
        foreach (var dtype in Dtypes)
            foreach (var upstream in new[] { 0.3, 0.7, 1.1, 2.9 })
            foreach (long copies in new[] { 1, 587 })
            {
                using var scope = NewDisposeScope();
                Tensor Gradient(Func<Tensor, Tensor> loss)
                {
                    var x = tensor(new[] { 0.5, -1.0, 3.0, 0.0, 2.0, -0.25, 1.0 }).repeat(copies).to(dtype).requires_grad_();
                    loss(x).backward(new[] { tensor(upstream).to(dtype) });
                    return x.grad!;
                }
                var y = tensor(new[] { 0.0, 1.0, 1.0, 0.0, -3.0, 0.0, 0.5 }).repeat(copies).to(dtype);
                CollectionAssert.AreEqual(Gradient(x => N.l1_loss(x, y)).to(ScalarType.Float64).data<double>().ToArray(),
                    Gradient(x => L.l1_loss(x, y)).to(ScalarType.Float64).data<double>().ToArray(), $"{dtype}, upstream {upstream}, {7 * copies} elements");
            }
    }

    [TestMethod]
    public void ModulesEqualFunctionals()
    {
        using var scope = NewDisposeScope();
        var x = T(X);
        var y = T(Y, grad: false);
        AssertClose(L.huber_loss(x, y, R.Sum, 2.0), TorchLosses.nn.HuberLoss(R.Sum, 2.0).call(x, y), "huber");
        AssertClose(L.l1_loss(x, y, R.None), TorchLosses.nn.L1Loss(R.None).call(x, y), "l1");
        AssertClose(L.mse_loss(x, y), TorchLosses.nn.MSELoss().call(x, y), "mse");
        Assert.AreEqual(1.0, TorchLosses.nn.HuberLoss().delta);
    }

    [TestMethod]
    public void RunOnTheMetaDeviceWhereLibtorchDoes()
    {
        using var scope = NewDisposeScope();
        var x = empty(new long[] { 2, 3 }, device: META);
        foreach (var loss in new[] { L.mse_loss(x, x), L.huber_loss(x, x, R.None, 0.5), L.mse_loss(x, x, R.Sum) })
            Assert.AreEqual(DeviceType.META, loss.device_type);
        // libtorch 2.10 has no meta kernel for abs: its own l1_loss fails there, and so does this one, with the same message.
        var native = Assert.ThrowsExactly<System.Runtime.InteropServices.ExternalException>(() => N.l1_loss(x, x));
        var composed = Assert.ThrowsExactly<System.Runtime.InteropServices.ExternalException>(() => L.l1_loss(x, x));
        StringAssert.StartsWith(native.Message, "aten::abs.out: attempted to run this operator with Meta tensors");
        Assert.AreEqual(native.Message.Split('\n')[0], composed.Message.Split('\n')[0]);
    }
}
