namespace TorchLosses;

/// <summary>
/// The log-partition function of Barron's distribution, log Z(α) with Z(α) = ∫ exp(−ρ(x, α, 1)) dx over ℝ, for
/// 0 ≤ α ≤ 2 (for α &lt; 0 ρ is bounded and the integral diverges), computed here and nowhere copied:
/// <list type="number">
/// <item>Quadrature in float64: Z = 2∫₀^∞ e^(−ρ) dx by the exp-sinh rule, x = exp(π/2·sinh t), dx = x·(π/2)·cosh t dt, the
/// trapezoid rule in t with step 1/64 over t ∈ [−5, 5]. The integrand decays double-exponentially at both ends, also for
/// α → 0, whose tails are as heavy as 1/x² (Cauchy), so the rule converges to rounding (checked against Z(2) = √(2π) and
/// Z(0) = π√2).</item>
/// <item>A table of log Z at 4097 nodes uniform in s ∈ [0, 1], α = 2 − 2(1 − s)³: dense near α = 2, where log Z behaves like
/// b³·log b in s (b = 1 − s) because ρ has a |α − 2|·log|α − 2| term; the slope d log Z/ds at each node from
/// d log Z/dα = −E[∂ρ/∂α], integrated by the same rule with the closed form of ∂ρ/∂α (finite differences fail near α = 0,
/// where the k-th derivative of log Z grows like (2k)!: the tails weigh (log x)^(2k)/x²).</item>
/// <item>Cubic Hermite interpolation in s with those slopes: C¹, and differentiable in α (by autograd through s(α)).</item>
/// </list>
/// </summary>
internal static class BarronPartition
{
    private const int Intervals = 4096;
    private const double Step = 1.0 / 64, Reach = 5.0;

    private static readonly Lazy<(double[] values, double[] slopes)> table = new(Tabulate);

    /// <summary>α at position s of the table: 2 − 2(1 − s)³ (s = 1 − ∛((2 − α)/2)).</summary>
    internal static double AlphaAt(double s) => 2 - 2 * Math.Pow(1 - s, 3);

    /// <summary>ρ(x, α, 1) for α ∈ [0, 2], x ≥ 0, in float64, without cancellation near α = 0.</summary>
    internal static double Rho(double x, double alpha)
    {
        double z = x * x;
        if (alpha == 2) return z / 2;
        double b = Math.Abs(alpha - 2);
        double l = Log1p(z / b);
        double u = alpha * l / 2;
        // (b/α)·expm1(u) = (b·L/2)·expm1(u)/u; expm1(u)/u by its series below |u| = 0.1 (truncation < 3e-20).
        if (Math.Abs(u) < 0.1)
        {
            double sum = 0, term = 1;
            for (int k = 1; k <= 12; k++)
            {
                sum += term;
                term *= u / (k + 1);
            }
            return b * l / 2 * sum;
        }
        return b / alpha * (Math.Exp(u) - 1);
    }

    /// <summary>log(1 + w) to full precision for w ≥ 0 (Goldberg's correction of the rounded 1 + w).</summary>
    private static double Log1p(double w)
    {
        double u = 1 + w;
        if (u == 1) return w;
        if (double.IsInfinity(u)) return Math.Log(w);
        return Math.Log(u) * (w / (u - 1));
    }

    // The quadrature's abscissas x = exp(π/2·sinh t) and weights x·(π/2)·cosh t·step, t = k/64 for |k| ≤ 320.
    private static readonly (double x, double weight)[] nodes = Enumerable.Range(-(int)Math.Round(Reach / Step), 2 * (int)Math.Round(Reach / Step) + 1)
        .Select(k =>
        {
            double t = k * Step, x = Math.Exp(Math.PI / 2 * Math.Sinh(t));
            return (x, x * Math.PI / 2 * Math.Cosh(t) * Step);
        })
        .ToArray();

    /// <summary>Z(α) by exp-sinh quadrature (see the class summary).</summary>
    internal static double Z(double alpha)
    {
        double sum = 0;
        foreach (var (x, weight) in nodes)
        {
            double f = Math.Exp(-Rho(x, alpha)) * weight;
            if (double.IsFinite(f)) sum += f;
        }
        return 2 * sum;
    }

    /// <summary>
    /// ∂ρ/∂α (x, α, 1) for 0 ≤ α &lt; 2, from ρ = (b·L/2)·φ(u), b = 2 − α, L = log1p(z/b), u = α·L/2, φ(u) = expm1(u)/u:
    /// ∂(b·L/2)/∂α = −L/2 + z/(2(b + z)), ∂u/∂α = L/2 + α·z/(2b(b + z)), φ'(u) = (u·e^u − e^u + 1)/u² (its series
    /// Σ k·u^(k−1)/(k+1)! below |u| = 0.1).
    /// </summary>
    internal static double RhoAlphaDerivative(double x, double alpha)
    {
        double z = x * x, b = 2 - alpha;
        double l = Log1p(z / b), u = alpha * l / 2;
        double phi, phiPrime;
        if (Math.Abs(u) < 0.1)
        {
            phi = 0;
            phiPrime = 0;
            double term = 1;   // u^k/(k+1)!
            for (int k = 0; k <= 12; k++)
            {
                phi += term;
                if (k > 0) phiPrime += k * term / u;
                term *= u / (k + 2);
            }
            if (u == 0) phiPrime = 0.5;
        }
        else
        {
            double e = Math.Exp(u);
            phi = (e - 1) / u;
            phiPrime = (u * e - e + 1) / (u * u);
        }
        double halfBl = b * l / 2;
        double dHalfBl = -l / 2 + z / (2 * (b + z));
        double du = l / 2 + alpha * z / (2 * b * (b + z));
        return dHalfBl * phi + halfBl * phiPrime * du;
    }

    /// <summary>d log Z/dα = −∫ ∂ρ/∂α·e^(−ρ) dx / Z, for 0 ≤ α &lt; 2, by the same quadrature.</summary>
    internal static double LogZAlphaDerivative(double alpha)
    {
        double z = 0, moment = 0;
        foreach (var (x, weight) in nodes)
        {
            double f = Math.Exp(-Rho(x, alpha)) * weight;
            if (!double.IsFinite(f) || f == 0) continue;
            z += f;
            moment += RhoAlphaDerivative(x, alpha) * f;
        }
        return -moment / z;
    }

    /// <summary>
    /// The table: log Z at each node, and d log Z/ds = (d log Z/dα)·6(1 − s)², 0 at s = 1 (α = 2, where d log Z/dα diverges
    /// only logarithmically).
    /// </summary>
    private static (double[] values, double[] slopes) Tabulate()
    {
        var values = new double[Intervals + 1];
        var slopes = new double[Intervals + 1];
        for (int k = 0; k <= Intervals; k++)
        {
            double s = (double)k / Intervals, alpha = AlphaAt(s);
            values[k] = Math.Log(Z(alpha));
            slopes[k] = k == Intervals ? 0 : LogZAlphaDerivative(alpha) * 6 * (1 - s) * (1 - s);
        }
        return (values, slopes);
    }

    /// <summary>The table's log Z and d log Z/ds at its nodes (for tests).</summary>
    internal static (double[] values, double[] slopes) Table => table.Value;

    /// <summary>
    /// log Z(α) for a tensor of α in [0, 2], differentiable in α (twice). At α = 2 exactly the value is log √(2π) and the
    /// gradient 0: the true derivative diverges there like log|α − 2|.
    /// </summary>
    internal static Tensor LogZ(Tensor alpha)
    {
        var (values, slopes) = table.Value;
        var dtype = alpha.dtype;
        var device = alpha.device;
        var isTwo = alpha.detach().ge(torch.tensor(2.0, dtype, device));
        var a = torch.where(isTwo, torch.tensor(1.0, dtype, device), alpha);
        // s = 1 − ∛((2 − α)/2), scaled to node units.
        var s = (torch.tensor(1.0, dtype, device) - ((torch.tensor(2.0, dtype, device) - a) / torch.tensor(2.0, dtype, device)).pow(torch.tensor(1.0 / 3, dtype, device)))
                * torch.tensor((double)Intervals, dtype, device);
        var node = torch.minimum(torch.maximum(s.detach().floor(), torch.tensor(0.0, dtype, device)), torch.tensor(Intervals - 1.0, dtype, device)).to(ScalarType.Int64);
        var t = s - node.to(dtype);
        var flat = node.flatten();
        Tensor Gather(double[] data, Tensor index) =>
            torch.tensor(data, dtype: dtype, device: device).index_select(0, index).reshape(Tensors.Shape(node));
        var next = flat.Plus(Scalars.One);
        var y0 = Gather(values, flat);
        var y1 = Gather(values, next);
        var m0 = Gather(slopes, flat) / torch.tensor((double)Intervals, dtype, device);
        var m1 = Gather(slopes, next) / torch.tensor((double)Intervals, dtype, device);
        var t2 = t * t;
        var t3 = t2 * t;
        var one = torch.tensor(1.0, dtype, device);
        var two = torch.tensor(2.0, dtype, device);
        var three = torch.tensor(3.0, dtype, device);
        var h00 = (two * t3 - three * t2).Plus(one);
        var h10 = (t3 - two * t2).Plus(t);
        var h01 = three * t2 - two * t3;
        var h11 = t3 - t2;
        var interpolated = (h00 * y0).Plus(h10 * m0).Plus(h01 * y1).Plus(h11 * m1);
        return torch.where(isTwo, torch.tensor(0.5 * Math.Log(2 * Math.PI), dtype, device), interpolated);
    }
}
