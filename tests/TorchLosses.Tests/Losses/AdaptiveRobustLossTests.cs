using TorchLosses;
using static TorchLossesTests.Support.Parity;
using Ref = TorchLosses.Parity.Suites.RobustReference;

namespace TorchLossesTests.Losses;

/// <summary>
/// Barron's distribution and the adaptive loss: the package's own log Z(α) against closed forms, the normalisation of the
/// density by an independent quadrature, ∂ log Z/∂α against finite differences, the module's parameters and gradients.
/// </summary>
[TestClass]
public sealed class AdaptiveRobustLossTests
{
    private static double LogZ(double alpha)
    {
        using var scope = NewDisposeScope();
        return BarronPartition.LogZ(tensor(new[] { alpha })).item<double>();
    }

    [TestMethod]
    public void PartitionFunctionMatchesItsClosedForms()
    {
        // α = 2: ∫ exp(−x²/2) dx = √(2π). α = 0: ρ = log(1 + x²/2), ∫ dx/(1 + x²/2) = √2·∫ du/(1 + u²) = π√2 (x = √2·u).
        // α = 1: ρ = √(1 + x²) − 1, ∫ e^{1 − √(1 + x²)} dx = 2e·K₁(1) (∫₀^∞ e^{−β√(1 + x²)} dx = K₁(β)), K₁(1) = 0.60190723019723457.
        // The quadrature is exact to rounding (1e-13 relative); the table holds these nodes (α = 0 and 2 are its ends).
        Assert.AreEqual(Math.Sqrt(2 * Math.PI), BarronPartition.Z(2), 1e-13 * Math.Sqrt(2 * Math.PI));
        Assert.AreEqual(Math.PI * Math.Sqrt(2), BarronPartition.Z(0), 1e-13 * Math.PI * Math.Sqrt(2));
        Assert.AreEqual(2 * Math.E * 0.60190723019723457, BarronPartition.Z(1), 1e-13 * 3.3);
        Assert.AreEqual(0.5 * Math.Log(2 * Math.PI), LogZ(2), 1e-15);
        Assert.AreEqual(Math.Log(Math.PI * Math.Sqrt(2)), LogZ(0), 1e-13);
        Assert.AreEqual(Math.Log(2 * Math.E * 0.60190723019723457), LogZ(1), 1e-9);
    }

    [TestMethod]
    public void SplineFollowsTheQuadratureBetweenNodes()
    {
        // Cubic Hermite interpolation error is h⁴·max|f''''|/384 with h = 1/1024 in s: far below 1e-9 where log Z(s) is smooth.
        foreach (var alpha in new[] { 0.0005, 0.001, 0.013, 0.1, 0.37, 0.77, 1.0, 1.23, 1.5, 1.8, 1.9, 1.99, 1.999, 1.99999 })
        {
            double expected = Math.Log(BarronPartition.Z(alpha));
            Assert.AreEqual(expected, LogZ(alpha), 1e-9, $"α = {alpha}");
        }
    }

    [TestMethod]
    public void DensityIntegratesToOne()
    {
        // ∫ exp(−ρ(x, α, c))/(c·Z(α)) dx by an independent rule: x = c·tan θ, composite Simpson on θ ∈ [−π/2, π/2] with 40000
        // intervals, ρ from the scalar reference, Z from the package's table. The transformed integrand is bounded and smooth
        // (→ 2/Z at the ends for α = 0), so Simpson's error is far below the 1e-8 asserted. (Not for 0 < α ≪ 1: there the
        // integrand behaves like (π/2 − |θ|)^α at the ends and the rule converges only as h^(1+α).)
        foreach (var alpha in new[] { 0.0, 0.5, 1.0, 1.5, 1.95, 2.0 })
            foreach (var c in new[] { 0.3, 1.0, 4.0 })
            {
                double logZ = LogZ(alpha);
                const int n = 40000;
                double h = Math.PI / n, sum = 0;
                for (int k = 0; k <= n; k++)
                {
                    double theta = -Math.PI / 2 + k * h;
                    double f;
                    if (k == 0 || k == n) f = alpha == 0 ? 2 / Math.Exp(logZ) : 0;   // the limit of the integrand at θ = ±π/2
                    else
                    {
                        double x = c * Math.Tan(theta), secant = 1 / Math.Cos(theta);
                        f = Math.Exp(-Ref.Barron(x, alpha, c) - Math.Log(c) - logZ) * c * secant * secant;
                    }
                    sum += f * (k == 0 || k == n ? 1 : k % 2 == 1 ? 4 : 2);
                }
                Assert.AreEqual(1.0, sum * h / 3, 1e-8, $"α = {alpha}, c = {c}");
            }
    }

    [TestMethod]
    public void LogPartitionDerivativeMatchesFiniteDifferences()
    {
        // Central differences of the quadrature with step 1e-5: truncation h²·f'''/6 ≲ 1e-10·6!/6 near α = 0 (the derivatives
        // of log Z grow like (2k)! there), rounding 1e-16/1e-5.
        foreach (var alpha in new[] { 0.001, 0.05, 0.5, 1.0, 1.5, 1.9, 1.99 })
        {
            using var scope = NewDisposeScope();
            var a = tensor(new[] { alpha }, requires_grad: true);
            var grad = autograd.grad(new[] { BarronPartition.LogZ(a).sum() }, new[] { a })[0].item<double>();
            const double h = 1e-5;
            double numeric = (Math.Log(BarronPartition.Z(alpha + h)) - Math.Log(BarronPartition.Z(alpha - h))) / (2 * h);
            Assert.AreEqual(numeric, grad, 1e-6 * Math.Max(1, Math.Abs(numeric)), $"α = {alpha}");
        }
    }

    [TestMethod]
    public void NllIsRhoPlusLogScalePlusLogZAndPassesGradcheck()
    {
        using var scope = NewDisposeScope();
        double[] x = { 0.3, -1.7, 2.4, 0.9, -0.2, 1.3, -0.65, 3.1 };
        double[] alpha = { 0.2, 0.2, 1.0, 1.0, 1.5, 1.5, 1.8, 0.7 };
        double[] c = { 0.5, 2.0, 1.0, 0.8, 1.3, 0.6, 1.0, 3.0 };
        var nll = L.barron_nll_loss(T(x, grad: false), zeros(8, dtype: ScalarType.Float64), T(alpha, grad: false), T(c, grad: false), R.None);
        var expected = x.Select((v, i) => Ref.Barron(v, alpha[i], c[i]) + Math.Log(c[i]) + Math.Log(BarronPartition.Z(alpha[i]))).ToArray();
        var got = nll.data<double>().ToArray();
        for (int i = 0; i < 8; i++) Assert.AreEqual(expected[i], got[i], 1e-9, $"element {i}");
        foreach (var reduction in AllReductions)
        {
            var result = GradCheck.gradcheck(t => L.barron_nll_loss(t[0], t[1], t[2], t[3], reduction),
                new[] { T(x), T(new double[8]), T(alpha), T(c) });
            Assert.IsTrue(result.Passed, $"{reduction}: {result}");
        }
    }

    [TestMethod]
    public void ModuleOwnsItsLatentsAndLearnsTheShapeOfTheData()
    {
        using var scope = NewDisposeScope();
        using var loss = TorchLosses.nn.AdaptiveRobustLoss(num_dims: 2, dtype: ScalarType.Float64);
        Assert.AreEqual(2, loss.parameters().Count());
        CollectionAssert.AreEqual(new[] { 1.0, 1.0 }, loss.alpha().data<double>().ToArray(), "α starts at the midpoint of (0.001, 1.999)");
        CollectionAssert.AreEqual(new[] { 1.0, 1.0 }, loss.scale().data<double>().ToArray(), "c starts at scale_init");
        // Column 0 Gaussian, column 1 heavy-tailed (Gaussian / uniform): the gradient of the NLL moves α up for the first and
        // down for the second.
        var random = new Random(5);
        var data = new double[4000 * 2];
        for (int i = 0; i < 4000; i++)
        {
            double g() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            data[2 * i] = g();
            data[2 * i + 1] = g() / Math.Max(1e-3, random.NextDouble());
        }
        var residual = tensor(data, new long[] { 4000, 2 });
        var value = loss.forward(residual, zeros_like(residual));
        var expected = L.barron_nll_loss(residual, zeros_like(residual), loss.alpha().detach(), loss.scale().detach());
        Assert.AreEqual(expected.item<double>(), value.item<double>(), 1e-12);
        var latents = loss.parameters().ToArray();
        var grads = autograd.grad(new[] { value }, latents);
        var alphaGrad = grads[0].data<double>().ToArray();
        Assert.IsLessThan(0, alphaGrad[0], "Gaussian column: α should grow");
        Assert.IsGreaterThan(0, alphaGrad[1], "heavy-tailed column: α should shrink");
        Assert.ThrowsExactly<ArgumentException>(() => loss.forward(zeros(5, 3, dtype: ScalarType.Float64), zeros(5, 3, dtype: ScalarType.Float64)));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TorchLosses.nn.AdaptiveRobustLoss(alpha_hi: 2.5));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TorchLosses.nn.AdaptiveRobustLoss(alpha_init: 1.999));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TorchLosses.nn.AdaptiveRobustLoss(scale_init: 0));
        Assert.AreEqual("alpha", Assert.ThrowsExactly<ArgumentException>(() =>
            L.barron_nll_loss(zeros(3), zeros(3), tensor(new[] { 0.5f, -0.1f, 1f }), ones(3))).ParamName);
    }
}
