namespace TorchLosses;

/// <summary>
/// The per-element loss SmoothL1 and Huber share: quadratic with curvature 1/k inside |d| &lt; b, linear outside, written
/// with a clamp instead of two branches. With the slope s = clamp(d, −b, b)/k,
/// <para>ρ(d) = s·(d − k·s/2), ρ'(d) = s:</para>
/// d²/(2k) inside (s = d/k) and |d|·b/k − b²/(2k) outside (s = ±b/k). SmoothL1: b = k = β. Huber: b = δ, k = 1.
/// </summary>
internal static class ClampedQuadratic
{
    /// <summary>
    /// The analytic path's form: the loss s·(d − k·s/2), computed in place in <paramref name="d"/>, and its slope s, kept for the
    /// backward. Outside the zone (s = ±b/k) that is libtorch's linear branch rounded as its kernel rounds it. Needs
    /// 0 &lt; k &lt; ∞ in the tensor's type; b may be 0 or ∞ (Huber with δ beyond float32's range: its kernel's values follow).
    /// </summary>
    internal static (Tensor loss, Tensor slope) Analytic(Tensor d, double bound, double scale)
    {
        using var minusBound = Scalars.Of(-bound);
        using var boundScalar = Scalars.Of(bound);
        var slope = d.clamp(minusBound.Value, boundScalar.Value);
        if (scale != 1)
        {
            using var scaleScalar = Scalars.Of(scale);
            slope.div_(scaleScalar.Value);
        }
        using var minusHalfScale = Scalars.Of(-0.5 * scale);
        return (d.add_(slope, minusHalfScale.Value).mul_(slope), slope);
    }

    /// <summary>
    /// The autograd path's form: s̄·(d − k·s̄/2) + (r·(e − ē))², bars meaning detached, with e = d strictly inside the zone
    /// (|d| &lt; b) and 0 elsewhere, and r = 1/√(2k).
    /// <para>Value: the first term is ρ(d); the second is exactly 0.</para>
    /// <para>Gradient: exactly s̄ times the upstream gradient, from the first term alone (s̄ is a constant there). The second
    /// term sends 2r·(e − ē) = 0 back, a zero that is not multiplied into anything large, so d = ±∞ gives no ∞·0.</para>
    /// <para>Second derivative: 2r² = 1/k strictly inside the zone and 0 elsewhere (also at |d| = b and at NaN), which is
    /// libtorch's double backward for smooth_l1_loss and huber_loss. A clamp's derivative would include the boundary.</para>
    /// </summary>
    internal static Tensor Differentiable(Tensor d, double bound, double scale)
    {
        var constant = d.detach();
        using var minusBound = (-bound).ToScalar();
        using var boundScalar = bound.ToScalar();
        var slope = constant.clamp(minusBound, boundScalar);
        using var scaleScalar = scale.ToScalar();
        if (scale != 1) slope = slope / scaleScalar;
        var inside = d.masked_fill(constant.abs().lt(boundScalar).logical_not(), Scalars.Zero);
        using var rootHalfOverScale = Math.Sqrt(0.5 / scale).ToScalar();
        var curvature = ((inside - inside.detach()) * rootHalfOverScale).pow(Scalars.Two);
        using var halfScale = (0.5 * scale).ToScalar();
        return (slope * (d - slope * halfScale)).Plus(curvature);
    }

    /// <summary>
    /// The slope as libtorch's backward computes it in its reference (scalar) code, which compares and divides with the bound and
    /// the scale as the doubles they are: clamp(d, −b, b)/k in float64, and for k = ∞ (SmoothL1 with β = +∞) ±1 at d = ±∞ and 0
    /// elsewhere. NaN stays NaN. For where the tensor's type rounds b or k to 0 or ∞: the kernels' vectorised body works with
    /// the rounded values there and disagrees with their scalar code (which runs on small tensors and on the last elements of
    /// large ones), and its answers are not all slopes of d: SmoothL1 with β rounded to 0 gives −1 to input and target alike at
    /// d = 0 (here 0), with β rounded to ∞ 0 for finite d (here d/β); Huber with δ rounded to ∞ gives ±∞ at d = ±∞ (here
    /// ±δ·upstream, finite where it fits). The slope comes back in float64; the backward rounds its gradient to the loss's type.
    /// </summary>
    internal static Tensor ExactSlope(Tensor d, double bound, double scale)
    {
        var wide = d.to(torch.ScalarType.Float64);
        using var minusBound = (-bound).ToScalar();
        using var boundScalar = bound.ToScalar();
        using var scaleScalar = scale.ToScalar();
        return double.IsPositiveInfinity(scale)
            ? wide.clamp(Scalars.MinusOne, Scalars.One).masked_fill_(wide.isfinite(), Scalars.Zero)
            : wide.clamp(minusBound, boundScalar).div_(scaleScalar);
    }

    /// <summary>
    /// A parameter as libtorch's kernels hold it for <paramref name="type"/> (<c>scalar_t beta_val(beta)</c>): rounded to float32,
    /// float16 or bfloat16 (through float32, as c10 converts), so 1e-46 is 0 and 1e39 is ∞ in float32. Passed to TorchSharp's
    /// ops instead of the double, which they would round the same way or, beyond the type's range, refuse.
    /// </summary>
    internal static double AsKernelHoldsIt(double value, torch.ScalarType type) => type switch
    {
        torch.ScalarType.Float32 => (float)value,
        torch.ScalarType.Float16 => (double)(Half)(float)value,
        torch.ScalarType.BFloat16 => AsBFloat16((float)value),
        _ => value,
    };

    /// <summary>A float rounded to bfloat16's 8 significant bits, to nearest, ties to even (c10's conversion).</summary>
    private static float AsBFloat16(float value)
    {
        if (float.IsNaN(value)) return value;
        uint bits = BitConverter.SingleToUInt32Bits(value);
        return BitConverter.UInt32BitsToSingle((bits + 0x7FFFu + ((bits >> 16) & 1u)) & 0xFFFF0000u);
    }
}
