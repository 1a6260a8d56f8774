namespace TorchLosses.Parity;

/// <summary>
/// An element passes when |actual − expected| ≤ Atol + Rtol·max(|expected|, Magnitude) (NaN must meet NaN,
/// ±∞ the same ∞). Magnitude is 0 except for the 8- and 11-bit dtypes, where it is the size of the largest
/// term that enters the element (see <see cref="ParityCase.Magnitude"/>).
/// </summary>
public readonly record struct Tolerance(double Rtol, double Atol, double Magnitude = 0)
{
    /// <summary>
    /// Normwise (bfloat16, float16): the relative part is also taken of the largest reference element of
    /// the same tensor, as LAPACK-style normwise error bounds do: an element's rounding error scales with
    /// the terms it was made of, and those are bounded by the tensor's largest element, not by the element.
    /// </summary>
    public bool Normwise { get; init; }

    /// <summary>The dtype the tolerance is for: ulp distances are counted in it (null: the compared tensor's own).</summary>
    public ScalarType? DType { get; init; }

    /// <summary>The largest difference allowed from <paramref name="expected"/>.</summary>
    public double Allowed(double expected) => Atol + Rtol * Math.Max(Math.Abs(expected), Magnitude);

    /// <summary>Whether <paramref name="actual"/> is within the tolerance of <paramref name="expected"/>.</summary>
    public bool Accepts(double expected, double actual)
    {
        if (double.IsNaN(expected) || double.IsNaN(actual)) return double.IsNaN(expected) && double.IsNaN(actual);
        if (double.IsInfinity(expected) || double.IsInfinity(actual)) return expected == actual;
        return Math.Abs(actual - expected) <= Allowed(expected);
    }
}

/// <summary>
/// The tolerance per dtype, and why. The composed losses and libtorch's kernels evaluate the same
/// formula with different operation orders (a clamp-based form against a branch, a fused kernel against
/// separate ops, vectorised bodies against scalar tails), so they differ by a few rounding steps, never
/// by a formula: the tolerances allow a handful of ulp of the dtype and nothing more.
/// </summary>
public static class Tolerances
{
    /// <summary>The tolerance for results of <paramref name="dtype"/>.</summary>
    public static Tolerance For(ScalarType dtype) => (dtype switch
    {
        ScalarType.Float64 => new Tolerance(1e-10, 1e-13),
        ScalarType.Float32 => new(1e-5, 1e-6),
        ScalarType.Float16 => new(2e-3, 1e-3) { Normwise = true },
        ScalarType.BFloat16 => new(1.6e-2, 1e-2) { Normwise = true },
        _ => new(0, 0),   // integer results must be equal
    }) with { DType = dtype };

    /// <summary>
    /// The tolerance for a case: its dtype's, with the case's term magnitude for the low-precision dtypes
    /// (bfloat16, float16), where the composed form rounds every intermediate term to 8 or 11 bits.
    /// </summary>
    public static Tolerance For(ScalarType dtype, double magnitude) =>
        dtype is ScalarType.BFloat16 or ScalarType.Float16 && double.IsFinite(magnitude) ? For(dtype) with { Magnitude = magnitude } : For(dtype);

    /// <summary>The dtypes the sweep knows, with their labels in case names.</summary>
    public static readonly IReadOnlyList<(ScalarType Type, string Label)> Known = new[]
    {
        (ScalarType.Float64, "f64"), (ScalarType.Float32, "f32"), (ScalarType.BFloat16, "bf16"), (ScalarType.Float16, "f16"),
    };

    /// <summary>"f64", "f32", "bf16" or "f16".</summary>
    public static string Label(ScalarType dtype) =>
        Known.FirstOrDefault(k => k.Type == dtype).Label ?? dtype.ToString().ToLowerInvariant();

    /// <summary>The dtype for a label ("f64", "float64", "double", ...), or null.</summary>
    public static ScalarType? Parse(string label) => label.Trim().ToLowerInvariant() switch
    {
        "f64" or "float64" or "double" => ScalarType.Float64,
        "f32" or "float32" or "float" => ScalarType.Float32,
        "bf16" or "bfloat16" => ScalarType.BFloat16,
        "f16" or "float16" or "half" => ScalarType.Float16,
        _ => null,
    };

    /// <summary>The justification of each dtype's tolerance, as the report states it.</summary>
    public static readonly IReadOnlyList<(ScalarType Type, string Why)> Justification = new[]
    {
        (ScalarType.Float64,
            "53-bit significand (ulp 2.2e-16 relative). The two sides differ only in the order of a few roundings " +
            "per element, plus the order of the sum behind mean/sum (error ≲ n·ulp for n terms, n ≤ a few hundred here) " +
            "and the rounding that CTC's log-space recursion accumulates over its T steps, or that an element formed by " +
            "cancellation (BCE with logits and pos_weight) keeps from its larger terms: the run's largest differences are " +
            "beside. rtol 1e-10 stays well above such rounding and catches any formula error (a misapplied beta, a wrong " +
            "denominator, a missing term changes results at 1e-3 or more). atol 1e-13 covers results that cancel to ~0 " +
            "(e.g. a mean gradient of ±1/n terms)."),
        (ScalarType.Float32,
            "24-bit significand (ulp 1.2e-7 relative). rtol 1e-5 (~84 ulp of the element) is room for the float32 " +
            "accumulation of a mean or a log-softmax over a row, far below any semantic difference. atol 1e-6 is absolute " +
            "(8 ulp of 1) and is what bounds an element below 0.1: such an element is often formed by cancelling terms of " +
            "order 1 to 10, and keeps their rounding, which no operation order avoids — libtorch's BCE with logits forms " +
            "(1 − y)·x − w·log σ(x), two terms of size |x| that cancel to ~1e-4 at a target 0 and a logit near −10; CTC's " +
            "gradient is exp(log_probs) − posterior. Relative to the element that can be 1e-3 or more (the relative and " +
            "ulp columns of the summary show it) while the absolute difference stays within a few ulp of the terms."),
        (ScalarType.BFloat16,
            "8-bit significand (ulp 2^-7 = 7.8e-3 relative at the bottom of a binade). libtorch's bfloat16 kernels compute " +
            "in float32 and round once; the composed form rounds the result of every primitive op to bfloat16, so a few " +
            "roundings accumulate. rtol 1.6e-2 = 2^-6 (two ulp; PyTorch's own default for bfloat16 in torch.testing), " +
            "atol 1e-2, and the relative part is taken normwise, of max(|expected|, max |expected| over the tensor, M): " +
            "M is the largest term that enters a loss value (declared per case: max|d| for smooth_l1, " +
            "(max|logit| + log C)·max weight for nll, ...). When terms of size M cancel, as in a sum over targets, " +
            "each carries a rounding error of M·2^-8 that no operation order avoids."),
        (ScalarType.Float16,
            "11-bit significand (ulp 9.8e-4 relative at the bottom of a binade): rtol 2e-3 (two ulp), atol 1e-3, normwise " +
            "as for bfloat16, for values and gradients (libtorch 2.10 has float16 CPU kernels forward and backward; 1.13 had " +
            "no float16 backward on CPU); parameters beyond float16's range (1e6) are left out."),
    };
}
