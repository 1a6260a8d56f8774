namespace TorchLosses;

/// <summary>
/// The shared frame of the robust regression losses (Barron, log-cosh, pseudo-Huber, Charbonnier, Wing, Adaptive Wing,
/// quantile): argument checks, the working type, the per-element loss and the reduction. These losses have no native
/// kernel to follow: float32 and float64 are computed in their own type; float16 and bfloat16 are computed in float32 and
/// the result rounded once to the half type (the reduction too runs in float32). Gradients come from autograd through
/// the composition, so they are differentiable again.
/// </summary>
internal static class RobustFrame
{
    /// <summary>The type a loss computes in: float32 for the half types, the type itself for float32/float64.</summary>
    internal static ScalarType Working(ScalarType type) =>
        type is ScalarType.Float16 or ScalarType.BFloat16 ? ScalarType.Float32 : type;

    /// <summary>
    /// A loss of (input, target) compared element by element: null/disposed checks, the broadcast warning and error of the
    /// point-wise losses, the reduction check, the loss's own checks (<paramref name="validate"/>, which may look at the
    /// operands), then <paramref name="elementwise"/> on the operands in the working type, the reduction, and the result in the
    /// operands' promoted type.
    /// </summary>
    internal static Tensor Pointwise(Tensor input, Tensor target, torch.nn.Reduction reduction, string loss,
        Action<Tensor, Tensor>? validate, Func<Tensor, Tensor, Tensor> elementwise)
    {
        Check.Defined(input, nameof(input));
        Check.Defined(target, nameof(target));
        Check.Floating(input, nameof(input), loss);
        Check.Floating(target, nameof(target), loss);
        Check.PointwisePair(input, target, loss);
        var kind = Reductions.Parse(reduction);
        validate?.Invoke(input, target);
        var type = torch.promote_types(input.dtype, target.dtype);
        var work = Working(type);
        using var scope = torch.NewDisposeScope();
        var reduced = Reductions.Apply(elementwise(Tensors.InType(input, work), Tensors.InType(target, work)), kind);
        return scope.MoveToOuter(Tensors.InType(reduced, type));
    }

    /// <summary>A where() whose unselected branch is computed on a safe substitute: the value of the argument where
    /// <paramref name="mask"/> holds, <paramref name="safe"/> elsewhere (so no NaN or ∞ reaches a gradient through the branch
    /// the where() does not select).</summary>
    internal static Tensor Only(Tensor mask, Tensor value, double safe) => torch.where(mask, value, Tensors.Constant(safe, value));

    /// <summary>
    /// expm1(u) with the gradient e^u computed as such: libtorch's expm1 backward uses result + 1, which is 0 once expm1(u)
    /// rounds to −1 (u ≲ −17 in float32, −37 in float64) although e^u is not. Value: expm1(u) exactly; gradient and higher
    /// derivatives: those of e^u (a zero e^u − e^u carries them).
    /// </summary>
    internal static Tensor Expm1(Tensor u)
    {
        // Where e^u overflows, libtorch's own expm1 (value ∞, gradient ∞) on the untouched u; e^u on a safe 0 there.
        var fits = u.detach().exp().isfinite();
        var exponential = Only(fits, u, 0).exp();
        return torch.where(fits, u.detach().expm1().Plus((exponential - exponential.detach())), u.expm1());
    }

    /// <summary>Σ coefficients[k]·u^k by Horner's rule.</summary>
    internal static Tensor Polynomial(Tensor u, double[] coefficients)
    {
        var sum = Tensors.Constant(coefficients[^1], u).expand(Tensors.Shape(u));
        for (int k = coefficients.Length - 2; k >= 0; k--) sum = (sum * u).Plus(Tensors.Constant(coefficients[k], u));
        return sum;
    }

    // expm1(u)/u = Σ u^k/(k+1)!; for |u| < 0.1 eleven terms leave 0.1^11/12! < 3e-20 of truncation.
    private static readonly double[] ExpRatioSeries = Enumerable.Range(0, 11).Select(k => 1 / Factorial(k + 1)).ToArray();

    // log1p(w)/w = Σ (−w)^k/(k+1); for 0 ≤ w < 0.05 thirteen terms leave 0.05^13/14 < 1e-18 of truncation.
    private static readonly double[] LogRatioSeries = Enumerable.Range(0, 13).Select(k => (k % 2 == 0 ? 1.0 : -1.0) / (k + 1)).ToArray();

    private static double Factorial(int n) => n <= 1 ? 1 : n * Factorial(n - 1);

    /// <summary>The series of expm1(u)/u for |u| &lt; 0.1 (exact to rounding there, and so is its derivative).</summary>
    internal static Tensor ExpRatioNearZero(Tensor u) => Polynomial(u, ExpRatioSeries);

    /// <summary>
    /// log1p(w)/w for w ≥ 0, 1 at w = 0: the series below 0.05, where the quotient and its derivative would cancel,
    /// the quotient above.
    /// </summary>
    internal static Tensor LogRatio(Tensor w)
    {
        var small = w.detach().lt(Tensors.Constant(0.05, w));
        var series = Polynomial(Only(small, w, 0), LogRatioSeries);
        var wide = Only(small.logical_not(), w, 1);
        return torch.where(small, series, wide.log1p() / wide);
    }
}
