using TorchLosses;
using TorchLossesTests.Support;
using static TorchLossesTests.Support.Parity;

namespace TorchLossesTests.Losses;

/// <summary>KL divergence, Poisson NLL and Gaussian NLL: values, regimes, gradients, reductions, identities, errors.</summary>
[TestClass]
public sealed class ProbabilisticLossTests
{

    private const string KlMeanWarning =
        "reduction: 'mean' divides the total loss by both the batch size and the support size." +
        "'batchmean' divides only by the batch size, and aligns with the KL div math definition." +
        "'mean' will be changed to behave the same as 'batchmean' in the next major release.";

    /// <summary>Runs <paramref name="body"/> and returns the warnings raised for <paramref name="loss"/> meanwhile.</summary>
    private static List<string> WarningsOf(string loss, Action body)
    {
        var messages = new List<string>();
        EventHandler<LossWarningEventArgs> handler = (_, e) => { if (e.Loss == loss) lock (messages) messages.Add(e.Message); };
        LossWarnings.Warned += handler;
        try { body(); }
        finally { LossWarnings.Warned -= handler; }
        return messages;
    }

    private static void Throws<TException>(Action call, string message) where TException : Exception =>
        StringAssert.StartsWith(Assert.ThrowsExactly<TException>(call).Message, message);

    // Probabilities with one zero (KL's y = 0 regime) and log-probabilities of another distribution.
    private static readonly double[] P = { 0.25, 0.25, 0.5, 0.0, 0.7, 0.3 };
    private static readonly double[] LogQ = { -0.6931471805599453, -1.3862943611198906, -1.3862943611198906, -0.2, -3.0, -0.05 };

    // ---- KL divergence ----------------------------------------------------------------------------

    [TestMethod]
    public void KlOfTwoSmallDistributionsByHand() => InBothGradientModes(() =>
    {
        // q = [1/2, 1/4, 1/4], p = [1/4, 1/4, 1/2]: KL(p‖q) = ¼·log(½) + 0 + ½·log 2 = ¼·log 2.
        using var scope = NewDisposeScope();
        var x = T(LogQ[..3], grad: false, shape: new long[] { 1, 3 });
        var y = T(P[..3], grad: false, shape: new long[] { 1, 3 });
        Assert.AreEqual(0.25 * Math.Log(2), L.kl_div(x, y, R.Sum).item<double>(), 1e-16);
        Assert.AreEqual(0.25 * Math.Log(2), L.kl_div(x, y, "batchmean").item<double>(), 1e-16);
        Assert.AreEqual(0.25 * Math.Log(2) / 3, L.kl_div(x, y).item<double>(), 1e-16);
        // y = 0 contributes 0 (0·log 0 = 0), whatever x is.
        Assert.AreEqual(0.0, L.kl_div(tensor(new[] { -5.0 }), tensor(new[] { 0.0 }), R.Sum).item<double>());
    });

    [TestMethod]
    public void KlMatchesLibtorchForBothTargetForms() => InBothGradientModes(() =>
    {
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
                foreach (var logTarget in new[] { false, true })
                {
                    var target = logTarget ? new[] { -1.2, -0.3, -2.0, -0.01, 0.5, -4.0 } : P;
                    AssertSame(a => L.kl_div(a[0], a[1], reduction, logTarget), a => N.kl_div(a[0], a[1], logTarget, reduction),
                        T(LogQ, dtype, shape: new long[] { 2, 3 }), T(target, dtype, shape: new long[] { 2, 3 }));
                }
    });

    [TestMethod]
    public void KlBatchMeanIsSumOverTheFirstDimension() => InBothGradientModes(() =>
    {
        foreach (var dtype in Dtypes)
            foreach (var logTarget in new[] { false, true })
                AssertSame(a => L.kl_div(a[0], a[1], "batchmean", logTarget), a => N.kl_div(a[0], a[1], logTarget, R.Sum) / 2,
                    T(LogQ, dtype, shape: new long[] { 2, 3 }), T(P, dtype, shape: new long[] { 2, 3 }));
        using var scope = NewDisposeScope();
        // 0-d input: no division; empty batch: 0/0; empty support: 0/2.
        Assert.AreEqual(-0.5 * -1.0 + 0.5 * Math.Log(0.5), L.kl_div(tensor(-1.0), tensor(0.5), "batchmean").item<double>(), 1e-15);
        Assert.IsTrue(double.IsNaN(L.kl_div(zeros(0, 3), zeros(0, 3), "batchmean").item<float>()));
        Assert.AreEqual(0f, L.kl_div(zeros(new long[] { 2, 0 }), zeros(new long[] { 2, 0 }), "batchmean").item<float>());
        // The batch is the input's first dimension, even when the target broadcasts it larger.
        Assert.AreEqual(3 * 0.5 * Math.Log(0.5), L.kl_div(zeros(4, ScalarType.Float64), full(3, 4, 0.5, ScalarType.Float64), "batchmean").item<double>(), 1e-14);
    });

    [TestMethod]
    public void KlSpecialValuesMatchLibtorch() => InBothGradientModes(() =>
    {
        // x = −∞ with y = 0 (0·∞ = NaN), y = 0 (target gradient NaN), y < 0 (NaN), inputs ±∞ and NaN.
        var x = new[] { double.NegativeInfinity, 0.5, -1.0, 2.0, 0.3, double.PositiveInfinity, double.NaN };
        var y = new[] { 0.0, 0.0, -1.0, 0.3, 1.0, 0.5, 0.5 };
        AssertSame(a => L.kl_div(a[0], a[1], R.None), a => N.kl_div(a[0], a[1], false, R.None), T(x), T(y));
        var logY = new[] { double.NegativeInfinity, double.NegativeInfinity, 0.0, -0.3, double.PositiveInfinity, 1.0, double.NaN };
        AssertSame(a => L.kl_div(a[0], a[1], R.None, true), a => N.kl_div(a[0], a[1], true, R.None), T(new[] { 0.0, double.NegativeInfinity, 1, 2, 0, 1, 0 }), T(logY));
    });

    [TestMethod]
    public void KlGradientsByHand() => InBothGradientModes(() =>
    {
        // ∂/∂x = −y; ∂/∂y = log y + 1 − x for y > 0 and NaN at y = 0.
        using var scope = NewDisposeScope();
        var x = T(new[] { 0.5, -1.0, 2.0 });
        var y = T(new[] { 0.0, 0.5, 2.0 });
        L.kl_div(x, y, R.Sum).backward();
        CollectionAssert.AreEqual(new[] { -0.0, -0.5, -2.0 }, x.grad!.data<double>().ToArray());
        var dy = y.grad!.data<double>().ToArray();
        Assert.IsTrue(double.IsNaN(dy[0]));
        Assert.AreEqual(Math.Log(0.5) + 2, dy[1], 1e-15);
        Assert.AreEqual(Math.Log(2.0) - 1, dy[2], 1e-15);
    });

    [TestMethod]
    public void KlLogTargetOnLogYEqualsProbabilityTargetOnY() => InBothGradientModes(() =>
    {
        using var scope = NewDisposeScope();
        var y = tensor(new[] { 0.1, 0.2, 0.3, 0.4, 0.05, 0.95 }).reshape(2, 3);
        var x = tensor(LogQ).reshape(2, 3);
        AssertClose(L.kl_div(x, y, R.None), L.kl_div(x, y.log(), R.None, log_target: true), "log_target on log y vs y");
    });

    [TestMethod]
    public void KlWarningsFollowPyTorch()
    {
        using var scope = NewDisposeScope();
        var x = zeros(2, 3);
        var y = full(2, 3, 0.5f);
        CollectionAssert.AreEqual(new[] { KlMeanWarning }, WarningsOf("kl_div", () => L.kl_div(x, y)));
        CollectionAssert.AreEqual(new[] { KlMeanWarning }, WarningsOf("kl_div", () => L.kl_div(x, y, "mean")));
        CollectionAssert.AreEqual(new[] { "reduction='elementwise_mean' is deprecated, please use reduction='mean' instead." },
            WarningsOf("kl_div", () => Assert.AreEqual(L.kl_div(x, y, R.Sum).item<float>() / 6, L.kl_div(x, y, "elementwise_mean").item<float>())));
        Assert.AreEqual(0, WarningsOf("kl_div", () => L.kl_div(x, y, "batchmean")).Count);
        Assert.AreEqual(0, WarningsOf("kl_div", () => L.kl_div(x, y, R.Sum)).Count);
        // The legacy pair overrides the reduction, batchmean included, and the mean warning is then not raised.
        var legacy = WarningsOf("kl_div", () =>
            Assert.AreEqual(L.kl_div(x, y, R.Mean).item<float>(), L.kl_div(x, y, true, null, "batchmean").item<float>()));
        CollectionAssert.Contains(legacy, "size_average and reduce args will be deprecated, please use reduction='mean' instead.");
        Assert.AreEqual(1, legacy.Count(m => m == KlMeanWarning), "only the plain mean call warns");
        Throws<ArgumentException>(() => L.kl_div(x, y, "MEAN"), "MEAN is not a valid value for reduction");
        // A bogus string is not even looked at when a legacy argument is set, as in PyTorch.
        Assert.AreEqual(L.kl_div(x, y, R.Sum).item<float>(), L.kl_div(x, y, false, null, "bogus").item<float>());
    }

    [TestMethod]
    public void KlModuleKeepsPyTorchsReductionString()
    {
        using var scope = NewDisposeScope();
        var x = T(LogQ, shape: new long[] { 2, 3 });
        var y = T(P, grad: false, shape: new long[] { 2, 3 });
        var batchMean = TorchLosses.nn.KLDivLoss("batchmean");
        Assert.AreEqual(R.Sum, batchMean.reduction);
        Assert.AreEqual("batchmean", batchMean.reduction_name);
        Assert.IsFalse(batchMean.log_target);
        AssertClose(L.kl_div(x, y, "batchmean"), batchMean.call(x, y), "batchmean module");
        var logTarget = TorchLosses.nn.KLDivLoss(R.None, log_target: true);
        Assert.AreEqual("none", logTarget.reduction_name);
        AssertClose(L.kl_div(x, y, R.None, true), logTarget.call(x, y), "log_target module");
        Assert.AreEqual(R.Mean, TorchLosses.nn.KLDivLoss(size_average: true, reduce: null, "batchmean").reduction);
        Assert.AreEqual(R.Sum, TorchLosses.nn.KLDivLoss(size_average: false, reduce: null).reduction);
        // PyTorch checks the string when the loss is computed, not in the constructor.
        var bogus = TorchLosses.nn.KLDivLoss("bogus");
        Throws<ArgumentException>(() => bogus.call(x, y), "bogus is not a valid value for reduction");
    }

    [TestMethod]
    public void KlRejectsIntegralInputs()
    {
        using var scope = NewDisposeScope();
        Throws<ArgumentException>(() => L.kl_div(zeros(3), ones(3, ScalarType.Int64), R.None), "kl_div: Integral inputs not supported.");
        Throws<ArgumentException>(() => L.kl_div(zeros(3), ones(4), R.None), "The size of tensor a (4) must match the size of tensor b (3) at non-singleton dimension 0");
        // F.kl_div(torch.zeros(3), torch.ones(4), reduction='none') names the target as tensor a (its first broadcasting op is target * input).
    }

    // ---- Poisson NLL ------------------------------------------------------------------------------

    private static readonly double[] Rates = { 0.5, 1.0, 2.0, -1.0, 0.0, 3.0, 0.25, 1.5 };
    private static readonly double[] Counts = { 0.0, 1.0, 3.0, 2.0, 0.5, 1.5, 7.0, 1.0 };

    [TestMethod]
    public void PoissonByHand() => InBothGradientModes(() =>
    {
        using var scope = NewDisposeScope();
        // log_input: exp(0) − 1·0 = 1; exp(1) − 2·1; rate form: λ − y·log(λ + eps).
        CollectionAssert.AreEqual(new[] { 1.0, Math.E - 2 }, L.poisson_nll_loss(tensor(new[] { 0.0, 1 }), tensor(new[] { 1.0, 2 }), reduction: R.None).data<double>().ToArray());
        Assert.AreEqual(2 - 3 * Math.Log(2 + 1e-8), L.poisson_nll_loss(tensor(2.0), tensor(3.0), log_input: false).item<double>(), 1e-15);
        // Stirling's term is added only where y > 1: y = 3 adds 3·log 3 − 3 + 0.5·log(6π); y = 1 adds nothing.
        var full = L.poisson_nll_loss(tensor(new[] { 0.0, 0.0 }), tensor(new[] { 3.0, 1.0 }), full: true, reduction: R.None).data<double>().ToArray();
        Assert.AreEqual(1 + 3 * Math.Log(3) - 3 + 0.5 * Math.Log(6 * Math.PI), full[0], 1e-15);
        Assert.AreEqual(1.0, full[1]);
    });

    [TestMethod]
    public void PoissonMatchesLibtorch() => InBothGradientModes(() =>
    {
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
                foreach (var logInput in new[] { true, false })
                    foreach (var full in new[] { false, true })
                    {
                        // With full, the target gradient is NaN at y = 0, in libtorch as here.
                        var rates = logInput ? Rates : Rates.Select(Math.Abs).ToArray();
                        AssertSame(a => L.poisson_nll_loss(a[0], a[1], logInput, full, 1e-8, reduction),
                            a => N.poisson_nll_loss(a[0], a[1], logInput, full, 1e-8, reduction), T(rates, dtype), T(Counts, dtype));
                    }
        // A larger eps, and a target that broadcasts over the rows.
        AssertSame(a => L.poisson_nll_loss(a[0], a[1], false, true, 0.5, R.Mean), a => N.poisson_nll_loss(a[0], a[1], false, true, 0.5, R.Mean),
            T(Rates.Select(Math.Abs).ToArray(), shape: new long[] { 2, 4 }), T(Counts[..4]));
    });

    [TestMethod]
    public void PoissonTargetGradientIsNanAtZeroWithFull() => InBothGradientModes(() =>
    {
        using var scope = NewDisposeScope();
        var y = T(new[] { 0.0, 1.0, 4.0 });
        L.poisson_nll_loss(tensor(new[] { 0.5, 0.5, 0.5 }), y, full: true, reduction: R.Sum).backward();
        var dy = y.grad!.data<double>().ToArray();
        Assert.IsTrue(double.IsNaN(dy[0]));
        Assert.AreEqual(-0.5, dy[1]);
        Assert.AreEqual(-0.5 + Math.Log(4) + 1 / 8.0, dy[2], 1e-15);
    });

    [TestMethod]
    public void PoissonRateFormOnExpEqualsLogForm() => InBothGradientModes(() =>
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { -2.0, -0.5, 0.0, 1.0, 3.0 });
        var y = tensor(new[] { 0.0, 1.0, 2.0, 3.0, 25.0 });
        var logForm = L.poisson_nll_loss(x, y, reduction: R.None);
        var rateForm = L.poisson_nll_loss(x.exp(), y, log_input: false, eps: 0, reduction: R.None);
        AssertClose(logForm, rateForm, "rate form on exp(x) vs log form");
    });

    [TestMethod]
    public void PoissonLegacyModuleAndSpecialValues() => InBothGradientModes(() =>
    {
        using var scope = NewDisposeScope();
        var x = T(Rates);
        var y = T(Counts, grad: false);
        var warnings = WarningsOf("poisson_nll_loss", () =>
            AssertClose(L.poisson_nll_loss(x, y, reduction: R.Sum), L.poisson_nll_loss(x, y, true, false, false), "legacy sum"));
        CollectionAssert.AreEqual(new[] { "size_average and reduce args will be deprecated, please use reduction='sum' instead." }, warnings);
        var module = TorchLosses.nn.PoissonNLLLoss(log_input: false, full: true, eps: 1e-3, reduction: R.None);
        AssertClose(L.poisson_nll_loss(x.abs(), y, false, true, 1e-3, R.None), module.call(x.abs(), y), "module");
        Assert.AreEqual(R.None, TorchLosses.nn.PoissonNLLLoss(true, false, size_average: null, reduce: false).reduction);
        var special = new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1.0, 100.0 };
        var counts = new[] { 1.0, 2.0, 0.0, double.PositiveInfinity, 1.0 };
        foreach (var logInput in new[] { true, false })
            AssertSame(a => L.poisson_nll_loss(a[0], a[1], logInput, true, 1e-8, R.None), a => N.poisson_nll_loss(a[0], a[1], logInput, true, 1e-8, R.None),
                T(special), T(counts));
        Throws<ArgumentOutOfRangeException>(() => L.poisson_nll_loss(x, y, reduction: (R)5), "5 is not a valid value for reduction");
        // F.poisson_nll_loss(torch.rand(3), torch.ones(4)) names the target as tensor a (libtorch's first broadcasting op is target * input).
        Throws<ArgumentException>(() => L.poisson_nll_loss(zeros(3), ones(4)), "The size of tensor a (4) must match the size of tensor b (3) at non-singleton dimension 0");
    });

    // ---- Gaussian NLL -----------------------------------------------------------------------------

    // Reference vectors from PyTorch 1.13 (Debian's python3-torch), float64. Generated by:
    //   x = torch.tensor([[0.5, -1.25, 2.0], [0.0, 3.5, -0.75]], dtype=torch.float64)
    //   y = torch.tensor([[1.0, -1.0, 0.5], [0.25, 3.5, 1.0]], dtype=torch.float64)
    //   cases = {"hetero": [[0.5, 2.0, 1e-9], [0.0, 1.0, 4.0]], "homo_lead": [0.25, 3.0], "homo_last1": [[1e-7], [2.5]]}
    //   for name, v in cases.items():  # v as a float64 tensor
    //     for full in (False, True):
    //       for red in ("none", "mean", "sum"):
    //         xi, yi, vi = (t.clone().requires_grad_() for t in (x, y, v))
    //         l = F.gaussian_nll_loss(xi, yi, vi, full=full, eps=1e-6, reduction=red); l.sum().backward()
    //         print(name, full, red, l, xi.grad, yi.grad, vi.grad)   # each flattened, repr of every float
    private static readonly double[] GaussX = { 0.5, -1.25, 2.0, 0.0, 3.5, -0.75 };
    private static readonly double[] GaussY = { 1.0, -1.0, 0.5, 0.25, 3.5, 1.0 };

    private static readonly Dictionary<string, (double[] values, long[] shape)> GaussVar = new()
    {
        ["hetero"] = (new[] { 0.5, 2.0, 1e-9, 0.0, 1.0, 4.0 }, new long[] { 2, 3 }),
        ["homo_lead"] = (new[] { 0.25, 3.0 }, new long[] { 2 }),
        ["homo_last1"] = (new[] { 1e-7, 2.5 }, new long[] { 2, 1 }),
    };

    private static readonly (string var, bool full, R reduction, double[] loss, double[] dx, double[] dy, double[] dvar)[] GaussReference =
    {
        ("hetero", false, R.None, new[] { -0.09657359027997264, 0.36219859027997264, 1124993.092244721, 31243.092244721018, 0.0, 1.0759596805599454 }, new[] { -1.0, -0.125, 1500000.0, -250000.0, 0.0, -0.4375 }, new[] { 1.0, 0.125, -1500000.0, 250000.0, -0.0, 0.4375 }, new[] { 0.5, 0.2421875, -1124999500000.0, -31249500000.0, 0.5, 0.029296875 }),
        ("hetero", false, R.Mean, new[] { 192706.2543456871 }, new[] { -0.16666666666666666, -0.020833333333333332, 250000.0, -41666.666666666664, 0.0, -0.07291666666666666 }, new[] { 0.16666666666666666, 0.020833333333333332, -250000.0, 41666.666666666664, -0.0, 0.07291666666666666 }, new[] { 0.08333333333333333, 0.04036458333333333, -187499916666.66666, -5208250000.0, 0.08333333333333333, 0.0048828125 }),
        ("hetero", false, R.Sum, new[] { 1156237.5260741226 }, new[] { -1.0, -0.125, 1500000.0, -250000.0, 0.0, -0.4375 }, new[] { 1.0, 0.125, -1500000.0, 250000.0, -0.0, 0.4375 }, new[] { 0.5, 0.2421875, -1124999500000.0, -31249500000.0, 0.5, 0.029296875 }),
        ("hetero", true, R.None, new[] { 0.8223649429247, 1.2811371234846454, 1124994.0111832542, 31244.01118325422, 0.9189385332046727, 1.994898213764618 }, new[] { -1.0, -0.125, 1500000.0, -250000.0, 0.0, -0.4375 }, new[] { 1.0, 0.125, -1500000.0, 250000.0, -0.0, 0.4375 }, new[] { 0.5, 0.2421875, -1124999500000.0, -31249500000.0, 0.5, 0.029296875 }),
        ("hetero", true, R.Mean, new[] { 192707.17328422028 }, new[] { -0.16666666666666666, -0.020833333333333332, 250000.0, -41666.666666666664, 0.0, -0.07291666666666666 }, new[] { 0.16666666666666666, 0.020833333333333332, -250000.0, 41666.666666666664, -0.0, 0.07291666666666666 }, new[] { 0.08333333333333333, 0.04036458333333333, -187499916666.66666, -5208250000.0, 0.08333333333333333, 0.0048828125 }),
        ("hetero", true, R.Sum, new[] { 1156243.0397053217 }, new[] { -1.0, -0.125, 1500000.0, -250000.0, 0.0, -0.4375 }, new[] { 1.0, 0.125, -1500000.0, 250000.0, -0.0, 0.4375 }, new[] { 0.5, 0.2421875, -1124999500000.0, -31249500000.0, 0.5, 0.029296875 }),
        ("homo_lead", false, R.None, new[] { -0.1931471805599453, -0.5681471805599453, 3.8068528194400546, 0.5597228110007215, 0.5493061443340549, 1.0597228110007215 }, new[] { -2.0, -1.0, 6.0, -0.08333333333333333, 0.0, -0.5833333333333333 }, new[] { 2.0, 1.0, -6.0, 0.08333333333333333, -0.0, 0.5833333333333333 }, new[] { -14.5, 0.32638888888888895 }),
        ("homo_lead", false, R.Mean, new[] { 0.869051704109277 }, new[] { -0.3333333333333333, -0.16666666666666666, 1.0, -0.013888888888888888, 0.0, -0.09722222222222221 }, new[] { 0.3333333333333333, 0.16666666666666666, -1.0, 0.013888888888888888, -0.0, 0.09722222222222221 }, new[] { -2.4166666666666665, 0.054398148148148154 }),
        ("homo_lead", false, R.Sum, new[] { 5.214310224655662 }, new[] { -2.0, -1.0, 6.0, -0.08333333333333333, 0.0, -0.5833333333333333 }, new[] { 2.0, 1.0, -6.0, 0.08333333333333333, -0.0, 0.5833333333333333 }, new[] { -14.5, 0.32638888888888895 }),
        ("homo_lead", true, R.None, new[] { 0.7257913526447274, 0.3507913526447274, 4.725791352644727, 1.4786613442053942, 1.4682446775387277, 1.9786613442053942 }, new[] { -2.0, -1.0, 6.0, -0.08333333333333333, 0.0, -0.5833333333333333 }, new[] { 2.0, 1.0, -6.0, 0.08333333333333333, -0.0, 0.5833333333333333 }, new[] { -14.5, 0.32638888888888895 }),
        ("homo_lead", true, R.Mean, new[] { 1.7879902373139496 }, new[] { -0.3333333333333333, -0.16666666666666666, 1.0, -0.013888888888888888, 0.0, -0.09722222222222221 }, new[] { 0.3333333333333333, 0.16666666666666666, -1.0, 0.013888888888888888, -0.0, 0.09722222222222221 }, new[] { -2.4166666666666665, 0.054398148148148154 }),
        ("homo_lead", true, R.Sum, new[] { 10.727941423883697 }, new[] { -2.0, -1.0, 6.0, -0.08333333333333333, 0.0, -0.5833333333333333 }, new[] { 2.0, 1.0, -6.0, 0.08333333333333333, -0.0, 0.5833333333333333 }, new[] { -14.5, 0.32638888888888895 }),
        ("homo_last1", false, R.None, new[] { 124993.09224472102, 31243.092244721018, 1124993.092244721, 0.47064536593707756, 0.45814536593707755, 1.0706453659370776 }, new[] { -500000.0, -250000.0, 1500000.0, -0.1, 0.0, -0.7000000000000001 }, new[] { 500000.0, 250000.0, -1500000.0, 0.1, -0.0, 0.7000000000000001 }, new[] { -1281248500000.0, 0.35 }),
        ("homo_last1", false, R.Mean, new[] { 213538.54602837682 }, new[] { -83333.33333333333, -41666.666666666664, 250000.0, -0.016666666666666666, 0.0, -0.11666666666666667 }, new[] { 83333.33333333333, 41666.666666666664, -250000.0, 0.016666666666666666, -0.0, 0.11666666666666667 }, new[] { -213541416666.66666, 0.05833333333333334 }),
        ("homo_last1", false, R.Sum, new[] { 1281231.276170261 }, new[] { -500000.0, -250000.0, 1500000.0, -0.1, 0.0, -0.7000000000000001 }, new[] { 500000.0, 250000.0, -1500000.0, 0.1, -0.0, 0.7000000000000001 }, new[] { -1281248500000.0, 0.35 }),
        ("homo_last1", true, R.None, new[] { 124994.01118325422, 31244.01118325422, 1124994.0111832542, 1.3895838991417502, 1.3770838991417502, 1.9895838991417503 }, new[] { -500000.0, -250000.0, 1500000.0, -0.1, 0.0, -0.7000000000000001 }, new[] { 500000.0, 250000.0, -1500000.0, 0.1, -0.0, 0.7000000000000001 }, new[] { -1281248500000.0, 0.35 }),
        ("homo_last1", true, R.Mean, new[] { 213539.46496691 }, new[] { -83333.33333333333, -41666.666666666664, 250000.0, -0.016666666666666666, 0.0, -0.11666666666666667 }, new[] { 83333.33333333333, 41666.666666666664, -250000.0, 0.016666666666666666, -0.0, 0.11666666666666667 }, new[] { -213541416666.66666, 0.05833333333333334 }),
        ("homo_last1", true, R.Sum, new[] { 1281236.78980146 }, new[] { -500000.0, -250000.0, 1500000.0, -0.1, 0.0, -0.7000000000000001 }, new[] { 500000.0, 250000.0, -1500000.0, 0.1, -0.0, 0.7000000000000001 }, new[] { -1281248500000.0, 0.35 }),
    };

    [TestMethod]
    public void GaussianMatchesPyTorchsReferenceVectors() => InBothGradientModes(() =>
    {
        foreach (var dtype in Dtypes)
            foreach (var (varName, full, reduction, loss, dx, dy, dvar) in GaussReference)
            {
                using var scope = NewDisposeScope();
                var (varValues, varShape) = GaussVar[varName];
                var x = T(GaussX, dtype, shape: new long[] { 2, 3 });
                var y = T(GaussY, dtype, shape: new long[] { 2, 3 });
                var v = T(varValues, dtype, shape: varShape);
                var value = L.gaussian_nll_loss(x, y, v, full, 1e-6, reduction);
                value.sum().backward();
                string what = $"{varName} full={full} {reduction} {dtype}";
                AssertClose(T(loss, dtype, false).reshape(value.shape), value.detach(), $"{what}: value");
                AssertClose(T(dx, dtype, false, 2, 3), x.grad!, $"{what}: d input");
                AssertClose(T(dy, dtype, false, 2, 3), y.grad!, $"{what}: d target");
                AssertClose(T(dvar, dtype, false, varShape), v.grad!, $"{what}: d var");
            }
    });

    [TestMethod]
    public void GaussianWithUnitVarianceIsHalfMse() => InBothGradientModes(() =>
    {
        // var = 1 ≥ eps: ℓ = 0.5·(log 1 + d²/1) = 0.5·d² exactly, element by element; full adds 0.5·log(2π) to each.
        using var scope = NewDisposeScope();
        var x = Normal(11, ScalarType.Float64, false, 4, 5);
        var y = Normal(12, ScalarType.Float64, false, 4, 5);
        var one = ones(4, 5, ScalarType.Float64);
        Assert.IsTrue(L.gaussian_nll_loss(x, y, one, reduction: R.None).Equals(L.mse_loss(x, y, R.None) * 0.5));
        AssertClose(L.mse_loss(x, y) * 0.5, L.gaussian_nll_loss(x, y, one), "mean");
        AssertClose(L.mse_loss(x, y) * 0.5 + 0.5 * Math.Log(2 * Math.PI), L.gaussian_nll_loss(x, y, one, full: true), "mean with the constant");
        // Homoscedastic σ² = 4: 0.5·log 4 + mse/8.
        AssertClose(L.mse_loss(x, y) / 8 + 0.5 * Math.Log(4), L.gaussian_nll_loss(x, y, full(4, 1, 4.0, ScalarType.Float64)), "σ² = 4");
    });

    [TestMethod]
    public void GaussianShapesAndErrorsFollowPyTorch()
    {
        using var scope = NewDisposeScope();
        var x = zeros(2, 3);
        var y = ones(2, 3);
        // A 1-D input accepts a 0-d var; 0-d input with var (1); the target broadcasts.
        Assert.AreEqual(0.5f * ((float)Math.Log(2) + 0.5f), L.gaussian_nll_loss(zeros(3), ones(3), tensor(2f)).item<float>(), 1e-6f);
        CollectionAssert.AreEqual(new long[] { 1 }, L.gaussian_nll_loss(zeros(Array.Empty<long>()), ones(Array.Empty<long>()), ones(1), reduction: R.None).shape);
        CollectionAssert.AreEqual(new long[] { 2, 3 }, L.gaussian_nll_loss(x, ones(3), ones(2, 3), reduction: R.None).shape);
        CollectionAssert.AreEqual(new long[] { 2, 3 }, L.gaussian_nll_loss(zeros(3), ones(2, 3), ones(3), reduction: R.None).shape);
        Throws<ArgumentException>(() => L.gaussian_nll_loss(x, y, tensor(2f)), "var is of incorrect size");
        Throws<ArgumentException>(() => L.gaussian_nll_loss(x, y, ones(1, 3)), "var is of incorrect size");
        Throws<ArgumentException>(() => L.gaussian_nll_loss(x, y, ones(2, 4)), "var is of incorrect size");
        Throws<ArgumentException>(() => L.gaussian_nll_loss(x, y, -ones(2, 3)), "var has negative entry/entries");
        // PyTorch 2.10's order (1.13 checked the sign last): the sign of var, then its shape, then the reduction.
        Throws<ArgumentException>(() => L.gaussian_nll_loss(x, y, -ones(2, 4), reduction: (R)9), "var has negative entry/entries");
        Throws<ArgumentException>(() => L.gaussian_nll_loss(x, y, ones(2, 4), reduction: (R)9), "var is of incorrect size");
        Throws<ArgumentOutOfRangeException>(() => L.gaussian_nll_loss(x, y, ones(2, 3), reduction: (R)9), "9 is not a valid value for reduction");
        Assert.IsTrue(float.IsNaN(L.gaussian_nll_loss(x, y, full(2, 3, float.NaN)).item<float>()));
        Assert.AreEqual(ScalarType.Float64, L.gaussian_nll_loss(x, y, ones(2, 3, ScalarType.Float64)).dtype);
        var module = TorchLosses.nn.GaussianNLLLoss(full: true, reduction: R.Sum);
        Assert.AreEqual(1e-6, module.eps);
        var v = full(2, 3, 0.5f);
        AssertClose(L.gaussian_nll_loss(x, y, v, true, 1e-6, R.Sum), module.call(x, y, v), "module");
    }

    [TestMethod]
    public void GaussianAnalyticPathMatchesTheAutogradPath()
    {
        // No native gaussian_nll_loss: the autograd path is held to PyTorch's reference vectors above, and the analytic
        // path to it here, over var shapes, var with and without gradient, full, reductions and dtypes.
        foreach (var dtype in Dtypes)
            foreach (var reduction in AllReductions)
                foreach (var full in new[] { false, true })
                    foreach (var (varShape, varGrad) in new[] { (new long[] { 3, 4 }, true), (new long[] { 3, 4 }, false), (new long[] { 3, 1 }, true), (new long[] { 3 }, true) })
                    {
                        using var scope = NewDisposeScope();
                        var x = Normal(31, dtype, true, 3, 4);
                        var y = Normal(32, dtype, varGrad, 3, 4);
                        // Variances around eps too, where the clamp acts (and the gradient still flows, at the clamped value).
                        var v = (Normal(33, dtype, false, varShape).square() * 0.5).masked_fill(Normal(34, dtype, false, varShape) > 1, 1e-9);
                        if (varGrad) v.requires_grad_();
                        var (analytic, analyticGrads) = ValueAndGradients(GradientMode.Analytic, a => L.gaussian_nll_loss(a[0], a[1], a[2], full, 1e-6, reduction), x, y, v);
                        var (composed, composedGrads) = ValueAndGradients(GradientMode.Autograd, a => L.gaussian_nll_loss(a[0], a[1], a[2], full, 1e-6, reduction), x, y, v);
                        string what = $"{dtype} {reduction} full={full} var {Check(varShape)} grad={varGrad}";
                        AssertClose(composed, analytic, $"{what}: value");
                        for (int k = 0; k < 3; k++)
                        {
                            Assert.AreEqual(composedGrads[k] is null, analyticGrads[k] is null, $"{what}: gradient {k} presence");
                            if (composedGrads[k] is not null) AssertClose(composedGrads[k]!, analyticGrads[k]!, $"{what}: gradient {k}");
                        }
                    }
    }

    private static string Check(long[] shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>The loss and the gradient of every operand that requires grad, in one gradient mode, on fresh leaves.</summary>
    private static (Tensor value, Tensor?[] grads) ValueAndGradients(GradientMode mode, Func<Tensor[], Tensor> loss, params Tensor[] operands)
    {
        using var _ = LossGradients.Use(mode);
        var leaves = operands.Select(t => t.detach().clone().requires_grad_(t.requires_grad)).ToArray();
        var value = loss(leaves);
        var wanted = leaves.Where(l => l.requires_grad).ToArray();
        var computed = autograd.grad(new[] { value }, wanted, new[] { ones_like(value) });
        int j = 0;
        return (value.detach(), leaves.Select(l => l.requires_grad ? computed[j++] : null).ToArray());
    }

    [TestMethod]
    public void GradientOfOneOperandAtATime() => InBothGradientModes(() =>
    {
        // Only the input, or only the target, requires grad: each path saves and computes only what it needs.
        foreach (var (inputGrad, targetGrad) in new[] { (true, false), (false, true) })
            foreach (var reduction in AllReductions)
            {
                foreach (var logTarget in new[] { false, true })
                    AssertSame(a => L.kl_div(a[0], a[1], reduction, logTarget), a => N.kl_div(a[0], a[1], logTarget, reduction),
                        T(LogQ, grad: inputGrad), T(logTarget ? LogQ.Reverse().ToArray() : P, grad: targetGrad));
                foreach (var logInput in new[] { true, false })
                    foreach (var full in new[] { false, true })
                        AssertSame(a => L.poisson_nll_loss(a[0], a[1], logInput, full, 1e-8, reduction),
                            a => N.poisson_nll_loss(a[0], a[1], logInput, full, 1e-8, reduction),
                            T(logInput ? Rates : Rates.Select(Math.Abs).ToArray(), grad: inputGrad), T(Counts, grad: targetGrad));
            }
        // Gaussian: only var requires grad, homoscedastic; checked against the reference vectors' sums.
        using var scope = NewDisposeScope();
        var v = T(GaussVar["homo_last1"].values, shape: GaussVar["homo_last1"].shape);
        L.gaussian_nll_loss(T(GaussX, grad: false, shape: new long[] { 2, 3 }), T(GaussY, grad: false, shape: new long[] { 2, 3 }), v, reduction: R.Sum).backward();
        AssertClose(T(new[] { -1281248500000.0, 0.35 }, grad: false, shape: new long[] { 2, 1 }), v.grad!, "d var alone");
    });

    [TestMethod]
    public void SecondDerivativesInBothModes()
    {
        using var scope = NewDisposeScope();
        Assert.AreEqual(GradientMode.Analytic, LossGradients.Default);
        var x = T(new[] { -1.0, 0.5, 2.0 });
        var y = T(new[] { 0.2, 0.3, 0.5 });
        // KL: ∂ℓ/∂x = −y, so ∂²ℓ/∂x∂y = −1.
        GradientPath.AssertTwiceDifferentiableInBothModes(() => L.kl_div(x, y, R.Sum), x, y, full(3, -1.0, ScalarType.Float64));
        // KL with log_target: ∂ℓ/∂y = e^y·(y − x + 1), so ∂²ℓ/∂y² = e^y·(y − x + 2).
        GradientPath.AssertTwiceDifferentiableInBothModes(() => L.kl_div(x, y, R.Sum, log_target: true), y, y,
            y.detach().exp() * (y.detach() - x.detach() + 2));
        // Poisson, log form: ∂²ℓ/∂x² = e^x; rate form: y/(x + eps)².
        GradientPath.AssertTwiceDifferentiableInBothModes(() => L.poisson_nll_loss(x, y, reduction: R.Sum), x, x, x.detach().exp());
        var rate = T(new[] { 0.5, 1.0, 3.0 });
        GradientPath.AssertTwiceDifferentiableInBothModes(() => L.poisson_nll_loss(rate, y, log_input: false, reduction: R.Sum), rate, rate,
            y.detach() / (rate.detach() + 1e-8).square());
        // Gaussian: ∂²ℓ/∂x² = 1/v.
        var v = T(new[] { 0.5, 2.0, 4.0 }, grad: false);
        GradientPath.AssertTwiceDifferentiableInBothModes(() => L.gaussian_nll_loss(x, y, v, reduction: R.Sum), x, x, 1 / v);
    }

    // ---- shared ---------------------------------------------------------------------------------

    [TestMethod]
    public void EmptyInputsMatchLibtorch() => InBothGradientModes(() =>
    {
        foreach (var reduction in AllReductions)
        {
            AssertSame(a => L.kl_div(a[0], a[1], reduction), a => N.kl_div(a[0], a[1], false, reduction), zeros(0, 3).requires_grad_(), zeros(0, 3).requires_grad_());
            AssertSame(a => L.poisson_nll_loss(a[0], a[1], true, true, 1e-8, reduction), a => N.poisson_nll_loss(a[0], a[1], true, true, 1e-8, reduction),
                zeros(0, 3).requires_grad_(), zeros(0, 3).requires_grad_());
            using var scope = NewDisposeScope();
            var g = L.gaussian_nll_loss(zeros(0, 3), zeros(0, 3), ones(0, 3), reduction: reduction);
            if (reduction == R.None) CollectionAssert.AreEqual(new long[] { 0, 3 }, g.shape);
            else Assert.AreEqual(reduction == R.Mean ? float.NaN : 0f, g.item<float>());
        }
    });

    [TestMethod]
    public void HalfAndBFloat16MatchLibtorch()
    {
        // libtorch 2.10 runs kl_div and poisson_nll_loss in float16 and bfloat16, forward and backward (1.13 had no float16
        // exp or log on CPU, so float16 failed there).
        foreach (var dtype in new[] { ScalarType.Float16, ScalarType.BFloat16 })
            foreach (var reduction in AllReductions)
            {
                foreach (var logTarget in new[] { false, true })
                    AssertSame(a => L.kl_div(a[0], a[1], reduction, logTarget), a => N.kl_div(a[0], a[1], logTarget, reduction),
                        T(LogQ, dtype), T(logTarget ? LogQ.Reverse().ToArray() : P, dtype));
                foreach (var logInput in new[] { true, false })
                    foreach (var full in new[] { false, true })
                        AssertSame(a => L.poisson_nll_loss(a[0], a[1], logInput, full, 1e-8, reduction),
                            a => N.poisson_nll_loss(a[0], a[1], logInput, full, 1e-8, reduction),
                            T(logInput ? Rates : Rates.Select(Math.Abs).ToArray(), dtype), T(Counts, dtype));
            }
        // Gaussian (no libtorch function; PyTorch 2.10 composes it from primitive ops that all run in float16 too): the
        // float32 loss rounded to the dtype.
        using var scope = NewDisposeScope();
        foreach (var dtype in new[] { ScalarType.Float16, ScalarType.BFloat16 })
        {
            var x = Normal(5, dtype, false, 2, 3);
            var y = Normal(6, dtype, false, 2, 3);
            var v = T(new[] { 0.5, 1.0, 2.0, 0.25, 1.5, 3.0 }, dtype, false, 2, 3);
            AssertClose(L.gaussian_nll_loss(x.to(ScalarType.Float32), y.to(ScalarType.Float32), v.to(ScalarType.Float32), reduction: R.None).to(dtype),
                L.gaussian_nll_loss(x, y, v, reduction: R.None), $"gaussian in {dtype}");
        }
    }

    [TestMethod]
    public void RunOnTheMetaDevice() => InBothGradientModes(() =>
    {
        using var scope = NewDisposeScope();
        var x = empty(new long[] { 2, 3 }, device: META);
        foreach (var logTarget in new[] { false, true })
        {
            Assert.AreEqual(DeviceType.META, L.kl_div(x, x, "batchmean", logTarget).device_type);
            Assert.AreEqual(DeviceType.META, L.kl_div(x, x, R.None, logTarget).device_type);
        }
        foreach (var logInput in new[] { false, true })
            Assert.AreEqual(DeviceType.META, L.poisson_nll_loss(x, x, logInput, true).device_type);
        Assert.AreEqual(DeviceType.META, L.gaussian_nll_loss(x, x, x, true).device_type);
        Assert.AreEqual(DeviceType.META, L.gaussian_nll_loss(x, x, empty(new long[] { 2 }, device: META)).device_type);
    });
}
