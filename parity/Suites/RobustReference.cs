namespace TorchLosses.Parity.Suites;

/// <summary>
/// Independent float64 scalar references for the robust losses: each formula as the paper writes it, one element at a
/// time, with the loss and its derivative with respect to the input (d = input − target, or u = target − input for the
/// quantile loss). They are the witness of the robust family in the parity suite (<see cref="RobustSuite"/>) and in the
/// loss tests. Where the textbook formula cancels (near 0, near a limit) a series is used instead, stated below with
/// its truncation error.
/// </summary>
public static class RobustReference
{
    /// <summary>Barron's ρ(x, α, c): the special cases at α = 2, 0, ±∞ and the general formula elsewhere.</summary>
    public static double Barron(double x, double alpha, double c)
    {
        double z = x / c * (x / c);
        if (alpha == 2) return z / 2;
        if (alpha == 0) return Math.Log(z / 2 + 1);
        if (double.IsNegativeInfinity(alpha)) return 1 - Math.Exp(-z / 2);
        if (double.IsPositiveInfinity(alpha)) return Math.Exp(z / 2) - 1;
        double b = Math.Abs(alpha - 2);
        return b / alpha * (Math.Pow(z / b + 1, alpha / 2) - 1);
    }

    /// <summary>∂ρ/∂x = (x/c²)·((x/c)²/|α − 2| + 1)^(α/2 − 1), with its limits at α = 2, ±∞.</summary>
    public static double BarronDx(double x, double alpha, double c)
    {
        double z = x / c * (x / c);
        if (alpha == 2) return x / (c * c);
        if (double.IsNegativeInfinity(alpha)) return x / (c * c) * Math.Exp(-z / 2);
        if (double.IsPositiveInfinity(alpha)) return x / (c * c) * Math.Exp(z / 2);
        double b = Math.Abs(alpha - 2);
        return x / (c * c) * Math.Pow(z / b + 1, alpha / 2 - 1);
    }

    /// <summary>∂ρ/∂c = −(x/c)·∂ρ/∂x.</summary>
    public static double BarronDc(double x, double alpha, double c) => -(x / c) * BarronDx(x, alpha, c);

    /// <summary>log cosh d: Math.Log(Math.Cosh(d)) for |d| ≥ 0.1 (cosh d − 1 ≥ 5e-3: rounding costs ≲ 1e-13 relative), and
    /// the series d²/2 − d⁴/12 + d⁶/45 − 17d⁸/2520 + 31d¹⁰/14175 below (next term 691d¹²/467775 ≤ 1.5e-15, 3e-13 relative);
    /// |d| − log 2 + log(1 + e^{−2|d|}) above |d| = 20, where cosh would overflow at 710.</summary>
    public static double LogCosh(double d)
    {
        double a = Math.Abs(d);
        if (a >= 20) return a - Math.Log(2) + Math.Log(1 + Math.Exp(-2 * a));
        if (a >= 0.1) return Math.Log(Math.Cosh(d));
        double s = d * d;
        return s / 2 - s * s / 12 + s * s * s / 45 - 17 * Math.Pow(s, 4) / 2520 + 31 * Math.Pow(s, 5) / 14175;
    }

    /// <summary>δ²(√(1 + (d/δ)²) − 1), as δ²·q/(√(1 + q) + 1) with q = (d/δ)² (the same number, no cancellation).</summary>
    public static double PseudoHuber(double d, double delta)
    {
        double q = d / delta * (d / delta);
        return delta * delta * q / (Math.Sqrt(1 + q) + 1);
    }

    public static double PseudoHuberDx(double d, double delta) => d / Math.Sqrt(1 + d / delta * (d / delta));

    public static double Charbonnier(double d, double epsilon) => Math.Sqrt(d * d + epsilon * epsilon);

    public static double CharbonnierDx(double d, double epsilon) => d / Math.Sqrt(d * d + epsilon * epsilon);

    /// <summary>Wing: w·ln(1 + |d|/ε) inside |d| &lt; w, |d| − (w − w·ln(1 + w/ε)) outside.</summary>
    public static double Wing(double d, double w, double epsilon) =>
        Math.Abs(d) < w ? w * Math.Log(1 + Math.Abs(d) / epsilon) : Math.Abs(d) - (w - w * Math.Log(1 + w / epsilon));

    public static double WingDx(double d, double w, double epsilon) =>
        Math.Sign(d) * (Math.Abs(d) < w ? w / (epsilon + Math.Abs(d)) : 1);

    /// <summary>Adaptive Wing of prediction ŷ against target y, the paper's formula (δ = |y − ŷ|, p = α − y).</summary>
    public static double AdaptiveWing(double prediction, double target, double alpha = 2.1, double omega = 14, double epsilon = 1, double theta = 0.5)
    {
        double delta = Math.Abs(target - prediction), p = alpha - target;
        if (delta < theta) return omega * Math.Log(1 + Math.Pow(delta / epsilon, p));
        var (a, c) = AdaptiveWingLine(p, omega, epsilon, theta);
        return a * delta - c;
    }

    /// <summary>∂/∂ŷ of the Adaptive Wing: sign(ŷ − y)·ωp(δ/ε)^(p−1)/(ε(1 + (δ/ε)^p)) inside, sign(ŷ − y)·A outside.</summary>
    public static double AdaptiveWingDx(double prediction, double target, double alpha = 2.1, double omega = 14, double epsilon = 1, double theta = 0.5)
    {
        double delta = Math.Abs(target - prediction), p = alpha - target, sign = Math.Sign(prediction - target);
        if (delta < theta) return sign * omega * p * Math.Pow(delta / epsilon, p - 1) / (epsilon * (1 + Math.Pow(delta / epsilon, p)));
        return sign * AdaptiveWingLine(p, omega, epsilon, theta).a;
    }

    private static (double a, double c) AdaptiveWingLine(double p, double omega, double epsilon, double theta)
    {
        double r = theta / epsilon;
        double a = omega * (1 / (1 + Math.Pow(r, p))) * p * Math.Pow(r, p - 1) / epsilon;
        return (a, theta * a - omega * Math.Log(1 + Math.Pow(r, p)));
    }

    /// <summary>Pinball: max(τu, (τ − 1)u), u = target − prediction.</summary>
    public static double Pinball(double prediction, double target, double tau)
    {
        double u = target - prediction;
        return Math.Max(tau * u, (tau - 1) * u);
    }

    /// <summary>∂/∂prediction: −τ for u ≥ 0 (the subgradient the loss takes at u = 0), 1 − τ for u &lt; 0.</summary>
    public static double PinballDx(double prediction, double target, double tau) => target - prediction < 0 ? 1 - tau : -tau;
}
