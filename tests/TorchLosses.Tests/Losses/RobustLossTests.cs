using TorchLosses;
using static TorchLossesTests.Support.Parity;
using Ref = TorchLosses.Parity.Suites.RobustReference;

namespace TorchLossesTests.Losses;

/// <summary>
/// The robust regression losses (Barron, log-cosh, pseudo-Huber, Charbonnier, Wing, Adaptive Wing, quantile) against the
/// float64 scalar references of <see cref="TorchLosses.Parity.Suites.RobustReference"/>: values under every reduction and gradients; the identities
/// between them; gradcheck; float32 at extreme inputs; half types; errors.
/// </summary>
[TestClass]
public sealed class RobustLossTests
{
    private const double Rtol = 1e-12, Atol = 1e-14;   // float64 loss tolerance
    private static readonly double[] X = { 0.5, 1.5, 2.5, -3.0, 0.25, 1.0, -1.0, 12.0, 0.0, -0.07, 40.0, 1e-5 };
    private static readonly double[] Y = { 1.0, 2.0, -5.0, -3.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3.0, 0.0 };

    private static void Close(IReadOnlyList<double> expected, Tensor actual, string what, double rtol = Rtol, double atol = Atol)
    {
        var a = actual.detach().to(ScalarType.Float64).flatten().data<double>().ToArray();
        Assert.HasCount(expected.Count, a, $"{what}: element count");
        for (int i = 0; i < a.Length; i++)
        {
            if (double.IsNaN(expected[i]) || double.IsInfinity(expected[i])) { Assert.AreEqual(expected[i], a[i], $"{what}[{i}]"); continue; }
            Assert.IsTrue(Math.Abs(expected[i] - a[i]) <= atol + rtol * Math.Abs(expected[i]),
                $"{what}[{i}]: expected {expected[i]:R}, got {a[i]:R}");
        }
    }

    /// <summary>Values under every reduction, and the gradients of input (and of target, −that), against a scalar reference.</summary>
    private static void AssertMatchesReference(Func<Tensor, Tensor, R, Tensor> loss, double[] x, double[] y,
        Func<double, double, double> value, Func<double, double, double> gradInput, string what, bool targetIsMirror = true)
    {
        var elements = x.Select((xi, i) => value(xi, y[i])).ToArray();
        var slopes = x.Select((xi, i) => gradInput(xi, y[i])).ToArray();
        foreach (var reduction in AllReductions)
        {
            using var scope = NewDisposeScope();
            var input = T(x);
            var target = T(y);
            var result = loss(input, target, reduction);
            double n = x.Length, factor = reduction == R.Mean ? 1 / n : 1;
            var expected = reduction == R.None ? elements : new[] { reduction == R.Mean ? elements.Sum() / n : elements.Sum() };
            Close(expected, result, $"{what} {reduction} value");
            var grads = autograd.grad(new[] { result }, new[] { input, target }, new[] { ones_like(result) });
            Close(slopes.Select(s => s * factor).ToArray(), grads[0], $"{what} {reduction} ∂input");
            if (targetIsMirror) Close(slopes.Select(s => -s * factor).ToArray(), grads[1], $"{what} {reduction} ∂target");
        }
    }

    private static readonly double[] Alphas = { double.NegativeInfinity, -10, -2, -0.5, 0, 0.5, 1, 1.5, 2, 3, 10, double.PositiveInfinity };

    [TestMethod]
    public void BarronMatchesTheScalarReference()
    {
        foreach (var alpha in Alphas)
            foreach (var c in new[] { 0.5, 1.0, 3.0 })
                AssertMatchesReference((a, b, r) => L.barron_loss(a, b, alpha, c, r), X, Y,
                    (x, y) => Ref.Barron(x - y, alpha, c), (x, y) => Ref.BarronDx(x - y, alpha, c), $"barron α={alpha} c={c}");
    }

    [TestMethod]
    public void BarronGradientsOfAlphaAndScaleTensors()
    {
        // Per-element α and c: ∂ρ/∂c against −(x/c)·∂ρ/∂x; ∂ρ/∂α against a central difference of the reference (step 1e-5 at
        // α away from 0 and 2: error h²·ρ'''/6 ≲ 1e-9 relative here, the reference's rounding 1e-16/1e-5).
        double[] alpha = { -4, -2, -0.5, 0.5, 1, 1.5, 3, 6, -1, 0.7, 2.5, 1.2 };
        double[] c = { 0.5, 1, 2, 0.7, 1, 3, 1.5, 0.9, 1.1, 2.2, 0.4, 1 };
        using var scope = NewDisposeScope();
        var d = X.Select((x, i) => x - Y[i]).ToArray();
        var input = T(X);
        var a = T(alpha);
        var s = T(c);
        var result = L.barron_loss(input, T(Y, grad: false), a, s, R.Sum);
        var grads = autograd.grad(new[] { result }, new[] { input, a, s });
        Close(d.Select((x, i) => Ref.Barron(x, alpha[i], c[i])).Sum() is var total ? new[] { total } : null!, result, "value");
        Close(d.Select((x, i) => Ref.BarronDx(x, alpha[i], c[i])).ToArray(), grads[0], "∂x");
        Close(d.Select((x, i) => Ref.BarronDc(x, alpha[i], c[i])).ToArray(), grads[2], "∂c");
        const double h = 1e-5;
        var numeric = d.Select((x, i) => (Ref.Barron(x, alpha[i] + h, c[i]) - Ref.Barron(x, alpha[i] - h, c[i])) / (2 * h)).ToArray();
        Close(numeric, grads[1], "∂α", rtol: 1e-8, atol: 1e-10);
    }

    [TestMethod]
    public void BarronSpecialCasesAreTheNamedLosses()
    {
        using var scope = NewDisposeScope();
        var x = T(X, grad: false);
        var y = T(Y, grad: false);
        var d = (x - y);
        foreach (var c in new[] { 0.5, 1.0, 3.0 })
        {
            var z = (d / K(c)).square();
            Close(Values(L.mse_loss(x, y, R.None) / K(2 * c * c)), L.barron_loss(x, y, 2, c, R.None), "α = 2 is L2");
            Close(Values((z / K(2)).log1p()), L.barron_loss(x, y, 0, c, R.None), "α = 0 is Cauchy");
            Close(Values(-(-z / K(2)).expm1()), L.barron_loss(x, y, double.NegativeInfinity, c, R.None), "α = −∞ is Welsch");
            Close(Values(K(2) * z / (z + K(4))), L.barron_loss(x, y, -2, c, R.None), "α = −2 is Geman–McClure");
            Close(Values(L.pseudo_huber_loss(x, y, R.None, c) / K(c * c)), L.barron_loss(x, y, 1, c, R.None), "α = 1 is pseudo-Huber(δ = c)/c²");
        }
    }

    /// <summary>An owned 0-d float64 constant (instead of an implicit Scalar: TorchSharp's Scalar lifetime trap).</summary>
    internal static Tensor K(double value) => tensor(value);

    private static double[] Values(Tensor t) => t.detach().to(ScalarType.Float64).flatten().data<double>().ToArray();

    [TestMethod]
    [DataRow(2.0), DataRow(0.0), DataRow(double.NegativeInfinity)]
    public void BarronIsContinuousAndFiniteNearItsLimits(double limit)
    {
        // At α = limit ± 1e-9 (and −1e12 for −∞) the loss is within the first-order term of the limit and every gradient is
        // finite. First-order terms: near 2, (b·z/4)·(1 − ln z + ln b) ≲ 1e-9·z·25 for b = 1e-9; near 0, α·(ln(1 + z/2))²/4;
        // near −∞, ≈ z²·e^{−z/2}/(8|α|) — all below 1e-7·(1 + z) on these inputs.
        var near = double.IsInfinity(limit) ? new[] { -1e12 } : new[] { limit - 1e-9, limit + 1e-9 };
        using var scope = NewDisposeScope();
        var d = X.Select((x, i) => x - Y[i]).ToArray();
        foreach (var alpha in near)
        {
            var input = T(d);
            var a = T(Enumerable.Repeat(alpha, d.Length).ToArray());
            var c = T(Enumerable.Repeat(1.3, d.Length).ToArray());
            var result = L.barron_loss(input, zeros_like(input), a, c, R.None);
            var expected = d.Select(x => Ref.Barron(x, limit, 1.3)).ToArray();
            var got = Values(result);
            for (int i = 0; i < d.Length; i++)
            {
                double z = d[i] / 1.3 * (d[i] / 1.3);
                Assert.AreEqual(expected[i], got[i], 1e-7 * (1 + z * z), $"α = {alpha}, x = {d[i]}");
            }
            var grads = autograd.grad(new[] { result.sum() }, new[] { input, a, c });
            foreach (var g in grads) Assert.IsTrue(g.isfinite().all().item<bool>(), $"α = {alpha}: a gradient is not finite");
            Close(d.Select(x => Ref.BarronDx(x, limit, 1.3)).ToArray(), grads[0], $"∂x at α = {alpha}", rtol: 1e-6, atol: 1e-7);
        }
    }

    [TestMethod]
    public void BarronAlphaGradientAtZeroIsTheSeriesValue()
    {
        // ρ = (b/α)·expm1(αL/2), L = log1p(z/b), b = 2 − α: ∂ρ/∂α at α = 0 is L²/4 − L/2 + z/(4(1 + z/2)) (derived by
        // expanding to first order in α: b/α·(αL/2 + α²L²/8) = bL/2 + αbL²/8 with b = 2 at α = 0, and
        // ∂(bL/2)/∂α = −L/2 + (b/2)·(z/b²)/(1 + z/b)).
        using var scope = NewDisposeScope();
        var d = X.Select((x, i) => x - Y[i]).ToArray();
        var a = T(new double[d.Length]);
        var result = L.barron_loss(T(d, grad: false), zeros(d.Length, dtype: ScalarType.Float64), a, ones(d.Length, dtype: ScalarType.Float64), R.Sum);
        var grad = autograd.grad(new[] { result }, new[] { a })[0];
        var expected = d.Select(x =>
        {
            double z = x * x, l = Math.Log(1 + z / 2);
            return l * l / 4 - l / 2 + z / (4 * (1 + z / 2));
        }).ToArray();
        Close(expected, grad, "∂ρ/∂α at α = 0");
    }

    [TestMethod]
    public void BarronPassesGradcheckForInputAlphaAndScale()
    {
        using var scope = NewDisposeScope();
        double[] alphas = { -3, -0.7, 1e-7, 0.3, 1.2, 2.6, 5 };
        foreach (var alpha in alphas)
        {
            var x = Normal(3, ScalarType.Float64, true, 2, 4);
            var y = Normal(4, ScalarType.Float64, true, 2, 4);
            var a = T(new[] { alpha, alpha * 0.9 + 0.01, alpha, alpha + 0.02 }, shape: new long[] { 1, 4 });
            var c = T(new[] { 0.8, 1.7 }, shape: new long[] { 2, 1 });
            foreach (var reduction in AllReductions)
            {
                var result = GradCheck.gradcheck(t => L.barron_loss(t[0], t[1], t[2], t[3], reduction), new[] { x, y, a, c });
                Assert.IsTrue(result.Passed, $"α = {alpha}: {result}");
            }
        }
    }

    [TestMethod]
    public void BarronFloat32AtExtremeInputs()
    {
        // (x/c)² overflows float32 beyond |x/c| ≈ 1.8e19; the loss does not, where its value fits. Reference: float64 on the
        // same float32 inputs, rounded to float32 (∞ where it overflows).
        double[] x = { 1e30, -1e30, 1e4, -3e20, 1e-30, 0, 2e-20 };
        foreach (var alpha in new[] { double.NegativeInfinity, -2, -0.5, 0, 0.5, 1, 1.999, 2, 3 })
        {
            using var scope = NewDisposeScope();
            var inputs = x.Select(v => (double)(float)v).ToArray();
            var input = T(inputs, ScalarType.Float32);
            var result = L.barron_loss(input, zeros_like(input), alpha, 1.0, R.None);
            Assert.AreEqual(ScalarType.Float32, result.dtype);
            var expected = inputs.Select(v => (double)(float)Ref.Barron(v, alpha, 1)).ToArray();
            Close(expected, result, $"α = {alpha} value", rtol: 1e-5, atol: 1e-30);
            var grad = autograd.grad(new[] { result.sum() }, new[] { input })[0];
            // Where the loss itself overflows float32 (α ≥ 1.999 at 1e30) its gradient is not computed in the log domain: it
            // may be ∞ or NaN there; a finite gradient is the reference's (α = 2: x itself).
            var slopes = inputs.Select(v => (double)(float)Ref.BarronDx(v, alpha, 1)).ToArray();
            var got = Values(grad);
            for (int i = 0; i < slopes.Length; i++)
                if (double.IsInfinity(expected[i]) && !double.IsFinite(got[i])) continue;
                else Close(new[] { slopes[i] }, grad[i], $"α = {alpha} gradient[{i}]", rtol: 1e-5, atol: 1e-30);
        }
    }

    [TestMethod]
    public void LogCoshMatchesTheScalarReferenceAndItsAsymptotes()
    {
        AssertMatchesReference((a, b, r) => L.log_cosh_loss(a, b, r), X, Y, (x, y) => Ref.LogCosh(x - y), (x, y) => Math.Tanh(x - y), "log_cosh");
        using var scope = NewDisposeScope();
        // ½d² near 0: log cosh d = d²/2 − d⁴/12 + …, so the relative difference is d²/6 ≤ 1.7e-9 at |d| ≤ 1e-4.
        double[] small = { 1e-4, -3e-5, 1e-8, 1e-150 };
        var near = Values(L.log_cosh_loss(T(small, grad: false), zeros(small.Length, dtype: ScalarType.Float64), R.None));
        for (int i = 0; i < small.Length; i++) Assert.AreEqual(small[i] * small[i] / 2, near[i], 1.7e-9 * small[i] * small[i] / 2);
        // |d| − log 2 far out: the difference log(1 + e^{−2|d|}) is below 1e-26 at |d| ≥ 30.
        double[] far = { 30, -45, 1e3, 1e300 };
        var farValues = Values(L.log_cosh_loss(T(far, grad: false), zeros(far.Length, dtype: ScalarType.Float64), R.None));
        for (int i = 0; i < far.Length; i++) Assert.AreEqual(Math.Abs(far[i]) - Math.Log(2), farValues[i], 1e-15 * Math.Abs(far[i]));
        // float32 at ±1e4 (cosh overflows at 89): |d| − log 2 and slope ±1.
        var input = T(new[] { 1e4, -1e4, 88.0, 100.0 }, ScalarType.Float32);
        var value = L.log_cosh_loss(input, zeros_like(input), R.None);
        Close(new[] { 1e4 - Math.Log(2), 1e4 - Math.Log(2), 88 - Math.Log(2), 100 - Math.Log(2) }.Select(v => (double)(float)v).ToArray(), value, "float32 far out", 1e-5, 0);
        Close(new[] { 1.0, -1.0, 1.0, 1.0 }, autograd.grad(new[] { value.sum() }, new[] { input })[0], "float32 slopes", 1e-5, 0);
    }

    [TestMethod]
    public void PseudoHuberAndCharbonnierMatchTheReferenceAndEachOther()
    {
        foreach (var delta in new[] { 0.1, 1.0, 2.5 })
            AssertMatchesReference((a, b, r) => L.pseudo_huber_loss(a, b, r, delta), X, Y, (x, y) => Ref.PseudoHuber(x - y, delta),
                (x, y) => Ref.PseudoHuberDx(x - y, delta), $"pseudo_huber δ={delta}");
        foreach (var epsilon in new[] { 1e-6, 1e-3, 1.0 })
            AssertMatchesReference((a, b, r) => L.charbonnier_loss(a, b, r, epsilon), X, Y, (x, y) => Ref.Charbonnier(x - y, epsilon),
                (x, y) => Ref.CharbonnierDx(x - y, epsilon), $"charbonnier ε={epsilon}");
        using var scope = NewDisposeScope();
        var x = T(X, grad: false);
        var y = T(Y, grad: false);
        foreach (var epsilon in new[] { 1e-3, 0.5, 2.0 })
            Close(Values(L.pseudo_huber_loss(x, y, R.None, epsilon) / K(epsilon) + K(epsilon)), L.charbonnier_loss(x, y, R.None, epsilon),
                "charbonnier(ε) = pseudo_huber(δ = ε)/ε + ε");
        // float32: no overflow of d² (|d| = 1e30): pseudo-Huber ≈ δ|d| − δ², Charbonnier ≈ |d|, slopes ±δ and ±1.
        var big = T(new[] { 1e30, -1e30 }, ScalarType.Float32);
        var ph = L.pseudo_huber_loss(big, zeros_like(big), R.None, 2.0);
        Close(new[] { 2e30, 2e30 }.Select(v => (double)(float)v).ToArray(), ph, "pseudo-Huber at 1e30", 1e-5, 0);
        Close(new[] { 2.0, -2.0 }, autograd.grad(new[] { ph.sum() }, new[] { big })[0], "pseudo-Huber slope at 1e30", 1e-5, 0);
        Close(new[] { 1e30, 1e30 }.Select(v => (double)(float)v).ToArray(), L.charbonnier_loss(big, zeros_like(big), R.None), "Charbonnier at 1e30", 1e-5, 0);
    }

    [TestMethod]
    public void WingAndAdaptiveWingMatchTheReference()
    {
        foreach (var (w, e) in new[] { (10.0, 2.0), (5.0, 0.5), (1.0, 1.0) })
            AssertMatchesReference((a, b, r) => L.wing_loss(a, b, r, w, e), X, Y, (x, y) => Ref.Wing(x - y, w, e),
                (x, y) => Ref.WingDx(x - y, w, e), $"wing w={w} ε={e}");
        // Heatmap targets in [0, 1]; predictions on both sides of θ = 0.5.
        double[] prediction = { 0.1, 0.9, -0.3, 0.45, 1.7, 0.0, 0.52, 0.2, 0.95, -1.2, 0.3, 0.6 };
        double[] target = { 0.0, 1.0, 0.2, 0.0, 0.5, 0.0, 1.0, 0.8, 0.3, 0.1, 0.3, 0.05 };
        AssertMatchesReference((a, b, r) => L.adaptive_wing_loss(a, b, r), prediction, target, (x, y) => Ref.AdaptiveWing(x, y),
            (x, y) => Ref.AdaptiveWingDx(x, y), "adaptive_wing", targetIsMirror: false);
        // Continuity at |d| = θ: value and slope on both sides agree (the line's A and C are built for that).
        foreach (var y in new[] { 0.0, 0.3, 1.0 })
        {
            double below = Ref.AdaptiveWing(y + 0.5 - 1e-9, y), above = Ref.AdaptiveWing(y + 0.5, y);
            Assert.AreEqual(below, above, 1e-7, $"value at θ, y = {y}");
            Assert.AreEqual(Ref.AdaptiveWingDx(y + 0.5 - 1e-12, y), Ref.AdaptiveWingDx(y + 0.5, y), 1e-9, $"slope at θ, y = {y}");
        }
    }

    [TestMethod]
    public void QuantileMatchesTheReferenceAndHalfOfL1AtTheMedian()
    {
        foreach (var tau in new[] { 0.1, 0.5, 0.9 })
            AssertMatchesReference((a, b, r) => L.quantile_loss(a, b, r, tau), X, Y, (x, y) => Ref.Pinball(x, y, tau),
                (x, y) => Ref.PinballDx(x, y, tau), $"quantile τ={tau}");
        using var scope = NewDisposeScope();
        var x = T(X, grad: false);
        var y = T(Y, grad: false);
        foreach (var reduction in AllReductions)
            Close(Values(L.l1_loss(x, y, reduction) / K(2)), L.quantile_loss(x, y, reduction, 0.5), $"τ = 0.5 is L1/2 ({reduction})");
    }

    [TestMethod]
    public void QuantileWithOnePredictionPerQuantile()
    {
        using var scope = NewDisposeScope();
        double[] taus = { 0.1, 0.5, 0.9 };
        var input = Normal(11, ScalarType.Float64, true, 4, 3);
        var targets = Normal(12, ScalarType.Float64, true, 4);
        var quantiles = T(taus, grad: false);
        var xs = Values(input);
        var ys = Values(targets);
        var expected = new double[12];
        var slopes = new double[12];
        for (int row = 0; row < 4; row++)
            for (int q = 0; q < 3; q++)
            {
                expected[row * 3 + q] = Ref.Pinball(xs[row * 3 + q], ys[row], taus[q]);
                slopes[row * 3 + q] = Ref.PinballDx(xs[row * 3 + q], ys[row], taus[q]);
            }
        var none = L.quantile_loss(input, targets, quantiles, R.None);
        CollectionAssert.AreEqual(new long[] { 4, 3 }, none.shape);
        Close(expected, none, "per-quantile values");
        Close(new[] { expected.Sum() / 12 }, L.quantile_loss(input, targets, quantiles), "mean");
        var grads = autograd.grad(new[] { none.sum() }, new[] { input, targets });
        Close(slopes, grads[0], "∂input");
        Close(Enumerable.Range(0, 4).Select(r => -(slopes[r * 3] + slopes[r * 3 + 1] + slopes[r * 3 + 2])).ToArray(), grads[1], "∂target");
        // A target broadcast as (4, 1) gives the same; the module holds the quantiles as a buffer.
        Close(expected, L.quantile_loss(input, targets.unsqueeze(1), quantiles, R.None), "(4, 1) target");
        using var module = TorchLosses.nn.QuantileLoss(quantiles, R.None);
        Close(expected, module.forward(input, targets), "module");
        Assert.AreEqual(1, module.buffers().Count());
    }

    [TestMethod]
    public void EveryRobustLossPassesGradcheck()
    {
        using var scope = NewDisposeScope();
        // d = x − y kept ≥ 0.05 away from 0 (the kink of Wing, quantile and |d|-based losses) and from Wing's |d| = w = 1.
        double[] x = { 0.3, -1.7, 2.4, 0.9, -0.2, 1.3, -0.65, 3.1 };
        double[] y = { -0.1, 0.2, 0.4, 0.75, 0.6, -0.4, 0.1, 1.0 };
        double[] heat = { 0.0, 0.2, 0.4, 0.75, 0.6, 0.4, 0.1, 1.0 };
        var losses = new (string name, Func<Tensor[], R, Tensor> f, double[] target)[]
        {
            ("log_cosh", (t, r) => L.log_cosh_loss(t[0], t[1], r), y),
            ("pseudo_huber", (t, r) => L.pseudo_huber_loss(t[0], t[1], r, 0.7), y),
            ("charbonnier", (t, r) => L.charbonnier_loss(t[0], t[1], r, 0.1), y),
            ("wing", (t, r) => L.wing_loss(t[0], t[1], r, 1.0, 0.5), y),
            ("adaptive_wing", (t, r) => L.adaptive_wing_loss(t[0], t[1], r), heat),
            ("quantile", (t, r) => L.quantile_loss(t[0], t[1], r, 0.3), y),
        };
        foreach (var (name, f, target) in losses)
            foreach (var reduction in AllReductions)
            {
                var result = GradCheck.gradcheck(t => f(t, reduction), new[] { T(x, shape: new long[] { 2, 4 }), T(target, shape: new long[] { 2, 4 }) });
                Assert.IsTrue(result.Passed, $"{name} {reduction}: {result}");
            }
    }

    [TestMethod]
    public void HalfTypesAreComputedInFloat32AndRoundedOnce()
    {
        using var scope = NewDisposeScope();
        double[] d = { 0.5, -1.25, 3.0, 0.0, -7.5, 12.0 };
        foreach (var dtype in new[] { ScalarType.Float16, ScalarType.BFloat16 })
        {
            var input = T(d, dtype);
            var zero = zeros_like(input);
            var held = Values(input);
            var (rtol, atol) = Tolerance(dtype);
            var checks = new (string, Tensor, Func<double, double>)[]
            {
                ("barron", L.barron_loss(input, zero, 0.5, 2.0, R.None), v => Ref.Barron(v, 0.5, 2)),
                ("log_cosh", L.log_cosh_loss(input, zero, R.None), Ref.LogCosh),
                ("pseudo_huber", L.pseudo_huber_loss(input, zero, R.None), v => Ref.PseudoHuber(v, 1)),
                ("wing", L.wing_loss(input, zero, R.None), v => Ref.Wing(v, 10, 2)),
                ("quantile", L.quantile_loss(input, zero, R.None, 0.25), v => Ref.Pinball(v, 0, 0.25)),
            };
            foreach (var (name, result, reference) in checks)
            {
                Assert.AreEqual(dtype, result.dtype, name);
                Close(held.Select(reference).ToArray(), result, $"{name} {dtype}", rtol, atol);
            }
        }
    }

    [TestMethod]
    public void ModulesAndFactoriesMatchTheFunctionals()
    {
        using var scope = NewDisposeScope();
        var x = T(X, grad: false);
        var y = T(Y, grad: false);
        foreach (var reduction in AllReductions)
        {
            Close(Values(L.barron_loss(x, y, -0.5, 2.0, reduction)), TorchLosses.nn.BarronLoss(-0.5, 2.0, reduction).forward(x, y), "BarronLoss", 0, 0);
            Close(Values(L.log_cosh_loss(x, y, reduction)), TorchLosses.nn.LogCoshLoss(reduction).forward(x, y), "LogCoshLoss", 0, 0);
            Close(Values(L.pseudo_huber_loss(x, y, reduction, 0.3)), TorchLosses.nn.PseudoHuberLoss(reduction, 0.3).forward(x, y), "PseudoHuberLoss", 0, 0);
            Close(Values(L.charbonnier_loss(x, y, reduction, 0.3)), TorchLosses.nn.CharbonnierLoss(reduction, 0.3).forward(x, y), "CharbonnierLoss", 0, 0);
            Close(Values(L.wing_loss(x, y, reduction, 4, 1)), TorchLosses.nn.WingLoss(reduction, 4, 1).forward(x, y), "WingLoss", 0, 0);
            Close(Values(L.adaptive_wing_loss(x, torch.minimum(torch.maximum(y, K(0)), K(1)), reduction)), TorchLosses.nn.AdaptiveWingLoss(reduction).forward(x, torch.minimum(torch.maximum(y, K(0)), K(1))), "AdaptiveWingLoss", 0, 0);
            Close(Values(L.quantile_loss(x, y, reduction, 0.8)), TorchLosses.nn.QuantileLoss(reduction, 0.8).forward(x, y), "QuantileLoss", 0, 0);
        }
    }

    [TestMethod]
    public void BadInputIsRejectedWithClearErrors()
    {
        using var scope = NewDisposeScope();
        var x = T(X, grad: false);
        var y = T(Y, grad: false);
        Assert.AreEqual("input", Assert.ThrowsExactly<ArgumentNullException>(() => L.log_cosh_loss(null!, y)).ParamName);
        Assert.AreEqual("target", Assert.ThrowsExactly<ArgumentNullException>(() => L.wing_loss(x, null!)).ParamName);
        Assert.AreEqual("alpha", Assert.ThrowsExactly<ArgumentNullException>(() => L.barron_loss(x, y, null!, ones(1))).ParamName);
        var disposed = zeros(3);
        disposed.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => L.charbonnier_loss(disposed, zeros(3)));
        var integral = Assert.ThrowsExactly<ArgumentException>(() => L.log_cosh_loss(tensor(new long[] { 1, 2 }), tensor(new long[] { 1, 2 })));
        StringAssert.Contains(integral.Message, "'Long'");
        Assert.AreEqual("input", integral.ParamName);
        Assert.ThrowsExactly<ArgumentException>(() => L.pseudo_huber_loss(zeros(3), zeros(4)));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.log_cosh_loss(x, y, (R)7));

        Assert.AreEqual("alpha", Assert.ThrowsExactly<ArgumentException>(() => L.barron_loss(x, y, double.NaN)).ParamName);
        Assert.AreEqual("scale", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.barron_loss(x, y, 1, 0)).ParamName);
        Assert.AreEqual("scale", Assert.ThrowsExactly<ArgumentException>(() => L.barron_loss(x, y, ones(1, dtype: ScalarType.Float64), tensor(new[] { 1.0, -1.0 }).expand(6, 2).reshape(12))).ParamName);
        Assert.AreEqual("alpha", Assert.ThrowsExactly<ArgumentException>(() => L.barron_loss(x, y, tensor(new[] { 1.0, double.NaN }).repeat(6), ones(1, dtype: ScalarType.Float64))).ParamName);
        Assert.AreEqual("alpha", Assert.ThrowsExactly<ArgumentException>(() => L.barron_loss(x, y, ones(5, dtype: ScalarType.Float64), ones(1, dtype: ScalarType.Float64))).ParamName);
        foreach (var bad in new[] { 0.0, -1.0, double.NaN, double.PositiveInfinity })
        {
            Assert.AreEqual("delta", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.pseudo_huber_loss(x, y, delta: bad)).ParamName);
            Assert.AreEqual("epsilon", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.charbonnier_loss(x, y, epsilon: bad)).ParamName);
            Assert.AreEqual("omega", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.wing_loss(x, y, omega: bad)).ParamName);
            Assert.AreEqual("theta", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.adaptive_wing_loss(x, torch.minimum(torch.maximum(y, K(0)), K(1)), theta: bad)).ParamName);
        }
        var awing = Assert.ThrowsExactly<ArgumentException>(() => L.adaptive_wing_loss(x, y));   // targets up to 3 > α − 1
        Assert.AreEqual("target", awing.ParamName);
        StringAssert.Contains(awing.Message, "alpha - target must be at least 1");
        foreach (var bad in new[] { 0.0, 1.0, -0.5, double.NaN })
            Assert.AreEqual("quantile", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => L.quantile_loss(x, y, quantile: bad)).ParamName);
        Assert.AreEqual("quantiles", Assert.ThrowsExactly<ArgumentException>(() => L.quantile_loss(zeros(4, 3), zeros(4), tensor(new[] { 0.1, 0.9 }))).ParamName);
        Assert.AreEqual("quantiles", Assert.ThrowsExactly<ArgumentException>(() => L.quantile_loss(zeros(4, 2), zeros(4), tensor(new[] { 0.1, 1.0 }))).ParamName);
    }
}
