using TorchLosses;
using TorchLossesDocs;
using static TorchLossesTests.Support.Parity;

namespace TorchLossesTests.Docs;

/// <summary>
/// Every number and identity of docs/losses/probabilistic.md, computed by TorchLosses; Poisson and KL are
/// compared with libtorch's native functions, Gaussian NLL with reference values computed by PyTorch 1.13.
/// </summary>
[TestClass]
public sealed class ProbabilisticPageTests : DocPageTests
{
    protected override string PagePath => "docs/losses/probabilistic.md";

    private static readonly double[] PoissonX = { 0.0, 0.5, 1.0 };
    private static readonly double[] PoissonY = { 0.0, 1.0, 3.0 };

    // The Gaussian example (ProbabilisticSnippets.GaussianExample) in PyTorch 1.13 (Debian's python3-torch), float64:
    //   x = torch.tensor([[0.5, 1.0, 2.0], [0.0, 3.5, -1.0]], dtype=torch.float64)
    //   y = torch.tensor([[1.0, 1.0, 0.5], [0.5, 3.0, 1.0]], dtype=torch.float64)
    //   v = torch.tensor([0.25, 1.0], dtype=torch.float64)
    //   for full in (False, True):
    //     for red in ("none", "mean"):
    //       xi, yi, vi = (t.clone().requires_grad_() for t in (x, y, v))
    //       l = F.gaussian_nll_loss(xi, yi, vi, full=full, eps=1e-6, reduction=red); l.sum().backward()
    //       print(full, red, l.flatten().tolist(), xi.grad.flatten().tolist(), vi.grad.flatten().tolist())
    //   # and the clamp: x = [1.0], y = [0.0], var = [v] for v in (0.0, 1e-7), reduction "sum": loss, var.grad
    private static readonly double[] GaussNone = { -0.1931471805599453, -0.6931471805599453, 3.8068528194400546, 0.125, 0.125, 2.0 };
    private static readonly double[] GaussFullNone = { 0.7257913526447274, 0.22579135264472738, 4.725791352644727, 1.0439385332046727, 1.0439385332046727, 2.9189385332046727 };
    private const double GaussMean = 0.8617597430533607;
    private const double GaussFullMean = 1.7806982762580335;
    private static readonly double[] GaussMeanInputGrad = { -0.3333333333333333, 0.0, 1.0, -0.08333333333333333, 0.08333333333333333, -0.3333333333333333 };
    private static readonly double[] GaussMeanVarGrad = { -2.3333333333333335, -0.125 };
    private const double GaussClampedLoss = 499993.092244721;
    private const double GaussClampedVarGrad = -499999500000.0;

    protected override Checks Values() => new()
    {
        { "mean_denominator", () => Gaussian(R.Sum).Sum() / Gaussian(R.Mean)[0] },
        { "empty_mean", () => OfEmpty(R.Mean) },
        { "empty_sum", () => OfEmpty(R.Sum) },
        { "poisson_second_derivative", () => ProbabilisticSnippets.PoissonSecondDerivative(PoissonX, PoissonY) },

        { "poisson_negative_rate", () => L.poisson_nll_loss(tensor(new[] { -0.5 }), tensor(new[] { 1.0 }), log_input: false).item<double>() },
        { "poisson_naive_rate_zero", () => { var x = tensor(new[] { 0.0 }); return (x - tensor(new[] { 1.0 }) * x.log()).item<double>(); } },
        { "poisson_rate_zero", () => RateZero().value },
        { "poisson_rate_zero_gradient", () => RateZero().gradient },
        { "poisson_values", () => PoissonExample(false).values },
        { "poisson_mean", () => L.poisson_nll_loss(tensor(PoissonX), tensor(PoissonY)).item<double>() },
        { "poisson_sum", () => L.poisson_nll_loss(tensor(PoissonX), tensor(PoissonY), reduction: R.Sum).item<double>() },
        { "poisson_input_gradient", () => PoissonExample(false).inputGradient },
        { "poisson_target_gradient", () => PoissonExample(false).targetGradient },
        { "poisson_rate_values", () => ProbabilisticSnippets.PoissonOfRate(PoissonX.Select(v => Math.Exp(v)).ToArray(), PoissonY) },
        { "stirling_at_one", () => 1 * Math.Log(1) - 1 + 0.5 * Math.Log(2 * Math.PI * 1) },
        { "stirling_at_three", () => PoissonExample(true).values[2] - PoissonExample(false).values[2] },
        { "log_factorial_three", () => Math.Log(6) },
        { "poisson_full_values", () => PoissonExample(true).values },
        { "poisson_full_target_gradient", () => PoissonExample(true).targetGradient },
        { "poisson_full_input_gradient", () => PoissonExample(true).inputGradient },

        { "gaussian_full_constant", () => FullConstant() },
        { "gaussian_values", () => Gaussian(R.None) },
        { "gaussian_mean", () => Gaussian(R.Mean)[0] },
        { "gaussian_sum", () => Gaussian(R.Sum)[0] },
        { "gaussian_per_sample_mean", () => PerSampleMean() },
        { "gaussian_full_mean", () => GaussianModule(true).loss },
        { "gaussian_input_gradient", () => GaussianModule(false).inputGradient },
        { "gaussian_variance_gradient", () => GaussianModule(false).varianceGradient },
        { "gaussian_best_variance", () => BestVarianceOfFirstRow() },
        { "gaussian_zero_error_zero_variance", () => L.gaussian_nll_loss(zeros(1, ScalarType.Float64), zeros(1, ScalarType.Float64), zeros(1, ScalarType.Float64)).item<double>() },
        { "gaussian_clamped_loss", () => Clamped(0.0).loss },
        { "gaussian_clamped_variance_gradient", () => Clamped(0.0).varianceGradient },
        { "recorded_clamp_variance_gradient", () => RecordedClampGradient() },

        { "kl_probabilities_as_input", () => { var (p, q) = ProbabilisticSnippets.KlExample(); return L.kl_div(q, p, "batchmean").item<double>(); } },
        { "naive_y_log_y", () => { var y = zeros(1, ScalarType.Float64); return (y * y.log()).item<double>(); } },
        { "xlogy_at_zero", () => { var y = zeros(1, ScalarType.Float64); return y.xlogy(y).item<double>(); } },
        { "kl_zero_target_minus_inf_input", () => KlOne(double.NegativeInfinity, 0.0) },
        { "kl_log_target_values", () => LogTargetValues() },
        { "kl_values", () => Kl(R.None) },
        { "kl_row_divergences", () => { var (p, q) = ProbabilisticSnippets.KlExample(); return L.kl_div(q.log(), p, R.None).sum(1L).data<double>().ToArray(); } },
        { "kl_sum", () => Kl(R.Sum)[0] },
        { "kl_batchmean", () => ProbabilisticSnippets.KlBatchMean().loss },
        { "kl_mean", () => ProbabilisticSnippets.KlMean().loss },
        { "kl_input_gradient", () => ProbabilisticSnippets.KlBatchMean().gradient },
        { "kl_target_gradient", () => KlTargetGradient() },
        { "poisson_minimum_y1", () => PoissonArgmin(1.0) },
        { "poisson_minimum_y3", () => PoissonArgmin(3.0) },
        { "kl_swapped_row", () => { var (p, q) = ProbabilisticSnippets.KlExample(); return L.kl_div(p[0].log(), q[0], R.Sum).item<double>(); } },
    };

    // ---- helpers ------------------------------------------------------------------------------------

    private static void AssertAll(double[] expected, double[] actual, double tolerance, string what) =>
        TorchLossesTests.Support.ValueAssert.Close(expected, actual, tolerance, what);

    private static double[] Data(Tensor t) => t.detach().flatten().to(ScalarType.Float64).data<double>().ToArray();

    /// <summary>The loss of an empty input, the same for all three losses (asserted).</summary>
    private static double OfEmpty(R reduction)
    {
        var empty = zeros(0, ScalarType.Float64);
        var values = new[]
        {
            L.poisson_nll_loss(empty, empty, reduction: reduction).item<double>(),
            L.gaussian_nll_loss(empty, empty, empty, reduction: reduction).item<double>(),
            L.kl_div(empty, empty, reduction).item<double>(),
            N.kl_div(empty, empty, false, reduction).item<double>(),
            N.poisson_nll_loss(empty, empty, reduction: reduction).item<double>(),
        };
        Assert.IsTrue(values.All(v => v.Equals(values[0])), string.Join(", ", values));
        return values[0];
    }

    /// <summary>The Poisson example, asserted equal (values and both gradients) to libtorch's native kernel.</summary>
    private static (double[] values, double[] inputGradient, double[] targetGradient) PoissonExample(bool full)
    {
        var ours = ProbabilisticSnippets.Poisson(full);
        var x = tensor(PoissonX).requires_grad_();
        var y = tensor(PoissonY).requires_grad_();
        var native = N.poisson_nll_loss(x, y, true, full, 1e-8, R.None);
        native.sum().backward();
        AssertAll(Data(native), ours.values, 1e-15, "values vs libtorch");
        AssertAll(Data(x.grad!), ours.inputGradient, 1e-15, "input gradient vs libtorch");
        AssertAll(Data(y.grad!), ours.targetGradient, 1e-15, "target gradient vs libtorch");
        return ours;
    }

    /// <summary>The log-rate x where our Poisson gradient in x vanishes, by bisection on its sign.</summary>
    private static double PoissonArgmin(double count)
    {
        double Slope(double x)
        {
            var input = tensor(new[] { x }).requires_grad_();
            L.poisson_nll_loss(input, tensor(new[] { count }), reduction: R.Sum).backward();
            return input.grad!.item<double>();
        }
        double low = -5, high = 5;
        for (int i = 0; i < 80; i++)
        {
            double middle = (low + high) / 2;
            if (Slope(middle) < 0) low = middle; else high = middle;
        }
        return (low + high) / 2;
    }

    private static (double value, double gradient) RateZero()
    {
        var x = zeros(1, ScalarType.Float64).requires_grad_();
        var loss = L.poisson_nll_loss(x, tensor(new[] { 1.0 }), log_input: false, reduction: R.Sum);
        loss.backward();
        var native = zeros(1, ScalarType.Float64).requires_grad_();
        N.poisson_nll_loss(native, tensor(new[] { 1.0 }), false, false, 1e-8, R.Sum).backward();
        Assert.AreEqual(native.grad!.item<double>(), x.grad!.item<double>(), "gradient vs libtorch");
        return (loss.item<double>(), x.grad!.item<double>());
    }

    private static double[] Gaussian(R reduction)
    {
        var (input, target, variance) = ProbabilisticSnippets.GaussianExample();
        var values = Data(L.gaussian_nll_loss(input, target, variance, reduction: reduction));
        if (reduction == R.None) AssertAll(GaussNone, values, 1e-15, "values vs PyTorch");
        if (reduction == R.Mean) AssertAll(new[] { GaussMean }, values, 1e-15, "mean vs PyTorch");
        return values;
    }

    private static (double loss, double[] inputGradient, double[] varianceGradient) GaussianModule(bool full)
    {
        var result = ProbabilisticSnippets.GaussianMean(full);
        AssertAll(new[] { full ? GaussFullMean : GaussMean }, new[] { result.loss }, 1e-15, "mean vs PyTorch");
        AssertAll(GaussMeanInputGrad, result.inputGradient, 1e-15, "input gradient vs PyTorch");
        AssertAll(GaussMeanVarGrad, result.varianceGradient, 1e-15, "variance gradient vs PyTorch");
        return result;
    }

    /// <summary>½·log 2π, read off the difference full − not full of every element (asserted equal) and checked against PyTorch.</summary>
    private static double FullConstant()
    {
        var (input, target, variance) = ProbabilisticSnippets.GaussianExample();
        var with = Data(L.gaussian_nll_loss(input, target, variance, full: true, reduction: R.None));
        var without = Data(L.gaussian_nll_loss(input, target, variance, full: false, reduction: R.None));
        AssertAll(GaussFullNone, with, 1e-15, "full values vs PyTorch");
        var differences = with.Zip(without, (a, b) => a - b).ToArray();
        AssertAll(Enumerable.Repeat(differences[0], differences.Length).ToArray(), differences, 1e-14, "one constant per element");
        return differences[0];
    }

    /// <summary>TorchSharp's reduction: each sample summed over its features, then the mean over samples.</summary>
    private static double PerSampleMean()
    {
        var (input, target, variance) = ProbabilisticSnippets.GaussianExample();
        return L.gaussian_nll_loss(input, target, variance, reduction: R.None).sum(1L).mean().item<double>();
    }

    /// <summary>The per-sample variance of the first row at which our variance gradient vanishes, by bisection.</summary>
    private static double BestVarianceOfFirstRow()
    {
        var (input, target, _) = ProbabilisticSnippets.GaussianExample();
        double Slope(double v)
        {
            var variance = tensor(new[] { v }).requires_grad_();
            L.gaussian_nll_loss(input[0], target[0], variance, reduction: R.Sum).backward();
            return variance.grad!.item<double>();
        }
        double low = 1e-3, high = 10;
        for (int i = 0; i < 60; i++)
        {
            double middle = (low + high) / 2;
            if (Slope(middle) < 0) low = middle; else high = middle;
        }
        return (low + high) / 2;
    }

    /// <summary>d = 1 against a variance below eps: our loss and variance gradient, asserted equal to PyTorch's.</summary>
    private static (double loss, double varianceGradient) Clamped(double v)
    {
        var variance = tensor(new[] { v }).requires_grad_();
        var loss = L.gaussian_nll_loss(tensor(new[] { 1.0 }), zeros(1, ScalarType.Float64), variance, reduction: R.Sum);
        loss.backward();
        Assert.AreEqual(GaussClampedLoss, loss.item<double>(), 1e-15 * GaussClampedLoss, "loss vs PyTorch");
        Assert.AreEqual(GaussClampedVarGrad, variance.grad!.item<double>(), 1e-15 * Math.Abs(GaussClampedVarGrad), "variance gradient vs PyTorch");
        return (loss.item<double>(), variance.grad!.item<double>());
    }

    /// <summary>The same element with a recorded clamp_min instead of PyTorch's clamp on a copy.</summary>
    private static double RecordedClampGradient()
    {
        var variance = zeros(1, ScalarType.Float64).requires_grad_();
        var v = variance.clamp_min(1e-6);
        var loss = 0.5 * (v.log() + 1.0 / v);
        loss.sum().backward();
        return variance.grad!.item<double>();
    }

    private static double[] Kl(R reduction)
    {
        var (p, q) = ProbabilisticSnippets.KlExample();
        var ours = Data(L.kl_div(q.log(), p, reduction));
        AssertAll(Data(N.kl_div(q.log(), p, false, reduction)), ours, 1e-15, "vs libtorch");
        return ours;
    }

    private static double KlOne(double x, double y)
    {
        double ours = L.kl_div(tensor(new[] { x }), tensor(new[] { y }), R.Sum).item<double>();
        double native = N.kl_div(tensor(new[] { x }), tensor(new[] { y }), false, R.Sum).item<double>();
        Assert.AreEqual(native, ours, "vs libtorch");
        return ours;
    }

    private static double[] LogTargetValues()
    {
        var ours = ProbabilisticSnippets.KlLogTarget();
        var (p, q) = ProbabilisticSnippets.KlExample();
        AssertAll(Data(N.kl_div(q.log(), p.log(), true, R.None)), ours, 1e-15, "vs libtorch");
        return ours;
    }

    private static double[] KlTargetGradient()
    {
        var (p, q) = ProbabilisticSnippets.KlExample();
        var ours = p.clone().requires_grad_();
        L.kl_div(q.log(), ours, R.Sum).backward();
        var native = p.clone().requires_grad_();
        N.kl_div(q.log(), native, false, R.Sum).backward();
        AssertAll(Data(native.grad!), Data(ours.grad!), 1e-15, "target gradient vs libtorch");
        return Data(ours.grad!);
    }

    /// <summary>Rows of random distributions (softmax of normal logits), some entries set to exactly 0 and renormalised.</summary>
    private static Tensor Distributions(int seed, long rows, long classes, bool withZeros)
    {
        var p = Normal(seed, ScalarType.Float64, false, rows, classes).mul(2).softmax(1);
        if (!withZeros) return p;
        var draws = Data(Normal(seed + 1, ScalarType.Float64, false, rows, classes));
        var keep = draws.Select((v, k) => k % classes == 0 || v <= 0.8 ? 1.0 : 0.0).ToArray();   // one positive entry per row at least
        p = p * tensor(keep, new[] { rows, classes });
        return p / p.sum(1, keepdim: true);
    }

    // ---- identities ---------------------------------------------------------------------------------

    [TestMethod, DocIdentity("legacy_reduction_arguments")]
    public void LegacyReductionArguments()
    {
        using var scope = NewDisposeScope();
        var (x, y) = (tensor(PoissonX), tensor(PoissonY));
        foreach (var (size_average, reduce, reduction) in new (bool?, bool?, R)[]
            { (false, null, R.Sum), (null, false, R.None), (true, true, R.Mean), (false, true, R.Sum), (true, false, R.None) })
        {
            AssertClose(L.poisson_nll_loss(x, y, reduction: reduction), L.poisson_nll_loss(x, y, true, false, size_average, 1e-8, reduce),
                $"poisson ({size_average}, {reduce})");
            var (p, q) = ProbabilisticSnippets.KlExample();
            AssertClose(L.kl_div(q.log(), p, reduction), L.kl_div(q.log(), p, size_average, reduce), $"kl ({size_average}, {reduce})");
            AssertClose(L.kl_div(q.log(), p, reduction), L.kl_div(q.log(), p, size_average, reduce, "batchmean"), $"kl overrides batchmean ({size_average}, {reduce})");
        }
        bool HasLegacy(string name) => typeof(TorchLosses.nn.functional).GetMethods()
            .Any(m => m.Name == name && m.GetParameters().Any(p => p.Name == "size_average"));
        Assert.IsTrue(HasLegacy("poisson_nll_loss") && HasLegacy("kl_div"));
        Assert.IsFalse(HasLegacy("gaussian_nll_loss"), "Gaussian NLL has no legacy arguments, as in PyTorch");
    }

    [TestMethod, DocIdentity("broadcasting_is_silent")]
    public void BroadcastingIsSilent()
    {
        using var scope = NewDisposeScope();
        var warnings = new List<string>();
        EventHandler<LossWarningEventArgs> handler = (_, e) =>
        {
            if (e.Loss is "poisson_nll_loss" or "gaussian_nll_loss") warnings.Add(e.ToString());
        };
        var x = Normal(31, ScalarType.Float64, false, 3, 4);
        var row = tensor(new[] { 0.0, 1.0, 2.0, 5.0 });
        var column = tensor(new[] { 0.5, 1.0, 2.0 }, new long[] { 3, 1 });
        LossWarnings.Warned += handler;
        try
        {
            var poisson = L.poisson_nll_loss(x, row, reduction: R.None);
            CollectionAssert.AreEqual(new long[] { 3, 4 }, poisson.shape);
            AssertClose(N.poisson_nll_loss(x, row, true, false, 1e-8, R.None), poisson, "poisson vs libtorch");
            var gaussian = L.gaussian_nll_loss(x, row, ones(3, ScalarType.Float64), reduction: R.None);
            CollectionAssert.AreEqual(new long[] { 3, 4 }, gaussian.shape);
            AssertClose(L.gaussian_nll_loss(x, row.expand(3, 4), ones(3, ScalarType.Float64), reduction: R.None), gaussian, "gaussian, target expanded");
            var kl = L.kl_div(x, column.expand(3, 4) / 8, R.None, false);
            var klBroadcast = L.kl_div(x, column / 8, R.None, false);
            AssertClose(kl, klBroadcast, "kl, target expanded");
            AssertClose(N.kl_div(x, column / 8, false, R.None), klBroadcast, "kl vs libtorch");
            Assert.AreEqual(0, warnings.Count, string.Join("; ", warnings));
        }
        finally
        {
            LossWarnings.Warned -= handler;
        }
        // Nor does kl_div raise anything but its mean warning.
        var klWarnings = new List<string>();
        EventHandler<LossWarningEventArgs> klHandler = (_, e) => { if (e.Loss == "kl_div") klWarnings.Add(e.Message); };
        LossWarnings.Warned += klHandler;
        try
        {
            L.kl_div(x, column / 8, R.Sum);
        }
        finally
        {
            LossWarnings.Warned -= klHandler;
        }
        Assert.AreEqual(0, klWarnings.Count, string.Join("; ", klWarnings));
    }

    [TestMethod, DocIdentity("both_gradient_paths_agree")]
    public void BothGradientPathsAgree()
    {
        using var scope = NewDisposeScope();
        var x = Normal(41, ScalarType.Float64, false, 4, 3);
        var counts = tensor(new[] { 0.0, 1, 2, 3, 0, 5, 1, 1, 2, 7, 0, 4 }, new long[] { 4, 3 });
        var variance = Normal(42, ScalarType.Float64, false, 4, 3).abs();
        var p = Distributions(43, 4, 3, withZeros: false);
        var cases = new (string name, Func<Tensor, Tensor> loss)[]
        {
            ("poisson", a => L.poisson_nll_loss(a, counts, reduction: R.Sum)),
            ("poisson rate", a => L.poisson_nll_loss(a.abs(), counts, log_input: false, reduction: R.Sum)),
            ("gaussian", a => L.gaussian_nll_loss(a, counts, variance, reduction: R.Sum)),
            ("kl", a => L.kl_div(a.log_softmax(1), p, "batchmean")),
        };
        foreach (var (name, loss) in cases)
        {
            double[] Gradient(GradientMode mode)
            {
                using var _ = LossGradients.Use(mode);
                var input = x.clone().requires_grad_();
                return Data(autograd.grad(new[] { loss(input) }, new[] { input })[0]!);
            }
            AssertAll(Gradient(GradientMode.Autograd), Gradient(GradientMode.Analytic), 1e-12, $"{name}: both paths give the same gradient");
            // On the autograd path the gradient is differentiable again.
            using var autogradPath = LossGradients.Use(GradientMode.Autograd);
            var leaf = x.clone().requires_grad_();
            var first = autograd.grad(new[] { loss(leaf) }, new[] { leaf }, retain_graph: true, create_graph: true)[0]!;
            Assert.IsTrue(first.requires_grad, $"{name}: the gradient has a graph");
            var second = autograd.grad(new[] { first.sum() }, new[] { leaf })[0]!;
            Assert.IsTrue(Data(second).All(double.IsFinite), $"{name}: finite second derivative");
        }
        // Poisson: the second derivative is exp(x); Gaussian: 1/v in x (both on the autograd path).
        using var secondOrder = LossGradients.Use(GradientMode.Autograd);
        AssertAll(Data(x.exp()), ProbabilisticSnippets.PoissonSecondDerivative(Data(x), Data(counts)), 1e-15, "poisson second derivative");
        var xl = x.clone().requires_grad_();
        var g = autograd.grad(new[] { L.gaussian_nll_loss(xl, counts, variance, reduction: R.Sum) }, new[] { xl }, retain_graph: true, create_graph: true)[0]!;
        AssertAll(Data(variance.clamp_min(1e-6).reciprocal()), Data(autograd.grad(new[] { g.sum() }, new[] { xl })[0]!), 1e-14, "gaussian second derivative");
    }

    [TestMethod, DocIdentity("poisson_minimum_at_rate_equals_count")]
    public void PoissonMinimumAtRateEqualsCount()
    {
        using var scope = NewDisposeScope();
        var counts = new[] { 0.5, 1.0, 2.0, 3.0, 10.0, 100.0 };
        var atMinimum = tensor(counts.Select(c => Math.Log(c)).ToArray()).requires_grad_();
        var loss = L.poisson_nll_loss(atMinimum, tensor(counts), reduction: R.None);
        var gradient = Data(autograd.grad(new[] { loss.sum() }, new[] { atMinimum })[0]!);
        AssertAll(new double[counts.Length], gradient, 1e-13, "gradient λ − y at λ = y");
        foreach (var shift in new[] { -1.0, -1e-3, 1e-3, 1.0 })
        {
            var moved = Data(L.poisson_nll_loss(tensor(counts.Select(c => Math.Log(c) + shift).ToArray()), tensor(counts), reduction: R.None));
            var at = Data(loss);
            for (int i = 0; i < counts.Length; i++) Assert.IsTrue(moved[i] > at[i], $"y = {counts[i]}, shift {shift}");
        }
        // The rate form has its minimum there too (up to eps).
        var rate = tensor(counts).requires_grad_();
        var rateGradient = Data(autograd.grad(new[] { L.poisson_nll_loss(rate, tensor(counts), log_input: false, reduction: R.Sum) }, new[] { rate })[0]!);
        AssertAll(new double[counts.Length], rateGradient, 1e-7, "gradient 1 − y/(λ + eps) at λ = y");
    }

    [TestMethod, DocIdentity("poisson_log_input_relation")]
    public void PoissonLogInputRelation()
    {
        using var scope = NewDisposeScope();
        var x = Normal(51, ScalarType.Float64, false, 40).mul(2);
        var y = Normal(52, ScalarType.Float64, false, 40).abs().mul(4).round();
        var logForm = Data(L.poisson_nll_loss(x, y, reduction: R.None));
        foreach (var eps in new[] { 1e-8, 1e-3, 0.0 })
        {
            var rateForm = Data(L.poisson_nll_loss(x.exp(), y, log_input: false, eps: eps, reduction: R.None));
            var (xs, ys) = (Data(x), Data(y));
            for (int i = 0; i < xs.Length; i++)
            {
                double gap = rateForm[i] - logForm[i];
                double bound = ys[i] * eps / Math.Exp(xs[i]);
                Assert.IsTrue(gap <= 1e-13 * Math.Max(1, Math.Abs(logForm[i])) && -gap <= bound + 1e-13 * Math.Max(1, Math.Abs(logForm[i])),
                    $"eps {eps}, x = {xs[i]}, y = {ys[i]}: gap {gap}, bound {bound}");
            }
            AssertAll(Data(N.poisson_nll_loss(x.exp(), y, false, false, eps, R.None)), rateForm, 1e-14, $"rate form vs libtorch, eps {eps}");
        }
        AssertAll(Data(N.poisson_nll_loss(x, y, true, false, 1e-8, R.None)), logForm, 1e-14, "log form vs libtorch");
    }

    [TestMethod, DocIdentity("poisson_full_adds_stirling_where_count_exceeds_one")]
    public void PoissonFullAddsStirlingWhereCountExceedsOne()
    {
        using var scope = NewDisposeScope();
        var counts = new[] { 0.0, 0.5, 1.0, 1.0000001, 1.5, 2.0, 3.0, 10.0, 1000.0 };
        var x = tensor(counts.Select((_, i) => 0.1 * i - 0.3).ToArray());
        var y = tensor(counts).requires_grad_();
        var with = L.poisson_nll_loss(x, y, full: true, reduction: R.None);
        var without = L.poisson_nll_loss(x, y, full: false, reduction: R.None);
        var term = Data(with - without);
        var gradient = Data(autograd.grad(new[] { (with - without).sum() }, new[] { y })[0]!);
        for (int i = 0; i < counts.Length; i++)
        {
            double c = counts[i];
            double expected = c > 1 ? c * Math.Log(c) - c + 0.5 * Math.Log(2 * Math.PI * c) : 0;
            Assert.AreEqual(expected, term[i], 1e-12 * Math.Max(1, Math.Abs(expected)), $"term at y = {c}");
            if (c > 0)
                Assert.AreEqual(c > 1 ? Math.Log(c) + 1 / (2 * c) : 0, gradient[i], 1e-12, $"target gradient of the term at y = {c}");
        }
        // Stirling's error against log y! shrinks like 1/(12y).
        foreach (var (c, logFactorial) in new[] { (2.0, Math.Log(2)), (3.0, Math.Log(6)), (10.0, Math.Log(3628800)) })
        {
            double stirling = term[Array.IndexOf(counts, c)];
            Assert.IsTrue(logFactorial - stirling > 0 && logFactorial - stirling < 1 / (12 * c), $"y = {c}");
        }
        AssertSame(a => L.poisson_nll_loss(a[0], a[1], true, true, 1e-8, R.None), a => N.poisson_nll_loss(a[0], a[1], true, true, 1e-8, R.None),
            T(Data(x)), T(counts));
        AssertSame(a => L.poisson_nll_loss(a[0], a[1], false, true, 1e-8, R.Mean), a => N.poisson_nll_loss(a[0], a[1], false, true, 1e-8, R.Mean),
            T(Data(x.exp())), T(counts));
    }

    [TestMethod, DocIdentity("poisson_full_target_gradient_is_nan_at_zero")]
    public void PoissonFullTargetGradientIsNanAtZero()
    {
        using var scope = NewDisposeScope();
        var counts = new[] { -1.0, 0.0, 1e-300, 0.5, 1.0, 2.0 };
        foreach (var logInput in new[] { true, false })
            foreach (var full in new[] { true, false })
            {
                var x = tensor(new[] { 0.3, 0.3, 0.3, 0.3, 0.3, 0.3 }).requires_grad_();
                var y = tensor(counts).requires_grad_();
                var grads = autograd.grad(new[] { L.poisson_nll_loss(x, y, logInput, full, 1e-8, R.Sum) }, new[] { x, y });
                var (dx, dy) = (Data(grads[0]!), Data(grads[1]!));
                var nx = tensor(new[] { 0.3, 0.3, 0.3, 0.3, 0.3, 0.3 }).requires_grad_();
                var ny = tensor(counts).requires_grad_();
                var nativeGrads = autograd.grad(new[] { N.poisson_nll_loss(nx, ny, logInput, full, 1e-8, R.Sum) }, new[] { nx, ny });
                AssertAll(Data(nativeGrads[1]!), dy, 1e-15, $"target gradient vs libtorch (log_input {logInput}, full {full})");
                AssertAll(Data(nativeGrads[0]!), dx, 1e-15, $"input gradient vs libtorch (log_input {logInput}, full {full})");
                Assert.IsTrue(dx.All(double.IsFinite), "the input gradient is always finite");
                double plain = logInput ? -0.3 : -Math.Log(0.3 + 1e-8);
                if (full)
                {
                    Assert.IsTrue(double.IsNaN(dy[0]) && double.IsNaN(dy[1]), "NaN at y = 0 and y < 0");
                    for (int i = 2; i <= 4; i++) Assert.AreEqual(plain, dy[i], 1e-15, $"0 < y ≤ 1: masked to the plain gradient (y = {counts[i]})");
                    Assert.AreEqual(plain + Math.Log(2) + 0.25, dy[5], 1e-15, "y = 2");
                }
                else
                {
                    AssertAll(Enumerable.Repeat(plain, counts.Length).ToArray(), dy, 1e-15, "without full, −x (or −log(x + eps)) everywhere");
                }
            }
    }

    [TestMethod, DocIdentity("gaussian_var_shapes")]
    public void GaussianVarShapes()
    {
        using var scope = NewDisposeScope();
        var (input, target, perSample) = ProbabilisticSnippets.GaussianExample();
        foreach (var reduction in new[] { R.None, R.Mean, R.Sum })
        {
            var lead = perSample.clone().requires_grad_();
            var last1 = perSample.reshape(2, 1).clone().requires_grad_();
            var expanded = perSample.reshape(2, 1).expand(2, 3).clone().requires_grad_();
            var a = L.gaussian_nll_loss(input, target, lead, reduction: reduction);
            var b = L.gaussian_nll_loss(input, target, last1, reduction: reduction);
            var c = L.gaussian_nll_loss(input, target, expanded, reduction: reduction);
            AssertClose(a, b, $"(N) vs (N, 1), {reduction}");
            AssertClose(a, c, $"(N) vs (N, D), {reduction}");
            var ga = Data(autograd.grad(new[] { a.sum() }, new[] { lead })[0]!);
            var gb = Data(autograd.grad(new[] { b.sum() }, new[] { last1 })[0]!);
            var gc = autograd.grad(new[] { c.sum() }, new[] { expanded })[0]!;
            AssertAll(ga, gb, 1e-15, "gradient (N) vs (N, 1)");
            AssertAll(Data(gc.sum(1L)), ga, 1e-14, "a per-sample variance gets its row's summed gradient");
        }
        foreach (var bad in new[] { zeros(3, ScalarType.Float64), zeros(2, 2, ScalarType.Float64), zeros(1, 3, ScalarType.Float64), tensor(1.0) })
        {
            var error = Assert.ThrowsExactly<ArgumentException>(() => L.gaussian_nll_loss(input, target, bad));
            StringAssert.StartsWith(error.Message, "var is of incorrect size");
        }
        var negative = Assert.ThrowsExactly<ArgumentException>(() => L.gaussian_nll_loss(input, target, tensor(new[] { 0.25, -1.0 })));
        StringAssert.StartsWith(negative.Message, "var has negative entry/entries");
        // A 1-D input accepts a 0-d variance (the input's shape without its last dimension).
        AssertClose(L.gaussian_nll_loss(input[0], target[0], tensor(0.25)), L.gaussian_nll_loss(input[0], target[0], full(3, 0.25, ScalarType.Float64)), "1-D input, 0-d var");
    }

    [TestMethod, DocIdentity("gaussian_mean_is_over_all_elements")]
    public void GaussianMeanIsOverAllElements()
    {
        using var scope = NewDisposeScope();
        foreach (var (n, d) in new[] { (2L, 3L), (5L, 1L), (4L, 7L) })
        {
            var x = Normal(61, ScalarType.Float64, false, n, d);
            var y = Normal(62, ScalarType.Float64, false, n, d);
            var v = Normal(63, ScalarType.Float64, false, n).abs();
            double sum = L.gaussian_nll_loss(x, y, v, reduction: R.Sum).item<double>();
            double mean = L.gaussian_nll_loss(x, y, v, reduction: R.Mean).item<double>();
            Assert.AreEqual(sum / (n * d), mean, 1e-14 * Math.Max(1, Math.Abs(mean)), $"({n}, {d}): mean = sum / (N·D)");
            double perSample = L.gaussian_nll_loss(x, y, v, reduction: R.None).sum(1L).mean().item<double>();
            Assert.AreEqual(d * mean, perSample, 1e-13 * Math.Max(1, Math.Abs(perSample)), $"({n}, {d}): the per-sample mean is D times larger");
        }
    }

    [TestMethod, DocIdentity("gaussian_full_adds_a_constant")]
    public void GaussianFullAddsAConstant()
    {
        using var scope = NewDisposeScope();
        double c = 0.5 * Math.Log(2 * Math.PI);
        var x = Normal(71, ScalarType.Float64, false, 6, 4);
        var y = Normal(72, ScalarType.Float64, false, 6, 4);
        var v = Normal(73, ScalarType.Float64, false, 6, 4).abs();
        v[0, 0] = tensor(0.0);
        foreach (var (reduction, shift) in new[] { (R.None, c), (R.Mean, c), (R.Sum, 24 * c) })
        {
            var withGrads = Gradients(true, reduction);
            var withoutGrads = Gradients(false, reduction);
            AssertAll(withoutGrads.values.Select(a => a + shift).ToArray(), withGrads.values, 1e-14, $"values, {reduction}");
            AssertAll(withoutGrads.dx, withGrads.dx, 0, $"input gradient, {reduction}");
            AssertAll(withoutGrads.dv, withGrads.dv, 0, $"variance gradient, {reduction}");
        }

        (double[] values, double[] dx, double[] dv) Gradients(bool full, R reduction)
        {
            var input = x.clone().requires_grad_();
            var variance = v.clone().requires_grad_();
            var loss = L.gaussian_nll_loss(input, y, variance, full, 1e-6, reduction);
            var grads = autograd.grad(new[] { loss.sum() }, new[] { input, variance });
            return (Data(loss), Data(grads[0]!), Data(grads[1]!));
        }
    }

    [TestMethod, DocIdentity("gaussian_best_variance_is_the_squared_error")]
    public void GaussianBestVarianceIsTheSquaredError()
    {
        using var scope = NewDisposeScope();
        var x = Normal(81, ScalarType.Float64, false, 5, 4);
        var y = Normal(82, ScalarType.Float64, false, 5, 4);
        var squared = (x - y).square();
        // Per element: the variance gradient vanishes at v = d², and the loss is larger on either side.
        var best = squared.clone().requires_grad_();
        var loss = L.gaussian_nll_loss(x, y, best, reduction: R.None);
        AssertAll(new double[20], Data(autograd.grad(new[] { loss.sum() }, new[] { best })[0]!), 1e-12, "per element");
        foreach (var factor in new[] { 0.9, 1.1 })
        {
            var other = Data(L.gaussian_nll_loss(x, y, squared * factor, reduction: R.None));
            var at = Data(loss);
            for (int i = 0; i < 20; i++) Assert.IsTrue(other[i] > at[i], $"element {i}, factor {factor}");
        }
        // Per sample: at the row's mean squared error.
        var rowBest = squared.mean(new long[] { 1 }).requires_grad_();
        var rowLoss = L.gaussian_nll_loss(x, y, rowBest, reduction: R.Sum);
        AssertAll(new double[5], Data(autograd.grad(new[] { rowLoss }, new[] { rowBest })[0]!), 1e-12, "per sample");
    }

    [TestMethod, DocIdentity("gaussian_variance_gradient_is_straight_through")]
    public void GaussianVarianceGradientIsStraightThrough()
    {
        using var scope = NewDisposeScope();
        const double eps = 1e-6;
        var variances = new[] { 0.0, 1e-9, 1e-7, eps, 2e-6, 0.5, 4.0 };
        var errors = new[] { 1.0, 0.0, 1e-4 };
        foreach (var d in errors)
        {
            var variance = tensor(variances).requires_grad_();
            var input = full(variances.Length, d, ScalarType.Float64).requires_grad_();
            var target = zeros(variances.Length, ScalarType.Float64);
            var before = Data(variance);
            var loss = L.gaussian_nll_loss(input, target, variance, reduction: R.None);
            var grads = autograd.grad(new[] { loss.sum() }, new[] { input, variance });
            CollectionAssert.AreEqual(before, Data(variance), "the caller's variance is not clamped");
            var clamped = variances.Select(v => Math.Max(v, eps)).ToArray();
            AssertAll(clamped.Select(v => 0.5 * (Math.Log(v) + d * d / v)).ToArray(), Data(loss), 1e-14, $"values, d = {d}");
            AssertAll(clamped.Select(v => d / v).ToArray(), Data(grads[0]!), 1e-14, $"input gradient d/v̂, d = {d}");
            AssertAll(clamped.Select(v => 0.5 * (1 / v - d * d / (v * v))).ToArray(), Data(grads[1]!), 1e-14, $"variance gradient at v̂, d = {d}");
            // The snippet's written-out form gives the same values and gradients.
            var v2 = tensor(variances).requires_grad_();
            var written = ProbabilisticSnippets.GaussianWrittenOut(full(variances.Length, d, ScalarType.Float64), target, v2, eps);
            AssertAll(Data(loss), Data(written), 1e-15, "written-out values");
            AssertAll(Data(grads[1]!), Data(autograd.grad(new[] { written.sum() }, new[] { v2 })[0]!), 1e-15, "written-out variance gradient");
            // A recorded clamp_min gives 0 below eps and the same gradient from eps on.
            var v3 = tensor(variances).requires_grad_();
            var c = v3.clamp_min(eps);
            var recorded = Data(autograd.grad(new[] { (0.5 * (c.log() + d * d / c)).sum() }, new[] { v3 })[0]!);
            for (int i = 0; i < variances.Length; i++)
                Assert.AreEqual(variances[i] < eps ? 0 : Data(grads[1]!)[i], recorded[i], 1e-14 * Math.Max(1, Math.Abs(recorded[i])), $"recorded clamp at v = {variances[i]}");
        }
    }

    [TestMethod, DocIdentity("gaussian_with_constant_variance_is_scaled_mse")]
    public void GaussianWithConstantVarianceIsScaledMse()
    {
        using var scope = NewDisposeScope();
        var xs = Normal(91, ScalarType.Float64, false, 6, 5);
        var y = Normal(92, ScalarType.Float64, false, 6, 5);
        foreach (var sigma2 in new[] { 1.0, 0.25, 4.0 })
            foreach (var withConstant in new[] { false, true })
            {
                var x1 = xs.clone().requires_grad_();
                var x2 = xs.clone().requires_grad_();
                var gauss = L.gaussian_nll_loss(x1, y, full(6, sigma2, ScalarType.Float64), withConstant, 1e-6, R.Mean);
                var expected = 0.5 * Math.Log(sigma2) + L.mse_loss(x2, y) / (2 * sigma2) + (withConstant ? 0.5 * Math.Log(2 * Math.PI) : 0);
                Assert.AreEqual(expected.item<double>(), gauss.item<double>(), 1e-14, $"σ² = {sigma2}, full {withConstant}");
                AssertAll(Data(autograd.grad(new[] { expected }, new[] { x2 })[0]!), Data(autograd.grad(new[] { gauss }, new[] { x1 })[0]!), 1e-14, $"gradient, σ² = {sigma2}");
            }
        AssertClose(0.5 * L.mse_loss(xs, y, R.None), L.gaussian_nll_loss(xs, y, ones(6, 5, ScalarType.Float64), reduction: R.None), "var = 1: half of MSE per element");
    }

    [TestMethod, DocIdentity("kl_log_target_on_log_p_equals_kl_on_p")]
    public void KlLogTargetOnLogPEqualsKlOnP()
    {
        using var scope = NewDisposeScope();
        var x = Normal(101, ScalarType.Float64, false, 4, 5).log_softmax(1);
        var p = Distributions(102, 4, 5, withZeros: false);
        foreach (var reduction in new[] { R.None, R.Mean, R.Sum })
        {
            var a = x.clone().requires_grad_();
            var b = x.clone().requires_grad_();
            var onP = L.kl_div(a, p, reduction);
            var onLogP = L.kl_div(b, p.log(), reduction, log_target: true);
            AssertAll(Data(onP), Data(onLogP), 1e-14, $"values, {reduction}");
            AssertAll(Data(autograd.grad(new[] { onP.sum() }, new[] { a })[0]!), Data(autograd.grad(new[] { onLogP.sum() }, new[] { b })[0]!), 1e-14, $"input gradients, {reduction}");
        }
        // Tiny probabilities: log p = −800 is fine, p = e^−800 underflows to 0.
        var tiny = tensor(new[] { -800.0, 0.0 });
        Assert.AreEqual(0.0, tiny.exp()[0].item<double>(), "e^−800 underflows");
        Assert.IsTrue(double.IsFinite(L.kl_div(tensor(new[] { -1.0, -1.0 }), tiny, R.Sum, log_target: true).item<double>()));
        // At p = 0 the log form gives NaN where the probability form gives 0.
        Assert.AreEqual(0.0, L.kl_div(tensor(new[] { -1.0 }), tensor(new[] { 0.0 }), R.Sum).item<double>());
        Assert.IsTrue(double.IsNaN(L.kl_div(tensor(new[] { -1.0 }), tensor(new[] { double.NegativeInfinity }), R.Sum, log_target: true).item<double>()));
        AssertSame(a => L.kl_div(a[0], a[1], R.Sum, true), a => N.kl_div(a[0], a[1], true, R.Sum), T(Data(x), shape: new long[] { 4, 5 }), T(Data(p.log()), shape: new long[] { 4, 5 }));
    }

    [TestMethod, DocIdentity("kl_reductions")]
    public void KlReductions()
    {
        using var scope = NewDisposeScope();
        foreach (var (n, c) in new[] { (2L, 3L), (5L, 4L), (1L, 7L) })
        {
            var x = Normal(111, ScalarType.Float64, false, n, c).log_softmax(1);
            var p = Distributions(112, n, c, withZeros: true);
            double sum = L.kl_div(x, p, R.Sum).item<double>();
            double batchmean = L.kl_div(x, p, "batchmean").item<double>();
            double mean = L.kl_div(x, p, "mean").item<double>();
            Assert.AreEqual(sum / n, batchmean, 1e-15 * Math.Max(1, sum), $"({n}, {c}): batchmean = sum / N");
            Assert.AreEqual(batchmean / c, mean, 1e-15 * Math.Max(1, sum), $"({n}, {c}): mean = batchmean / C");
            Assert.AreEqual(N.kl_div(x, p, false, R.Mean).item<double>(), mean, 1e-15, "mean vs libtorch");
            Assert.AreEqual(N.kl_div(x, p, false, R.Sum).item<double>(), sum, 1e-15, "sum vs libtorch");
            using var module = TorchLosses.nn.KLDivLoss("batchmean");
            Assert.AreEqual(batchmean, module.call(x, p).item<double>(), "the module with the string");
        }
        // A 0-d input is not divided; an empty batch gives NaN; (2, 0) gives 0.
        Assert.AreEqual(L.kl_div(tensor(-1.0), tensor(0.5), R.Sum).item<double>(), L.kl_div(tensor(-1.0), tensor(0.5), "batchmean").item<double>());
        Assert.IsTrue(double.IsNaN(L.kl_div(zeros(0, 3, ScalarType.Float64), zeros(0, 3, ScalarType.Float64), "batchmean").item<double>()));
        Assert.AreEqual(0.0, L.kl_div(zeros(2, 0, ScalarType.Float64), zeros(2, 0, ScalarType.Float64), "batchmean").item<double>());
    }

    [TestMethod, DocIdentity("kl_mean_raises_the_warning")]
    public void KlMeanRaisesTheWarning()
    {
        using var scope = NewDisposeScope();
        var (_, warnings) = ProbabilisticSnippets.KlMean();
        const string pytorch = "reduction: 'mean' divides the total loss by both the batch size and the support size."
            + "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
            + "'mean' will be changed to behave the same as 'batchmean' in the next major release.";
        Assert.IsTrue(warnings.Count >= 1 && warnings.All(w => w == pytorch), string.Join("; ", warnings));
    }

    [TestMethod, DocIdentity("kl_is_cross_entropy_minus_entropy")]
    public void KlIsCrossEntropyMinusEntropy()
    {
        using var scope = NewDisposeScope();
        var logits = Normal(121, ScalarType.Float64, false, 6, 4).mul(3);
        var p = Distributions(122, 6, 4, withZeros: true);
        var z1 = logits.clone().requires_grad_();
        var z2 = logits.clone().requires_grad_();
        var kl = L.kl_div(z1.log_softmax(1), p, R.Sum);
        var ce = L.cross_entropy(z2, p, reduction: R.Sum);
        double entropy = -p.xlogy(p).sum().item<double>();
        Assert.AreEqual(ce.item<double>() - entropy, kl.item<double>(), 1e-13, "KL = cross entropy − entropy");
        var gkl = Data(autograd.grad(new[] { kl }, new[] { z1 })[0]!);
        var gce = Data(autograd.grad(new[] { ce }, new[] { z2 })[0]!);
        AssertAll(gce, gkl, 1e-14, "the same logit gradient");
        AssertAll(Data(logits.softmax(1) - p), gkl, 1e-14, "q − p");
    }

    [TestMethod, DocIdentity("kl_target_gradient_is_nan_at_zero")]
    public void KlTargetGradientIsNanAtZero()
    {
        using var scope = NewDisposeScope();
        var xs = new[] { -1.0, -0.5, -2.0, -1.0, 0.5, -1.0 };
        var ys = new[] { 0.0, 0.3, 1.0, 1e-300, 2.0, -0.5 };
        foreach (var reduction in new[] { R.Sum, R.Mean })
            AssertSame(a => L.kl_div(a[0], a[1], reduction), a => N.kl_div(a[0], a[1], false, reduction), T(xs), T(ys));
        var x = tensor(xs).requires_grad_();
        var y = tensor(ys).requires_grad_();
        var grads = autograd.grad(new[] { L.kl_div(x, y, R.Sum) }, new[] { x, y });
        AssertAll(ys.Select(v => -v).ToArray(), Data(grads[0]!), 0, "∂/∂x = −y for every y");
        var dy = Data(grads[1]!);
        Assert.IsTrue(double.IsNaN(dy[0]), "NaN at y = 0");
        Assert.IsTrue(double.IsNaN(dy[5]), "NaN for y < 0");
        for (int i = 1; i <= 4; i++) Assert.AreEqual(Math.Log(ys[i]) + 1 - xs[i], dy[i], 1e-14, $"log y + 1 − x at y = {ys[i]}");
        // log_target: −e^y and e^y·(y − x + 1), finite for finite y.
        var lx = tensor(xs).requires_grad_();
        var ly = tensor(new[] { -3.0, -1.0, 0.0, -700.0, 0.5, -0.1 }).requires_grad_();
        var lg = autograd.grad(new[] { L.kl_div(lx, ly, R.Sum, log_target: true) }, new[] { lx, ly });
        var lyv = Data(ly);
        AssertAll(lyv.Select(v => -Math.Exp(v)).ToArray(), Data(lg[0]!), 1e-15, "log_target: ∂/∂x");
        AssertAll(lyv.Select((v, i) => Math.Exp(v) * (v - xs[i] + 1)).ToArray(), Data(lg[1]!), 1e-14, "log_target: ∂/∂y");
    }

    [TestMethod, DocIdentity("kl_is_non_negative_for_distributions")]
    public void KlIsNonNegativeForDistributions()
    {
        using var scope = NewDisposeScope();
        for (int seed = 0; seed < 5; seed++)
        {
            var p = Distributions(130 + 2 * seed, 8, 6, withZeros: seed % 2 == 0);
            var q = Distributions(131 + 2 * seed, 8, 6, withZeros: false);
            var rows = Data(L.kl_div(q.log(), p, R.None).sum(1L));
            Assert.IsTrue(rows.All(r => r >= 0), $"seed {seed}: {string.Join(", ", rows)}");
            Assert.IsTrue(L.kl_div(q.log(), p, "batchmean").item<double>() >= 0);
            var itself = Data(L.kl_div(q.log(), q, R.None).sum(1L));
            AssertAll(new double[8], itself, 1e-15, $"seed {seed}: KL(q ‖ q) = 0");
        }
        // Single elements can be negative.
        var (pe, qe) = ProbabilisticSnippets.KlExample();
        Assert.IsTrue(Data(L.kl_div(qe.log(), pe, R.None)).Any(v => v < 0));
    }
}
